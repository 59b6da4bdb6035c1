"""Booking a client with a therapist: checked by the client's rules, their intake and the
therapist's own rules; refused with the rule named and the nearest allowed slots offered;
overridden only with a written reason, which is kept with who and when.

A refusal speaks of the client as the therapist reads it: "deep tissue on Thu 15 Apr is 3
days before their A race, Boston Marathon, this client's cautious policy wants 7 (T3)".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from rubdown.domain.clinic.booking_rules import (
    Booking,
    Cancellation,
    ClientRef,
    Offer,
    Override,
    Refusal,
    TherapistRules,
    WaitlistEntry,
    nearest_slots,
    therapist_refusals,
    waitlist_offers,
)
from rubdown.domain.clinic.clinic_data import BOOKING_WINDOW
from rubdown.domain.clinic.intake import screen
from rubdown.domain.clinic.services_menu import Service
from rubdown.domain.regions import Region
from rubdown.domain.rules import Verdict, show_day
from rubdown.errors import BookingRefused, InvalidValue, NotFound
from rubdown.services.clinic.context import ClientRules, Clinic, zone

MAX_REASON_CHARS = 500
SAFETY_RULES = frozenset({"X1", "R3", "R4", "R5"})


@dataclass(frozen=True)
class BookingRequest:
    client: ClientRef
    service_id: str
    start: dt.datetime  # aware
    regions: tuple[Region, ...] = ()


@dataclass(frozen=True)
class BookingCheck:
    """The answer to "may I book this?": every refusal, the warnings, and when refused the
    nearest allowed starts before and after (None where there is none)."""

    request: BookingRequest
    service: Service
    refusals: tuple[Refusal, ...]
    warnings: tuple[str, ...]
    verdict: Verdict
    earlier: dt.datetime | None = None
    later: dt.datetime | None = None

    @property
    def allowed(self) -> bool:
        return not self.refusals

    @property
    def overridable(self) -> bool:
        return all(r.overridable for r in self.refusals)


def client_words(verdict: Verdict) -> list[Refusal]:
    """The rules engine's refusals, said of the client rather than to the runner."""
    policy = verdict.policy.name
    refusals = []
    for finding in verdict.findings:
        if not finding.forbids:
            continue
        reason = finding.reason.replace("your ", "their ")
        reason = reason.replace(f"; {policy} policy", f", this client's {policy} policy")
        refusals.append(Refusal(", ".join(finding.rules), reason))
    return refusals


def check_booking(
    clinic: Clinic, request: BookingRequest, rules_of: ClientRules, *, moving: str = ""
) -> BookingCheck:
    """Judge a booking without storing anything. ``moving`` names a booking being moved: it
    is left out of the others, so it does not stand in its own way."""
    if request.start.tzinfo is None:
        raise InvalidValue("a booking's start must carry its time zone")
    data = clinic.data
    service = data.get_service(request.service_id)
    rules = data.therapist_rules()
    tz = zone(rules.timezone)
    now = clinic.now()
    day = request.start.astimezone(tz).date()
    verdict = rules_of(day, service.kind, request.regions)
    refusals = client_words(verdict)
    # Safety said without refusing (a flag away from the regions named, heel pain to refer,
    # check-ins not shared) reaches the therapist as a warning.
    warnings = [f.reason for f in verdict.findings if not f.forbids and set(f.rules) & SAFETY_RULES]
    intake_blocks = False
    intake = data.latest_intake(request.client)
    if intake is None:
        warnings.append("no intake on file for this client: ask them to fill one in and sign it")
    elif not intake.valid_at(request.start):
        warnings.append(
            f"the intake signed on {intake.signed_at:%Y-%m-%d} runs out on "
            f"{intake.expires_at:%Y-%m-%d}, before this session: ask the client to renew it"
        )
    else:
        for finding in screen(intake, clinic.screening, service.kind, request.regions):
            if finding.forbids:
                refusals.append(Refusal(finding.question.id, finding.message))
                intake_blocks = True
            else:
                warnings.append(finding.message)
    others = _without(
        data.bookings_between(request.start - BOOKING_WINDOW, request.start + BOOKING_WINDOW),
        moving,
    )
    refusals += therapist_refusals(
        rules, tz, request.start, service.length_min, service.buffer_min, others, now
    )
    earlier = later = None
    if refusals and not intake_blocks:
        # The intake refuses on every day alike: no other slot would be any better.
        def day_allowed(candidate: dt.date) -> bool:
            return rules_of(candidate, service.kind, request.regions).allowed

        earlier, later = nearest_slots(
            rules,
            tz,
            request.start,
            service.length_min,
            service.buffer_min,
            _without(_around(data.bookings_between, request.start), moving),
            now,
            day_allowed,
        )
    return BookingCheck(request, service, tuple(refusals), tuple(warnings), verdict, earlier, later)


