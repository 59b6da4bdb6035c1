"""The nearest allowed slots either side of a refused one are the ones a search of every
quarter hour against every booking finds: narrowing each day's check to the bookings of its
week (and a day either side) must change no answer."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from rubdown.domain.availability import OpeningWindow, WeeklyHours
from rubdown.domain.clinic.booking_rules import (
    SLOT_SEARCH_DAYS,
    Booking,
    Cancellation,
    ClientKind,
    ClientRef,
    TherapistRules,
    candidate_starts,
    nearest_slots,
    therapist_refusals,
)
from rubdown.domain.model import SessionKind

TZ = ZoneInfo("Europe/London")  # a clock change falls inside the days drawn
NOW = dt.datetime(2027, 3, 15, 8, 0, tzinfo=TZ)
CLIENT = ClientRef(ClientKind.MANAGED, "c1")


def _every_quarter_hour(
    rules: TherapistRules,
    start: dt.datetime,
    length_min: int,
    buffer_min: int,
    others: list[Booking],
    allowed: set[dt.date],
) -> tuple[dt.datetime | None, dt.datetime | None]:
    """The plain search: every candidate of every day, checked against every booking."""

    def fits(c: dt.datetime) -> bool:
        return not therapist_refusals(rules, TZ, c, length_min, buffer_min, others, NOW)

    first = start.astimezone(TZ).date()
    earlier = later = None
    for back in range(SLOT_SEARCH_DAYS + 1):
        day = first - dt.timedelta(days=back)
        if day < NOW.date():
            break
        found = [c for c in candidate_starts(rules, TZ, day, length_min) if NOW < c < start]
        found = [c for c in found if fits(c)]
        if found and day in allowed:
            earlier = found[-1]
            break
    for ahead in range(SLOT_SEARCH_DAYS + 1):
        day = first + dt.timedelta(days=ahead)
        found = [c for c in candidate_starts(rules, TZ, day, length_min) if c > start]
        found = [c for c in found if fits(c)]
        if found and day in allowed:
            later = found[0]
            break
    return earlier, later


@st.composite
def calendars(draw: st.DrawFn) -> tuple[TherapistRules, list[Booking], dt.datetime, set[dt.date]]:
    windows = [
        OpeningWindow(weekday, 9 * 60, draw(st.sampled_from([12 * 60, 17 * 60])))
        for weekday in sorted(draw(st.sets(st.integers(0, 6), min_size=1, max_size=7)))
    ]
    rules = TherapistRules(
        hours=WeeklyHours(tuple(windows)),
        timezone="Europe/London",
        min_notice_h=draw(st.sampled_from([0, 24])),
        max_hands_on_h_per_day=draw(st.sampled_from([2.0, 6.0])),
        max_sessions_per_week=draw(st.sampled_from([None, 3, 8])),
        buffer_min=draw(st.sampled_from([0, 15, 30])),
    )
    bookings = []
    for n in range(draw(st.integers(0, 25))):
        day = NOW.date() + dt.timedelta(days=draw(st.integers(0, 27)))
        minute = draw(st.integers(8 * 4, 17 * 4)) * 15
        start = dt.datetime.combine(day, dt.time(minute // 60, minute % 60), tzinfo=TZ)
        cancelled = Cancellation("moved", "t", NOW) if draw(st.booleans()) and n % 3 == 0 else None
        bookings.append(
            Booking(
                CLIENT,
                "s",
                SessionKind.SPORTS,
                start,
                draw(st.sampled_from([30, 60, 90])),
                draw(st.sampled_from([0, 15])),
                50.0,
                cancelled=cancelled,
                id=f"b{n}",
            )
        )
    start_day = NOW.date() + dt.timedelta(days=draw(st.integers(0, 27)))
    start = dt.datetime.combine(start_day, dt.time(draw(st.integers(7, 18))), tzinfo=TZ)
    allowed = {
        NOW.date() + dt.timedelta(days=d)
        for d in draw(st.sets(st.integers(0, 60), min_size=0, max_size=40))
    }
    return rules, bookings, start, allowed


@settings(max_examples=150, deadline=None)
@given(calendars(), st.sampled_from([30, 60]), st.sampled_from([0, 15]))
def test_the_nearest_slots_are_those_a_search_of_every_booking_finds(
    calendar: tuple[TherapistRules, list[Booking], dt.datetime, set[dt.date]],
    length_min: int,
    buffer_min: int,
) -> None:
    rules, bookings, start, allowed = calendar
    found = nearest_slots(
        rules, TZ, start, length_min, buffer_min, bookings, NOW, lambda day: day in allowed
    )
    assert found == _every_quarter_hour(rules, start, length_min, buffer_min, bookings, allowed)
