"""Storage adapter: the runner's season in SQLite (the default) or PostgreSQL.

``open_store(url)`` returns a migrated ``Store``; everything it stores is owned by a runner
and every method is scoped to one owner.

The names below load SQLAlchemy, so they are imported when first asked for: a command that
reads a local home through ``store.sqlite_reader`` never loads it (about 0.25 s of CPU).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from rubdown.domain.records import VersionStamp
from rubdown.store.local import sqlite_url_for_home

if TYPE_CHECKING:
    from rubdown.store.connect import open_store
    from rubdown.store.migrations import LATEST_VERSION
    from rubdown.store.store import Store
    from rubdown.store.urls import normalise_url

__all__ = [
    "LATEST_VERSION",
    "Store",
    "VersionStamp",
    "normalise_url",
    "open_store",
    "sqlite_url_for_home",
]

_LAZY = {
    "LATEST_VERSION": "rubdown.store.migrations",
    "Store": "rubdown.store.store",
    "normalise_url": "rubdown.store.urls",
    "open_store": "rubdown.store.connect",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
