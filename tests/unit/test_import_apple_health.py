"""Reading Apple Health's export.xml as a stream: the broken iOS 16 DTD, stray control
characters, workouts with their heart rate, daily wellness, damage and memory."""

from __future__ import annotations

import datetime as dt
import io
import tracemalloc
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from rubdown.domain.activity import Activity, DailyWellness, Parsed, Sport
from rubdown.importers.apple_health import parse, parse_export, sniff

EXPORT = Path(__file__).resolve().parents[1] / "data" / "exports" / "apple_health" / "export.xml"
DATA = EXPORT.read_bytes()


class Trickle(io.RawIOBase):
    """A stream that hands out at most ``step`` bytes a read, as pipes and sockets may."""

    def __init__(self, data: bytes, step: int) -> None:
        self._data, self._at, self._step = data, 0, step

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        size = self._step if size < 0 else min(size, self._step)
        piece = self._data[self._at : self._at + size]
        self._at += len(piece)
        return piece


def read(data: bytes, *, salvage: bool = False) -> Parsed:
    return parse_export(io.BytesIO(data), salvage=salvage)


def document(*body: str, prologue: str = '<?xml version="1.0" encoding="UTF-8"?>\n') -> bytes:
    return (
        prologue + '<HealthData locale="en_US">\n' + "\n".join(body) + "\n</HealthData>\n"
    ).encode()


def workout(kind: str = "Running", *children: str, start: str = "07:00:00", **attrs: str) -> str:
    extra = "".join(f' {key}="{value}"' for key, value in attrs.items())
    return (
        f'<Workout workoutActivityType="HKWorkoutActivityType{kind}" duration="30" '
        f'durationUnit="min" startDate="2026-05-01 {start} +0200" '
        f'endDate="2026-05-01 {start[:1]}{int(start[1]) + 1}:00:00 +0200"{extra}>'
        + "".join(children)
        + "</Workout>"
    )


DISTANCE = (
    '<WorkoutStatistics type="HKQuantityTypeIdentifierDistanceWalkingRunning" '
    'sum="SUM" unit="UNIT"/>'
)


def heart_rate(when: str, bpm: float) -> str:
    return (
        f'<Record type="HKQuantityTypeIdentifierHeartRate" sourceName="Watch" unit="count/min" '
        f'startDate="{when}" endDate="{when}" value="{bpm}"/>'
    )


@pytest.fixture(scope="module")
def parsed() -> Parsed:
    with EXPORT.open("rb") as stream:
        return parse_export(stream)


def runs(parsed: Parsed) -> list[Activity]:
    return [a for a in parsed.activities if a.sport is Sport.RUNNING]


def wellness(parsed: Parsed) -> dict[dt.date, DailyWellness]:
    return {day.day: day for day in parsed.wellness}


# --- sniffing -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "head",
    [
        DATA[:4096],
        b'<?xml version="1.0" encoding="UTF-8"?>\n<HealthData locale="en_US">',
        b"\xef\xbb\xbf<!-- exported -->\n<HealthData>",
        b"<!DOCTYPE HealthData>\n<HealthData/>",
    ],
)
def test_sniff_recognises_a_health_export(head: bytes) -> None:
    assert sniff(head)


@pytest.mark.parametrize(
    "head",
    [
        b'<?xml version="1.0"?>\n<gpx creator="x">',
        b"<!DOCTYPE html>\n<html>",
        b'<?xml version="1.0"?>\n<ClinicalDocument>',
        b"<HealthDataExtra/>",
        b"Activity ID,Activity Date",
    ],
)
def test_sniff_rejects_other_xml_and_text(head: bytes) -> None:
    assert not sniff(head)


# --- the damage real exports carry ----------------------------------------------------------


def test_the_fixture_reproduces_the_ios16_dtd_defect_and_a_control_character() -> None:
    assert b"\x0b" in DATA
    with pytest.raises(ET.ParseError):
        ET.fromstring(DATA)
    # Without the control characters the DTD alone still stops a strict parser.
    with pytest.raises(ET.ParseError):
        ET.fromstring(DATA.replace(b"\x0b", b""))


def test_the_broken_dtd_and_control_characters_do_not_stop_the_import(parsed: Parsed) -> None:
    assert parsed.problem is None
    assert parsed.partial is False
    assert len(parsed.activities) == 3
    assert parsed.records == 26


