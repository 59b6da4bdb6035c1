"""Schema versions in server mode: its processes check the database instead of migrating it.
Behind is refused naming ``rubdown db upgrade``; ahead is accepted while every newer step only
added (the version table's oldest code version), and refused once one did not."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from rubdown.errors import StoreError
from rubdown.store import LATEST_VERSION, normalise_url, open_store
from rubdown.store.connect import upgrade_store
from rubdown.store.engine import create_engine
from rubdown.store.migrations import (
    MIGRATIONS,
    Migration,
    add_column,
    migrate,
    read_oldest_code_version,
    read_version,
)


def _engine(database_url: str) -> Engine:
    return create_engine(sa.make_url(normalise_url(database_url)))


def _add_mood(connection: Connection) -> None:
    add_column(connection, "checkins", sa.Column("mood", sa.Integer))


def _oldest(raw: Engine) -> int:
    with raw.connect() as connection:
        return read_oldest_code_version(connection)


def test_db_upgrade_applies_the_pending_steps_and_says_which(database_url: str) -> None:
    engine = _engine(database_url)
    try:
        migrate(engine, MIGRATIONS[:9])
    finally:
        engine.dispose()

    done = upgrade_store(database_url)

    assert (done.before, done.after) == (9, LATEST_VERSION)
    assert [version for version, _ in done.applied] == list(range(10, LATEST_VERSION + 1))
    again = upgrade_store(database_url)
    assert (again.before, again.after, again.applied) == (LATEST_VERSION, LATEST_VERSION, ())


def test_a_server_refuses_a_database_behind_it_naming_db_upgrade(
    database_url: str, raw: Engine
) -> None:
    engine = _engine(database_url)
    try:
        migrate(engine, MIGRATIONS[:9])
    finally:
        engine.dispose()

    with pytest.raises(StoreError, match=r"schema version 9, behind .*: run rubdown db upgrade"):
        open_store(database_url, migrate_schema=False)
    with raw.connect() as connection:
        assert read_version(connection) == 9  # checked, not migrated


def test_a_server_runs_on_a_database_ahead_of_it_by_additive_steps_only(
    database_url: str, raw: Engine
) -> None:
    open_store(database_url).close()
    engine = _engine(database_url)
    additive = Migration(LATEST_VERSION + 1, "check-in mood", _add_mood, additive=True)
    try:
        assert migrate(engine, (*MIGRATIONS, additive)) == LATEST_VERSION + 1
    finally:
        engine.dispose()
    assert _oldest(raw) < LATEST_VERSION + 1

    with open_store(database_url, migrate_schema=False) as store:  # the older code serves on
        assert store.schema_version() == LATEST_VERSION + 1
    assert upgrade_store(database_url).applied == ()


def test_a_server_refuses_a_database_ahead_of_it_by_a_step_that_did_more_than_add(
    database_url: str, raw: Engine
) -> None:
    open_store(database_url).close()
    engine = _engine(database_url)
    breaking = Migration(LATEST_VERSION + 1, "check-in mood", _add_mood)  # additive=False
    try:
        migrate(engine, (*MIGRATIONS, breaking))
    finally:
        engine.dispose()
    assert _oldest(raw) == LATEST_VERSION + 1

    with pytest.raises(StoreError, match="upgrade rubdown"):
        open_store(database_url, migrate_schema=False)
    with pytest.raises(StoreError, match="upgrade rubdown"):
        upgrade_store(database_url)


def test_the_accounts_migration_only_adds_so_schema_9_code_may_run_on_it(
    database_url: str, raw: Engine
) -> None:
    engine = _engine(database_url)
    try:
        migrate(engine, MIGRATIONS[:10])
    finally:
        engine.dispose()
    assert MIGRATIONS[9].additive
    assert _oldest(raw) == 9
