"""How long does a team's race week take to schedule?

1,000 clients and 8 therapists, over 3 weeks and over 12 weeks. Synthetic but plausible:
races spread over the weeks (most on a weekend; A, B and C races of 5 km to the marathon),
policies mixed (a quarter cautious, half standard, a quarter adapted), a long run the weekend
before each race and a tempo run in some race weeks, a few clients with a red flag, and 0-3
ranked day-part preferences each, all drawn from a seeded random generator. The therapists
work different weekly hours, each has days off, at most 6 hands-on hours a day and 25
sessions a week.

It times the rules engine's part (the allowed days of every client, and the blocks and
candidates), the CP-SAT model's building, the time to the first feasible schedule and to a
proven gap under 1 %, and the independent checker. It prints the machine's load average, as
other work may share the two cores.
Run: ``.venv/bin/python bench/clinic.py [--weeks 3 12] [--workers 2] [--first greedy relaxation]
[--no-mip] [--json]``; the first schedule comes from the greedy alone, or rounded from the
relaxation; over-capacity weeks then go to SCIP on the relaxation's clients unless ``--no-mip``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import time
from typing import Any

from rich.console import Console
from rich.table import Table

from rubdown.domain.availability import parse_hours
from rubdown.domain.clinic.raceweek import (
    Client,
    DayPart,
    Preference,
    RaceWeekProblem,
    Therapist,
    choices_for,
    plan_from,
    weights,
)
from rubdown.domain.clinic.raceweek_check import check_plan
from rubdown.domain.model import (
    CheckIn,
    PainQuality,
    PolicyName,
    Priority,
    Race,
    Season,
    Workout,
    WorkoutKind,
)
from rubdown.domain.regions import parse_region
from rubdown.knowledge import load_knowledge_base
from rubdown.solver.raceweek_cpsat import CpSatRaceWeekSolver, Progress

START = dt.date(2027, 3, 1)  # a Monday
CLIENTS = 1000
GAP = 0.01
TIME_LIMIT_S = 60.0
HOURS = (  # eight therapists, eight weeks of hours
    "mon 09:00-17:00, tue 09:00-17:00, wed 09:00-17:00, thu 09:00-17:00, fri 09:00-17:00",
    "tue 10:00-18:00, wed 10:00-18:00, thu 10:00-18:00, fri 10:00-18:00, sat 09:00-15:00",
    "mon 12:00-20:00, wed 12:00-20:00, fri 12:00-20:00, sat 09:00-13:00",
    "mon 08:00-12:00 13:00-17:00, tue 08:00-12:00 13:00-17:00, thu 08:00-12:00 13:00-17:00",
    "tue 14:00-21:00, wed 14:00-21:00, thu 14:00-21:00, sun 09:00-14:00",
    "mon 09:00-18:00, wed 09:00-18:00, fri 09:00-18:00, sat 10:00-16:00",
    "thu 07:00-15:00, fri 07:00-15:00, sat 07:00-15:00, sun 07:00-12:00",
    "mon 16:00-21:00, tue 16:00-21:00, wed 16:00-21:00, thu 16:00-21:00, fri 16:00-21:00",
)
POLICIES = (PolicyName.CAUTIOUS, PolicyName.STANDARD, PolicyName.STANDARD, PolicyName.ADAPTED)
PRIORITIES = (Priority.A, Priority.A, Priority.B, Priority.B, Priority.C)
DISTANCES_KM = (5.0, 10.0, 21.1, 42.2)
RANK_WEIGHTS = (10, 6, 3)  # the client's first, second and third choice of time
RED_FLAG_SHARE = 0.02


def therapists(weeks: int, rng: random.Random) -> tuple[Therapist, ...]:
    days = 7 * weeks
    team = []
    for n, hours in enumerate(HOURS):
        # About one day off in three weeks, as leave and training days.
        off = {START + dt.timedelta(days=rng.randrange(days)) for _ in range(max(1, weeks // 3))}
        team.append(
            Therapist(
                id=f"t{n + 1}",
                name=f"Therapist {n + 1}",
                hours=parse_hours(hours),
                days_off=frozenset(off),
                max_hands_on_min_per_day=6 * 60,
                max_sessions_per_week=25,
            )
        )
    return tuple(team)


def client(n: int, weeks: int, rng: random.Random) -> Client:
    kb = _kb()
    week = rng.randrange(weeks)
    weekday = rng.choice((5, 6, 6, 6, 5, 2))  # mostly Saturday or Sunday, some midweek
    race_day = START + dt.timedelta(weeks=week, days=weekday)
    race = Race(
        name=f"Race {week + 1}{'SSMTWTF'[(weekday + 2) % 7]}",
        day=race_day,
        priority=rng.choice(PRIORITIES),
        distance_km=rng.choice(DISTANCES_KM),
        id=f"r{n}",
    )
    workouts = [Workout(race_day - dt.timedelta(days=7), WorkoutKind.LONG)]
    if rng.random() < 0.5:
        workouts.append(Workout(race_day - dt.timedelta(days=4), WorkoutKind.TEMPO))
    if rng.random() < 0.3:
        workouts.append(Workout(race_day + dt.timedelta(days=6), WorkoutKind.INTERVALS))
    checkins = []
    if rng.random() < RED_FLAG_SHARE:
        day = race_day - dt.timedelta(days=8)
        checkins.append(CheckIn(day, pain={parse_region("left-calf"): PainQuality.SHARP}))
    preferences = []
    parts = rng.sample(list(DayPart), rng.randrange(4))
    for rank, part in enumerate(parts):
        weekday_wanted = rng.randrange(7) if rng.random() < 0.3 else None
        preferences.append(Preference(part, RANK_WEIGHTS[rank], weekday_wanted))
    return Client(
        id=f"c{n:04d}",
        name=f"Client {n}",
        policy=kb.policy(rng.choice(POLICIES)),
        race=race,
        season=Season(races=(race,), workouts=tuple(workouts), checkins=tuple(checkins)),
        preferences=tuple(preferences),
    )


_KB: list[Any] = []


def _kb() -> Any:
    if not _KB:
        _KB.append(load_knowledge_base())
    return _KB[0]


def problem(weeks: int, clients: int = CLIENTS, seed: int = 7) -> RaceWeekProblem:
    rng = random.Random(seed)
    team = therapists(weeks, rng)
    people = tuple(client(n, weeks, rng) for n in range(clients))
    last = START + dt.timedelta(weeks=weeks, days=-1)
    return RaceWeekProblem(people, team, START, last)


def measure(
    weeks: int, clients: int, workers: int, seed: int, guided: bool, mip: bool = True
) -> dict[str, Any]:
    made = problem(weeks, clients, seed)
    started = time.perf_counter()
    choices = choices_for(made)
    rules_s = time.perf_counter() - started
    weight = weights(choices)
    progress: list[Progress] = []
    solver = CpSatRaceWeekSolver(
        TIME_LIMIT_S,
        relative_gap=GAP,
        workers=workers,
        on_progress=progress.append,
        guided=guided,
        mip=mip,
    )
    selection = solver.solve(choices)
    run = progress[0]
    started = time.perf_counter()
    plan = plan_from(choices, selection)
    explain_s = time.perf_counter() - started
    started = time.perf_counter()
    problems = check_plan(made, plan)
    check_s = time.perf_counter() - started
    if problems:
        raise SystemExit(f"the checker refuses the schedule: {problems[:3]}")
    first = run.solutions[0] if run.solutions else (None, 0)
    reasons: dict[str, int] = {}
    for unserved in plan.unserved:
        reasons[unserved.reason.value] = reasons.get(unserved.reason.value, 0) + 1
    return {
        "weeks": weeks,
        "clients": clients,
        "therapists": len(made.therapists),
        "workers": workers,
        "first": "relaxation rounded" if guided else "greedy",
        "found_by": run.found_by,
        "candidates": len(choices.candidates),
        "blocks": len(choices.blocks),
        "rules_s": round(rules_s, 2),
        "build_s": round(run.build_s, 2),
        # A schedule exists once the rules have spoken and the first one is made; CP-SAT
        # reports it back as its first solution.
        "first_schedule_s": round(rules_s + run.first_schedule_s, 2),
        "first_served": first[1] // weight.client,
        "cpsat_first_solution_s": None if first[0] is None else round(rules_s + first[0], 2),
        "gap_1pct_s": round(rules_s + run.wall_s, 2),
        "status": run.status,
        "gap": round(run.gap, 5),
        "served_clients": plan.served_clients,
        "sessions": len(plan.assignments),
        "bound_clients": run.bound // weight.client,
        "unserved_needs": reasons,
        "explain_s": round(explain_s, 2),
        "check_s": round(check_s, 2),
        "solutions": len(run.solutions),
        "needs": sum(len(c.needs) for c in made.clients),
        "_choices": choices,
    }


def _render(rows: list[dict[str, Any]], load: tuple[float, float, float]) -> None:
    table = Table(title=f"race week: {rows[0]['clients']} clients, 8 therapists")
    for name in (
        "weeks",
        "workers",
        "first from",
        "found by",
        "candidates",
        "rules + blocks",
        "model",
        "first schedule",
        "gap < 1 %",
        "gap",
        "served",
        "sessions",
        "check",
    ):
        table.add_column(name, justify="right")
    for row in rows:
        first = row["first_schedule_s"]
        table.add_row(
            str(row["weeks"]),
            str(row["workers"]),
            row["first"],
            row["found_by"],
            f"{row['candidates']:,}",
            f"{row['rules_s']:.2f} s",
            f"{row['build_s']:.2f} s",
            "-" if first is None else f"{first:.2f} s ({row['first_served']} served)",
            f"{row['gap_1pct_s']:.2f} s" if row["gap"] <= GAP else f"not in {TIME_LIMIT_S:.0f} s",
            f"{100 * row['gap']:.2f} %",
            f"{row['served_clients']} (≤ {row['bound_clients']})",
            f"{row['sessions']} of {row['needs']}",
            f"{row['check_s']:.2f} s",
        )
    console = Console(width=170)
    console.print(table)
    for row in rows:
        console.print(
            f"{row['weeks']} weeks, needs left unplaced by reason: {row['unserved_needs']}"
        )
    console.print(
        f"load average: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cores"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--weeks", type=int, nargs="+", default=[3, 12])
    parser.add_argument("--clients", type=int, default=CLIENTS)
    parser.add_argument("--workers", type=int, nargs="+", default=[2])
    parser.add_argument(
        "--first",
        choices=["greedy", "relaxation"],
        nargs="+",
        default=["greedy", "relaxation"],
        help="where the first schedule comes from",
    )
    parser.add_argument(
        "--no-mip",
        action="store_true",
        help="leave over-capacity weeks to CP-SAT alone (no SCIP on the relaxation's clients)",
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    load_before = os.getloadavg()
    rows = []
    for weeks in args.weeks:
        for workers in args.workers:
            for first in args.first:
                row = measure(
                    weeks,
                    args.clients,
                    workers,
                    args.seed,
                    first == "relaxation",
                    mip=not args.no_mip,
                )
                row.pop("_choices")
                rows.append(row)
                print(json.dumps(row), file=sys.stderr, flush=True)
    load = os.getloadavg()
    if args.json:
        print(json.dumps({"runs": rows, "load_before": load_before, "load_after": load}, indent=2))
    else:
        _render(rows, load)


if __name__ == "__main__":
    main()