@pytest.mark.parametrize("step", [1, 7, 100, 4096])
def test_a_stream_read_in_small_pieces_gives_the_same_result(parsed: Parsed, step: int) -> None:
    # The DTD's internal subset then arrives over many reads and has to be cut across them.
    assert parse_export(Trickle(DATA, step)) == parsed  # type: ignore[arg-type]


def test_a_control_character_in_an_attribute_is_dropped() -> None:
    data = document(heart_rate("2026-05-01 07:10:00 +0200", 150).replace("Watch", "Wa\x0btch"))
    with pytest.raises(ET.ParseError):
        ET.fromstring(data)
    result = read(data)
    assert result.problem is None
    assert result.records == 1


def test_a_doctype_without_internal_subset_is_left_alone() -> None:
    prologue = '<?xml version="1.0"?>\n<!DOCTYPE HealthData>\n'
    result = read(document(workout(), prologue=prologue))
    assert result.problem is None
    assert len(result.activities) == 1


# --- workouts -------------------------------------------------------------------------------


def test_an_ios16_workout_reads_its_statistics_and_metadata(parsed: Parsed) -> None:
    run = runs(parsed)[0]
    assert run.start == dt.datetime(2026, 4, 1, 5, 0, 12, tzinfo=dt.UTC)
    assert run.utc_offset_s == 7200
    assert run.local_day() == dt.date(2026, 4, 1)
    assert run.duration_s == 45 * 60
    assert run.distance_m == pytest.approx(8123.0)
    assert run.elevation_gain_m == pytest.approx(45.44)  # "4544 cm"
    assert (run.avg_hr_bpm, run.max_hr_bpm) == (151.0, 176.0)


def test_a_workout_gets_the_heart_rate_samples_inside_it_in_time_order(parsed: Parsed) -> None:
    run = runs(parsed)[0]
    assert run.streams is not None
    time_s, bpm = run.streams.get("time_s"), run.streams.get("heart_rate_bpm")
    assert time_s is not None
    assert bpm is not None
    # 06:58 and 07:50 fall outside; the 07:40 sample comes last in the file; the strap's copy
    # of 07:20 is the same instant and is kept once.
    assert list(time_s) == [0.0, 300.0, 600.0, 1200.0, 1800.0, 2400.0, 2700.0]
    assert list(bpm) == [98.0, 141.0, 149.0, 155.0, 160.0, 171.0, 176.0]
    assert run.records == 7


def test_a_legacy_workout_uses_its_total_attributes_and_its_samples(parsed: Parsed) -> None:
    legacy = runs(parsed)[1]
    assert legacy.start == dt.datetime(2026, 4, 2, 16, 0, 0, tzinfo=dt.UTC)
    assert legacy.duration_s == 30.5 * 60
    assert legacy.distance_m == pytest.approx(3.1 * 1609.344)
    # No statistics: average and maximum come from the samples.
    assert (legacy.avg_hr_bpm, legacy.max_hr_bpm) == (150.0, 170.0)
    assert legacy.records == 3


def test_a_workout_without_samples_has_no_stream(parsed: Parsed) -> None:
    (strength,) = [a for a in parsed.activities if a.sport is Sport.STRENGTH]
    assert strength.streams is None
    assert strength.records == 0
    assert strength.duration_s == 40 * 60


@pytest.mark.parametrize(
    ("kind", "sport"),
    [
        ("Running", Sport.RUNNING),
        ("Walking", Sport.WALKING),
        ("Hiking", Sport.HIKING),
        ("Cycling", Sport.CYCLING),
        ("Swimming", Sport.SWIMMING),
        ("Rowing", Sport.ROWING),
        ("TraditionalStrengthTraining", Sport.STRENGTH),
        ("FunctionalStrengthTraining", Sport.STRENGTH),
        ("Yoga", Sport.OTHER),
        ("Elliptical", Sport.OTHER),
    ],
)
def test_workout_activity_types_map_to_sports(kind: str, sport: Sport) -> None:
    assert read(document(workout(kind))).activities[0].sport is sport


def test_an_indoor_run_is_a_treadmill_run() -> None:
    indoor = workout("Running", '<MetadataEntry key="HKIndoorWorkout" value="1"/>')
    assert read(document(indoor)).activities[0].sport is Sport.TREADMILL


