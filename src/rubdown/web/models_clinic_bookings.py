"""The clinic's booking API in and out: request bodies (unknown fields refused, as every body
of the API) and the typed answers ``/openapi.json`` documents.

Times go in as ISO 8601 (``2027-01-05T10:00``); one without an offset is read in the
therapist's time zone, which is how a therapist says a time. Times come out with their offset
in the therapist's zone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from pydantic import BaseModel, Field

from rubdown.domain.clinic.booking_rules import (
    Booking,
    ClientRef,
    Offer,
    Refusal,
    TherapistRules,
    WaitlistEntry,
)
from rubdown.domain.clinic.services_menu import (
    MAX_BUFFER_MIN,
    MAX_LENGTH_MIN,
    MAX_PRICE,
    MIN_LENGTH_MIN,
    Service,
)
from rubdown.domain.model import PROFESSIONAL_KINDS
from rubdown.services.clinic.booking import BookingCheck
from rubdown.web.fields import NAME_MAX, TIMEZONE_MAX, amount, choice, date, whole
from rubdown.web.models import Body, Regions
from rubdown.web.responses import ErrorDetail

CLIENT_PATTERN = r"^(managed|runner):[A-Za-z0-9_.@-]{1,128}$"
START_MAX = 40
REASON_MAX = 500


def client_field() -> str:
    return Field(  # type: ignore[no-any-return]
        max_length=140,
        pattern=CLIENT_PATTERN,
        description="managed:ID (a client you entered) or runner:ID (a runner sharing with you)",
        examples=["managed:3f2a..."],
    )


def start_field() -> str:
    return Field(  # type: ignore[no-any-return]
        max_length=START_MAX,
        description="ISO 8601; without an offset it is read in your time zone",
        examples=["2027-01-05T10:00"],
    )


def reason_field(description: str) -> str:
    return Field(default="", max_length=REASON_MAX, description=description)


# -- in -----------------------------------------------------------------------------------------


class ServiceIn(Body):
    kind: str = choice(PROFESSIONAL_KINDS, examples=["deep-tissue"])
    length_min: int = whole(MIN_LENGTH_MIN, MAX_LENGTH_MIN, examples=[60])
    price: float = amount(0, MAX_PRICE, examples=[80.0])
    buffer_min: int = whole(0, MAX_BUFFER_MIN, default=0, description="kept free afterwards")
    name: str = Field(default="", max_length=NAME_MAX)


class RulesIn(Body):
    hours: str = Field(
        default="",
        max_length=2000,
        description='weekly hours, "mon 09:00-17:00, sat 09:00-12:00"; empty: any time',
    )
    days_off: list[str] = Field(default_factory=list, max_length=400)
    timezone: str = Field(default="UTC", max_length=TIMEZONE_MAX, examples=["Europe/London"])
    min_notice_h: int = whole(0, 720, default=24)
    max_hands_on_h_per_day: float = amount(0.5, 16, default=6.0)
    max_sessions_per_week: int | None = whole(1, 200, default=None)
    buffer_min: int = whole(0, 120, default=0)


class BookingIn(Body):
    client: str = client_field()
    service_id: str = Field(max_length=64)
    start: str = start_field()
    regions: Regions = Field(default_factory=list)
    override_reason: str = reason_field(
        "book although a rule refuses: the written reason, kept with the booking"
    )


class CancelIn(Body):
    reason: str = Field(min_length=1, max_length=REASON_MAX)


class MoveIn(Body):
    start: str = start_field()
    override_reason: str = reason_field("move although a rule refuses: the written reason")


class WaitlistIn(Body):
    client: str = client_field()
    day: str = date(examples=["2027-01-08"])
    service_id: str = Field(max_length=64)
    note: str = Field(default="", max_length=REASON_MAX)


# -- out ----------------------------------------------------------------------------------------


class ServiceOut(BaseModel):
    id: str
    kind: str
    name: str
    label: str
    length_min: int
    price: float
    buffer_min: int


class ServicesOut(BaseModel):
    services: list[ServiceOut]


class RulesOut(BaseModel):
    hours: str
    days_off: list[str]
    timezone: str
    min_notice_h: int
    max_hands_on_h_per_day: float
    max_sessions_per_week: int | None
    buffer_min: int


class RefusalOut(BaseModel):
    rule: str
    message: str
    overridable: bool


class RaceOut(BaseModel):
    name: str
    date: str
    priority: str


class CheckOut(BaseModel):
    allowed: bool
    overridable: bool
    message: str
    rules: list[str]
    refusals: list[RefusalOut]
    warnings: list[str]
    race: RaceOut | None
    earlier: str | None
    later: str | None


class BookingRefusalDetail(ErrorDetail):
    """The error shape's ``error`` with what the check found: the rules, each refusal, the
    client's race nearest the day (a managed client's), and the nearest allowed starts."""

    overridable: bool
    rules: list[str]
    refusals: list[RefusalOut]
    warnings: list[str]
    race: RaceOut | None
    earlier: str | None
    later: str | None


class BookingRefusalBody(BaseModel):
    """A booking or a move a rule refused (409)."""

    error: BookingRefusalDetail


class OverrideOut(BaseModel):
    reason: str
    by: str
    at: str
    refused: list[str]


class CancellationOut(BaseModel):
    reason: str
    by: str
    at: str


class BookingOut(BaseModel):
    id: str
    client: str
    client_name: str
    service_id: str
    kind: str
    kind_label: str
    start: str
    end: str
    length_min: int
    price: float
    regions: list[str]
    override: OverrideOut | None
    cancelled: CancellationOut | None


class BookingsOut(BaseModel):
    bookings: list[BookingOut]


class BookedOut(BaseModel):
    booking: BookingOut
    warnings: list[str]


class OfferOut(BaseModel):
    entry_id: str
    client: str
    client_name: str
    start: str


class CancelledOut(BaseModel):
    booking: BookingOut
    offered_to: list[OfferOut]


class WaitlistEntryOut(BaseModel):
    id: str
    client: str
    client_name: str
    day: str
    service_id: str
    note: str
    added_at: str


class WaitlistOut(BaseModel):
    day: str
    entries: list[WaitlistEntryOut]


# -- building the answers -------------------------------------------------------------------


def service_out(service: Service) -> ServiceOut:
    return ServiceOut(
        id=service.id,
        kind=str(service.kind),
        name=service.name,
        label=service.label,
        length_min=service.length_min,
        price=service.price,
        buffer_min=service.buffer_min,
    )


def rules_out(rules: TherapistRules) -> RulesOut:
    return RulesOut(
        hours=", ".join(w.label for w in rules.hours.windows),
        days_off=sorted(d.isoformat() for d in rules.days_off),
        timezone=rules.timezone,
        min_notice_h=rules.min_notice_h,
        max_hands_on_h_per_day=rules.max_hands_on_h_per_day,
        max_sessions_per_week=rules.max_sessions_per_week,
        buffer_min=rules.buffer_min,
    )


def refusal_out(refusal: Refusal) -> RefusalOut:
    return RefusalOut(rule=refusal.rule, message=refusal.line, overridable=refusal.overridable)


def rule_ids(refusals: tuple[Refusal, ...]) -> list[str]:
    seen: dict[str, None] = {}
    for refusal in refusals:
        seen.update(dict.fromkeys(part.strip() for part in refusal.rule.split(",")))
    return list(seen)


def moment(value: dt.datetime | None, tz: dt.tzinfo) -> str | None:
    return None if value is None else value.astimezone(tz).isoformat()


def booking_out(booking: Booking, tz: dt.tzinfo, name_of: Callable[[ClientRef], str]) -> BookingOut:
    override, cancelled = booking.override, booking.cancelled
    return BookingOut(
        id=booking.id,
        client=str(booking.client),
        client_name=name_of(booking.client),
        service_id=booking.service_id,
        kind=str(booking.kind),
        kind_label=booking.kind.label,
        start=booking.start.astimezone(tz).isoformat(),
        end=booking.end.astimezone(tz).isoformat(),
        length_min=booking.length_min,
        price=booking.price,
        regions=[str(r) for r in booking.regions],
        override=None
        if override is None
        else OverrideOut(
            reason=override.reason,
            by=override.by,
            at=override.at.isoformat(),
            refused=list(override.refused),
        ),
        cancelled=None
        if cancelled is None
        else CancellationOut(reason=cancelled.reason, by=cancelled.by, at=cancelled.at.isoformat()),
    )


def entry_out(entry: WaitlistEntry, name_of: Callable[[ClientRef], str]) -> WaitlistEntryOut:
    return WaitlistEntryOut(
        id=entry.id,
        client=str(entry.client),
        client_name=name_of(entry.client),
        day=entry.day.isoformat(),
        service_id=entry.service_id,
        note=entry.note,
        added_at=entry.added_at.isoformat(),
    )


def offer_out(offer: Offer, tz: dt.tzinfo, name_of: Callable[[ClientRef], str]) -> OfferOut:
    return OfferOut(
        entry_id=offer.entry.id,
        client=str(offer.entry.client),
        client_name=name_of(offer.entry.client),
        start=offer.start.astimezone(tz).isoformat(),
    )


def check_out(check: BookingCheck, message: str, tz: dt.tzinfo, race: RaceOut | None) -> CheckOut:
    return CheckOut(
        allowed=check.allowed,
        overridable=check.overridable,
        message=message,
        rules=rule_ids(check.refusals),
        refusals=[refusal_out(r) for r in check.refusals],
        warnings=list(check.warnings),
        race=race,
        earlier=moment(check.earlier, tz),
        later=moment(check.later, tz),
    )
