"""A therapist's clinic in the store, on SQLite and PostgreSQL: everything read back as it
was written, each therapist's rows their own only, bookings checked under the therapist's
lock, the waitlist in order, and notes that the database itself will not let change."""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import replace

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from rubdown.domain.availability import parse_hours
from rubdown.domain.clinic.booking_rules import (
    Booking,
    Cancellation,
    ClientKind,
    ClientRef,
    ManagedClient,
    TherapistRules,
)
from rubdown.domain.clinic.intake import Answer
from rubdown.domain.clinic.notes import NoteBody, Pressure, RegionNote
from rubdown.domain.clinic.services_menu import Service
from rubdown.domain.model import Condition, PolicyName, Priority, Race, SessionKind
from rubdown.domain.regions import parse_region
from rubdown.errors import BookingRefused, InvalidValue, NotFound
from rubdown.knowledge import load_knowledge_base
from rubdown.services.clinic.booking import BookingRequest, book, cancel, join_waitlist
from rubdown.services.clinic.context import Clinic, load_screening, managed_client_rules
from rubdown.services.clinic.records import (
    add_client,
    add_service,
    amend_note,
    change_client,
    save_rules,
    sign_intake,
    write_note,
)
from rubdown.store import Store
from rubdown.store import schema as tables
from rubdown.store.clinic_rows import StoredClinicData, clinic_for
from tests.support.fake_clinic import FakeClinicWorld, fake_clinic

NOW = dt.datetime(2027, 4, 1, 9, 0, tzinfo=dt.UTC)
BOSTON = Race("Boston Marathon", dt.date(2027, 4, 18), Priority.A, 42.2)
RUNNER = ClientRef(ClientKind.RUNNER, "ana")


def _therapist(raw: Engine, user_id: str) -> None:
    row = {
        "id": user_id,
        "email": f"{user_id}@example.org",
        "role": "therapist",
        "password_hash": "not a hash: this user never logs in",
        "created_at": NOW,
        "disabled_at": None,
    }
    with raw.begin() as connection:
        connection.execute(tables.users.insert(), row)


@pytest.fixture
def theo(store: Store, raw: Engine) -> StoredClinicData:
    _therapist(raw, "theo")
    _therapist(raw, "tess")
    return clinic_for(store, "theo")


@pytest.fixture
def clinic(theo: StoredClinicData) -> Clinic:
    made = Clinic(theo, load_knowledge_base(), load_screening(), lambda: NOW)
    save_rules(made, TherapistRules(hours=parse_hours("tue 09:00-17:00, sat 09:00-13:00")))
    return made


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2027, 4, day, hour, minute, tzinfo=dt.UTC)


def test_a_managed_client_comes_back_with_races_conditions_and_policy(clinic: Clinic) -> None:
    client = add_client(
        clinic,
        "Ada Runner",
        races=[BOSTON, Race("Parkrun", dt.date(2027, 4, 10), Priority.C, 5.0)],
        conditions=[Condition.TIGHT_CALVES],
        policy=PolicyName.CAUTIOUS,
    )
    stored = clinic.data.get_client(client.id)
    assert stored == client
    assert [r.name for r in stored.races] == ["Parkrun", "Boston Marathon"]
    changed = change_client(clinic, client.id, races=[BOSTON], policy=PolicyName.STANDARD)
    assert clinic.data.get_client(client.id) == changed
    assert clinic.data.list_clients() == [changed]


def test_rules_and_services_come_back_as_saved(clinic: Clinic) -> None:
    rules = TherapistRules(
        hours=parse_hours("mon 08:00-12:00 13:00-18:00, fri 18:00-24:00"),
        days_off=frozenset({dt.date(2027, 12, 25), dt.date(2027, 12, 26)}),
        timezone="Europe/London",
        min_notice_h=48,
        max_hands_on_h_per_day=5.5,
        max_sessions_per_week=20,
        buffer_min=10,
    )
    save_rules(clinic, rules)
    assert clinic.data.therapist_rules() == rules
    service = add_service(clinic, Service(SessionKind.ART, 45, 72.5, 15, "Release work"))
    assert clinic.data.get_service(service.id) == service
    assert clinic.data.list_services() == [service]


