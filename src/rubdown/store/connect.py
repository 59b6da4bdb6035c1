"""Opening the store: parse the URL, reach the database, bring its schema up to date.

Every failure on the way becomes one ``StoreError`` line that names the database by its URL
without the password, e.g. "cannot reach the database at
postgresql+psycopg://ana:***@db:5432/rubdown: connection refused".
"""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from rubdown.errors import StoreError
from rubdown.store.engine import create_engine, reason
from rubdown.store.migrations import LATEST_VERSION, MigrationFailed, migrate, read_version
from rubdown.store.store import Store
from rubdown.store.upgrade import Upgrade, check, described
from rubdown.store.urls import is_sqlite, parse_url, show_url


def open_store(url: str, *, migrate_schema: bool = True) -> Store:
    """The store at ``url`` (``sqlite:////abs/path`` or ``postgresql://...``), migrated to
    the schema this rubdown knows; with ``migrate_schema=False`` (server mode) only checked
    against it (``store.upgrade``), which ``rubdown db upgrade`` migrates."""
    parsed = parse_url(url)
    shown = show_url(parsed)
    engine = create_engine(parsed)
    try:
        _connect_once(engine, shown, verb="open" if is_sqlite(parsed) else "reach")
        if migrate_schema:
            _migrate(engine, shown)
        else:
            _check(engine, shown)
    except BaseException:
        engine.dispose()
        raise
    return Store(engine, shown)


def _connect_once(engine: Engine, shown: str, *, verb: str) -> None:
    try:
        with engine.connect():
            pass
    except SQLAlchemyError as error:
        raise StoreError(f"cannot {verb} the database at {shown}: {reason(error)}") from None


def _check(engine: Engine, shown: str) -> None:
    try:
        with engine.connect() as connection:
            check(connection, shown)
    except SQLAlchemyError as error:
        raise StoreError(
            f"cannot read the schema version of the database at {shown}: {reason(error)}"
        ) from None


def upgrade_store(url: str) -> Upgrade:
    """``rubdown db upgrade``: migrate the database at ``url``, and say what was done."""
    parsed = parse_url(url)
    shown = show_url(parsed)
    engine = create_engine(parsed)
    try:
        _connect_once(engine, shown, verb="open" if is_sqlite(parsed) else "reach")
        try:
            with engine.connect() as connection:
                before = read_version(connection)
        except SQLAlchemyError as error:
            raise StoreError(
                f"cannot read the schema version of the database at {shown}: {reason(error)}"
            ) from None
        if before > LATEST_VERSION:
            _check(engine, shown)  # a newer rubdown migrated it: fine while it only added
            return Upgrade(shown, before, before, ())
        after = _migrate(engine, shown)
        return Upgrade(shown, before, after, described(before, after))
    finally:
        engine.dispose()


def _migrate(engine: Engine, shown: str) -> int:
    try:
        return migrate(engine)
    except MigrationFailed as failure:
        step = failure.step
        raise StoreError(
            f"cannot migrate the database at {shown} to schema version {step.version}"
            f" ({step.description}): {reason(failure.error)}"
        ) from None
    except SQLAlchemyError as error:
        raise StoreError(
            f"cannot read the schema version of the database at {shown}: {reason(error)}"
        ) from None
