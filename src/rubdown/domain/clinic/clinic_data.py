"""The port a therapist's workspace use cases need: one therapist's clinic data.

``ClinicData`` is bound to one therapist (their account's user ID) when it is made, as
``RunnerData`` is to a runner: every read and write is that therapist's only, and an ID
that is another therapist's answers ``NotFound``, exactly as one that does not exist. The
store implements it on SQLite and PostgreSQL (``store.clinic_rows``); the tests have an
in-memory one (``tests/support/fake_clinic.py``).

Notes are append-only here too: there is a way to add a note and to add an amendment to it,
and none to change or remove either.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Protocol

from rubdown.domain.clinic.booking_rules import (
    Booking,
    Cancellation,
    ClientRef,
    ManagedClient,
    TherapistRules,
    WaitlistEntry,
)
from rubdown.domain.clinic.intake import Intake
from rubdown.domain.clinic.notes import Amendment, NoteHistory, SessionNote
from rubdown.domain.clinic.services_menu import Service

# A booking is checked against the therapist's other bookings this far either side of its
# start (the same day's buffers and hands-on hours, and the whole ISO week's count).
BOOKING_WINDOW = dt.timedelta(days=8)


class ClinicData(Protocol):
    @property
    def therapist_id(self) -> str: ...

    # -- managed clients -----------------------------------------------------------------------

    def add_client(self, client: ManagedClient) -> ManagedClient: ...

    def get_client(self, client_id: str) -> ManagedClient: ...

    def list_clients(self) -> list[ManagedClient]:
        """By name."""
        ...

    def update_client(self, client: ManagedClient) -> ManagedClient:
        """Name, policy, conditions and races replaced by ``client``'s."""
        ...

    # -- the menu and the rules ----------------------------------------------------------------

    def add_service(self, service: Service) -> Service: ...

    def get_service(self, service_id: str) -> Service: ...

    def list_services(self) -> list[Service]: ...

    def therapist_rules(self) -> TherapistRules:
        """The saved rules, or the defaults before any are saved."""
        ...

    def save_therapist_rules(self, rules: TherapistRules) -> None: ...

    # -- bookings ------------------------------------------------------------------------------

    def book(self, booking: Booking, check: Callable[[list[Booking]], None]) -> Booking:
        """Store ``booking`` once ``check`` has seen the therapist's active bookings within
        ``BOOKING_WINDOW`` of its start and not raised, both in one transaction that holds
        the therapist: two bookings at once cannot both take the same slot."""
        ...

    def move_booking(self, moved: Booking, check: Callable[[list[Booking]], None]) -> Booking:
        """Give the active booking ``moved.id`` the start, length, buffer and override of
        ``moved`` once ``check`` has seen the therapist's other active bookings within
        ``BOOKING_WINDOW`` of the new start and not raised, in one transaction that holds the
        therapist as ``book`` does: when ``check`` raises, the booking is left as it was."""
        ...

    def get_booking(self, booking_id: str) -> Booking: ...

    def bookings_between(
        self, start: dt.datetime, end: dt.datetime, *, cancelled: bool = False
    ) -> list[Booking]:
        """Bookings starting in [start, end), by start; cancelled ones only when asked."""
        ...

    def bookings_of(self, client: ClientRef) -> list[Booking]:
        """Every booking of the client, cancelled ones too, by start."""
        ...

    def cancel_booking(self, booking_id: str, cancellation: Cancellation) -> Booking:
        """Mark an active booking cancelled; ``InvalidValue`` if it already is."""
        ...

    # -- the waitlist --------------------------------------------------------------------------

    def add_to_waitlist(self, entry: WaitlistEntry) -> WaitlistEntry: ...

    def waitlist_on(self, day: dt.date) -> list[WaitlistEntry]:
        """The day's entries in the order they were added."""
        ...

    def remove_from_waitlist(self, entry_id: str) -> None: ...

    # -- intake --------------------------------------------------------------------------------

    def add_intake(self, intake: Intake) -> Intake: ...

    def latest_intake(self, client: ClientRef) -> Intake | None:
        """The client's most recently signed intake, whether or not still valid."""
        ...

    # -- session notes (append-only) -----------------------------------------------------------

    def add_note(self, note: SessionNote) -> SessionNote: ...

    def add_amendment(self, amendment: Amendment) -> Amendment: ...

    def note_history(self, note_id: str) -> NoteHistory: ...

    def notes_of(self, booking_id: str) -> list[NoteHistory]: ...

    def notes_of_client(self, client: ClientRef) -> list[NoteHistory]: ...

    def notes_shared(self, client: ClientRef) -> bool:
        """Whether the client lets the therapist share their notes with them (default no)."""
        ...

    def set_notes_shared(self, client: ClientRef, allowed: bool) -> None: ...


def ordered(bookings: Sequence[Booking]) -> list[Booking]:
    return sorted(bookings, key=lambda b: (b.start, b.id))
