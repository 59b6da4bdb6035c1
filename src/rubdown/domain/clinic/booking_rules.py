"""A therapist's booking rules, and the clients they book: what a slot must meet on the
therapist's side, whatever the client's races say.

The client's side (the rules engine under the client's policy, ``domain.rules``) and the
intake screen (``domain.clinic.intake``) are asked by the use case; this module answers only
for the therapist: their weekly hours and days off, the notice they need, the hands-on hours
a day and sessions a week they take at most, and the buffers between sessions.

Times: a booking starts at an aware moment; the therapist's hours and days are read in the
therapist's time zone (``tz``), which the caller resolves from ``TherapistRules.timezone``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from rubdown.domain.availability import WeeklyHours, clock_text
from rubdown.domain.model import Condition, PolicyName, Race, SessionKind
from rubdown.domain.regions import Region
from rubdown.domain.rules import show_day
from rubdown.errors import InvalidValue

DEFAULT_HANDS_ON_H = 6.0  # a day's hands-on work most therapists keep under
SLOT_STEP_MIN = 15  # offered starts fall on the quarter hour
SLOT_SEARCH_DAYS = 60  # how far either side of a refused slot the nearest allowed ones are sought


class ClientKind(StrEnum):
    """A runner who uses rubdown (their runner ID) or a client the therapist enters (a
    clinic-local ID)."""

    RUNNER = "runner"
    MANAGED = "managed"


@dataclass(frozen=True)
class ClientRef:
    kind: ClientKind
    id: str

    def __str__(self) -> str:
        return f"{self.kind}:{self.id}"

    @classmethod
    def parse(cls, text: str) -> ClientRef:
        """``managed:ID`` or ``runner:ID``, as ``str`` writes it (paths, forms, the CLI)."""
        kind, colon, client_id = text.strip().partition(":")
        if not colon or kind not in ("managed", "runner") or not client_id:
            raise InvalidValue(f"a client is managed:ID or runner:ID, not {text!r}")
        return cls(ClientKind(kind), client_id)


@dataclass(frozen=True)
class ManagedClient:
    """A runner who does not use rubdown, entered by the therapist: their races are the only
    dates the rules engine sees for them, under their ``policy``."""

    name: str
    races: tuple[Race, ...] = ()
    conditions: frozenset[Condition] = frozenset()
    policy: PolicyName = PolicyName.STANDARD
    id: str = ""

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise InvalidValue("a client needs a name")

    @property
    def ref(self) -> ClientRef:
        return ClientRef(ClientKind.MANAGED, self.id)


@dataclass(frozen=True)
class TherapistRules:
    """What every booking with this therapist must meet. No hours means any time of any day;
    ``max_sessions_per_week`` None means no weekly limit; ``buffer_min`` is the least time
    between two sessions, whatever their services' own turnover."""

    hours: WeeklyHours = field(default_factory=WeeklyHours)
    days_off: frozenset[dt.date] = frozenset()
    timezone: str = "UTC"
    min_notice_h: int = 24
    max_hands_on_h_per_day: float = DEFAULT_HANDS_ON_H
    max_sessions_per_week: int | None = None
    buffer_min: int = 0

    def __post_init__(self) -> None:
        if not 0 <= self.min_notice_h <= 24 * 30:
            raise InvalidValue(f"notice is 0 to 720 hours, not {self.min_notice_h}")
        if not 0.5 <= self.max_hands_on_h_per_day <= 16:
            raise InvalidValue(
                f"hands-on hours a day are 0.5 to 16, not {self.max_hands_on_h_per_day}"
            )
        if self.max_sessions_per_week is not None and not 1 <= self.max_sessions_per_week <= 200:
            raise InvalidValue(
                f"sessions a week are 1 to 200 (or no limit), not {self.max_sessions_per_week}"
            )
        if not 0 <= self.buffer_min <= 120:
            raise InvalidValue(f"a buffer is 0 to 120 minutes, not {self.buffer_min}")


@dataclass(frozen=True)
class Override:
    """A booking made although a rule refused it: the written reason, who, when, and the
    refusals it overrode, as they were said."""

    reason: str
    by: str
    at: dt.datetime
    refused: tuple[str, ...]


@dataclass(frozen=True)
class Cancellation:
    reason: str
    by: str
    at: dt.datetime


@dataclass(frozen=True)
class Booking:
    client: ClientRef
    service_id: str
    kind: SessionKind
    start: dt.datetime  # aware
    length_min: int
    buffer_min: int
    price: float
    regions: tuple[Region, ...] = ()
    booked_by: str = ""
    booked_at: dt.datetime | None = None
    override: Override | None = None
    cancelled: Cancellation | None = None
    id: str = ""

    @property
    def end(self) -> dt.datetime:
        return self.start + dt.timedelta(minutes=self.length_min)

    @property
    def active(self) -> bool:
        return self.cancelled is None


