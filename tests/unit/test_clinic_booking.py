"""Booking a client with a therapist, on the in-memory clinic: every therapist rule, the
client's race rules under their policy, refusals that name the rule and the race, the
nearest allowed slots, overrides, cancellations and the waitlist's order."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from tests.support.fake_clinic import FakeClinicWorld, fake_clinic

from rubdown.domain.availability import parse_hours
from rubdown.domain.clinic.booking_rules import ClientRef, TherapistRules
from rubdown.domain.clinic.services_menu import Service
from rubdown.domain.model import PolicyName, Priority, Race, SessionKind
from rubdown.errors import BookingRefused, InvalidValue, NotFound
from rubdown.services.clinic.booking import (
    BookingRequest,
    book,
    cancel,
    check_booking,
    join_waitlist,
)
from rubdown.services.clinic.context import ClientRules, Clinic, managed_client_rules
from rubdown.services.clinic.records import add_client, add_service, save_rules

UTC = dt.UTC
NOW = dt.datetime(2027, 4, 1, 9, 0, tzinfo=UTC)  # a Thursday
BOSTON = Race("Boston Marathon", dt.date(2027, 4, 18), Priority.A, 42.2)  # a Sunday
HOURS = parse_hours("tue 09:00-17:00, thu 09:00-17:00, sat 09:00-13:00")


def at(day: int, hour: int, minute: int = 0, month: int = 4) -> dt.datetime:
    return dt.datetime(2027, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def world() -> FakeClinicWorld:
    return FakeClinicWorld()


@pytest.fixture
def clinic(world: FakeClinicWorld) -> Clinic:
    made, _ = fake_clinic(lambda: NOW, world=world)
    save_rules(made, TherapistRules(hours=HOURS, min_notice_h=24))
    return made


@pytest.fixture
def deep(clinic: Clinic) -> Service:
    return add_service(clinic, Service(SessionKind.DEEP_TISSUE, 60, 90.0, buffer_min=15))


@pytest.fixture
def flush(clinic: Clinic) -> Service:
    return add_service(clinic, Service(SessionKind.FLUSH, 30, 45.0, buffer_min=0))


def client_with(
    clinic: Clinic, policy: PolicyName = PolicyName.CAUTIOUS
) -> tuple[ClientRef, ClientRules]:
    client = add_client(clinic, "Ada Runner", races=[BOSTON], policy=policy)
    return client.ref, managed_client_rules(clinic, client, NOW.date())


def rules_of_any(clinic: Clinic) -> Callable[[ClientRef], ClientRules]:
    def rules_for(ref: ClientRef) -> ClientRules:
        return managed_client_rules(clinic, clinic.data.get_client(ref.id), NOW.date())

    return rules_for


def test_a_slot_every_rule_allows_is_booked_with_who_and_when(
    clinic: Clinic, deep: Service
) -> None:
    ref, rules = client_with(clinic)
    booking, check = book(clinic, BookingRequest(ref, deep.id, at(6, 10)), rules)
    assert check.allowed
    assert booking.id
    assert booking.booked_by == clinic.therapist_id
    assert booking.booked_at == NOW
    assert booking.override is None
    assert (booking.kind, booking.length_min, booking.price) == (SessionKind.DEEP_TISSUE, 60, 90.0)


def test_deep_tissue_3_days_before_the_clients_a_race_is_refused_naming_rule_race_and_policy(
    clinic: Clinic, deep: Service
) -> None:
    ref, rules = client_with(clinic, PolicyName.CAUTIOUS)
    with pytest.raises(BookingRefused) as refused:
        book(clinic, BookingRequest(ref, deep.id, at(15, 10)), rules)
    message = str(refused.value)
    assert (
        "deep tissue on Thu 15 Apr is 3 days before their A race, Boston Marathon, "
        "this client's cautious policy wants 7 (T3)"
    ) in message
    assert clinic.data.bookings_between(at(1, 0), at(30, 0)) == []


def test_a_refusal_offers_the_nearest_allowed_slots_inside_the_therapists_hours(
    clinic: Clinic, deep: Service
) -> None:
    ref, rules = client_with(clinic, PolicyName.CAUTIOUS)
    check = check_booking(clinic, BookingRequest(ref, deep.id, at(15, 10)), rules)
    # 7 days before Sunday 18 Apr is Sunday 11 Apr, when the therapist does not work: the
    # latest start on Saturday 10 Apr that fits an hour inside 09:00-13:00 is 12:00.
    assert check.earlier == at(10, 12)
    # After a marathon the cautious policy wants 7 days for deep work: Sunday 25 Apr; the
    # therapist's next working day is Tuesday 27 Apr, from 09:00.
    assert check.later == at(27, 9)
    with pytest.raises(BookingRefused) as refused:
        book(clinic, BookingRequest(ref, deep.id, at(15, 10)), rules)
    assert "nearest allowed: Sat 10 Apr 12:00 or Tue 27 Apr 09:00" in str(refused.value)


def test_the_standard_policy_allows_what_the_cautious_one_refuses(
    clinic: Clinic, deep: Service
) -> None:
    ref, rules = client_with(clinic, PolicyName.STANDARD)
    assert check_booking(clinic, BookingRequest(ref, deep.id, at(15, 10)), rules).allowed


@pytest.mark.parametrize(
    ("start", "rule", "words"),
    [
        (at(1, 15), "notice", "asks for 24 hours' notice"),
        (at(7, 10), "hours", "outside the therapist's hours: none on Wednesdays"),
        (at(6, 16, 45), "hours", "outside the therapist's hours that day (09:00-17:00)"),
    ],
)
def test_each_therapist_rule_refuses_by_name(
    clinic: Clinic, flush: Service, start: dt.datetime, rule: str, words: str
) -> None:
    ref, rules = client_with(clinic)
    check = check_booking(clinic, BookingRequest(ref, flush.id, start), rules)
    assert [r.rule for r in check.refusals] == [rule]
    assert words in check.refusals[0].message


def test_a_day_off_refuses(clinic: Clinic, flush: Service) -> None:
    save_rules(clinic, TherapistRules(hours=HOURS, days_off=frozenset({dt.date(2027, 4, 6)})))
    ref, rules = client_with(clinic)
    check = check_booking(clinic, BookingRequest(ref, flush.id, at(6, 10)), rules)
    assert [r.rule for r in check.refusals] == ["day-off"]
    assert check.later == at(8, 9)  # the next working day


def test_an_overlap_refuses_and_no_reason_overrides_it(clinic: Clinic, flush: Service) -> None:
    ref, rules = client_with(clinic)
    book(clinic, BookingRequest(ref, flush.id, at(6, 10)), rules)
    with pytest.raises(BookingRefused) as refused:
        book(
            clinic,
            BookingRequest(ref, flush.id, at(6, 10, 15)),
            rules,
            override_reason="squeeze in",
        )
    assert "(overlap)" in str(refused.value)
    assert "override" not in str(refused.value)


def test_the_buffer_between_sessions_is_the_longer_of_the_services_and_the_therapists(
    clinic: Clinic, deep: Service, flush: Service
) -> None:
    ref, rules = client_with(clinic, PolicyName.STANDARD)
    book(clinic, BookingRequest(ref, deep.id, at(6, 10)), rules)  # 10:00-11:00, 15 min turnover
    tight = check_booking(clinic, BookingRequest(ref, flush.id, at(6, 11, 0)), rules)
    assert [r.rule for r in tight.refusals] == ["buffer"]
    assert tight.later == at(6, 11, 15)
    assert check_booking(clinic, BookingRequest(ref, flush.id, at(6, 11, 15)), rules).allowed
    save_rules(clinic, TherapistRules(hours=HOURS, buffer_min=30))
    assert [
        r.rule
        for r in check_booking(clinic, BookingRequest(ref, flush.id, at(6, 11, 15)), rules).refusals
    ] == ["buffer"]


def test_a_days_hands_on_hours_are_capped(clinic: Clinic, deep: Service) -> None:
    save_rules(clinic, TherapistRules(hours=HOURS, max_hands_on_h_per_day=2))
    ref, rules = client_with(clinic, PolicyName.STANDARD)
    book(clinic, BookingRequest(ref, deep.id, at(6, 9)), rules)
    book(clinic, BookingRequest(ref, deep.id, at(6, 11)), rules)
    check = check_booking(clinic, BookingRequest(ref, deep.id, at(6, 13)), rules)
    assert [r.rule for r in check.refusals] == ["daily-hands-on"]
    assert (
        "3 hours of hands-on work; the therapist's limit is 2 hours a day"
        in check.refusals[0].message
    )
    assert check.later is not None
    assert check.later.date() == dt.date(2027, 4, 8)


def test_the_default_daily_cap_is_six_hours() -> None:
    assert TherapistRules().max_hands_on_h_per_day == 6


def test_sessions_a_week_are_capped(clinic: Clinic, flush: Service) -> None:
    save_rules(clinic, TherapistRules(hours=HOURS, max_sessions_per_week=2))
    ref, rules = client_with(clinic, PolicyName.STANDARD)
    book(clinic, BookingRequest(ref, flush.id, at(6, 9)), rules)
    book(clinic, BookingRequest(ref, flush.id, at(8, 9)), rules)
    check = check_booking(clinic, BookingRequest(ref, flush.id, at(10, 9)), rules)
    assert [r.rule for r in check.refusals] == ["weekly-sessions"]
    assert check.later == at(13, 9)  # the Tuesday of the next week


def test_an_override_needs_a_written_reason_and_is_recorded_with_who_and_when(
    clinic: Clinic, deep: Service
) -> None:
    ref, rules = client_with(clinic, PolicyName.CAUTIOUS)
    request = BookingRequest(ref, deep.id, at(15, 10))
    with pytest.raises(BookingRefused):
        book(clinic, request, rules, override_reason="   ")
    booking, _ = book(clinic, request, rules, override_reason="client is used to weekly deep work")
    assert booking.override is not None
    assert booking.override.reason == "client is used to weekly deep work"
    assert (booking.override.by, booking.override.at) == (clinic.therapist_id, NOW)
    assert any("(T3)" in line for line in booking.override.refused)
    assert clinic.data.get_booking(booking.id).override == booking.override


def test_a_cancel_needs_a_reason_and_keeps_the_booking_with_it(
    clinic: Clinic, flush: Service
) -> None:
    ref, rules = client_with(clinic)
    booking, _ = book(clinic, BookingRequest(ref, flush.id, at(6, 10)), rules)
    with pytest.raises(InvalidValue):
        cancel(clinic, booking.id, " ", rules_of_any(clinic))
    cancelled, _ = cancel(clinic, booking.id, "client is ill", rules_of_any(clinic))
    assert cancelled.cancelled is not None
    assert cancelled.cancelled.reason == "client is ill"
    assert clinic.data.bookings_between(at(6, 0), at(7, 0)) == []
    assert clinic.data.bookings_between(at(6, 0), at(7, 0), cancelled=True) == [cancelled]
    with pytest.raises(InvalidValue):
        cancel(clinic, booking.id, "again", rules_of_any(clinic))


def ticking(world: FakeClinicWorld) -> Clinic:
    """The clinic of the fixture's therapist, on a clock a second later at every reading."""
    seconds = iter(range(1, 100_000))
    made, _ = fake_clinic(lambda: NOW + dt.timedelta(seconds=next(seconds)), world=world)
    return made


