"""A team's race week with OR-Tools CP-SAT: one Boolean per candidate session, knapsack rows
for the therapists' blocks, days and weeks, and the lexicographic objective as one sum.

The model is the slot assignment ``domain.clinic.raceweek`` describes: a Boolean per
candidate (a need on a day, day part and kind) and an integer per block and kind (how many
such sessions the block holds), so no start-time variables are needed. Rows:

- at most one candidate per need (a client's pre-race or post-race session);
- per (day, day part, kind), the chosen candidates equal the seats the blocks give;
- a block's lengths and buffers fit in its minutes;
- a therapist's hands-on minutes a day and sessions a week stay under their caps;
- a client counts as served only when each of their needs is placed.

The search starts from the domain's greedy schedule (a hint; optionally rounded from the
linear relaxation), which is also the answer if the time runs out before CP-SAT reports one.
Weeks that ask for more sessions than the weekly caps allow go first to SCIP over the clients
the relaxation serves (``solver.raceweek_mip``); CP-SAT runs only if that is not close enough.

OR-Tools is imported inside ``solve``, so importing this module (and ``rubdown --help``)
costs nothing; the proto is written through ``cp_model_helper`` as ``solver.cpsat`` does, to
leave out the pandas and NumPy that ``cp_model`` imports.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from rubdown.domain.clinic.raceweek import (
    Choices,
    Selection,
    ServiceLength,
    Slot,
    greedy,
    score,
    top_up,
    week_of,
    weights,
)
from rubdown.domain.model import SessionKind
from rubdown.errors import PlanningError
from rubdown.solver.raceweek_mip import INT64_MIN, RestrictedSearch, load_rows, over_capacity

TIME_LIMIT_S = 10.0


@dataclass
class Progress:
    """When each better schedule was found (seconds from the start of the solve), for the
    bench: the first one, and how the objective and bound moved."""

    started: float = 0.0
    solutions: list[tuple[float, int]] = field(default_factory=list)  # (seconds, objective)
    build_s: float = 0.0
    first_schedule_s: float = 0.0  # the greedy's schedule, before CP-SAT starts
    wall_s: float = 0.0
    objective: int = 0
    bound: int = 0
    status: str = ""
    # Which search gave the schedule returned: "rounded" (the relaxation's rounding, proved
    # at once), "scip" (the restricted MIP of over-capacity weeks) or "cp-sat".
    found_by: str = "cp-sat"

    @property
    def first_solution_s(self) -> float | None:
        return self.solutions[0][0] if self.solutions else None

    @property
    def gap(self) -> float:
        """The relative gap CP-SAT proved: (bound - objective) / bound."""
        if self.bound <= 0:
            return 0.0
        return max(0.0, (self.bound - self.objective) / self.bound)


class CpSatRaceWeekSolver:
    """Solves to a proven relative gap (0: optimal) or the time limit, whichever is first.

    One worker and a fixed seed by default, for the same schedule on every run (as the
    season planner); the bench runs two, one per core.
    """

    def __init__(
        self,
        time_limit_s: float = TIME_LIMIT_S,
        *,
        relative_gap: float = 0.0,
        workers: int = 1,
        seed: int = 0,
        on_progress: Callable[[Progress], None] | None = None,
        guided: bool = True,
        mip: bool = True,
    ) -> None:
        self.guided = guided
        self.mip = mip
        self.time_limit_s = time_limit_s
        self.relative_gap = relative_gap
        self.workers = workers
        self.seed = seed
        self.on_progress = on_progress

    def solve(self, choices: Choices) -> Selection:
        from ortools.sat.python import cp_model_helper as cmh

        progress = Progress(started=time.perf_counter())
        if not choices.candidates:
            return Selection((), {}, "optimal")
        built = build_proto(cmh, choices)
        progress.build_s = time.perf_counter() - progress.started
        relaxed = relaxation(built) if self.guided else None
        search = None
        if relaxed is not None and self.mip and over_capacity(choices):
            # Over-capacity weeks: SCIP on the relaxation's clients, in its own thread
            # while the rounding below makes the first schedule.
            search = self._restricted(built, relaxed, progress)
        if relaxed is None:
            start = greedy(choices)
        else:
            start = greedy(choices, relaxed.values, relaxed.seats)
        progress.first_schedule_s = time.perf_counter() - progress.started
        if relaxed is not None:
            # The relaxation's optimum bounds every schedule: when the first one is already
            # within the gap asked for, that is proved, and CP-SAT has nothing to add.
            progress.objective = score(choices, start)
            progress.bound = math.floor(relaxed.bound + 1e-6 * abs(relaxed.bound))
            progress.solutions.append((progress.first_schedule_s, progress.objective))
            progress.found_by = "rounded"
            if search is not None:
                if progress.gap <= self.relative_gap:
                    search.stop()
                found = search.result()
                if found is not None and score(choices, found) > progress.objective:
                    start = found
                    progress.found_by = "scip"
                    progress.objective = score(choices, start)
                    progress.solutions.append(
                        (time.perf_counter() - progress.started, progress.objective)
                    )
            if progress.gap <= self.relative_gap:
                progress.wall_s = time.perf_counter() - progress.started
                progress.status = "optimal" if progress.objective >= progress.bound else "feasible"
                if self.on_progress is not None:
                    self.on_progress(progress)
                return replace(
                    start,
                    status=progress.status,
                    objective=progress.objective,
                    bound=progress.bound,
                )
        _hint(built, start)
        parameters = cmh.SatParameters()
        parameters.num_workers = self.workers
        parameters.random_seed = self.seed
        # Whatever the restricted search took comes off CP-SAT's time.
        spent_s = time.perf_counter() - progress.started - progress.build_s
        parameters.max_time_in_seconds = max(0.1, self.time_limit_s - spent_s)
        parameters.relative_gap_limit = self.relative_gap
        # Measured on the bench: presolve spent most of the time limit probing 46,000
        # Booleans without tightening anything, and with the rows added to the linear
        # relaxation lazily the proved bound stayed at the trivial one (every client served);
        # with all rows from the start it reaches the true relaxation (within 1 of the optimum).
        parameters.cp_model_presolve = False
        parameters.add_lp_constraints_lazily = False
        wrapper = cmh.SolveWrapper()
        wrapper.set_parameters(parameters)

        class Recorder(cmh.SolutionCallback):
            def OnSolutionCallback(self) -> None:
                seconds = time.perf_counter() - progress.started
                progress.solutions.append((seconds, round(self.ObjectiveValue())))

        callback = Recorder()
        wrapper.add_solution_callback(callback)
        response = wrapper.solve(built.proto)  # type: ignore[no-untyped-call]
        wrapper.clear_solution_callback(callback)
        progress.wall_s = time.perf_counter() - progress.started
        status = response.status
        if status == cmh.CpSolverStatus.UNKNOWN:
            # The time ran out before CP-SAT reported a schedule: the first one stands.
            progress.status = "feasible"
            start = top_up(choices, start)
            progress.objective = score(choices, start)
            if self.on_progress is not None:
                self.on_progress(progress)
            return replace(start, objective=progress.objective)
        if status not in (cmh.CpSolverStatus.OPTIMAL, cmh.CpSolverStatus.FEASIBLE):
            raise PlanningError(f"the optimiser found no race-week schedule ({status.name})")
        # Maximised objectives are stored negated (scaling factor -1), so the values read back
        # are the maximum's own.
        progress.objective = round(response.objective_value)
        progress.bound = round(response.best_objective_bound)
        # CP-SAT says OPTIMAL once the gap limit is met; only a closed gap is called optimal.
        optimal = status == cmh.CpSolverStatus.OPTIMAL and progress.objective >= progress.bound
        progress.status = "optimal" if optimal else "feasible"
        progress.found_by = "cp-sat"
        solution = response.solution
        chosen = tuple(i for i, var in enumerate(built.picks) if solution[var])
        counts = {key: int(solution[var]) for key, var in built.counts.items() if solution[var]}
        found = Selection(chosen, counts, progress.status, progress.objective, progress.bound)
        if not optimal:
            # A search stopped by its time limit may leave room that a need could use.
            found = top_up(choices, found)
            progress.objective = score(choices, found)
            found = replace(found, objective=progress.objective)
        if self.on_progress is not None:
            self.on_progress(progress)
        return found

    def _restricted(
        self, built: Built, relaxed: Relaxation, progress: Progress
    ) -> RestrictedSearch | None:
        """SCIP over the relaxation's clients, started, with what is left of the time."""
        spent_s = time.perf_counter() - progress.started - progress.build_s
        left_s = self.time_limit_s - spent_s
        if left_s <= 0:
            return None
        # SCIP's bound holds for the restricted model only and may sit below the
        # relaxation's, so its stop is asked at half the gap: the schedule it stops at is
        # then usually within the whole gap of the relaxation's bound too (checked after).
        search = RestrictedSearch(built, relaxed.values, left_s, self.relative_gap / 2)
        search.start()
        return search


