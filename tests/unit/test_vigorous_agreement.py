"""One source of truth for vigorous self-massage: the season plan books a vigorous bout on a
hard day exactly when ``rubdown today`` lets that day's post-run work go vigorous.

Both ask the rules engine the same question (T8, T1, X2, T5, T6, M1 and every standing flag);
these tests make random seasons, plan them, hand the plan to today's decision as the stored
plan, and compare day by day.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st
from tests.support.checkin_strategies import checkins, pain

from rubdown.domain.model import (
    CheckIn,
    Frequency,
    MassageSession,
    PolicyName,
    Priority,
    Profile,
    Race,
    Season,
    SessionKind,
    Workout,
    WorkoutKind,
)
from rubdown.domain.planner import PlanRequest, build_plan
from rubdown.knowledge import load_knowledge_base
from rubdown.services.today import vigorous_decision
from rubdown.solver.cpsat import CpSatSolver

KB = load_knowledge_base()
START = dt.date(2027, 3, 1)  # a Monday
DAYS = 42
HARD = [WorkoutKind.LONG, WorkoutKind.TEMPO, WorkoutKind.INTERVALS, WorkoutKind.HILL]


def on(offset: int) -> dt.date:
    return START + dt.timedelta(days=offset)


races = st.lists(
    st.builds(
        lambda offset, priority, km, i: Race(f"Race {i}", on(offset), priority, km, id=f"r{i}"),
        st.integers(0, DAYS - 1),
        st.sampled_from(Priority),
        st.sampled_from([5.0, 10.0, 21.1, 42.195, None]),
        st.integers(0, 10_000),
    ),
    max_size=3,
    unique_by=lambda race: race.day,
)
workouts = st.lists(
    st.builds(
        lambda offset, kind: Workout(on(offset), kind),
        st.integers(0, DAYS - 1),
        st.sampled_from(HARD),
    ),
    max_size=24,
    unique_by=lambda workout: workout.day,
)
logged = st.lists(
    st.builds(
        lambda offset, kind: MassageSession(on(offset), kind, price=0.0),
        st.integers(-3, DAYS - 1),
        st.sampled_from([SessionKind.DEEP_TISSUE, SessionKind.SPORTS, SessionKind.SELF_VIGOROUS]),
    ),
    max_size=4,
)
profiles = st.builds(
    Profile,
    policy=st.sampled_from(PolicyName),
    frequency=st.sampled_from(Frequency),
    budget_per_month=st.sampled_from([100.0, 200.0, 400.0]),
)


def disagreements(season: Season, profile: Profile) -> list[str]:
    end = on(DAYS - 1)
    plan = build_plan(PlanRequest(season, profile, START, end), KB, CpSatSolver())
    booked = {s.day for s in plan.sessions if s.kind is SessionKind.SELF_VIGOROUS}
    policy = KB.policy(profile.policy)
    hard_days = {w.day for w in season.workouts if w.is_hard} | {r.day for r in season.races}
    found = []
    for day in sorted(d for d in hard_days if START <= d <= end):
        today_says, refused_by = vigorous_decision(season, plan.sessions, policy, day)
        if today_says != (day in booked):
            found.append(f"{day}: today {today_says} ({refused_by}), plan {day in booked}")
    return found


@settings(max_examples=60)
@given(races=races, workouts=workouts, logged=logged, profile=profiles)
def test_the_plan_and_today_agree_on_vigorous_self_massage_for_every_hard_day(
    races: list[Race], workouts: list[Workout], logged: list[MassageSession], profile: Profile
) -> None:
    season = Season(races=tuple(races), workouts=tuple(workouts), sessions=tuple(logged))
    assert disagreements(season, profile) == []


@settings(max_examples=40)
@given(
    workouts=workouts,
    checkins=st.lists(checkins(START - dt.timedelta(days=20), DAYS + 20), max_size=5),
    profile=profiles,
)
def test_they_agree_with_random_check_ins_flags_and_warning_signs(
    workouts: list[Workout], checkins: list[CheckIn], profile: Profile
) -> None:
    season = Season(workouts=tuple(workouts), checkins=tuple(checkins))
    assert disagreements(season, profile) == []


def test_a_red_flag_older_than_two_weeks_keeps_both_off_vigorous_work() -> None:
    long_runs = tuple(Workout(on(7 * w + 6), WorkoutKind.LONG) for w in range(6))
    flagged = Season(
        workouts=long_runs, checkins=(pain(START - dt.timedelta(days=20), "left-calf"),)
    )
    free = Season(workouts=long_runs)
    profile = Profile()
    assert disagreements(flagged, profile) == []
    policy = KB.policy(profile.policy)
    plan = build_plan(PlanRequest(flagged, profile, START, on(DAYS - 1)), KB, CpSatSolver())
    assert not any(s.kind is SessionKind.SELF_VIGOROUS for s in plan.sessions)
    allowed, refused_by = vigorous_decision(flagged, plan.sessions, policy, on(6))
    assert not allowed
    assert "X1" in refused_by
    free_plan = build_plan(PlanRequest(free, profile, START, on(DAYS - 1)), KB, CpSatSolver())
    assert any(s.kind is SessionKind.SELF_VIGOROUS for s in free_plan.sessions)


def test_the_day_after_a_bout_the_plan_booked_today_stays_moderate() -> None:
    back_to_back = Season(
        workouts=(Workout(on(5), WorkoutKind.TEMPO), Workout(on(6), WorkoutKind.LONG))
    )
    profile = Profile()
    plan = build_plan(PlanRequest(back_to_back, profile, START, on(DAYS - 1)), KB, CpSatSolver())
    booked = [s.day for s in plan.sessions if s.kind is SessionKind.SELF_VIGOROUS]
    assert booked == [on(5)]
    allowed, refused_by = vigorous_decision(
        back_to_back, plan.sessions, KB.policy(profile.policy), on(6)
    )
    assert not allowed
    assert refused_by == ("T8",)
