"""Booked massage sessions: a session the runner has arranged for a date after today.

A booking is stored like a logged session (``massage_sessions``); its date, after the
runner's today, is what makes it a booking. Before it is stored it meets the same rules as
``rubdown check`` (``services.planning.check_session``): when they say no, it is refused
with the rule named, unless the runner books it anyway, and then the warning comes with it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from rubdown.domain.model import MassageSession, SessionKind
from rubdown.domain.regions import Region
from rubdown.domain.rules import Finding, Verdict
from rubdown.errors import InvalidDate, NotAllowed
from rubdown.services import season
from rubdown.services.planning import check_session
from rubdown.services.runner import Runner


@dataclass(frozen=True)
class Booking:
    session: MassageSession
    verdict: Verdict

    @property
    def warnings(self) -> tuple[Finding, ...]:
        """What the rules hold against it (empty when they allow it)."""
        return tuple(f for f in self.verdict.findings if f.forbids)


def book_session(
    app: Runner,
    day: dt.date,
    kind: SessionKind,
    regions: tuple[Region, ...] = (),
    price: float | None = None,
    note: str = "",
    *,
    anyway: bool = False,
) -> Booking:
    """Store a session booked for ``day`` (after today) at ``price`` (default: the
    profile's price of the kind) once the rules allow it, or ``anyway``."""
    today = app.today()
    if day <= today:
        raise InvalidDate(
            f"{day} is not after today ({today}): `rubdown log massage` records a session"
            " that happened"
        )
    if price is None:
        price = app.profile().price_of(kind)
    season.check_money(price, "price")
    verdict = check_session(app, day, kind, regions)
    if not verdict.allowed and not anyway:
        raise NotAllowed(f"not booked: {refusal(verdict)}; --anyway books it all the same")
    stored = app.data.add_session(MassageSession(day, kind, regions, price), note=note)
    return Booking(stored, verdict)


def refusal(verdict: Verdict) -> str:
    """One line: the first finding against the session, with its rules."""
    first = next(f for f in verdict.findings if f.forbids)
    return f"{first.reason} ({', '.join(first.rules)})"


def record_massage(
    app: Runner,
    day: dt.date,
    kind: SessionKind,
    regions: tuple[Region, ...] = (),
    price: float | None = None,
    note: str = "",
    *,
    anyway: bool = False,
) -> Booking | MassageSession:
    """``log massage``: a session that happened, or, dated after today, a booking (checked
    against the rules like ``book``; ``anyway`` overrides them as there)."""
    if day > app.today():
        return book_session(app, day, kind, regions, price, note, anyway=anyway)
    return season.log_massage(app, day, kind, regions, price, note)


def split_bookings(
    app: Runner, sessions: Iterable[MassageSession]
) -> tuple[list[MassageSession], list[MassageSession]]:
    """(sessions had, sessions booked): a session dated after today is a booking."""
    today = app.today()
    had = [s for s in sessions if s.day <= today]
    booked = [s for s in sessions if s.day > today]
    return had, booked
