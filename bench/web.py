"""How fast does ``rubdown serve`` answer many clients at once?

Builds a runner's home with a full season (the 52 weeks of ``bench/plan.py``: six races, two
each of A, B and C, and 3 hard workouts a week, clustered; a profile with tools and two
standing conditions), starts ``rubdown serve`` on a free loopback port in a subprocess with
"today" pinned to the season's first day, saves the plan (``POST /api/plan``) and makes a feed
secret, then drives each endpoint in turn with N concurrent keep-alive clients: a warm-up,
then a fixed number of timed requests. The endpoints are the Today page (``GET /today``,
HTML), the Today API (``GET /api/today``, JSON), the plan API (``GET /api/plan``) and the
calendar feeds, full (``GET /feeds/<secret>.ics``) and busy-only (``-busy.ics``). All of them
are kept between writes (``web.cache.plan``, ``web.cache.answers``): with nothing
written during a run, the timed requests measure serving a kept answer, the cost a calendar
app polling or a runner reloading the page puts on the server.

The load generator runs on the same machine, and so on the same 2 cores, as the server: the
figures are what one machine does serving and asking together, a lower bound for the server.
So that it takes as little of them as it can, each client is a bare HTTP/1.1 keep-alive
connection on asyncio streams (``Client``): httpx, used to set up, spends about 1.5 ms of CPU
a request with one client and 4-5 ms with 50, more than the server spends on a cached plan.
The CPU seconds the server and the load generator spent in each timed run are reported per
request, so a reader can tell which of the two a figure was bound by.

Run: ``.venv/bin/python bench/web.py [--clients N] [--requests N] [--warmup N] [--json]``.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import resource
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
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
    server_cpu_ms: float | None  # CPU time the server spent per timed request
    client_cpu_ms: float  # CPU time the load generator spent per timed request


def build_home(home: Path, database_url: str) -> dict[str, int]:
    """The runner's season, stored through the services as the commands would store it."""
    sys.path.insert(0, str(REPO))
    from bench.plan import START as SEASON_START
    from bench.plan import season

    assert SEASON_START == START
    app = build_app(Settings(home, database_url, today=START))
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


def start_server(home: Path, port: int, database_url: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "RUBDOWN_TODAY": START.isoformat(), "RUBDOWN_DATABASE_URL": database_url}
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


class Client:
    """One keep-alive HTTP/1.1 connection that GETs a path and reads the whole answer.

    The least a load generator can do in Python: write the request, read the head, read the
    body by its ``Content-Length`` (or its chunks). A connection the server closes is opened
    again for the next request; a failed request counts as an error.
    """

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self._streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def get(self, path: str) -> tuple[int, int]:
        """The status and body size of ``GET path``."""
        if self._streams is None:
            self._streams = await asyncio.open_connection(self.host, self.port)
        reader, writer = self._streams
        writer.write(f"GET {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n\r\n".encode())
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            headers = {}
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                headers[name.strip().lower()] = value.strip()
            if headers.get(b"transfer-encoding", b"").lower() == b"chunked":
                size = await _read_chunks(reader)
            else:
                size = len(await reader.readexactly(int(headers.get(b"content-length", b"0"))))
        except (OSError, asyncio.IncompleteReadError, ValueError):
            await self.close()
            raise
        if headers.get(b"connection", b"").lower() == b"close":
            await self.close()
        return status, size

    async def close(self) -> None:
        if self._streams is not None:
            writer = self._streams[1]
            self._streams = None
            writer.close()
            with suppress(OSError):
                await writer.wait_closed()


async def _read_chunks(reader: asyncio.StreamReader) -> int:
    size = 0
    while True:
        length = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
        await reader.readexactly(length + 2)  # the chunk and its CRLF
        size += length
        if length == 0:
            return size


@dataclass(frozen=True)
class Run:
    latencies: list[float]  # seconds, one a timed request
    errors: int
    seconds: float  # wall time of the timed requests
    size: int  # bytes in one answer's body
    server_cpu_s: float | None
    client_cpu_s: float


