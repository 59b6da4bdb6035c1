"""The season planner: what it places, where, why, and what it says when it cannot."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import replace

import pytest
from tests.support.checker import plan_problems
from tests.support.seasons import SAMPLE_HALF, SAMPLE_MARATHON, sample_season

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
from rubdown.domain.regions import BodyPart, Region, parse_region
from rubdown.domain.rules import SeasonIndex, check
from rubdown.knowledge import load_knowledge_base
from rubdown.solver.cpsat import CpSatSolver

KB = load_knowledge_base()
START = dt.date(2027, 1, 4)  # a Monday
MARATHON = SAMPLE_MARATHON
HALF = SAMPLE_HALF
TEN_K = Race("Parkside 10K", dt.date(2027, 2, 6), Priority.C, 10, id="t")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PROFILE = Profile(
    frequency=Frequency.MONTHLY,
    budget_per_month=200,
    session_price=80,
    conditions=frozenset({Condition.TIGHT_CALVES}),
)


SEASON = replace(sample_season(), races=(TEN_K, HALF, MARATHON))


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


def test_weekly_frequency_places_a_session_every_week_with_deep_work_once_a_month() -> None:
    profile = replace(PROFILE, frequency=Frequency.WEEKLY, budget_per_month=600)
    plan = plan_for(profile=profile)
    assert plan_problems(plan, SEASON, profile, KB) == []
    periodic = [s for s in plan.sessions if s.key.startswith("pro:")]
    weeks = {s.day.isocalendar()[:2] for s in periodic}
    assert len(weeks) == len(periodic) == 15  # every full ISO week from 4 Jan to 18 Apr
    assert Counter((d.year, d.month) for d in deep_days(plan)) == dict.fromkeys(
        [(2027, 1), (2027, 2), (2027, 3), (2027, 4)], 1
    )
    lighter = {s.kind for s in periodic if s.kind.family is not Family.DEEP}
    assert lighter == {SessionKind.SPORTS}
    gaps = [(b - a).days for a, b in zip(deep_days(plan), deep_days(plan)[1:], strict=False)]
    assert min(gaps) >= 14


def test_slot_keys_name_the_period_and_the_deep_kind_defaults_to_deep_tissue() -> None:
    plan = plan_for(profile=replace(PROFILE, conditions=frozenset()))
    periodic = [s for s in plan.sessions if s.kind.family is Family.DEEP]
    assert [s.key for s in periodic] == ["pro:2027-01", "pro:2027-02", "pro:2027-03", "pro:2027-04"]
    assert {s.kind for s in periodic} == {SessionKind.DEEP_TISSUE}


def test_sports_massage_is_a_family_of_its_own_and_fills_the_weeks_between_deep_work() -> None:
    assert SessionKind.SPORTS.family is Family.SPORTS
    profile = replace(PROFILE, frequency=Frequency.WEEKLY, budget_per_month=600)
    sports = [s for s in plan_for(profile=profile).sessions if s.kind is SessionKind.SPORTS]
    assert sports
    assert all(s.key.startswith("pro:2027-W") for s in sports)
    assert all(s.price == profile.sports_price for s in sports)


def test_deep_sessions_focus_on_the_regions_of_the_runners_conditions() -> None:
    deep = [s for s in plan_for().sessions if s.kind.family is Family.DEEP]
    assert all(BodyPart.CALF in {r.part for r in s.regions} for s in deep)
    assert all("C1" in s.rules for s in deep)


def test_a_budget_below_the_cheapest_session_plans_no_professional_work_and_says_so() -> None:
    profile = replace(PROFILE, budget_per_month=40)
    plan = plan_for(profile=profile)
    assert [s.kind for s in plan.professional] == [SessionKind.PRE_EVENT] * 2  # free, optional
    assert any("F4" in w.rules and "does not cover one session" in w.message for w in plan.warnings)


def test_a_budget_below_deep_work_books_flushes_and_says_deep_work_is_over_it() -> None:
    profile = replace(PROFILE, budget_per_month=50)
    plan = plan_for(profile=profile)
    assert deep_days(plan) == []
    flushes = [s.day.month for s in plan.sessions if s.kind is SessionKind.FLUSH]
    assert flushes == [1, 2]  # March and April's 50 go to the post-event flushes
    assert any("over the monthly budget of 50" in w.message for w in plan.warnings)
    assert any(
        w.message.startswith("No monthly session in March 2027 and April 2027")
        and "budget" in w.message
        for w in plan.warnings
    )
    assert plan_problems(plan, SEASON, profile, KB) == []


def test_a_weekly_target_the_budget_cannot_pay_falls_back_and_says_so() -> None:
    profile = replace(PROFILE, frequency=Frequency.WEEKLY, budget_per_month=170)
    plan = plan_for(profile=profile)
    assert any("biweekly instead" in w.message for w in plan.warnings)
    assert plan_problems(plan, SEASON, profile, KB) == []


def test_a_post_event_session_the_budget_cannot_fit_beside_deep_work_is_reported() -> None:
    # 100 a month pays for deep work (80) or a post-event flush (45), not both: the month's
    # deep session is worth more, and the plan says which flush it left out.
    profile = replace(PROFILE, budget_per_month=100)
    plan = plan_for(profile=profile)
    months = [(d.year, d.month) for d in deep_days(plan)]
    assert months == [(2027, 1), (2027, 2), (2027, 3), (2027, 4)]
    assert not [s for s in plan.sessions if s.kind is SessionKind.POST_EVENT]
    missed = [w for w in plan.warnings if w.message.startswith("No post-event session after")]
    assert len(missed) == 2
    assert all("went to the month's deep session" in w.message for w in missed)


def test_a_tue_thu_sun_week_allows_deep_work_on_friday_and_sports_or_a_flush_between() -> None:
    # The old table left this week without a single session; table v2 under standard:
    # deep work on Friday, sports massage or a flush on Monday and Wednesday (issue 10).
    crowded = tuple(
        Workout(START + dt.timedelta(days=d), kind)
        for d in range(0, 84)
        for weekday, kind in (
            (1, WorkoutKind.TEMPO),
            (3, WorkoutKind.INTERVALS),
            (6, WorkoutKind.LONG),
        )
        if d % 7 == weekday
    )
    season = Season(workouts=crowded)
    index = SeasonIndex(season)
    policy = KB.policy(PolicyName.STANDARD)
    week = {name: START + dt.timedelta(days=7 + i) for i, name in enumerate(WEEKDAYS)}

    def allowed(kind: SessionKind) -> set[str]:
        return {name for name, day in week.items() if check(index, policy, day, kind).allowed}

    assert allowed(SessionKind.DEEP_TISSUE) == {"fri"}
    assert allowed(SessionKind.SPORTS) == allowed(SessionKind.FLUSH) == {"mon", "wed", "fri", "sat"}
    plan = plan_for(season, replace(PROFILE, conditions=frozenset()))
    assert [d.strftime("%a") for d in deep_days(plan)] == ["Fri", "Fri", "Fri"]
    assert not [w for w in plan.warnings if "No day allows deep work" in w.message]
    assert plan_problems(plan, season, replace(PROFILE, conditions=frozenset()), KB) == []


def test_hard_days_that_leave_no_deep_window_are_reported_once_with_a_move_that_opens_one() -> None:
    # Under cautious a Wed/Sun week has no day for deep work (two easy days after a hard one,
    # three before the next); the plan books sports massage and names the move.
    workouts = tuple(
        Workout(START + dt.timedelta(days=d), WorkoutKind.TEMPO if d % 7 == 2 else WorkoutKind.LONG)
        for d in range(0, 84)
        if d % 7 in (2, 6)
    )
    season = Season(workouts=workouts)
    profile = replace(PROFILE, policy=PolicyName.CAUTIOUS, conditions=frozenset())
    plan = plan_for(season, profile)
    assert deep_days(plan) == []
    assert {s.kind for s in plan.professional} == {SessionKind.SPORTS}
    [missed] = [w for w in plan.warnings if w.message.startswith("No day allows deep work")]
    assert "January 2027, February 2027 and March 2027" in missed.message
    assert "moving your tempo workout on Wed 6 Jan to Tue 5 Jan opens Thu 7 Jan" in missed.message
    assert {"T5", "F3"} <= set(missed.rules)


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


def test_a_red_flag_keeps_sessions_off_its_neighbourhood_but_does_not_stop_the_plan() -> None:
    flag = CheckIn(START, pain={Region(BodyPart.HEEL): PainQuality.SHARP})
    season = replace(SEASON, checkins=(flag,))
    profile = replace(PROFILE, conditions=frozenset())  # the general focus: calf to glute
    plan = plan_for(season, profile)
    assert plan_problems(plan, season, profile, KB) == []
    assert len(deep_days(plan)) == 4  # a deep session every month, never stopped
    near_heel = {BodyPart.HEEL, BodyPart.PLANTAR_FASCIA, BodyPart.ACHILLES, BodyPart.CALF}
    assert plan.sessions
    assert all(not near_heel & {r.part for r in s.regions} for s in plan.sessions)
    assert "X1" in plan.warnings[0].rules
    assert "keeps every session off what these flags block" in plan.warnings[0].message


def test_a_red_flag_on_the_only_focus_narrows_the_sessions_to_the_other_running_muscles() -> None:
    # Tight calves focus the sessions on the calf, which the heel's flag blocks (both sides):
    # the sessions then work the general running muscles the flag leaves free.
    flag = CheckIn(START, pain={Region(BodyPart.HEEL): PainQuality.SHARP})
    season = replace(SEASON, checkins=(flag,))
    plan = plan_for(season)
    periodic = [s for s in plan.sessions if s.key.startswith("pro:")]
    assert periodic
    for session in periodic:
        parts = {r.part for r in session.regions}
        assert parts
        assert not parts & {BodyPart.CALF, BodyPart.HEEL, BodyPart.ACHILLES}
        assert not parts & {BodyPart.PLANTAR_FASCIA, BodyPart.SHIN}
    assert "X1" in plan.warnings[0].rules
    assert not [w for w in plan.warnings if "every day is a race or hard day" in w.message]
    assert plan_problems(plan, season, PROFILE, KB) == []


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
