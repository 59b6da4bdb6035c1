"""Every entity comes back exactly as it was stored, on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from rubdown.domain.model import CheckIn, Priority, Profile
from rubdown.errors import NotFound
from rubdown.store import Store
from tests.integration import samples

OWNER = "ana"


@pytest.fixture
def ana(store: Store) -> Store:
    store.ensure_runner(OWNER, "Ana")
    return store


def test_a_runner_without_a_profile_has_none(ana: Store) -> None:
    assert ana.get_profile(OWNER) is None


def test_profile_round_trips_every_field(ana: Store) -> None:
    ana.save_profile(OWNER, samples.PROFILE)

    assert ana.get_profile(OWNER) == samples.PROFILE


def test_saving_a_profile_again_replaces_it(ana: Store) -> None:
    ana.save_profile(OWNER, samples.PROFILE)
    ana.save_profile(OWNER, Profile())

    assert ana.get_profile(OWNER) == Profile()


def test_ensure_runner_twice_is_harmless(ana: Store) -> None:
    ana.ensure_runner(OWNER, "someone else")
    ana.save_profile(OWNER, samples.PROFILE)

    assert ana.get_profile(OWNER) == samples.PROFILE


def test_races_round_trip_with_new_ids_sorted_by_day(ana: Store) -> None:
    marathon = ana.add_race(OWNER, samples.MARATHON)
    tune_up = ana.add_race(OWNER, samples.TUNE_UP, source="calendar", source_uid="uid-1@cal")

    assert len(marathon.id) == len(tune_up.id) == 32
    assert marathon.id != tune_up.id
    assert marathon == dataclasses.replace(samples.MARATHON, id=marathon.id)
    assert ana.list_races(OWNER) == [tune_up, marathon]


def test_update_race_changes_every_field(ana: Store) -> None:
    stored = ana.add_race(OWNER, samples.MARATHON)
    changed = dataclasses.replace(
        stored,
        name="Hamburg",
        day=dt.date(2027, 4, 25),
        priority=Priority.B,
        distance_km=None,
        start_time=None,
    )

    ana.update_race(OWNER, changed)

    assert ana.list_races(OWNER) == [dataclasses.replace(changed, sequence=1)]


def test_update_or_remove_of_a_missing_race_is_not_found(ana: Store) -> None:
    ghost = dataclasses.replace(samples.MARATHON, id="nope")
    with pytest.raises(NotFound, match="no race"):
        ana.update_race(OWNER, ghost)
    with pytest.raises(NotFound, match="no race"):
        ana.remove_race(OWNER, "nope")


def test_remove_race_removes_only_that_race(ana: Store) -> None:
    marathon = ana.add_race(OWNER, samples.MARATHON)
    tune_up = ana.add_race(OWNER, samples.TUNE_UP)

    ana.remove_race(OWNER, marathon.id)

    assert ana.list_races(OWNER) == [tune_up]


def test_workouts_round_trip_with_their_source(ana: Store) -> None:
    long_run = ana.add_workout(OWNER, samples.LONG_RUN)
    rest_day = ana.add_workout(OWNER, samples.REST_DAY, source_uid="uid-2@cal")

    assert ana.list_workouts(OWNER) == [long_run, rest_day]
    assert rest_day == dataclasses.replace(samples.REST_DAY, id=rest_day.id)
    assert ana.has_source_uid(OWNER, "workouts", "uid-2@cal")
    assert not ana.has_source_uid(OWNER, "races", "uid-2@cal")


def test_remove_workout_and_missing_workout(ana: Store) -> None:
    long_run = ana.add_workout(OWNER, samples.LONG_RUN)

    ana.remove_workout(OWNER, long_run.id)

    assert ana.list_workouts(OWNER) == []
    with pytest.raises(NotFound, match="no workout"):
        ana.remove_workout(OWNER, long_run.id)


def test_massage_sessions_round_trip_regions_in_order(ana: Store) -> None:
    stored = ana.add_session(OWNER, samples.SPORTS_MASSAGE, note="great therapist")

    assert stored == dataclasses.replace(samples.SPORTS_MASSAGE, id=stored.id)
    assert ana.list_sessions(OWNER) == [stored]


def test_checkins_round_trip_soreness_and_pain_per_region(ana: Store) -> None:
    quiet_day = CheckIn(dt.date(2027, 3, 9))
    ana.add_checkin(OWNER, samples.CHECKIN)
    ana.add_checkin(OWNER, quiet_day)

    assert ana.list_checkins(OWNER) == [quiet_day, samples.CHECKIN]


def test_plan_round_trips_keeping_sequence(ana: Store) -> None:
    ana.save_plan(OWNER, samples.PLAN)

    assert ana.load_plan(OWNER) == samples.PLAN


def test_dates_at_the_edges_round_trip(ana: Store) -> None:
    for day in (dt.date(1999, 12, 31), dt.date(2040, 2, 29), dt.date(2100, 1, 1)):
        ana.add_race(OWNER, dataclasses.replace(samples.TUNE_UP, day=day))

    days = [race.day for race in ana.list_races(OWNER)]
    assert days == [dt.date(1999, 12, 31), dt.date(2040, 2, 29), dt.date(2100, 1, 1)]


def test_import_batch_stores_races_and_workouts_with_their_uids(ana: Store) -> None:
    races, workouts = ana.import_batch(
        OWNER,
        [(samples.MARATHON, "race-1@cal"), (samples.TUNE_UP, "race-2@cal")],
        [(samples.REST_DAY, "workout-1@cal")],
    )

    assert ana.list_races(OWNER) == sorted(races, key=lambda race: race.day)
    assert ana.list_workouts(OWNER) == workouts
    assert ana.has_source_uid(OWNER, "races", "race-2@cal")
    assert ana.has_source_uid(OWNER, "workouts", "workout-1@cal")
    assert not ana.has_source_uid(OWNER, "races", "race-3@cal")
