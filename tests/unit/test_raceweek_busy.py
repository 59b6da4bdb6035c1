"""A therapist's time already booked, in the race week's model: the openings are cut around
it, no plan puts a session on it, and the checker says so of a plan that does."""

from __future__ import annotations

import datetime as dt

from rubdown.domain.availability import parse_hours
from rubdown.domain.clinic.raceweek import (
    Assignment,
    Client,
    Phase,
    RaceWeekPlan,
    RaceWeekProblem,
    Therapist,
    blocks_of,
    free_spans,
)
from rubdown.domain.clinic.raceweek_check import check_plan
from rubdown.domain.model import PolicyName, Priority, Race, SessionKind
from rubdown.knowledge import load_knowledge_base

MONDAY = dt.date(2027, 4, 12)


def test_free_spans_are_what_the_taken_spans_leave_of_a_window() -> None:
    assert free_spans(540, 1020, [(600, 660), (700, 720)]) == [(540, 600), (660, 700), (720, 1020)]
    assert free_spans(540, 600, [(500, 700)]) == []
    assert free_spans(540, 600, []) == [(540, 600)]


def test_a_therapists_blocks_leave_out_their_booked_time() -> None:
    therapist = Therapist("t", "Theo", parse_hours("mon 09:00-13:00"), busy=((MONDAY, 600, 675),))
    problem = RaceWeekProblem((), (therapist,), MONDAY, MONDAY)
    spans = [(b.start_minute, b.end_minute) for b in blocks_of(problem)]
    assert spans == [(540, 600), (675, 720), (720, 780)]


def test_the_checker_refuses_a_session_on_booked_time() -> None:
    therapist = Therapist("t", "Theo", parse_hours("mon 09:00-13:00"), busy=((MONDAY, 600, 675),))
    policy = load_knowledge_base().policy(PolicyName.STANDARD)
    race = Race("City 10K", MONDAY + dt.timedelta(days=3), Priority.B, 10.0)
    client = Client("c", "Cy", policy, race)
    problem = RaceWeekProblem((client,), (therapist,), MONDAY, MONDAY)
    session = Assignment("c", Phase.PRE_RACE, SessionKind.FLUSH, "t", MONDAY, 570, 30, 15)
    plan = RaceWeekPlan((session,), (), "feasible", 1)
    assert any("already booked" in p for p in check_plan(problem, plan))
