"""The fast FIT decoder against fitdecode on the whole corpus, and against damaged input."""

from __future__ import annotations

import csv
import gzip
import io
import math
import warnings
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import fitdecode
import numpy as np
import pytest
from fastcrc import crc16

from rubdown.domain.activity import Sport
from rubdown.importers import fit
from rubdown.importers.fit import decoder
from rubdown.importers.fit.fallback import decode_slowly
from rubdown.importers.fit.profile import FIT_EPOCH_S

CORPUS = Path(__file__).parents[1] / "data" / "activities"


def corpus_payloads() -> Iterator[tuple[str, bytes]]:
    for path in sorted(CORPUS.rglob("*")):
        name = path.name.lower()
        shown = str(path.relative_to(CORPUS))
        if name.endswith(".fit"):
            yield shown, path.read_bytes()
        elif name.endswith(".fit.gz"):
            yield shown, gzip.decompress(path.read_bytes())
        elif name.endswith(".zip"):
            with zipfile.ZipFile(path) as archive:
                for member in archive.namelist():
                    if member.lower().endswith(".fit"):
                        yield f"{shown}!{member}", archive.read(member)


PAYLOADS = dict(corpus_payloads())


def read_with_fitdecode(data: bytes) -> list[dict[str, Any]] | None:
    """Record values as fitdecode gives them, or None when fitdecode cannot read the file."""
    rows = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with fitdecode.FitReader(io.BytesIO(data)) as reader:
                for frame in reader:
                    if isinstance(frame, fitdecode.FitDataMessage) and frame.name == "record":
                        row: dict[str, Any] = {}
                        # A packed component can repeat a name (distance); the field the
                        # device wrote itself comes first, as fitdecode's get_value reads it.
                        for f in frame.fields:
                            row.setdefault(f.name, f.value)
                        rows.append(row)
    except fitdecode.FitError:
        return None
    return rows


def expected(row: dict[str, Any], name: str) -> float | None:
    if name == "speed":
        value = row.get("enhanced_speed")
        value = row.get("speed") if value is None else value
    else:
        value = row.get(name)
    if isinstance(value, tuple):
        value = value[0]
    if value is None:
        return None
    if hasattr(value, "timestamp"):
        return float(value.timestamp() - FIT_EPOCH_S)
    return float(value)


def test_the_corpus_has_the_fit_files_the_research_counted() -> None:
    assert len(PAYLOADS) == 54


@pytest.mark.parametrize("shown", sorted(PAYLOADS))
def test_fast_decoder_matches_fitdecode_record_by_record(shown: str) -> None:
    data = PAYLOADS[shown]
    reference = read_with_fitdecode(data)
    if reference is None:
        # fitdecode cannot read it: the fast path must say what is wrong, not guess.
        parsed = fit.parse(data)
        assert parsed.problem
        assert not parsed.activities
        return
    content = decoder.decode(data)
    assert content.record_count == len(reference)
    for name in ("timestamp", "heart_rate", "distance", "speed"):
        want = np.array([expected(row, name) for row in reference], dtype=np.float64)
        got = content.columns.get(name, np.full(len(reference), np.nan))
        np.testing.assert_array_equal(np.isnan(got), np.isnan(want), err_msg=f"{name} gaps")
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-9, err_msg=name)


@pytest.mark.parametrize(
    "shown",
    [
        "tormoder-fit/activity-small-fenix2-run.fit",
        "python-fitparse/compressed-speed-distance.fit",
        "GoldenCheetah/IpBike-HRV-Data.fit",
        "fitparse-rs/sample_mulitple_header.fit",
    ],
)
def test_fitdecode_fallback_fills_the_same_content_as_the_fast_path(shown: str) -> None:
    fast = decoder.decode(PAYLOADS[shown])
    slow = decode_slowly(PAYLOADS[shown])
    assert slow.record_count == fast.record_count
    for name in ("timestamp", "heart_rate", "distance", "speed"):
        if name in fast.columns:
            np.testing.assert_allclose(slow.columns[name], fast.columns[name], rtol=1e-9)
    assert len(slow.summaries.get(18, [])) == len(fast.summaries.get(18, []))


def test_fast_path_hands_over_to_fitdecode_when_it_gives_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def give_up(_data: bytes) -> decoder.FitContent:
        raise decoder.Unsupported("pretend")

    monkeypatch.setattr(fit, "decode", give_up)
    parsed = fit.parse(PAYLOADS["tormoder-fit/activity-small-fenix2-run.fit"])
    assert parsed.records == 2809
    assert parsed.activities[0].sport is Sport.RUNNING