def test_the_workouts_own_statistics_win_over_its_activity_copy() -> None:
    stats = DISTANCE.replace("SUM", "{}").replace("UNIT", "{}")
    both = workout(
        "Running",
        "<WorkoutActivity>" + stats.format("9", "km") + "</WorkoutActivity>",
        stats.format("5", "mi"),
    )
    assert read(document(both)).activities[0].distance_m == pytest.approx(5 * 1609.344)
    lone = workout("Running", "<WorkoutActivity>" + stats.format("9", "km") + "</WorkoutActivity>")
    assert read(document(lone)).activities[0].distance_m == pytest.approx(9000.0)


def test_statistics_win_over_the_legacy_total_attributes() -> None:
    stats = DISTANCE.replace("SUM", "7000").replace("UNIT", "m")
    both = workout("Running", stats, totalDistance="3", totalDistanceUnit="km")
    assert read(document(both)).activities[0].distance_m == 7000.0


def test_overlapping_workouts_each_get_the_shared_samples() -> None:
    data = document(
        heart_rate("2026-05-01 07:45:00 +0200", 150),
        workout("Running", start="07:00:00"),
        workout("Cycling", start="07:30:00"),
    )
    first, second = read(data).activities
    assert first.streams is not None
    assert second.streams is not None
    assert list(first.streams.channels["time_s"]) == [45 * 60.0]
    assert list(second.streams.channels["time_s"]) == [15 * 60.0]


def test_iso_style_times_with_a_colon_offset_are_understood() -> None:
    data = document(
        '<Workout workoutActivityType="HKWorkoutActivityTypeRunning" '
        'startDate="2026-05-01T07:00:00+02:00" endDate="2026-05-01T07:30:00+02:00"/>'
    )
    (run,) = read(data).activities
    assert run.start == dt.datetime(2026, 5, 1, 5, 0, tzinfo=dt.UTC)
    assert run.duration_s == 1800.0  # no duration attribute: end minus start


def test_a_workout_without_a_start_is_counted_as_unreadable() -> None:
    result = read(document('<Workout workoutActivityType="HKWorkoutActivityTypeRunning"/>'))
    assert result.activities == ()
    assert result.extra["unreadable_records"] == 1


# --- wellness -------------------------------------------------------------------------------


def test_resting_heart_rate_and_hrv_are_the_means_of_each_local_day(parsed: Parsed) -> None:
    days = wellness(parsed)
    assert days[dt.date(2026, 4, 1)].resting_hr_bpm == 53.0
    assert days[dt.date(2026, 4, 1)].hrv_ms == 45.0
    assert days[dt.date(2026, 4, 2)].resting_hr_bpm == 55.0
    assert days[dt.date(2026, 4, 2)].hrv_ms is None
    assert all(day.source == "apple-health" for day in days.values())


def test_sleep_counts_asleep_stages_on_the_day_the_night_ends(parsed: Parsed) -> None:
    night = wellness(parsed)[dt.date(2026, 4, 1)]
    # Core 1:50 + Deep 1:00 + REM 1:00 + Core 3:20; InBed and Awake are not sleep, and the
    # sleep app's overlapping record of the same night (7:05) is not added on top.
    assert night.sleep_s == 6600 + 3600 + 3600 + 12000
    assert dt.date(2026, 3, 31) not in wellness(parsed)


def test_a_day_is_the_local_date_written_in_the_record() -> None:
    late = (
        '<Record type="HKQuantityTypeIdentifierRestingHeartRate" sourceName="Watch" '
        'unit="count/min" startDate="2026-05-01 23:30:00 -0700" '
        'endDate="2026-05-01 23:30:00 -0700" value="49"/>'
    )
    (day,) = read(document(late)).wellness
    assert day.day == dt.date(2026, 5, 1)  # 06:30 UTC on 2 May, but the runner's 1 May


def test_an_export_with_nothing_rubdown_reads_is_skipped() -> None:
    step = (
        '<Record type="HKQuantityTypeIdentifierStepCount" sourceName="Phone" unit="count" '
        'startDate="2026-05-01 07:00:00 +0200" endDate="2026-05-01 07:10:00 +0200" value="900"/>'
    )
    result = read(document(step))
    assert result.skipped is not None
    assert result.problem is None


# --- damage ---------------------------------------------------------------------------------


