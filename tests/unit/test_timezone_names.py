"""Time zone names from outside (the TZ variable, a calendar's X-WR-TIMEZONE) that ZoneInfo
cannot open, a name too long for a file name among them, never crash a command."""

from __future__ import annotations

import datetime as dt

import pytest

from rubdown.bootstrap import system_timezone
from rubdown.calendar import read_ics
from rubdown.calendar.conventions import zone
from rubdown.errors import InvalidValue

TOO_LONG = "Europe/" + "a" * 300  # ZoneInfo raises OSError: file name too long


def test_a_time_zone_name_too_long_to_open_is_an_input_error() -> None:
    with pytest.raises(InvalidValue, match="unknown time zone"):
        zone(TOO_LONG)


def test_a_tz_variable_too_long_to_open_falls_back_to_utc(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TZ", TOO_LONG)

    assert system_timezone() == "UTC"


def test_a_calendar_naming_a_zone_too_long_to_open_reads_floating_times_as_local() -> None:
    data = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
        f"X-WR-TIMEZONE:{TOO_LONG}\r\n"
        "BEGIN:VEVENT\r\nSUMMARY:Easy run\r\nDTSTART:20270405T233000\r\nDURATION:PT40M\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()

    result = read_ics(data, timezone="Europe/Berlin")

    ((workout, _uid),) = result.workouts
    assert workout.day == dt.date(2027, 4, 5)
