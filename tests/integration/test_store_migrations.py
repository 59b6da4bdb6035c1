"""Schema versions: a fresh database gets the latest, reopening changes nothing, a newer
database is refused, and a failed step leaves the previous version whole."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from rubdown.domain.model import CheckIn, PainQuality
from rubdown.domain.regions import parse_region
from rubdown.errors import StoreError
from rubdown.store import LATEST_VERSION, mapping, normalise_url, open_store
from rubdown.store import schema as tables
from rubdown.store.engine import create_engine
from rubdown.store.migrations import (
    MIGRATIONS,
    VERSION_TABLE,
    Migration,
    MigrationFailed,
    add_column,
    migrate,
    read_version,
)
from rubdown.store.schema import metadata
from tests.integration import samples


def _version_row(raw: Engine) -> tuple[int, object]:
    with raw.connect() as connection:
        row = connection.execute(sa.text(f"SELECT version, migrated_at FROM {VERSION_TABLE}")).one()
    return int(row.version), row.migrated_at


def test_a_fresh_database_gets_the_latest_version(database_url: str, raw: Engine) -> None:
    with open_store(database_url) as store:
        assert store.schema_version() == LATEST_VERSION

    assert _version_row(raw)[0] == LATEST_VERSION == MIGRATIONS[-1].version


def test_reopening_changes_nothing(database_url: str, raw: Engine) -> None:
    with open_store(database_url) as store:
        store.ensure_runner("ana")
        store.add_race("ana", samples.MARATHON)
    before = _version_row(raw)

    with open_store(database_url) as store:
        assert [race.name for race in store.list_races("ana")] == [samples.MARATHON.name]

    assert _version_row(raw) == before


def test_a_database_from_a_newer_rubdown_is_refused(database_url: str, raw: Engine) -> None:
    open_store(database_url).close()
    with raw.begin() as connection:
        connection.execute(sa.text(f"UPDATE {VERSION_TABLE} SET version = version + 1"))

    with pytest.raises(StoreError) as refused:
        open_store(database_url)

    newer = LATEST_VERSION + 1
    assert str(refused.value) == (
        f"database schema version {newer} is newer than this rubdown supports"
        f" ({LATEST_VERSION}); upgrade rubdown"
    )


def test_the_migrated_schema_matches_the_table_definitions(database_url: str, raw: Engine) -> None:
    open_store(database_url).close()
    inspector = sa.inspect(raw)

    assert set(inspector.get_table_names()) == set(metadata.tables) | {VERSION_TABLE}
    for name, table in metadata.tables.items():
        found = {column["name"]: column["nullable"] for column in inspector.get_columns(name)}
        assert found == {column.name: column.nullable for column in table.columns}, name
        primary_key = inspector.get_pk_constraint(name)["constrained_columns"]
        assert set(primary_key) == {column.name for column in table.primary_key}, name


def _add_mood(connection: Connection) -> None:
    add_column(connection, "checkins", sa.Column("mood", sa.Integer))
    add_column(
        connection,
        "checkins",
        sa.Column("sleep_hours", sa.Double, nullable=False, server_default="0"),
    )


def _checkin_columns(raw: Engine) -> set[str]:
    return {column["name"] for column in sa.inspect(raw).get_columns("checkins")}


def test_a_later_migration_adds_columns_to_existing_rows(database_url: str, raw: Engine) -> None:
    with open_store(database_url) as store:
        store.ensure_runner("ana")
        store.add_checkin("ana", samples.CHECKIN)
    later = (*MIGRATIONS, Migration(LATEST_VERSION + 1, "check-in mood", _add_mood))

    engine = create_engine(sa.make_url(normalise_url(database_url)))
    try:
        assert migrate(engine, later) == LATEST_VERSION + 1
    finally:
        engine.dispose()

    assert {"mood", "sleep_hours"} <= _checkin_columns(raw)
    with raw.connect() as connection:
        assert connection.execute(sa.text("SELECT sleep_hours FROM checkins")).scalar_one() == 0


def _add_a_column_then_fail(connection: Connection) -> None:
    add_column(connection, "checkins", sa.Column("mood", sa.Integer))
    connection.execute(sa.text("SELECT * FROM no_such_table"))


def test_a_failing_migration_leaves_the_previous_version_whole(
    database_url: str, raw: Engine
) -> None:
    open_store(database_url).close()
    broken = (*MIGRATIONS, Migration(LATEST_VERSION + 1, "broken", _add_a_column_then_fail))

    engine = create_engine(sa.make_url(normalise_url(database_url)))
    try:
        with pytest.raises(MigrationFailed):
            migrate(engine, broken)
        with engine.connect() as connection:
            assert read_version(connection) == LATEST_VERSION
    finally:
        engine.dispose()

    assert "mood" not in _checkin_columns(raw)  # the DDL was rolled back too


def test_two_processes_opening_a_fresh_database_migrate_it_once(database_url: str) -> None:
    errors: list[BaseException] = []

    def open_and_close() -> None:
        try:
            open_store(database_url).close()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=open_and_close) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    with open_store(database_url) as store:
        assert store.schema_version() == LATEST_VERSION


def _migrated_engine(database_url: str) -> Engine:
    return create_engine(sa.make_url(normalise_url(database_url)))


def test_migration_3_folds_a_days_check_ins_into_the_latest_losing_nothing_written(
    database_url: str,
) -> None:
    engine = _migrated_engine(database_url)
    day = samples.CHECKIN.day
    early = dt.datetime(2027, 3, 11, 7, tzinfo=dt.UTC)
    late = dt.datetime(2027, 3, 11, 21, tzinfo=dt.UTC)
    try:
        assert migrate(engine, MIGRATIONS[:2]) == 2
        with engine.begin() as connection:
            connection.execute(
                tables.runners.insert(), {"id": "ana", "name": "Ana", "created_at": early}
            )
            profile = mapping.profile_to_row("ana", samples.PROFILE, early)
            later = ("max_hr_bpm", "resting_hr_bpm", "threshold_hr_bpm", "sex")
            later += ("sports_price", "flush_price", "post_event_price", "units")
            for name in (*later, "threshold_pace_s_per_km"):
                del profile[name]
            connection.execute(tables.profiles.insert(), profile)
            readings = (
                ("c1", early, "woke stiff", [("calf", 7, None), ("left-heel", None, "sharp")]),
                ("c2", late, "better tonight", [("calf", 2, None)]),
            )
            for checkin_id, at, note, regions in readings:
                connection.execute(
                    tables.checkins.insert(),
                    {
                        "id": checkin_id,
                        "owner_id": "ana",
                        "day": day,
                        "note": note,
                        "created_at": at,
                    },
                )
                for region, soreness, pain in regions:
                    connection.execute(
                        tables.checkin_regions.insert(),
                        {
                            "checkin_id": checkin_id,
                            "owner_id": "ana",
                            "region": region,
                            "soreness": soreness,
                            "pain": pain,
                        },
                    )
        assert migrate(engine) == LATEST_VERSION
    finally:
        engine.dispose()

    with open_store(database_url) as store:
        assert store.get_profile("ana") == samples.PROFILE  # load values NULL: all estimated
        # The evening's calf reading is the day's; the morning's heel flag and note stay.
        assert store.list_checkins("ana") == [
            CheckIn(
                day,
                soreness={parse_region("calf"): 2},
                pain={parse_region("left-heel"): PainQuality.SHARP},
                note="woke stiff / better tonight",
            )
        ]
        assert store.list_injuries("ana") == []
        assert store.list_routine_logs("ana") == []
        assert store.list_manual_runs("ana") == []


def test_the_database_holds_one_check_in_per_runner_and_day(database_url: str, raw: Engine) -> None:
    open_store(database_url).close()

    indexes = {index["name"]: index for index in sa.inspect(raw).get_indexes("checkins")}

    assert indexes["uq_checkins_owner_id_day"]["unique"]
    assert indexes["uq_checkins_owner_id_day"]["column_names"] == ["owner_id", "day"]
    assert "ix_checkins_owner_id_day" not in indexes


def test_migration_4_adds_feed_secrets_to_a_database_with_runners(database_url: str) -> None:
    engine = _migrated_engine(database_url)
    created = dt.datetime(2027, 3, 1, 8, tzinfo=dt.UTC)
    try:
        assert migrate(engine, MIGRATIONS[:3]) == 3
        with engine.begin() as connection:
            connection.execute(
                tables.runners.insert(), {"id": "ana", "name": "Ana", "created_at": created}
            )
        assert migrate(engine) == LATEST_VERSION
    finally:
        engine.dispose()

    with open_store(database_url) as store:
        assert store.feed_secret_hash("ana") is None  # nobody has a feed until they ask
        store.set_feed_secret_hash("ana", "h1")
        assert store.owner_for_feed_hash("h1") == "ana"
        store.set_feed_secret_hash("ana", "h2")
        assert store.feed_secret_hash("ana") == "h2"
        assert store.owner_for_feed_hash("h1") is None


def test_a_feed_secret_hash_cannot_belong_to_two_runners(database_url: str) -> None:
    with open_store(database_url) as store:
        store.ensure_runner("ana")
        store.ensure_runner("ben")
        store.set_feed_secret_hash("ana", "same")

        with pytest.raises(StoreError, match="calendar feed"):
            store.set_feed_secret_hash("ben", "same")

        assert store.owner_for_feed_hash("same") == "ana"
        assert store.feed_secret_hash("ben") is None


def test_a_runners_feed_secret_goes_with_the_runner(database_url: str) -> None:
    with open_store(database_url) as store:
        store.ensure_runner("ana")
        store.set_feed_secret_hash("ana", "h1")
    engine = _migrated_engine(database_url)  # SQLite enforces foreign keys on its connections
    try:
        with engine.begin() as connection:
            connection.execute(sa.text("DELETE FROM runners WHERE id = 'ana'"))
    finally:
        engine.dispose()
    with open_store(database_url) as store:
        assert store.owner_for_feed_hash("h1") is None
