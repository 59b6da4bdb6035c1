"""The clinic's pages (server mode, therapists only): the therapist's day and week calendar,
booking and rebooking.

``/clinic/calendar`` is a week (``?week=`` any day in it) laid out in half-hour rows; each
booking can be dragged to another slot, or moved with its "Move to..." control, and the
server checks the move by the same rules as a booking (``POST /api/clinic/bookings/{id}/move``):
a refusal leaves it where it was and says why. ``/clinic/calendar/{day}`` is one day with its
cancellations and waitlist; ``/clinic/calendar/settings`` the menu and the hours. The pages
lay out what the clinic's API answers, and their script (``static/js/clinic_calendar.js``)
calls that API, so a page and a program see one set of rules.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from rubdown.bootstrap import TherapistClinic, consents_for
from rubdown.domain.clinic.booking_rules import Booking, TherapistRules
from rubdown.domain.model import PROFESSIONAL_KINDS
from rubdown.domain.rules import show_day
from rubdown.web import parse
from rubdown.web.clinic_deps import ClinicDep
from rubdown.web.deps import shared_services
from rubdown.web.models import REGION_NAMES
from rubdown.web.models_clinic_bookings import rules_out, service_out
from rubdown.web.render import render_clinic_page
from rubdown.web.routes_clinic_bookings import NameOf, client_names, therapist_zone

router = APIRouter(include_in_schema=False)

SLOT_MIN = 30  # a row of the week grid; drops land on its start
DEFAULT_FIRST_MIN, DEFAULT_LAST_MIN = 8 * 60, 20 * 60  # without hours, the grid's day


@dataclass(frozen=True)
class BookingBlock:
    id: str
    client_name: str
    kind_label: str
    start: str  # local, YYYY-MM-DDTHH:MM
    times: str
    length_min: int
    offset_min: int  # from the start of its row
    overridden: bool


@dataclass
class Cell:
    start: str  # local, YYYY-MM-DDTHH:MM
    label: str
    open: bool
    bookings: list[BookingBlock] = field(default_factory=list)


@dataclass(frozen=True)
class DayColumn:
    day: dt.date
    label: str
    closed: bool


def _page(request: Request, template: str, title: str, **context: Any) -> HTMLResponse:
    return render_clinic_page(request, template, active="clinic-calendar", title=title, **context)


def _local(moment: dt.datetime, tz: dt.tzinfo) -> dt.datetime:
    return moment.astimezone(tz)


def _block(booking: Booking, tz: dt.tzinfo, name_of: NameOf) -> BookingBlock:
    start, end = _local(booking.start, tz), _local(booking.end, tz)
    minute = start.hour * 60 + start.minute
    return BookingBlock(
        id=booking.id,
        client_name=name_of(booking.client),
        kind_label=booking.kind.label,
        start=f"{start:%Y-%m-%dT%H:%M}",
        times=f"{start:%H:%M}-{end:%H:%M}",
        length_min=booking.length_min,
        offset_min=minute % SLOT_MIN,
        overridden=booking.override is not None,
    )


def _open(rules: TherapistRules, day: dt.date, minute: int) -> bool:
    if day in rules.days_off:
        return False
    if not rules.hours.is_set:
        return True
    return any(w.start_minute <= minute < w.end_minute for w in rules.hours.on(day))


def _row_span(rules: TherapistRules, starts: list[dt.datetime]) -> tuple[int, int]:
    """The first and last minute the grid shows: the therapist's hours, widened to any
    booking outside them (an override), in whole hours."""
    if rules.hours.is_set:
        first = min(w.start_minute for w in rules.hours.windows)
        last = max(w.end_minute for w in rules.hours.windows)
    else:
        first, last = DEFAULT_FIRST_MIN, DEFAULT_LAST_MIN
    for start in starts:
        minute = start.hour * 60 + start.minute
        first, last = min(first, minute), max(last, minute + SLOT_MIN)
    return first // 60 * 60, min(24 * 60, -(-last // 60) * 60)


def _options(request: Request, tc: TherapistClinic) -> dict[str, Any]:
    """What the booking form offers: the therapist's clients, menu and the region names."""
    clients = [(f"managed:{c.id}", c.name) for c in tc.clinic.data.list_clients()]
    store = shared_services(request.app.state).store
    for grant in consents_for(store).active_grants_to(tc.clinic.therapist_id):
        clients.append((f"runner:{grant.runner_id}", grant.runner_email or grant.runner_id))
    return {
        "clients": clients,
        "services": [service_out(s) for s in tc.clinic.data.list_services()],
        "regions": REGION_NAMES,
    }