def test_compressed_timestamps_match_the_upstream_expected_values() -> None:
    content = decoder.decode(PAYLOADS["python-fitparse/compressed-speed-distance.fit"])
    with (CORPUS / "python-fitparse/compressed-speed-distance-records.csv").open() as f:
        rows = list(csv.reader(f))[1:]
    # The upstream table leaves out the file's first record.
    times = content.columns["timestamp"][1:]
    hr = content.columns["heart_rate"][1:]
    speed = content.columns["speed"][1:]
    distance = content.columns["distance"][1:]
    assert len(rows) == len(times)
    for i, row in enumerate(rows):
        assert times[i] == int(row[0])
        assert hr[i] == int(row[1])
        assert speed[i] == pytest.approx(float(row[2]))
        assert distance[i] == pytest.approx(float(row[3]))


def test_chained_files_are_read_to_the_last_part() -> None:
    content = decoder.decode(PAYLOADS["GoldenCheetah/Garmin945swimRRdata.fit"])
    assert content.segments == 6
    assert content.problem is None


def test_definitions_redefined_before_every_message_still_decode() -> None:
    content = decoder.decode(PAYLOADS["python-fitparse/2019-02-17-062644-ELEMNT-297E-195-0.fit"])
    assert content.record_count == 13471
    assert not np.isnan(content.columns["heart_rate"]).all()


def test_big_endian_definitions_give_plausible_values() -> None:
    parsed = fit.parse(PAYLOADS["GoldenCheetah/IpBike-HRV-Data.fit"])
    run = parsed.activities[0]
    assert run.streams is not None
    hr = run.streams.get("heart_rate_bpm")
    assert hr is not None
    assert 60 < max(v for v in hr if not math.isnan(v)) < 220


def test_developer_fields_are_skipped_without_losing_records() -> None:
    parsed = fit.parse(PAYLOADS["python-fitparse/developer-types-sample.fit"])
    assert parsed.records == 3424
    assert parsed.activities[0].sport is Sport.RUNNING


def test_a_run_has_the_summary_and_streams_recovery_needs() -> None:
    parsed = fit.parse(PAYLOADS["GoldenCheetah/Fr955v19.28andStryd.fit"])
    run = parsed.activities[0]
    assert run.sport is Sport.RUNNING
    assert run.utc_offset_s == 3600
    assert run.distance_m == pytest.approx(10021, abs=1)
    assert run.avg_hr_bpm == 139
    assert run.streams is not None
    assert len(run.streams) == 3118
    assert set(run.streams.channels) >= {"time_s", "heart_rate_bpm", "speed_m_s", "distance_m"}
    assert run.streams.channels["time_s"][0] == 0


def test_a_triathlon_is_one_multisport_activity_with_legs() -> None:
    parsed = fit.parse(PAYLOADS["muktihari-fit/triathlon_summary_first.fit"])
    (activity,) = parsed.activities
    assert activity.sport is Sport.MULTISPORT
    assert {lap.sport for lap in activity.laps} >= {Sport.SWIMMING, Sport.CYCLING, Sport.RUNNING}


def test_monitoring_and_settings_files_are_skipped_with_a_reason() -> None:
    assert fit.parse(PAYLOADS["tormoder-fit/MonitoringFile.fit"]).skipped == (
        "not an activity file (monitoring)"
    )
    assert fit.parse(PAYLOADS["tormoder-fit/Settings.fit"]).skipped == (
        "not an activity file (settings)"
    )


def test_a_watch_whose_clock_was_never_set_is_skipped_not_dated_1990() -> None:
    parsed = fit.parse(PAYLOADS["python-fitparse/antfs-dump.63.fit"])
    assert parsed.skipped is not None
    assert "clock" in parsed.skipped
    assert parsed.activities == ()


@pytest.mark.parametrize(
    ("shown", "problem", "records"),
    [
        ("tormoder-fit/activity-filecrc.fit", "CRC mismatch at byte 771", 14),
        ("tormoder-fit/activity-activity-filecrc.fit", "CRC mismatch at byte 1542", 28),
        (
            "tormoder-fit/activity-settings-corruptheader.fit",
            "the bytes after the FIT data at byte 771 are not a FIT file",
            14,
        ),
        (
            "python-fitparse/strava-android-app-201.10-b1218918.fit",
            "the message at byte 7471 uses local type 11, never defined",
            473,
        ),
        (
            "python-fitparse/nick.fit",
            "the message at byte 403437 runs past the end of the FIT data",
            14391,
        ),
    ],
)
def test_damaged_files_fail_with_one_line_unless_salvaged(
    shown: str, problem: str, records: int
) -> None:
    refused = fit.parse(PAYLOADS[shown])
    assert refused.problem == problem
    assert refused.activities == ()
    salvaged = fit.parse(PAYLOADS[shown], salvage=True)
    assert salvaged.partial
    assert salvaged.records == records
    (activity,) = salvaged.activities
    assert activity.partial
    assert activity.streams is not None
    assert len(activity.streams) == records


