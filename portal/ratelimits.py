"""Where the rate limiter counts when no shared store is configured: this worker's memory.

Flask-Limiter keeps its counters in a `limits` storage. The stock in-memory one (memory://)
expires counters with a `threading.Timer` that runs 10 ms and is started again by the next hit,
so a worker taking filings starts a thread every 10 ms, and `Thread.start()` waits until the new
thread runs. On two busy cores that wait cost the hotline about a seventh of its filings per
second (bench/README.md). This storage, registered with `limits` as worker-memory://, keeps the same
fixed-window counters and drops an expired one when it is next read; a sweep at most once a
minute forgets the clients that went away, so memory holds only the recent ones.

Like memory://, each worker counts for itself; several workers or servers share limits
through Redis (RATELIMIT_STORAGE_URI = "redis://…").
"""

import threading
import time

from limits.storage import Storage

SWEEP_SECONDS = 60


class WorkerMemoryStorage(Storage):
    """Fixed-window counters in this worker's memory, expired when read: no thread of its own."""

    STORAGE_SCHEME = ["worker-memory"]

    def __init__(self, uri=None, wrap_exceptions=False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self._counters = {}  # key -> [count, expires at (epoch seconds)]
        self._lock = threading.Lock()
        self._next_sweep = time.time() + SWEEP_SECONDS

    @property
    def base_exceptions(self):
        return ValueError

    def incr(self, key, expiry, amount=1):
        """Add `amount` to the counter of `key`; a new window of `expiry` seconds if it has none."""
        now = time.time()
        with self._lock:
            if now >= self._next_sweep:
                self._sweep(now)
            counter = self._counters.get(key)
            if counter is None or counter[1] <= now:
                counter = self._counters[key] = [0, now + expiry]
            counter[0] += amount
            return counter[0]

    def get(self, key):
        counter = self._counters.get(key)
        return counter[0] if counter is not None and counter[1] > time.time() else 0

    def get_expiry(self, key):
        now = time.time()
        counter = self._counters.get(key)
        return counter[1] if counter is not None and counter[1] > now else now

    def check(self):
        return True

    def reset(self):
        with self._lock:
            count = len(self._counters)
            self._counters.clear()
            return count

    def clear(self, key):
        with self._lock:
            self._counters.pop(key, None)

    def _sweep(self, now):
        self._counters = {key: c for key, c in self._counters.items() if c[1] > now}
        self._next_sweep = now + SWEEP_SECONDS
