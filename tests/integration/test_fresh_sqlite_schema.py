"""A new SQLite database is made from the snapshot of the schema (``migrations.fresh``): the
same schema, statement for statement, as running every migration gives; the snapshot is
current; a failure leaves the database empty with the first step's message; and anything but
an empty SQLite database still goes through the steps."""

from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from rubdown.errors import StoreError
from rubdown.store import LATEST_VERSION, open_store, sqlite_url_for_home
from rubdown.store.engine import create_engine
from rubdown.store.migrations import (
    MIGRATIONS,
    VERSION_TABLE,
    Migration,
    MigrationFailed,
    fresh,
    migrate,
)

MIGRATED_AT = dt.datetime(2027, 3, 1, 8, tzinfo=dt.UTC)


def _engine(path: Path) -> Iterator[Engine]:
    engine = create_engine(sa.make_url(f"sqlite:///{path}"))
    yield engine
    engine.dispose()


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    yield from _engine(tmp_path / "new.sqlite3")


@pytest.fixture
def stepped(tmp_path: Path) -> Iterator[Engine]:
    yield from _engine(tmp_path / "stepped.sqlite3")


def _everything(engine: Engine) -> dict[str, object]:
    """The whole schema as SQLite keeps it, the version row and the header pragmas."""
    with engine.connect() as connection:
        master = connection.exec_driver_sql(
            "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
        ).all()
        version = connection.exec_driver_sql(
            f"SELECT id, version, migrated_at, oldest_code_version FROM {VERSION_TABLE}"
        ).all()
        pragmas = {
            name: connection.exec_driver_sql(f"PRAGMA {name}").scalar_one()
            for name in ("user_version", "application_id", "encoding", "auto_vacuum")
        }
    return {"master": [tuple(row) for row in master], "version": version, "pragmas": pragmas}


def test_the_snapshot_makes_the_schema_the_migrations_make(engine: Engine, stepped: Engine) -> None:
    assert migrate(engine, clock=lambda: MIGRATED_AT) == LATEST_VERSION
    assert migrate(stepped, clock=lambda: MIGRATED_AT, from_snapshot=False) == LATEST_VERSION

    made, migrated = _everything(engine), _everything(stepped)

    assert made["master"] == migrated["master"]
    assert made["version"] == migrated["version"]
    assert made["version"] == [(1, LATEST_VERSION, "2027-03-01 08:00:00.000000", 9)]
    assert made["pragmas"] == migrated["pragmas"]


def test_the_snapshot_is_current(tmp_path: Path) -> None:
    written = fresh.write_snapshot(tmp_path / "fresh_sqlite.sql")

    assert fresh.SNAPSHOT_FILE.read_text(encoding="utf-8") == written, (
        "the schema changed: run python -m rubdown.store.migrations.fresh"
    )
    assert fresh.parse(written).version == LATEST_VERSION


def test_the_snapshot_reads_back_as_written() -> None:
    made = fresh.snapshot()

    assert fresh.parse(fresh.render(made.version, made.oldest_code_version, [*made.statements]))
    assert fresh.render(made.version, made.oldest_code_version, [*made.statements]) == (
        fresh.SNAPSHOT_FILE.read_text(encoding="utf-8")
    )


def test_a_new_home_is_made_from_the_snapshot_and_not_step_by_step(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    replayed = []
    real_replay = fresh.replay

    def replay(connection: sa.Connection, statements: tuple[str, ...]) -> None:
        replayed.append(len(statements))
        real_replay(connection, statements)

    monkeypatch.setattr(fresh, "replay", replay)

    with open_store(sqlite_url_for_home(tmp_path / "home")) as store:
        assert store.schema_version() == LATEST_VERSION

    assert len(replayed) == 1


def test_a_failed_snapshot_leaves_the_database_empty_and_names_the_first_step(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = fresh.snapshot()
    broken = fresh.Snapshot(made.version, made.oldest_code_version, (*made.statements, "NONSENSE"))
    monkeypatch.setattr(fresh, "snapshot", lambda: broken)
    url = sqlite_url_for_home(tmp_path / "home")

    with pytest.raises(StoreError) as refused:
        open_store(url)

    first = MIGRATIONS[0]
    assert str(refused.value).startswith(
        f"cannot migrate the database at {url} to schema version 1 ({first.description}): "
    )
    with sqlite3.connect(tmp_path / "home" / "rubdown.sqlite3") as connection:
        assert connection.execute("SELECT count(*) FROM sqlite_master").fetchone() == (0,)


def test_a_database_with_anything_in_it_goes_through_the_steps(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE runners (id TEXT)")

    with pytest.raises(MigrationFailed, match="already exists"):
        migrate(engine)

    with engine.connect() as connection:
        tables = connection.exec_driver_sql("SELECT name FROM sqlite_master").scalars().all()
    assert tables == ["runners"]


def test_a_short_list_of_steps_goes_step_by_step(engine: Engine) -> None:
    assert migrate(engine, MIGRATIONS[:3]) == 3

    with engine.connect() as connection:
        names = set(connection.exec_driver_sql("SELECT name FROM sqlite_master").scalars())
    assert "checkins" in names
    assert "users" not in names  # migration 10's


def test_steps_after_the_snapshot_run_after_it(engine: Engine) -> None:
    def add_mood(connection: sa.Connection) -> None:
        connection.exec_driver_sql("ALTER TABLE checkins ADD COLUMN mood INTEGER")

    later = (*MIGRATIONS, Migration(LATEST_VERSION + 1, "check-in mood", add_mood))

    assert migrate(engine, later) == LATEST_VERSION + 1

    with engine.connect() as connection:
        columns = [row[1] for row in connection.exec_driver_sql("PRAGMA table_info(checkins)")]
    assert columns[-1] == "mood"


# Opens a new SQLite home in a fresh interpreter, then again, and prints whether PostgreSQL's
# dialect or any migration step's module was loaded on the way.
PROBE = """
import sys
from rubdown.store import open_store
open_store(sys.argv[1]).close()
open_store(sys.argv[1]).close()
print("sqlalchemy.dialects.postgresql" in sys.modules)
print(sorted(name for name in sys.modules if name.startswith("rubdown.store.migrations.v")))
"""


def test_a_sqlite_home_opens_without_postgresqls_dialect_or_the_steps(tmp_path: Path) -> None:
    url = sqlite_url_for_home(tmp_path / "home")

    done = subprocess.run(
        [sys.executable, "-c", PROBE, url], capture_output=True, text=True, check=True, timeout=120
    )

    # Loading them cost every process on SQLite 0.02 s and 0.013 s of CPU.
    assert done.stdout.split("\n")[:2] == ["False", "[]"]
