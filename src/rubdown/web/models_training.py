"""Request bodies for changing training: workout and race edits, patterns, recovery weeks,
bookings. Names and dates are strings read by ``web.parse``, as in ``web.models``."""

from __future__ import annotations

from pydantic import Field

from rubdown.web.models import Body


class WorkoutChanges(Body):
    """Only the fields given change."""

    date: str | None = Field(default=None, examples=["2027-04-12"])
    kind: str | None = Field(
        default=None, examples=["tempo"], description="easy|long|tempo|intervals|hill|race|rest"
    )
    duration_min: float | None = None


class RaceChanges(Body):
    """Only the fields given change; ``{"date": ...}`` alone moves the race."""

    name: str | None = None
    date: str | None = Field(default=None, examples=["2027-04-25"], description="YYYY-MM-DD")
    priority: str | None = Field(default=None, examples=["A"], description="A|B|C")
    distance_km: float | None = None
    start: str | None = Field(default=None, examples=["09:00"], description="start time, HH:MM")


class PatternIn(Body):
    from_date: str = Field(alias="from", examples=["2027-01-04"])
    to_date: str = Field(alias="to", examples=["2027-04-25"])
    spec: str = Field(examples=["tue:tempo thu:intervals sun:long"])
    recovery_every: int | None = Field(default=None, examples=[4])
    replace: str | None = Field(default=None, description="the id of a pattern this replaces")


class RecoveryWeekIn(Body):
    date: str = Field(examples=["2027-02-03"], description="any day of the week")


class BookingIn(Body):
    date: str = Field(examples=["2027-02-10"], description="a date after today")
    kind: str = Field(examples=["sports"])
    regions: list[str] = Field(default_factory=list)
    price: float | None = None
    note: str = ""
    anyway: bool = Field(default=False, description="book it even when the rules say no")
