"""From the store's database URL to what procrastinate and psycopg take."""

from __future__ import annotations

from sqlalchemy.engine import URL

from rubdown.errors import StoreError
from rubdown.store.urls import parse_url, show_url


def postgres_url(text: str) -> URL:
    """The URL parsed; refused with one line unless it names PostgreSQL."""
    url = parse_url(text)
    if url.get_backend_name() != "postgresql":
        raise StoreError(
            f"the import queue needs PostgreSQL, not {show_url(url)}:"
            " set RUBDOWN_DATABASE_URL to a postgresql:// URL"
        )
    return url


def conninfo(url: URL) -> str:
    """The URL as libpq reads it (``postgresql://...``, its query kept: a ``search_path``
    option, a ``sslmode``), password included."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)