async def drive(
    base: str, path: str, clients: int, requests: int, warmup: int, server_pid: int
) -> Run:
    """``warmup`` untimed GETs of ``path`` and then ``requests`` timed ones, shared by
    ``clients`` concurrent keep-alive connections (the same for both)."""
    url = httpx.URL(base)
    connections = [Client(url.host, url.port or 80) for _ in range(clients)]
    size = 0

    async def worker(client: Client, count: int, latencies: list[float], errors: list[int]) -> None:
        nonlocal size
        for _ in range(count):
            began = time.perf_counter()
            try:
                status, size = await client.get(path)
                ok = status == 200
            except (OSError, asyncio.IncompleteReadError, ValueError):
                ok = False
            latencies.append(time.perf_counter() - began)
            if not ok:
                errors.append(1)

    async def run(total: int, latencies: list[float], errors: list[int]) -> None:
        counts = [total // clients + (1 if i < total % clients else 0) for i in range(clients)]
        await asyncio.gather(
            *(worker(c, n, latencies, errors) for c, n in zip(connections, counts, strict=True))
        )

    try:
        await run(warmup, [], [])
        latencies: list[float] = []
        errors: list[int] = []
        server_before, client_before = cpu_seconds(server_pid), own_cpu_seconds()
        began = time.perf_counter()
        await run(requests, latencies, errors)
        seconds = time.perf_counter() - began
        server_after, client_after = cpu_seconds(server_pid), own_cpu_seconds()
    finally:
        for client in connections:
            await client.close()
    server_cpu = (
        None if server_before is None or server_after is None else server_after - server_before
    )
    return Run(latencies, len(errors), seconds, size, server_cpu, client_after - client_before)


def cpu_seconds(pid: int) -> float | None:
    """CPU time (user and system) ``pid`` has used so far, or None where /proc cannot tell."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds() -> float:
    used = resource.getrusage(resource.RUSAGE_SELF)
    return used.ru_utime + used.ru_stime


def measure(
    base: str, name: str, path: str, clients: int, requests: int, warmup: int, server_pid: int
) -> Result:
    run = asyncio.run(drive(base, path, clients, requests, warmup, server_pid))
    ordered = sorted(run.latencies)
    count = len(ordered)
    return Result(
        endpoint=name,
        path=path,
        clients=clients,
        requests=count,
        errors=run.errors,
        seconds=run.seconds,
        per_second=count / run.seconds,
        p50_ms=percentile(ordered, 0.50) * 1000,
        p90_ms=percentile(ordered, 0.90) * 1000,
        p99_ms=percentile(ordered, 0.99) * 1000,
        max_ms=ordered[-1] * 1000,
        bytes=run.size,
        server_cpu_ms=None if run.server_cpu_s is None else run.server_cpu_s * 1000 / count,
        client_cpu_ms=run.client_cpu_s * 1000 / count,
    )


ENDPOINTS = ("today-page", "today-api", "plan", "feed", "busy-feed")


def endpoint_paths(feed: str) -> dict[str, tuple[str, str]]:
    return {
        "today-page": ("Today page (HTML)", "/today"),
        "today-api": ("Today API (JSON)", "/api/today"),
        "plan": ("plan API", "/api/plan"),
        "feed": ("full feed", feed),
        "busy-feed": ("busy feed", feed.removesuffix(".ics") + "-busy.ics"),
    }


@contextmanager
def fresh_postgres_schema(url: str) -> Iterator[str]:
    """A URL for an empty schema of its own on the PostgreSQL server at ``url``, dropped
    afterwards (as the PostgreSQL tests do)."""
    import sqlalchemy as sa
    from sqlalchemy.pool import NullPool

    from rubdown.store import normalise_url

    base = sa.make_url(normalise_url(url))
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base, poolclass=NullPool)
    try:
        with admin.begin() as connection:
            connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        yield base.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
            hide_password=False
        )
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--clients", type=int, default=AIM_CLIENTS)
    parser.add_argument("--requests", type=int, default=1000, help="timed, per endpoint")
    parser.add_argument("--warmup", type=int, default=100, help="untimed, per endpoint")
    parser.add_argument(
        "--only", action="append", choices=ENDPOINTS, help="drive only this endpoint (repeatable)"
    )
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="store the season in a fresh schema on this PostgreSQL server, not in SQLite",
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    with ExitStack() as stack:
        folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="rubdown-bench-web-"))
        home = Path(folder) / "home"
        if args.postgres:
            database_url = stack.enter_context(fresh_postgres_schema(args.postgres))
        else:
            database_url = sqlite_url_for_home(home)
        built = build_home(home, database_url)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_server(home, port, database_url)
        try:
            wait_until_up(base, server)
            feed = prepare(base)
            paths = endpoint_paths(feed)
            results = [
                measure(base, *paths[key], args.clients, args.requests, args.warmup, server.pid)
                for key in (args.only or ENDPOINTS)
            ]
            rss = peak_rss_mib(server.pid)
        finally:
            server.terminate()
            server.wait(timeout=10)
    load_after = os.getloadavg()[0]
    plan = next((r for r in results if r.path == "/api/plan"), None)
    judged = args.clients >= AIM_CLIENTS and plan is not None
    met = judged and plan is not None and plan.errors == 0 and plan.p99_ms < AIM_P99_MS
    summary: dict[str, Any] = {
        "season": {"weeks": 52, **built, "today": START.isoformat()},
        "database": "postgresql" if args.postgres else "sqlite",
        "clients": args.clients,
        "requests_per_endpoint": args.requests,
        "warmup_per_endpoint": args.warmup,
        "results": [asdict(r) for r in results],
        "server_peak_rss_mib": rss,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
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
    report(summary, results, plan, args)


def report(
    summary: dict[str, Any], results: list[Result], plan: Result | None, args: argparse.Namespace
) -> None:
    season_info = summary["season"]
    table = Table(
        title=(
            f"rubdown serve ({summary['database']}), {args.clients} concurrent clients, "
            f"{args.requests} requests an endpoint after {args.warmup} untimed"
        )
    )
    columns = ("endpoint", "req/s", "p50", "p90", "p99", "max", "errors", "size", "CPU/req")
    for column in columns:
        table.add_column(column, justify="left" if column == "endpoint" else "right")
    for r in results:
        server_cpu = "?" if r.server_cpu_ms is None else f"{r.server_cpu_ms:.2f}"
        table.add_row(
            r.endpoint,
            f"{r.per_second:,.0f}",
            f"{r.p50_ms:.1f} ms",
            f"{r.p90_ms:.1f} ms",
            f"{r.p99_ms:.1f} ms",
            f"{r.max_ms:.1f} ms",
            str(r.errors),
            f"{r.bytes / 1024:.0f} KiB",
            f"{server_cpu} + {r.client_cpu_ms:.2f} ms",
        )
    console = Console(width=120)
    console.print(table)
    rss = summary["server_peak_rss_mib"]
    shown_rss = f"{rss:.0f} MiB" if rss is not None else "unknown (no /proc)"
    before, after = summary["load_average_before_after"]
    console.print(
        f"Season: 52 weeks from {season_info['today']}, {season_info['races']} races, "
        f"{season_info['workouts']} hard workouts. Server peak RSS (VmHWM): {shown_rss}."
    )
    console.print(
        "CPU/req: CPU time the server + the load generator spent per timed request. They "
        f"share the machine's {summary['cores']} cores (Python {summary['python']}; load "
        f"average {before:.2f} before, {after:.2f} after)."
    )
    aim = summary["aim"]
    if plan is None:
        verdict = "not judged: the plan API was not driven"
    elif not aim["judged"]:
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
