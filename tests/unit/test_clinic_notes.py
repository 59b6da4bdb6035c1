"""Session notes: SOAP-style on the body-map regions, append-only (an amendment with who,
when and why; the original stays readable), shared with the client only when they allow it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import inspect

import pytest
from tests.support.fake_clinic import FakeClinicWorld, fake_clinic

from rubdown.domain.clinic.booking_rules import ClientRef, TherapistRules
from rubdown.domain.clinic.clinic_data import ClinicData
from rubdown.domain.clinic.notes import NoteBody, Pressure, RegionNote
from rubdown.domain.clinic.services_menu import Service
from rubdown.domain.model import PolicyName, SessionKind
from rubdown.domain.regions import parse_region
from rubdown.errors import InvalidValue, NotFound
from rubdown.services.clinic.booking import BookingRequest, book, cancel
from rubdown.services.clinic.context import Clinic, managed_client_rules
from rubdown.services.clinic.records import (
    add_client,
    add_service,
    amend_note,
    notes_for_client,
    save_rules,
    write_note,
)

NOW = dt.datetime(2027, 4, 1, 9, 0, tzinfo=dt.UTC)
FIRST = NoteBody(
    subjective="left calf tight since Sunday's long run",
    regions=(
        RegionNote(
            parse_region("left-calf"), Pressure.FIRM, "trigger point mid-belly", "stripping"
        ),
    ),
    advice="roll calves after runs; easy run tomorrow",
)
FIXED = dataclasses.replace(FIRST, advice="roll calves after runs; rest day tomorrow")


@pytest.fixture
def world() -> FakeClinicWorld:
    return FakeClinicWorld()


@pytest.fixture
def clinic(world: FakeClinicWorld) -> Clinic:
    made, _ = fake_clinic(lambda: NOW, world=world)
    save_rules(made, TherapistRules())
    return made


def booked(clinic: Clinic) -> tuple[str, ClientRef]:
    client = add_client(clinic, "Noted", policy=PolicyName.STANDARD)
    service = add_service(clinic, Service(SessionKind.SPORTS, 60, 70.0))
    booking, _ = book(
        clinic,
        BookingRequest(client.ref, service.id, NOW + dt.timedelta(days=3)),
        managed_client_rules(clinic, client, NOW.date()),
    )
    return booking.id, client.ref


def test_a_note_records_the_session_by_region_with_its_author_and_moment(clinic: Clinic) -> None:
    booking_id, ref = booked(clinic)
    note = write_note(clinic, booking_id, FIRST)
    assert (note.author_id, note.written_at, note.client) == (clinic.therapist_id, NOW, ref)
    history = clinic.data.note_history(note.id)
    assert history.current == FIRST
    assert not history.amended


def test_an_amendment_appends_and_the_original_stays_readable(
    world: FakeClinicWorld, clinic: Clinic
) -> None:
    booking_id, _ = booked(clinic)
    note = write_note(clinic, booking_id, FIRST)
    later, _ = fake_clinic(lambda: NOW + dt.timedelta(hours=2), world=world)
    history = amend_note(later, note.id, FIXED, "advised rest, not an easy run")
    assert history.note.body == FIRST
    assert history.current == FIXED
    (amendment,) = history.amendments
    assert (amendment.author_id, amendment.written_at) == (
        clinic.therapist_id,
        NOW + dt.timedelta(hours=2),
    )
    assert amendment.reason == "advised rest, not an easy run"


def test_an_amendment_needs_a_reason(clinic: Clinic) -> None:
    booking_id, _ = booked(clinic)
    note = write_note(clinic, booking_id, FIRST)
    with pytest.raises(InvalidValue, match="reason"):
        amend_note(clinic, note.id, FIXED, "  ")
    assert not clinic.data.note_history(note.id).amended


def test_the_port_has_no_way_to_change_or_remove_a_note() -> None:
    methods = {name for name, _ in inspect.getmembers(ClinicData, inspect.isfunction)}
    note_methods = {m for m in methods if "note" in m or "amend" in m}
    assert note_methods == {
        "add_note",
        "add_amendment",
        "note_history",
        "notes_of",
        "notes_of_client",
        "notes_shared",
        "set_notes_shared",
    }


def test_an_empty_note_is_refused() -> None:
    with pytest.raises(InvalidValue, match="something written"):
        NoteBody()


def test_a_note_names_each_region_once() -> None:
    calf = RegionNote(parse_region("calf"), Pressure.LIGHT, "ok")
    with pytest.raises(InvalidValue, match="once"):
        NoteBody(regions=(calf, calf))


def test_a_cancelled_session_takes_no_note(clinic: Clinic) -> None:
    booking_id, ref = booked(clinic)
    cancel(
        clinic,
        booking_id,
        "client ill",
        lambda _ref: managed_client_rules(clinic, clinic.data.get_client(ref.id), NOW.date()),
    )
    with pytest.raises(InvalidValue, match="cancelled"):
        write_note(clinic, booking_id, FIRST)


def test_notes_reach_the_client_only_when_they_allow_it(clinic: Clinic) -> None:
    booking_id, ref = booked(clinic)
    write_note(clinic, booking_id, FIRST)
    assert notes_for_client(clinic, ref) == []
    clinic.data.set_notes_shared(ref, True)
    assert [h.current for h in notes_for_client(clinic, ref)] == [FIRST]
    clinic.data.set_notes_shared(ref, False)
    assert notes_for_client(clinic, ref) == []


def test_another_therapist_cannot_read_or_amend_a_note(
    world: FakeClinicWorld, clinic: Clinic
) -> None:
    booking_id, _ = booked(clinic)
    note = write_note(clinic, booking_id, FIRST)
    other, _ = fake_clinic(lambda: NOW, therapist_id="therapist-2", world=world)
    with pytest.raises(NotFound):
        other.data.note_history(note.id)
    with pytest.raises(NotFound):
        amend_note(other, note.id, FIXED, "mine now")
    with pytest.raises(NotFound):
        write_note(other, booking_id, FIRST)
    assert clinic.data.note_history(note.id).amendments == ()
