"""SQLite as the portal uses it: WAL, foreign keys, a busy timeout, and writers that queue.

SQLite lets one writer in at a time. A connection that finds the database locked polls: its
busy handler sleeps 1, 2, 5, 10… ms between tries, however soon the lock is freed. Under a
burst of filings from several gunicorn workers a write transaction lasts about half a
millisecond, so those sleeps were about an eighth of each worker's time (bench/README.md).
So a write transaction of the portal first takes its turn: an exclusive lock (flock) on a
file beside the database, `<database>-writers`, held until the transaction commits or rolls
back. The next writer of any portal process is woken the moment the one before it is done.
Other programs (the sqlite3 shell, a backup tool) still meet SQLite's own lock and its busy
timeout; readers never queue (WAL lets them read while one writes).
"""

import os
import sqlite3
import threading

from sqlalchemy import event

try:
    import fcntl
except ImportError:  # not on Windows: there writers meet SQLite's own lock and busy timeout only
    fcntl = None

BUSY_TIMEOUT_MS = 10000
# the statements that open a write transaction (pysqlite begins one before DML; DDL takes the lock too)
WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER")


class WriterQueue:
    """The turn to write to one database file: a lock among this process's connections, then an
    flock among the processes. The kernel drops the flock of a process that dies."""

    def __init__(self, path):
        self.path = path
        self._reset()

    def _reset(self):
        self._local = threading.Lock()
        self._fd = None
        self._holder = None  # (id of the connection, thread) holding the turn

    def take(self, conn):
        """Wait for the turn; return at once if `conn` has it.

        Waiting behind another connection of this process is bounded by the busy timeout, after
        which the write goes ahead and meets SQLite's own lock. Waiting behind another process
        has no time limit (SQLite's busy timeout gave up after 10 s): it lasts as long as that
        transaction; a process that dies frees the turn, and gunicorn ends a stuck worker.
        """
        holder = self._holder
        if holder is not None and (holder[0] == id(conn) or holder[1] == threading.get_ident()):
            # this connection has the turn; or another one of this thread has it, which cannot
            # commit while we wait: SQLite's busy timeout decides, as without the queue
            return
        if not self._local.acquire(timeout=BUSY_TIMEOUT_MS / 1000):
            return
        try:
            if self._fd is None:
                self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(self._fd, fcntl.LOCK_EX)
        except BaseException:
            self._local.release()
            raise
        self._holder = (id(conn), threading.get_ident())

    def give_back(self, conn):
        """End `conn`'s turn, if it has it (after its COMMIT or ROLLBACK)."""
        holder = self._holder
        if holder is not None and holder[0] == id(conn):
            self._holder = None
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            self._local.release()


_queues = {}  # database path -> WriterQueue of this process


def _queue_for(path):
    """The WriterQueue of `path` in this process."""
    queue = _queues.get(path)
    if queue is None:
        queue = _queues.setdefault(path, WriterQueue(path))
    return queue


def _after_fork():
    """A forked worker queues with its own file descriptor and lock, never the parent's."""
    for queue in _queues.values():
        queue._reset()


os.register_at_fork(after_in_child=_after_fork)


class QueuedWriterConnection(sqlite3.Connection):
    """An sqlite3 connection whose write transactions wait for their turn (see the module docstring)."""

    queue_path = None  # set on the subclass made for each database file

    def take_turn(self):
        """Wait until no other portal connection writes to this database (called before a write)."""
        _queue_for(self.queue_path).take(self)

    def _end_turn(self):
        _queue_for(self.queue_path).give_back(self)

    def commit(self):
        try:
            super().commit()
        finally:
            self._end_turn()  # after the COMMIT: the next writer finds the database free

    def rollback(self):
        try:
            super().rollback()
        finally:
            self._end_turn()

    def close(self):
        try:
            super().close()
        finally:
            self._end_turn()

    def __del__(self):
        # a connection dropped without close() must not keep the turn; at interpreter exit the
        # module may be half gone, and the kernel drops the flock with the process anyway
        try:
            self._end_turn()
        except Exception:  # noqa: BLE001
            pass


def tune_sqlite(engine, readonly=False):
    """WAL, foreign keys, the busy timeout and the writers' queue on every connection of `engine`
    (readonly: the public site's read-only connection, which neither writes nor changes the journal)."""
    path = engine.url.database or ""
    queued = fcntl is not None and not readonly and path not in ("", ":memory:") and not path.startswith("file:")
    if queued:
        factory = type("QueuedWriterConnection", (QueuedWriterConnection,),
                       {"queue_path": os.path.abspath(path) + "-writers"})

        @event.listens_for(engine, "do_connect")
        def _queued_connection(_dialect, _record, _cargs, cparams):
            cparams["factory"] = factory

        @event.listens_for(engine, "before_cursor_execute")
        def _take_turn(conn, _cursor, statement, _params, context, _executemany):
            if context is not None and (context.isinsert or context.isupdate or context.isdelete) \
                    or statement.lstrip()[:7].upper().startswith(WRITES):
                dbapi_connection = conn.connection.dbapi_connection
                if isinstance(dbapi_connection, QueuedWriterConnection):
                    dbapi_connection.take_turn()

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        cur = dbapi_conn.cursor()
        if not readonly:  # a read-only connection cannot change the journal mode
            cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.close()

    engine.dispose()  # a connection opened before these listeners would lack them
