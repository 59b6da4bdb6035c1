"""Realistic seasons for planner tests, built from a few small pieces.

- ``weekly``: a weekly training pattern written as the CLI takes it
  (``"tue:tempo thu:intervals sun:long"``), repeated for some weeks, with a recovery week
  every few weeks that keeps only the long run (and is marked as one).
- ``race`` and ``races_every``: races on given days or at a fixed rhythm.
- ``season``: training and races as one ``Season``, with no workout on a race day.
- ``plan``: the planner run with the real knowledge base and CP-SAT, and small readers of the
  result (sessions by kind, counts per month or ISO week).
- ``sample_season``: the season many planner, plan and calendar tests start from (a spring
  marathon, a winter half and a long run every Sunday), and ``store_season`` to put a season
  in a runner's store through the use cases, as the CLI would.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from rubdown.domain.model import (
    CheckIn,
    Family,
    MassageSession,
    Priority,
    Profile,
    Race,
    Season,
    SessionKind,
    Workout,
    WorkoutKind,
)
from rubdown.domain.plan import Plan, PlannedSession
from rubdown.domain.planner import PlanRequest, build_plan
from rubdown.knowledge import load_knowledge_base
from rubdown.services import season as season_service
from rubdown.services.runner import Runner
from rubdown.solver.cpsat import CpSatSolver

KB = load_knowledge_base()
SOLVER = CpSatSolver()
MONDAY = dt.date(2027, 1, 4)  # the first Monday of 2027: scenarios start here
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class Training:
    workouts: tuple[Workout, ...]
    recovery_weeks: frozenset[dt.date] = field(default_factory=frozenset)

    def __add__(self, other: Training) -> Training:
        return Training(self.workouts + other.workouts, self.recovery_weeks | other.recovery_weeks)


def day_of(monday: dt.date, name: str) -> dt.date:
    """The day called ``name`` ("tue") in the week starting ``monday``."""
    return monday + dt.timedelta(days=WEEKDAYS.index(name))


def weekly(
    start: dt.date,
    weeks: int,
    pattern: str,
    *,
    recovery_every: int | None = None,
) -> Training:
    """``pattern`` (``"tue:tempo sun:long"``) every week for ``weeks`` weeks from the Monday
    ``start``. With ``recovery_every=4`` every fourth week is a recovery week: only its long
    run stays, and the week is marked."""
    assert start.weekday() == 0, "weeks start on a Monday"
    slots = [item.split(":") for item in pattern.split()]
    workouts: list[Workout] = []
    recovery: set[dt.date] = set()
    for week in range(weeks):
        monday = start + dt.timedelta(weeks=week)
        easy_week = recovery_every is not None and (week + 1) % recovery_every == 0
        if easy_week:
            recovery.add(monday)
        for name, kind in slots:
            workout_kind = WorkoutKind(kind)
            if easy_week and workout_kind is not WorkoutKind.LONG:
                continue
            workouts.append(Workout(day_of(monday, name), workout_kind, source="pattern"))
    return Training(tuple(workouts), frozenset(recovery))


def race(
    name: str, day: dt.date, priority: Priority = Priority.A, km: float | None = 42.195
) -> Race:
    return Race(name, day, priority, km, id=name.lower().replace(" ", "-"))


def races_every(
    first: dt.date, weeks_apart: int, priorities: Sequence[Priority], km: float
) -> tuple[Race, ...]:
    """One race every ``weeks_apart`` weeks from ``first``, with the priorities in turn."""
    return tuple(
        race(f"Race {i + 1}", first + dt.timedelta(weeks=weeks_apart * i), priority, km)
        for i, priority in enumerate(priorities)
    )


def season(
    training: Training,
    races: Iterable[Race] = (),
    *,
    sessions: Iterable[MassageSession] = (),
    checkins: Iterable[CheckIn] = (),
) -> Season:
    """The training and the races as one season; a race day keeps no other workout."""
    races = tuple(races)
    race_days = {r.day for r in races}
    return Season(
        races=races,
        workouts=tuple(w for w in training.workouts if w.day not in race_days),
        sessions=tuple(sessions),
        checkins=tuple(checkins),
        recovery_weeks=training.recovery_weeks,
    )


def plan(
    season: Season,
    profile: Profile,
    start: dt.date = MONDAY,
    end: dt.date | None = None,
    **extra: object,
) -> Plan:
    request = PlanRequest(season, profile, start, end, **extra)  # type: ignore[arg-type]
    return build_plan(request, KB, SOLVER)


def professional(plan: Plan) -> list[PlannedSession]:
    """The periodic professional sessions (not pre- or post-event work)."""
    return [s for s in plan.sessions if s.key.startswith("pro:")]


def deep(plan: Plan) -> list[PlannedSession]:
    return [s for s in plan.sessions if s.kind.family is Family.DEEP]


def of_kind(plan: Plan, kind: SessionKind) -> list[PlannedSession]:
    return [s for s in plan.sessions if s.kind is kind]


def per_month(sessions: Iterable[PlannedSession]) -> Counter[tuple[int, int]]:
    return Counter((s.day.year, s.day.month) for s in sessions)


def per_week(sessions: Iterable[PlannedSession]) -> Counter[tuple[int, int]]:
    return Counter(s.day.isocalendar()[:2] for s in sessions)


def weekday_names(sessions: Iterable[PlannedSession]) -> set[str]:
    return {WEEKDAYS[s.day.weekday()] for s in sessions}


def months_between(first: dt.date, last: dt.date) -> list[tuple[int, int]]:
    months: list[tuple[int, int]] = []
    day = first.replace(day=1)
    while day <= last:
        months.append((day.year, day.month))
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return months


def weeks_between(first: dt.date, last: dt.date) -> list[tuple[int, int]]:
    weeks: list[tuple[int, int]] = []
    day = first - dt.timedelta(days=first.weekday())
    while day <= last:
        weeks.append(day.isocalendar()[:2])
        day += dt.timedelta(weeks=1)
    return weeks


def taper(training: Training, races: Iterable[Race], before: int = 3, after: int = 1) -> Training:
    """No workout from ``before`` days ahead of each race to ``after`` days past it: a
    runner's easy days around a race."""
    quiet = {
        r.day + dt.timedelta(days=offset) for r in races for offset in range(-before, after + 1)
    }
    kept = tuple(w for w in training.workouts if w.day not in quiet)
    return Training(kept, training.recovery_weeks)


