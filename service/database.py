"""The database as the running service sees it: bounded waits, outages, writability.

Three things keep a bad day at the database from becoming the service's:

- **Bounded waits.** Every PostgreSQL connection gets ``statement_timeout``
  and ``lock_timeout`` (``DATABASE_STATEMENT_TIMEOUT_MS``,
  ``DATABASE_LOCK_TIMEOUT_MS``); SQLite gets a ``busy_timeout``
  (``SQLITE_BUSY_TIMEOUT_MS``). A table locked by someone else makes a
  request fail after the lock timeout instead of holding a worker.
- **Outages answer 503.** A database that cannot be reached, refuses
  writes, or timed out is :func:`unavailable`; the request answers 503 with
  ``Retry-After`` (JSON for the API, a page for browsers) instead of a 500
  and a traceback, and :class:`OutageLog` writes one line when an outage
  starts and one when the database answers again.
- **Readiness.** :func:`check_writable` is what ``/readyz`` asks: the
  database must accept a write (PostgreSQL not in recovery, the session
  not read-only, an UPDATE that touches no row allowed).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout

if TYPE_CHECKING:
    from flask import Flask

log = logging.getLogger(__name__)

# The statement a readiness check runs: a write (it takes a row lock on no
# row) that a read-only database refuses, rolled back either way.
_WRITE_PROBE = "UPDATE learners SET name = name WHERE 1 = 0"
# SQLSTATE classes that mean "the database cannot do this now", not "the request is wrong":
# 08 connection exception, 53 insufficient resources, 57 operator intervention
# (57014 query_canceled is statement_timeout), 55P03 lock_not_available,
# 25006 read_only_sql_transaction, 40P01 deadlock, 40001 serialization failure.
_UNAVAILABLE_CLASSES = ("08", "53", "57")
_UNAVAILABLE_STATES = frozenset({"55P03", "25006", "40P01", "40001"})
# Of those, the ones where the database answers but refused this statement: it waited too
# long, lost a race, or the database takes no writes now.
_BUSY_STATES = frozenset({"55P03", "57014", "40P01", "40001", "25006"})
RETRY_AFTER_SECONDS = 5


def configure_engines(app: Flask, engines: list[sa.Engine]) -> None:
    """Set each new connection's timeouts (and SQLite's pragmas) from the app's config."""
    statement_ms = int(app.config["DATABASE_STATEMENT_TIMEOUT_MS"])
    lock_ms = int(app.config["DATABASE_LOCK_TIMEOUT_MS"])
    busy_ms = int(app.config["SQLITE_BUSY_TIMEOUT_MS"])
    outages = OutageLog()
    app.extensions["chain_tutor.outages"] = outages
    for engine in engines:
        if engine.dialect.name == "sqlite":
            sa.event.listen(engine, "connect", lambda conn, record: _configure_sqlite(conn, busy_ms))
        elif engine.dialect.name == "postgresql":
            sa.event.listen(engine, "connect",
                            lambda conn, record: _configure_postgresql(conn, statement_ms, lock_ms))
        # A connection handed out by the pool (pre-pinged) means the database answers again.
        sa.event.listen(engine, "checkout", lambda *args: outages.answered())


def _configure_sqlite(dbapi_connection: Any, busy_timeout_ms: int) -> None:
    """Turn on what SQLite leaves off by default, on every new connection.

    Foreign keys (else ON DELETE CASCADE and every FK are ignored), WAL
    (readers do not block the writer, which matters with several server
    threads) and a busy timeout (a writer waits for the lock, for a bounded
    time, instead of failing at once with "database is locked").
    """
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL, much faster commits
    finally:
        cursor.close()


def _configure_postgresql(dbapi_connection: Any, statement_timeout_ms: int, lock_timeout_ms: int) -> None:
    """Bound every statement and every lock wait of this connection (0 turns a bound off); no JIT.

    JIT compiles a plan whose estimated cost is high, and a CSV export read
    through a cursor is estimated as the whole course (10,000,000 attempts in
    ``bench/bench_dashboard.py``): PostgreSQL spent 150-200 ms compiling
    before the first row, half the export's first page. No query of the
    service runs long enough to win that back.

    Committed at once: a session-level SET made inside a transaction that
    the pool later rolls back would be undone with it.
    """
    with dbapi_connection.cursor() as cursor:
        cursor.execute(f"SET statement_timeout = {int(statement_timeout_ms)}")
        cursor.execute(f"SET lock_timeout = {int(lock_timeout_ms)}")
        cursor.execute("SET jit = off")
    dbapi_connection.commit()


