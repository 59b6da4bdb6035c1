"""Where a rubdown home keeps its SQLite file, without SQLAlchemy: the command line asks this
before it knows whether it will need SQLAlchemy at all (see ``store.sqlite_reader``)."""

from __future__ import annotations

from pathlib import Path

SQLITE_FILE_NAME = "rubdown.sqlite3"


def sqlite_url_for_home(home: Path) -> str:
    """The SQLite URL of the database file inside rubdown's data folder ``home``."""
    return f"sqlite:///{(home / SQLITE_FILE_NAME).absolute()}"
