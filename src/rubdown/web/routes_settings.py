"""JSON API routes behind the settings page: the therapist's weekly hours.

The profile itself is ``GET``/``PUT /api/profile`` (``routes_season``); the hours are a list
of their own, replaced as a whole, as the page's editor saves them.
"""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import Field

from rubdown.services import availability, views
from rubdown.services.availability import WindowText
from rubdown.web.deps import AppDep
from rubdown.web.fields import END_PATTERN, choice
from rubdown.web.models import Body, clock
from rubdown.web.responses import ERRORS

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

router = APIRouter(prefix="/api", responses=ERRORS)


class OpeningWindowIn(Body):
    weekday: str = choice(WEEKDAYS, examples=["tue"])
    start: str = clock(optional=False, examples=["09:00"], description="HH:MM, local time")
    end: str = clock(
        optional=False,
        pattern=END_PATTERN,
        examples=["17:00"],
        description="HH:MM after start; 24:00 is midnight",
    )


class AvailabilityIn(Body):
    """The whole week: every stretch the therapist takes appointments; [] means any day."""

    hours: list[OpeningWindowIn] = Field(
        default_factory=list,
        examples=[[{"weekday": "tue", "start": "09:00", "end": "17:00"}]],
        max_length=availability.MAX_WINDOWS,
    )


@router.get("/availability", tags=["profile"])
def get_availability(app: AppDep) -> views.AvailabilityView:
    """The therapist's weekly hours; professional sessions are planned only inside them."""
    return views.availability_view(availability.therapist_hours(app))


@router.put("/availability", tags=["profile"])
def put_availability(app: AppDep, body: AvailabilityIn) -> views.AvailabilityView:
    """Replace the weekly hours; nothing is stored when any stretch is refused."""
    rows = (WindowText(w.weekday, w.start, w.end) for w in body.hours)
    hours = availability.set_therapist_hours(app, availability.hours_from_rows(rows))
    return views.availability_view(hours)
