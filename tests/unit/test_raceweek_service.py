"""The race-week use case: who races the event, the days it covers, and a schedule that
passes the checker, on the CP-SAT solver."""

from __future__ import annotations

import datetime as dt

import pytest

from rubdown.domain.availability import parse_hours
from rubdown.domain.clinic.raceweek import Phase, RaceWeekPlan, Therapist
from rubdown.domain.model import PolicyName, Priority, Race, Season, SessionKind
from rubdown.errors import InvalidValue
from rubdown.knowledge import load_knowledge_base
from rubdown.services.raceweek import (
    Entrant,
    Event,
    RaceWeekRequest,
    plan_team_race_week,
)
from rubdown.solver.raceweek_cpsat import CpSatRaceWeekSolver

KB = load_knowledge_base()
MARATHON = Race("City Marathon", dt.date(2027, 3, 14), Priority.A, 42.2)
TEAM = (
    Therapist("ana", "Ana", parse_hours("thu 09:00-17:00, fri 09:00-17:00, tue 09:00-17:00")),
    Therapist("bo", "Bo", parse_hours("mon 12:00-20:00, wed 12:00-20:00")),
)


def entrant(name: str, *races: Race, policy: PolicyName = PolicyName.STANDARD) -> Entrant:
    return Entrant(name, name.title(), policy, Season(races=races))


def test_everyone_racing_the_event_gets_a_session_before_and_after_it() -> None:
    request = RaceWeekRequest(
        (entrant("a", MARATHON), entrant("b", MARATHON, policy=PolicyName.CAUTIOUS)),
        TEAM,
        Event("city marathon ", MARATHON.day),
    )
    result = plan_team_race_week(KB, request, CpSatRaceWeekSolver())
    plan: RaceWeekPlan = result.plan
    assert (result.problem.first_day, result.problem.last_day) == (
        dt.date(2027, 3, 7),
        dt.date(2027, 3, 21),
    )
    assert plan.served_clients == 2
    for session in plan.assignments:
        if session.phase is Phase.PRE_RACE:
            assert session.day < MARATHON.day
        else:
            assert session.day > MARATHON.day
    cautious = [a for a in plan.assignments if (a.client_id, a.phase) == ("b", Phase.PRE_RACE)]
    assert cautious[0].kind is SessionKind.FLUSH  # cautious: no sports massage in race week


def test_an_entrant_not_racing_the_event_is_left_out_and_named() -> None:
    other = Race("Trail 30", dt.date(2027, 3, 13), Priority.B, 30.0)
    request = RaceWeekRequest(
        (entrant("a", MARATHON), entrant("z", other)), TEAM, Event("City Marathon", MARATHON.day)
    )
    result = plan_team_race_week(KB, request, CpSatRaceWeekSolver())
    assert result.not_racing == ("z",)
    assert [c.id for c in result.problem.clients] == ["a"]


def test_without_an_event_each_entrant_is_planned_around_their_own_a_or_b_race() -> None:
    tune_up = Race("Parkrun", dt.date(2027, 3, 6), Priority.C, 5.0)
    request = RaceWeekRequest(
        (entrant("a", tune_up, MARATHON),),
        TEAM,
        first_day=dt.date(2027, 3, 1),
        last_day=dt.date(2027, 3, 21),
    )
    result = plan_team_race_week(KB, request, CpSatRaceWeekSolver())
    assert result.problem.clients[0].race == MARATHON


@pytest.mark.parametrize(
    ("first", "last"),
    [
        (None, None),
        (dt.date(2027, 3, 9), dt.date(2027, 3, 8)),
        (dt.date(2027, 1, 1), dt.date(2027, 12, 31)),
    ],
)
def test_days_that_make_no_sense_are_refused(first: dt.date | None, last: dt.date | None) -> None:
    request = RaceWeekRequest((entrant("a", MARATHON),), TEAM, first_day=first, last_day=last)
    with pytest.raises(InvalidValue):
        plan_team_race_week(KB, request, CpSatRaceWeekSolver())
