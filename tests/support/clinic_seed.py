"""A therapist's clinic seeded in a server's database, for the clinic's API and page tests: a
managed client, a service on the menu, a booking, a note on it and a waitlist entry, with a
marker string in the text kept (to search answers for), and the booking of a runner client
who shares with the therapist."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rubdown.bootstrap import TherapistClinic, clock_for, therapist_clinic
from rubdown.domain.clinic.booking_rules import ClientKind, ClientRef
from rubdown.domain.clinic.notes import NoteBody
from rubdown.domain.clinic.services_menu import Service
from rubdown.domain.model import Priority, Race, SessionKind
from rubdown.services.clinic.booking import BookingRequest, book, join_waitlist
from rubdown.services.clinic.records import add_client, add_service, write_note
from tests.support.server import People
from tests.support.web import TODAY

# Bookings fall after the pinned today's noon with the default 24 hours' notice.
SESSION_AT = dt.datetime.combine(TODAY + dt.timedelta(days=3), dt.time(10), tzinfo=dt.UTC)


@dataclass(frozen=True)
class ClinicIds:
    client: str  # "managed:ID"
    service: str
    booking: str
    note: str
    waitlist_entry: str


def opened_clinic(people: People, therapist: str) -> TherapistClinic:
    """``therapist``'s clinic over the server's database, as the web opens it."""
    return therapist_clinic(
        people.store, people.ids[therapist], clock_for(people.settings), "test setup"
    )


def seed_clinic(people: People, therapist: str, mark: str) -> ClinicIds:
    opened = opened_clinic(people, therapist)
    clinic = opened.clinic
    race = Race(f"{mark} race", TODAY + dt.timedelta(days=30), Priority.A, 42.2)
    client = add_client(clinic, f"{mark} client", races=[race])
    service = add_service(clinic, Service(SessionKind.SPORTS, 60, 70.0, 15, f"{mark} sports"))
    booking = book_session(opened, client.ref, service.id, SESSION_AT)
    note = write_note(clinic, booking, NoteBody(subjective=f"{mark} said calves are tight"))
    entry = join_waitlist(clinic, client.ref, TODAY + dt.timedelta(days=4), service.id, mark)
    return ClinicIds(str(client.ref), service.id, booking, note.id, entry.id)


def book_session(
    opened: TherapistClinic,
    client: ClientRef,
    service_id: str,
    start: dt.datetime,
    override_reason: str = "",
) -> str:
    """A booking the rules allow (no intake on file only warns), or one overridden with a
    reason; its ID."""
    request = BookingRequest(client, service_id, start)
    booking, _ = book(
        opened.clinic, request, opened.rules_for(client), override_reason=override_reason
    )
    return booking.id


def runner_ref(people: People, runner: str) -> ClientRef:
    return ClientRef(ClientKind.RUNNER, people.ids[runner])
