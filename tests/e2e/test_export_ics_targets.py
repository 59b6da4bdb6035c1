"""`export ics PATH` and `plan --ics PATH` through the real command: a FIFO or /dev/stdout
receives the calendar and stays what it was, a planted `PATH.tmp` symlink is not written
through, a folder is refused in one line."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO

import pytest

from tests.e2e.cli import TODAY, Storage
from tests.e2e.conftest import Seasons

EXPORT_TO_STDOUT = ("export", "ics", "/dev/stdout", "--json")


@pytest.fixture
def storage(seasons: Seasons, tmp_path: Path) -> Storage:
    """A copy of the seeded SQLite season, so an export (which saves the plan) is its own."""
    copy = Storage.sqlite(tmp_path / "home")
    shutil.copytree(seasons.get("sqlite").storage.home, copy.home)
    return copy


@pytest.mark.parametrize("command", [["export", "ics"], ["plan", "--ics"]], ids=" ".join)
def test_a_fifo_receives_the_calendar_and_stays_a_fifo(
    storage: Storage, tmp_path: Path, command: list[str]
) -> None:
    fifo = tmp_path / "calendar.ics"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()

    result = storage.run(*command, str(fifo))
    reader.join(timeout=60)  # a safety net against a hang, not a speed check

    assert result.code == 0, result.err
    assert len(received) == 1
    assert received[0].startswith(b"BEGIN:VCALENDAR")
    assert received[0].rstrip().endswith(b"END:VCALENDAR")
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["calendar.ics", "home"]


def _export_to_stdout(
    storage: Storage, stdout: int | IO[bytes]
) -> subprocess.CompletedProcess[bytes]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("RUBDOWN_")}
    environment.update(RUBDOWN_TODAY=TODAY, TZ="UTC", NO_COLOR="1")
    return subprocess.run(
        [sys.executable, "-m", "rubdown", "--home", str(storage.home), *EXPORT_TO_STDOUT],
        stdout=stdout,
        stderr=subprocess.PIPE,
        env=environment,
        timeout=120,
        check=False,
    )


def test_dev_stdout_as_a_pipe_receives_the_calendar(storage: Storage) -> None:
    completed = _export_to_stdout(storage, subprocess.PIPE)

    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.startswith(b"BEGIN:VCALENDAR")
    assert b'"path": "/dev/stdout"' in completed.stdout  # the report follows the calendar


def test_dev_stdout_sent_to_a_file_receives_the_calendar_and_the_report(
    storage: Storage, tmp_path: Path
) -> None:
    out = tmp_path / "out.txt"
    with out.open("wb") as stdout:
        completed = _export_to_stdout(storage, stdout)

    assert completed.returncode == 0, completed.stderr
    written = out.read_bytes()
    assert written.startswith(b"BEGIN:VCALENDAR")
    assert b"END:VCALENDAR" in written
    assert written.rstrip().endswith(b"}")  # the report after it, not written over it


def test_a_planted_tmp_symlink_is_not_written_through(storage: Storage, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n", encoding="utf-8")
    target = tmp_path / "out" / "plan.ics"
    target.parent.mkdir()
    (target.parent / "plan.ics.tmp").symlink_to(victim)

    result = storage.run("export", "ics", str(target))

    assert result.code == 0, result.err
    assert victim.read_text(encoding="utf-8") == "precious\n"
    assert target.read_bytes().startswith(b"BEGIN:VCALENDAR")
    assert sorted(p.name for p in target.parent.iterdir()) == ["plan.ics", "plan.ics.tmp"]


def test_a_symlink_keeps_pointing_at_its_calendar_which_is_replaced(
    storage: Storage, tmp_path: Path
) -> None:
    real = tmp_path / "synced.ics"
    real.write_text("an old calendar\n", encoding="utf-8")
    link = tmp_path / "plan.ics"
    link.symlink_to(real)

    result = storage.run("export", "ics", str(link))

    assert result.code == 0, result.err
    assert link.is_symlink()
    assert real.read_bytes().startswith(b"BEGIN:VCALENDAR")


def test_a_folder_is_refused_in_one_line(storage: Storage, tmp_path: Path) -> None:
    folder = tmp_path / "plan.ics"
    folder.mkdir()

    result = storage.run("export", "ics", str(folder))

    assert "plan.ics" in result.error_line()
    assert result.code == 2
    assert folder.is_dir()
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize("command", [["export", "ics"], ["plan", "--ics"]], ids=" ".join)
def test_a_missing_folder_is_refused_in_one_line_and_not_created(
    storage: Storage, tmp_path: Path, command: list[str]
) -> None:
    missing = tmp_path / "no-such-folder"

    result = storage.run(*command, str(missing / "x.ics"))

    assert f"{missing} does not exist" in result.error_line()
    assert result.code == 2
    assert not missing.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home"]
