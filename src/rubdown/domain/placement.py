"""The placement problem the planner hands to an optimiser, and the optimiser's port.

The planner decides *what may happen* (each candidate was allowed by the rules engine) and
*what it is worth*; the optimiser only picks the best set of candidates under three kinds of
limit: one candidate per slot, spacing windows, and a monthly budget. Keeping the problem
this plain lets an exact solver (CP-SAT) and an independent checker agree on what it means.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class Candidate:
    slot: str  # at most one candidate per slot is chosen ("deep:2027-03", "post-event:<race>")
    day: dt.date
    group: str  # spacing windows name the groups they cover ("deep", "light")
    value: int  # worth of choosing it; larger is better
    price_cents: int


@dataclass(frozen=True)
class Window:
    """At most one chosen candidate of ``groups`` within any ``days`` consecutive days."""

    groups: frozenset[str]
    days: int


@dataclass(frozen=True)
class PlacementProblem:
    candidates: tuple[Candidate, ...]
    windows: tuple[Window, ...]
    monthly_cap_cents: dict[tuple[int, int], int]  # (year, month) -> what may still be spent
    # At most this many chosen candidates of a group in one calendar month ({"deep": 1}: F3's
    # deep session about once a month); a month already served may be capped at 0.
    monthly_group_caps: dict[tuple[str, tuple[int, int]], int] = field(default_factory=dict)

    def month(self, candidate: Candidate) -> tuple[int, int]:
        return (candidate.day.year, candidate.day.month)


@dataclass(frozen=True)
class Placement:
    chosen: tuple[int, ...]  # indexes into problem.candidates
    status: str  # "optimal", "feasible"


class Solver(Protocol):
    def solve(self, problem: PlacementProblem) -> Placement: ...


def violations(problem: PlacementProblem, chosen: Sequence[int]) -> list[str]:
    """Everything a placement breaks; an empty list means it is valid."""
    problems: list[str] = []
    picked = [problem.candidates[i] for i in chosen]
    slots: dict[str, int] = {}
    for candidate in picked:
        slots[candidate.slot] = slots.get(candidate.slot, 0) + 1
    problems += [f"slot {slot} chosen {n} times" for slot, n in slots.items() if n > 1]
    for window in problem.windows:
        members = sorted(c.day for c in picked if c.group in window.groups)
        for first, second in itertools.pairwise(members):
            if (second - first).days < window.days:
                problems.append(f"{first} and {second} closer than {window.days} days")
    spent: dict[tuple[int, int], int] = {}
    for candidate in picked:
        key = problem.month(candidate)
        spent[key] = spent.get(key, 0) + candidate.price_cents
    for key, cents in spent.items():
        cap = problem.monthly_cap_cents.get(key, 0)
        if cents > cap:
            problems.append(f"{key[0]}-{key[1]:02d} spends {cents} cents over a cap of {cap}")
    counted: dict[tuple[str, tuple[int, int]], int] = {}
    for candidate in picked:
        group_month = (candidate.group, problem.month(candidate))
        counted[group_month] = counted.get(group_month, 0) + 1
    for (group, month), count in counted.items():
        group_cap = problem.monthly_group_caps.get((group, month))
        if group_cap is not None and count > group_cap:
            problems.append(
                f"{month[0]}-{month[1]:02d} has {count} {group} sessions, cap {group_cap}"
            )
    return problems
