"""One set of plausibility bounds for every format, applied where every import passes.

The FIT case is the attack: one value changed and the CRC made right again, so the file is
valid and only the bounds can tell that 2,686 km in an hour is not a run.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

from fastcrc import crc16

from rubdown.domain.activity import Activity, Lap, Parsed, Sport, Streams
from rubdown.domain.records import IncomingFile
from rubdown.importers import caps, fit
from rubdown.importers.archive import Limits
from rubdown.keeping.raw import RawFiles
from rubdown.services.import_worker import Job, run_job

CORPUS = Path(__file__).parents[1] / "data" / "activities"
FENIX_RUN = CORPUS / "tormoder-fit/activity-small-fenix2-run.fit"
SESSION, TOTAL_DISTANCE = 18, 9  # FIT global message and field numbers


def with_session_distance(data: bytes, centimetres: int) -> bytes:
    """The file with every session's total distance set to ``centimetres``, CRC recomputed."""
    out = bytearray(data)
    end = out[0] + int.from_bytes(out[4:8], "little")
    layouts: dict[int, tuple[int, list[tuple[int, int]], bool]] = {}
    at = out[0]
    while at < end:
        first = out[at]
        if first & 0xC0 == 0x40:  # a definition message
            little = out[at + 2] == 0
            number = int.from_bytes(out[at + 3 : at + 5], "little" if little else "big")
            fields = [(out[at + 6 + 3 * i], out[at + 7 + 3 * i]) for i in range(out[at + 5])]
            after = at + 6 + 3 * len(fields)
            if first & 0x20:  # developer fields follow, counted in the size only
                extra = out[after]
                fields += [(255, out[after + 2 + 3 * i]) for i in range(extra)]
                after += 1 + 3 * extra
            layouts[first & 0x0F] = (number, fields, little)
            at = after
            continue
        local = (first >> 5) & 0x03 if first & 0x80 else first & 0x0F
        number, fields, little = layouts[local]
        offset = at + 1
        for field, width in fields:
            if number == SESSION and field == TOTAL_DISTANCE and width == 4:
                out[offset : offset + 4] = centimetres.to_bytes(4, "little" if little else "big")
            offset += width
        at = offset
    out[end : end + 2] = crc16.arc(bytes(out[:end])).to_bytes(2, "little")
    return bytes(out)


def imported(tmp_path: Path, name: str, data: bytes) -> IncomingFile:
    """The worker's answer for a file, as an import gives it: kept first, then decoded."""
    raw = RawFiles(tmp_path / "raw")
    sha = raw.put(data)
    job = Job(name, name, "", sha, False, "UTC", raw.root, Limits())
    return run_job(job)


def test_a_fit_session_distance_of_2686_km_in_an_hour_is_dropped_and_named(
    tmp_path: Path,
) -> None:
    honest = FENIX_RUN.read_bytes()
    patched = with_session_distance(honest, 268_600_000)
    assert fit.parse(patched).problem is None  # the CRC is right: the file is valid
    assert fit.parse(patched).activities[0].distance_m == 2_686_000.0

    result = imported(tmp_path, "run.fit", patched)

    assert result.status == "imported"
    (stored,) = result.activities
    assert stored.activity.distance_m is None
    assert result.error is not None
    assert "implausible distance left out" in result.error


def test_the_honest_fit_file_keeps_its_distance_and_reports_nothing(tmp_path: Path) -> None:
    result = imported(tmp_path, "run.fit", FENIX_RUN.read_bytes())
    (stored,) = result.activities
    assert stored.activity.distance_m is not None
    assert 1_000 < stored.activity.distance_m < 50_000
    assert result.error is None


def gpx_with_a_jump(tmp_path: Path) -> bytes:
    """A run whose position jumps 2,700 km between two points a minute apart."""
    start = dt.datetime(2026, 4, 1, 7, 0, tzinfo=dt.UTC)
    points = [(47.0, 8.0), (47.001, 8.0), (47.001, 44.0), (47.002, 44.0)]
    rows = "".join(
        f'<trkpt lat="{lat}" lon="{lon}"><time>{(start + dt.timedelta(minutes=i)).isoformat()}'
        "</time><extensions><hr>150</hr></extensions></trkpt>"
        for i, (lat, lon) in enumerate(points)
    )
    return (
        '<?xml version="1.0"?><gpx version="1.1" creator="t"><trk><type>running</type>'
        f"<trkseg>{rows}</trkseg></trk></gpx>"
    ).encode()


def test_a_gpx_whose_distance_is_impossible_is_held_to_the_same_bound(tmp_path: Path) -> None:
    result = imported(tmp_path, "run.gpx", gpx_with_a_jump(tmp_path))
    (stored,) = result.activities
    assert stored.activity.distance_m is None
    assert result.error is not None
    assert "implausible distance" in result.error


def activity(**changes: object) -> Activity:
    start = dt.datetime(2026, 4, 1, 7, tzinfo=dt.UTC)
    base = Activity(sport=Sport.RUNNING, start=start, duration_s=3600.0, distance_m=10_000.0)
    return base.with_changes(**changes)


def test_heart_rates_outside_the_bounds_are_dropped_from_summary_and_samples() -> None:
    streams = Streams.from_lists({"time_s": [0.0, 1.0, 2.0], "heart_rate_bpm": [150, 900, 151]})
    parsed = Parsed(activities=(activity(avg_hr_bpm=300.0, streams=streams),))

    checked = caps.checked(parsed)

    (kept,) = checked.activities
    assert kept.avg_hr_bpm is None
    assert kept.streams is not None
    samples = list(kept.streams.channels["heart_rate_bpm"])
    assert [samples[0], samples[2]] == [150, 151]
    assert math.isnan(samples[1])
    assert checked.problem == "implausible heart rate, heart rate samples left out"


def test_an_activity_lasting_longer_than_three_weeks_is_refused_by_name() -> None:
    parsed = Parsed(activities=(activity(duration_s=49 * 86400.0), activity()), problem=None)

    checked = caps.checked(parsed)

    assert len(checked.activities) == 1
    assert checked.problem == "an activity lasting 49 days (over 21) refused"


def test_plausible_values_pass_untouched() -> None:
    parsed = Parsed(activities=(activity(avg_hr_bpm=150.0, max_hr_bpm=180.0),))
    assert caps.checked(parsed) is parsed


def test_a_lap_out_of_bounds_is_held_to_them_and_named_while_its_neighbours_stay() -> None:
    start = dt.datetime(2026, 5, 1, 7, tzinfo=dt.UTC)
    honest = Lap(start, 300.0, distance_m=1000.0, avg_hr_bpm=150.0, max_hr_bpm=170.0)
    glitch = Lap(start, 300.0, distance_m=1000.0, avg_hr_bpm=150.0, max_hr_bpm=900.0)
    unknown = Lap(start, 300.0, distance_m=math.nan)
    parsed = Parsed(activities=(activity(laps=(honest, glitch, unknown)),))

    (kept,) = caps.checked(parsed).activities

    assert kept.laps[0] is honest
    assert kept.laps[1] == Lap(start, 300.0, distance_m=1000.0, avg_hr_bpm=150.0, max_hr_bpm=None)
    assert kept.laps[2] == Lap(start, 300.0, distance_m=None)  # NaN is unknown: not named
    assert caps.checked(parsed).problem == "implausible lap values left out"
