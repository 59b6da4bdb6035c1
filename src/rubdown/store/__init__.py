"""Storage adapter: the runner's season in SQLite (the default) or PostgreSQL.

``open_store(url)`` returns a migrated ``Store``; everything it stores is owned by a runner
and every method is scoped to one owner.
"""

from rubdown.domain.records import VersionStamp
from rubdown.store.connect import open_store
from rubdown.store.migrations import LATEST_VERSION
from rubdown.store.store import Store
from rubdown.store.urls import normalise_url, sqlite_url_for_home

__all__ = [
    "LATEST_VERSION",
    "Store",
    "VersionStamp",
    "normalise_url",
    "open_store",
    "sqlite_url_for_home",
]
