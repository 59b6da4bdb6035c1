"""A second search for over-capacity race weeks: SCIP (bundled with OR-Tools) on the same
model, restricted to the clients the linear relaxation serves at least in part.

When the weeks ask for more sessions than the weekly caps allow, the question is which
clients to serve, and CP-SAT's search from a rounded start improved it by a client or two a
minute (294 of at most 300 after 60 s on the bench's 3 weeks). The relaxation already points
at the few hundred clients worth serving; a branch and bound over just their candidates finds
a schedule within 1 % of the relaxation's bound in seconds. The relaxation's optimum still
bounds every schedule of the whole model, so the gap reported stays an honest one.

Same rows, same weights, same objective as ``raceweek_cpsat.build_proto``: the model proto is
read row by row into ``pywraplp``, and candidates of the clients left out are fixed at 0.
"""

from __future__ import annotations

import threading
from collections.abc import Collection
from typing import Any

from rubdown.domain.clinic.raceweek import Choices, Selection, week_of

INT64_MIN = -(2**63)
# A candidate whose relaxed value is above this counts its client in the restricted model.
SUPPORT_MIN = 1e-3


def load_rows(solver: Any, proto: Any, integral: bool, fixed: Collection[int] = ()) -> list[Any]:
    """``proto``'s variables, rows and (maximised) objective in a ``pywraplp`` solver. The
    variables in ``fixed`` stay 0 and get no column at all (None in the list returned): on
    the bench's 3 weeks that leaves SCIP 17,000 of the 45,000 Booleans to read and presolve."""
    make = solver.IntVar if integral else solver.NumVar
    xs = [
        None if n in fixed else make(v.domain[0], v.domain[len(v.domain) - 1], "")
        for n, v in enumerate(proto.variables)
    ]
    for constraint in proto.constraints:
        # has_...() before reading: touching a field of another kind would switch the oneof.
        if constraint.has_at_most_one():
            row = solver.RowConstraint(-solver.infinity(), 1, "")
            for literal in constraint.at_most_one.literals:
                if xs[literal] is not None:
                    row.SetCoefficient(xs[literal], 1)
        elif constraint.has_linear():
            linear = constraint.linear
            low = linear.domain[0]
            row = solver.RowConstraint(
                -solver.infinity() if low == INT64_MIN else low, linear.domain[1], ""
            )
            for var, coeff in zip(linear.vars, linear.coeffs, strict=True):
                if xs[var] is not None:
                    row.SetCoefficient(xs[var], coeff)
    objective = solver.Objective()
    for var, coeff in zip(proto.objective.vars, proto.objective.coeffs, strict=True):
        if xs[var] is not None:
            objective.SetCoefficient(xs[var], -coeff)  # stored negated: CP-SAT minimises
    objective.SetMaximization()
    return xs


def over_capacity(choices: Choices) -> bool:
    """More needs with a candidate than sessions the weekly caps allow in all: the plan is a
    choice of clients, the case this search is for (the 12 weeks of the bench are not)."""
    weeks = {week_of(c.day) for c in choices.candidates}
    therapists = choices.problem.therapists
    seats = sum(
        max(0, t.max_sessions_per_week - t.booked_sessions(monday))
        for t in therapists
        for monday in weeks
    )
    needs = {(c.client, c.need) for c in choices.candidates}
    return len(needs) > seats


def restricted_mip(
    built: Any, values: list[float], time_limit_s: float, relative_gap: float
) -> Selection | None:
    """The best schedule SCIP finds within ``time_limit_s`` over the clients the relaxation
    (``values``, per candidate) gives a share to; None without SCIP or without a schedule."""
    search = RestrictedSearch(built, values, time_limit_s, relative_gap)
    search.start()
    return search.result()


class RestrictedSearch:
    """``restricted_mip`` in a thread of its own: SCIP's search runs in C++ without Python's
    lock, so the caller rounds its own first schedule meanwhile (about a second on the bench's
    3 weeks) and may stop SCIP once that is close enough."""

    def __init__(
        self, built: Any, values: list[float], time_limit_s: float, relative_gap: float
    ) -> None:
        from ortools.linear_solver import pywraplp

        self._pywraplp = pywraplp
        self._built = built
        self._solver = pywraplp.Solver.CreateSolver("SCIP")
        self._found: Selection | None = None
        self._thread: threading.Thread | None = None
        if self._solver is None:
            return
        kept = {built.needs[i][0] for i, value in enumerate(values) if value > SUPPORT_MIN}
        fixed = {var for i, var in enumerate(built.picks) if built.needs[i][0] not in kept}
        fixed |= {var for client, (var, _) in built.served.items() if client not in kept}
        self._xs = load_rows(self._solver, built.proto, integral=True, fixed=fixed)
        self._solver.SetTimeLimit(max(1, int(time_limit_s * 1000)))
        self._parameters = pywraplp.MPSolverParameters()
        self._parameters.SetDoubleParam(self._parameters.RELATIVE_MIP_GAP, relative_gap)

    def start(self) -> None:
        if self._solver is not None:
            self._thread = threading.Thread(target=self._run, name="race-week-scip")
            self._thread.start()

    def stop(self) -> None:
        """Ask SCIP to stop now; ``result`` then has its best schedule so far, if any."""
        if self._solver is not None:
            self._solver.InterruptSolve()

    def result(self) -> Selection | None:
        if self._thread is not None:
            self._thread.join()
        return self._found

    def _run(self) -> None:
        pywraplp, solver, built = self._pywraplp, self._solver, self._built
        status = solver.Solve(self._parameters)
        if status not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
            return
        found = [0 if x is None else round(x.solution_value()) for x in self._xs]
        if not satisfies(built.proto, found):
            return
        chosen = tuple(i for i, var in enumerate(built.picks) if found[var])
        counts = {key: found[var] for key, var in built.counts.items() if found[var]}
        self._found = Selection(chosen, counts, "feasible")


def satisfies(proto: Any, values: list[int]) -> bool:
    """Every row of the model holds for ``values`` (one integer per variable). SCIP works to
    tolerances and its answer is rounded here; a schedule breaking a limit must never leave."""
    if any(
        not v.domain[0] <= values[n] <= v.domain[len(v.domain) - 1]
        for n, v in enumerate(proto.variables)
    ):
        return False
    for constraint in proto.constraints:
        if constraint.has_at_most_one():
            if sum(values[lit] for lit in constraint.at_most_one.literals) > 1:
                return False
        elif constraint.has_linear():
            linear = constraint.linear
            total = sum(values[v] * k for v, k in zip(linear.vars, linear.coeffs, strict=True))
            if not linear.domain[0] <= total <= linear.domain[1]:
                return False
    return True
