"""The CP-SAT placement builds the model OR-Tools' own ``cp_model`` would build, bit for bit.

``solver.cpsat`` skips ``cp_model`` (it imports pandas and NumPy) and writes the model proto
itself; if it, or a future OR-Tools, wrote something else than ``cp_model`` does for the same
sums, these tests say so before a runner's plan changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import pytest
from bench.plan import SCENARIOS, START, WEEKS, season
from ortools.sat.python import cp_model

from rubdown.domain.model import Condition, Frequency, PolicyName, Profile
from rubdown.domain.placement import Placement, PlacementProblem
from rubdown.domain.planner import PlanRequest, build_plan
from rubdown.knowledge import load_knowledge_base
from rubdown.solver.cpsat import CpSatSolver, ProtoModel, Terms, build_model


class CpModelBuilder:
    """The same calls on ``cp_model.CpModel``, spelled as the placement spelled them with it."""

    def __init__(self) -> None:
        self.model = cp_model.CpModel()
        self.vars: list[cp_model.IntVar] = []

    def new_bool(self, name: str) -> int:
        self.vars.append(self.model.new_bool_var(name))
        return len(self.vars) - 1

    def at_most_one(self, literals: Iterable[int]) -> None:
        self.model.add_at_most_one(self.vars[i] for i in literals)

    def at_most(self, terms: Terms, cap: int) -> None:
        self.model.add(sum(coeff * self.vars[i] for i, coeff in terms) <= cap)

    def maximize(self, terms: Terms) -> None:
        self.model.maximize(sum(coeff * self.vars[i] for i, coeff in terms))


class Recording:
    """Solves with CP-SAT and keeps each problem it was asked."""

    def __init__(self) -> None:
        self.problems: list[PlacementProblem] = []

    def solve(self, problem: PlacementProblem) -> Placement:
        self.problems.append(problem)
        return CpSatSolver().solve(problem)


def season_problems(scenario: str, frequency: Frequency) -> list[PlacementProblem]:
    profile = Profile(
        policy=PolicyName.STANDARD,
        frequency=frequency,
        budget_per_month=400,
        session_price=80,
        conditions=frozenset({Condition.TIGHT_CALVES}),
    )
    end = START + dt.timedelta(weeks=WEEKS, days=-1)
    recording = Recording()
    build_plan(PlanRequest(season(scenario), profile, START, end), load_knowledge_base(), recording)
    assert recording.problems
    return recording.problems


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
@pytest.mark.parametrize("frequency", [Frequency.WEEKLY, Frequency.MONTHLY])
def test_the_model_proto_is_the_one_cp_model_builds(scenario: str, frequency: Frequency) -> None:
    for problem in season_problems(scenario, frequency):
        ours = ProtoModel()
        build_model(ours, problem)
        theirs = CpModelBuilder()
        build_model(theirs, problem)
        assert len(ours.proto.constraints) > 0
        assert str(ours.proto) == str(theirs.model.proto)


def test_the_answer_is_the_one_cp_models_solver_gives() -> None:
    problem = max(season_problems("clustered", Frequency.WEEKLY), key=lambda p: len(p.candidates))
    theirs = CpModelBuilder()
    picks = build_model(theirs, problem)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = 0
    assert solver.solve(theirs.model) == cp_model.OPTIMAL
    expected = tuple(i for i, var in enumerate(picks) if solver.value(theirs.vars[var]))
    assert expected
    assert CpSatSolver().solve(problem) == Placement(expected, "optimal")