def test_a_booking_round_trips_with_its_override_and_cancellation(clinic: Clinic) -> None:
    client = add_client(clinic, "Ada", races=[BOSTON], policy=PolicyName.CAUTIOUS)
    service = add_service(clinic, Service(SessionKind.DEEP_TISSUE, 60, 90.0, 15))
    rules = managed_client_rules(clinic, client, NOW.date())
    request = BookingRequest(client.ref, service.id, at(13, 10), (parse_region("left-calf"),))
    with pytest.raises(BookingRefused, match=r"T3"):
        book(clinic, request, rules)
    booking, _ = book(clinic, request, rules, override_reason="used to deep work weekly")
    stored = clinic.data.get_booking(booking.id)
    assert stored == booking
    assert stored.override is not None
    assert stored.override.at == NOW
    assert clinic.data.bookings_of(client.ref) == [booking]
    cancelled, _ = cancel(clinic, booking.id, "injured", lambda _ref: rules)
    assert clinic.data.get_booking(booking.id) == cancelled
    assert clinic.data.bookings_between(at(1, 0), at(30, 0)) == []
    assert clinic.data.bookings_between(at(1, 0), at(30, 0), cancelled=True) == [cancelled]
    with pytest.raises(InvalidValue, match="already cancelled"):
        cancel(clinic, booking.id, "again", lambda _ref: rules)


def test_a_booking_is_checked_against_what_is_stored_under_the_lock(clinic: Clinic) -> None:
    service = add_service(clinic, Service(SessionKind.FLUSH, 30, 45.0))
    first = Booking(RUNNER, service.id, SessionKind.FLUSH, at(6, 10), 30, 0, 45.0, booked_by="theo")
    clinic.data.book(first, lambda current: None)
    seen: list[list[Booking]] = []

    def refuse(current: list[Booking]) -> None:
        seen.append(current)
        raise InvalidValue("taken")

    with pytest.raises(InvalidValue):
        clinic.data.book(first, refuse)
    assert [b.start for b in seen[0]] == [at(6, 10)]
    assert len(clinic.data.bookings_between(at(1, 0), at(30, 0))) == 1


def test_the_waitlist_comes_back_in_the_order_clients_joined(
    theo: StoredClinicData, clinic: Clinic
) -> None:
    service = add_service(clinic, Service(SessionKind.FLUSH, 30, 45.0))
    names = ["first", "second", "third"]
    for minutes, name in enumerate(names):
        client = add_client(clinic, name)
        later = Clinic(
            theo, clinic.kb, clinic.screening, lambda m=minutes: NOW + dt.timedelta(minutes=m)
        )
        join_waitlist(later, client.ref, dt.date(2027, 4, 6), service.id)
    entries = clinic.data.waitlist_on(dt.date(2027, 4, 6))
    assert [clinic.data.get_client(e.client.id).name for e in entries] == names
    clinic.data.remove_from_waitlist(entries[0].id)
    assert len(clinic.data.waitlist_on(dt.date(2027, 4, 6))) == 2


def test_an_intake_comes_back_with_its_answers_and_signature(clinic: Clinic) -> None:
    screening = clinic.screening
    answers = [
        Answer(q.id, q.id == "Q10", (parse_region("left-shin"),) if q.id == "Q10" else (), "")
        for q in screening.questions
    ]
    shared_by_ana = replace(clinic, shares=lambda runner_id: runner_id == "ana")
    intake = sign_intake(
        shared_by_ana, RUNNER, answers, "Ana Runner", consent=True, health_history="né"
    )
    stored = clinic.data.latest_intake(RUNNER)
    assert stored == intake
    assert stored is not None
    assert stored.expires_at == dt.datetime(2028, 4, 1, 9, 0, tzinfo=dt.UTC)


def test_notes_append_and_the_database_refuses_to_change_one(clinic: Clinic, raw: Engine) -> None:
    service = add_service(clinic, Service(SessionKind.SPORTS, 60, 70.0))
    booking = clinic.data.book(
        Booking(RUNNER, service.id, SessionKind.SPORTS, at(6, 10), 60, 0, 70.0, booked_by="theo"),
        lambda current: None,
    )
    first = NoteBody(
        "sore calves",
        (RegionNote(parse_region("right-calf"), Pressure.FIRM, "knot", "stripping"),),
        "tight",
        "roll daily",
    )
    note = write_note(clinic, booking.id, first)
    fixed = NoteBody("sore calves", first.regions, "tight", "roll twice daily")
    history = amend_note(clinic, note.id, fixed, "said twice daily")
    assert history.note == note
    assert history.current == fixed
    assert clinic.data.notes_of(booking.id) == [history]
    assert clinic.data.notes_of_client(RUNNER) == [history]
    for table in (tables.clinic_notes, tables.clinic_note_amendments):
        with pytest.raises(SQLAlchemyError, match="append-only"), raw.begin() as connection:
            connection.execute(table.update().values(author_id="someone else"))
    assert clinic.data.note_history(note.id) == history


def test_note_sharing_is_off_until_the_client_allows_it(clinic: Clinic) -> None:
    assert not clinic.data.notes_shared(RUNNER)
    clinic.data.set_notes_shared(RUNNER, True)
    assert clinic.data.notes_shared(RUNNER)
    clinic.data.set_notes_shared(RUNNER, False)
    assert not clinic.data.notes_shared(RUNNER)


