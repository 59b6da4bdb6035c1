"""The clinic's API (server mode, therapists only): the therapist's menu, booking rules and hours,
bookings checked against each client's rules, cancellations and the waitlist.

A booking or a move that a rule refuses answers 409 in the API's error shape, with the rule
IDs, every refusal and the nearest allowed starts before and after (``earlier``, ``later``):
``POST /api/clinic/bookings/check`` gives the same verdict without booking. Every read and
write is the logged-in therapist's own (``ClinicDep``): anyone else's booking, service or
waitlist entry answers 404, as one that does not exist.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from rubdown.bootstrap import TherapistClinic, consents_for
from rubdown.domain.availability import parse_hours
from rubdown.domain.clinic.booking_rules import (
    ClientKind,
    ClientRef,
    ManagedClient,
    TherapistRules,
)
from rubdown.domain.clinic.services_menu import Service
from rubdown.domain.model import SessionKind
from rubdown.errors import BookingRefused, InvalidValue
from rubdown.services.clinic import booking as bookings
from rubdown.services.clinic.booking import BookingCheck, BookingRequest
from rubdown.services.clinic.context import zone
from rubdown.services.clinic.records import add_service, save_rules
from rubdown.web import parse
from rubdown.web.clinic_deps import ClinicDep
from rubdown.web.deps import shared_services
from rubdown.web.errors import status_for
from rubdown.web.models_clinic_bookings import (
    BookedOut,
    BookingIn,
    BookingOut,
    BookingRefusalBody,
    BookingRefusalDetail,
    BookingsOut,
    CancelIn,
    CancelledOut,
    CheckOut,
    MoveIn,
    RaceOut,
    RulesIn,
    RulesOut,
    ServiceIn,
    ServiceOut,
    ServicesOut,
    WaitlistEntryOut,
    WaitlistIn,
    WaitlistOut,
    booking_out,
    check_out,
    entry_out,
    offer_out,
    rules_out,
    service_out,
)
from rubdown.web.responses import ERRORS, failure

REFUSED: dict[int | str, dict[str, Any]] = {
    409: failure(
        "A rule refuses the booking: its IDs, the refusals and the nearest slots",
        BookingRefusalBody,
    )
}
router = APIRouter(prefix="/api/clinic", responses=ERRORS, tags=["clinic"])
RACE_REACH_DAYS = 14  # a race further than two weeks from the day is not what refused it
MAX_RANGE_DAYS = 62  # a calendar asks for a week or a month; more is a mistake

NameOf = Callable[[ClientRef], str]


# -- reading what a request says ----------------------------------------------------------


def parse_start(text: str, tz: dt.tzinfo, what: str = "start") -> dt.datetime:
    """ISO 8601; without an offset, the therapist's local time."""
    try:
        found = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidValue(f"a {what} is YYYY-MM-DDTHH:MM, not {text!r}") from None
    if found.tzinfo is None:
        found = found.replace(tzinfo=tz)
    return parse.in_years(found, what)


def therapist_zone(tc: TherapistClinic) -> dt.tzinfo:
    return zone(tc.clinic.data.therapist_rules().timezone)


def client_names(request: Request, tc: TherapistClinic) -> NameOf:
    """A client's name as the therapist knows it: a managed client's as entered, a sharing
    runner's e-mail address; read once per request."""
    managed = {c.id: c.name for c in tc.clinic.data.list_clients()}
    store = shared_services(request.app.state).store
    runners = {
        g.runner_id: g.runner_email or g.runner_id
        for g in consents_for(store).active_grants_to(tc.clinic.therapist_id)
    }

    def name_of(client: ClientRef) -> str:
        found = managed if client.kind is ClientKind.MANAGED else runners
        return found.get(client.id, str(client))

    return name_of


def race_near(tc: TherapistClinic, client: ClientRef, day: dt.date) -> RaceOut | None:
    """The managed client's race nearest ``day`` within ``RACE_REACH_DAYS`` either side (what
    a race rule speaks of, before or after it); a runner's races are theirs and are read only
    by the rules, not shown here."""
    if client.kind is not ClientKind.MANAGED:
        return None
    found: ManagedClient = tc.clinic.data.get_client(client.id)
    near = [r for r in found.races if abs((r.day - day).days) <= RACE_REACH_DAYS]
    if not near:
        return None
    race = min(near, key=lambda r: (abs((r.day - day).days), r.day < day))
    return RaceOut(name=race.name, date=race.day.isoformat(), priority=str(race.priority))