@dataclass(frozen=True)
class Refusal:
    """One reason a slot cannot be booked: ``rule`` is a therapist rule's name ("hours"), the
    rule IDs of the rules engine ("T3") or an intake question's ID. An overlap with another
    session and a time already past cannot be overridden."""

    rule: str
    message: str
    overridable: bool = True

    @property
    def line(self) -> str:
        return f"{self.message} ({self.rule})"


@dataclass(frozen=True)
class WaitlistEntry:
    """A client waiting for a slot on ``day`` (the therapist's local date)."""

    client: ClientRef
    day: dt.date
    service_id: str
    added_at: dt.datetime
    note: str = ""
    id: str = ""


def _hours_word(hours: float) -> str:
    shown = f"{hours:.1f}".rstrip("0").rstrip(".")
    return f"{shown} hour" if shown == "1" else f"{shown} hours"


def _at(moment: dt.datetime, tz: dt.tzinfo) -> str:
    local = moment.astimezone(tz)
    return f"{show_day(local.date())} {clock_text(local.hour * 60 + local.minute)}"


def therapist_refusals(
    rules: TherapistRules,
    tz: dt.tzinfo,
    start: dt.datetime,
    length_min: int,
    buffer_min: int,
    others: Iterable[Booking],
    now: dt.datetime,
) -> list[Refusal]:
    """Every therapist rule a session of ``length_min`` at ``start`` breaks, given the
    therapist's ``others`` bookings (cancelled ones and the session itself are skipped by the
    caller or here: only active bookings count)."""
    refusals: list[Refusal] = []
    local = start.astimezone(tz)
    day = local.date()
    end = start + dt.timedelta(minutes=length_min)
    shown = _at(start, tz)
    if start <= now:
        refusals.append(Refusal("notice", f"{shown} is already past", overridable=False))
    elif start - now < dt.timedelta(hours=rules.min_notice_h):
        ahead = (start - now).total_seconds() / 3600
        refusals.append(
            Refusal(
                "notice",
                f"{shown} is {_hours_word(ahead)} away; the therapist asks for "
                f"{_hours_word(rules.min_notice_h)}' notice",
            )
        )
    if day in rules.days_off:
        refusals.append(Refusal("day-off", f"{show_day(day)} is one of the therapist's days off"))
    if rules.hours.is_set and not _within_hours(rules.hours, local, length_min):
        windows = ", ".join(w.times for w in rules.hours.on(day))
        where = (
            f"the therapist's hours that day ({windows})"
            if windows
            else (f"the therapist's hours: none on {local:%A}s ({rules.hours.label()})")
        )
        refusals.append(Refusal("hours", f"{length_min} minutes from {shown} fall outside {where}"))
    active = [b for b in others if b.active]
    for other in active:
        if start < other.end and other.start < end:
            refusals.append(
                Refusal(
                    "overlap",
                    f"{shown} overlaps the session booked at {_at(other.start, tz)}",
                    overridable=False,
                )
            )
            continue
        after_other = max(other.buffer_min, rules.buffer_min)
        after_this = max(buffer_min, rules.buffer_min)
        if start < other.end + dt.timedelta(minutes=after_other) and other.start < end + (
            dt.timedelta(minutes=after_this)
        ):
            gap = after_other if other.start < start else after_this
            refusals.append(
                Refusal(
                    "buffer",
                    f"{shown} leaves less than {gap} minutes between it and the session at "
                    f"{_at(other.start, tz)}",
                )
            )
    same_day = sum(b.length_min for b in active if b.start.astimezone(tz).date() == day)
    limit_min = rules.max_hands_on_h_per_day * 60
    if same_day + length_min > limit_min:
        refusals.append(
            Refusal(
                "daily-hands-on",
                f"{show_day(day)} would hold {_hours_word((same_day + length_min) / 60)} of "
                f"hands-on work; the therapist's limit is "
                f"{_hours_word(rules.max_hands_on_h_per_day)} a day",
            )
        )
    if rules.max_sessions_per_week is not None:
        monday = day - dt.timedelta(days=day.weekday())
        week = [b for b in active if _monday(b.start.astimezone(tz).date()) == monday]
        if len(week) + 1 > rules.max_sessions_per_week:
            refusals.append(
                Refusal(
                    "weekly-sessions",
                    f"the week of {show_day(monday)} would hold {len(week) + 1} sessions; the "
                    f"therapist takes at most {rules.max_sessions_per_week} a week",
                )
            )
    return refusals


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _within_hours(hours: WeeklyHours, local: dt.datetime, length_min: int) -> bool:
    first = local.hour * 60 + local.minute
    last = first + length_min
    return any(w.start_minute <= first and last <= w.end_minute for w in hours.on(local.date()))


