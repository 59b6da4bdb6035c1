"""A write that fails leaves nothing half-stored."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from rubdown.domain.model import CheckIn
from rubdown.domain.regions import parse_region
from rubdown.errors import StoreError
from rubdown.store import Store
from tests.integration import samples

OWNER = "ana"


@pytest.fixture
def ana(store: Store) -> Store:
    store.ensure_runner(OWNER)
    return store


def test_a_failing_batch_import_stores_nothing(ana: Store) -> None:
    races = [(samples.MARATHON, "race-1"), (samples.TUNE_UP, "race-2")]
    workouts = [(samples.LONG_RUN, "workout-1"), (samples.REST_DAY, "workout-1")]  # same UID

    with pytest.raises(StoreError, match="cannot save the import"):
        ana.import_batch(OWNER, races, workouts)

    assert ana.list_races(OWNER) == []
    assert ana.list_workouts(OWNER) == []
    assert not ana.has_source_uid(OWNER, "races", "race-1")


def test_a_batch_repeating_a_stored_uid_stores_nothing_new(ana: Store) -> None:
    ana.import_batch(OWNER, [(samples.MARATHON, "race-1")], [])

    with pytest.raises(StoreError):
        ana.import_batch(OWNER, [(samples.TUNE_UP, "race-2"), (samples.MARATHON, "race-1")], [])

    assert [race.name for race in ana.list_races(OWNER)] == [samples.MARATHON.name]


def test_save_plan_replaces_the_whole_plan(ana: Store) -> None:
    ana.save_plan(OWNER, samples.PLAN)
    shorter = [samples.planned("deep:2027-04", dt.date(2027, 4, 13), sequence=1)]

    ana.save_plan(OWNER, shorter)

    assert ana.load_plan(OWNER) == shorter


def test_a_failing_save_plan_keeps_the_previous_plan(ana: Store) -> None:
    ana.save_plan(OWNER, samples.PLAN)
    clash = samples.planned("deep:2027-04", dt.date(2027, 4, 13))
    moved = dataclasses.replace(clash, day=dt.date(2027, 4, 20))  # the same key twice

    with pytest.raises(StoreError, match="cannot save the plan"):
        ana.save_plan(OWNER, [clash, moved])

    assert ana.load_plan(OWNER) == samples.PLAN


def test_a_rejected_checkin_leaves_no_checkin_behind(ana: Store) -> None:
    out_of_range = CheckIn(dt.date(2027, 3, 1), soreness={parse_region("calf"): 11})

    with pytest.raises(StoreError, match="cannot save the check-in"):
        ana.add_checkin(OWNER, out_of_range)

    assert ana.list_checkins(OWNER) == []
