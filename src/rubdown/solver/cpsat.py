"""Placement with OR-Tools CP-SAT: one Boolean per candidate, linear limits, one objective.

One worker and a fixed seed: a season for one runner solves in milliseconds, and a single
worker makes the answer repeatable (parallel CP-SAT may return a different optimum of the
same value on each run, which would shuffle a runner's calendar for no reason).

The model is written straight into CP-SAT's model proto through ``cp_model_helper``, the
C++ core that OR-Tools' ``cp_model`` module wraps, not through ``cp_model`` itself: that module
imports pandas and NumPy at the top (and its model class imports NumPy when made), which costs
``rubdown plan`` about 0.4 s of CPU before the first constraint, for features (pandas series of
variables, NumPy scalars) the placement never uses. ``ProtoModel`` writes what ``cp_model``
would write for the same calls; a test builds each model both ways and compares the protos.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Protocol

from ortools.sat.python import cp_model_helper as cmh

from rubdown.domain.placement import Placement, PlacementProblem
from rubdown.errors import PlanningError

TIME_LIMIT_S = 20.0
INT64_MIN = -(2**63)  # "no lower bound" in a linear constraint's domain, as cp_model writes it

Terms = Sequence[tuple[int, int]]  # (variable index, coefficient)


class ModelBuilder(Protocol):
    """What ``build_model`` asks of a model: Boolean variables by index and linear limits."""

    def new_bool(self, name: str) -> int: ...
    def at_most_one(self, literals: Iterable[int]) -> None: ...
    def at_most(self, terms: Terms, cap: int) -> None: ...
    def maximize(self, terms: Terms) -> None: ...


class ProtoModel:
    """A CP-SAT model proto, written as ``cp_model.CpModel`` writes it (zero terms left out,
    a maximum stored negated with a scaling factor of -1, since CP-SAT minimises)."""

    def __init__(self) -> None:
        self.proto = cmh.CpModelProto()

    def new_bool(self, name: str) -> int:
        variable = self.proto.variables.add()
        variable.name = name
        variable.domain.extend([0, 1])
        return len(self.proto.variables) - 1

    def at_most_one(self, literals: Iterable[int]) -> None:
        self.proto.constraints.add().at_most_one.literals.extend(literals)

    def at_most(self, terms: Terms, cap: int) -> None:
        linear = self.proto.constraints.add().linear
        kept = [(var, coeff) for var, coeff in terms if coeff != 0]
        linear.vars.extend(var for var, _ in kept)
        linear.coeffs.extend(coeff for _, coeff in kept)
        linear.domain.extend([INT64_MIN, cap])

    def maximize(self, terms: Terms) -> None:
        objective = self.proto.objective
        kept = [(var, coeff) for var, coeff in terms if coeff != 0]
        objective.vars.extend(var for var, _ in kept)
        objective.coeffs.extend(-coeff for _, coeff in kept)
        objective.scaling_factor = -1.0


class CpSatSolver:
    def __init__(self, time_limit_s: float = TIME_LIMIT_S) -> None:
        self.time_limit_s = time_limit_s

    def solve(self, problem: PlacementProblem) -> Placement:
        if not problem.candidates:
            return Placement((), "optimal")
        model = ProtoModel()
        picks = build_model(model, problem)
        parameters = cmh.SatParameters()
        parameters.num_workers = 1
        parameters.random_seed = 0
        parameters.max_time_in_seconds = self.time_limit_s
        wrapper = cmh.SolveWrapper()
        wrapper.set_parameters(parameters)
        response = wrapper.solve(model.proto)  # type: ignore[no-untyped-call]
        status = response.status
        if status not in (cmh.CpSolverStatus.OPTIMAL, cmh.CpSolverStatus.FEASIBLE):
            raise PlanningError(f"the optimiser found no plan ({status.name})")
        solution = response.solution
        chosen = tuple(i for i, var in enumerate(picks) if solution[var])
        return Placement(chosen, "optimal" if status == cmh.CpSolverStatus.OPTIMAL else "feasible")


def build_model(model: ModelBuilder, problem: PlacementProblem) -> list[int]:
    """Add the placement's variables, limits and objective to ``model``; the picks, in order."""
    picks = [model.new_bool(f"x{i}") for i in range(len(problem.candidates))]

    by_slot: dict[str, list[int]] = defaultdict(list)
    by_month: dict[tuple[int, int], list[int]] = defaultdict(list)
    for i, candidate in enumerate(problem.candidates):
        by_slot[candidate.slot].append(i)
        by_month[problem.month(candidate)].append(i)
    for members in by_slot.values():
        if len(members) > 1:
            model.at_most_one(picks[i] for i in members)
    for month, members in by_month.items():
        cap = problem.monthly_cap_cents.get(month, 0)
        model.at_most([(picks[i], problem.candidates[i].price_cents) for i in members], cap)
    for window in problem.windows:
        _add_window(model, problem, picks, window.groups, window.days)
    by_group_month: dict[tuple[str, tuple[int, int]], list[int]] = defaultdict(list)
    for i, candidate in enumerate(problem.candidates):
        by_group_month[(candidate.group, problem.month(candidate))].append(i)
    for key, cap in problem.monthly_group_caps.items():
        members = by_group_month.get(key, [])
        if len(members) > cap:
            model.at_most([(picks[i], 1) for i in members], cap)

    first_day = min(c.day for c in problem.candidates)
    # Ties go to the earlier day: values are scaled so the tie-break never outweighs them.
    model.maximize(
        [
            (picks[i], c.value * 1000 - (c.day - first_day).days)
            for i, c in enumerate(problem.candidates)
        ]
    )
    return picks


def _add_window(
    model: ModelBuilder,
    problem: PlacementProblem,
    picks: list[int],
    groups: frozenset[str],
    days: int,
) -> None:
    by_day: dict[int, list[int]] = defaultdict(list)
    for i, candidate in enumerate(problem.candidates):
        if candidate.group in groups:
            by_day[candidate.day.toordinal()].append(i)
    if not by_day:
        return
    ordinals = sorted(by_day)
    # One constraint per window start that holds a candidate: sum over [start, start+days).
    for start in ordinals:
        members = [i for day in range(start, start + days) for i in by_day.get(day, ())]
        if len(members) > 1:
            model.at_most_one(picks[i] for i in members)
