"""Calendar files and the one date policy (issue 11, fault 3): an event that starts or ends
outside the years 1900-2200 is skipped with that reason, never imported and never a crash;
the rest of the file is imported. Text that PostgreSQL cannot hold (NUL) or that is not
Unicode (a lone surrogate) refuses the file with a reason before anything is read."""

from __future__ import annotations

import datetime as dt

import pytest

from rubdown.calendar import CalendarImport, read_ics
from rubdown.calendar.ics_import import Horizon
from rubdown.domain.dates import FIRST_DAY, LAST_DAY
from rubdown.errors import FileFormatError

TODAY = dt.date(2027, 1, 4)
GOOD_RACE = "UID:good@club\nSUMMARY:Spring Marathon\nDTSTART;VALUE=DATE:20270418"


def ics(*events: str) -> bytes:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//dates//EN"]
    for event in events:
        lines += ["BEGIN:VEVENT", *event.strip().splitlines(), "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


def read(*events: str, today: dt.date = TODAY) -> CalendarImport:
    return read_ics(ics(*events), timezone="Europe/Berlin", today=today)


def imported_days(result: CalendarImport) -> list[dt.date]:
    return sorted([r.day for r, _ in result.races] + [w.day for w, _ in result.workouts])


FAR_EVENTS = [
    pytest.param("SUMMARY:Far Marathon\nDTSTART;VALUE=DATE:99991231", "9999-12-31", id="9999"),
    pytest.param("SUMMARY:Old Marathon\nDTSTART;VALUE=DATE:00010101", "0001-01-01", id="year-1"),
    pytest.param("SUMMARY:Tempo run\nDTSTART:00010101T060000Z", "0001-01-01", id="year-1-timed"),
    # 23:00 UTC on the last day Python knows is already year 10000 in Berlin.
    pytest.param("SUMMARY:Tempo run\nDTSTART:99991231T230000Z", "9999-12-31", id="9999-late-utc"),
    pytest.param(
        "SUMMARY:Tempo run\nDTSTART;TZID=America/New_York:00010101T000000",
        "0001-01-01",
        id="year-1-in-a-zone",
    ),
    pytest.param("SUMMARY:Half marathon\nDTSTART;VALUE=DATE:18991231", "1899-12-31", id="1899"),
    pytest.param("SUMMARY:Half marathon\nDTSTART;VALUE=DATE:22010101", "2201-01-01", id="2201"),
    # Still 2200 in UTC, but already 2201 on the runner's calendar in Berlin.
    pytest.param("SUMMARY:Tempo run\nDTSTART:22001231T233000Z", "2201-01-01", id="2201-local"),
]


@pytest.mark.parametrize(("event", "shown"), FAR_EVENTS)
def test_an_event_starting_outside_the_years_is_skipped_with_the_reason(
    event: str, shown: str
) -> None:
    result = read(GOOD_RACE, f"UID:far@club\n{event}")
    assert imported_days(result) == [dt.date(2027, 4, 18)]
    (skipped,) = result.skipped
    assert skipped.reason == f"the start {shown} is outside the years 1900-2200"
    assert shown in skipped.line


@pytest.mark.parametrize(
    ("end", "reason"),
    [
        ("DTEND:99991231T000000Z", "the end 9999-12-31 is outside the years 1900-2200"),
        ("DURATION:P999999999D", "the end (its start plus 999999999 days) is outside"),
        ("DURATION:P100000D", "the end 2300-10-21 is outside the years 1900-2200"),
    ],
    ids=["dtend-9999", "duration-past-9999", "duration-past-2200"],
)
def test_an_event_ending_outside_the_years_is_skipped_with_the_reason(
    end: str, reason: str
) -> None:
    result = read(GOOD_RACE, f"UID:long@club\nSUMMARY:Tempo run\nDTSTART:20270105T180000Z\n{end}")
    assert imported_days(result) == [dt.date(2027, 4, 18)]
    (skipped,) = result.skipped
    assert skipped.reason.startswith(reason)


@pytest.mark.parametrize("day", [FIRST_DAY, LAST_DAY], ids=str)
def test_the_first_and_last_accepted_days_are_imported(day: dt.date) -> None:
    result = read(f"UID:edge@club\nSUMMARY:Edge Marathon\nDTSTART;VALUE=DATE:{day:%Y%m%d}")
    assert result.skipped == []
    assert imported_days(result) == [day]


def test_a_series_running_past_2200_imports_its_occurrences_up_to_2200_and_says_why_not_more() -> (
    None
):
    series = "UID:weekly@club\nSUMMARY:Tempo run\nDTSTART;VALUE=DATE:22001105\nRRULE:FREQ=WEEKLY"
    result = read(GOOD_RACE, series, today=dt.date(2200, 11, 1))
    days = [w.day for w, _ in result.workouts]
    assert days == [dt.date(2200, 11, 5) + dt.timedelta(weeks=n) for n in range(9)]
    assert max(days) <= LAST_DAY
    (note,) = result.skipped
    assert "later occurrences are outside the years 1900-2200" in note.reason


@pytest.mark.parametrize("start", ["99990101", "00010101", "00010101T060000Z"])
def test_a_series_starting_outside_the_years_is_skipped_whole_with_the_reason(start: str) -> None:
    value = "" if "T" in start else ";VALUE=DATE"
    series = f"UID:far@club\nSUMMARY:Easy run\nDTSTART{value}:{start}\nRRULE:FREQ=DAILY"
    result = read(GOOD_RACE, series)
    assert imported_days(result) == [dt.date(2027, 4, 18)]
    (skipped,) = result.skipped
    shown = f"{start[:4]}-{start[4:6]}-{start[6:8]}"
    assert skipped.reason == f"the start {shown} is outside the years 1900-2200"


def test_a_changed_occurrence_moved_to_9999_is_left_out_and_the_others_are_imported() -> None:
    series = (
        "UID:weekly@club\nSUMMARY:Tempo run\nDTSTART;VALUE=DATE:20270105\nRRULE:FREQ=WEEKLY;COUNT=3"
    )
    moved = (
        "UID:weekly@club\nSUMMARY:Tempo run\nRECURRENCE-ID;VALUE=DATE:20270112\n"
        "DTSTART;VALUE=DATE:99990112"
    )
    result = read(series, moved)
    # The expander drops it as an occurrence outside the horizon, before it is read.
    assert [w.day for w, _ in result.workouts] == [dt.date(2027, 1, 5), dt.date(2027, 1, 19)]


@pytest.mark.parametrize("today", [FIRST_DAY, LAST_DAY, dt.date(1900, 6, 1)], ids=str)
def test_the_repeat_horizon_never_leaves_the_accepted_years(today: dt.date) -> None:
    horizon = Horizon.around(today)
    assert FIRST_DAY <= horizon.first <= today <= horizon.last <= LAST_DAY


@pytest.mark.parametrize(
    "title",
    [b"Tempo\x00run", "Tempo \ud800 run".encode("utf-8", "surrogatepass")],
    ids=["nul", "lone-surrogate"],
)
def test_text_a_database_cannot_hold_refuses_the_file_with_a_reason(title: bytes) -> None:
    data = ics(GOOD_RACE).replace(b"SUMMARY:Spring Marathon", b"SUMMARY:" + title)
    with pytest.raises(FileFormatError, match=r"binary|not UTF-8"):
        read_ics(data, timezone="Europe/Berlin", today=TODAY)
