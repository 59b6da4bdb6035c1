"""``rubdown tent serve`` killed with SIGKILL and started again loses nothing it acknowledged.

The real command runs in a process of its own; the test acts on it over HTTP as the tent's
devices do, kills it with ``kill -9`` (no shutdown code runs), starts it again on the same
day file and compares.
"""

from __future__ import annotations

import concurrent.futures
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.tent import answers, write_entries

START_SECONDS = 60


@dataclass
class TentServer:
    process: subprocess.Popen[bytes]
    url: str
    pins: dict[str, str]
    clients: list[httpx.Client] = field(default_factory=list)

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)


def start(day: Path, log: Path, *extra: str) -> TentServer:
    command = [sys.executable, "-m", "rubdown", "tent", "serve", "--day", str(day)]
    command += ["--host", "127.0.0.1", "--port", "0", "--no-links", *extra]
    environment = {k: v for k, v in os.environ.items() if not k.startswith("RUBDOWN_")}
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=environment,
            start_new_session=True,
        )
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        text = log.read_text("utf-8", errors="replace")
        found = re.search(r"Uvicorn running on (http://\S+)", text)
        if found:
            pins = dict(re.findall(r"PIN (\w+): (\d+)", text))
            return TentServer(process, found.group(1).rstrip("/"), pins)
        if process.poll() is not None:
            pytest.fail(f"rubdown tent serve exited with {process.returncode}:\n{text}")
        time.sleep(0.05)
    process.kill()
    pytest.fail(f"rubdown tent serve did not start:\n{log.read_text()}")


@pytest.fixture
def servers() -> Iterator[list[TentServer]]:
    started: list[TentServer] = []
    yield started
    for server in started:
        for client in server.clients:
            client.close()
        if server.process.poll() is None:
            server.kill()


def lead_client(server: TentServer, token: str | None = None) -> httpx.Client:
    client = httpx.Client(base_url=server.url, timeout=10)
    server.clients.append(client)
    if token is None:
        joined = client.post("/api/join", json={"pin": server.pins["lead"], "want_token": True})
        joined.raise_for_status()
        token = joined.json()["token"]
    client.headers["Authorization"] = f"Bearer {token}"
    return client


def act(client: httpx.Client, kind: str, key: str, **body: Any) -> dict[str, Any]:
    response = client.post(f"/api/actions/{kind}", json=body, headers={"Idempotency-Key": key})
    response.raise_for_status()
    answer: dict[str, Any] = response.json()
    return answer


def test_after_kill_9_and_a_restart_the_queue_is_exactly_as_it_was(
    tmp_path: Path, servers: list[TentServer]
) -> None:
    day = tmp_path / "day.sqlite"
    entries = write_entries(tmp_path)
    server = start(day, tmp_path / "first.log", "--entries", str(entries), "--tables", "3")
    servers.append(server)
    lead = lead_client(server)
    act(lead, "configure", "set-priorities", priorities=["marathon", "half marathon"])
    for bib in ("102", "101", "103", "104"):
        act(lead, "checkin", f"checkin-{bib}", bib=bib, answers=answers())
    act(lead, "checkin", "checkin-medical", bib="", name="Hal", answers=answers("heat"))
    first = act(lead, "call", "call-table-1", table=1)["visit"]
    act(lead, "call", "call-table-2", table=2)
    act(lead, "done", "done-table-1", visit_id=first["id"])
    third = act(lead, "call", "call-table-1-again", table=1)["visit"]
    act(lead, "no_show", "no-show-table-1", visit_id=third["id"])
    before = lead.get("/api/snapshot").json()
    token = lead.headers["Authorization"].removeprefix("Bearer ")

    server.kill()
    again = start(day, tmp_path / "second.log")
    servers.append(again)
    assert again.pins == {}  # shown once, when made: the day file keeps only their digests
    client = lead_client(again, token)  # and the device that joined is still joined
    rejoined = httpx.post(f"{again.url}/api/join", json={"pin": server.pins["desk"]}, timeout=10)
    assert rejoined.status_code == 200  # the PINs shown the first time still join
    assert client.get("/api/snapshot").json() == before
    # A retry of an action the first server acknowledged answers as before and adds nothing.
    retried = act(client, "done", "done-table-1", visit_id=first["id"])
    assert retried["replayed"] is True
    assert client.get("/api/snapshot").json() == before


def test_a_kill_9_in_the_middle_of_check_ins_loses_and_duplicates_none(
    tmp_path: Path, servers: list[TentServer]
) -> None:
    day = tmp_path / "day.sqlite"
    server = start(day, tmp_path / "first.log")
    servers.append(server)
    token = lead_client(server).headers["Authorization"].removeprefix("Bearer ")
    bibs = [str(1000 + n) for n in range(300)]
    acknowledged: dict[str, dict[str, Any]] = {}

    shared = httpx.Client(base_url=server.url, timeout=5)
    shared.headers["Authorization"] = f"Bearer {token}"
    server.clients.append(shared)

    def send(bib: str) -> dict[str, Any] | None:
        try:
            return act(
                shared, "checkin", f"checkin-{bib}", bib=bib, name=f"R{bib}", answers=answers()
            )
        except httpx.HTTPError:
            return None  # the server died under it: the device will retry

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        futures = {pool.submit(send, bib): bib for bib in bibs}
        for future in concurrent.futures.as_completed(futures):
            answer = future.result()
            if answer is not None:
                acknowledged[futures[future]] = answer
            if len(acknowledged) == 50 and server.process.poll() is None:
                server.kill()  # while other check-ins are in flight
    assert acknowledged, "nothing was acknowledged before the kill: the test proves nothing"
    assert len(acknowledged) < len(bibs), "the kill came after the last check-in"

    again = start(day, tmp_path / "second.log")
    servers.append(again)
    client = lead_client(again, token)
    stored = {v["bib"]: v for v in client.get("/api/snapshot").json()["visits"]}
    for bib, answer in acknowledged.items():
        assert stored[bib]["id"] == answer["visit"]["id"], f"bib {bib} was acknowledged but lost"
    # The devices retry what was not acknowledged, with the same keys.
    for bib in bibs:
        retried = act(
            client, "checkin", f"checkin-{bib}", bib=bib, name=f"R{bib}", answers=answers()
        )
        if bib in acknowledged:
            assert retried["replayed"] is True
            assert retried["visit"] == acknowledged[bib]["visit"]
    visits = client.get("/api/snapshot").json()["visits"]
    assert sorted(v["bib"] for v in visits) == sorted(bibs)  # each once, none lost
