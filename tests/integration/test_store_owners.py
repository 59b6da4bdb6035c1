"""One runner never sees, changes or removes another runner's rows."""

from __future__ import annotations

import dataclasses

import pytest

from rubdown.domain.model import CheckIn, Profile
from rubdown.errors import NotFound
from rubdown.store import Store
from tests.integration import samples

ANA, BEN = "ana", "ben"


@pytest.fixture
def ana_has_a_season(store: Store) -> Store:
    store.ensure_runner(ANA, "Ana")
    store.ensure_runner(BEN, "Ben")
    store.save_profile(ANA, samples.PROFILE)
    store.add_race(ANA, samples.MARATHON)
    store.import_batch(ANA, [(samples.TUNE_UP, "shared-uid")], [(samples.REST_DAY, "w-uid")])
    store.add_workout(ANA, samples.LONG_RUN)
    store.add_session(ANA, samples.SPORTS_MASSAGE)
    store.add_checkin(ANA, samples.CHECKIN)
    store.save_plan(ANA, samples.PLAN)
    return store


def test_runner_b_never_sees_runner_a_rows(ana_has_a_season: Store) -> None:
    store = ana_has_a_season

    assert store.get_profile(BEN) is None
    assert store.list_races(BEN) == []
    assert store.list_workouts(BEN) == []
    assert store.list_sessions(BEN) == []
    assert store.list_checkins(BEN) == []
    assert store.load_plan(BEN) == []
    assert not store.has_source_uid(BEN, "races", "shared-uid")
    assert not store.has_source_uid(BEN, "workouts", "w-uid")


def test_runner_b_cannot_change_or_remove_runner_a_rows(ana_has_a_season: Store) -> None:
    store = ana_has_a_season
    anas_race = store.list_races(ANA)[0]
    anas_workout = store.list_workouts(ANA)[0]

    with pytest.raises(NotFound):
        store.update_race(BEN, dataclasses.replace(anas_race, name="hijacked"))
    with pytest.raises(NotFound):
        store.remove_race(BEN, anas_race.id)
    with pytest.raises(NotFound):
        store.remove_workout(BEN, anas_workout.id)

    assert store.list_races(ANA)[0] == anas_race
    assert store.list_workouts(ANA)[0] == anas_workout


def test_runner_b_writes_leave_runner_a_alone(ana_has_a_season: Store) -> None:
    store = ana_has_a_season

    store.save_profile(BEN, Profile(name="Ben"))
    store.save_plan(BEN, [])
    store.import_batch(BEN, [(samples.TUNE_UP, "shared-uid")], [])  # UIDs are per runner

    assert store.get_profile(ANA) == samples.PROFILE
    assert store.load_plan(ANA) == samples.PLAN
    assert len(store.list_races(ANA)) == 2
    assert store.has_source_uid(BEN, "races", "shared-uid")


def test_writing_for_an_unknown_runner_is_not_found(store: Store) -> None:
    with pytest.raises(NotFound, match="no runner 'nobody'"):
        store.add_race("nobody", samples.MARATHON)
    with pytest.raises(NotFound, match="no runner 'nobody'"):
        store.add_checkin("nobody", samples.CHECKIN)


def test_read_modify_writes_and_the_load_mark_stay_inside_one_runner(
    ana_has_a_season: Store,
) -> None:
    store = ana_has_a_season
    seen_checkin: list[CheckIn | None] = []
    seen_profile: list[Profile | None] = []

    def bens_checkin(stored: CheckIn | None) -> CheckIn:
        seen_checkin.append(stored)
        return samples.CHECKIN

    def bens_profile(stored: Profile | None) -> Profile:
        seen_profile.append(stored)
        return Profile(name="Ben", max_hr_bpm=190)

    store.update_checkin(BEN, samples.CHECKIN.day, bens_checkin)
    store.update_profile(BEN, bens_profile, loads_depend_on=("max_hr_bpm",))

    # Ben's changes never see Ana's check-in or profile, and mark only his own loads.
    assert seen_checkin == [None]
    assert seen_profile == [None]
    assert store.get_profile(ANA) == samples.PROFILE
    assert store.list_checkins(ANA) == [samples.CHECKIN]
    assert store.loads_pending(BEN) > 0
    assert store.loads_pending(ANA) == 0
