"""SQLite as the portal uses it: WAL, foreign keys, and writers that queue for their turn
(portal.sqlite). These tests use their own SQLite file, whichever database the suite runs on."""

import fcntl
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from portal.sqlite import QueuedWriterConnection, tune_sqlite


@pytest.fixture
def engine(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'queue.db'}")
    tune_sqlite(engine)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE complaint (id INTEGER PRIMARY KEY, who TEXT NOT NULL)"))
    yield engine
    engine.dispose()


def turn_is_free(engine):
    """True when no connection holds the writers' turn (tried from outside, as another process would)."""
    fd = os.open(engine.url.database + "-writers", os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return True
    finally:
        os.close(fd)


def written(engine):
    with engine.connect() as conn:
        return [who for (who,) in conn.execute(text("SELECT who FROM complaint ORDER BY id"))]


def test_connections_use_wal_foreign_keys_and_the_queue(engine):
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert isinstance(conn.connection.dbapi_connection, QueuedWriterConnection)


def test_a_writer_waits_for_the_turn_and_writes_once_the_one_before_has_committed(engine):
    first = engine.connect()
    first.execute(text("INSERT INTO complaint (who) VALUES ('first')"))
    assert not turn_is_free(engine)  # another process's writer would wait on the lock file

    done = threading.Event()

    def second_writer():
        with engine.connect() as conn:
            conn.execute(text("INSERT INTO complaint (who) VALUES ('second')"))
            conn.commit()
        done.set()

    worker = threading.Thread(target=second_writer, daemon=True)
    worker.start()
    time.sleep(0.3)
    assert not done.is_set()  # still waiting: the first has not committed
    first.commit()
    assert done.wait(5)
    assert written(engine) == ["first", "second"]
    assert turn_is_free(engine)
    first.close()


def test_readers_never_wait_for_a_writer(engine):
    with engine.connect() as writer, engine.connect() as reader:
        writer.execute(text("INSERT INTO complaint (who) VALUES ('pending')"))
        assert reader.execute(text("SELECT count(*) FROM complaint")).scalar() == 0
        assert not turn_is_free(engine)
        writer.commit()


def test_a_rollback_or_a_closed_connection_gives_the_turn_back(engine):
    conn = engine.connect()
    conn.execute(text("INSERT INTO complaint (who) VALUES ('undone')"))
    conn.rollback()
    assert turn_is_free(engine)
    conn.execute(text("INSERT INTO complaint (who) VALUES ('abandoned')"))
    assert not turn_is_free(engine)
    conn.close()  # back to the pool, which rolls back
    assert turn_is_free(engine)
    engine.dispose()
    assert written(engine) == []


def test_a_thread_writing_on_two_connections_gets_sqlites_busy_error_instead_of_waiting_for_itself(engine):
    outcome = []

    def two_writers_in_one_thread():
        with engine.connect() as first, engine.connect() as second:
            first.execute(text("INSERT INTO complaint (who) VALUES ('first')"))
            second.exec_driver_sql("PRAGMA busy_timeout=50")
            try:
                second.execute(text("INSERT INTO complaint (who) VALUES ('second')"))
            except OperationalError as exc:
                outcome.append(str(exc.orig))
            first.commit()

    worker = threading.Thread(target=two_writers_in_one_thread, daemon=True)
    worker.start()
    worker.join(10)
    assert not worker.is_alive(), "the thread waited for a turn its own other connection held"
    assert outcome == ["database is locked"]
    assert written(engine) == ["first"] and turn_is_free(engine)


def test_a_read_only_engine_neither_queues_nor_makes_the_lock_file(tmp_path):
    path = tmp_path / "ro.db"
    sqlite3.connect(path).close()
    readonly = create_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
    tune_sqlite(readonly, readonly=True)
    with readonly.connect() as conn:
        assert conn.execute(text("SELECT 1")).scalar() == 1
        assert not isinstance(conn.connection.dbapi_connection, QueuedWriterConnection)
    assert not (tmp_path / "ro.db-writers").exists()
    readonly.dispose()


def test_a_writer_process_that_dies_mid_transaction_leaves_the_turn_free(engine):
    """A worker killed while writing (gunicorn's timeout, the OOM killer) holds no one up."""
    script = (
        "import sys, time\n"
        "from sqlalchemy import create_engine, text\n"
        "from portal.sqlite import tune_sqlite\n"
        "engine = create_engine(sys.argv[1]); tune_sqlite(engine)\n"
        "conn = engine.connect()\n"
        "conn.execute(text(\"INSERT INTO complaint (who) VALUES ('killed')\"))\n"
        "print('writing', flush=True)\n"
        "time.sleep(60)\n"
    )
    root = Path(__file__).resolve().parent.parent
    child = subprocess.Popen([sys.executable, "-c", script, str(engine.url)], cwd=root, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "writing"
        assert not turn_is_free(engine)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(10)
        child.stdout.close()
    assert turn_is_free(engine)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO complaint (who) VALUES ('next')"))
    assert written(engine) == ["next"]  # the dead writer's row was never committed