@dataclass(frozen=True)
class Relaxation:
    values: list[float]  # per candidate
    seats: dict[tuple[int, SessionKind], float]  # per block and kind
    bound: float  # the relaxation's optimum: no schedule scores more


def relaxation(built: Built) -> Relaxation | None:
    """The model's linear relaxation, solved by Glop (OR-Tools' simplex): each candidate's
    value, which the first schedule is rounded from, and the optimum, a bound no schedule
    beats. CP-SAT proves the same bound itself, but later; its search alone stayed a tenth
    below it on the three weeks of the bench. None if Glop fails."""
    from ortools.linear_solver import pywraplp

    solver = pywraplp.Solver.CreateSolver("GLOP")
    if solver is None:
        return None
    xs = load_rows(solver, built.proto, integral=False)
    objective = solver.Objective()
    if solver.Solve() != pywraplp.Solver.OPTIMAL:
        return None
    return Relaxation(
        [xs[var].solution_value() for var in built.picks],
        {key: xs[var].solution_value() for key, var in built.counts.items()},
        objective.Value(),
    )


def _hint(built: Built, start: Selection) -> None:
    """Start the search from ``start``: every candidate and count, chosen or not."""
    chosen = set(start.chosen)
    hint = built.proto.solution_hint
    hint.vars.extend(built.picks)
    hint.values.extend(1 if i in chosen else 0 for i in range(len(built.picks)))
    hint.vars.extend(built.counts.values())
    hint.values.extend(start.counts.get(key, 0) for key in built.counts)
    placed = {built.needs[i] for i in chosen}
    for client, (var, needs) in built.served.items():
        hint.vars.append(var)
        hint.values.append(int(all((client, n) in placed for n in needs)))