def unavailable(error: BaseException) -> bool:
    """Whether ``error`` means the database cannot serve now (503) rather than a bug (500).

    A lost or refused connection, a pool with no free connection, a
    statement or lock timeout, a deadlock, a read-only database, SQLite's
    "database is locked".
    """
    if isinstance(error, PoolTimeout):
        return True
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    state = getattr(error.orig, "sqlstate", None)
    if isinstance(state, str):
        return state in _UNAVAILABLE_STATES or state[:2] in _UNAVAILABLE_CLASSES
    if isinstance(error.orig, sqlite3.OperationalError):
        text = str(error.orig).lower()
        return "locked" in text or "busy" in text or "readonly" in text or "unable to open" in text
    # A psycopg error without SQLSTATE is a client-side one: the server went away.
    return isinstance(error, (sa.exc.OperationalError, sa.exc.InterfaceError))


class OutageLog:
    """Log an outage once when it starts and once when it ends, not once per request.

    While the database is unavailable every request fails the same way;
    a traceback for each (1,575 in ten seconds in the issue) drowns the
    one line an operator needs. :meth:`failed` logs the first failure of
    an outage and counts the rest; :meth:`answered` (a pooled connection
    checked out) logs the recovery with that count. A failure more than
    :attr:`quiet_seconds` after the last line logs again, so a long outage
    still shows in the log now and then.
    """

    def __init__(self, quiet_seconds: float = 60.0) -> None:
        self._lock = threading.Lock()
        self._quiet = quiet_seconds
        self._since: float | None = None
        self._last_line = 0.0
        self._refused = 0
        self._busy = 0
        self._last_busy_line = float("-inf")

    @property
    def down(self) -> bool:
        return self._since is not None

    def failed(self, error: BaseException) -> None:
        """Note a request refused because of ``error``; log a line if the outage is new (or long).

        A database that answers but refused the statement (a lock or
        statement timeout, a deadlock, a read-only database) is no outage of
        the connection, and a connection checked out does not end it. It is logged at most once
        per :attr:`quiet_seconds`, with how many requests it refused.
        """
        now = time.monotonic()
        if busy(error):
            with self._lock:
                self._busy += 1
                if now - self._last_busy_line < self._quiet:
                    return
                self._last_busy_line, refused, self._busy = now, self._busy, 0
            log.warning("database busy, %d request(s) refused: %s", refused, summary(error))
            return
        with self._lock:
            self._refused += 1
            if self._since is not None and now - self._last_line < self._quiet:
                return
            self._since = self._since if self._since is not None else now
            self._last_line = now
            refused = self._refused
        log.error("database unavailable (%d request(s) refused so far): %s", refused, summary(error))

    def answered(self) -> None:
        """Note that the database answered; log the end of an outage once."""
        if self._since is None:
            return
        with self._lock:
            if self._since is None:
                return
            lasted, refused = time.monotonic() - self._since, self._refused
            self._since, self._refused = None, 0
        log.warning("database available again after %.1f s; %d request(s) were refused", lasted, refused)


def busy(error: BaseException) -> bool:
    """Whether ``error`` is a refusal (timeout, lost race, read-only) by a database that answers."""
    state = getattr(getattr(error, "orig", None), "sqlstate", None)
    if isinstance(state, str):
        return state in _BUSY_STATES
    text = str(getattr(error, "orig", "")).lower()
    return "locked" in text or "readonly" in text


def summary(error: BaseException) -> str:
    """The first line of a database error, without SQLAlchemy's statement dump.

    >>> summary(ValueError("connection refused\\n\\tIs the server running?"))
    'ValueError: connection refused'
    """
    cause = getattr(error, "orig", None) or error
    first = str(cause).strip().splitlines()[0] if str(cause).strip() else ""
    return f"{type(cause).__name__}: {first}"


def check_writable(engine: sa.Engine, timeout_ms: int = 1000) -> str | None:
    """``None`` when the database takes writes now, else why not (one line).

    On PostgreSQL: not a standby in recovery, the session not read-only,
    and an UPDATE of no row allowed, within ``timeout_ms``. On SQLite: the
    same UPDATE, which needs the write lock. Always rolled back.
    """
    try:
        with engine.connect() as connection:
            with connection.begin() as transaction:
                if connection.dialect.name == "postgresql":
                    connection.exec_driver_sql(f"SET LOCAL statement_timeout = {int(timeout_ms)}")
                    connection.exec_driver_sql(f"SET LOCAL lock_timeout = {int(timeout_ms)}")
                    recovering, read_only = connection.exec_driver_sql(
                        "SELECT pg_is_in_recovery(), current_setting('transaction_read_only')").one()
                    if recovering:
                        return "the database is a standby in recovery"
                    if read_only == "on":
                        return "the database is read-only"
                connection.exec_driver_sql(_WRITE_PROBE)
                transaction.rollback()
    except SQLAlchemyError as error:
        return summary(error)
    return None
