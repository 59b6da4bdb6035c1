"""Invariants of the nearest-slot offers: whatever slot is refused, every slot offered instead
is one that the client's rules and the therapist's rules both allow, and none is nearer."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.support.fake_clinic import FakeClinicWorld, fake_clinic

from rubdown.domain.availability import parse_hours
from rubdown.domain.clinic.booking_rules import TherapistRules
from rubdown.domain.clinic.services_menu import Service
from rubdown.domain.model import PolicyName, Priority, Race, SessionKind
from rubdown.services.clinic.booking import BookingRequest, book, check_booking
from rubdown.services.clinic.context import managed_client_rules
from rubdown.services.clinic.records import add_client, add_service, save_rules

NOW = dt.datetime(2027, 4, 1, 9, 0, tzinfo=dt.UTC)
HOURS = parse_hours("tue 09:00-17:00, thu 12:00-20:00, sat 09:00-13:00")
KINDS = [SessionKind.DEEP_TISSUE, SessionKind.SPORTS, SessionKind.FLUSH, SessionKind.ART]


@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(
    policy=st.sampled_from(list(PolicyName)),
    kind=st.sampled_from(KINDS),
    minutes=st.sampled_from([30, 45, 60, 90]),
    day=st.integers(0, 40),
    quarter=st.integers(0, 95),
    booked=st.lists(st.tuples(st.integers(0, 40), st.integers(36, 70)), max_size=6),
    race_in=st.integers(3, 35),
)
def test_every_offered_slot_is_allowed_by_both_sides(
    policy: PolicyName,
    kind: SessionKind,
    minutes: int,
    day: int,
    quarter: int,
    booked: list[tuple[int, int]],
    race_in: int,
) -> None:
    clinic, _ = fake_clinic(lambda: NOW, world=FakeClinicWorld())
    save_rules(clinic, TherapistRules(hours=HOURS, buffer_min=10, max_hands_on_h_per_day=3))
    service = add_service(clinic, Service(kind, minutes, 80.0, buffer_min=15))
    race = Race("Target", NOW.date() + dt.timedelta(days=race_in), Priority.A, 42.2)
    client = add_client(clinic, "Client", races=[race], policy=policy)
    other = add_client(clinic, "Other")
    rules = managed_client_rules(clinic, client, NOW.date())
    others_rules = managed_client_rules(clinic, other, NOW.date())
    for booked_day, booked_quarter in booked:
        start = dt.datetime.combine(
            NOW.date() + dt.timedelta(days=booked_day),
            dt.time(booked_quarter // 4, booked_quarter % 4 * 15),
            tzinfo=dt.UTC,
        )
        check = check_booking(clinic, BookingRequest(other.ref, service.id, start), others_rules)
        if check.allowed:
            book(clinic, BookingRequest(other.ref, service.id, start), others_rules)
    start = dt.datetime.combine(
        NOW.date() + dt.timedelta(days=day), dt.time(quarter // 4, quarter % 4 * 15), tzinfo=dt.UTC
    )
    check = check_booking(clinic, BookingRequest(client.ref, service.id, start), rules)
    if check.allowed:
        return
    for offered in (check.earlier, check.later):
        if offered is None:
            continue
        again = check_booking(clinic, BookingRequest(client.ref, service.id, offered), rules)
        assert again.allowed, (offered, again.refusals)
    if check.earlier is not None:
        assert NOW < check.earlier < start
    if check.later is not None:
        assert check.later > start
