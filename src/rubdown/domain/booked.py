"""A session a therapist booked for a runner in their clinic, as the runner's own data sees it.

The booking itself lives in the therapist's clinic (``domain.clinic.booking_rules.Booking``);
the runner reads it through their data port (``RunnerData.list_bookings``) to plan around it,
show it and put it on their calendar. It is the runner's appointment: a grant revoked later
does not hide it, and only the therapist moves or cancels it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rubdown.domain.model import MassageSession, SessionKind
from rubdown.domain.regions import Region

# The id a booking carries among the season's sessions, so the planner and the views can
# tell it from one the runner logged.
BOOKING_ID = "booking:"
# How a booking with another therapist is named to a therapist reading through a grant.
OTHER_THERAPIST = "another therapist"


@dataclass(frozen=True)
class BookedSession:
    """One booking for this runner; ``day`` and ``start_at`` are in the therapist's time zone
    (where the session happens); ``therapist`` is how the therapist is named to the runner."""

    id: str
    therapist: str
    kind: SessionKind
    start_at: dt.datetime  # aware
    length_min: int
    price: float
    regions: tuple[Region, ...] = ()
    cancelled: bool = False

    @property
    def day(self) -> dt.date:
        return self.start_at.date()

    @property
    def end_at(self) -> dt.datetime:
        return self.start_at + dt.timedelta(minutes=self.length_min)

    def as_session(self) -> MassageSession:
        """The booking as the rules and the planner see a session: kept where it is, counted
        toward the frequency target and the budget (the planner's "booked" sessions)."""
        return MassageSession(
            self.day,
            self.kind,
            self.regions,
            self.price,
            id=f"{BOOKING_ID}{self.id}",
            booked_with=self.therapist,
        )


def kept_bookings(bookings: list[BookedSession]) -> tuple[MassageSession, ...]:
    """The bookings that still stand, as sessions of the season (a cancelled one is gone)."""
    return tuple(b.as_session() for b in bookings if not b.cancelled)


UPCOMING_DAYS = 7  # how far ahead ``rubdown today`` names the runner's bookings


def upcoming_bookings(bookings: list[BookedSession], day: dt.date) -> list[BookedSession]:
    """The bookings that stand from ``day`` to a week after it, by start."""
    last = day + dt.timedelta(days=UPCOMING_DAYS)
    kept = (b for b in bookings if not b.cancelled and day <= b.day <= last)
    return sorted(kept, key=lambda b: (b.start_at, b.id))
