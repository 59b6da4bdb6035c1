"""Opening the queue's side of the database, for ``bootstrap``: an engine of its own (a
small pool: a job's rows are written a few times a second at most), the job port, and the
kept originals in the same database."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from rubdown.keeping.database import DatabaseOriginals
from rubdown.queue.connection import conninfo, postgres_url
from rubdown.queue.jobs import DatabaseImportQueue
from rubdown.queue.tasks import deferring_app
from rubdown.store.engine import POSTGRES_CONNECT_TIMEOUT_S

POOL_SIZE = 2


def open_engine(url_text: str) -> Engine:
    """An engine on the server's PostgreSQL; refused with one line for anything else."""
    url = postgres_url(url_text)
    connect_args = (
        {} if "connect_timeout" in url.query else {"connect_timeout": POSTGRES_CONNECT_TIMEOUT_S}
    )
    return sa.create_engine(
        url, pool_size=POOL_SIZE, max_overflow=2, pool_pre_ping=True, connect_args=connect_args
    )


def open_import_queue(url_text: str) -> DatabaseImportQueue:
    return DatabaseImportQueue(open_engine(url_text), deferring_app())


def open_kept_originals(url_text: str) -> DatabaseOriginals:
    return DatabaseOriginals(open_engine(url_text))


def queue_conninfo(url_text: str) -> str:
    """The URL as the worker's own connections (libpq) take it."""
    return conninfo(postgres_url(url_text))
