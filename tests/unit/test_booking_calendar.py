"""Bookings as calendar events (``calendar.ics_bookings``): on the runner's calendar with the
kind, length and therapist; cancelled ones marked in a file and left out of a feed; the
therapist's full feed names the client and service, the busy one nothing but the time."""

from __future__ import annotations

import datetime as dt

from icalendar import Calendar

from rubdown.calendar import export_ics
from rubdown.calendar.ics_bookings import booking_uid, therapist_calendar
from rubdown.domain.booked import BookedSession
from rubdown.domain.clinic.feeds import FeedBooking
from rubdown.domain.model import PolicyName, Profile, SessionKind
from rubdown.domain.plan import Plan

STAMP = dt.datetime(2027, 3, 1, 12, tzinfo=dt.UTC)
START = dt.datetime(2027, 3, 10, 10, tzinfo=dt.UTC)
EMPTY = Plan(PolicyName.STANDARD, START.date(), START.date(), (), (), ())


def _booking(booking_id: str, *, cancelled: bool = False) -> BookedSession:
    return BookedSession(
        booking_id, "dana@clinic.example", SessionKind.SPORTS, START, 45, 60.0, (), cancelled
    )


def _events(data: bytes) -> list[dict[str, str]]:
    calendar = Calendar.from_ical(data)
    return [
        {name: str(event.get(name, "")) for name in ("UID", "SUMMARY", "STATUS", "DESCRIPTION")}
        for event in calendar.walk("VEVENT")
    ]


def _runner_calendar(*, feed: bool, busy_only: bool = False) -> list[dict[str, str]]:
    data = export_ics(
        EMPTY,
        races=[],
        workouts=[],
        profile=Profile(),
        kb=None,
        owner_id="ana",
        stamp=STAMP,
        alarms=False,
        busy_only=busy_only,
        refresh=dt.timedelta(hours=1) if feed else None,
        bookings=[_booking("kept"), _booking("gone", cancelled=True)],
    )
    return _events(data)


def test_a_booking_on_the_runners_calendar_names_kind_length_and_therapist() -> None:
    events = {e["UID"]: e for e in _runner_calendar(feed=True)}
    kept = events[booking_uid("kept")]
    assert kept["SUMMARY"] == f"{SessionKind.SPORTS.label} with dana@clinic.example"
    assert "45 min" in kept["DESCRIPTION"]


def test_a_feed_leaves_a_cancelled_booking_out_and_a_file_marks_it_cancelled() -> None:
    assert booking_uid("gone") not in {e["UID"] for e in _runner_calendar(feed=True)}
    in_file = {e["UID"]: e for e in _runner_calendar(feed=False)}
    assert in_file[booking_uid("gone")]["STATUS"] == "CANCELLED"


def test_the_runners_busy_calendar_shows_a_booking_as_busy_only() -> None:
    events = _runner_calendar(feed=True, busy_only=True)
    assert [(e["SUMMARY"], e["DESCRIPTION"]) for e in events] == [("Busy", "")]


def test_a_booking_uid_does_not_carry_the_booking_id() -> None:
    assert "kept" not in booking_uid("kept")


def _therapist(busy_only: bool) -> bytes:
    booking = FeedBooking("b1", "Ana Runner", "Calf rescue", SessionKind.SPORTS, START, 45)
    return therapist_calendar(
        [booking], busy_only=busy_only, stamp=STAMP, refresh=dt.timedelta(hours=1)
    )


def test_the_therapists_full_feed_names_client_and_service() -> None:
    [event] = _events(_therapist(busy_only=False))
    assert "Ana Runner" in event["SUMMARY"]
    assert "Calf rescue" in event["SUMMARY"]


def test_the_therapists_busy_feed_carries_nothing_of_the_client() -> None:
    data = _therapist(busy_only=True).decode()
    for detail in ("Ana", "Calf", "Sports", "sports", "DESCRIPTION", "CATEGORIES"):
        assert detail not in data, detail
    assert [e["SUMMARY"] for e in _events(data.encode())] == ["Busy"]
