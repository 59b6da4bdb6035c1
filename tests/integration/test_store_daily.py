"""Check-ins, injury episodes, routine logs, runs logged by hand and the profile's load
values in the store and through their services, on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from rubdown.bootstrap import Settings, build_app
from rubdown.domain.load import SRPE_THRESHOLD_RPE
from rubdown.domain.model import (
    CheckIn,
    Condition,
    InjuryEpisode,
    PainQuality,
    RoutineLog,
    WorkoutKind,
)
from rubdown.domain.regions import parse_region
from rubdown.errors import InvalidValue, NotFound, StoreError
from rubdown.services import daily, season
from rubdown.services.loads import current_params, refresh_loads
from rubdown.services.planning import make_plan
from rubdown.services.runner import Runner
from rubdown.store import Store
from rubdown.store.daily_rows import ManualRun
from tests.integration import samples

ANA, BEN = "ana", "ben"
TODAY = dt.date(2027, 1, 4)
CALF = parse_region("calf")
LEFT_HEEL = parse_region("left-heel")


@pytest.fixture
def ana(store: Store) -> Store:
    store.ensure_runner(ANA, "Ana")
    store.ensure_runner(BEN, "Ben")
    return store


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Runner]:
    built = build_app(Settings(tmp_path / "home", database_url, today=TODAY))
    try:
        yield built
    finally:
        built.close()


# -- the profile ------------------------------------------------------------------------------


def test_the_profiles_load_values_round_trip(ana: Store) -> None:
    profile = dataclasses.replace(
        samples.PROFILE,
        max_hr_bpm=191.5,
        resting_hr_bpm=48.0,
        threshold_hr_bpm=0.1 + 171.2,  # floats come back bit for bit
        threshold_pace_s_per_km=285.0,
        sex="female",
    )
    ana.save_profile(ANA, profile)

    assert ana.get_profile(ANA) == profile


def test_given_load_values_win_over_estimates_and_are_not_called_estimated(app: Runner) -> None:
    before = current_params(app)
    assert "max_hr_bpm" in before.estimated

    season.update_profile(app, max_hr_bpm=201.0, threshold_pace_s_per_km=270.0, sex="male")

    after = current_params(app)
    assert (after.max_hr_bpm, after.threshold_pace_s_per_km, after.sex) == (201.0, 270.0, "male")
    assert after.estimated == {"resting_hr_bpm", "threshold_hr_bpm"}


def test_a_load_value_that_does_not_fit_the_estimates_is_refused_and_not_saved(
    app: Runner,
) -> None:
    # With max HR estimated at 187 a resting HR of 100 still fits; a threshold of 95 does not.
    with pytest.raises(InvalidValue, match="resting HR"):
        season.update_profile(app, resting_hr_bpm=99.0, threshold_hr_bpm=95.0)

    assert app.data.get_profile() is None


# -- check-ins --------------------------------------------------------------------------------


def test_a_check_in_keeps_fatigue_and_sleep(ana: Store) -> None:
    checkin = dataclasses.replace(samples.CHECKIN, fatigue=3, sleep=1)

    assert ana.add_checkin(ANA, checkin) is False
    assert ana.list_checkins(ANA) == [checkin]


def test_a_later_check_in_on_the_same_day_replaces_that_days(ana: Store) -> None:
    first = CheckIn(TODAY, soreness={CALF: 6}, pain={LEFT_HEEL: PainQuality.SHARP}, fatigue=4)
    yesterday = CheckIn(TODAY - dt.timedelta(days=1), soreness={CALF: 2})
    second = CheckIn(TODAY, soreness={CALF: 3}, sleep=2)
    ana.add_checkin(ANA, yesterday)
    ana.add_checkin(ANA, first)

    assert ana.add_checkin(ANA, second) is True
    assert ana.list_checkins(ANA) == [yesterday, second]  # the heel flag went with the first


def test_another_runners_check_in_on_the_same_day_is_not_replaced(ana: Store) -> None:
    ana.add_checkin(BEN, CheckIn(TODAY, soreness={CALF: 5}))

    assert ana.add_checkin(ANA, CheckIn(TODAY, soreness={CALF: 1})) is False
    assert ana.list_checkins(BEN) == [CheckIn(TODAY, soreness={CALF: 5})]


def test_the_database_refuses_a_fatigue_outside_1_to_4_and_keeps_the_days_check_in(
    ana: Store,
) -> None:
    kept = CheckIn(TODAY, soreness={CALF: 2})
    ana.add_checkin(ANA, kept)

    with pytest.raises(StoreError, match="check-in"):
        ana.add_checkin(ANA, CheckIn(TODAY, soreness={CALF: 1}, fatigue=5))

    assert ana.list_checkins(ANA) == [kept]  # the replacement was rolled back whole


def test_the_check_in_service_says_when_it_merged_into_the_days(app: Runner) -> None:
    first = daily.check_in(app, TODAY, {CALF: 4}, {})
    second = daily.check_in(app, TODAY, {}, {}, fatigue=2)

    assert (first.replaced, second.replaced) == (False, True)
    assert (first.merged, second.merged) == (False, True)
    assert app.data.list_checkins() == [CheckIn(TODAY, {CALF: 4}, fatigue=2)]


# -- injury episodes --------------------------------------------------------------------------

HEEL_EPISODE = InjuryEpisode(LEFT_HEEL, Condition.PLANTAR_FASCIITIS, dt.date(2026, 12, 20))


def test_injury_episodes_round_trip_open_and_ended(ana: Store) -> None:
    heel = ana.add_injury(ANA, HEEL_EPISODE)
    knee = ana.add_injury(
        ANA, InjuryEpisode(parse_region("knee"), Condition.RUNNERS_KNEE, dt.date(2026, 11, 2))
    )

    ended = ana.end_injury(ANA, knee.id, dt.date(2026, 12, 1), "hip strength ✓")

    assert len(heel.id) == 32
    assert ended == dataclasses.replace(knee, end=dt.date(2026, 12, 1), helped="hip strength ✓")
    assert ana.list_injuries(ANA) == [ended, heel]
    assert ana.list_injuries(BEN) == []


def test_an_episode_that_is_not_open_cannot_be_ended_again(ana: Store) -> None:
    heel = ana.add_injury(ANA, HEEL_EPISODE)
    ana.end_injury(ANA, heel.id, dt.date(2027, 1, 1))

    with pytest.raises(NotFound, match="no open injury episode"):
        ana.end_injury(ANA, heel.id, dt.date(2027, 1, 3))

    assert ana.list_injuries(ANA)[0].end == dt.date(2027, 1, 1)


def test_another_runner_cannot_end_an_episode(ana: Store) -> None:
    heel = ana.add_injury(ANA, HEEL_EPISODE)

    with pytest.raises(NotFound):
        ana.end_injury(BEN, heel.id, TODAY)

    assert ana.list_injuries(ANA) == [heel]


def test_the_database_refuses_an_end_before_the_start(ana: Store) -> None:
    heel = ana.add_injury(ANA, HEEL_EPISODE)

    with pytest.raises(StoreError):
        ana.end_injury(ANA, heel.id, dt.date(2026, 12, 19))

    assert ana.list_injuries(ANA) == [heel]


def test_open_conditions_are_the_profiles_and_those_of_episodes_open_that_day(app: Runner) -> None:
    season.update_profile(app, conditions=frozenset({Condition.TIGHT_CALVES}))
    daily.start_injury(app, LEFT_HEEL, Condition.PLANTAR_FASCIITIS, dt.date(2026, 12, 20))
    daily.start_injury(app, parse_region("knee"), Condition.RUNNERS_KNEE, dt.date(2026, 12, 1))
    daily.end_injury(app, region=parse_region("knee"), day=dt.date(2026, 12, 10))

    assert daily.open_conditions(app, TODAY) == {
        Condition.TIGHT_CALVES,
        Condition.PLANTAR_FASCIITIS,
    }
    assert daily.open_conditions(app, dt.date(2026, 12, 5)) == {
        Condition.TIGHT_CALVES,
        Condition.RUNNERS_KNEE,
    }


def test_an_open_episode_steers_the_plan_and_ending_it_stops_that(app: Runner) -> None:
    def for_the_heel() -> list[str]:
        plan = make_plan(app, save=False)
        return [item.what for item in plan.rhythm if "plantar fasciitis" in item.what]

    assert for_the_heel() == []
    daily.start_injury(app, LEFT_HEEL, Condition.PLANTAR_FASCIITIS, dt.date(2027, 1, 1))
    assert len(for_the_heel()) == 1
    daily.end_injury(app, day=dt.date(2027, 1, 3))
    assert for_the_heel() == []


# -- routine logs -----------------------------------------------------------------------------


def test_routine_logs_round_trip_in_day_order(ana: Store) -> None:
    evening = RoutineLog(
        TODAY, "post-run", dt.datetime(2027, 1, 4, 18, 5, tzinfo=dt.UTC), 6, 1, 512.5, True
    )
    morning = RoutineLog(
        TODAY, "pre-run", dt.datetime(2027, 1, 4, 6, 30, tzinfo=dt.UTC), 2, 3, 90.0, False
    )
    stored = [ana.log_routine(ANA, evening), ana.log_routine(ANA, morning)]

    assert [s.id for s in stored] != ["", ""]
    assert ana.list_routine_logs(ANA) == [stored[1], stored[0]]
    assert ana.list_routine_logs(BEN) == []


# -- runs logged by hand ----------------------------------------------------------------------


def _manual(day: dt.date, kind: WorkoutKind | None = WorkoutKind.TEMPO) -> ManualRun:
    zone = dt.timezone(dt.timedelta(hours=-5))
    return ManualRun(
        day=day,
        start=dt.datetime.combine(day, dt.time(21, 30), tzinfo=zone),  # the next day in UTC
        duration_s=2700.0,
        rpe=6.0,
        given_kind=kind,
        kind=kind or WorkoutKind.EASY,
        load=64.3,
        load_method="srpe",
    )


def test_a_run_logged_by_hand_is_an_activity_on_the_runners_day(ana: Store) -> None:
    stored = ana.add_manual_run(ANA, _manual(TODAY), load_basis={"version": 1})

    assert ana.list_manual_runs(ANA) == [stored]
    (row,) = ana.list_activities(ANA)
    assert (row.activity.id, row.local_day, row.kind) == (stored.id, TODAY, "tempo")
    assert row.activity.start == stored.start
    assert ana.activity_days(ANA) == [(stored.id, TODAY, "tempo", 2700.0)]
    assert ana.list_manual_runs(BEN) == []


def test_the_runners_rpe_and_kind_are_kept_as_marks(ana: Store) -> None:
    marked = ana.add_manual_run(ANA, _manual(TODAY), load_basis={})
    unmarked = ana.add_manual_run(ANA, _manual(TODAY, kind=None), load_basis={})

    marks = ana.activity_marks(ANA)

    assert marks[marked.id].rpe == 6.0
    assert marks[marked.id].manual_kind is WorkoutKind.TEMPO
    assert marks[unmarked.id].manual_kind is None
    kinds = {run.id: run.given_kind for run in ana.list_manual_runs(ANA)}
    assert kinds == {marked.id: WorkoutKind.TEMPO, unmarked.id: None}


def test_forgetting_imports_keeps_the_runs_logged_by_hand(ana: Store) -> None:
    stored = ana.add_manual_run(ANA, _manual(TODAY), load_basis={})

    ana.forget_imports(ANA)

    assert ana.list_manual_runs(ANA) == [stored]


def test_a_logged_runs_load_is_minutes_times_rpe_on_the_project_scale(app: Runner) -> None:
    logged = daily.log_run(app, dt.date(2027, 1, 3), 45.0, 6.0, WorkoutKind.TEMPO)

    assert logged.units == 270.0
    assert logged.run.load == pytest.approx(270.0 * 100 / (60 * SRPE_THRESHOLD_RPE))
    assert logged.run.load_method == "srpe"
    assert logged.run.start.time() == dt.time(12)  # no profile saved yet: noon


def test_a_logged_runs_kind_survives_a_load_refresh_and_a_profile_change(app: Runner) -> None:
    # 120 minutes would count as a long run by load; the runner said easy, and that stands.
    logged = daily.log_run(app, dt.date(2027, 1, 2), 120.0, 3.0, WorkoutKind.EASY)
    season.update_profile(app, max_hr_bpm=195.0)
    refresh_loads(app)

    (run,) = app.data.list_manual_runs()
    assert (run.id, run.kind, run.load) == (logged.run.id, WorkoutKind.EASY, logged.run.load)


def test_a_logged_run_without_a_kind_is_judged_by_its_load_like_an_import(app: Runner) -> None:
    logged = daily.log_run(app, dt.date(2027, 1, 2), 100.0, 5.0)

    assert logged.run.given_kind is None
    assert logged.run.kind is WorkoutKind.LONG  # 90 minutes or more
    assert [w.kind for w in app.activity_workouts()] == [WorkoutKind.LONG]


def test_the_log_lists_sessions_runs_and_routines(app: Runner) -> None:
    season.log_massage(app, dt.date(2027, 1, 2), samples.SPORTS_MASSAGE.kind)
    run = daily.log_run(app, dt.date(2027, 1, 3), 30.0, 4.0).run
    started = dt.datetime(2027, 1, 3, 7, tzinfo=dt.UTC)
    routine = daily.log_routine(
        app, RoutineLog(dt.date(2027, 1, 3), "desk", started, 3, 0, 120.0, True)
    )

    found = daily.training_log(app)

    assert [s.day for s in found.sessions] == [dt.date(2027, 1, 2)]
    assert found.runs == [run]
    assert found.routines == [routine]