def _without(bookings: list[Booking], booking_id: str) -> list[Booking]:
    return [b for b in bookings if not booking_id or b.id != booking_id]


def _around(
    between: Callable[[dt.datetime, dt.datetime], list[Booking]], start: dt.datetime
) -> list[Booking]:
    """The bookings the nearest-slot search may meet: as far as it looks either side."""
    reach = dt.timedelta(days=61) + BOOKING_WINDOW
    return between(start - reach, start + reach)


def refusal_message(check: BookingCheck, tz: dt.tzinfo, done: str = "booked") -> str:
    """One line: the first refusal, the nearest allowed slots, and how to override;
    ``done`` is what did not happen ("booked", "moved")."""
    hard = [r for r in check.refusals if not r.overridable]
    first = (hard or list(check.refusals))[0]
    text = f"not {done}: {first.line}"
    more = len(check.refusals) - 1
    if more:
        text += f" (and {more} more)"
    slots = [_slot(s, tz) for s in (check.earlier, check.later) if s is not None]
    if slots:
        text += f"; nearest allowed: {' or '.join(slots)}"
    if not hard:
        text += "; an override needs a written reason"
    return text


def _slot(moment: dt.datetime, tz: dt.tzinfo) -> str:
    local = moment.astimezone(tz)
    return f"{show_day(local.date())} {local:%H:%M}"


def book(
    clinic: Clinic,
    request: BookingRequest,
    rules_of: ClientRules,
    *,
    override_reason: str = "",
) -> tuple[Booking, BookingCheck]:
    """Store the booking once every rule allows it, or once the therapist gives a written
    reason to override the refusals (recorded with who and when). ``BookingRefused`` carries
    the check otherwise."""
    clinic.known(request.client)
    check = check_booking(clinic, request, rules_of)
    rules = clinic.data.therapist_rules()
    tz = zone(rules.timezone)
    reason = _reason(override_reason)
    if check.refusals and (not reason or not check.overridable):
        raise BookingRefused(refusal_message(check, tz), check)
    now = clinic.now()
    overridden = tuple(r.line for r in check.refusals)
    service = check.service
    booking = Booking(
        client=request.client,
        service_id=service.id,
        kind=service.kind,
        start=request.start,
        length_min=service.length_min,
        buffer_min=service.buffer_min,
        price=service.price,
        regions=request.regions,
        booked_by=clinic.therapist_id,
        booked_at=now,
        override=Override(reason, clinic.therapist_id, now, overridden) if overridden else None,
    )
    return clinic.data.book(booking, _recheck(check, overridden, tz, rules, now)), check


def _reason(override_reason: str) -> str:
    reason = " ".join(override_reason.split())
    if len(reason) > MAX_REASON_CHARS:
        raise InvalidValue(f"a reason holds at most {MAX_REASON_CHARS} characters")
    return reason


def _recheck(
    check: BookingCheck,
    overridden: tuple[str, ...],
    tz: dt.tzinfo,
    rules: TherapistRules,
    now: dt.datetime,
    moving: str = "",
    done: str = "booked",
) -> Callable[[list[Booking]], None]:
    """What the store asks under the therapist's lock: another booking may have been stored
    since the check, so the therapist's rules are asked again; only what was overridden may
    still refuse."""
    request, service = check.request, check.service

    def recheck(current: list[Booking]) -> None:
        again = therapist_refusals(
            rules,
            tz,
            request.start,
            service.length_min,
            service.buffer_min,
            _without(current, moving),
            now,
        )
        new = [r for r in again if not r.overridable or r.line not in overridden]
        if new:
            late = BookingCheck(
                request, service, tuple(new), check.warnings, check.verdict, None, None
            )
            raise BookingRefused(refusal_message(late, tz, done), late)

    return recheck


