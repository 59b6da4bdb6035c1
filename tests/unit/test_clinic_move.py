"""Moving a booking on the in-memory clinic: re-checked by the same rules as a booking, itself
left out of the others, and a refused move leaves the booking as it was."""

from __future__ import annotations

import datetime as dt

import pytest
from tests.support.fake_clinic import fake_clinic

from rubdown.domain.availability import parse_hours
from rubdown.domain.clinic.booking_rules import TherapistRules
from rubdown.domain.clinic.services_menu import Service
from rubdown.domain.model import PolicyName, Priority, Race, SessionKind
from rubdown.errors import BookingRefused, InvalidValue
from rubdown.services.clinic.booking import BookingRequest, book, cancel, move
from rubdown.services.clinic.context import ClientRules, Clinic, managed_client_rules
from rubdown.services.clinic.records import add_client, add_service, save_rules

NOW = dt.datetime(2027, 4, 1, 9, 0, tzinfo=dt.UTC)  # a Thursday
BOSTON = Race("Boston Marathon", dt.date(2027, 4, 18), Priority.A, 42.2)


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2027, 4, day, hour, minute, tzinfo=dt.UTC)


@pytest.fixture
def clinic() -> Clinic:
    made, _ = fake_clinic(lambda: NOW)
    save_rules(made, TherapistRules(hours=parse_hours("tue 09:00-17:00, thu 09:00-17:00")))
    return made


def _booked(clinic: Clinic, start: dt.datetime) -> tuple[str, ClientRules]:
    client = add_client(clinic, "Ada", races=[BOSTON], policy=PolicyName.CAUTIOUS)
    service = add_service(clinic, Service(SessionKind.DEEP_TISSUE, 60, 90.0, buffer_min=15))
    rules = managed_client_rules(clinic, client, NOW.date())
    booking, _ = book(clinic, BookingRequest(client.ref, service.id, start), rules)
    return booking.id, rules


def test_a_move_the_rules_allow_keeps_the_booking_and_changes_its_start(clinic: Clinic) -> None:
    booking_id, rules = _booked(clinic, at(6, 10))
    moved, check = move(clinic, booking_id, at(8, 14), rules)
    assert check.allowed
    assert (moved.id, moved.start) == (booking_id, at(8, 14))
    assert clinic.data.get_booking(booking_id).start == at(8, 14)


def test_a_booking_moved_half_an_hour_does_not_overlap_itself(clinic: Clinic) -> None:
    booking_id, rules = _booked(clinic, at(6, 10))
    moved, _ = move(clinic, booking_id, at(6, 10, 30), rules)
    assert moved.start == at(6, 10, 30)


def test_a_refused_move_names_the_rule_and_leaves_the_booking_where_it_was(
    clinic: Clinic,
) -> None:
    booking_id, rules = _booked(clinic, at(6, 10))
    before = clinic.data.get_booking(booking_id)
    with pytest.raises(BookingRefused, match=r"^not moved: .*\(T3\)"):
        move(clinic, booking_id, at(15, 10), rules)
    assert clinic.data.get_booking(booking_id) == before


def test_an_overridden_move_keeps_the_reason(clinic: Clinic) -> None:
    booking_id, rules = _booked(clinic, at(6, 10))
    moved, _ = move(clinic, booking_id, at(15, 10), rules, override_reason="light work only")
    assert moved.override is not None
    assert moved.override.reason == "light work only"
    assert any("(T3)" in line for line in moved.override.refused)


def test_a_cancelled_booking_cannot_be_moved(clinic: Clinic) -> None:
    booking_id, rules = _booked(clinic, at(6, 10))
    cancel(clinic, booking_id, "ill", lambda _ref: rules)
    with pytest.raises(InvalidValue, match="cancelled"):
        move(clinic, booking_id, at(8, 10), rules)
