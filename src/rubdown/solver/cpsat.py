"""Placement with OR-Tools CP-SAT: one Boolean per candidate, linear limits, one objective.

One worker and a fixed seed: a season for one runner solves in milliseconds, and a single
worker makes the answer repeatable (parallel CP-SAT may return a different optimum of the
same value on each run, which would shuffle a runner's calendar for no reason).
"""

from __future__ import annotations

from collections import defaultdict

from ortools.sat.python import cp_model

from rubdown.domain.placement import Placement, PlacementProblem
from rubdown.errors import PlanningError

TIME_LIMIT_S = 20.0


class CpSatSolver:
    def __init__(self, time_limit_s: float = TIME_LIMIT_S) -> None:
        self.time_limit_s = time_limit_s

    def solve(self, problem: PlacementProblem) -> Placement:
        if not problem.candidates:
            return Placement((), "optimal")
        model = cp_model.CpModel()
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
            self._add_window(model, problem, picks, window.groups, window.days)
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
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = 0
        solver.parameters.max_time_in_seconds = self.time_limit_s
        status = solver.solve(model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            raise PlanningError(f"the optimiser found no plan ({solver.status_name(status)})")
        chosen = tuple(i for i, var in enumerate(picks) if solver.value(var))
        return Placement(chosen, "optimal" if status == cp_model.OPTIMAL else "feasible")

    @staticmethod
    def _add_window(
        model: cp_model.CpModel,
        problem: PlacementProblem,
        picks: list[cp_model.IntVar],
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
