"""How fast does ``rubdown serve`` answer many clients at once?

Builds a runner's home with a full season (the 52 weeks of ``bench/plan.py``: six races, two
each of A, B and C, and 3 hard workouts a week, clustered; a profile with tools and two
standing conditions), starts ``rubdown serve`` on a free loopback port in a subprocess with
"today" pinned to the season's first day, saves the plan (``POST /api/plan``) and makes a feed
secret, then drives each endpoint in turn with N concurrent keep-alive clients (asyncio and
httpx): a warm-up, then a fixed number of timed requests. The endpoints are the Today route
(``GET /api/today``: JSON; there is no HTML Today page yet), the plan API (``GET /api/plan``)
and the full calendar feed (``GET /feeds/<secret>.ics``).

The load generator runs on the same machine, and so on the same cores, as the server: the
figures are what one machine does serving and asking together, a lower bound for the server.

Run: ``.venv/bin/python bench/web.py [--clients N] [--requests N] [--warmup N] [--json]``.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table

from rubdown.bootstrap import Settings, build_app
from rubdown.domain.model import Condition, Frequency, PolicyName, Tool
from rubdown.services.season import add_race, add_workout, update_profile
from rubdown.store import sqlite_url_for_home

REPO = Path(__file__).resolve().parents[1]
START = dt.date(2027, 1, 4)  # bench/plan.py's first day, a Monday: "today" for the server
RUBDOWN = Path(sys.executable).parent / "rubdown"
AIM_CLIENTS = 50
AIM_P99_MS = 50.0
CSRF_HEADER_DEFAULT = "X-Rubdown-CSRF"


@dataclass(frozen=True)
class Result:
    endpoint: str
    path: str
    clients: int
    requests: int
    errors: int
    seconds: float
    per_second: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    bytes: int


def build_home(home: Path) -> dict[str, int]:
    """The runner's season, stored through the services as the commands would store it."""
    sys.path.insert(0, str(REPO))
    from bench.plan import START as SEASON_START
    from bench.plan import season

    assert SEASON_START == START
    app = build_app(Settings(home, sqlite_url_for_home(home), today=START))
    try:
        update_profile(
            app,
            policy=PolicyName.STANDARD,
            frequency=Frequency.MONTHLY,
            budget_per_month=400.0,
            session_price=80.0,
            owns=frozenset({Tool.ROLLER, Tool.STICK, Tool.LACROSSE_BALL, Tool.MASSAGE_GUN}),
            conditions=frozenset({Condition.TIGHT_CALVES, Condition.PLANTAR_FASCIITIS}),
            timezone="UTC",
        )
        planned = season("clustered")
        for race in planned.races:
            add_race(app, race.name, race.day, race.priority)
        for workout in planned.workouts:
            add_workout(app, workout.day, workout.kind, 60.0)
        return {"races": len(planned.races), "workouts": len(planned.workouts)}
    finally:
        app.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def peak_rss_mib(pid: int) -> float | None:
    """The process's high-water resident set (VmHWM), or None where /proc cannot tell."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def start_server(home: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "RUBDOWN_TODAY": START.isoformat()}
    env.pop("RUBDOWN_DATABASE_URL", None)
    command = [str(RUBDOWN), "--home", str(home), "serve", "--port", str(port)]
    return subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=REPO
    )


def wait_until_up(base: str, server: subprocess.Popen[bytes], timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"rubdown serve stopped at once (exit {server.returncode})")
        try:
            if httpx.get(f"{base}/api/session", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"rubdown serve did not answer within {timeout_s:.0f} s")


def prepare(base: str) -> str:
    """Save the plan (the feed serves the saved one) and make a feed secret: its feed path."""
    with httpx.Client(base_url=base, timeout=30.0) as client:
        session = client.get("/api/session").json()
        headers = {
            session.get("csrf_header", CSRF_HEADER_DEFAULT): session["csrf_token"],
            "Origin": base,
        }
        saved = client.post("/api/plan", headers=headers)
        saved.raise_for_status()
        made = client.post("/api/feeds/secret", headers=headers)
        made.raise_for_status()
        full_url = str(made.json()["urls"]["full"])
    return httpx.URL(full_url).path


def percentile(ordered: list[float], share: float) -> float:
    """The nearest-rank percentile of sorted values."""
    if not ordered:
        return float("nan")
    rank = max(1, round(share * len(ordered) + 0.5))
    return ordered[min(rank, len(ordered)) - 1]


async def drive(
    base: str, path: str, clients: int, requests: int, warmup: int
) -> tuple[list[float], int, float, int]:
    """Latencies (s) of ``requests`` GETs shared by ``clients`` concurrent clients, after
    ``warmup`` untimed ones; errors, wall time and the size of one answer."""
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60.0) as client:
        size = 0

        async def worker(count: int, latencies: list[float], errors: list[int]) -> None:
            nonlocal size
            for _ in range(count):
                began = time.perf_counter()
                try:
                    response = await client.get(path)
                    ok = response.status_code == 200
                    size = len(response.content)
                except httpx.HTTPError:
                    ok = False
                latencies.append(time.perf_counter() - began)
                if not ok:
                    errors.append(1)

        def shares(total: int) -> list[int]:
            return [total // clients + (1 if i < total % clients else 0) for i in range(clients)]

        await asyncio.gather(*(worker(n, [], []) for n in shares(warmup)))
        latencies: list[float] = []
        errors: list[int] = []
        began = time.perf_counter()
        await asyncio.gather(*(worker(n, latencies, errors) for n in shares(requests)))
        return latencies, len(errors), time.perf_counter() - began, size


def measure(base: str, name: str, path: str, clients: int, requests: int, warmup: int) -> Result:
    latencies, errors, seconds, size = asyncio.run(drive(base, path, clients, requests, warmup))
    ordered = sorted(latencies)
    return Result(
        endpoint=name,
        path=path,
        clients=clients,
        requests=len(latencies),
        errors=errors,
        seconds=seconds,
        per_second=len(latencies) / seconds,
        p50_ms=percentile(ordered, 0.50) * 1000,
        p90_ms=percentile(ordered, 0.90) * 1000,
        p99_ms=percentile(ordered, 0.99) * 1000,
        max_ms=ordered[-1] * 1000,
        bytes=size,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--clients", type=int, default=AIM_CLIENTS)
    parser.add_argument("--requests", type=int, default=1000, help="timed, per endpoint")
    parser.add_argument("--warmup", type=int, default=100, help="untimed, per endpoint")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="rubdown-bench-web-") as folder:
        home = Path(folder) / "home"
        built = build_home(home)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_server(home, port)
        try:
            wait_until_up(base, server)
            feed = prepare(base)
            endpoints = (
                ("today (JSON; no HTML page yet)", "/api/today"),
                ("plan API", "/api/plan"),
                ("full feed", feed),
            )
            results = [
                measure(base, name, path, args.clients, args.requests, args.warmup)
                for name, path in endpoints
            ]
            rss = peak_rss_mib(server.pid)
        finally:
            server.terminate()
            server.wait(timeout=10)
    load_after = os.getloadavg()[0]
    plan = results[1]
    judged = args.clients >= AIM_CLIENTS
    met = judged and plan.errors == 0 and plan.p99_ms < AIM_P99_MS
    summary: dict[str, Any] = {
        "season": {"weeks": 52, **built, "today": START.isoformat()},
        "clients": args.clients,
        "requests_per_endpoint": args.requests,
        "warmup_per_endpoint": args.warmup,
        "results": [asdict(r) for r in results],
        "server_peak_rss_mib": rss,
        "cores": os.cpu_count(),
        "load_average_before_after": [load_before, load_after],
        "aim": {
            "plan_api_p99_ms_below": AIM_P99_MS,
            "at_clients": AIM_CLIENTS,
            "judged": judged,
            "met": met,
        },
        "note": "the load generator runs on the same cores as the server",
    }
    if args.json:
        print(json.dumps(summary, default=str))
        return
    report(summary, results, args)


def report(summary: dict[str, Any], results: list[Result], args: argparse.Namespace) -> None:
    season_info = summary["season"]
    table = Table(
        title=(
            f"rubdown serve, {args.clients} concurrent clients, {args.requests} requests an "
            f"endpoint after {args.warmup} untimed"
        )
    )
    for column in ("endpoint", "requests", "errors", "req/s", "p50", "p90", "p99", "max", "size"):
        table.add_column(column, justify="left" if column == "endpoint" else "right")
    for r in results:
        table.add_row(
            r.endpoint,
            str(r.requests),
            str(r.errors),
            f"{r.per_second:,.0f}",
            f"{r.p50_ms:.1f} ms",
            f"{r.p90_ms:.1f} ms",
            f"{r.p99_ms:.1f} ms",
            f"{r.max_ms:.1f} ms",
            f"{r.bytes / 1024:.0f} KiB",
        )
    console = Console(width=110)
    console.print(table)
    rss = summary["server_peak_rss_mib"]
    shown_rss = f"{rss:.0f} MiB" if rss is not None else "unknown (no /proc)"
    before, after = summary["load_average_before_after"]
    console.print(
        f"Season: 52 weeks from {season_info['today']}, {season_info['races']} races, "
        f"{season_info['workouts']} hard workouts. Server peak RSS (VmHWM): {shown_rss}."
    )
    console.print(
        f"The load generator shares the machine's {summary['cores']} cores with the server "
        f"(load average {before:.2f} before, {after:.2f} after)."
    )
    console.print("There is no HTML Today page yet: the Today row is GET /api/today (JSON).")
    aim = summary["aim"]
    plan = results[1]
    if not aim["judged"]:
        verdict = f"not judged: the aim is for {AIM_CLIENTS} clients, this run had {args.clients}"
    elif aim["met"]:
        verdict = f"met: p99 {plan.p99_ms:.1f} ms < {AIM_P99_MS:.0f} ms"
    else:
        verdict = (
            f"NOT met: p99 {plan.p99_ms:.1f} ms, {plan.errors} errors "
            f"(aim: p99 < {AIM_P99_MS:.0f} ms, no errors)"
        )
    console.print(
        f"Aim, plan API p99 under {AIM_P99_MS:.0f} ms at {AIM_CLIENTS} clients: {verdict}"
    )


if __name__ == "__main__":
    main()
