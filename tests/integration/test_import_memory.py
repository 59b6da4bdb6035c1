"""Memory and disk stay bounded on import, whatever the size a file inflates to.

Each import runs the real command in a fresh process that reports its own peak resident
memory (``VmHWM`` from /proc/self/status, which starts afresh at ``exec``). The bound is
stated against a baseline, the peak of the same command importing a one-point GPX, so it
measures what the file costs and not what Python, NumPy and SQLAlchemy cost to load.

Why 96 MiB over the baseline: a streamed GPX keeps at most ``MAX_POINTS`` (65,536) points of
a leg, about 1 kB each on their way to the streams (some 70 MiB), and at most about a million
points in all its legs, some 70 bytes each once built (a 150 MiB file of 52 tracks peaked 74
MiB over the baseline); the rest is read in chunks of 8 MiB at most, and no token longer
than 1 MiB is ever buffered. A file read whole would
need its inflated size at least (150 MiB here): before streaming, the 150 MiB member took
300 MiB over the baseline and kept 150 MiB on disk; now about 60 MiB and 1.7 MB.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import random
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from rubdown.importers.xml_common import MAX_POINTS
from tests.e2e.cli import TODAY

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/status").exists(), reason="peak memory is read from /proc (Linux)"
)

MIB = 1024 * 1024
BOUND_OVER_BASELINE = 96 * MIB
MEMBER_BYTES = 150 * MIB

# The child runs the real command and writes its own peak memory to a file at exit.
_MEASURED = """
import atexit, os, runpy, sys

def _peak():
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmHWM:"))
    with open(os.environ["PEAK_FILE"], "w") as out:
        out.write(str(int(line.split()[1]) * 1024))

atexit.register(_peak)
sys.argv = ["rubdown", *sys.argv[1:]]
runpy.run_module("rubdown", run_name="__main__", alter_sys=True)
"""


def _import_measured(home: Path, path: Path, tmp_path: Path) -> tuple[int, dict[str, Any]]:
    """(peak bytes, the file's report line) of ``rubdown --home HOME import PATH --json``,
    run in a new process."""
    peak_file = tmp_path / f"peak-{path.name}"
    environment = {k: v for k, v in os.environ.items() if not k.startswith("RUBDOWN_")}
    environment.update(RUBDOWN_TODAY=TODAY, TZ="UTC", PEAK_FILE=str(peak_file))
    completed = subprocess.run(
        [sys.executable, "-c", _MEASURED, "--home", str(home), "import", str(path), "--json"],
        capture_output=True,
        text=True,
        timeout=300,
        env=environment,
        check=False,
    )
    assert "Traceback" not in completed.stderr, completed.stderr
    (line,) = json.loads(completed.stdout)["files"]
    return int(peak_file.read_text()), line


def _point(index: int, padding: bytes) -> bytes:
    moment = dt.datetime(2026, 5, 1, 6, 0, tzinfo=dt.UTC) + dt.timedelta(seconds=index)
    return (
        b'<trkpt lat="%.6f" lon="%.6f"><ele>%d</ele><time>%s</time>%s'
        b"<extensions><hr>%d</hr></extensions></trkpt>\n"
        % (
            47.0 + index * 1e-5,
            8.0 + index * 1e-5,
            400 + index % 50,
            moment.strftime("%Y-%m-%dT%H:%M:%SZ").encode(),
            padding,
            120 + index % 40,
        )
    )


_HEAD = (
    b'<?xml version="1.0"?>\n<gpx version="1.1" creator="test"><trk><type>running</type><trkseg>\n'
)
_TAIL = b"</trkseg></trk></gpx>\n"


def _write_gpx(out: io.BufferedIOBase | zipfile.ZipExtFile, size: int, padding: bytes) -> int:
    """A GPX of about ``size`` bytes, written as it is made; returns its point count."""
    out.write(_HEAD)
    written, count = len(_HEAD), 0
    while count == 0 or written < size:
        line = _point(count, padding)
        out.write(line)
        written += len(line)
        count += 1
    out.write(_TAIL)
    return count


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> int:
    """The peak of the same command importing a one-point GPX."""
    folder = tmp_path_factory.mktemp("baseline")
    small = folder / "one.gpx"
    with small.open("wb") as out:
        _write_gpx(out, 1, b"")
    peak, line = _import_measured(folder / "home", small, folder)
    assert line["status"] == "imported", line
    return peak


def _kept_bytes(home: Path) -> int:
    raw = home / "raw"
    return sum(p.stat().st_size for p in raw.rglob("*") if p.is_file()) if raw.exists() else 0


def test_a_zip_member_inflating_150_to_1_imports_with_bounded_memory_and_disk(
    tmp_path: Path, baseline: int
) -> None:
    bomb = tmp_path / "bomb.zip"
    # Whitespace between a point's elements: compressible enough for about 150:1, and
    # every point is a real one the parser has to read.
    with (
        zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
        archive.open("run.gpx", "w", force_zip64=True) as member,
    ):
        points = _write_gpx(member, MEMBER_BYTES, b" " * 2900)
    info = zipfile.ZipFile(bomb).getinfo("run.gpx")
    ratio = info.file_size / info.compress_size
    assert 120 < ratio < 200, f"the test's member compresses {ratio:.0f}:1"

    home = tmp_path / "home"
    peak, line = _import_measured(home, bomb, tmp_path)

    assert line["status"] == "imported", line
    assert line["records"] == points
    assert peak - baseline < BOUND_OVER_BASELINE, (
        f"peak {peak / MIB:.0f} MiB, baseline {baseline / MIB:.0f} MiB"
    )
    # The original is kept, gzipped: about its compressed size again, not 150 MiB.
    assert _kept_bytes(home) < 4 * info.compress_size


def test_a_member_that_is_one_huge_comment_is_refused_early_and_not_kept(
    tmp_path: Path, baseline: int
) -> None:
    bomb = tmp_path / "comment.zip"
    with (
        zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open("run.gpx", "w", force_zip64=True) as member,
    ):
        member.write(_HEAD + b"<!--")
        # A little noise in a lot of blanks: about 150:1, under the ratio limit.
        noise = random.Random(11)
        for _ in range(MEMBER_BYTES // 1024):
            member.write(b"%08x" % noise.getrandbits(32) + b" " * 1016)
        member.write(b"-->" + _TAIL)
    info = zipfile.ZipFile(bomb).getinfo("run.gpx")
    ratio = info.file_size / info.compress_size
    assert 120 < ratio < 200, f"the test's member compresses {ratio:.0f}:1"

    home = tmp_path / "home"
    peak, line = _import_measured(home, bomb, tmp_path)

    assert line["status"] == "failed"
    assert "more than 1 MiB of text, comment or attributes in one place" in line["error"]
    assert peak - baseline < BOUND_OVER_BASELINE
    assert _kept_bytes(home) == 0


def test_a_large_gpx_on_disk_imports_with_memory_far_below_its_size(
    tmp_path: Path, baseline: int
) -> None:
    large = tmp_path / "long.gpx"
    with large.open("wb") as out:
        points = _write_gpx(out, MEMBER_BYTES, b" " * 600)
    assert points > 2 * MAX_POINTS

    home = tmp_path / "home"
    peak, line = _import_measured(home, large, tmp_path)

    assert line["status"] == "imported", line
    assert line["records"] == points
    assert peak - baseline < BOUND_OVER_BASELINE
