"""Building the SQLAlchemy engine for SQLite or PostgreSQL, and turning driver failures into
one line a runner can act on.

SQLite needs care to be a good citizen: WAL so that a reader (the web app) does not block a
writer (an import), foreign keys (off by default in SQLite), a busy timeout instead of an
instant "database is locked", and real transactions around DDL, which Python's sqlite3
module does not open on its own before Python 3.12.
"""

from __future__ import annotations

import sqlite3
import time
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, Engine
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from rubdown.errors import StoreError
from rubdown.store.urls import is_sqlite, show_url, sqlite_file

SQLITE_BUSY_TIMEOUT_MS = 5_000
# The page size of a new SQLite home. An import stores tens of megabytes of streams (about
# 25 kB an activity), and SQLite reads and writes a page at a time, each page twice under
# WAL (the log, then the database at a checkpoint): 16 kB pages take a quarter of the system
# calls 4 kB ones take, and a small write (a check-in) still logs well under a megabyte. A
# home made before keeps its own page size: only a VACUUM outside WAL mode could change it.
SQLITE_NEW_PAGE_SIZE = 16_384
POSTGRES_CONNECT_TIMEOUT_S = 10

# Execution option that marks a connection about to write: SQLite then takes the write lock
# at BEGIN, so a write never fails half-way when another process wrote in between.
WRITE_OPTION = "rubdown_write"


def create_engine(url: URL) -> Engine:
    """An engine for ``url``; nothing is connected yet."""
    if is_sqlite(url):
        return _sqlite_engine(url)
    return _postgres_engine(url)


def _sqlite_engine(url: URL) -> Engine:
    path = sqlite_file(url)
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreError(
                f"cannot create the folder for the database at {show_url(url)}:"
                f" {error.strerror or error}"
            ) from None
    engine = sa.create_engine(url)
    event.listen(engine, "connect", _prepare_sqlite_connection)
    event.listen(engine, "begin", _begin_sqlite_transaction)
    return engine


def _prepare_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    # Take BEGIN away from the sqlite3 module: it would skip it before DDL and SELECT.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        # In WAL mode NORMAL keeps the database consistent through any crash and skips an
        # fsync per commit; an import commits once per file, thousands of times.
        cursor.execute("PRAGMA synchronous = NORMAL")
        if cursor.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            # Before WAL mode writes a new file's header, which fixes its page size for
            # good; on a database that already has tables it changes nothing.
            cursor.execute(f"PRAGMA page_size = {SQLITE_NEW_PAGE_SIZE}")
            _switch_to_wal(cursor)
    finally:
        cursor.close()


def _switch_to_wal(cursor: Any) -> None:
    # SQLite answers "database is locked" at once, without its busy handler, when another
    # connection holds the file while the journal mode changes (two processes opening a new
    # database together): wait and try again, for as long as the busy timeout allows.
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _begin_sqlite_transaction(connection: Connection) -> None:
    writing = connection.get_execution_options().get(WRITE_OPTION, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")


def _postgres_engine(url: URL) -> Engine:
    connect_args: dict[str, Any] = {}
    if "connect_timeout" not in url.query:
        # Without it an unreachable host keeps the command line waiting for minutes.
        connect_args["connect_timeout"] = POSTGRES_CONNECT_TIMEOUT_S
    try:
        # pool_pre_ping: a long-running web app survives a database restart.
        return sa.create_engine(url, connect_args=connect_args, pool_pre_ping=True)
    except (ImportError, SQLAlchemyError) as error:
        raise StoreError(
            f"cannot use the database at {show_url(url)}: {_first_line(error)}"
        ) from None


def reason(error: BaseException) -> str:
    """The driver's own explanation, reduced to its last clause, e.g. "connection refused"."""
    original = error.orig if isinstance(error, DBAPIError) and error.orig else error
    line = _first_line(original)
    # psycopg nests its explanation: 'connection failed: connection to server at "127.0.0.1",
    # port 5432 failed: Connection refused' -- the part after the last "failed:" is the news.
    if line.startswith("connection failed:") and "failed:" in line[len("connection failed:") :]:
        line = line.rsplit("failed:", 1)[1]
    line = line.replace("FATAL:", "").strip()
    if not line:
        return type(original).__name__
    # "Connection refused" reads as "connection refused" mid-sentence; "UNIQUE ..." stays.
    capitalised_word = line[:2].istitle()
    return line[:1].lower() + line[1:] if capitalised_word else line


def _first_line(error: BaseException) -> str:
    lines = [part.strip() for part in str(error).splitlines() if part.strip()]
    return lines[0] if lines else type(error).__name__