def test_another_therapist_finds_none_of_it(store: Store, clinic: Clinic) -> None:
    client = add_client(clinic, "Ada", races=[BOSTON])
    service = add_service(clinic, Service(SessionKind.FLUSH, 30, 45.0))
    booking, _ = book(
        clinic,
        BookingRequest(client.ref, service.id, at(6, 10)),
        managed_client_rules(clinic, client, NOW.date()),
    )
    note = write_note(clinic, booking.id, NoteBody(advice="rest"))
    clinic.data.set_notes_shared(client.ref, True)
    tess = clinic_for(store, "tess")
    for read in (
        lambda: tess.get_client(client.id),
        lambda: tess.get_service(service.id),
        lambda: tess.get_booking(booking.id),
        lambda: tess.note_history(note.id),
        lambda: tess.update_client(ManagedClient("Mine now", id=client.id)),
    ):
        with pytest.raises(NotFound):
            read()
    assert tess.list_clients() == []
    assert tess.bookings_between(at(1, 0), at(30, 0)) == []
    assert tess.notes_of_client(client.ref) == []
    assert not tess.notes_shared(client.ref)
    assert tess.therapist_rules() == TherapistRules()
    with pytest.raises(NotFound):
        tess.cancel_booking(booking.id, Cancellation("mine now", "tess", NOW))
    assert clinic.data.get_booking(booking.id).active


def test_ids_are_unguessable(clinic: Clinic) -> None:
    ids = {add_client(clinic, f"client {n}").id for n in range(3)}
    assert all(len(i) == 32 for i in ids)
    assert len(ids) == 3


def test_two_bookings_of_one_slot_at_once_store_one(clinic: Clinic) -> None:
    service = add_service(clinic, Service(SessionKind.FLUSH, 30, 45.0))
    start_together = threading.Barrier(2)
    outcomes: list[str] = []

    def check_slowly(current: list[Booking]) -> None:
        # Both have read the slot as free before either stores: only the lock keeps them apart.
        if any(b.start == at(6, 10) for b in current):
            raise InvalidValue("taken")
        time.sleep(0.2)

    def attempt() -> None:
        booking = Booking(
            RUNNER, service.id, SessionKind.FLUSH, at(6, 10), 30, 0, 45.0, booked_by="theo"
        )
        start_together.wait()
        try:
            clinic.data.book(booking, check_slowly)
            outcomes.append("booked")
        except InvalidValue:
            outcomes.append("refused")

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["booked", "refused"]
    assert len(clinic.data.bookings_between(at(6, 0), at(7, 0))) == 1


def _scenario(clinic: Clinic) -> list[object]:
    """One afternoon of a clinic, as comparable values (no IDs)."""
    seen: list[object] = []
    save_rules(clinic, TherapistRules(hours=parse_hours("tue 09:00-17:00"), buffer_min=10))
    deep = add_service(clinic, Service(SessionKind.DEEP_TISSUE, 60, 90.0, 15, "Deep"))
    ada = add_client(clinic, "Ada", races=[BOSTON], policy=PolicyName.CAUTIOUS)
    ben = add_client(clinic, "Ben", policy=PolicyName.STANDARD)
    names = {ada.id: "Ada", ben.id: "Ben"}
    rules_for = {ada.id: managed_client_rules(clinic, ada, NOW.date())}
    rules_for[ben.id] = managed_client_rules(clinic, ben, NOW.date())
    first, check = book(clinic, BookingRequest(ben.ref, deep.id, at(13, 10)), rules_for[ben.id])
    seen.append((first.start, first.price, check.warnings))
    refused = None
    try:
        book(clinic, BookingRequest(ada.ref, deep.id, at(13, 10, 30)), rules_for[ada.id])
    except BookingRefused as error:
        refused = str(error)
    seen.append(refused)
    cara = add_client(clinic, "Cara", policy=PolicyName.ADAPTED)
    names[cara.id] = "Cara"
    rules_for[cara.id] = managed_client_rules(clinic, cara, NOW.date())
    join_waitlist(clinic, ada.ref, dt.date(2027, 4, 13), deep.id)  # Boston is too near
    join_waitlist(clinic, cara.ref, dt.date(2027, 4, 13), deep.id)
    _, offers = cancel(clinic, first.id, "moved", lambda ref: rules_for[ref.id])
    seen.append([names[o.entry.client.id] for o in offers])
    seen.append([c.name for c in clinic.data.list_clients()])
    assert seen[2] == ["Cara"]
    seen.append(clinic.data.therapist_rules())
    return seen


def test_the_fake_clinic_answers_as_the_store_does(clinic: Clinic) -> None:
    fake, _ = fake_clinic(lambda: NOW, therapist_id="theo", world=FakeClinicWorld())
    assert _scenario(fake) == _scenario(clinic)
