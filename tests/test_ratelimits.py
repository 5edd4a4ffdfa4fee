"""The rate limiter's default storage: fixed-window counters in the worker's memory, with no
expiry thread (portal.ratelimits)."""

import threading

import pytest
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter

from portal import ratelimits
from portal.extensions import limiter
from portal.ratelimits import WorkerMemoryStorage


class Clock:
    def __init__(self):
        self.now = 1_800_000_000.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(ratelimits.time, "time", clock)
    return clock


def test_a_client_gets_its_allowance_per_window_and_a_new_one_when_the_window_ends(clock):
    strategy = FixedWindowRateLimiter(WorkerMemoryStorage())
    five = parse("5 per minute")
    assert [strategy.hit(five, "10.0.0.1") for _ in range(6)] == [True] * 5 + [False]
    assert strategy.hit(five, "10.0.0.2")  # another client counts on its own
    stats = strategy.get_window_stats(five, "10.0.0.1")
    assert stats.remaining == 0 and stats.reset_time == clock.now + 60
    clock.now += 59
    assert not strategy.test(five, "10.0.0.1")
    clock.now += 1
    assert strategy.test(five, "10.0.0.1") and strategy.hit(five, "10.0.0.1")
    assert strategy.get_window_stats(five, "10.0.0.1").remaining == 4


def test_counting_starts_no_thread():
    storage = WorkerMemoryStorage()
    before = threading.active_count()
    for n in range(200):
        storage.incr(f"client-{n % 7}", 1)
    assert threading.active_count() == before


def test_clients_that_went_away_are_forgotten(clock):
    storage = WorkerMemoryStorage()
    for n in range(100):
        storage.incr(f"client-{n}", 10)
    clock.now += ratelimits.SWEEP_SECONDS
    storage.incr("newcomer", 10)
    assert storage.reset() == 1  # only the newcomer was still counted


def test_clear_and_reset(clock):
    storage = WorkerMemoryStorage()
    storage.incr("a", 60, amount=3)
    storage.incr("b", 60)
    storage.clear("a")
    assert storage.get("a") == 0 and storage.get("b") == 1
    assert storage.reset() == 1 and storage.get("b") == 0


def test_the_portal_counts_in_the_worker_unless_another_store_is_configured(app_factory):
    with app_factory().app_context():
        assert isinstance(limiter.storage, WorkerMemoryStorage)
    with app_factory(RATELIMIT_STORAGE_URI="memory://").app_context():
        assert isinstance(limiter.storage, MemoryStorage)
