"""The subscription variants of the calendar: the busy-only rendering and the feed hints."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from icalendar import Calendar, Component

from rubdown.calendar import export_ics, race_uid, rest_day_uid, session_uid
from rubdown.domain.model import (
    PolicyName,
    Priority,
    Profile,
    Race,
    SessionKind,
    Workout,
    WorkoutKind,
)
from rubdown.domain.plan import Plan, PlannedSession
from rubdown.domain.regions import BodyPart, Region, Side
from rubdown.services.feeds import feed_urls

OWNER = "owner-1"
STAMP = dt.datetime(2027, 2, 1, 9, 30, tzinfo=dt.UTC)
PROFILE = Profile(name="Ana Example", timezone="Europe/Berlin", session_time=dt.time(18, 0))

DEEP = PlannedSession(
    key="deep:2027-03",
    day=dt.date(2027, 3, 10),
    kind=SessionKind.DEEP_TISSUE,
    regions=(Region(BodyPart.CALF), Region(BodyPart.PLANTAR_FASCIA, Side.LEFT)),
    price=80.0,
    reason="Calves are tight after the long-run block.",
    rules=("T2",),
    sequence=3,
)
POST = PlannedSession(
    key="post-event:boston",
    day=dt.date(2027, 4, 21),
    kind=SessionKind.POST_EVENT,
    regions=(),
    price=72.5,
    reason="Flush the legs two days after the marathon.",
    rules=("T2",),
    start_time=dt.time(7, 30),
    duration_min=45,
)
BOSTON = Race(
    "Boston Marathon", dt.date(2027, 4, 19), Priority.A, 42.195, dt.time(10, 2), id="boston"
)
REST = Workout(dt.date(2027, 4, 18), WorkoutKind.REST, id="w-rest")

# Anything a colleague looking at a work calendar must not learn from the busy feed.
PRIVATE_WORDS = (
    "massage",
    "deep",
    "tissue",
    "calf",
    "plantar",
    "fascia",
    "post-event",
    "boston",
    "marathon",
    "race",
    "rest",
    "ana example",
    "flush",
    "42.195",
    "x-rubdown",
)


def export(*, busy_only: bool, refresh: dt.timedelta | None = None) -> bytes:
    plan = Plan(
        PolicyName.STANDARD, dt.date(2027, 2, 1), dt.date(2027, 5, 31), (DEEP, POST), (), ()
    )
    return export_ics(
        plan,
        races=(BOSTON,),
        workouts=(REST,),
        profile=PROFILE,
        kb=None,
        owner_id=OWNER,
        stamp=STAMP,
        alarms=False,
        busy_only=busy_only,
        refresh=refresh,
    )


def events(data: bytes) -> dict[str, Component]:
    return {str(event["UID"]): event for event in Calendar.from_ical(data).walk("VEVENT")}


def test_busy_feed_names_nothing_about_sessions_races_or_the_runner() -> None:
    data = export(busy_only=True).decode("utf-8").lower()
    # PRODID names the product for the client's sake; it is not shown to anyone.
    shown = "\n".join(line for line in data.splitlines() if not line.startswith("prodid"))
    assert [word for word in PRIVATE_WORDS if word in shown] == []


def test_busy_events_are_private_opaque_busy_blocks_without_detail() -> None:
    found = events(export(busy_only=True))
    assert len(found) == 3  # two sessions and the race
    for event in found.values():
        assert event.errors == []
        assert str(event["SUMMARY"]) == "Busy"
        assert str(event["TRANSP"]) == "OPAQUE"
        assert str(event["CLASS"]) == "PRIVATE"
        for detail in ("DESCRIPTION", "CATEGORIES", "LOCATION", "X-RUBDOWN-PRIORITY"):
            assert detail not in event
        assert event.walk("VALARM") == []


def test_busy_feed_keeps_the_full_feeds_uids_for_sessions_and_races() -> None:
    full = events(export(busy_only=False))
    busy = events(export(busy_only=True))
    expected = {session_uid(OWNER, DEEP.key), session_uid(OWNER, POST.key), race_uid(OWNER, BOSTON)}
    assert set(busy) == expected
    assert expected < set(full)


def test_busy_feed_leaves_out_rest_days_which_make_nobody_busy() -> None:
    rest = rest_day_uid(OWNER, REST)
    assert rest in events(export(busy_only=False))
    assert rest not in events(export(busy_only=True))


def test_busy_events_keep_the_full_feeds_times_and_sequence() -> None:
    full = events(export(busy_only=False))
    busy = events(export(busy_only=True))
    for uid, event in busy.items():
        assert event["DTSTART"].dt == full[uid]["DTSTART"].dt
        assert event["DTEND"].dt == full[uid]["DTEND"].dt
        assert event.get("SEQUENCE") == full[uid].get("SEQUENCE")
    assert busy[session_uid(OWNER, DEEP.key)]["SEQUENCE"] == 3


def test_busy_sessions_stay_timed_in_the_runners_zone() -> None:
    data = export(busy_only=True)
    assert b"DTSTART;TZID=Europe/Berlin:20270421T073000\r\n" in data
    assert [str(tz["TZID"]) for tz in Calendar.from_ical(data).walk("VTIMEZONE")] == [
        "Europe/Berlin"
    ]


def test_busy_race_is_a_whole_day() -> None:
    race = events(export(busy_only=True))[race_uid(OWNER, BOSTON)]
    assert race["DTSTART"].dt == BOSTON.day
    assert race["DTEND"].dt == BOSTON.day + dt.timedelta(days=1)


def test_busy_calendar_has_a_neutral_name() -> None:
    calendar = Calendar.from_ical(export(busy_only=True))
    assert str(calendar["X-WR-CALNAME"]) == "Busy"
    assert str(calendar["NAME"]) == "Busy"


def test_refresh_hint_is_written_as_rfc_7986_and_published_ttl() -> None:
    data = export(busy_only=False, refresh=dt.timedelta(hours=1))
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in data
    assert b"X-PUBLISHED-TTL:PT1H\r\n" in data
    assert Calendar.from_ical(data).errors == []


def test_without_refresh_the_one_off_file_carries_no_polling_hint() -> None:
    data = export(busy_only=False)
    assert b"REFRESH-INTERVAL" not in data
    assert b"X-PUBLISHED-TTL" not in data


def test_a_moved_session_moves_in_the_busy_feed_under_the_same_uid() -> None:
    moved = replace(DEEP, day=dt.date(2027, 3, 17), sequence=DEEP.sequence + 1)
    plan = Plan(PolicyName.STANDARD, dt.date(2027, 2, 1), dt.date(2027, 5, 31), (moved,), (), ())
    data = export_ics(
        plan,
        races=(),
        workouts=(),
        profile=PROFILE,
        kb=None,
        owner_id=OWNER,
        stamp=STAMP,
        alarms=False,
        busy_only=True,
    )
    (event,) = events(data).values()
    assert str(event["UID"]) == session_uid(OWNER, DEEP.key)
    assert event["SEQUENCE"] == 4
    assert event["DTSTART"].dt.date() == dt.date(2027, 3, 17)


@pytest.mark.parametrize(
    "base", ["https://rubdown.example", "https://rubdown.example/", "http://127.0.0.1:8765"]
)
def test_feed_urls_put_the_secret_under_feeds_for_both_variants(base: str) -> None:
    urls = feed_urls(base, "s3cr3t")
    root = base.rstrip("/")
    assert urls == {
        "full": f"{root}/feeds/s3cr3t.ics",
        "busy": f"{root}/feeds/s3cr3t-busy.ics",
    }


def test_feed_urls_keep_a_path_prefix() -> None:
    assert feed_urls("https://example.org/rubdown/", "abc")["full"] == (
        "https://example.org/rubdown/feeds/abc.ics"
    )
