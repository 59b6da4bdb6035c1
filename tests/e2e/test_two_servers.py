"""Two ``rubdown serve --server`` processes and ``rubdown worker`` processes on one PostgreSQL,
as real processes (issue 13, "stateless processes"), each with a home of its own so that
nothing but the database is shared:

- a login made through one server is used, cookie and CSRF token, through the other;
- an upload to one server is imported by the worker and visible through both;
- a worker killed (SIGKILL) in the middle of a job of many files is replaced by a new
  worker, which takes the job up again once the dead one's heartbeat is old; the result is
  the same as a clean import of the same files: the same activities, none twice, no half
  file.

PostgreSQL comes from ``RUBDOWN_TEST_POSTGRES_URL`` (a fresh schema for this test, named
in the URL's ``search_path`` for every process); without it the test is skipped, in CI it
fails (``tests.pg``).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.pg import fresh_postgres_url
from tests.support.gpx_runs import gpx_run

pytestmark = pytest.mark.postgres

PASSWORD = "correct horse battery staple"
START_S = 60
JOB_S = 300
# Enough files, each long enough, for a worker with one decoder to be caught half-way.
MANY_FILES = 80
POINTS = 1500
# A quick heartbeat, so the test does not wait a minute for a dead worker to be noticed.
WORKER_TIMING = ("--heartbeat", "0.5", "--stalled-after", "3", "--check-every", "0.5")


# What an activity is, as the runner sees it, whichever import stored it.
COMPARED = (
    "date",
    "start",
    "sport",
    "name",
    "duration_s",
    "distance_m",
    "avg_hr_bpm",
    "max_hr_bpm",
    "records",
    "partial",
    "load",
    "kind",
)


def _environment(url: str, home: Path) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("RUBDOWN_")}
    environment.update(
        RUBDOWN_DATABASE_URL=url,
        RUBDOWN_HOME=str(home),
        TZ="UTC",
        PYTHONUTF8="1",
        PYTHONUNBUFFERED="1",
    )
    return environment


def _rubdown(url: str, home: Path, *args: str, stdin: str = "") -> str:
    done = subprocess.run(
        [sys.executable, "-m", "rubdown", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=_environment(url, home),
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, f"rubdown {' '.join(args)}: {done.stderr}"
    return done.stdout


class Process:
    """A long-running ``rubdown`` command in a process group of its own (its decoders
    included), its output in a log file."""

    def __init__(self, url: str, home: Path, log: Path, *args: str) -> None:
        self.log = log
        with log.open("wb") as sink:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "rubdown", *args],
                stdin=subprocess.DEVNULL,
                stdout=sink,
                stderr=subprocess.STDOUT,
                env=_environment(url, home),
                start_new_session=True,
            )

    def text(self) -> str:
        return self.log.read_text("utf-8", errors="replace")

    def wait_for(self, pattern: str) -> re.Match[str]:
        deadline = time.monotonic() + START_S
        while time.monotonic() < deadline:
            found = re.search(pattern, self.text())
            if found:
                return found
            if self.process.poll() is not None:
                pytest.fail(f"exited with {self.process.returncode}:\n{self.text()}")
            time.sleep(0.05)
        pytest.fail(f"{pattern!r} never came:\n{self.text()}")

    def kill(self) -> None:
        """kill -9, the whole group: nothing gets to clean up."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()


def _server(stack: ExitStack, url: str, home: Path, log: Path) -> str:
    server = Process(url, home, log, "serve", "--server", "--port", "0")
    stack.callback(server.stop)
    port = server.wait_for(r"Uvicorn running on http://127\.0\.0\.1:(\d+)").group(1)
    return f"http://127.0.0.1:{port}"


def _worker(stack: ExitStack, url: str, home: Path, log: Path) -> Process:
    worker = Process(url, home, log, "worker", "--decoders", "1", *WORKER_TIMING)
    stack.callback(worker.stop)
    worker.wait_for("waiting for import jobs")
    return worker


