"""Can ``rubdown tent serve`` take a big race's finish on one laptop, and survive a crash?

Replays the arrivals of 20,000 finishers at 60 times real speed against 40 tables, on loopback:

- **Arrivals.** Finish times from a normal curve (median 4:30 after the gun, sd 50 min,
  clipped to 2:05-7:00, as in the project's research note on tent staffing), then a walk of
  5-15 min to the tent. Every finisher checks in (``--share`` lowers it): far more than a real
  tent, which is the point of a load test. 1.5 % answer a triage sign and go to medical.
- **Tables.** 40 tasks, each a table: call next, a session of 7-13 min (scaled), done; 3 % of
  calls are no-shows; an idle table looks again after a (scaled) minute.
- **The board.** A server-sent events client records each board it gets; a sampler compares
  it four times a second with the day file itself (read-only, the WAL's committed rows): how
  long the oldest action the board has not shown yet has been on disk. After the run, every
  board's queue length is checked against the day file's actions replayed to that board's
  ``seq``.
- **The crash.** Half way through the arrivals the server is killed with SIGKILL and started
  again on the same file and port; every device retries what was not acknowledged with the
  same idempotency key. At the end every finisher must be in the file exactly once, and every
  acknowledged answer must be the stored one.

Latency is per acknowledged request, client side, on keep-alive HTTP/1.1 connections over
asyncio streams (httpx costs the client more CPU than the server spends on an action).
Requests that failed because the server was down, and their retries, are counted apart: they
measure the restart, not the server. The load generator shares the machine (and its 2 cores)
with the server: the load average is printed before and after.

Run: ``.venv/bin/python bench/tent.py [--finishers N] [--tables N] [--speed X] [--json]``.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import gc
import json
import os
import random
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from rubdown.domain.tent.day import action_of, replay_records  # noqa: E402
from rubdown.domain.tent.triage import SIGNS, all_clear  # noqa: E402
from rubdown.tentday.store import SqliteTentDay  # noqa: E402

AIM_P99_MS = 100.0
AIM_BOARD_S = 1.0
START_SECONDS = 60
MEDICAL_SHARE = 0.015
NO_SHOW_SHARE = 0.03


# -- a small keep-alive HTTP/1.1 client ----------------------------------------------------


class Down(Exception):
    """The server is not there (refused, reset, closed): retry later with the same key."""


class Connection:
    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(
        self, method: str, path: str, token: str, body: Any = None, key: str = ""
    ) -> tuple[int, Any, float | None]:
        try:
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
            data = json.dumps(body).encode() if body is not None else b""
            head = [
                f"{method} {path} HTTP/1.1",
                f"Host: 127.0.0.1:{self.port}",
                f"Authorization: Bearer {token}",
                f"Content-Length: {len(data)}",
                "Content-Type: application/json",
            ]
            if key:
                head.append(f"Idempotency-Key: {key}")
            self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + data)
            await self.writer.drain()
            assert self.reader is not None
            status_line = await self.reader.readline()
            if not status_line:
                raise ConnectionResetError("closed")
            status = int(status_line.split()[1])
            length = 0
            server_ms = None
            while True:
                line = await self.reader.readline()
                if line in (b"\r\n", b""):
                    break
                name, _, value = line.decode().partition(":")
                if name.lower() == "content-length":
                    length = int(value)
                elif name.lower() == "server-timing":
                    server_ms = float(value.split("dur=")[1])
            payload = await self.reader.readexactly(length)
            return status, json.loads(payload) if payload else None, server_ms
        except (OSError, asyncio.IncompleteReadError, ValueError, IndexError) as error:
            self.close()
            raise Down(str(error)) from None

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


class Pool:
    def __init__(self, port: int, size: int) -> None:
        self._free: asyncio.Queue[Connection] = asyncio.Queue()
        for _ in range(size):
            self._free.put_nowait(Connection(port))

    async def request(self, *args: Any, **kwargs: Any) -> tuple[int, Any, float | None]:
        connection = await self._free.get()
        try:
            return await connection.request(*args, **kwargs)
        finally:
            self._free.put_nowait(connection)


# -- the run --------------------------------------------------------------------------------


@dataclass
class Figures:
    latencies_ms: dict[str, list[float]] = field(default_factory=dict)
    server_ms: list[float] = field(default_factory=list)
    timed: list[tuple[float, float]] = field(default_factory=list)  # (time.time(), ms)
    failed_attempts: int = 0  # refused or cut off while the server was down
    retried_actions: int = 0
    refused: Counter[str] = field(default_factory=Counter)
    acknowledged: dict[str, dict[str, Any]] = field(default_factory=dict)  # bib -> answer
    boards: list[tuple[float, int, int]] = field(default_factory=list)  # recv time, seq, waiting
    staleness_s: list[float] = field(default_factory=list)
    staleness_restart_s: list[float] = field(default_factory=list)
    kill_at: float = 0.0
    back_at: float = 0.0
    board_back_at: float = 0.0


class Bench:
    def __init__(self, args: argparse.Namespace, work: Path) -> None:
        self.args = args
        self.work = work
        self.day = work / "day.sqlite"
        self.port = _free_port()
        self.figures = Figures()
        self.process: subprocess.Popen[bytes] | None = None
        self.pins: dict[str, str] = {}
        self.token = ""
        self.rng = random.Random(args.seed)
        self.arrivals_done = asyncio.Event()
        self.stop = asyncio.Event()
        self.restarting = False

    # -- the server ------------------------------------------------------------------------

    def start_server(self, name: str) -> None:
        log = self.work / f"{name}.log"
        command = [sys.executable, "-m", "rubdown", "tent", "serve", "--day", str(self.day)]
        command += ["--host", "127.0.0.1", "--port", str(self.port), "--no-links"]
        command += ["--tables", str(self.args.tables)]
        with log.open("wb") as sink:
            self.process = subprocess.Popen(
                command,
                stdout=sink,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            text = log.read_text("utf-8", errors="replace")
            if "Uvicorn running on" in text:
                self.pins = dict(re.findall(r"PIN (\w+): (\d+)", text))
                return
            if self.process.poll() is not None:
                raise SystemExit(f"rubdown tent serve exited:\n{text}")
            time.sleep(0.02)
        raise SystemExit(f"rubdown tent serve did not start:\n{log.read_text()}")

    def kill_server(self) -> None:
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    async def join(self) -> str:
        connection = Connection(self.port)
        status, body, _ = await connection.request(
            "POST", "/api/join", "", {"pin": self.pins["lead"], "want_token": True}
        )
        connection.close()
        assert status == 200, body
        return str(body["token"])

    # -- actions with retries --------------------------------------------------------------

    async def act(self, pool: Pool, kind: str, key: str, body: dict[str, Any]) -> dict[str, Any]:
        """Until acknowledged: a device retries with the same key while the server is down."""
        attempts = 0
        while True:
            attempts += 1
            began = time.perf_counter()
            try:
                status, answer, server_ms = await pool.request(
                    "POST", f"/api/actions/{kind}", self.token, body, key
                )
            except Down:
                self.figures.failed_attempts += 1
                await asyncio.sleep(0.05)
                continue
            if status >= 500:
                self.figures.failed_attempts += 1
                await asyncio.sleep(0.05)
                continue
            elapsed_ms = (time.perf_counter() - began) * 1000
            if attempts > 1:
                self.figures.retried_actions += 1
            else:
                self.figures.latencies_ms.setdefault(kind, []).append(elapsed_ms)
                self.figures.timed.append((time.time(), elapsed_ms))
                if server_ms is not None:
                    self.figures.server_ms.append(server_ms)
            if status != 200:
                self.figures.refused[f"{kind}: {answer['error']['code']}"] += 1
            return dict(answer) if isinstance(answer, dict) else {}

    # -- the finishers, the tables, the board ----------------------------------------------

    def arrivals_s(self) -> list[float]:
        times = []
        for _ in range(self.args.finishers):
            finish = min(max(self.rng.gauss(4.5 * 3600, 50 * 60), 2 * 3600 + 300), 7 * 3600)
            times.append(finish + self.rng.uniform(5 * 60, 15 * 60))
        kept = [t for t in times if self.rng.random() < self.args.share]
        first = min(kept)
        return sorted(t - first for t in kept)

    async def finisher(self, pool: Pool, bib: int, at_s: float, t0: float) -> None:
        await asyncio.sleep(max(0.0, t0 + at_s / self.args.speed - time.monotonic()))
        given = all_clear()
        if self.rng.random() < MEDICAL_SHARE:
            given[self.rng.choice(SIGNS).key] = True
        distance = self.rng.choice(("marathon", "marathon", "half", "10k"))
        body = {"bib": str(bib), "name": f"Runner {bib}", "distance": distance, "answers": given}
        answer = await self.act(pool, "checkin", f"checkin-{bib}", body)
        self.figures.acknowledged[str(bib)] = answer

    async def table(self, pool: Pool, number: int) -> None:
        calls = 0
        while not self.stop.is_set():
            calls += 1
            key = f"table-{number}-call-{calls}"
            answer = await self.act(pool, "call", key, {"table": number})
            visit = answer.get("visit")
            if not visit:
                await asyncio.sleep(60 / self.args.speed)  # an idle table looks again
                continue
            if self.rng.random() < NO_SHOW_SHARE:
                await asyncio.sleep(60 / self.args.speed)
                await self.act(pool, "no_show", f"{key}-no-show", {"visit_id": visit["id"]})
                continue
            await asyncio.sleep(self.rng.uniform(7 * 60, 13 * 60) / self.args.speed)
            await self.act(pool, "done", f"{key}-done", {"visit_id": visit["id"]})

    async def board(self) -> None:
        """An SSE client; reconnects after the crash as a browser's EventSource does."""
        while not self.stop.is_set():
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
            except OSError:
                await asyncio.sleep(0.05)
                continue
            writer.write(
                (
                    f"GET /api/board/events HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
                    f"Authorization: Bearer {self.token}\r\nAccept: text/event-stream\r\n\r\n"
                ).encode()
            )
            await writer.drain()
            try:
                while not self.stop.is_set():
                    line = await reader.readline()
                    if not line:
                        break
                    if line.startswith(b"data: "):
                        board = json.loads(line[6:])
                        now = time.time()
                        if self.restarting and not self.figures.board_back_at:
                            self.figures.board_back_at = now
                        self.figures.boards.append((now, board["seq"], board["waiting"]))
            except OSError:
                pass
            writer.close()

    async def sampler(self) -> None:
        """How long the oldest stored action the board has not shown has been on disk."""
        db = sqlite3.connect(f"file:{self.day}?mode=ro", uri=True)
        try:
            while not self.stop.is_set():
                await asyncio.sleep(0.25)
                if not self.figures.boards:
                    continue
                shown = self.figures.boards[-1][1]
                row = db.execute(
                    "SELECT at FROM actions WHERE seq > ? ORDER BY seq LIMIT 1", (shown,)
                ).fetchone()
                stale = 0.0
                if row is not None:
                    stale = max(0.0, time.time() - dt.datetime.fromisoformat(row[0]).timestamp())
                in_restart = self.restarting and not self.figures.board_back_at
                (
                    self.figures.staleness_restart_s if in_restart else self.figures.staleness_s
                ).append(stale)
        finally:
            db.close()

    async def crash(self, at_s: float, t0: float) -> None:
        await asyncio.sleep(max(0.0, t0 + at_s / self.args.speed - time.monotonic()))
        self.restarting = True
        self.figures.kill_at = time.time()
        self.kill_server()
        await asyncio.to_thread(self.start_server, "after-kill")
        self.figures.back_at = time.time()

    async def run(self) -> None:
        self.start_server("first")
        self.token = await self.join()
        arrivals = self.arrivals_s()
        pool = Pool(self.port, self.args.connections)
        t0 = time.monotonic() + 0.5
        board = asyncio.create_task(self.board())
        sampler = asyncio.create_task(self.sampler())
        tables = [asyncio.create_task(self.table(pool, n)) for n in range(1, self.args.tables + 1)]
        tasks = [
            asyncio.create_task(self.finisher(pool, 100_000 + i, at, t0))
            for i, at in enumerate(arrivals)
        ]
        crash = None
        if self.args.kill:
            crash = asyncio.create_task(self.crash(arrivals[len(arrivals) // 2], t0))
        await asyncio.gather(*tasks)
        if crash is not None:
            await crash
        await asyncio.sleep(1.5)  # the board catches up, the sampler sees it
        self.stop.set()
        for task in tables:
            task.cancel()
        await asyncio.gather(*tables, return_exceptions=True)
        board.cancel()
        await asyncio.gather(board, sampler, return_exceptions=True)
        self.kill_server()


# -- checking and reporting -------------------------------------------------------------------


def check(bench: Bench) -> dict[str, Any]:
    store = SqliteTentDay(bench.day)
    records = store.actions()
    store.close()
    queue = replay_records(records)
    by_bib = Counter(v.bib for v in queue.visits.values())
    acknowledged = bench.figures.acknowledged
    lost = [bib for bib in acknowledged if by_bib[bib] == 0]
    duplicated = [bib for bib, n in by_bib.items() if n > 1]
    mismatched = [
        bib
        for bib, answer in acknowledged.items()
        if answer.get("visit") and queue.visits.get(answer["visit"]["id"]) is None
    ]
    # Each board against the file's actions replayed to its seq.
    waiting_at: dict[int, int] = {0: 0}
    replayed = replay_records([])
    for record in records:
        replayed.apply(action_of(record.kind, record.payload), record.at)
        waiting_at[record.seq] = replayed.waiting()
    wrong_boards = sum(
        1 for _, seq, waiting in bench.figures.boards if waiting_at.get(seq) != waiting
    )
    return {
        "finishers": len(acknowledged),
        "stored_visits": len(queue.visits),
        "lost": len(lost),
        "duplicated": len(duplicated),
        "acknowledged_not_stored": len(mismatched),
        "actions_stored": len(records),
        "boards_received": len(bench.figures.boards),
        "boards_wrong": wrong_boards,
        "served": sum(1 for v in queue.visits.values() if v.state.value == "done"),
        "medical": sum(1 for v in queue.visits.values() if v.state.value == "medical"),
    }


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, int(share * len(ordered) + 0.5) - 1))]