def test_a_freed_slot_is_offered_in_waitlist_order_to_the_clients_whose_rules_allow_the_day(
    world: FakeClinicWorld, clinic: Clinic, deep: Service
) -> None:
    day = dt.date(2027, 4, 15)
    keen = add_client(clinic, "Keen", policy=PolicyName.STANDARD)
    racing = add_client(clinic, "Racing", races=[BOSTON], policy=PolicyName.CAUTIOUS)
    later = add_client(clinic, "Later", policy=PolicyName.STANDARD)
    booking, _ = book(
        clinic,
        BookingRequest(keen.ref, deep.id, at(15, 10)),
        managed_client_rules(clinic, keen, NOW.date()),
    )
    clock = ticking(world)
    # Racing joins first, but Boston is 3 days after the day: their cautious policy says no.
    for who in (racing, later, keen):
        join_waitlist(clock, who.ref, day, deep.id)
    _, offers = cancel(clinic, booking.id, "moved away", rules_of_any(clinic))
    assert [o.entry.client for o in offers] == [later.ref, keen.ref]
    assert all(o.start == at(15, 10) for o in offers)


def test_a_freed_slot_is_not_offered_where_the_waitlisted_service_does_not_fit(
    world: FakeClinicWorld, clinic: Clinic, flush: Service, deep: Service
) -> None:
    ref, rules = client_with(clinic, PolicyName.STANDARD)
    short, _ = book(clinic, BookingRequest(ref, flush.id, at(6, 10)), rules)
    book(clinic, BookingRequest(ref, flush.id, at(6, 10, 45)), rules)
    waiting = add_client(clinic, "Waiting", policy=PolicyName.STANDARD)
    join_waitlist(clinic, waiting.ref, dt.date(2027, 4, 6), deep.id)  # an hour: no room at 10:00
    _, offers = cancel(clinic, short.id, "moved", rules_of_any(clinic))
    assert offers == []