def _log_in(base: str, email: str) -> tuple[str, str]:
    """Log in through one server: (the session cookie, the CSRF token)."""
    answer = httpx.post(f"{base}/api/login", json={"email": email, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    cookie = answer.cookies.get("rubdown_session")
    assert cookie
    return cookie, str(answer.json()["csrf_token"])


def _client(base: str, session: tuple[str, str]) -> httpx.Client:
    cookie, csrf = session
    return httpx.Client(
        base_url=base,
        headers={"Cookie": f"rubdown_session={cookie}", "X-Rubdown-CSRF": csrf},
        timeout=60,
    )


def _runs(count: int, *, points: int, hour: int) -> list[tuple[str, bytes]]:
    """Runs on days one after another, each starting at ``hour`` (UTC)."""
    start = dt.datetime(2026, 1, 1, hour, tzinfo=dt.UTC)
    return [
        (
            f"run {i:03d} at {hour}.gpx",
            gpx_run(start + dt.timedelta(days=i), points=points, name=f"R{i}"),
        )
        for i in range(count)
    ]


def _upload(client: httpx.Client, files: list[tuple[str, bytes]]) -> str:
    multipart = [("files", (name, data, "application/gpx+xml")) for name, data in files]
    answer = client.post("/api/import/jobs", files=multipart)
    assert answer.status_code == 202, answer.text
    return str(answer.json()["id"])


def _job(client: httpx.Client, job_id: str) -> dict[str, Any]:
    answer = client.get(f"/api/import/jobs/{job_id}")
    assert answer.status_code == 200, answer.text
    job: dict[str, Any] = answer.json()
    return job


def _until_done(client: httpx.Client, job_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + JOB_S
    while time.monotonic() < deadline:
        job = _job(client, job_id)
        if job["state"] != "running":
            return job
        time.sleep(0.2)
    pytest.fail(f"the import job never ended: {_job(client, job_id)}")


def _activities(client: httpx.Client) -> list[tuple[Any, ...]]:
    """Each activity as what a clean import decides: its day, start, sport, numbers."""
    answer = client.get("/api/activities")
    assert answer.status_code == 200, answer.text
    return sorted(tuple(a[key] for key in COMPARED) for a in answer.json()["activities"])


def test_two_servers_and_workers_share_logins_imports_and_survive_a_killed_worker(
    tmp_path: Path,
) -> None:
    with fresh_postgres_url() as url, ExitStack() as stack:
        admin_home = tmp_path / "admin"
        _rubdown(url, admin_home, "db", "upgrade")
        for email in ("ana@example.org", "ben@example.org"):
            _rubdown(
                url,
                admin_home,
                "admin",
                "user",
                "add",
                "--email",
                email,
                "--role",
                "runner",
                "--password-stdin",
                stdin=PASSWORD + "\n",
            )
        one = _server(stack, url, tmp_path / "home-1", tmp_path / "serve-1.log")
        two = _server(stack, url, tmp_path / "home-2", tmp_path / "serve-2.log")

        # A login through one server holds through the other, CSRF token and all.
        ana = _log_in(one, "ana@example.org")
        ana_one = stack.enter_context(_client(one, ana))
        ana_two = stack.enter_context(_client(two, ana))
        session = ana_two.get("/api/session")
        assert session.status_code == 200, session.text
        assert session.json()["user"]["email"] == "ana@example.org"

        # An upload to one server is imported by the worker and seen through both.
        first_worker = _worker(stack, url, tmp_path / "worker-1", tmp_path / "worker-1.log")
        single = _runs(1, points=60, hour=18)
        job = _until_done(ana_two, _upload(ana_one, single))
        assert job["state"] == "done", job
        assert job["report"]["summary"]["imported"] == 1
        assert _activities(ana_one) == _activities(ana_two)
        assert len(_activities(ana_one)) == 1

        # A job of many files; its worker is killed half-way through.
        many = _runs(MANY_FILES, points=POINTS, hour=7)
        job_id = _upload(ana_two, many)
        deadline = time.monotonic() + JOB_S
        while True:
            seen = _job(ana_one, job_id)
            if seen["phase"] == "importing" and 0 < seen["files_done"] < MANY_FILES - 5:
                break
            assert seen["state"] == "running", f"the job ended before the kill: {seen}"
            assert time.monotonic() < deadline, seen
            time.sleep(0.02)
        first_worker.kill()
        time.sleep(1)
        stalled = _job(ana_one, job_id)
        assert stalled["state"] == "running"
        assert stalled["files_done"] < MANY_FILES

        _worker(stack, url, tmp_path / "worker-2", tmp_path / "worker-2.log")
        job = _until_done(ana_one, job_id)
        assert job["state"] == "done", job
        summary = job["report"]["summary"]
        assert summary["failed"] == summary["partial"] == 0
        assert summary["imported"] + summary["duplicate"] == MANY_FILES
        assert summary["duplicate"] >= 1  # the files the dead worker had stored already

        # The same files imported cleanly for another runner: the same activities.
        ben = stack.enter_context(_client(two, _log_in(two, "ben@example.org")))
        clean = _until_done(ben, _upload(ben, single + many))
        assert clean["state"] == "done", clean
        assert clean["report"]["summary"]["imported"] == MANY_FILES + 1
        assert _activities(ana_one) == _activities(ana_two) == _activities(ben)
        assert len(_activities(ben)) == MANY_FILES + 1  # none twice, none half
