"""Request bodies for changing training: workout and race edits, patterns, recovery weeks,
bookings. Names and dates are strings read by ``web.parse``, as in ``web.models``."""

from __future__ import annotations

from pydantic import Field

from rubdown.domain.model import Priority, SessionKind, WorkoutKind
from rubdown.web.fields import NAME_MAX, amount, choice, date, whole
from rubdown.web.models import Body, Name, Note, Regions, clock

SPEC_MAX = 500  # "mon:easy tue:tempo ... sun:long" with room to spare


class WorkoutChanges(Body):
    """Only the fields given change."""

    date: str | None = date(optional=True, examples=["2027-04-12"])
    kind: str | None = choice(WorkoutKind, optional=True, examples=["tempo"])
    duration_min: float | None = amount(0, 1440, default=None)


class RaceChanges(Body):
    """Only the fields given change; ``{"date": ...}`` alone moves the race."""

    name: Name | None = None
    date: str | None = date(optional=True, examples=["2027-04-25"])
    priority: str | None = choice(Priority, optional=True, examples=["A"])
    distance_km: float | None = amount(0, 1000, default=None)
    start: str | None = clock(examples=["09:00"], description="start time, HH:MM")


class PatternIn(Body):
    from_date: str = date(alias="from", examples=["2027-01-04"])
    to_date: str = date(alias="to", examples=["2027-04-25"])
    spec: str = Field(
        min_length=1, max_length=SPEC_MAX, examples=["tue:tempo thu:intervals sun:long"]
    )
    recovery_every: int | None = whole(2, 52, default=None, examples=[4])
    replace: str | None = Field(
        default=None, max_length=NAME_MAX, description="the id of a pattern this replaces"
    )


class RecoveryWeekIn(Body):
    date: str = date(examples=["2027-02-03"], description="any day of the week")


class BookingIn(Body):
    date: str = date(examples=["2027-02-10"], description="a date after today")
    kind: str = choice(SessionKind, examples=["sports"])
    regions: Regions = Field(default_factory=list)
    price: float | None = amount(0, 10_000, default=None)
    note: Note = ""
    anyway: bool = Field(default=False, description="book it even when the rules say no")
