"""Ctrl-C during ``rubdown import`` (issue 12, section 6).

A terminal sends SIGINT to the whole foreground process group: the import and its decoder
processes alike. The runner sees one line, not a traceback from every worker; the command
exits 130, no process of the group is left behind, and what was stored is whole: importing
the same folder again finishes, every file imported or a duplicate.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rubdown.services.importing import POOL_AFTER_FILES
from tests.e2e.cli import TIMEOUT_SECONDS, TODAY, Storage
from tests.support.gpx_runs import gpx_run
from tests.support.processes import pool_workers, threads

# Enough long runs that the pool starts and the import is still going when Ctrl-C comes.
FILES = POOL_AFTER_FILES * 8
POINTS = 4000
# A safety net against a hang while waiting for the workers or for the group to end.
WAIT_S = 60.0


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    made = tmp_path / "watch"
    made.mkdir()
    first = dt.datetime(2026, 1, 1, 7, tzinfo=dt.UTC)
    for day in range(FILES):
        start = first + dt.timedelta(days=day)
        (made / f"run-{day:03}.gpx").write_bytes(gpx_run(start, points=POINTS, step_s=1))
    return made


def _start_import(storage: Storage, folder: Path) -> subprocess.Popen[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("RUBDOWN_")}
    environment.update(RUBDOWN_TODAY=TODAY, TZ="UTC", NO_COLOR="1", PYTHONUTF8="1")
    environment.update(storage.env)
    return subprocess.Popen(
        [sys.executable, "-m", "rubdown", "--home", str(storage.home), "import", str(folder)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment,
        cwd=storage.home.parent,
        start_new_session=True,  # its own process group, as a terminal's foreground job
    )


def _wait_for_workers(process: subprocess.Popen[str], *, set_up: bool) -> None:
    """Until two pool workers exist; with ``set_up``, until both ran the pool's initializer
    too (it starts the parent-watch thread, a worker's only second thread)."""
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the import ended before its pool started: {process.communicate()}")
        workers = pool_workers(process.pid)
        if len(workers) >= 2 and (not set_up or all(threads(w) >= 2 for w in workers)):
            return
        time.sleep(0.05)
    pytest.fail("no pool workers appeared")


def _live_members(group: int) -> list[str]:
    """The processes of ``group`` still running (zombies waiting for a reaper are not)."""
    members = []
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat_file.read_text()
        except OSError:
            continue
        state, _parent, pgrp = text.rpartition(")")[2].split()[:3]
        if int(pgrp) == group and state != "Z":
            members.append(stat_file.parent.name)
    return members


def _wait_for_group_to_end(group: int) -> list[str]:
    deadline = time.monotonic() + WAIT_S
    while (left := _live_members(group)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")
@pytest.mark.parametrize(
    "set_up", [False, True], ids=["while-workers-start", "while-workers-decode"]
)
def test_ctrl_c_during_a_pooled_import_prints_one_line_and_leaves_a_whole_store(
    storage: Storage, folder: Path, set_up: bool
) -> None:
    process = _start_import(storage, folder)
    group = os.getpgid(process.pid)
    try:
        _wait_for_workers(process, set_up=set_up)
        os.killpg(group, signal.SIGINT)
        _out, err = process.communicate(timeout=TIMEOUT_SECONDS)
    finally:
        if process.poll() is None:
            os.killpg(group, signal.SIGKILL)
            process.wait()

    assert "Traceback" not in err, err
    # Click ends the terminal's "^C" echo with a blank line; the message itself is one line.
    assert [line for line in err.splitlines() if line.strip()] == ["rubdown: interrupted"], err
    assert process.returncode == 130
    assert _wait_for_group_to_end(group) == []

    again = storage.run("import", str(folder), "--json")
    assert again.code == 0, again.err
    statuses = {line["status"] for line in again.document()["files"]}
    assert statuses <= {"imported", "duplicate"}
    assert len(again.document()["files"]) == FILES