def refused_response(tc: TherapistClinic, error: BookingRefused) -> JSONResponse:
    """The refusal in the API's error shape, with what the check found."""
    check = error.check
    assert isinstance(check, BookingCheck)
    tz = therapist_zone(tc)
    race = race_near(tc, check.request.client, check.request.start.astimezone(tz).date())
    verdict = check_out(check, str(error), tz, race).model_dump(exclude={"allowed"})
    body = BookingRefusalBody(error=BookingRefusalDetail(code=error.code, **verdict))
    return JSONResponse(body.model_dump(mode="json"), status_code=status_for(error))


def request_of(tc: TherapistClinic, body: BookingIn) -> BookingRequest:
    tz = therapist_zone(tc)
    return BookingRequest(
        ClientRef.parse(body.client),
        body.service_id,
        parse_start(body.start, tz),
        parse.regions(body.regions),
    )


# -- the menu and the rules -------------------------------------------------------------------


@router.get("/services")
def list_services(tc: ClinicDep) -> ServicesOut:
    """Your menu: each service's kind, length, price and the buffer kept after it."""
    return ServicesOut(services=[service_out(s) for s in tc.clinic.data.list_services()])


@router.post("/services", status_code=201)
def create_service(tc: ClinicDep, body: ServiceIn) -> ServiceOut:
    """Add a service to your menu (professional kinds only)."""
    kind = parse.name(SessionKind, body.kind, "kind")
    service = Service(kind, body.length_min, body.price, body.buffer_min, body.name)
    return service_out(add_service(tc.clinic, service))


@router.get("/rules")
def get_rules(tc: ClinicDep) -> RulesOut:
    """Your weekly hours, days off, notice, hands-on hours a day, sessions a week, buffer and
    time zone (the defaults until you save them)."""
    return rules_out(tc.clinic.data.therapist_rules())


@router.put("/rules")
def put_rules(tc: ClinicDep, body: RulesIn) -> RulesOut:
    """Replace your booking rules; every later booking is checked by them."""
    rules = TherapistRules(
        hours=parse_hours(body.hours),
        days_off=frozenset(parse.day(d, "day off") for d in body.days_off),
        timezone=body.timezone.strip(),
        min_notice_h=body.min_notice_h,
        max_hands_on_h_per_day=body.max_hands_on_h_per_day,
        max_sessions_per_week=body.max_sessions_per_week,
        buffer_min=body.buffer_min,
    )
    return rules_out(save_rules(tc.clinic, rules))


# -- bookings -------------------------------------------------------------------------------


@router.post("/bookings/check")
def check_booking(tc: ClinicDep, body: BookingIn) -> CheckOut:
    """The verdict on a booking without making it: allowed, or refused with the rule IDs,
    the race and the nearest allowed starts in your hours."""
    request = request_of(tc, body)
    tc.clinic.known(request.client)
    check = bookings.check_booking(tc.clinic, request, tc.rules_for(request.client))
    tz = therapist_zone(tc)
    message = (
        "allowed"
        if check.allowed
        else bookings.refusal_message(check, tz).removeprefix("not booked: ")
    )
    race = race_near(tc, request.client, request.start.astimezone(tz).date())
    return check_out(check, message, tz, race)


@router.post("/bookings", status_code=201, responses=REFUSED, response_model=BookedOut)
def create_booking(request: Request, tc: ClinicDep, body: BookingIn) -> BookedOut | JSONResponse:
    """Book a client. A rule's refusal answers 409 with the rule and the nearest slots; an
    ``override_reason`` books it anyway (kept with who and when), except over another session
    or in the past."""
    wanted = request_of(tc, body)
    tc.clinic.known(wanted.client)
    try:
        booked, check = bookings.book(
            tc.clinic, wanted, tc.rules_for(wanted.client), override_reason=body.override_reason
        )
    except BookingRefused as error:
        return refused_response(tc, error)
    tz = therapist_zone(tc)
    return BookedOut(
        booking=booking_out(booked, tz, client_names(request, tc)), warnings=list(check.warnings)
    )