def report(
    bench: Bench,
    checks: dict[str, Any],
    load: tuple[tuple[float, ...], tuple[float, ...]],
    wall_s: float,
    as_json: bool,
) -> None:
    figures = bench.figures
    latency = {
        kind: {
            "count": len(values),
            "p50_ms": round(percentile(values, 0.5), 1),
            "p99_ms": round(percentile(values, 0.99), 1),
            "max_ms": round(max(values), 1),
        }
        for kind, values in sorted(figures.latencies_ms.items())
    }
    every = [v for values in figures.latencies_ms.values() for v in values]
    # The restart's wake: first attempts sent in the 10 s after the server came back meet the
    # retried backlog and a cold process; they are shown apart as well as in "all".
    settled = [
        ms
        for at, ms in figures.timed
        if not figures.kill_at or not figures.kill_at <= at - ms / 1000 <= figures.back_at + 10
    ]
    board = {
        "max_s": round(max(figures.staleness_s, default=0.0), 2),
        "p99_s": round(percentile(figures.staleness_s, 0.99), 2) if figures.staleness_s else 0.0,
        "samples": len(figures.staleness_s),
        "during_restart_max_s": round(max(figures.staleness_restart_s, default=0.0), 2),
    }
    result = {
        "finishers": bench.args.finishers,
        "tables": bench.args.tables,
        "speed": bench.args.speed,
        "wall_s": round(wall_s, 1),
        "load_average_before": load[0],
        "load_average_after": load[1],
        "cpus": os.cpu_count(),
        "latency": latency,
        "all_actions": {
            "count": len(every),
            "p50_ms": round(percentile(every, 0.5), 1),
            "p99_ms": round(percentile(every, 0.99), 1),
        },
        "outside_restart": {
            "count": len(settled),
            "p50_ms": round(percentile(settled, 0.5), 1),
            "p99_ms": round(percentile(settled, 0.99), 1),
        },
        "server_side": {
            "count": len(figures.server_ms),
            "p50_ms": round(percentile(figures.server_ms, 0.5), 1),
            "p99_ms": round(percentile(figures.server_ms, 0.99), 1),
        },
        "failed_attempts_while_down": figures.failed_attempts,
        "actions_retried": figures.retried_actions,
        "refused": dict(figures.refused),
        "restart_s": round(figures.back_at - figures.kill_at, 2) if figures.kill_at else None,
        "board": board,
        "checks": checks,
    }
    if as_json:
        print(json.dumps(result, indent=2))
        return
    print(
        f"rubdown tent serve: {bench.args.finishers:,} finishers at {bench.args.speed:g}x, "
        f"{bench.args.tables} tables, {wall_s:.0f} s wall, {os.cpu_count()} CPUs"
    )
    print(f"load average before {load[0]}, after {load[1]}")
    print(f"{'action':<10}{'count':>8}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    for kind, row in latency.items():
        print(f"{kind:<10}{row['count']:>8}{row['p50_ms']:>9}{row['p99_ms']:>9}{row['max_ms']:>9}")
    p99 = result["all_actions"]["p99_ms"]
    print(
        f"{'all':<10}{len(every):>8}{result['all_actions']['p50_ms']:>9}{p99:>9}"
        f"   aim p99 < {AIM_P99_MS:.0f} ms: {'met' if p99 < AIM_P99_MS else 'MISSED'}"
    )
    for label, name in (
        ("outside the restart's 10 s", "outside_restart"),
        ("server side (Server-Timing)", "server_side"),
    ):
        row = result[name]
        print(f"{label}: {row['count']} actions, p50 {row['p50_ms']} ms, p99 {row['p99_ms']} ms")
    print(
        f"kill -9 half way: back in {result['restart_s']} s; {figures.failed_attempts} attempts "
        f"failed while down, {figures.retried_actions} actions acknowledged on a retry"
    )
    print(
        f"check-ins: {checks['finishers']:,} acknowledged, {checks['stored_visits']:,} stored, "
        f"lost {checks['lost']}, duplicated {checks['duplicated']}, "
        f"acknowledged but not stored {checks['acknowledged_not_stored']}"
    )
    print(
        f"served {checks['served']:,}, to medical {checks['medical']}, "
        f"{checks['actions_stored']:,} actions stored; refused: {dict(figures.refused) or 'none'}"
    )
    print(
        f"board: {checks['boards_received']:,} boards, {checks['boards_wrong']} differ from the "
        f"file at their seq; behind the file by at most {board['max_s']} s "
        f"(p99 {board['p99_s']} s, {board['samples']} samples; aim {AIM_BOARD_S:.0f} s: "
        f"{'met' if board['max_s'] < AIM_BOARD_S else 'MISSED'}); "
        f"while the server restarted: up to {board['during_restart_max_s']} s"
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--finishers", type=int, default=20_000)
    parser.add_argument("--share", type=float, default=1.0, help="share who come to the tent")
    parser.add_argument("--tables", type=int, default=40)
    parser.add_argument("--speed", type=float, default=60.0)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-kill", dest="kill", action="store_false")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--keep-day", type=Path, help="copy the day file here at the end")
    args = parser.parse_args()
    # The load generator holds 20,000 tasks and their answers: as in the server
    # (commands_tent_day), full collections are made rare so that their pauses do not count
    # as the server's latency.
    gc.freeze()
    gc.set_threshold(10_000, 50, 1_000)
    with tempfile.TemporaryDirectory(prefix="rubdown-tent-bench-") as folder:
        bench = Bench(args, Path(folder))
        before = tuple(round(x, 2) for x in os.getloadavg())
        began = time.monotonic()
        try:
            asyncio.run(bench.run())
        finally:
            if bench.process is not None and bench.process.poll() is None:
                bench.kill_server()
        wall = time.monotonic() - began
        after = tuple(round(x, 2) for x in os.getloadavg())
        report(bench, check(bench), (before, after), wall, args.json)
        if args.keep_day is not None:
            shutil.copyfile(bench.day, args.keep_day)


if __name__ == "__main__":
    main()
