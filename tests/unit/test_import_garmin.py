"""Reading Garmin's "Export Your Data" archive: activity summaries and daily wellness files."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from rubdown.domain.activity import Activity, DailyWellness, Parsed, Sport
from rubdown.importers.garmin import (
    is_wellness_name,
    parse,
    parse_summaries,
    parse_wellness,
    sniff_summaries,
)

DI_CONNECT = Path(__file__).resolve().parents[1] / "data" / "exports" / "garmin" / "DI_CONNECT"
SUMMARIES = DI_CONNECT / "DI-Connect-Fitness" / "runner@example.com_0_summarizedActivities.json"
SLEEP = DI_CONNECT / "DI-Connect-Wellness" / "2026-03-01_2026-06-09_123456_sleepData.json"
HEALTH = DI_CONNECT / "DI-Connect-Wellness" / "123456_healthStatusData.json"
UDS = DI_CONNECT / "DI-Connect-Aggregator" / "UDSFile_2026-03-01_2026-06-09.json"


def inner(path: Path) -> str:
    return path.relative_to(DI_CONNECT.parent).as_posix()


def summaries(*items: dict[str, object]) -> bytes:
    return json.dumps([{"summarizedActivitiesExport": list(items)}]).encode()


@pytest.fixture(scope="module")
def parsed() -> Parsed:
    return parse_summaries(SUMMARIES.read_bytes())


def by_ref(parsed: Parsed, ref: str) -> Activity:
    return next(a for a in parsed.activities if a.source_ref == ref)


def wellness_of(path: Path) -> dict[dt.date, DailyWellness]:
    return {day.day: day for day in parse_wellness(inner(path), path.read_bytes()).wellness}


# --- recognising the files ------------------------------------------------------------------


def test_sniff_summaries_recognises_the_export_wrapper() -> None:
    assert sniff_summaries(SUMMARIES.read_bytes()[:4096])
    assert sniff_summaries(b'\xef\xbb\xbf[ {\n  "summarizedActivitiesExport" : [ ] } ]')


@pytest.mark.parametrize(
    "head",
    [SLEEP.read_bytes()[:4096], b"Activity ID,Activity Date\n", b'{"activities": []}', b""],
)
def test_sniff_summaries_rejects_other_files(head: bytes) -> None:
    assert not sniff_summaries(head)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("DI_CONNECT/DI-Connect-Wellness/2026-03-01_2026-06-09_123456_sleepData.json", True),
        ("DI_CONNECT/DI-Connect-Wellness/123456_healthStatusData.json", True),
        ("DI_CONNECT/DI-Connect-Aggregator/UDSFile_2026-03-01_2026-06-09.json", True),
        ("DI_CONNECT\\DI-Connect-Aggregator\\UDSFile_1.json", True),
        ("DI_CONNECT/DI-Connect-Wellness/123456_fitnessAgeData.json", False),
        ("DI_CONNECT/DI-Connect-Wellness/UDSFile_1.json", False),
        ("DI_CONNECT/DI-Connect-Aggregator/HydrationLogFile_1.json", False),
        ("DI_CONNECT/DI-Connect-Fitness/x_sleepData.json", False),
        ("2026_sleepData.json", False),
    ],
)
def test_is_wellness_name_picks_sleep_health_status_and_uds_files(
    name: str, expected: bool
) -> None:
    assert is_wellness_name(name) is expected


# --- summaries ------------------------------------------------------------------------------


def test_a_run_summary_is_converted_from_milliseconds_and_centimetres(parsed: Parsed) -> None:
    run = by_ref(parsed, "21034567001")
    assert run.sport is Sport.RUNNING
    assert run.name == "Berlin Easy Run"
    assert run.start == dt.datetime(2026, 3, 14, 7, 12, 3, tzinfo=dt.UTC)
    assert run.duration_s == pytest.approx(3012.345)  # elapsedDuration, pauses included
    assert run.moving_s == pytest.approx(2950.0)
    assert run.distance_m == pytest.approx(10123.45)
    assert run.elevation_gain_m == pytest.approx(45.0)
    assert (run.avg_hr_bpm, run.max_hr_bpm) == (142.0, 171.0)
    assert run.streams is None


def test_the_local_offset_is_local_minus_gmt(parsed: Parsed) -> None:
    assert by_ref(parsed, "21034567001").utc_offset_s == 3600
    assert by_ref(parsed, "21034567010").utc_offset_s == 7200
    new_york = by_ref(parsed, "21034567040")
    assert new_york.utc_offset_s == -4 * 3600
    assert new_york.local_day() == dt.date(2026, 6, 11)


def test_an_activity_type_object_and_begin_timestamp_are_understood(parsed: Parsed) -> None:
    trail = by_ref(parsed, "21034567002")
    assert trail.sport is Sport.TRAIL_RUNNING
    assert trail.start == dt.datetime(2026, 3, 15, 8, 0, 0, tzinfo=dt.UTC)
    assert trail.duration_s == 5400.0  # no elapsedDuration: duration stands in


def test_sports_from_the_fixture(parsed: Parsed) -> None:
    sports = {a.source_ref: a.sport for a in parsed.activities}
    assert sports["21034567003"] is Sport.TREADMILL
    assert sports["21034567020"] is Sport.CYCLING
    assert sports["21034567030"] is Sport.STRENGTH


def test_a_multisport_session_is_its_parent_and_its_legs_are_left_out(parsed: Parsed) -> None:
    refs = [a.source_ref for a in parsed.activities]
    assert "21034567010" in refs
    # 011 and 012 carry a parentId; 013 is only listed in the parent's childIds.
    assert not {"21034567011", "21034567012", "21034567013"} & set(refs)
    assert by_ref(parsed, "21034567010").sport is Sport.MULTISPORT
    assert parsed.extra["multisport_legs"] == 3


def test_a_summary_without_a_start_is_skipped_with_a_problem(parsed: Parsed) -> None:
    assert "21034567050" not in {a.source_ref for a in parsed.activities}
    assert parsed.problem == "summary 11 (activityId 21034567050): no start time"
    assert len(parsed.activities) == 7
    assert parsed.records == 11


def test_missing_keys_become_none() -> None:
    result = parse_summaries(summaries({"startTimeGmt": 1_700_000_000_000}))
    (activity,) = result.activities
    assert activity.sport is Sport.OTHER
    assert activity.duration_s == 0.0
    assert activity.utc_offset_s is None
    assert (activity.distance_m, activity.moving_s, activity.avg_hr_bpm) == (None, None, None)
    assert (activity.name, activity.source_ref) == ("", "")
    assert result.problem is None


@pytest.mark.parametrize(
    ("type_key", "sport"),
    [
        ("street_running", Sport.RUNNING),
        ("track_running", Sport.RUNNING),
        ("treadmill_running", Sport.TREADMILL),
        ("trail_running", Sport.TRAIL_RUNNING),
        ("cycling", Sport.CYCLING),
        ("mountain_biking", Sport.CYCLING),
        ("indoor_cycling", Sport.CYCLING),
        ("lap_swimming", Sport.SWIMMING),
        ("indoor_rowing", Sport.ROWING),
        ("hiking", Sport.HIKING),
        ("walking", Sport.WALKING),
        ("multisport", Sport.MULTISPORT),
        ("cross_country_skiing_ws", Sport.SKIING),
        ("yoga", Sport.OTHER),
        ("Running", Sport.RUNNING),
    ],
)
def test_activity_type_keys_map_to_sports(type_key: str, sport: Sport) -> None:
    data = summaries({"startTimeGmt": 0, "activityType": {"typeKey": type_key}})
    assert parse_summaries(data).activities[0].sport is sport


def test_a_wild_local_time_gives_no_offset() -> None:
    data = summaries({"startTimeGmt": 1_700_000_000_000, "startTimeLocal": 1_800_000_000_000})
    assert parse_summaries(data).activities[0].utc_offset_s is None


def test_the_offset_is_rounded_to_the_minute() -> None:
    data = summaries({"startTimeGmt": 1_700_000_000_000, "startTimeLocal": 1_700_019_800_400})
    assert parse_summaries(data).activities[0].utc_offset_s == 19800  # +05:30


def test_a_bare_object_wrapper_is_read_too() -> None:
    data = json.dumps({"summarizedActivitiesExport": [{"beginTimestamp": 0}]}).encode()
    assert len(parse_summaries(data).activities) == 1


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b'[{"summarizedActivitiesExport": [', "not valid JSON at line 1, column 34"),
        (b"\xff\xfe[]", "not UTF-8 text at byte 0"),
    ],
)
def test_a_broken_file_is_a_problem(data: bytes, problem: str) -> None:
    result = parse_summaries(data)
    assert result.problem == problem
    assert result.activities == ()


def test_an_empty_export_is_skipped_not_a_problem() -> None:
    result = parse_summaries(b'[{"summarizedActivitiesExport": []}]')
    assert result.skipped is not None
    assert result.problem is None


def test_parse_is_the_summaries_reader() -> None:
    assert parse(SUMMARIES.read_bytes()) == parse_summaries(SUMMARIES.read_bytes())


# --- wellness -------------------------------------------------------------------------------


def test_sleep_is_the_sum_of_deep_light_and_rem_with_the_overall_score() -> None:
    days = wellness_of(SLEEP)
    night = days[dt.date(2026, 3, 14)]
    assert night.source == "garmin"
    assert night.sleep_s == 5040 + 14220 + 6300  # awake time and the nap are not sleep
    assert night.sleep_score == 82
    assert (night.resting_hr_bpm, night.hrv_ms) == (None, None)


def test_a_top_level_overall_score_is_read_and_a_day_without_stages_is_dropped() -> None:
    days = wellness_of(SLEEP)
    assert days[dt.date(2026, 3, 15)].sleep_score == 71
    assert dt.date(2026, 3, 16) not in days


def test_a_nested_score_value_is_read() -> None:
    entry = {"calendarDate": "2026-01-01", "sleepScores": {"overallScore": {"value": 64}}}
    result = parse_wellness("x/DI-Connect-Wellness/a_sleepData.json", json.dumps([entry]).encode())
    assert result.wellness[0].sleep_score == 64
    assert result.wellness[0].sleep_s is None


def test_health_status_gives_the_hrv_metric_not_the_heart_rate() -> None:
    days = wellness_of(HEALTH)
    assert days[dt.date(2026, 3, 14)].hrv_ms == 58.0
    assert days[dt.date(2026, 3, 15)].hrv_ms == 51.0
    assert dt.date(2026, 3, 16) not in days  # HRV without a value
    assert all(day.resting_hr_bpm is None for day in days.values())


def test_uds_gives_resting_heart_rate_and_ignores_unworn_days() -> None:
    days = wellness_of(UDS)
    assert days[dt.date(2026, 3, 14)].resting_hr_bpm == 46
    assert days[dt.date(2026, 3, 15)].resting_hr_bpm == 48
    assert dt.date(2026, 3, 16) not in days  # restingHeartRate 0: not worn


def test_an_unknown_wellness_file_is_skipped() -> None:
    result = parse_wellness("DI_CONNECT/DI-Connect-Wellness/1_fitnessAgeData.json", b"[]")
    assert result.skipped is not None
    assert result.wellness == ()


def test_a_broken_wellness_file_is_a_problem() -> None:
    result = parse_wellness(inner(UDS), b"[{")
    assert result.problem is not None
    assert result.problem.startswith("not valid JSON")


def test_entries_without_a_calendar_date_are_ignored() -> None:
    data = json.dumps([{"restingHeartRate": 50}, "junk", {"calendarDate": "x"}]).encode()
    result = parse_wellness(inner(UDS), data)
    assert result.wellness == ()
    assert result.skipped is not None


def test_json_nested_too_deeply_is_a_problem_not_a_crash() -> None:
    result = parse_summaries(b"[" * 200_000 + b"]" * 200_000)
    assert result.problem == "JSON nested too deeply to read"


def test_a_summary_dated_beyond_the_calendar_is_one_problem_and_the_others_import() -> None:
    rows = [
        {"activityId": 1, "activityType": "running", "startTimeGmt": 10**18, "duration": 60000},
        {
            "activityId": 2,
            "activityType": "running",
            "startTimeGmt": 1_700_000_000_000,
            "duration": 60000,
        },
    ]
    parsed = parse_summaries(json.dumps([{"summarizedActivitiesExport": rows}]).encode())
    assert [a.source_ref for a in parsed.activities] == ["2"]
    assert parsed.problem is not None
    assert "activityId 1" in parsed.problem
