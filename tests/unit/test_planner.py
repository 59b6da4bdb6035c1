"""The season planner: what it places, where, why, and what it says when it cannot."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from tests.support.checker import plan_problems

from rubdown.domain.model import (
    CheckIn,
    Condition,
    Family,
    Frequency,
    MassageSession,
    PainQuality,
    PolicyName,
    Priority,
    Profile,
    Race,
    Season,
    SessionKind,
    Workout,
    WorkoutKind,
)
from rubdown.domain.plan import Plan
from rubdown.domain.planner import PlanRequest, build_plan
from rubdown.domain.regions import BodyPart, parse_region
from rubdown.knowledge import load_knowledge_base
from rubdown.solver.cpsat import CpSatSolver

KB = load_knowledge_base()
START = dt.date(2027, 1, 4)  # a Monday
MARATHON = Race("Spring Marathon", dt.date(2027, 4, 18), Priority.A, 42.195, id="m")
HALF = Race("Winter Half", dt.date(2027, 2, 28), Priority.B, 21.1, id="h")
TEN_K = Race("Parkside 10K", dt.date(2027, 2, 6), Priority.C, 10, id="t")
PROFILE = Profile(
    frequency=Frequency.MONTHLY,
    budget_per_month=200,
    session_price=80,
    conditions=frozenset({Condition.TIGHT_CALVES}),
)


def long_runs(start: dt.date, weeks: int) -> tuple[Workout, ...]:
    """A long run every Sunday, except on race weekends."""
    sundays = (start + dt.timedelta(days=6 + 7 * w) for w in range(weeks))
    race_days = {MARATHON.day, HALF.day}
    return tuple(Workout(d, WorkoutKind.LONG) for d in sundays if d not in race_days)


SEASON = Season(races=(TEN_K, HALF, MARATHON), workouts=long_runs(START, 15))


def plan_for(season: Season = SEASON, profile: Profile = PROFILE, **extra: object) -> Plan:
    request = PlanRequest(season, profile, START, **extra)  # type: ignore[arg-type]
    return build_plan(request, KB, CpSatSolver())


def deep_days(plan: Plan) -> list[dt.date]:
    return [s.day for s in plan.sessions if s.kind.family is Family.DEEP]


def test_the_plan_passes_the_independent_checker() -> None:
    plan = plan_for()
    assert plan_problems(plan, SEASON, PROFILE, KB) == []


def test_the_plan_runs_until_the_day_after_the_last_race() -> None:
    plan = plan_for()
    assert plan.start == START
    assert plan.end == MARATHON.day + dt.timedelta(days=1)


def test_without_races_the_plan_covers_twelve_weeks() -> None:
    plan = plan_for(Season())
    assert (plan.end - plan.start).days + 1 == 84


def test_a_post_event_session_follows_each_a_and_b_race_but_not_c() -> None:
    post = {s.day for s in plan_for().sessions if s.kind is SessionKind.POST_EVENT}
    assert post == {HALF.day + dt.timedelta(days=1), MARATHON.day + dt.timedelta(days=1)}


def test_a_pre_event_suggestion_is_placed_on_a_and_b_race_days_at_no_cost() -> None:
    pre = [s for s in plan_for().sessions if s.kind is SessionKind.PRE_EVENT]
    assert {s.day for s in pre} == {HALF.day, MARATHON.day}
    assert all(s.price == 0 for s in pre)


def test_monthly_frequency_places_one_deep_session_in_each_month() -> None:
    months = [(d.year, d.month) for d in deep_days(plan_for())]
    assert months == [(2027, 1), (2027, 2), (2027, 3), (2027, 4)]


def test_weekly_frequency_with_room_in_the_budget_places_a_session_most_weeks() -> None:
    profile = replace(PROFILE, frequency=Frequency.WEEKLY, budget_per_month=600)
    plan = plan_for(profile=profile)
    assert len(deep_days(plan)) >= 12
    assert plan_problems(plan, SEASON, profile, KB) == []
    gaps = [(b - a).days for a, b in zip(deep_days(plan), deep_days(plan)[1:], strict=False)]
    assert min(gaps) >= 4


def test_deep_sessions_focus_on_the_regions_of_the_runners_conditions() -> None:
    deep = [s for s in plan_for().sessions if s.kind.family is Family.DEEP]
    assert all(BodyPart.CALF in {r.part for r in s.regions} for s in deep)
    assert all("C1" in s.rules for s in deep)


def test_a_budget_below_one_session_plans_no_deep_work_and_says_so() -> None:
    profile = replace(PROFILE, budget_per_month=50)
    plan = plan_for(profile=profile)
    assert deep_days(plan) == []
    assert any("F4" in w.rules and "does not cover" in w.message for w in plan.warnings)


def test_a_weekly_target_the_budget_cannot_pay_falls_back_and_says_so() -> None:
    profile = replace(PROFILE, frequency=Frequency.WEEKLY, budget_per_month=170)
    plan = plan_for(profile=profile)
    assert any("biweekly instead" in w.message for w in plan.warnings)
    assert plan_problems(plan, SEASON, profile, KB) == []


def test_a_month_whose_budget_goes_to_post_event_work_is_reported() -> None:
    # The half on Sun 28 Feb puts its post-event session on Mon 1 Mar: March's budget is spent.
    profile = replace(PROFILE, budget_per_month=100)
    plan = plan_for(profile=profile)
    assert (2027, 3) not in {(d.year, d.month) for d in deep_days(plan)}
    assert any("March 2027" in w.message and "budget" in w.message for w in plan.warnings)


def test_hard_days_that_leave_no_room_are_reported_instead_of_dropped_silently() -> None:
    crowded = tuple(
        Workout(START + dt.timedelta(days=d), WorkoutKind.TEMPO)
        for d in range(0, 84)
        if d % 7 in (1, 3, 6)  # Tuesday, Thursday, Sunday
    )
    season = Season(workouts=crowded)
    plan = plan_for(season)
    assert deep_days(plan) == []
    missed = [w for w in plan.warnings if "every day there is a race or hard day" in w.message]
    assert len(missed) == 3  # January, February, March
    assert all("T5" in w.rules for w in missed)


def test_a_deep_session_already_logged_this_month_counts_toward_the_target() -> None:
    logged = MassageSession(dt.date(2027, 1, 2), SessionKind.DEEP_TISSUE, price=80)
    season = replace(SEASON, sessions=(logged,))
    plan = plan_for(season)
    assert (2027, 1) not in {(d.year, d.month) for d in deep_days(plan)}
    assert plan_problems(plan, season, PROFILE, KB) == []


def test_every_session_carries_rules_and_a_reason() -> None:
    for session in plan_for().sessions:
        assert session.rules
        assert session.reason


def test_the_plan_names_its_policy_and_the_disagreement_it_settles() -> None:
    for policy in PolicyName:
        plan = plan_for(profile=replace(PROFILE, policy=policy))
        assert plan.policy is policy
        assert any({"T1", "T2", "T3"} <= set(n.rules) for n in plan.notes)


def test_planning_twice_gives_the_same_plan() -> None:
    assert plan_for().sessions == plan_for().sessions


def test_no_professional_session_is_booked_before_the_notice_period() -> None:
    earliest = START + dt.timedelta(days=2)
    plan = plan_for(earliest_booking=earliest)
    assert all(s.day >= earliest for s in plan.sessions if s.kind.is_professional)


@pytest.mark.parametrize("shift_days", [7, -7])
def test_moving_one_race_keeps_the_other_sessions_where_they_were(shift_days: int) -> None:
    first = plan_for()
    moved = replace(HALF, day=HALF.day + dt.timedelta(days=shift_days))
    season = replace(SEASON, races=(TEN_K, moved, MARATHON))
    second = plan_for(season, previous=first.sessions)
    assert plan_problems(second, season, PROFILE, KB) == []
    near = {HALF.day, moved.day}

    def far(session_day: dt.date) -> bool:
        return all(abs((session_day - d).days) > 10 for d in near)

    before = {(s.key, s.day) for s in first.sessions if s.kind.is_professional and far(s.day)}
    after = {(s.key, s.day) for s in second.sessions if s.kind.is_professional}
    assert before <= after


def test_a_red_flag_stops_professional_sessions_while_it_stands() -> None:
    from rubdown.domain.model import CheckIn, PainQuality
    from rubdown.domain.regions import Region

    flag = CheckIn(START, pain={Region(BodyPart.HEEL): PainQuality.SHARP})
    season = replace(SEASON, checkins=(flag,))
    plan = plan_for(season)
    assert all(
        s.day >= START + dt.timedelta(days=14) for s in plan.sessions if s.kind.is_professional
    )
    assert any("X1" in w.rules for w in plan.warnings)


def test_no_vigorous_self_massage_is_planned_while_a_red_flag_stands() -> None:
    first_sunday = START + dt.timedelta(days=6)
    flagged = CheckIn(
        first_sunday - dt.timedelta(days=1),
        pain={parse_region("left-heel"): PainQuality.SHARP},
    )
    season = replace(SEASON, checkins=(flagged,))
    vigorous = {s.day for s in plan_for(season).sessions if s.kind is SessionKind.SELF_VIGOROUS}
    without_flag = {s.day for s in plan_for().sessions if s.kind is SessionKind.SELF_VIGOROUS}
    assert first_sunday in without_flag
    assert first_sunday not in vigorous
