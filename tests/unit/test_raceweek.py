"""A team's race week on small cases that can be checked by hand: the rule windows of each
policy, the therapists' hours, days off, caps and buffers, the preferred times, and the reason
given for every client who cannot be served."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from tests.support.raceweek import MONDAY, RACE_DAY, SERVICES, SPORTS_ONLY, client, therapist

from rubdown.domain.availability import parse_hours
from rubdown.domain.clinic.raceweek import (
    Assignment,
    Client,
    DayPart,
    Need,
    Phase,
    Preference,
    RaceWeekPlan,
    RaceWeekProblem,
    Reason,
    Selection,
    ServiceLength,
    Therapist,
    choices_for,
    greedy,
    plan_from,
    plan_race_week,
    score,
    top_up,
)
from rubdown.domain.clinic.raceweek_check import check_plan
from rubdown.domain.model import (
    CheckIn,
    PainQuality,
    PolicyName,
    Priority,
    Race,
    Season,
    SessionKind,
)
from rubdown.domain.regions import parse_region
from rubdown.errors import InvalidValue
from rubdown.solver.raceweek_cpsat import CpSatRaceWeekSolver


def solve(clients: list[Client], therapists: list[Therapist]) -> RaceWeekPlan:
    problem = RaceWeekProblem(
        tuple(clients), tuple(therapists), MONDAY, MONDAY + dt.timedelta(days=13), SERVICES
    )
    plan = plan_race_week(problem, CpSatRaceWeekSolver())
    assert check_plan(problem, plan) == []
    assert plan.status == "optimal"
    return plan


def only(plan: RaceWeekPlan, client_id: str) -> Assignment:
    (found,) = [a for a in plan.assignments if a.client_id == client_id]
    return found


# -- the rule windows of each policy --------------------------------------------------------


def test_a_sports_massage_the_day_before_the_race_goes_only_to_the_adapted_policy() -> None:
    # Saturday is the only day worked: 1 day before an A race; standard wants 2, adapted 1.
    plan = solve(
        [client("sam", PolicyName.STANDARD), client("ada", PolicyName.ADAPTED)],
        [therapist("sat 09:00-12:00")],
    )
    assert only(plan, "ada").day == dt.date(2027, 3, 13)
    (left,) = plan.unserved
    assert left.client_id == "sam"
    assert left.reason is Reason.NO_OPENING
    assert "Thu 11 Mar" in left.detail
    assert "Fri 12 Mar" in left.detail


def test_the_cautious_policy_allows_no_sports_massage_in_the_race_week() -> None:
    plan = solve([client("cas", PolicyName.CAUTIOUS)], [therapist("mon 09:00-17:00")])
    (left,) = plan.unserved
    assert left.reason is Reason.NO_ALLOWED_DAY
    assert "cautious policy wants 7" in left.detail
    assert "T3" in left.detail


def test_the_cautious_policy_gets_a_flush_two_days_out_where_sports_massage_is_refused() -> None:
    needs = (Need(Phase.PRE_RACE, (SessionKind.SPORTS, SessionKind.FLUSH)),)
    plan = solve(
        [client("cas", PolicyName.CAUTIOUS, needs)], [therapist("fri 09:00-12:00, sat 09:00-12:00")]
    )
    session = only(plan, "cas")
    assert (session.kind, session.day) == (SessionKind.FLUSH, dt.date(2027, 3, 12))


def test_post_race_work_comes_after_the_race_and_never_on_race_day() -> None:
    needs = (Need(Phase.POST_RACE, (SessionKind.POST_EVENT,)),)
    plan = solve([client("pat", needs=needs)], [therapist("sun 09:00-12:00, mon 09:00-12:00")])
    session = only(plan, "pat")
    assert (session.kind, session.day) == (SessionKind.POST_EVENT, dt.date(2027, 3, 15))


def test_a_red_flag_refuses_every_day_and_the_reason_names_it() -> None:
    race = Race("City Marathon", RACE_DAY, Priority.A, 42.2)
    flagged = Season(
        races=(race,),
        checkins=(CheckIn(MONDAY, pain={parse_region("left-calf"): PainQuality.SHARP}),),
    )
    plan = solve([client("fay", season=flagged)], [therapist("thu 09:00-17:00")])
    (left,) = plan.unserved
    assert left.reason is Reason.NO_ALLOWED_DAY
    assert "X1" in left.detail


# -- the therapists' side -----------------------------------------------------------------


def test_a_block_holds_what_its_minutes_hold_with_the_buffer_after_each_session() -> None:
    # 09:00-12:00 is 180 minutes: two sports massages of 60 with 15 of turnover, not three.
    plan = solve(
        [client("a"), client("b"), client("c")],
        [therapist("thu 09:00-12:00")],
    )
    times = sorted(a.times for a in plan.assignments)
    assert times == ["09:00-10:00", "10:15-11:15"]
    (left,) = plan.unserved
    assert left.reason is Reason.CAPACITY_FULL
    assert "morning booked: Ana" in left.detail


def test_the_hands_on_cap_limits_a_day_with_hours_to_spare() -> None:
    plan = solve(
        [client("a"), client("b")],
        [therapist("thu 09:00-17:00", max_hands_on_min_per_day=90)],
    )
    assert len(plan.assignments) == 1
    assert "90 min hands-on a day reached: Ana" in plan.unserved[0].detail


def test_the_weekly_cap_counts_sessions_from_monday_to_sunday() -> None:
    plan = solve(
        [client("a"), client("b")],
        [therapist("wed 09:00-17:00, thu 09:00-17:00", max_sessions_per_week=1)],
    )
    assert len(plan.assignments) == 1
    assert plan.unserved[0].reason is Reason.CAPACITY_FULL
    assert "1 sessions a week reached" in plan.unserved[0].detail


def test_a_day_off_is_no_opening() -> None:
    ana = replace(therapist("fri 09:00-12:00"), days_off=frozenset({dt.date(2027, 3, 12)}))
    plan = solve([client("a")], [ana])
    assert plan.unserved[0].reason is Reason.NO_OPENING


def test_sessions_spread_across_the_team_when_one_therapist_is_full() -> None:
    plan = solve(
        [client("a"), client("b"), client("c")],
        [therapist("thu 09:00-11:00", "ana"), therapist("thu 09:00-11:00", "bo")],
    )
    assert sorted(a.therapist_id for a in plan.assignments) == ["ana", "bo"]
    assert len(plan.unserved) == 1


def test_a_kind_the_team_does_not_offer_is_said_so() -> None:
    needs = (Need(Phase.PRE_RACE, (SessionKind.DEEP_TISSUE,)),)
    plan = solve([client("d", needs=needs)], [therapist("mon 09:00-17:00")])
    assert plan.unserved[0].reason is Reason.NO_SERVICE


# -- preferences and the order of the objective -------------------------------------------


def test_each_client_gets_the_day_part_they_prefer() -> None:
    morning = (Preference(DayPart.MORNING, 10),)
    afternoon = (Preference(DayPart.AFTERNOON, 10),)
    plan = solve(
        [client("a", preferences=afternoon), client("b", preferences=morning)],
        [therapist("thu 10:45-13:15")],  # one seat of 75 minutes each side of noon
    )
    assert only(plan, "a").start_minute >= 12 * 60
    assert only(plan, "b").start_minute < 12 * 60


def test_serving_one_more_client_beats_any_preferred_time() -> None:
    # Both want Thursday morning; only Friday has a second seat. Serving both wins.
    morning_thu = (Preference(DayPart.MORNING, 10, weekday=3),)
    plan = solve(
        [client("a", preferences=morning_thu), client("b", preferences=morning_thu)],
        [therapist("thu 09:00-10:30, fri 14:00-15:30")],
    )
    assert plan.served_clients == 2


def test_a_client_served_whole_beats_two_half_served() -> None:
    # One Thursday seat before and one Monday seat after: one client gets both, not one each.
    needs = (
        Need(Phase.PRE_RACE, (SessionKind.SPORTS,)),
        Need(Phase.POST_RACE, (SessionKind.POST_EVENT,)),
    )
    ana = replace(
        therapist("thu 09:00-10:15, mon 09:00-09:45"), days_off=frozenset({dt.date(2027, 3, 18)})
    )
    plan = solve([client("a", needs=needs), client("b", needs=needs)], [ana])
    assert plan.served_clients == 1
    assert {a.client_id for a in plan.assignments} == {"a"}


def test_the_greedy_first_schedule_passes_the_checker() -> None:
    problem = RaceWeekProblem(
        (client("a"), client("b"), client("c")),
        (therapist("thu 09:00-12:00"),),
        MONDAY,
        MONDAY + dt.timedelta(days=13),
        SERVICES,
    )
    choices = choices_for(problem)
    plan = plan_from(choices, greedy(choices))
    assert check_plan(problem, plan) == []
    assert plan.served_clients == 2


# -- the checker and the input --------------------------------------------------------------


def test_the_checker_finds_a_forbidden_day_an_overlap_and_a_missing_reason() -> None:
    problem = RaceWeekProblem(
        (client("a"), client("b", PolicyName.CAUTIOUS)),
        (therapist("thu 09:00-17:00"),),
        MONDAY,
        MONDAY + dt.timedelta(days=13),
        SERVICES,
    )
    thursday = dt.date(2027, 3, 11)
    bad = RaceWeekPlan(
        (
            Assignment("a", Phase.PRE_RACE, SessionKind.SPORTS, "ana", thursday, 540, 60, 15),
            Assignment("b", Phase.PRE_RACE, SessionKind.SPORTS, "ana", thursday, 600, 60, 15),
        ),
        (),
        "optimal",
        2,
    )
    found = "\n".join(check_plan(problem, bad))
    assert "the rules forbid it (T3)" in found
    assert "leave less than 15 min" in found
    missing = RaceWeekPlan((), (), "optimal", 2)
    assert len(check_plan(problem, missing)) == 2


@pytest.mark.parametrize(
    "make",
    [
        lambda: ServiceLength(SessionKind.SELF_LIGHT, 30),
        lambda: ServiceLength(SessionKind.SPORTS, 0),
        lambda: Preference(DayPart.MORNING, 11),
        lambda: Therapist("t", "T", parse_hours("none")),
        lambda: client("a", needs=(*SPORTS_ONLY, *SPORTS_ONLY)),
        lambda: RaceWeekProblem((), (), MONDAY, MONDAY - dt.timedelta(days=1)),
        lambda: RaceWeekProblem((client("a"), client("a")), (), MONDAY, MONDAY),
    ],
)
def test_a_problem_that_makes_no_sense_is_refused_in_one_line(make: object) -> None:
    with pytest.raises(InvalidValue):
        make()  # type: ignore[operator]


def test_the_objective_cp_sat_reports_is_the_domains_score_of_its_schedule() -> None:
    problem = RaceWeekProblem(
        (client("a", preferences=(Preference(DayPart.AFTERNOON, 7),)), client("b"), client("c")),
        (therapist("thu 09:00-13:15"), therapist("wed 16:00-19:00", "bo")),
        MONDAY,
        MONDAY + dt.timedelta(days=13),
        SERVICES,
    )
    choices = choices_for(problem)
    selection = CpSatRaceWeekSolver().solve(choices)
    assert selection.objective == score(choices, selection) > 0


def test_a_first_schedule_rounded_from_the_relaxation_is_proved_close_enough_at_once() -> None:
    problem = RaceWeekProblem(
        (client("a"), client("b"), client("c")),
        (therapist("thu 09:00-12:00"),),
        MONDAY,
        MONDAY + dt.timedelta(days=13),
        SERVICES,
    )
    choices = choices_for(problem)
    selection = CpSatRaceWeekSolver(guided=True, relative_gap=0.01).solve(choices)
    plan = plan_from(choices, selection)
    assert check_plan(problem, plan) == []
    assert plan.served_clients == 2
    assert selection.bound >= selection.objective


def test_a_stopped_search_is_topped_up_with_every_session_that_still_fits() -> None:
    problem = RaceWeekProblem(
        (client("a"), client("b"), client("c")),
        (therapist("thu 09:00-12:00"),),
        MONDAY,
        MONDAY + dt.timedelta(days=13),
        SERVICES,
    )
    choices = choices_for(problem)
    topped = top_up(choices, Selection((), {}, "feasible"))
    plan = plan_from(choices, topped)
    assert check_plan(problem, plan) == []
    assert len(plan.assignments) == 2