def damaged() -> tuple[bytes, int]:
    """The fixture with a broken tag just after its first workout, and that line's number."""
    lines = DATA.split(b"\n")
    after = next(i for i, line in enumerate(lines) if line.strip() == b"</Workout>")
    lines.insert(after + 1, b' <Record type="x" value="1" <oops>')
    return b"\n".join(lines), after + 2


def test_malformed_xml_mid_file_is_a_problem_with_its_position() -> None:
    data, line = damaged()
    result = read(data)
    # Line numbers are those of the file: cutting the DTD kept its line breaks.
    assert result.problem == f"not well-formed XML at line {line}, column 28"
    assert result.activities == ()
    assert result.wellness == ()
    assert result.partial is False


def test_salvage_keeps_what_was_complete_before_the_damage() -> None:
    data, _ = damaged()
    result = read(data, salvage=True)
    assert result.problem is not None
    assert result.partial is True
    (run,) = result.activities
    assert run.distance_m == pytest.approx(8123.0)
    assert run.records == 6  # the 07:40 sample sat after the damage
    assert wellness(result)[dt.date(2026, 4, 1)].resting_hr_bpm == 53.0


def test_a_truncated_export_is_a_problem_and_salvage_keeps_the_complete_part() -> None:
    cut = DATA[: DATA.index(b"<ActivitySummary")]
    assert read(cut).problem is not None
    salvaged = read(cut, salvage=True)
    assert salvaged.partial is True
    assert len(salvaged.activities) == 3


def test_parse_reads_bytes_through_the_stream_parser(parsed: Parsed) -> None:
    assert parse(DATA) == parsed


# --- size -----------------------------------------------------------------------------------

SAMPLES = 200_000
WORKOUTS = 100
BASE = dt.datetime(2026, 1, 1, 6, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))
SOURCE = (
    'sourceName="Runner\'s Apple Watch" sourceVersion="10.4" device="&lt;&lt;HKDevice: '
    "0x600001a2b3c0&gt;, name:Apple Watch, manufacturer:Apple Inc., model:Watch, "
    'hardware:Watch7,2, software:10.4&gt;"'
)


def stamp(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S %z")


def write_large_export(path: Path) -> None:
    """A 200k-sample export: one sample every 30 s, and a 30-minute workout every 2000
    samples (60 samples each). Records precede workouts, as in real exports."""
    with path.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE HealthData [\n')
        out.write("<!ATTLIST VisionPrescription\n  type CDATA #REQUIRED\n]>\n")
        out.write('<HealthData locale="en_US">\n')
        for i in range(SAMPLES):
            when = stamp(BASE + dt.timedelta(seconds=30 * i))
            out.write(
                f' <Record type="HKQuantityTypeIdentifierHeartRate" {SOURCE} unit="count/min" '
                f'creationDate="{when}" startDate="{when}" endDate="{when}" '
                f'value="{60 + i % 100}"/>\n'
            )
        for w in range(WORKOUTS):
            start = BASE + dt.timedelta(seconds=30 * (2000 * w + 1))
            end = start + dt.timedelta(seconds=30 * 59)
            out.write(
                ' <Workout workoutActivityType="HKWorkoutActivityTypeRunning" duration="29.5" '
                f'durationUnit="min" {SOURCE} startDate="{stamp(start)}" endDate="{stamp(end)}">\n'
                '  <MetadataEntry key="HKElevationAscended" value="2500 cm"/>\n'
                " </Workout>\n"
            )
        out.write("</HealthData>\n")


def test_a_large_export_is_streamed_in_little_memory(tmp_path: Path) -> None:
    path = tmp_path / "export.xml"
    write_large_export(path)
    size = path.stat().st_size
    tracemalloc.start()
    try:
        with path.open("rb") as stream:
            result = parse_export(stream)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.problem is None
    assert result.records == SAMPLES
    assert len(result.activities) == WORKOUTS
    assert all(a.records == 60 for a in result.activities)
    assert size > 60_000_000
    # The samples themselves take 3.2 MB; the file is some 80 MB.
    assert peak < 16_000_000, f"peak {peak / 1e6:.1f} MB for a {size / 1e6:.0f} MB file"


def test_an_unknown_declared_encoding_is_a_problem_not_a_crash() -> None:
    result = read(DATA.replace(b'encoding="UTF-8"', b'encoding="XTF-8"'))
    assert result.problem == "unreadable XML declaration: unknown encoding: XTF-8"
    assert result.activities == ()