def _today(request: Request, tz: dt.tzinfo) -> dt.date:
    return shared_services(request.app.state).clock().astimezone(tz).date()


WeekQuery = Annotated[str | None, Query(max_length=10, description="YYYY-MM-DD, any day of it")]


@router.get("/clinic/calendar", response_class=HTMLResponse)
def week_page(request: Request, tc: ClinicDep, week: WeekQuery = None) -> HTMLResponse:
    rules = tc.clinic.data.therapist_rules()
    tz = therapist_zone(tc)
    today = _today(request, tz)
    chosen = parse.day(week, "week") if week else today
    monday = chosen - dt.timedelta(days=chosen.weekday())
    first = dt.datetime.combine(monday, dt.time(), tzinfo=tz)
    found = tc.clinic.data.bookings_between(first, first + dt.timedelta(days=7))
    name_of = client_names(request, tc)
    starts = [_local(b.start, tz) for b in found]
    first_min, last_min = _row_span(rules, starts)
    days = [monday + dt.timedelta(days=n) for n in range(7)]
    rows: list[tuple[str, list[Cell]]] = []
    cells: dict[tuple[dt.date, int], Cell] = {}
    for minute in range(first_min, last_min, SLOT_MIN):
        row = []
        for day in days:
            clock = f"{minute // 60:02d}:{minute % 60:02d}"
            cell = Cell(f"{day}T{clock}", f"{show_day(day)} {clock}", _open(rules, day, minute))
            cells[(day, minute)] = cell
            row.append(cell)
        rows.append((f"{minute // 60:02d}:{minute % 60:02d}", row))
    for booking, start in zip(found, starts, strict=True):
        minute = start.hour * 60 + start.minute
        cells[(start.date(), minute - minute % SLOT_MIN)].bookings.append(
            _block(booking, tz, name_of)
        )
    columns = [
        DayColumn(day, show_day(day), day in rules.days_off or not _open_day(rules, day))
        for day in days
    ]
    return _page(
        request,
        "pages/clinic_calendar.html",
        "Calendar",
        monday=monday,
        week_label=f"Week of {show_day(monday)}",
        previous=(monday - dt.timedelta(days=7)).isoformat(),
        following=(monday + dt.timedelta(days=7)).isoformat(),
        today=today,
        columns=columns,
        rows=rows,
        slot_min=SLOT_MIN,
        count=len(found),
        timezone=rules.timezone,
        **_options(request, tc),
    )


def _open_day(rules: TherapistRules, day: dt.date) -> bool:
    return not rules.hours.is_set or bool(rules.hours.on(day))


@router.get("/clinic/calendar/settings", response_class=HTMLResponse)
def settings_page(request: Request, tc: ClinicDep) -> HTMLResponse:
    return _page(
        request,
        "pages/clinic_calendar_settings.html",
        "Clinic settings",
        rules=rules_out(tc.clinic.data.therapist_rules()),
        services=[service_out(s) for s in tc.clinic.data.list_services()],
        kinds=[(str(k), k.label) for k in PROFESSIONAL_KINDS],
    )


@router.get("/clinic/calendar/{day}", response_class=HTMLResponse)
def day_page(request: Request, tc: ClinicDep, day: str) -> HTMLResponse:
    wanted = parse.day(day)
    tz = therapist_zone(tc)
    first = dt.datetime.combine(wanted, dt.time(), tzinfo=tz)
    data = tc.clinic.data
    found = data.bookings_between(first, first + dt.timedelta(days=1), cancelled=True)
    name_of = client_names(request, tc)
    services = {s.id: s.label for s in data.list_services()}
    waiting = [
        {
            "id": e.id,
            "client_name": name_of(e.client),
            "service": services.get(e.service_id, ""),
            "note": e.note,
        }
        for e in data.waitlist_on(wanted)
    ]
    return _page(
        request,
        "pages/clinic_calendar_day.html",
        f"{show_day(wanted)} · Calendar",
        day=wanted,
        day_label=show_day(wanted),
        previous=(wanted - dt.timedelta(days=1)).isoformat(),
        following=(wanted + dt.timedelta(days=1)).isoformat(),
        bookings=[(b, _block(b, tz, name_of)) for b in found],
        waiting=waiting,
        **_options(request, tc),
    )
