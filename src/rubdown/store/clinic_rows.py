"""A therapist's clinic in the store: ``domain.clinic.clinic_data.ClinicData`` on SQLite and
PostgreSQL.

Bound to one therapist (an account's user ID): every query filters on ``therapist_id``, so
another therapist's client, booking or note answers ``NotFound`` as one that does not exist.
Beside the runners' data rather than in it: nothing here moves a runner's data version.

Notes and amendments are only ever inserted; the database refuses an UPDATE of either
(migration 13's triggers), so not even a hand-written statement changes one silently.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from rubdown.domain.availability import parse_hours
from rubdown.domain.clinic.booking_rules import (
    Booking,
    Cancellation,
    ClientKind,
    ClientRef,
    ManagedClient,
    Override,
    TherapistRules,
    WaitlistEntry,
)
from rubdown.domain.clinic.clinic_data import BOOKING_WINDOW
from rubdown.domain.clinic.intake import Answer, Intake
from rubdown.domain.clinic.notes import (
    Amendment,
    NoteBody,
    NoteHistory,
    SessionNote,
    note_body_document,
    note_body_from_document,
)
from rubdown.domain.clinic.services_menu import Service
from rubdown.domain.model import Condition, PolicyName, Priority, Race, SessionKind
from rubdown.domain.regions import parse_region
from rubdown.errors import InvalidValue, NotFound
from rubdown.store import schema as tables
from rubdown.store.transactions import writing

if TYPE_CHECKING:
    from rubdown.store.store import Store

_clients = tables.clinic_clients
_races = tables.clinic_client_races
_services = tables.clinic_services
_rules = tables.clinic_rules
_bookings = tables.clinic_bookings
_waitlist = tables.clinic_waitlist
_intakes = tables.clinic_intakes
_answers = tables.clinic_intake_answers
_notes = tables.clinic_notes
_amendments = tables.clinic_note_amendments
_sharing = tables.clinic_note_sharing


def new_clinic_id() -> str:
    """128 random bits: clinic IDs are in URLs and must not be guessable from one another."""
    return secrets.token_hex(16)


class StoredClinicData:
    """One therapist's clinic in ``store``'s database; made by ``clinic_for``."""

    def __init__(self, store: Store, therapist_id: str) -> None:
        self._store = store
        self._therapist = therapist_id

    @property
    def therapist_id(self) -> str:
        return self._therapist

    # -- managed clients -------------------------------------------------------------------

    def add_client(self, client: ManagedClient) -> ManagedClient:
        stored = replace(client, id=new_clinic_id())
        with self._writing("the client") as connection:
            connection.execute(
                _clients.insert(),
                {
                    "id": stored.id,
                    "therapist_id": self._therapist,
                    "name": stored.name,
                    "policy": str(stored.policy),
                    "conditions": sorted(str(c) for c in stored.conditions),
                    "created_at": self._clock(),
                },
            )
            stored = replace(stored, races=self._insert_races(connection, stored))
        return stored

    def _insert_races(self, connection: Connection, client: ManagedClient) -> tuple[Race, ...]:
        races = tuple(replace(r, id=new_clinic_id()) for r in client.races)
        if races:
            connection.execute(
                _races.insert(),
                [
                    {
                        "id": race.id,
                        "therapist_id": self._therapist,
                        "client_id": client.id,
                        "name": race.name,
                        "day": race.day,
                        "priority": str(race.priority),
                        "distance_km": race.distance_km,
                    }
                    for race in races
                ],
            )
        return races

    def get_client(self, client_id: str) -> ManagedClient:
        found = self._client_rows(_clients.c.id == client_id)
        if not found:
            raise NotFound("no such client")
        return found[0]

    def list_clients(self) -> list[ManagedClient]:
        return sorted(self._client_rows(), key=lambda c: (c.name.lower(), c.id))

    def _client_rows(self, *where: Any) -> list[ManagedClient]:
        mine = _clients.c.therapist_id == self._therapist
        with self._reading("the clients") as connection:
            rows = connection.execute(sa.select(_clients).where(mine, *where)).mappings().all()
            ids = [row["id"] for row in rows]
            race_rows = (
                connection.execute(
                    sa.select(_races)
                    .where(_races.c.therapist_id == self._therapist, _races.c.client_id.in_(ids))
                    .order_by(_races.c.day, _races.c.name, _races.c.id)
                )
                .mappings()
                .all()
                if ids
                else []
            )
        races: dict[str, list[Race]] = {}
        for row in race_rows:
            races.setdefault(row["client_id"], []).append(
                Race(
                    row["name"],
                    row["day"],
                    Priority(row["priority"]),
                    row["distance_km"],
                    id=row["id"],
                )
            )
        return [
            ManagedClient(
                name=row["name"],
                races=tuple(races.get(row["id"], ())),
                conditions=frozenset(Condition(c) for c in row["conditions"]),
                policy=PolicyName(row["policy"]),
                id=row["id"],
            )
            for row in rows
        ]

    def update_client(self, client: ManagedClient) -> ManagedClient:
        mine = sa.and_(_clients.c.id == client.id, _clients.c.therapist_id == self._therapist)
        with self._writing("the client") as connection:
            changed = connection.execute(
                _clients.update()
                .where(mine)
                .values(
                    name=client.name,
                    policy=str(client.policy),
                    conditions=sorted(str(c) for c in client.conditions),
                )
            )
            if changed.rowcount == 0:
                raise NotFound("no such client")
            connection.execute(
                _races.delete().where(
                    _races.c.client_id == client.id, _races.c.therapist_id == self._therapist
                )
            )
            races = self._insert_races(connection, client)
        return replace(client, races=races)

    # -- the menu and the rules ------------------------------------------------------------

    def add_service(self, service: Service) -> Service:
        stored = replace(service, id=new_clinic_id())
        with self._writing("the service") as connection:
            connection.execute(
                _services.insert(),
                {
                    "id": stored.id,
                    "therapist_id": self._therapist,
                    "kind": str(stored.kind),
                    "name": stored.name,
                    "length_min": stored.length_min,
                    "price": stored.price,
                    "buffer_min": stored.buffer_min,
                    "created_at": self._clock(),
                },
            )
        return stored

    def get_service(self, service_id: str) -> Service:
        found = self._service_rows(_services.c.id == service_id)
        if not found:
            raise NotFound("no such service")
        return found[0]

    def list_services(self) -> list[Service]:
        return self._service_rows()

    def _service_rows(self, *where: Any) -> list[Service]:
        query = (
            sa.select(_services)
            .where(_services.c.therapist_id == self._therapist, *where)
            .order_by(_services.c.created_at, _services.c.id)
        )
        with self._reading("the services") as connection:
            rows = connection.execute(query).mappings().all()
        return [
            Service(
                SessionKind(row["kind"]),
                row["length_min"],
                row["price"],
                row["buffer_min"],
                row["name"],
                row["id"],
            )
            for row in rows
        ]

    def therapist_rules(self) -> TherapistRules:
        query = sa.select(_rules).where(_rules.c.therapist_id == self._therapist)
        with self._reading("the booking rules") as connection:
            row = connection.execute(query).mappings().first()
        if row is None:
            return TherapistRules()
        return TherapistRules(
            hours=parse_hours(", ".join(row["hours"]) or "none"),
            days_off=frozenset(dt.date.fromisoformat(d) for d in row["days_off"]),
            timezone=row["timezone"],
            min_notice_h=row["min_notice_h"],
            max_hands_on_h_per_day=row["max_hands_on_h_per_day"],
            max_sessions_per_week=row["max_sessions_per_week"],
            buffer_min=row["buffer_min"],
        )

    def save_therapist_rules(self, rules: TherapistRules) -> None:
        values = {
            "timezone": rules.timezone,
            "hours": [w.label for w in rules.hours.windows],
            "days_off": sorted(d.isoformat() for d in rules.days_off),
            "min_notice_h": rules.min_notice_h,
            "max_hands_on_h_per_day": rules.max_hands_on_h_per_day,
            "max_sessions_per_week": rules.max_sessions_per_week,
            "buffer_min": rules.buffer_min,
            "updated_at": self._clock(),
        }
        with self._writing("the booking rules") as connection:
            statement = self._store._insert(connection, _rules).on_conflict_do_update(
                index_elements=[_rules.c.therapist_id], set_=values
            )
            connection.execute(statement, {"therapist_id": self._therapist, **values})

    # -- bookings --------------------------------------------------------------------------

    def book(self, booking: Booking, check: Callable[[list[Booking]], None]) -> Booking:
        stored = replace(booking, id=new_clinic_id())
        with self._writing("the booking") as connection:
            if connection.dialect.name == "postgresql":
                # One booking at a time per therapist: the second waits, then sees the first.
                # (SQLite's write transaction already excludes every other writer.)
                connection.execute(
                    sa.select(tables.users.c.id)
                    .where(tables.users.c.id == self._therapist)
                    .with_for_update()
                )
            current = self._booking_rows(
                connection,
                _bookings.c.start_at >= booking.start - BOOKING_WINDOW,
                _bookings.c.start_at < booking.start + BOOKING_WINDOW,
                _bookings.c.cancelled_at.is_(None),
            )
            check(current)
            connection.execute(_bookings.insert(), self._booking_row(stored))
        return stored

    def move_booking(self, moved: Booking, check: Callable[[list[Booking]], None]) -> Booking:
        with self._writing("the move") as connection:
            self._hold_therapist(connection)
            found = self._booking_rows(connection, _bookings.c.id == moved.id)
            if not found:
                raise NotFound("no such booking")
            if not found[0].active:
                raise InvalidValue("that booking is already cancelled")
            current = self._booking_rows(
                connection,
                _bookings.c.start_at >= moved.start - BOOKING_WINDOW,
                _bookings.c.start_at < moved.start + BOOKING_WINDOW,
                _bookings.c.cancelled_at.is_(None),
                _bookings.c.id != moved.id,
            )
            check(current)  # raising here rolls the transaction back: the booking stays put
            row = self._booking_row(moved)
            changes = {
                key: row[key]
                for key in (
                    "start_at",
                    "length_min",
                    "buffer_min",
                    "override_reason",
                    "overridden_by",
                    "overridden_at",
                    "override_refused",
                )
            }
            connection.execute(
                _bookings.update()
                .where(_bookings.c.id == moved.id, _bookings.c.therapist_id == self._therapist)
                .values(**changes)
            )
            return self._booking_rows(connection, _bookings.c.id == moved.id)[0]

    def _hold_therapist(self, connection: Connection) -> None:
        """One booking change at a time per therapist: the second waits, then sees the first.
        (SQLite's write transaction already excludes every other writer.)"""
        if connection.dialect.name == "postgresql":
            connection.execute(
                sa.select(tables.users.c.id)
                .where(tables.users.c.id == self._therapist)
                .with_for_update()
            )

    def _booking_row(self, booking: Booking) -> dict[str, Any]:
        override = booking.override
        return {
            "id": booking.id,
            "therapist_id": self._therapist,
            "client_kind": str(booking.client.kind),
            "client_id": booking.client.id,
            "service_id": booking.service_id,
            "kind": str(booking.kind),
            "start_at": booking.start,
            "length_min": booking.length_min,
            "buffer_min": booking.buffer_min,
            "price": booking.price,
            "regions": [str(r) for r in booking.regions],
            "booked_by": booking.booked_by,
            "booked_at": booking.booked_at or self._clock(),
            "override_reason": override.reason if override else None,
            "overridden_by": override.by if override else None,
            "overridden_at": override.at if override else None,
            "override_refused": list(override.refused) if override else None,
            "cancel_reason": None,
            "cancelled_by": None,
            "cancelled_at": None,
        }

    def get_booking(self, booking_id: str) -> Booking:
        with self._reading("the booking") as connection:
            found = self._booking_rows(connection, _bookings.c.id == booking_id)
        if not found:
            raise NotFound("no such booking")
        return found[0]

    def bookings_between(
        self, start: dt.datetime, end: dt.datetime, *, cancelled: bool = False
    ) -> list[Booking]:
        where = [_bookings.c.start_at >= start, _bookings.c.start_at < end]
        if not cancelled:
            where.append(_bookings.c.cancelled_at.is_(None))
        with self._reading("the bookings") as connection:
            return self._booking_rows(connection, *where)

    def bookings_of(self, client: ClientRef) -> list[Booking]:
        with self._reading("the bookings") as connection:
            return self._booking_rows(connection, *_client_is(_bookings, client))

    def _booking_rows(self, connection: Connection, *where: Any) -> list[Booking]:
        query = (
            sa.select(_bookings)
            .where(_bookings.c.therapist_id == self._therapist, *where)
            .order_by(_bookings.c.start_at, _bookings.c.id)
        )
        return [_booking(row) for row in connection.execute(query).mappings().all()]

    def cancel_booking(self, booking_id: str, cancellation: Cancellation) -> Booking:
        mine = sa.and_(_bookings.c.id == booking_id, _bookings.c.therapist_id == self._therapist)
        with self._writing("the cancellation") as connection:
            changed = connection.execute(
                _bookings.update()
                .where(mine, _bookings.c.cancelled_at.is_(None))
                .values(
                    cancel_reason=cancellation.reason,
                    cancelled_by=cancellation.by,
                    cancelled_at=cancellation.at,
                )
            )
            if changed.rowcount == 0:
                found = self._booking_rows(connection, _bookings.c.id == booking_id)
                if not found:
                    raise NotFound("no such booking")
                raise InvalidValue("that booking is already cancelled")
            return self._booking_rows(connection, _bookings.c.id == booking_id)[0]

    # -- the waitlist ----------------------------------------------------------------------

    def add_to_waitlist(self, entry: WaitlistEntry) -> WaitlistEntry:
        stored = replace(entry, id=new_clinic_id())
        with self._writing("the waitlist") as connection:
            connection.execute(
                _waitlist.insert(),
                {
                    "id": stored.id,
                    "therapist_id": self._therapist,
                    "client_kind": str(stored.client.kind),
                    "client_id": stored.client.id,
                    "day": stored.day,
                    "service_id": stored.service_id,
                    "note": stored.note,
                    "added_at": stored.added_at,
                },
            )
        return stored

    def waitlist_on(self, day: dt.date) -> list[WaitlistEntry]:
        query = (
            sa.select(_waitlist)
            .where(_waitlist.c.therapist_id == self._therapist, _waitlist.c.day == day)
            .order_by(_waitlist.c.added_at, _waitlist.c.id)
        )
        with self._reading("the waitlist") as connection:
            rows = connection.execute(query).mappings().all()
        return [
            WaitlistEntry(
                _client(row), row["day"], row["service_id"], row["added_at"], row["note"], row["id"]
            )
            for row in rows
        ]

    def remove_from_waitlist(self, entry_id: str) -> None:
        mine = sa.and_(_waitlist.c.id == entry_id, _waitlist.c.therapist_id == self._therapist)
        with self._writing("the waitlist") as connection:
            if connection.execute(_waitlist.delete().where(mine)).rowcount == 0:
                raise NotFound("no such waitlist entry")

    # -- intake ----------------------------------------------------------------------------

    def add_intake(self, intake: Intake) -> Intake:
        stored = replace(intake, id=new_clinic_id())
        with self._writing("the intake") as connection:
            connection.execute(
                _intakes.insert(),
                {
                    "id": stored.id,
                    "therapist_id": self._therapist,
                    "client_kind": str(stored.client.kind),
                    "client_id": stored.client.id,
                    "signed_name": stored.signed_name,
                    "signed_at": stored.signed_at,
                    "consent": stored.consent,
                    "health_history": stored.health_history,
                },
            )
            if stored.answers:
                connection.execute(
                    _answers.insert(),
                    [
                        {
                            "intake_id": stored.id,
                            "question_id": a.question_id,
                            "therapist_id": self._therapist,
                            "yes": a.yes,
                            "regions": [str(r) for r in a.regions],
                            "detail": a.detail,
                        }
                        for a in stored.answers
                    ],
                )
        return stored

    def latest_intake(self, client: ClientRef) -> Intake | None:
        query = (
            sa.select(_intakes)
            .where(_intakes.c.therapist_id == self._therapist, *_client_is(_intakes, client))
            .order_by(_intakes.c.signed_at.desc(), _intakes.c.id)
            .limit(1)
        )
        with self._reading("the intake") as connection:
            row = connection.execute(query).mappings().first()
            if row is None:
                return None
            answer_rows = (
                connection.execute(
                    sa.select(_answers).where(
                        _answers.c.intake_id == row["id"],
                        _answers.c.therapist_id == self._therapist,
                    )
                )
                .mappings()
                .all()
            )
        answers = sorted(
            (
                Answer(
                    a["question_id"],
                    a["yes"],
                    tuple(parse_region(r) for r in a["regions"]),
                    a["detail"],
                )
                for a in answer_rows
            ),
            key=lambda a: _question_order(a.question_id),
        )
        return Intake(
            client,
            tuple(answers),
            row["signed_name"],
            row["signed_at"],
            row["consent"],
            row["health_history"],
            row["id"],
        )

    # -- notes -----------------------------------------------------------------------------

    def add_note(self, note: SessionNote) -> SessionNote:
        stored = replace(note, id=new_clinic_id())
        with self._writing("the note") as connection:
            mine = connection.execute(
                sa.select(_bookings.c.id).where(
                    _bookings.c.id == note.booking_id,
                    _bookings.c.therapist_id == self._therapist,
                )
            ).first()
            if mine is None:
                raise NotFound("no such booking")
            connection.execute(
                _notes.insert(),
                {
                    "id": stored.id,
                    "therapist_id": self._therapist,
                    "booking_id": stored.booking_id,
                    "client_kind": str(stored.client.kind),
                    "client_id": stored.client.id,
                    "author_id": stored.author_id,
                    "written_at": stored.written_at,
                    "body": _body_json(stored.body),
                },
            )
        return stored

    def add_amendment(self, amendment: Amendment) -> Amendment:
        stored = replace(amendment, id=new_clinic_id())
        with self._writing("the amendment") as connection:
            mine = connection.execute(
                sa.select(_notes.c.id).where(
                    _notes.c.id == amendment.note_id, _notes.c.therapist_id == self._therapist
                )
            ).first()
            if mine is None:
                raise NotFound("no such note")
            connection.execute(
                _amendments.insert(),
                {
                    "id": stored.id,
                    "therapist_id": self._therapist,
                    "note_id": stored.note_id,
                    "author_id": stored.author_id,
                    "written_at": stored.written_at,
                    "reason": stored.reason,
                    "body": _body_json(stored.body),
                },
            )
        return stored

    def note_history(self, note_id: str) -> NoteHistory:
        found = self._histories(_notes.c.id == note_id)
        if not found:
            raise NotFound("no such note")
        return found[0]

    def notes_of(self, booking_id: str) -> list[NoteHistory]:
        return self._histories(_notes.c.booking_id == booking_id)

    def notes_of_client(self, client: ClientRef) -> list[NoteHistory]:
        return self._histories(*_client_is(_notes, client))

    def _histories(self, *where: Any) -> list[NoteHistory]:
        query = (
            sa.select(_notes)
            .where(_notes.c.therapist_id == self._therapist, *where)
            .order_by(_notes.c.written_at, _notes.c.id)
        )
        with self._reading("the notes") as connection:
            rows = connection.execute(query).mappings().all()
            ids = [row["id"] for row in rows]
            amendment_rows = (
                connection.execute(
                    sa.select(_amendments)
                    .where(
                        _amendments.c.therapist_id == self._therapist,
                        _amendments.c.note_id.in_(ids),
                    )
                    .order_by(_amendments.c.written_at, _amendments.c.id)
                )
                .mappings()
                .all()
                if ids
                else []
            )
        amendments: dict[str, list[Amendment]] = {}
        for a in amendment_rows:
            amendments.setdefault(a["note_id"], []).append(
                Amendment(
                    a["note_id"],
                    a["author_id"],
                    a["written_at"],
                    a["reason"],
                    _body(a["body"]),
                    a["id"],
                )
            )
        return [
            NoteHistory(
                SessionNote(
                    row["booking_id"],
                    _client(row),
                    row["author_id"],
                    row["written_at"],
                    _body(row["body"]),
                    row["id"],
                ),
                tuple(amendments.get(row["id"], ())),
            )
            for row in rows
        ]

    def notes_shared(self, client: ClientRef) -> bool:
        query = sa.select(_sharing.c.allowed).where(
            _sharing.c.therapist_id == self._therapist, *_client_is(_sharing, client)
        )
        with self._reading("the note sharing") as connection:
            allowed = connection.execute(query).scalar_one_or_none()
        return bool(allowed)

    def set_notes_shared(self, client: ClientRef, allowed: bool) -> None:
        values = {"allowed": allowed, "changed_at": self._clock()}
        with self._writing("the note sharing") as connection:
            statement = self._store._insert(connection, _sharing).on_conflict_do_update(
                index_elements=[
                    _sharing.c.therapist_id,
                    _sharing.c.client_kind,
                    _sharing.c.client_id,
                ],
                set_=values,
            )
            connection.execute(
                statement,
                {
                    "therapist_id": self._therapist,
                    "client_kind": str(client.kind),
                    "client_id": client.id,
                    **values,
                },
            )

    # -- helpers ---------------------------------------------------------------------------

    def _clock(self) -> dt.datetime:
        return self._store._clock()

    def _reading(self, what: str) -> AbstractContextManager[Connection]:
        return self._store._reading(what)

    def _writing(self, what: str) -> AbstractContextManager[Connection]:
        """One write transaction that moves no runner's data version on; what the block
        raises rolls it back and comes out as it is."""
        store = self._store
        return writing(store._engine, store.shown_url, what)


def clinic_for(store: Store, therapist_id: str) -> StoredClinicData:
    """The clinic of ``therapist_id`` kept in ``store``'s database."""
    return StoredClinicData(store, therapist_id)


def _client_is(table: sa.Table, client: ClientRef) -> tuple[Any, Any]:
    return table.c.client_kind == str(client.kind), table.c.client_id == client.id


def _client(row: Any) -> ClientRef:
    return ClientRef(ClientKind(row["client_kind"]), row["client_id"])


def _booking(row: Any) -> Booking:
    override = None
    if row["override_reason"] is not None:
        override = Override(
            row["override_reason"],
            row["overridden_by"],
            row["overridden_at"],
            tuple(row["override_refused"] or ()),
        )
    cancelled = None
    if row["cancelled_at"] is not None:
        cancelled = Cancellation(row["cancel_reason"], row["cancelled_by"], row["cancelled_at"])
    return Booking(
        client=_client(row),
        service_id=row["service_id"],
        kind=SessionKind(row["kind"]),
        start=row["start_at"],
        length_min=row["length_min"],
        buffer_min=row["buffer_min"],
        price=row["price"],
        regions=tuple(parse_region(r) for r in row["regions"]),
        booked_by=row["booked_by"],
        booked_at=row["booked_at"],
        override=override,
        cancelled=cancelled,
        id=row["id"],
    )


def _question_order(question_id: str) -> tuple[int, str]:
    digits = "".join(ch for ch in question_id if ch.isdigit())
    return (int(digits) if digits else 0, question_id)


def _body_json(body: NoteBody) -> str:
    return json.dumps(note_body_document(body), ensure_ascii=False)


def _body(text: str) -> NoteBody:
    return note_body_from_document(json.loads(text))
