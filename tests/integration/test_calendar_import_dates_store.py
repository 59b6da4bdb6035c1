"""A calendar file into a real store, on SQLite and PostgreSQL: events outside the years
1900-2200 are skipped with the reason and nothing of them is stored, while the rest of the
file is; text PostgreSQL cannot hold (NUL) or that is not Unicode (a lone surrogate) refuses
the file with a reason and stores nothing (issue 11, fault 3)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from rubdown.bootstrap import Settings, build_app
from rubdown.errors import FileFormatError
from rubdown.services.calendar_io import import_calendar_bytes
from rubdown.services.runner import Runner
from tests.e2e.cli import assert_unchanged, stored_rows

TODAY = dt.date(2200, 11, 1)  # late in 2200: the weekly run's horizon reaches the last year


def calendar(*events: str) -> bytes:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//club//plan//EN"]
    for event in events:
        lines += ["BEGIN:VEVENT", *event.strip().splitlines(), "END:VEVENT"]
    return ("\r\n".join([*lines, "END:VCALENDAR"]) + "\r\n").encode()


SPRING = "UID:spring@club\nSUMMARY:Spring Marathon (A)\nDTSTART;VALUE=DATE:22000906"
FAR = "UID:far@club\nSUMMARY:Far Marathon (A)\nDTSTART;VALUE=DATE:99991231"
OLD = "UID:old@club\nSUMMARY:Tempo run\nDTSTART:00010101T060000Z"
WEEKLY = "UID:weekly@club\nSUMMARY:Tempo run\nDTSTART;VALUE=DATE:22001102\nRRULE:FREQ=WEEKLY"


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(tmp_path / "home", database_url, today=TODAY)


@pytest.fixture
def app(settings: Settings) -> Iterator[Runner]:
    opened = build_app(settings)
    try:
        yield opened
    finally:
        opened.close()


def test_far_events_are_skipped_with_the_reason_and_the_rest_is_stored(app: Runner) -> None:
    report = import_calendar_bytes(app, "club.ics", calendar(SPRING, FAR, OLD, WEEKLY))
    assert [(r.name, r.day) for r in report.races] == [("Spring Marathon", dt.date(2200, 9, 6))]
    reasons = sorted(event.reason for event in report.skipped)
    assert reasons[0] == "repeats past 2200-12-31: later occurrences are outside the years " + (
        "1900-2200 and are not imported"
    )
    assert reasons[1:] == [
        "the start 0001-01-01 is outside the years 1900-2200",
        "the start 9999-12-31 is outside the years 1900-2200",
    ]
    owner = app.owner_id
    assert [race.day for race in app.store.list_races(owner)] == [dt.date(2200, 9, 6)]
    days = sorted(workout.day for workout in app.store.list_workouts(owner))
    assert days == [dt.date(2200, 11, 2) + dt.timedelta(weeks=n) for n in range(9)]


@pytest.mark.parametrize(
    "title",
    [b"Spring\x00Marathon", "Spring \ud800 Marathon".encode("utf-8", "surrogatepass")],
    ids=["nul", "lone-surrogate"],
)
def test_text_a_database_cannot_hold_refuses_the_file_and_stores_nothing(
    app: Runner, settings: Settings, title: bytes
) -> None:
    data = calendar(SPRING, WEEKLY).replace(b"Spring Marathon (A)", title)
    before = stored_rows(settings.database_url)
    with pytest.raises(FileFormatError, match=r"club\.ics: not an iCalendar file"):
        import_calendar_bytes(app, "club.ics", data)
    assert_unchanged(before, stored_rows(settings.database_url))
