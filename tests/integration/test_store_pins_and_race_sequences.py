"""Migration 7 on SQLite and PostgreSQL: a pinned planned session is a stored flag (and the
reasons that marked pins before become the flag), and a stored race counts its calendar
versions (SEQUENCE), moved on by a change a calendar shows and by nothing else."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
import sqlalchemy as sa

from rubdown.domain.model import Priority
from rubdown.store import LATEST_VERSION, Store, normalise_url, open_store
from rubdown.store import schema as tables
from rubdown.store.engine import create_engine
from rubdown.store.migrations import MIGRATIONS, migrate
from tests.integration import samples

OWNER = "ana"
# What rubdown wrote in front of a pinned session's reason up to schema version 6.
OLD_PINNED_NOTE = (
    "You moved this session to this day, so the plan keeps it here and fits the rest around "
    "it. First planned as: "
)


@pytest.fixture
def ana(store: Store) -> Store:
    store.ensure_runner(OWNER, "Ana")
    return store


def test_a_pinned_session_round_trips_its_flag(ana: Store) -> None:
    pinned = dataclasses.replace(samples.PLAN[0], pinned=True, sequence=3)
    plan = [pinned, *samples.PLAN[1:]]

    ana.save_plan(OWNER, plan)

    assert ana.load_plan(OWNER) == plan
    assert [s.pinned for s in ana.load_plan(OWNER)] == [True] + [False] * (len(plan) - 1)


@pytest.mark.parametrize(
    "change",
    [
        {"day": dt.date(2027, 10, 3)},
        {"name": "Berlin Marathon 2027"},
        {"priority": Priority.B},
        {"start_time": dt.time(8, 45)},
        {"distance_km": 42.2},
    ],
    ids=["day", "name", "priority", "start time", "distance"],
)
def test_changing_what_a_calendar_shows_of_a_race_moves_its_sequence_on(
    ana: Store, change: dict[str, object]
) -> None:
    stored = ana.add_race(OWNER, samples.MARATHON)
    assert stored.sequence == 0

    updated = ana.update_race(OWNER, dataclasses.replace(stored, **change))  # type: ignore[arg-type]
    again = ana.update_race(OWNER, dataclasses.replace(updated, name="Berlin"))

    assert updated == dataclasses.replace(stored, **change, sequence=1)  # type: ignore[arg-type]
    assert again.sequence == 2
    assert ana.list_races(OWNER) == [again]


def test_saving_a_race_unchanged_keeps_its_sequence(ana: Store) -> None:
    stored = ana.add_race(OWNER, samples.MARATHON)
    moved = ana.update_race(OWNER, dataclasses.replace(stored, day=dt.date(2027, 10, 3)))

    # The sequence the caller brings is not the store's to take: only a change counts.
    same = ana.update_race(OWNER, dataclasses.replace(moved, sequence=0))

    assert same == moved
    assert ana.list_races(OWNER) == [moved]
    assert moved.sequence == 1


def _as_in_version_6(table: sa.Table, added_by_7: str) -> sa.TableClause:
    columns = (sa.column(c.name, c.type) for c in table.c if c.name != added_by_7)
    return sa.table(table.name, *columns)


def test_migration_7_turns_old_pinned_reasons_into_the_flag(database_url: str) -> None:
    engine = create_engine(sa.make_url(normalise_url(database_url)))
    now = dt.datetime(2027, 1, 4, 12, tzinfo=dt.UTC)
    first, other = samples.PLAN[0], samples.PLAN[1]
    # The saved plan and the races as version 6 knew them: no pinned, no race sequence.
    planned_v6 = _as_in_version_6(tables.planned_sessions, "pinned")
    races_v6 = _as_in_version_6(tables.races, "sequence")
    try:
        assert migrate(engine, MIGRATIONS[:6]) == 6
        with engine.begin() as connection:
            connection.execute(
                tables.runners.insert(), {"id": OWNER, "name": "Ana", "created_at": now}
            )
            for session, reason in (
                (first, OLD_PINNED_NOTE + first.reason),
                (other, other.reason),
            ):
                connection.execute(
                    planned_v6.insert(),
                    {
                        "owner_id": OWNER,
                        "key": session.key,
                        "day": session.day,
                        "kind": session.kind.value,
                        "regions": [str(r) for r in session.regions],
                        "price": session.price,
                        "reason": reason,
                        "rules": list(session.rules),
                        "start_time": session.start_time,
                        "duration_min": session.duration_min,
                        "sequence": session.sequence,
                        "fingerprint": "as version 6 wrote it",
                        "updated_at": now,
                    },
                )
            connection.execute(
                races_v6.insert(),
                {
                    "id": "r1",
                    "owner_id": OWNER,
                    "name": samples.MARATHON.name,
                    "day": samples.MARATHON.day,
                    "priority": samples.MARATHON.priority.value,
                    "distance_km": samples.MARATHON.distance_km,
                    "start_time": samples.MARATHON.start_time,
                    "source": "cli",
                    "created_at": now,
                },
            )
        assert migrate(engine) == LATEST_VERSION  # 7 and any migration after it
    finally:
        engine.dispose()

    with open_store(database_url) as store:
        loaded = {s.key: s for s in store.load_plan(OWNER)}
        # The pin is the flag now, the reason the first one, and the SEQUENCE unchanged.
        assert loaded[first.key] == dataclasses.replace(first, pinned=True)
        assert loaded[other.key] == other
        assert store.list_races(OWNER) == [dataclasses.replace(samples.MARATHON, id="r1")]
