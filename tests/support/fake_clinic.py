"""An in-memory ``ClinicData`` (``domain.clinic.clinic_data``): one therapist's clinic, for
the clinic use cases' unit tests.

Several fakes may share one ``FakeClinicWorld`` (the rows of every therapist), so a test can
show that one therapist never reaches another's rows: an ID that is not the therapist's
answers ``NotFound``, as one that does not exist. Lists come in the store's order; IDs are
unguessable; notes have no way to be changed, as in the store.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from rubdown.domain.clinic.booking_rules import (
    Booking,
    Cancellation,
    ClientRef,
    ManagedClient,
    TherapistRules,
    WaitlistEntry,
)
from rubdown.domain.clinic.clinic_data import BOOKING_WINDOW, ClinicData, ordered
from rubdown.domain.clinic.intake import Intake
from rubdown.domain.clinic.notes import Amendment, NoteHistory, SessionNote
from rubdown.domain.clinic.services_menu import Service
from rubdown.errors import InvalidValue, NotFound
from rubdown.knowledge import load_knowledge_base
from rubdown.services.clinic.context import Clinic, load_screening


def _new_id() -> str:
    return secrets.token_hex(16)


@dataclass
class FakeClinicWorld:
    """Every therapist's rows: (therapist ID, row)."""

    clients: list[tuple[str, ManagedClient]] = field(default_factory=list)
    services: list[tuple[str, Service]] = field(default_factory=list)
    rules: dict[str, TherapistRules] = field(default_factory=dict)
    bookings: list[tuple[str, Booking]] = field(default_factory=list)
    waitlist: list[tuple[str, WaitlistEntry]] = field(default_factory=list)
    intakes: list[tuple[str, Intake]] = field(default_factory=list)
    notes: list[tuple[str, SessionNote]] = field(default_factory=list)
    amendments: list[tuple[str, Amendment]] = field(default_factory=list)
    sharing: dict[tuple[str, ClientRef], bool] = field(default_factory=dict)

    def for_therapist(self, therapist_id: str) -> FakeClinicData:
        return FakeClinicData(self, therapist_id)