def move(
    clinic: Clinic,
    booking_id: str,
    start: dt.datetime,
    rules_of: ClientRules,
    *,
    override_reason: str = "",
) -> tuple[Booking, BookingCheck]:
    """Rebook an active booking at ``start``: the same client, service and regions, checked
    by the same rules as a new booking (the booking itself left out of the others). A refused
    move changes nothing: the booking keeps its time. An override needs a written reason and
    replaces the one the booking had; an allowed move keeps the earlier override on record."""
    data = clinic.data
    current = data.get_booking(booking_id)
    if not current.active:
        raise InvalidValue("that booking was cancelled: book a new one instead")
    clinic.known(current.client)
    request = BookingRequest(current.client, current.service_id, start, current.regions)
    check = check_booking(clinic, request, rules_of, moving=booking_id)
    rules = data.therapist_rules()
    tz = zone(rules.timezone)
    reason = _reason(override_reason)
    if check.refusals and (not reason or not check.overridable):
        raise BookingRefused(refusal_message(check, tz, "moved"), check)
    now = clinic.now()
    overridden = tuple(r.line for r in check.refusals)
    override = Override(reason, clinic.therapist_id, now, overridden) if overridden else None
    service = check.service
    moved = replace(
        current,
        start=start,
        length_min=service.length_min,
        buffer_min=service.buffer_min,
        override=override or current.override,
    )
    recheck = _recheck(check, overridden, tz, rules, now, moving=booking_id, done="moved")
    return data.move_booking(moved, recheck), check


def cancel(
    clinic: Clinic,
    booking_id: str,
    reason: str,
    rules_for: Callable[[ClientRef], ClientRules],
) -> tuple[Booking, list[Offer]]:
    """Cancel with a reason; the freed slot is offered to the day's waitlist, in its order,
    to the clients whose rules (and intake) allow that day and whose service fits there."""
    cleaned = " ".join(reason.split())
    if not cleaned:
        raise InvalidValue("a cancellation needs a reason")
    if len(cleaned) > MAX_REASON_CHARS:
        raise InvalidValue(f"a reason holds at most {MAX_REASON_CHARS} characters")
    data = clinic.data
    now = clinic.now()
    cancelled = data.cancel_booking(booking_id, Cancellation(cleaned, clinic.therapist_id, now))
    rules = data.therapist_rules()
    tz = zone(rules.timezone)
    day = cancelled.start.astimezone(tz).date()
    others = data.bookings_between(
        cancelled.start - BOOKING_WINDOW, cancelled.start + BOOKING_WINDOW
    )
    services = {s.id: s for s in data.list_services()}

    def length_of(entry: WaitlistEntry) -> tuple[int, int]:
        service = services[entry.service_id]
        return service.length_min, service.buffer_min

    def client_allows(entry: WaitlistEntry) -> bool:
        service = services[entry.service_id]
        try:
            verdict = rules_for(entry.client)(entry.day, service.kind, ())
        except NotFound:
            return False  # a runner who stopped sharing, a client no longer there
        if not verdict.allowed:
            return False
        intake = data.latest_intake(entry.client)
        if intake is None or not intake.valid_at(cancelled.start):
            return True  # booking them warns, as any booking without an intake does
        return not any(f.forbids for f in screen(intake, clinic.screening, service.kind))

    offers = waitlist_offers(
        cancelled, data.waitlist_on(day), length_of, rules, tz, others, now, client_allows
    )
    return cancelled, offers


def join_waitlist(
    clinic: Clinic, client: ClientRef, day: dt.date, service_id: str, note: str = ""
) -> WaitlistEntry:
    """Put a client on the waitlist of ``day`` (the therapist's local date) for a service."""
    data = clinic.data
    data.get_service(service_id)  # NotFound for another therapist's or none
    clinic.known(client)
    today = clinic.now().astimezone(zone(data.therapist_rules().timezone)).date()
    if day < today:
        raise InvalidValue(f"{day} is past: a waitlist is for a day still to come")
    entry = WaitlistEntry(client, day, service_id, clinic.now(), " ".join(note.split()))
    return data.add_to_waitlist(entry)


def day_bookings(clinic: Clinic, day: dt.date) -> Sequence[Booking]:
    """The therapist's active bookings on ``day`` (their local date), by start."""
    tz = zone(clinic.data.therapist_rules().timezone)
    first = dt.datetime.combine(day, dt.time(), tzinfo=tz)
    return clinic.data.bookings_between(first, first + dt.timedelta(days=1))
