"""Placement with OR-Tools CP-SAT: one Boolean per candidate, linear limits, one objective.

One worker and a fixed seed: a season for one runner solves in milliseconds, and a single
worker makes the answer repeatable (parallel CP-SAT may return a different optimum of the
same value on each run, which would shuffle a runner's calendar for no reason).

The model is built on ``cp_model_helper``, the C++ core that OR-Tools' ``cp_model`` module
wraps, not on ``cp_model`` itself: that module imports pandas and NumPy at the top, which
costs ``rubdown plan`` about 0.35 s of CPU before the first constraint, for features (pandas
series of variables) we never use. ``Model`` below gives the four calls we use the same
meaning as ``cp_model.CpModel``'s, so both build the same model proto (a test compares them).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Protocol

from ortools.sat.python import cp_model_helper as cmh
from ortools.util.python.sorted_interval_list import Domain

from rubdown.domain.placement import Placement, PlacementProblem
from rubdown.errors import PlanningError

TIME_LIMIT_S = 20.0


class ModelBuilder(Protocol):
    """What ``build_model`` asks of a model: ``Model`` here, or ``cp_model.CpModel``."""

    def new_bool_var(self, name: str) -> Any: ...
    def add_at_most_one(self, *literals: Any) -> Any: ...
    def add(self, ct: Any) -> Any: ...
    def maximize(self, obj: Any) -> None: ...


class Model(cmh.CpBaseModel):
    """The part of ``cp_model.CpModel`` the placement needs, as that class implements it.

    The two ``_add_*`` methods are the C++ core's, public in all but name (``cp_model`` calls
    them the same way) and missing from its type stub."""

    def __init__(self) -> None:
        cmh.CpBaseModel.__init__(self, None)

    def new_bool_var(self, name: str) -> Any:
        return cmh.IntVar(self.model_proto).with_name(name).with_domain(Domain(0, 1))

    def add_at_most_one(self, *literals: Any) -> Any:
        return self._add_bool_argument_constraint(  # type: ignore[attr-defined]
            cmh.BoolArgumentConstraint.at_most_one, *literals
        )

    def add(self, ct: Any) -> Any:
        assert isinstance(ct, cmh.BoundedLinearExpression), type(ct)
        return self._add_bounded_linear_expression(ct)  # type: ignore[attr-defined]

    def maximize(self, obj: Any) -> None:
        # cp_model's integer objective: CP-SAT minimises, so a maximum is stored negated.
        self.model_proto.clear_objective()
        self.model_proto.clear_floating_point_objective()
        flat = cmh.FlatIntExpr(obj)
        objective = self.model_proto.objective
        for var in flat.vars:
            objective.vars.append(var.index)
        objective.scaling_factor = -1.0
        objective.offset = -flat.offset
        for coeff in flat.coeffs:
            objective.coeffs.append(-coeff)


class CpSatSolver:
    def __init__(self, time_limit_s: float = TIME_LIMIT_S) -> None:
        self.time_limit_s = time_limit_s

    def solve(self, problem: PlacementProblem) -> Placement:
        if not problem.candidates:
            return Placement((), "optimal")
        model = Model()
        picks = build_model(model, problem)
        parameters = cmh.SatParameters()
        parameters.num_workers = 1
        parameters.random_seed = 0
        parameters.max_time_in_seconds = self.time_limit_s
        wrapper = cmh.SolveWrapper()
        wrapper.set_parameters(parameters)
        response = wrapper.solve(model.model_proto)  # type: ignore[no-untyped-call]
        status = response.status
        if status not in (cmh.CpSolverStatus.OPTIMAL, cmh.CpSolverStatus.FEASIBLE):
            raise PlanningError(f"the optimiser found no plan ({status.name})")
        chosen = tuple(i for i, var in enumerate(picks) if cmh.ResponseHelper.value(response, var))
        return Placement(chosen, "optimal" if status == cmh.CpSolverStatus.OPTIMAL else "feasible")


def build_model(model: ModelBuilder, problem: PlacementProblem) -> list[Any]:
    """Add the placement's variables, limits and objective to ``model``; the picks, in order."""
    picks = [model.new_bool_var(f"x{i}") for i in range(len(problem.candidates))]

    by_slot: dict[str, list[int]] = defaultdict(list)
    by_month: dict[tuple[int, int], list[int]] = defaultdict(list)
    for i, candidate in enumerate(problem.candidates):
        by_slot[candidate.slot].append(i)
        by_month[problem.month(candidate)].append(i)
    for members in by_slot.values():
        if len(members) > 1:
            model.add_at_most_one(picks[i] for i in members)
    for month, members in by_month.items():
        cap = problem.monthly_cap_cents.get(month, 0)
        model.add(sum(problem.candidates[i].price_cents * picks[i] for i in members) <= cap)
    for window in problem.windows:
        _add_window(model, problem, picks, window.groups, window.days)
    by_group_month: dict[tuple[str, tuple[int, int]], list[int]] = defaultdict(list)
    for i, candidate in enumerate(problem.candidates):
        by_group_month[(candidate.group, problem.month(candidate))].append(i)
    for key, cap in problem.monthly_group_caps.items():
        members = by_group_month.get(key, [])
        if len(members) > cap:
            model.add(sum(picks[i] for i in members) <= cap)

    first_day = min(c.day for c in problem.candidates)
    # Ties go to the earlier day: values are scaled so the tie-break never outweighs them.
    model.maximize(
        sum(
            (c.value * 1000 - (c.day - first_day).days) * picks[i]
            for i, c in enumerate(problem.candidates)
        )
    )
    return picks


def _add_window(
    model: ModelBuilder,
    problem: PlacementProblem,
    picks: list[Any],
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
            model.add_at_most_one(picks[i] for i in members)