def candidate_starts(
    rules: TherapistRules, tz: dt.tzinfo, day: dt.date, length_min: int
) -> list[dt.datetime]:
    """The quarter-hour starts on ``day`` at which a session of ``length_min`` fits inside
    the therapist's hours (any time of the day without hours), earliest first."""
    if day in rules.days_off:
        return []
    spans = (
        [(w.start_minute, w.end_minute) for w in rules.hours.on(day)]
        if rules.hours.is_set
        else [(0, 24 * 60)]
    )
    starts: list[dt.datetime] = []
    for first, last in spans:
        minute = -(-first // SLOT_STEP_MIN) * SLOT_STEP_MIN
        while minute + length_min <= last:
            naive = dt.datetime.combine(day, dt.time(minute // 60, minute % 60))
            starts.append(naive.replace(tzinfo=tz))
            minute += SLOT_STEP_MIN
    return sorted(starts)


def nearest_slots(
    rules: TherapistRules,
    tz: dt.tzinfo,
    start: dt.datetime,
    length_min: int,
    buffer_min: int,
    others: Sequence[Booking],
    now: dt.datetime,
    day_allowed: Callable[[dt.date], bool],
) -> tuple[dt.datetime | None, dt.datetime | None]:
    """The nearest start before ``start`` and the nearest after it that the therapist's rules
    allow on a day ``day_allowed`` (the client's side) says yes to; None where there is none
    within ``SLOT_SEARCH_DAYS``. ``day_allowed`` is asked once per day at most."""
    asked: dict[dt.date, bool] = {}

    def allowed_day(day: dt.date) -> bool:
        if day not in asked:
            asked[day] = day_allowed(day)
        return asked[day]

    # A candidate is checked only against the bookings that can refuse it: those of its
    # week (the weekly cap; the daily cap and overlaps are inside it) and a day either side
    # (a buffer across midnight). Checking every booking for every quarter hour of a month
    # made a refusal's search grow with the whole calendar.
    active = [(b.start.astimezone(tz).date(), b) for b in others if b.active]
    by_week: dict[dt.date, list[Booking]] = {}

    def near(day: dt.date) -> list[Booking]:
        monday = _monday(day)
        if monday not in by_week:
            first, last = monday - dt.timedelta(days=1), monday + dt.timedelta(days=7)
            by_week[monday] = [b for on, b in active if first <= on <= last]
        return by_week[monday]

    def first_fit(candidates: Iterable[dt.datetime], day: dt.date) -> dt.datetime | None:
        bookings = near(day)
        for c in candidates:
            if not therapist_refusals(rules, tz, c, length_min, buffer_min, bookings, now):
                return c
        return None

    first_day = start.astimezone(tz).date()
    earliest_day = now.astimezone(tz).date()
    earlier: dt.datetime | None = None
    for back in range(SLOT_SEARCH_DAYS + 1):
        day = first_day - dt.timedelta(days=back)
        if day < earliest_day:
            break
        starts = candidate_starts(rules, tz, day, length_min)
        found = first_fit((c for c in reversed(starts) if now < c < start), day)
        if found is not None and allowed_day(day):
            earlier = found
            break
    later: dt.datetime | None = None
    for ahead in range(SLOT_SEARCH_DAYS + 1):
        day = first_day + dt.timedelta(days=ahead)
        starts = candidate_starts(rules, tz, day, length_min)
        found = first_fit((c for c in starts if c > start), day)
        if found is not None and allowed_day(day):
            later = found
            break
    return earlier, later


@dataclass(frozen=True)
class Offer:
    """A freed slot offered to a waitlisted client."""

    entry: WaitlistEntry
    start: dt.datetime


def waitlist_offers(
    freed: Booking,
    entries: Sequence[WaitlistEntry],
    length_of: Callable[[WaitlistEntry], tuple[int, int]],
    rules: TherapistRules,
    tz: dt.tzinfo,
    others: Sequence[Booking],
    now: dt.datetime,
    client_allows: Callable[[WaitlistEntry], bool],
) -> list[Offer]:
    """Who is offered the freed slot, in waitlist order: entries for the freed booking's day
    whose service fits at its start under the therapist's rules (``others`` no longer holds
    the freed booking) and whose client's rules allow the day. ``length_of`` gives an
    entry's service (length, buffer) in minutes."""
    day = freed.start.astimezone(tz).date()
    offers: list[Offer] = []
    for entry in sorted(entries, key=lambda e: (e.added_at, e.id)):
        if entry.day != day:
            continue
        length_min, buffer_min = length_of(entry)
        clash = therapist_refusals(rules, tz, freed.start, length_min, buffer_min, others, now)
        if clash or not client_allows(entry):
            continue
        offers.append(Offer(entry, freed.start))
    return offers