class FakeClinicData:
    def __init__(self, world: FakeClinicWorld, therapist_id: str) -> None:
        self._world = world
        self._therapist = therapist_id

    @property
    def therapist_id(self) -> str:
        return self._therapist

    # -- managed clients -------------------------------------------------------------------

    def add_client(self, client: ManagedClient) -> ManagedClient:
        stored = replace(
            client, id=_new_id(), races=tuple(replace(r, id=_new_id()) for r in client.races)
        )
        self._world.clients.append((self._therapist, stored))
        return stored

    def get_client(self, client_id: str) -> ManagedClient:
        for owner, client in self._world.clients:
            if owner == self._therapist and client.id == client_id:
                return client
        raise NotFound("no such client")

    def list_clients(self) -> list[ManagedClient]:
        mine = [c for o, c in self._world.clients if o == self._therapist]
        return sorted(mine, key=lambda c: (c.name.lower(), c.id))

    def update_client(self, client: ManagedClient) -> ManagedClient:
        self.get_client(client.id)
        stored = replace(
            client, races=tuple(replace(r, id=r.id or _new_id()) for r in client.races)
        )
        self._world.clients = [
            (o, stored if o == self._therapist and c.id == client.id else c)
            for o, c in self._world.clients
        ]
        return stored

    # -- the menu and the rules ------------------------------------------------------------

    def add_service(self, service: Service) -> Service:
        stored = replace(service, id=_new_id())
        self._world.services.append((self._therapist, stored))
        return stored

    def get_service(self, service_id: str) -> Service:
        for owner, service in self._world.services:
            if owner == self._therapist and service.id == service_id:
                return service
        raise NotFound("no such service")

    def list_services(self) -> list[Service]:
        return [s for o, s in self._world.services if o == self._therapist]

    def therapist_rules(self) -> TherapistRules:
        return self._world.rules.get(self._therapist, TherapistRules())

    def save_therapist_rules(self, rules: TherapistRules) -> None:
        self._world.rules[self._therapist] = rules

    # -- bookings --------------------------------------------------------------------------

    def book(self, booking: Booking, check: Callable[[list[Booking]], None]) -> Booking:
        check(self.bookings_between(booking.start - BOOKING_WINDOW, booking.start + BOOKING_WINDOW))
        stored = replace(booking, id=_new_id())
        self._world.bookings.append((self._therapist, stored))
        return stored

    def move_booking(self, moved: Booking, check: Callable[[list[Booking]], None]) -> Booking:
        if not self.get_booking(moved.id).active:
            raise InvalidValue("that booking is already cancelled")
        near = self.bookings_between(moved.start - BOOKING_WINDOW, moved.start + BOOKING_WINDOW)
        check([b for b in near if b.id != moved.id])
        self._world.bookings = [
            (o, moved if o == self._therapist and b.id == moved.id else b)
            for o, b in self._world.bookings
        ]
        return moved

    def get_booking(self, booking_id: str) -> Booking:
        for owner, booking in self._world.bookings:
            if owner == self._therapist and booking.id == booking_id:
                return booking
        raise NotFound("no such booking")

    def bookings_between(
        self, start: dt.datetime, end: dt.datetime, *, cancelled: bool = False
    ) -> list[Booking]:
        found = [
            b
            for o, b in self._world.bookings
            if o == self._therapist and start <= b.start < end and (cancelled or b.active)
        ]
        return ordered(found)

    def bookings_of(self, client: ClientRef) -> list[Booking]:
        return ordered(
            [b for o, b in self._world.bookings if o == self._therapist and b.client == client]
        )

    def cancel_booking(self, booking_id: str, cancellation: Cancellation) -> Booking:
        booking = self.get_booking(booking_id)
        if not booking.active:
            raise InvalidValue("that booking is already cancelled")
        changed = replace(booking, cancelled=cancellation)
        self._world.bookings = [
            (o, changed if o == self._therapist and b.id == booking_id else b)
            for o, b in self._world.bookings
        ]
        return changed

    # -- the waitlist ----------------------------------------------------------------------

    def add_to_waitlist(self, entry: WaitlistEntry) -> WaitlistEntry:
        stored = replace(entry, id=_new_id())
        self._world.waitlist.append((self._therapist, stored))
        return stored

    def waitlist_on(self, day: dt.date) -> list[WaitlistEntry]:
        found = [e for o, e in self._world.waitlist if o == self._therapist and e.day == day]
        return sorted(found, key=lambda e: e.added_at)

    def remove_from_waitlist(self, entry_id: str) -> None:
        before = len(self._world.waitlist)
        self._world.waitlist = [
            (o, e)
            for o, e in self._world.waitlist
            if not (o == self._therapist and e.id == entry_id)
        ]
        if len(self._world.waitlist) == before:
            raise NotFound("no such waitlist entry")

    # -- intake ----------------------------------------------------------------------------

    def add_intake(self, intake: Intake) -> Intake:
        stored = replace(intake, id=_new_id())
        self._world.intakes.append((self._therapist, stored))
        return stored

    def latest_intake(self, client: ClientRef) -> Intake | None:
        mine = [i for o, i in self._world.intakes if o == self._therapist and i.client == client]
        return max(mine, key=lambda i: i.signed_at) if mine else None

    # -- notes -----------------------------------------------------------------------------

    def add_note(self, note: SessionNote) -> SessionNote:
        self.get_booking(note.booking_id)
        stored = replace(note, id=_new_id())
        self._world.notes.append((self._therapist, stored))
        return stored

    def add_amendment(self, amendment: Amendment) -> Amendment:
        self.note_history(amendment.note_id)
        stored = replace(amendment, id=_new_id())
        self._world.amendments.append((self._therapist, stored))
        return stored

    def note_history(self, note_id: str) -> NoteHistory:
        for owner, note in self._world.notes:
            if owner == self._therapist and note.id == note_id:
                amendments = [
                    a
                    for o, a in self._world.amendments
                    if o == self._therapist and a.note_id == note_id
                ]
                return NoteHistory(note, tuple(sorted(amendments, key=lambda a: a.written_at)))
        raise NotFound("no such note")

    def notes_of(self, booking_id: str) -> list[NoteHistory]:
        return [
            self.note_history(n.id)
            for o, n in self._world.notes
            if o == self._therapist and n.booking_id == booking_id
        ]

    def notes_of_client(self, client: ClientRef) -> list[NoteHistory]:
        return [
            self.note_history(n.id)
            for o, n in self._world.notes
            if o == self._therapist and n.client == client
        ]

    def notes_shared(self, client: ClientRef) -> bool:
        return self._world.sharing.get((self._therapist, client), False)

    def set_notes_shared(self, client: ClientRef, allowed: bool) -> None:
        self._world.sharing[(self._therapist, client)] = allowed


def _conforms(data: FakeClinicData) -> ClinicData:
    return data  # mypy checks the fake against the port here


def fake_clinic(
    clock: Callable[[], dt.datetime],
    therapist_id: str = "therapist-1",
    world: FakeClinicWorld | None = None,
) -> tuple[Clinic, FakeClinicWorld]:
    """A ``Clinic`` over a fake (and the world it lives in), with the bundled knowledge base
    and intake screen."""
    world = world or FakeClinicWorld()
    clinic = Clinic(
        world.for_therapist(therapist_id), load_knowledge_base(), load_screening(), clock
    )
    return clinic, world
