"""Database URLs: which driver PostgreSQL uses, and how a URL is shown in a message without
its password. Where the default SQLite file lives is ``store.local``'s.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import URL
from sqlalchemy.exc import ArgumentError

from rubdown.errors import StoreError

# Hosting providers hand out "postgres://" and "postgresql://" URLs; rubdown talks to
# PostgreSQL through psycopg 3 only, so both mean "postgresql+psycopg".
_POSTGRES_ALIASES = frozenset({"postgres", "postgresql"})
POSTGRES_DRIVER = "postgresql+psycopg"


def parse_url(text: str) -> URL:
    """Read a database URL, pointing PostgreSQL at psycopg; refuse anything but SQLite and
    PostgreSQL with a message that never echoes the text (it may hold a password)."""
    try:
        url = sa.make_url(text.strip())
    except ArgumentError:
        raise StoreError(
            "not a valid database URL: expected sqlite:////path/to/rubdown.sqlite3"
            " or postgresql://user@host:5432/database"
        ) from None
    if url.drivername in _POSTGRES_ALIASES:
        url = url.set(drivername=POSTGRES_DRIVER)
    backend = url.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise StoreError(
            f"unsupported database {backend!r}: rubdown stores its data in SQLite or PostgreSQL"
        )
    return url


def normalise_url(text: str) -> str:
    """``text`` with PostgreSQL pointed at psycopg, as a string (password kept)."""
    return parse_url(text).render_as_string(hide_password=False)


def show_url(url: URL) -> str:
    """The URL fit for a message: password masked, query (which may carry one) dropped."""
    return url.set(query={}).render_as_string(hide_password=True)


def is_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite"


def sqlite_file(url: URL) -> Path | None:
    """The database file of a SQLite URL, or None for an in-memory database."""
    database = url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)
