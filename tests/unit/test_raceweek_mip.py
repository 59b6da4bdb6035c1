"""The restricted MIP search for over-capacity race weeks: when it runs, that its schedule
obeys every row of the model and the independent checker, and that a broken one is refused."""

from __future__ import annotations

import datetime as dt

from ortools.sat.python import cp_model_helper as cmh
from tests.support.raceweek import MONDAY, SERVICES, client, therapist

from rubdown.domain.clinic.raceweek import (
    Need,
    Phase,
    RaceWeekProblem,
    choices_for,
    greedy,
    plan_from,
    score,
    weights,
)
from rubdown.domain.clinic.raceweek_check import check_plan
from rubdown.domain.model import SessionKind
from rubdown.solver.raceweek_cpsat import CpSatRaceWeekSolver, Progress, build_proto, relaxation
from rubdown.solver.raceweek_mip import over_capacity, restricted_mip, satisfies

BOTH = (
    Need(Phase.PRE_RACE, (SessionKind.SPORTS, SessionKind.FLUSH)),
    Need(Phase.POST_RACE, (SessionKind.FLUSH,)),
)


def crowded(weekly_cap: int) -> RaceWeekProblem:
    """Five clients, two needs each, one therapist with ``weekly_cap`` sessions a week."""
    clients = tuple(client(f"c{n}", needs=BOTH) for n in range(5))
    team = (therapist("mon 08:00-18:00, thu 08:00-18:00", max_sessions_per_week=weekly_cap),)
    return RaceWeekProblem(clients, team, MONDAY, MONDAY + dt.timedelta(days=13), SERVICES)


def test_a_week_asking_more_sessions_than_the_weekly_caps_allow_is_over_capacity() -> None:
    assert over_capacity(choices_for(crowded(weekly_cap=2)))
    assert not over_capacity(choices_for(crowded(weekly_cap=25)))


def test_the_restricted_search_serves_as_many_clients_as_the_caps_allow() -> None:
    problem = crowded(weekly_cap=2)
    choices = choices_for(problem)
    built = build_proto(cmh, choices)
    relaxed = relaxation(built)
    assert relaxed is not None
    found = restricted_mip(built, relaxed.values, 10.0, 0.0)
    assert found is not None
    plan = plan_from(choices, found)
    assert check_plan(problem, plan) == []
    # Two sessions a week over two weeks: two clients served whole at most.
    assert plan.served_clients == 2
    assert score(choices, found) >= score(choices, greedy(choices, relaxed.values))


def test_the_solver_proves_an_over_capacity_week_through_the_restricted_search() -> None:
    problem = crowded(weekly_cap=2)
    choices = choices_for(problem)
    runs: list[Progress] = []
    selection = CpSatRaceWeekSolver(relative_gap=0.01, on_progress=runs.append).solve(choices)
    assert check_plan(problem, plan_from(choices, selection)) == []
    assert selection.objective == score(choices, selection)
    assert runs[0].gap <= 0.01
    assert selection.objective // weights(choices).client == 2


def test_a_schedule_breaking_a_weekly_cap_is_refused_by_the_row_check() -> None:
    choices = choices_for(crowded(weekly_cap=2))
    built = build_proto(cmh, choices)
    values = [0] * len(built.proto.variables)
    for var in built.counts.values():  # every block full of every kind: over every cap
        values[var] = built.proto.variables[var].domain[1]
    assert not satisfies(built.proto, values)
    assert satisfies(built.proto, [0] * len(built.proto.variables))
