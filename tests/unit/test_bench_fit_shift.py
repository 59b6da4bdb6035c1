"""The benchmark's date shifter: a moved copy of a run is the same run, one day later."""

from __future__ import annotations

import datetime as dt
import io
import math
import warnings
import zipfile
from pathlib import Path

import fitdecode
import pytest
from bench.fit_shift import CompressedTimestamps, plan_shift, shift_fit

from rubdown.importers import fit

CORPUS = Path(__file__).parents[1] / "data" / "activities"
DAY = 86_400
RUNS = (
    "tormoder-fit/activity-small-fenix2-run.fit",  # little-endian Garmin
    "GoldenCheetah/IpBike-HRV-Data.fit",  # big-endian definitions
    "python-fitparse/developer-types-sample.fit",  # developer fields
)


def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return a == b or (math.isnan(a) and math.isnan(b))


def _fitdecode_crcs(data: bytes) -> list[bool]:
    """Whether each chained file's CRC matched, as fitdecode reads it."""
    matched = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with fitdecode.FitReader(io.BytesIO(data), check_crc=fitdecode.CrcCheck.RAISE) as reader:
            for frame in reader:
                if isinstance(frame, fitdecode.FitCRC):
                    matched.append(bool(frame.matched))
    return matched


@pytest.mark.parametrize("name", RUNS)
def test_a_run_moved_one_day_is_the_same_run_one_day_later(name: str) -> None:
    data = (CORPUS / name).read_bytes()
    moved = shift_fit(data, DAY)
    before, after = fit.parse(data), fit.parse(moved)
    assert after.problem is None
    assert after.records == before.records > 0
    (old,), (new,) = before.activities, after.activities
    assert new.start - old.start == dt.timedelta(days=1)
    assert new.sport == old.sport
    assert new.utc_offset_s == old.utc_offset_s
    assert [lap.start - dt.timedelta(days=1) for lap in new.laps] == [lap.start for lap in old.laps]
    assert old.streams is not None
    assert new.streams is not None
    for channel in ("heart_rate_bpm", "distance_m", "time_s"):
        was, now = old.streams.get(channel), new.streams.get(channel)
        assert was is not None
        assert now is not None
        assert all(_same(a, b) for a, b in zip(was, now, strict=True)), channel
    assert _fitdecode_crcs(moved) == [True]


def test_record_timestamps_move_by_exactly_the_shift() -> None:
    data = (CORPUS / RUNS[1]).read_bytes()
    before, after = fit.decode(data), fit.decode(shift_fit(data, DAY))
    assert (after.columns["timestamp"] - before.columns["timestamp"] == DAY).all()
    start_before = [s["start_time"] for s in before.summaries[18]]
    start_after = [s["start_time"] for s in after.summaries[18]]
    assert [float(t) + DAY for t in start_before if t is not None] == start_after


def test_the_fr955_run_inside_the_zip_moves_too() -> None:
    with zipfile.ZipFile(CORPUS / "GoldenCheetah/GarminFR955v18.zip") as archive:
        data = archive.read("14211916346_ACTIVITY.fit")
    moved = shift_fit(data, -3 * DAY)
    (old,) = fit.parse(data).activities
    (new,) = fit.parse(moved).activities
    assert old.start - new.start == dt.timedelta(days=3)
    assert _fitdecode_crcs(moved) == [True]


@pytest.mark.parametrize("name", [*RUNS, "fitparse-rs/sample_mulitple_header.fit"])
def test_no_shift_gives_the_same_bytes(name: str) -> None:
    data = (CORPUS / name).read_bytes()
    assert shift_fit(data, 0) == data


def test_chained_files_each_keep_a_valid_crc() -> None:
    data = (CORPUS / "fitparse-rs/sample_mulitple_header.fit").read_bytes()
    moved = shift_fit(data, DAY)
    assert moved != data
    assert len(plan_shift(data).segments) == 4
    assert _fitdecode_crcs(moved) == [True] * 4
    (old,), (new,) = fit.parse(data).activities, fit.parse(moved).activities
    assert new.start - old.start == dt.timedelta(days=1)


def test_a_damaged_crc_stays_damaged() -> None:
    data = (CORPUS / "tormoder-fit/activity-filecrc.fit").read_bytes()
    moved = shift_fit(data, DAY)
    assert moved[-2:] == data[-2:]
    assert fit.decode(moved).problem == fit.decode(data).problem


def test_compressed_timestamps_are_refused() -> None:
    data = (CORPUS / "python-fitparse/compressed-speed-distance.fit").read_bytes()
    with pytest.raises(CompressedTimestamps):
        shift_fit(data, DAY)


def test_leaving_the_fit_date_range_is_refused() -> None:
    data = (CORPUS / RUNS[0]).read_bytes()
    with pytest.raises(ValueError, match="date range"):
        shift_fit(data, -(40 * 365 * DAY))


def test_not_fit_is_refused() -> None:
    with pytest.raises(ValueError, match="no FIT header"):
        shift_fit(b"<gpx></gpx>" * 3, DAY)