@dataclass
class Built:
    """The model proto and where each decision lives in it."""

    proto: Any
    picks: list[int]  # per candidate, its Boolean
    counts: dict[tuple[int, SessionKind], int]  # (block, kind) -> its integer variable
    needs: list[tuple[int, int]]  # per candidate, its (client, need)
    served: dict[int, tuple[int, range]]  # client -> (its Boolean, its needs)


def build_proto(cmh: Any, choices: Choices) -> Built:
    proto = cmh.CpModelProto()
    variables = proto.variables
    constraints = proto.constraints
    candidates = choices.candidates

    def new_var(upper: int) -> int:
        variables.add().domain.extend((0, upper))
        return len(variables) - 1

    def linear(terms: list[tuple[int, int]], low: int, high: int) -> None:
        row = constraints.add().linear
        row.vars.extend(var for var, _ in terms)
        row.coeffs.extend(coeff for _, coeff in terms)
        row.domain.extend((low, high))

    picks = [new_var(1) for _ in candidates]
    by_need: dict[tuple[int, int], list[int]] = defaultdict(list)
    by_slot: dict[Slot, list[int]] = defaultdict(list)
    for i, candidate in enumerate(candidates):
        by_need[(candidate.client, candidate.need)].append(i)
        by_slot[candidate.slot].append(i)
    for members in by_need.values():
        if len(members) > 1:
            constraints.add().at_most_one.literals.extend(picks[i] for i in members)

    # How many sessions of each kind each block holds, for the kinds someone may book there.
    blocks = choices.blocks
    counts: dict[tuple[int, SessionKind], int] = {}
    for slot, members in by_slot.items():
        kind = slot[2]
        service = choices.footprint(kind)
        seats = []
        for b in choices.blocks_by_slot.get(slot, ()):
            upper = min(blocks[b].minutes // service.footprint_min, len(members))
            counts[(b, kind)] = new_var(upper)
            seats.append(counts[(b, kind)])
        # The slot's chosen clients and the seats its blocks give are the same number.
        linear([*((picks[i], 1) for i in members), *((v, -1) for v in seats)], 0, 0)

    by_block: dict[int, list[tuple[int, ServiceLength]]] = defaultdict(list)
    by_day: dict[tuple[int, dt.date], list[tuple[int, ServiceLength]]] = defaultdict(list)
    by_week: dict[tuple[int, dt.date], list[int]] = defaultdict(list)
    for (b, kind), var in counts.items():
        block, service = blocks[b], choices.footprint(kind)
        by_block[b].append((var, service))
        by_day[(block.therapist, block.day)].append((var, service))
        by_week[(block.therapist, week_of(block.day))].append(var)
    for b, held in by_block.items():
        if len(held) > 1:
            linear([(v, s.footprint_min) for v, s in held], 0, blocks[b].minutes)
    therapists = choices.problem.therapists
    # Bookings made before the plan have used part of each cap already.
    for (t, day), held in by_day.items():
        cap = max(0, therapists[t].max_hands_on_min_per_day - therapists[t].booked_min(day))
        linear([(v, s.length_min) for v, s in held], 0, cap)
    for (t, monday), held_vars in by_week.items():
        cap = max(0, therapists[t].max_sessions_per_week - therapists[t].booked_sessions(monday))
        linear([(v, 1) for v in held_vars], 0, cap)

    weight = weights(choices)
    objective = [(picks[i], weight.session + c.value) for i, c in enumerate(candidates)]
    # A client counts as served only when each of their needs is placed: one Boolean per
    # client whose every need has a candidate (the others can never be served).
    served_vars: dict[int, tuple[int, range]] = {}
    for c, client in enumerate(choices.problem.clients):
        needs = [by_need.get((c, n), []) for n in range(len(client.needs))]
        if not client.needs or not all(needs):
            continue
        served = new_var(1)
        served_vars[c] = (served, range(len(client.needs)))
        for members in needs:
            linear([(served, 1), *((picks[i], -1) for i in members)], INT64_MIN, 0)
        objective.append((served, weight.client))
    proto.objective.vars.extend(var for var, _ in objective)
    proto.objective.coeffs.extend(-coeff for _, coeff in objective)
    proto.objective.scaling_factor = -1.0
    needs_of = [(c.client, c.need) for c in candidates]
    return Built(proto, picks, counts, needs_of, served_vars)
