"""How long does planning one runner's season take?

A season of 52 weeks with 6 races (two A, two B, two C) and 3 hard workouts a week, on every
frequency and policy. It times the planner itself (rules engine, problem building, CP-SAT,
describing the result), after one warm-up run; loading the rules and starting Python are
reported separately. Run: ``.venv/bin/python bench/plan.py [--repeat N] [--json]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from typing import Any

from rich.console import Console
from rich.table import Table

from rubdown.domain.model import (
    Condition,
    Frequency,
    PolicyName,
    Priority,
    Profile,
    Race,
    Season,
    Workout,
    WorkoutKind,
)
from rubdown.domain.planner import PlanRequest, build_plan
from rubdown.knowledge import load_knowledge_base
from rubdown.solver.cpsat import CpSatSolver

START = dt.date(2027, 1, 4)  # a Monday
WEEKS = 52
RACES = (  # (week, weekday, priority)
    (6, 5, Priority.C),
    (12, 6, Priority.B),
    (18, 6, Priority.A),
    (28, 5, Priority.C),
    (36, 6, Priority.B),
    (46, 6, Priority.A),
)
# Two weeks of three hard workouts each (weekday 0 = Monday). Spread out (Tue, Thu, Sun), they
# leave Friday for deep work under the standard and adapted policies and no deep day under the
# cautious one (which then books sports massage and looks for moves that would open a window);
# clustered (Sat, Sun, Mon), they leave a midweek window, and the optimiser has real choices.
SCENARIOS = {
    "spread": ((1, WorkoutKind.INTERVALS), (3, WorkoutKind.TEMPO), (6, WorkoutKind.LONG)),
    "clustered": ((5, WorkoutKind.TEMPO), (6, WorkoutKind.LONG), (0, WorkoutKind.HILL)),
}


def season(scenario: str = "spread") -> Season:
    races = tuple(
        Race(f"Race {i}", START + dt.timedelta(weeks=w - 1, days=d), p, id=f"r{i}")
        for i, (w, d, p) in enumerate(RACES)
    )
    race_days = {r.day for r in races}
    workouts = tuple(
        Workout(day, kind)
        for week in range(WEEKS)
        for weekday, kind in SCENARIOS[scenario]
        if (day := START + dt.timedelta(weeks=week, days=weekday)) not in race_days
    )
    return Season(races=races, workouts=workouts)


def time_plans(scenario: str, profile: Profile, repeat: int) -> dict[str, Any]:
    kb = load_knowledge_base()
    solver = CpSatSolver()
    end = START + dt.timedelta(weeks=WEEKS, days=-1)
    request = PlanRequest(season(scenario), profile, START, end)
    build_plan(request, kb, solver)  # warm-up: first-call costs are not the planner's
    timings = []
    for _ in range(repeat):
        began = time.perf_counter()
        plan = build_plan(request, kb, solver)
        timings.append(time.perf_counter() - began)
    tracemalloc.start()
    build_plan(request, kb, solver)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "scenario": scenario,
        "policy": str(profile.policy),
        "frequency": str(profile.frequency),
        "sessions": len(plan.sessions),
        "professional": len(plan.professional),
        "warnings": len(plan.warnings),
        "median_s": statistics.median(timings),
        "min_s": min(timings),
        "max_s": max(timings),
        "peak_python_mib": peak / 2**20,
    }


def cold_command() -> tuple[float, float]:
    """Wall time (s) and peak RSS (MiB) of a fresh process that imports everything and plans."""
    code = (
        "import bench.plan as b, datetime as dt;"
        "from rubdown.domain.planner import PlanRequest, build_plan;"
        "from rubdown.knowledge import load_knowledge_base;"
        "from rubdown.solver.cpsat import CpSatSolver;"
        "build_plan(PlanRequest(b.season(), b.Profile(), b.START), load_knowledge_base(),"
        " CpSatSolver())"
    )
    began = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    elapsed = time.perf_counter() - began
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # Linux reports KiB
    return elapsed, peak_kib / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rows = []
    for scenario in SCENARIOS:
        for frequency in Frequency:
            for policy in PolicyName:
                profile = Profile(
                    policy=policy,
                    frequency=frequency,
                    budget_per_month=400,
                    session_price=80,
                    conditions=frozenset({Condition.TIGHT_CALVES, Condition.PLANTAR_FASCIITIS}),
                )
                rows.append(time_plans(scenario, profile, args.repeat))
    cold, rss_mib = cold_command()
    if args.json:
        print(json.dumps({"runs": rows, "cold_process_s": cold, "cold_peak_rss_mib": rss_mib}))
        return
    table = Table(
        title=f"Planning 52 weeks, 6 races, 3 hard workouts a week ({args.repeat} runs each)"
    )
    columns = (
        "hard days",
        "frequency",
        "policy",
        "sessions",
        "pro",
        "median",
        "min",
        "max",
        "peak",
    )
    for column in columns:
        table.add_column(column, justify="right")
    for row in rows:
        table.add_row(
            row["scenario"],
            row["frequency"],
            row["policy"],
            str(row["sessions"]),
            str(row["professional"]),
            f"{row['median_s'] * 1000:.0f} ms",
            f"{row['min_s'] * 1000:.0f} ms",
            f"{row['max_s'] * 1000:.0f} ms",
            f"{row['peak_python_mib']:.1f} MiB",
        )
    console = Console(width=110)
    console.print(table)
    console.print(
        "peak: the Python heap during one plan (tracemalloc; not the solver's native memory)"
    )
    console.print(
        f"A fresh process that imports everything and plans once: {cold:.2f} s, "
        f"peak RSS {rss_mib:.0f} MiB"
    )


if __name__ == "__main__":
    main()
