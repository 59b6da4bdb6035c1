"""Decode workers: one that dies costs its file, not the import; none outlives its import.

The worker that dies is made to die the way the out-of-memory killer ends one: SIGKILL,
from inside the job. The job function is swapped for one defined here, at module level, so
that the spawned workers can import it by name (a monkeypatch inside the parent alone would
not reach them).
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from rubdown.bootstrap import Settings, build_app
from rubdown.domain.records import IncomingFile
from rubdown.keeping.raw import RawFiles, content_hash
from rubdown.services import importing
from rubdown.services.import_worker import Job, run_job
from rubdown.services.runner import Runner
from rubdown.store import sqlite_url_for_home
from tests.e2e.cli import TODAY
from tests.support.processes import alive, fork_servers, pool_workers, threads

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="reads the process tree from /proc (Linux)"
)


def _dies_on_poison(job: Job) -> IncomingFile:
    """``run_job``, except that a file named poison kills the worker running it."""
    if job.name.startswith("poison"):
        os.kill(os.getpid(), signal.SIGKILL)
    return run_job(job)


def _gpx(path: Path, day: int, points: int = 60) -> None:
    start = dt.datetime(2026, 3, 1, 7, 0, tzinfo=dt.UTC) + dt.timedelta(days=day)
    rows = "".join(
        f'<trkpt lat="{47 + i * 1e-4:.5f}" lon="{8 + i * 1e-4:.5f}">'
        f"<time>{(start + dt.timedelta(seconds=5 * i)).isoformat()}</time></trkpt>\n"
        for i in range(points)
    )
    path.write_text(
        '<?xml version="1.0"?><gpx version="1.1" creator="test"><trk><type>running</type>'
        f"<trkseg>\n{rows}</trkseg></trk></gpx>\n"
    )


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Runner]:
    home = tmp_path / "home"
    built = build_app(Settings(home, sqlite_url_for_home(home), today=dt.date(2027, 1, 4)))
    try:
        yield built
    finally:
        built.close()


def test_a_worker_killed_mid_job_costs_only_its_file(
    app: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "runs"
    folder.mkdir()
    for day in range(6):
        _gpx(folder / f"run-{day}.gpx", day)
    _gpx(folder / "poison.gpx", 10)
    monkeypatch.setattr(importing, "run_job", _dies_on_poison)
    monkeypatch.setattr(importing, "POOL_AFTER_FILES", 1)

    report = importing.import_paths(app, [folder], workers=2)

    by_name = {Path(line.path).name: line for line in report.files}
    assert by_name["poison.gpx"].status == "failed"
    assert by_name["poison.gpx"].error == importing.WORKER_DIED
    assert {name: line.status for name, line in by_name.items() if name != "poison.gpx"} == {
        f"run-{day}.gpx": "imported" for day in range(6)
    }
    kept = RawFiles(tmp_path / "home" / "raw").kept()
    poison = content_hash((folder / "poison.gpx").read_bytes())
    assert len(kept) == 6
    assert poison not in kept  # the file that killed its worker is not kept


def test_killing_the_import_ends_its_workers_within_seconds(tmp_path: Path) -> None:
    folder = tmp_path / "runs"
    folder.mkdir()
    # Enough work that the pool is busy when the import is killed.
    for day in range(300):
        _gpx(folder / f"run-{day:03}.gpx", day, points=3000)
    environment = {k: v for k, v in os.environ.items() if not k.startswith("RUBDOWN_")}
    environment.update(RUBDOWN_TODAY=TODAY, TZ="UTC")
    command = [sys.executable, "-m", "rubdown", "--home", str(tmp_path / "home")]
    parent = subprocess.Popen(
        [*command, "import", str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=environment,
    )
    try:
        workers: set[int] = set()
        deadline = time.monotonic() + 120
        while len(workers) < 2 and parent.poll() is None and time.monotonic() < deadline:
            # Past start-up: the initializer has started the thread that watches the parent.
            workers = {pid for pid in pool_workers(parent.pid) if threads(pid) >= 2}
            time.sleep(0.05)
        assert len(workers) == 2, "no two pool workers past start-up, watching their parent"
        helpers = workers | set(fork_servers(parent.pid))
        parent.send_signal(signal.SIGKILL)
        parent.wait()

        deadline = time.monotonic() + 5
        while any(alive(pid) for pid in helpers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(alive(pid) for pid in helpers)
    finally:
        parent.kill()
        parent.wait()