def test_the_waitlist_is_kept_in_the_order_clients_joined(
    world: FakeClinicWorld, clinic: Clinic, deep: Service
) -> None:
    clock = ticking(world)
    for name in ("first", "second", "third"):
        join_waitlist(clock, add_client(clinic, name).ref, dt.date(2027, 4, 6), deep.id)
    order = [
        clinic.data.get_client(e.client.id).name
        for e in clinic.data.waitlist_on(dt.date(2027, 4, 6))
    ]
    assert order == ["first", "second", "third"]


def test_a_past_day_has_no_waitlist(clinic: Clinic, deep: Service) -> None:
    with pytest.raises(InvalidValue, match="past"):
        join_waitlist(clinic, add_client(clinic, "Late").ref, dt.date(2027, 3, 31), deep.id)


def test_another_therapists_rows_are_not_found(
    world: FakeClinicWorld, clinic: Clinic, flush: Service
) -> None:
    ref, rules = client_with(clinic)
    booking, _ = book(clinic, BookingRequest(ref, flush.id, at(6, 10)), rules)
    other, _ = fake_clinic(lambda: NOW, therapist_id="therapist-2", world=world)
    for read in (
        lambda: other.data.get_booking(booking.id),
        lambda: other.data.get_client(ref.id),
        lambda: other.data.get_service(flush.id),
    ):
        with pytest.raises(NotFound):
            read()
    with pytest.raises(NotFound):
        check_booking(other, BookingRequest(ref, flush.id, at(6, 10)), rules)
    assert other.data.bookings_between(at(1, 0), at(30, 0)) == []


def test_a_booking_start_without_a_time_zone_is_refused(clinic: Clinic, flush: Service) -> None:
    ref, rules = client_with(clinic)
    with pytest.raises(InvalidValue):
        check_booking(clinic, BookingRequest(ref, flush.id, dt.datetime(2027, 4, 6, 10)), rules)


def test_hours_are_read_in_the_therapists_time_zone(clinic: Clinic, flush: Service) -> None:
    save_rules(clinic, TherapistRules(hours=HOURS, timezone="America/New_York"))
    ref, rules = client_with(clinic)
    # 13:00 UTC on Tue 6 Apr is 09:00 in New York (EDT): inside the hours there.
    assert check_booking(clinic, BookingRequest(ref, flush.id, at(6, 13)), rules).allowed
    assert not check_booking(clinic, BookingRequest(ref, flush.id, at(6, 9)), rules).allowed


def test_an_unknown_time_zone_is_refused_before_it_is_stored(clinic: Clinic) -> None:
    with pytest.raises(InvalidValue, match="unknown time zone"):
        save_rules(clinic, TherapistRules(timezone="Mars/Olympus"))
    assert clinic.data.therapist_rules().timezone == "UTC"
