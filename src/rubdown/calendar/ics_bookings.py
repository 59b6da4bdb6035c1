"""Sessions booked in a therapist's clinic, as calendar events: on the runner's own calendar
(``export_ics(bookings=...)``) and on the therapist's feeds (``therapist_calendar``).

A booking is a timed event at the moment it was booked for, written in UTC (``...Z``): the
moment is fixed by the clinic, whatever zone either calendar shows it in, and UTC needs no
VTIMEZONE. Its UID names the booking, so the runner's and the therapist's copies never clash
with a planned session's. A cancelled booking in a one-off file is ``STATUS:CANCELLED`` with
a higher SEQUENCE (RFC 5546's way to tell a calendar that already has it); a feed just leaves
it out, as it does every session no longer planned.

The therapist's busy view is "Busy" blocks and nothing else: no client, kind, service or
price, so it can be shared with anyone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from icalendar import Calendar, Event, vDuration

from rubdown.calendar.conventions import MASSAGE_CATEGORY, PRODID, session_uid
from rubdown.domain.booked import BookedSession
from rubdown.domain.clinic.feeds import FeedBooking

_DASH = "–"
BUSY = "Busy"
# A cancellation is a change of the event: one SEQUENCE on from the booking's.
CANCELLED_SEQUENCE = 1


def booking_uid(booking_id: str) -> str:
    """The same UID wherever the booking shows (the runner's and the therapist's calendars);
    hashed like every rubdown UID, so it does not carry the booking's ID, and recognised as
    rubdown's own by a calendar import."""
    return session_uid("clinic", f"booking:{booking_id}")


def runner_booking_event(booking: BookedSession) -> Event:
    """The booking on the runner's calendar: the kind, the length and who booked it."""
    event = _timed(booking.id, booking.start_at, booking.length_min, booking.cancelled)
    event.add("summary", f"{booking.kind.label} with {booking.therapist}")
    event.add("categories", [str(booking.kind), MASSAGE_CATEGORY])
    event.add(
        "description",
        f"Booked by {booking.therapist}: {booking.kind.label}, {booking.length_min} min,"
        f" {booking.price:g}. Only {booking.therapist} can move or cancel it.",
    )
    return event


def runner_busy_booking_event(booking: BookedSession) -> Event:
    event = _timed(booking.id, booking.start_at, booking.length_min, booking.cancelled)
    _busy(event)
    return event


def therapist_calendar(
    bookings: Sequence[FeedBooking],
    *,
    busy_only: bool,
    stamp: dt.datetime,
    refresh: dt.timedelta,
) -> bytes:
    """The therapist's bookings (cancelled ones left out by the caller) as a feed."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    name = BUSY if busy_only else f"rubdown {_DASH} bookings"
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    calendar.add("refresh-interval", vDuration(refresh), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(refresh))
    stamp_utc = stamp.astimezone(dt.UTC)
    for booking in sorted(bookings, key=lambda b: (b.start_at, b.id)):
        event = _timed(booking.id, booking.start_at, booking.length_min, cancelled=False)
        if busy_only:
            _busy(event)  # the time only: nothing of the client or the service
        else:
            event.add(
                "summary",
                f"{booking.client_name} {_DASH} {booking.service_name or booking.kind.label}",
            )
            event.add(
                "description",
                f"{booking.client_name}: {booking.service_name} ({booking.kind.label}),"
                f" {booking.length_min} min.",
            )
            event.add("categories", [MASSAGE_CATEGORY])
        event.add("dtstamp", stamp_utc)
        calendar.add_component(event)
    data: bytes = calendar.to_ical()
    return data


def _timed(booking_id: str, start: dt.datetime, length_min: int, cancelled: bool) -> Event:
    start_utc = start.astimezone(dt.UTC)
    event = Event()
    event.add("uid", booking_uid(booking_id))
    event.add("sequence", CANCELLED_SEQUENCE if cancelled else 0)
    event.add("dtstart", start_utc)
    event.add("dtend", start_utc + dt.timedelta(minutes=length_min))
    if cancelled:
        event.add("status", "CANCELLED")
    return event


def _busy(event: Event) -> None:
    event.add("summary", BUSY)
    event.add("transp", "OPAQUE")  # shows as busy in free/busy lookups
    event.add("class", "PRIVATE")  # and clients that share the calendar hide even "Busy"
