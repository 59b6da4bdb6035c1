"""Every write of a runner's data moves the runner's data version on, in the write's own
transaction, on SQLite and PostgreSQL: it is what the web app's plan cache checks, so a write
that forgot it would leave a stale plan on screen."""

from __future__ import annotations

import ast
import dataclasses
import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa

import rubdown.store as store_package
from rubdown.domain.availability import OpeningWindow, WeeklyHours
from rubdown.domain.model import Condition, InjuryEpisode, RoutineLog
from rubdown.domain.regions import parse_region
from rubdown.errors import NotFound, StoreError
from rubdown.store import Store, normalise_url, open_store
from rubdown.store import schema as tables
from rubdown.store.engine import create_engine
from rubdown.store.migrations import MIGRATIONS, migrate
from tests.integration import samples

ANA, BEN = "ana", "ben"
CALF = parse_region("calf")
START = dt.date(2027, 1, 2)


@pytest.fixture
def ana(store: Store) -> Store:
    store.ensure_runner(ANA, "Ana")
    store.ensure_runner(BEN, "Ben")
    return store


def version(store: Store, owner: str = ANA) -> int:
    return store.version_stamp(owner).data_version


def _race_id(store: Store) -> str:
    return store.list_races(ANA)[0].id


WRITES: dict[str, Callable[[Store], object]] = {
    "profile": lambda s: s.save_profile(ANA, samples.PROFILE),
    "race": lambda s: s.add_race(ANA, samples.MARATHON),
    "race update": lambda s: s.update_race(
        ANA, dataclasses.replace(s.list_races(ANA)[0], name="Renamed")
    ),
    "race removal": lambda s: s.remove_race(ANA, _race_id(s)),
    "workout": lambda s: s.add_workout(ANA, samples.LONG_RUN),
    "calendar import": lambda s: s.import_batch(ANA, [(samples.TUNE_UP, "uid-1")], []),
    "massage session": lambda s: s.add_session(ANA, samples.SPORTS_MASSAGE),
    "check-in": lambda s: s.add_checkin(ANA, samples.CHECKIN),
    "saved plan": lambda s: s.save_plan(ANA, samples.PLAN),
    "feed secret": lambda s: s.set_feed_secret_hash(ANA, "a" * 64),
    "therapist hours": lambda s: s.save_therapist_hours(
        ANA, WeeklyHours((OpeningWindow(0, 9 * 60, 17 * 60),))
    ),
    "injury end": lambda s: s.end_injury(
        ANA, s.add_injury(ANA, InjuryEpisode(CALF, Condition.TIGHT_CALVES, START)).id, START
    ),
    "forgotten imports": lambda s: s.forget_imports(ANA),
    "injury": lambda s: s.add_injury(
        ANA, InjuryEpisode(CALF, Condition.TIGHT_CALVES, dt.date(2027, 1, 2))
    ),
    "routine log": lambda s: s.log_routine(
        ANA,
        RoutineLog(
            dt.date(2027, 1, 4),
            "post-run",
            dt.datetime(2027, 1, 4, 18, tzinfo=dt.UTC),
            5,
            0,
            300.0,
            True,
        ),
    ),
}


@pytest.mark.parametrize("what", list(WRITES))
def test_every_kind_of_write_moves_the_data_version_on(ana: Store, what: str) -> None:
    ana.add_race(ANA, samples.TUNE_UP)  # something to update or remove
    before = version(ana)

    WRITES[what](ana)

    assert version(ana) > before


def test_only_the_transaction_helpers_use_the_engine() -> None:
    """So every write goes through ``_writing``, which moves the version on: a method that
    opened its own connection could write without it."""
    folder = Path(store_package.__file__).parent
    allowed = {"__init__", "close", "_reading", "_writing"}
    allowed_in = {("driver_query.py", "first")}  # runs a compiled SELECT, nothing else
    offenders = []
    for module in folder.glob("*.py"):
        for function in ast.walk(ast.parse(module.read_text())):
            if not isinstance(function, ast.FunctionDef) or function.name in allowed:
                continue
            if (module.name, function.name) in allowed_in:
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.Attribute) and node.attr == "_engine":
                    offenders.append(f"{module.name}: {function.name}")
    assert offenders == []


def test_a_write_moves_only_its_own_runners_version(ana: Store) -> None:
    bens = version(ana, BEN)

    ana.add_race(ANA, samples.MARATHON)

    assert version(ana, BEN) == bens


def test_a_failed_write_leaves_the_data_version_as_it_was(ana: Store) -> None:
    ana.import_batch(ANA, [(samples.MARATHON, "race-1")], [])
    before = version(ana)

    with pytest.raises(StoreError):
        ana.import_batch(ANA, [(samples.TUNE_UP, "race-2"), (samples.MARATHON, "race-1")], [])
    with pytest.raises(NotFound):
        ana.remove_race(ANA, "no-such-race")

    assert version(ana) == before


def test_reads_and_ensuring_an_existing_runner_change_nothing(ana: Store) -> None:
    ana.add_race(ANA, samples.MARATHON)
    before = version(ana)

    ana.list_races(ANA)
    ana.load_plan(ANA)
    ana.ensure_runner(ANA, "someone else")

    assert version(ana) == before


def test_a_write_through_another_store_is_seen_at_once(ana: Store, database_url: str) -> None:
    before = version(ana)
    with open_store(database_url) as other:  # as the command line, in another process
        other.add_workout(ANA, samples.LONG_RUN)

    assert version(ana) == before + 1


def test_the_stamp_carries_the_profiles_time_zone(ana: Store) -> None:
    assert ana.version_stamp(ANA).timezone is None

    ana.save_profile(ANA, dataclasses.replace(samples.PROFILE, timezone="Europe/Berlin"))

    assert ana.version_stamp(ANA).timezone == "Europe/Berlin"


def test_an_unknown_runner_has_version_zero_and_no_time_zone(store: Store) -> None:
    stamp = store.version_stamp("nobody")

    assert (stamp.data_version, stamp.timezone) == (0, None)


def test_ensure_runner_asks_the_database_once_per_store(ana: Store) -> None:
    statements: list[str] = []
    engine = ana._engine

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        for _ in range(3):
            ana.ensure_runner(ANA)
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)

    assert statements == []  # ANA was made through this store: known already


def test_migration_5_gives_the_runners_already_stored_version_zero(database_url: str) -> None:
    engine = create_engine(sa.make_url(normalise_url(database_url)))
    created = dt.datetime(2027, 3, 1, 8, tzinfo=dt.UTC)
    try:
        assert migrate(engine, MIGRATIONS[:4]) == 4
        with engine.begin() as connection:
            connection.execute(
                tables.runners.insert(), {"id": ANA, "name": "Ana", "created_at": created}
            )
        migrate(engine)
        with engine.connect() as connection:
            stored = connection.execute(
                sa.select(tables.runners.c.data_version).where(tables.runners.c.id == ANA)
            ).scalar_one()
    finally:
        engine.dispose()

    assert stored == 0
    with open_store(database_url) as store:
        store.add_race(ANA, samples.MARATHON)
        assert version(store) == 1
