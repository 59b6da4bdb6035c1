"""Files are streamed, never read whole: the raw store spools them, gzip is inflated as it is
read, GPX and TCX are parsed from the stream with a bounded number of points, and what can
only be read whole is refused beyond a bound, with one line."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import itertools
import os
import time
import zlib
from pathlib import Path

import pytest

from rubdown.domain.records import IncomingFile
from rubdown.importers import apple_health, gpx, registry, tcx, xml_common
from rubdown.importers.archive import Limits
from rubdown.importers.base import Format, ImportProblem
from rubdown.importers.sniff import open_payload
from rubdown.keeping.raw import IN_MEMORY_BYTES, RawFiles
from rubdown.services.import_worker import Job, run_job

CORPUS = Path(__file__).parents[1] / "data" / "activities"
GPX_RUN = CORPUS / "togeojson/run_gpxtpx.gpx"
FIT_RUN = CORPUS / "tormoder-fit/activity-small-fenix2-run.fit"
TCX_RUN = CORPUS / "GoldenCheetah/10kUNLP2014-Garmin15.tcx"


def a_gpx(points: int, seconds_apart: int = 1) -> bytes:
    start = dt.datetime(2026, 4, 1, 7, 0, tzinfo=dt.UTC)
    rows = "".join(
        f'<trkpt lat="{47 + i * 1e-5:.6f}" lon="8.0"><time>'
        f"{(start + dt.timedelta(seconds=seconds_apart * i)).isoformat()}</time></trkpt>"
        for i in range(points)
    )
    return (
        '<?xml version="1.0"?><gpx version="1.1" creator="t"><trk><type>running</type>'
        f"<trkseg>{rows}</trkseg></trk></gpx>"
    ).encode()


def decoded(tmp_path: Path, name: str, data: bytes) -> IncomingFile:
    raw = RawFiles(tmp_path / "raw")
    spooled = raw.spool(lambda: io.BytesIO(data))
    fresh = raw.keep(spooled)
    return run_job(Job(name, name, "", spooled.sha256, False, "UTC", raw.root, Limits(), fresh))


def test_gpx_and_tcx_read_from_a_stream_give_what_their_bytes_give() -> None:
    gpx_data, tcx_data = GPX_RUN.read_bytes(), TCX_RUN.read_bytes()
    # Compared as text: the streams hold NaN, which equals nothing, itself included.
    assert repr(gpx.parse(io.BytesIO(gpx_data))) == repr(gpx.parse(gpx_data))
    assert repr(tcx.parse(io.BytesIO(tcx_data))) == repr(tcx.parse(tcx_data))


def test_a_long_track_is_thinned_evenly_keeping_its_first_and_last_point(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(xml_common, "MAX_POINTS", 8)

    parsed = gpx.parse(io.BytesIO(a_gpx(101)))

    (run,) = parsed.activities
    assert parsed.records == 101
    assert run.duration_s == 100.0
    assert run.streams is not None
    times = list(run.streams.channels["time_s"])
    assert len(times) <= 8 + 1
    assert times[0] == 0.0
    assert times[-1] == 100.0
    gaps = {b - a for a, b in itertools.pairwise(times)}
    assert len(gaps - {times[-1] - times[-2]}) == 1  # evenly spaced, the last gap apart


def test_gzip_is_inflated_as_it_is_read() -> None:
    data = GPX_RUN.read_bytes()
    opened = open_payload(io.BytesIO(gzip.compress(data)), "run.gpx.gz", Limits())
    assert opened.format is Format.GPX
    assert opened.gzipped
    assert opened.stream.read() == data


def test_a_gzip_bomb_is_refused_while_inflating_after_a_few_mib() -> None:
    zeros = zlib.compressobj(9, zlib.DEFLATED, 31)
    bomb = b"".join(zeros.compress(bytes(1 << 20)) for _ in range(512)) + zeros.flush()
    opened = open_payload(io.BytesIO(bomb), "run.gpx.gz", Limits())
    read: list[int] = []

    def drain() -> None:
        while piece := opened.stream.read(1 << 16):
            read.append(len(piece))

    with pytest.raises(ImportProblem, match=r"compression ratio over 200:1"):
        drain()
    assert sum(read) < 8 << 20  # of the 512 MiB it would inflate to


def test_a_fit_file_beyond_the_whole_read_bound_fails_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(registry, "MAX_WHOLE_BYTES", 1000)

    result = decoded(tmp_path, "run.fit", FIT_RUN.read_bytes())

    assert result.status == "failed"
    assert result.error == "a fit file larger than 1000 bytes is not read"


def test_a_spooled_original_is_kept_gzipped_and_read_back_unchanged(tmp_path: Path) -> None:
    raw = RawFiles(tmp_path / "raw")
    data = a_gpx(2000)

    spooled = raw.spool(lambda: io.BytesIO(data))
    assert raw.keep(spooled)

    kept = [p for p in (tmp_path / "raw").rglob("*") if p.is_file()]
    assert [p.name for p in kept] == [spooled.sha256[2:] + ".gz"]
    assert kept[0].stat().st_size < len(data) // 5
    assert raw.get(spooled.sha256) == data
    assert not raw.keep(raw.spool(lambda: io.BytesIO(data)))  # the same content: kept once


def test_a_gzipped_original_is_kept_as_it_came(tmp_path: Path) -> None:
    raw = RawFiles(tmp_path / "raw")
    data = gzip.compress(a_gpx(50))
    spooled = raw.spool(lambda: io.BytesIO(data))
    raw.keep(spooled)
    assert raw.path_for(spooled.sha256).read_bytes() == data


def test_a_file_that_is_no_activity_is_not_kept(tmp_path: Path) -> None:
    result = decoded(tmp_path, "notes.gpx", b"these are not the files you are looking for")
    assert result.status == "skipped"
    assert [p for p in (tmp_path / "raw").rglob("*") if p.is_file()] == []


def test_an_apple_export_with_a_giant_comment_stops_with_one_line() -> None:
    export = (
        b'<?xml version="1.0"?><HealthData locale="en"><!--'
        + b"x" * (3 << 20)
        + b"--></HealthData>"
    )
    parsed = apple_health.parse_export(io.BytesIO(export))
    assert parsed.problem == "more than 1 MiB of text, comment or attributes in one place"


def test_a_temporary_copy_left_by_a_killed_import_is_removed_later(tmp_path: Path) -> None:
    root = tmp_path / "raw"
    root.mkdir()
    stale, recent = root / ".incoming-killed", root / ".incoming-running"
    for left in (stale, recent):
        left.write_bytes(b"half a file")
    day_ago = time.time() - 86400
    os.utime(stale, (day_ago, day_ago))

    raw = RawFiles(root)
    raw.keep(raw.spool(lambda: io.BytesIO(b"<gpx/>")))

    assert not stale.exists()
    assert recent.exists()  # perhaps another import's, still being written


def test_a_file_of_many_tracks_keeps_points_up_to_its_budget_and_says_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(xml_common, "MAX_FILE_POINTS", 15)
    track = a_gpx(10).split(b"<trk>", 1)[1].split(b"</trk>", 1)[0]
    five = b'<?xml version="1.0"?><gpx version="1.1" creator="t">'
    five += b"".join(b"<trk>" + track + b"</trk>" for _ in range(5)) + b"</gpx>"

    parsed = gpx.parse(io.BytesIO(five))

    assert len(parsed.activities) == 2  # 10 points, then 20: the budget of 15 is spent
    assert parsed.records == 50
    assert parsed.problem == (
        "more than 15 track points in one file: the points of the 3 tracks after that are not read"
    )


def test_a_large_file_is_spooled_to_disk_once_and_a_small_duplicate_writes_nothing(
    tmp_path: Path,
) -> None:
    raw = RawFiles(tmp_path / "raw")
    large = a_gpx(120_000)
    assert len(large) > IN_MEMORY_BYTES

    spooled = raw.spool(lambda: io.BytesIO(large))
    assert spooled.temporary is not None
    assert spooled.data is None
    assert spooled.head == large[:4096]
    raw.keep(spooled)
    assert raw.get(spooled.sha256) == large

    small = a_gpx(10)
    raw.keep(raw.spool(lambda: io.BytesIO(small)))
    before = sorted(p.name for p in (tmp_path / "raw").rglob("*"))
    again = raw.spool(lambda: io.BytesIO(small))
    assert again.temporary is None
    assert not raw.keep(again)
    assert sorted(p.name for p in (tmp_path / "raw").rglob("*")) == before