@router.get("/bookings")
def list_bookings(
    request: Request,
    tc: ClinicDep,
    start: Annotated[str, Query(alias="from", max_length=40, description="YYYY-MM-DD or ISO time")],
    end: Annotated[str, Query(alias="to", max_length=40, description="YYYY-MM-DD or ISO time")],
    cancelled: bool = False,
) -> BookingsOut:
    """Your bookings starting in [from, to), by start; a day is its midnight in your zone."""
    tz = therapist_zone(tc)
    first, last = parse_start(start, tz, "from"), parse_start(end, tz, "to")
    if last <= first:
        raise InvalidValue("'to' must come after 'from'")
    if last - first > dt.timedelta(days=MAX_RANGE_DAYS):
        raise InvalidValue(f"ask for at most {MAX_RANGE_DAYS} days at once")
    found = tc.clinic.data.bookings_between(first, last, cancelled=cancelled)
    name_of = client_names(request, tc)
    return BookingsOut(bookings=[booking_out(b, tz, name_of) for b in found])


@router.get("/bookings/{booking_id}")
def get_booking(request: Request, tc: ClinicDep, booking_id: str) -> BookingOut:
    """One booking, with its override and cancellation if any."""
    found = tc.clinic.data.get_booking(booking_id)
    return booking_out(found, therapist_zone(tc), client_names(request, tc))


@router.post("/bookings/{booking_id}/cancel")
def cancel_booking(
    request: Request, tc: ClinicDep, booking_id: str, body: CancelIn
) -> CancelledOut:
    """Cancel with a reason; the answer names the waitlisted clients the freed slot is
    offered to (those whose rules allow that day and whose service fits)."""
    cancelled, offers = bookings.cancel(tc.clinic, booking_id, body.reason, tc.rules_for)
    tz = therapist_zone(tc)
    name_of = client_names(request, tc)
    return CancelledOut(
        booking=booking_out(cancelled, tz, name_of),
        offered_to=[offer_out(o, tz, name_of) for o in offers],
    )


@router.post("/bookings/{booking_id}/move", responses=REFUSED, response_model=BookedOut)
def move_booking(
    request: Request, tc: ClinicDep, booking_id: str, body: MoveIn
) -> BookedOut | JSONResponse:
    """Rebook at a new start, checked by the same rules as a booking; a refused move answers
    409 and leaves the booking where it was."""
    tz = therapist_zone(tc)
    current = tc.clinic.data.get_booking(booking_id)
    start = parse_start(body.start, tz)
    try:
        moved, check = bookings.move(
            tc.clinic,
            booking_id,
            start,
            tc.rules_for(current.client),
            override_reason=body.override_reason,
        )
    except BookingRefused as error:
        return refused_response(tc, error)
    return BookedOut(
        booking=booking_out(moved, tz, client_names(request, tc)), warnings=list(check.warnings)
    )


# -- the waitlist ---------------------------------------------------------------------------


@router.get("/waitlist/{day}")
def waitlist_of_day(request: Request, tc: ClinicDep, day: str) -> WaitlistOut:
    """The clients waiting for a slot on ``day`` (YYYY-MM-DD, your local date), in order."""
    wanted = parse.day(day)
    name_of = client_names(request, tc)
    entries = tc.clinic.data.waitlist_on(wanted)
    return WaitlistOut(day=wanted.isoformat(), entries=[entry_out(e, name_of) for e in entries])


@router.post("/waitlist", status_code=201)
def join_waitlist(request: Request, tc: ClinicDep, body: WaitlistIn) -> WaitlistEntryOut:
    """Put a client on a day's waitlist for a service."""
    entry = bookings.join_waitlist(
        tc.clinic, ClientRef.parse(body.client), parse.day(body.day), body.service_id, body.note
    )
    return entry_out(entry, client_names(request, tc))


@router.delete("/waitlist/entries/{entry_id}", status_code=204)
def leave_waitlist(tc: ClinicDep, entry_id: str) -> None:
    """Take an entry off the waitlist."""
    tc.clinic.data.remove_from_waitlist(entry_id)
