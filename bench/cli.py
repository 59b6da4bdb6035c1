"""How long does a ``rubdown`` command take to answer, in CPU, beside ``python -c pass``?

Each command runs ``--repeat`` times (default 5) in a fresh process against a home holding the
demo runner's season (``rubdown demo``'s: a marathon, a half, a 10K and 16 weeks of training,
with a saved plan); the CPU time is the child's own user+sys (``os.wait4``), so neither this
script nor other processes count. It prints the median CPU and wall time per command, the
ratio to ``python -c pass`` from the same run, the target and whether the median meets it.
The children run with their bytecode cached (in a scratch folder), as an installed rubdown's is.
``python -c "import sqlalchemy"`` is measured too, as the floor under any command that reads
the store.
Run: ``.venv/bin/python bench/cli.py [--repeat N] [--json]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

TODAY = dt.date(2027, 1, 4)  # a Monday: the demo season starts on it
CHECK_DAY = TODAY + dt.timedelta(days=10)


@dataclass(frozen=True)
class Case:
    name: str
    args: tuple[str, ...]
    target_cpu_s: float | None
    exit_code: int = 0


CASES = (
    Case("rubdown --help", ("--help",), 0.15),
    Case("rubdown --version", ("--version",), 0.15),
    Case("rubdown --nope", ("--nope",), 0.15, exit_code=2),
    Case(
        "rubdown check",
        ("check", "--date", CHECK_DAY.isoformat(), "--kind", "sports"),
        0.35,
    ),
    Case("rubdown today", ("today",), 0.35),
    Case("rubdown plan", ("plan",), 0.6),
)


@dataclass(frozen=True)
class Row:
    command: str
    cpu_s: float  # median user+sys of the child
    wall_s: float  # median
    times_python: float  # cpu_s / python -c pass's cpu_s
    target_cpu_s: float | None
    passed: bool | None


def rubdown_command() -> list[str]:
    """The installed ``rubdown`` script beside this Python, as a runner starts it."""
    script = Path(sys.executable).with_name("rubdown")
    return [str(script)] if script.exists() else [sys.executable, "-m", "rubdown"]


def environment(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RUBDOWN_")}
    env.update(RUBDOWN_HOME=str(home), RUBDOWN_TODAY=TODAY.isoformat(), TZ="UTC", COLUMNS="100")
    # Bytecode cached, as an installed rubdown has it: with PYTHONDONTWRITEBYTECODE set (some
    # shells and containers set it) every run would compile rubdown's sources again, which no
    # runner pays. The warm-up run writes the cache, in the scratch folder, not the source tree.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(home.parent / f"{home.name}-bytecode")
    return env


def run_once(command: list[str], env: dict[str, str], exit_code: int) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one run of ``command``, its output thrown away."""
    began = time.perf_counter()
    child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - began
    child.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    if child.returncode != exit_code:
        raise SystemExit(f"{' '.join(command)} exited {child.returncode}, not {exit_code}")
    return usage.ru_utime + usage.ru_stime, wall


def measure(
    command: list[str], env: dict[str, str], repeat: int, exit_code: int = 0
) -> tuple[float, float]:
    run_once(command, env, exit_code)  # warm-up: bytecode caches, the page cache
    runs = [run_once(command, env, exit_code) for _ in range(repeat)]
    return statistics.median(cpu for cpu, _ in runs), statistics.median(w for _, w in runs)


def build_home(home: Path) -> None:
    """The demo runner's season, stored as ``rubdown demo`` stores it, then planned once."""
    from rubdown.bootstrap import Settings, build_app
    from rubdown.services.demo import load_demo_runner
    from rubdown.services.planning import make_plan
    from rubdown.store import sqlite_url_for_home

    app = build_app(Settings(home, sqlite_url_for_home(home), today=TODAY))
    try:
        load_demo_runner(app)
        make_plan(app)
    finally:
        app.close()


def run(repeat: int) -> tuple[float, float, list[Row]]:
    home = Path(tempfile.mkdtemp(prefix="rubdown-bench-cli-"))
    try:
        build_home(home)
        env = environment(home)
        python_cpu, python_wall = measure([sys.executable, "-c", "pass"], env, repeat)
        floor_cpu, floor_wall = measure([sys.executable, "-c", "import sqlalchemy"], env, repeat)
        rows = [
            Row(
                "import sqlalchemy",
                floor_cpu,
                floor_wall,
                floor_cpu / python_cpu if python_cpu > 0 else float("inf"),
                None,
                None,
            )
        ]
        for case in CASES:
            cpu, wall = measure([*rubdown_command(), *case.args], env, repeat, case.exit_code)
            target = case.target_cpu_s
            rows.append(
                Row(
                    case.name,
                    cpu,
                    wall,
                    cpu / python_cpu if python_cpu > 0 else float("inf"),
                    target,
                    None if target is None else cpu < target,
                )
            )
        return python_cpu, python_wall, rows
    finally:
        shutil.rmtree(home, ignore_errors=True)
        shutil.rmtree(home.parent / f"{home.name}-bytecode", ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per command (median)")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    args = parser.parse_args()
    python_cpu, python_wall, rows = run(max(1, args.repeat))
    if args.json:
        document = {
            "repeat": args.repeat,
            "python_c_pass": {"cpu_s": python_cpu, "wall_s": python_wall},
            "commands": [asdict(row) for row in rows],
        }
        print(json.dumps(document, indent=2))
        return
    table = Table(title=f"CPU per command: median of {args.repeat} fresh processes")
    for column in ("command", "CPU s", "wall s", "× python -c pass", "target", ""):
        table.add_column(column, justify="left" if column == "command" else "right")
    table.add_row("python -c pass", f"{python_cpu:.3f}", f"{python_wall:.3f}", "1", "", "")
    for row in rows:
        verdict = "" if row.passed is None else ("pass" if row.passed else "FAIL")
        target = "" if row.target_cpu_s is None else f"< {row.target_cpu_s:g}"
        table.add_row(
            row.command,
            f"{row.cpu_s:.3f}",
            f"{row.wall_s:.3f}",
            f"{row.times_python:.0f}",
            target,
            verdict,
        )
    Console().print(table)


if __name__ == "__main__":
    main()
