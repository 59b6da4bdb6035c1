"""Activity files meet the date policy at one point, for every format (issue 11, fault 2).

``result_from_parsed`` is where every parser's answer (FIT, GPX, TCX, the Garmin and Apple
summaries, Strava's CSV) becomes rows to store; an activity or wellness day outside
``domain.dates``'s years is refused there with the policy's one line.
"""

from __future__ import annotations

import datetime as dt

import pytest

from rubdown.domain.activity import Activity, DailyWellness, Parsed, Sport
from rubdown.domain.dates import out_of_range
from rubdown.domain.records import IncomingFile
from rubdown.importers.base import Format
from rubdown.services.import_worker import result_from_parsed

ACTIVITY_FORMATS = [
    Format.FIT,
    Format.GPX,
    Format.TCX,
    Format.GARMIN_SUMMARIES,
    Format.APPLE_HEALTH,
    Format.STRAVA_CSV,
]


def run_at(start: dt.datetime, name: str = "") -> Activity:
    return Activity(Sport.RUNNING, start, 1800.0, name=name, records=10)


def utc(year: int, month: int = 6, day: int = 1, hour: int = 8, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=dt.UTC)


def result_for(parsed: Parsed, kind: Format = Format.GPX, timezone: str = "UTC") -> IncomingFile:
    return result_from_parsed("run.file", "0" * 64, kind, parsed, timezone)


@pytest.mark.parametrize("kind", ACTIVITY_FORMATS, ids=lambda kind: kind.value)
@pytest.mark.parametrize(
    "start",
    [
        dt.datetime(1, 1, 1, tzinfo=dt.UTC),
        dt.datetime(1899, 12, 31, 23, 59, tzinfo=dt.UTC),
        dt.datetime(2201, 1, 1, tzinfo=dt.UTC),
        dt.datetime(9999, 12, 31, 23, 59, tzinfo=dt.UTC),
    ],
    ids=["year-1", "1899", "2201", "year-9999"],
)
def test_an_activity_outside_the_years_fails_its_file_with_the_policys_line(
    kind: Format, start: dt.datetime
) -> None:
    # New York: year 1 at midnight UTC is still year 0 there, which used to overflow.
    result = result_from_parsed(
        "run.file", "0" * 64, kind, Parsed(activities=(run_at(start),)), "America/New_York"
    )
    assert result.status == "failed"
    assert result.error == out_of_range(start.date(), "activity start")
    assert list(result.activities) == []


@pytest.mark.parametrize("start", [utc(1900, 1, 1, 12), utc(2200, 12, 31, 12)])
def test_the_first_and_last_accepted_years_are_stored(start: dt.datetime) -> None:
    result = result_for(Parsed(activities=(run_at(start),)))
    assert result.status == "imported"
    assert result.error is None
    assert [item.local_day for item in result.activities] == [start.date()]


def test_a_start_in_2200_that_is_2201_on_the_runners_day_is_refused() -> None:
    start = utc(2200, 12, 31, 23, 30)  # 12:30 on 1 January 2201 in Auckland
    result = result_for(Parsed(activities=(run_at(start),)), timezone="Pacific/Auckland")
    assert result.status == "failed"
    assert result.error == "activity day 2201-01-01 is outside the years 1900-2200"


def test_a_summary_with_one_row_out_of_range_keeps_the_others_and_names_the_refused_one() -> None:
    good = run_at(utc(2026, 5, 1), "Tempo")
    bad = run_at(dt.datetime(9999, 1, 1, tzinfo=dt.UTC), "Typo")
    result = result_for(Parsed(activities=(good, bad)), Format.STRAVA_CSV)
    assert result.status == "imported"
    assert [item.activity.name for item in result.activities] == ["Tempo"]
    assert result.error == "activity start 9999-01-01 is outside the years 1900-2200"


def test_the_parsers_own_problem_is_kept_beside_the_refusal() -> None:
    parsed = Parsed(
        activities=(run_at(utc(2026, 5, 1)), run_at(dt.datetime(1, 1, 1, tzinfo=dt.UTC))),
        problem="row 7: no start time",
    )
    result = result_for(parsed, Format.GARMIN_SUMMARIES)
    assert result.error == (
        "activity start 0001-01-01 is outside the years 1900-2200; row 7: no start time"
    )


def test_many_refused_rows_are_summed_up_after_the_first_three() -> None:
    bad = tuple(run_at(dt.datetime(1, 1, day, tzinfo=dt.UTC)) for day in range(1, 11))
    result = result_for(Parsed(activities=bad), Format.STRAVA_CSV)
    assert result.status == "failed"
    assert result.error is not None
    assert result.error.count("outside the years") == 3
    assert result.error.endswith("; and 7 more")


def test_wellness_days_outside_the_years_are_refused_and_the_others_kept() -> None:
    days = (
        DailyWellness(dt.date(2026, 5, 1), "garmin", resting_hr_bpm=48),
        DailyWellness(dt.date(1, 1, 1), "garmin", resting_hr_bpm=50),
    )
    result = result_for(Parsed(wellness=days), Format.GARMIN_WELLNESS)
    assert result.status == "imported"
    assert [day.day for day in result.wellness] == [dt.date(2026, 5, 1)]
    assert result.error == "wellness day 0001-01-01 is outside the years 1900-2200"


def test_a_file_of_wellness_days_all_outside_the_years_fails() -> None:
    days = (DailyWellness(dt.date(9999, 12, 31), "apple-health", sleep_s=28_000),)
    result = result_for(Parsed(wellness=days), Format.APPLE_HEALTH)
    assert result.status == "failed"
    assert list(result.wellness) == []


def test_a_name_from_inside_a_file_is_stored_escaped_like_a_file_name() -> None:
    named = run_at(utc(2026, 5, 1), name="Morning\x00run \udce9")
    (item,) = result_for(Parsed(activities=(named,)), Format.STRAVA_CSV).activities
    assert item.activity.name == "Morning\\x00run \\xe9"