@pytest.mark.parametrize("data", [b"", b"hello", b"\x0e" * 40, b"<gpx></gpx>" * 3])
def test_bytes_that_are_not_fit_say_so(data: bytes) -> None:
    assert fit.parse(data).problem == "not a FIT file"


def test_truncation_at_every_offset_is_reported_and_never_crashes() -> None:
    whole = PAYLOADS["tormoder-fit/Activity.fit"]
    full = fit.parse(whole)
    assert full.problem is None
    previous = 0
    for cut in range(len(whole)):
        parsed = fit.parse(whole[:cut])
        assert parsed.problem, f"cut at {cut} went unnoticed"
        assert parsed.activities == ()
        salvaged = fit.parse(whole[:cut], salvage=True)
        # Cutting later never loses records that an earlier cut kept.
        assert salvaged.records >= previous
        previous = salvaged.records
    assert previous <= full.records


def test_a_flipped_byte_is_caught_by_the_crc() -> None:
    data = bytearray(PAYLOADS["tormoder-fit/activity-small-fenix2-run.fit"])
    content = decoder.decode(bytes(data))
    # The last byte before the two CRC bytes is field data of the last message, so the
    # structure stays intact and only the checksum can notice.
    data[-3] ^= 0x01
    damaged = fit.parse(bytes(data))
    assert damaged.problem == f"CRC mismatch at byte {len(data)}"
    assert damaged.records == content.record_count
    assert damaged.activities == ()


def with_unknown_heart_rate_type(data: bytes) -> bytes:
    """The file with its record definitions declaring heart rate in base type 0x1F."""
    out = bytearray(data)
    header = out[0]
    end = header + int.from_bytes(out[4:8], "little")
    sizes: dict[int, int] = {}
    at = header
    while at < end:
        first = out[at]
        if first & 0xC0 == 0x40:
            little = out[at + 2] == 0
            number = int.from_bytes(out[at + 3 : at + 5], "little" if little else "big")
            count = out[at + 5]
            size = 0
            for i in range(count):
                field, width = out[at + 6 + 3 * i], out[at + 7 + 3 * i]
                size += width
                if number == 20 and field == 3:
                    out[at + 8 + 3 * i] = 0x1F
            after = at + 6 + 3 * count
            if first & 0x20:
                extra = out[after]
                size += sum(out[after + 2 + 3 * i] for i in range(extra))
                after += 1 + 3 * extra
            sizes[first & 0x0F] = size
            at = after
        else:
            local = (first >> 5) & 0x03 if first & 0x80 else first & 0x0F
            at += 1 + sizes[local]
    out[end : end + 2] = crc16.arc(bytes(out[:end])).to_bytes(2, "little")
    return bytes(out)


def test_a_field_type_outside_the_protocol_is_handed_to_fitdecode() -> None:
    data = with_unknown_heart_rate_type(PAYLOADS["tormoder-fit/activity-small-fenix2-run.fit"])
    with pytest.raises(decoder.Unsupported, match="unknown base type 0x1f"):
        decoder.decode(data)
    parsed = fit.parse(data)
    assert parsed.problem is None
    assert parsed.records == 2809
    (run,) = parsed.activities
    assert run.streams is not None
    assert "heart_rate_bpm" in run.streams.channels


def test_an_odd_field_type_in_a_damaged_file_is_left_out_and_the_damage_reported() -> None:
    data = bytearray(
        with_unknown_heart_rate_type(PAYLOADS["tormoder-fit/activity-small-fenix2-run.fit"])
    )
    data[-1] ^= 0xFF  # break the checksum too
    refused = fit.parse(bytes(data))
    assert refused.problem == f"CRC mismatch at byte {len(data)}"
    salvaged = fit.parse(bytes(data), salvage=True)
    (run,) = salvaged.activities
    assert run.streams is not None
    assert "heart_rate_bpm" not in run.streams.channels
    assert salvaged.records == 2809