# -- the sample season ------------------------------------------------------------------------

SAMPLE_MARATHON = Race("Spring Marathon", dt.date(2027, 4, 18), Priority.A, 42.195, id="m")
SAMPLE_HALF = Race("Winter Half", dt.date(2027, 2, 28), Priority.B, 21.1, id="h")


def sample_season(
    *, weeks: int = 15, half_day: dt.date = SAMPLE_HALF.day, race_day_runs: bool = False
) -> Season:
    """The winter half and the spring marathon, with a long run every Sunday for ``weeks``
    weeks from ``MONDAY`` (the first Monday of 2027). A race day keeps no long run unless
    ``race_day_runs``: some tests were written with one there, and keep it."""
    half = replace(SAMPLE_HALF, day=half_day)
    sundays = [MONDAY + dt.timedelta(days=6 + 7 * week) for week in range(weeks)]
    race_days = set() if race_day_runs else {half.day, SAMPLE_MARATHON.day}
    return Season(
        races=(half, SAMPLE_MARATHON),
        workouts=tuple(Workout(day, WorkoutKind.LONG) for day in sundays if day not in race_days),
    )


def store_season(app: Runner, season: Season) -> None:
    """The season's races, then its workouts, added through the use cases the CLI calls."""
    for race in season.races:
        season_service.add_race(app, race.name, race.day, race.priority, race.distance_km)
    for workout in season.workouts:
        season_service.add_workout(app, workout.day, workout.kind, workout.duration_min)
