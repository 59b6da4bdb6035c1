"""The Settings page: the profile and the therapist's weekly hours.

Both forms post to ``/ui/settings/...``, which read the form and go through the very code
``PUT /api/profile`` and ``PUT /api/availability`` run, then answer with a fragment saying
"Saved" and what is stored now. A value the services refuse comes back as the API's JSON
error (422), which ``rubdown.js`` shows in ``#flash``; nothing is stored then.

The profile form is the whole profile, so an empty load value means "estimate it from my
data" (it is cleared), where the API leaves a field it is not given as it is.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from rubdown.domain.model import Profile
from rubdown.domain.units import pace_to_seconds_per_km
from rubdown.errors import InvalidValue
from rubdown.services import availability, views
from rubdown.services.availability import WindowText
from rubdown.web.deps import AppDep
from rubdown.web.models import ProfileChanges
from rubdown.web.presenters.settings import settings_page_view, shown_load_value
from rubdown.web.render import render_fragment, render_page
from rubdown.web.routes_season import put_profile

router = APIRouter(include_in_schema=False)

Text = Annotated[str, Form()]
Texts = Annotated[list[str], Form()]


@router.get("/settings", response_class=HTMLResponse)
def settings_page(request: Request, app: AppDep) -> HTMLResponse:
    return render_page(
        request,
        app,
        "pages/settings.html",
        active="settings",
        title="Settings",
        view=settings_page_view(app),
    )


@router.post("/ui/settings/profile", response_class=HTMLResponse)
def save_profile(
    app: AppDep,
    name: Text = "",
    timezone: Text = "",
    policy: Text = "",
    frequency: Text = "",
    budget_per_month: Text = "",
    session_price: Text = "",
    sports_price: Text = "",
    flush_price: Text = "",
    post_event_price: Text = "",
    session_time: Text = "",
    session_minutes: Text = "",
    tools: Texts = [],  # noqa: B006 (FastAPI copies the default per request)
    desk_job: Text = "",
    max_hr_bpm: Text = "",
    resting_hr_bpm: Text = "",
    threshold_hr_bpm: Text = "",
    threshold_pace: Text = "",
    sex: Text = "",
    units: Text = "",
) -> HTMLResponse:
    profile = app.profile()
    # The pace is typed in the units the form showed it in (the stored ones).
    load = {
        "max_hr_bpm": _number(max_hr_bpm, "maximum heart rate"),
        "resting_hr_bpm": _number(resting_hr_bpm, "resting heart rate"),
        "threshold_hr_bpm": _number(threshold_hr_bpm, "threshold heart rate"),
        "threshold_pace_s_per_km": _pace(threshold_pace, profile),
    }
    changes = ProfileChanges(
        name=name.strip() or None,
        timezone=timezone.strip() or None,
        policy=policy or None,
        frequency=frequency or None,
        budget_per_month=_number(budget_per_month, "monthly budget"),
        session_price=_number(session_price, "session price"),
        sports_price=_number(sports_price, "sports massage price"),
        flush_price=_number(flush_price, "flush price"),
        post_event_price=_number(post_event_price, "post-event price"),
        session_time=session_time.strip() or None,
        session_minutes=_whole(session_minutes, "session length"),
        owns=tools,
        desk_job=desk_job == "true",
        sex=sex.strip() or None,
        units=units.strip() or None,
        max_hr_bpm=load["max_hr_bpm"],
        resting_hr_bpm=load["resting_hr_bpm"],
        threshold_hr_bpm=load["threshold_hr_bpm"],
        threshold_pace_s_per_km=load["threshold_pace_s_per_km"],
        # A load value left empty goes back to being estimated from the runner's data.
        estimate=[n for n, v in {**load, "sex": sex.strip() or None}.items() if v is None],
    )
    put_profile(app, changes)  # the same code as PUT /api/profile
    return render_fragment("fragments/settings_saved.html", view=settings_page_view(app))


@router.post("/ui/settings/availability", response_class=HTMLResponse)
def save_availability(
    app: AppDep,
    weekday: Texts = [],  # noqa: B006
    start: Texts = [],  # noqa: B006
    end: Texts = [],  # noqa: B006
) -> HTMLResponse:
    if not len(weekday) == len(start) == len(end):
        raise InvalidValue("every row of hours needs a day, a start and an end")
    rows = (WindowText(*row) for row in zip(weekday, start, end, strict=True))
    hours = availability.set_therapist_hours(app, availability.hours_from_rows(rows))
    return render_fragment(
        "fragments/settings_hours_saved.html", availability=views.availability_view(hours)
    )


def _number(text: str, what: str) -> float | None:
    """A number from a form field; "" is "not given", anything else must be a number."""
    cleaned = text.strip().replace(",", ".")
    if not cleaned:
        return None
    try:
        return float(cleaned)
    except ValueError:
        raise InvalidValue(f"{what} must be a number, not {text!r}") from None


def _whole(text: str, what: str) -> int | None:
    value = _number(text, what)
    if value is None:
        return None
    if not value.is_integer():
        raise InvalidValue(f"{what} must be a whole number of minutes, not {text!r}")
    return int(value)


def _pace(text: str, profile: Profile) -> float | None:
    """``4:45`` per km (or ``7:39`` per mile, in the runner's units) -> seconds per km; the
    pace shown for the stored value comes back as that value, not one rounded through the
    display (so saving an untouched form changes nothing); the range is the service's."""
    stored = profile.threshold_pace_s_per_km
    if stored is not None:
        shown = shown_load_value("threshold_pace_s_per_km", stored, profile.units)
        if text.strip() == shown:
            return stored
    per_unit = _pace_per_unit(text)
    return None if per_unit is None else pace_to_seconds_per_km(profile.units, per_unit)


def _pace_per_unit(text: str) -> float | None:
    cleaned = text.strip().lower().removesuffix("/km").removesuffix("/mi").strip()
    if not cleaned:
        return None
    minutes, colon, seconds = cleaned.partition(":")
    if not (colon and minutes.isdigit() and seconds.isdigit() and len(seconds) == 2):
        raise InvalidValue(f"threshold pace {text!r}: expected minutes:seconds per km, e.g. 4:45")
    if int(seconds) >= 60:
        raise InvalidValue(f"threshold pace {text!r}: seconds must be 00-59")
    return int(minutes) * 60.0 + int(seconds)
