"""The clinic's pages (server mode, therapists only): the race-week planner and its result table.

``/clinic/race-week`` offers the races the therapist's clients run (or a set of clients) and
the days; planning posts to ``/ui/clinic/race-week`` (a "solving..." line shows while the
optimiser runs) and swaps in the result: each proposed session (client, therapist, day,
time, kind, pre/post, whether it is at a time the client likes) and the clients not served
with why. Accept posts the proposal back to ``/ui/clinic/race-week/accept``, which books the
therapist's own sessions through the booking rules, as ``POST /api/clinic/race-week/accept``.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from rubdown.domain.clinic.booking_rules import ClientRef
from rubdown.errors import InvalidValue
from rubdown.services.clinic.race_week import (
    WeekAsk,
    accept_week,
    event_named,
    plan_week,
    race_events,
    team_ids,
    week_clients,
)
from rubdown.services.clinic.race_week_views import accept_view, parse_session, proposal_view
from rubdown.services.raceweek import Event
from rubdown.solver.raceweek_cpsat import CpSatRaceWeekSolver
from rubdown.web import parse
from rubdown.web.render import render_clinic_page, render_fragment
from rubdown.web.routes_clinic_week import MAX_SESSIONS_ACCEPTED, WeekDep

router = APIRouter(include_in_schema=False)

Short = Annotated[str, Form(max_length=200)]
PROPOSAL_MAX_CHARS = 1_000_000  # a thousand sessions as JSON, with room to spare
PAGE_TIME_LIMIT_S = 10.0


@router.get("/clinic/race-week", response_class=HTMLResponse)
def race_week_page(request: Request, week: WeekDep) -> HTMLResponse:
    today = week.clinic.now().date()
    events = [
        {"value": f"{e.day.isoformat()}|{e.name}", "name": e.name, "day": e.day, "clients": n}
        for e, n in race_events(week, today)
    ]
    clients = [{"ref": str(c.ref), "name": c.name} for c in week_clients(week)]
    members = week.team.members()
    return render_clinic_page(
        request,
        "pages/clinic_week.html",
        active="clinic-race-week",
        title="Race week",
        events=events,
        clients=sorted(clients, key=lambda c: c["name"].casefold()),
        members=members,
        time_limit_s=PAGE_TIME_LIMIT_S,
    )


@router.post("/ui/clinic/race-week", response_class=HTMLResponse)
def plan_fragment(
    week: WeekDep,
    event: Annotated[str, Form(max_length=300)] = "",
    clients: Annotated[list[str] | None, Form(max_length=500)] = None,
    first_day: Short = "",
    last_day: Short = "",
    time_limit_s: Annotated[float, Form(gt=0, le=120)] = PAGE_TIME_LIMIT_S,
) -> HTMLResponse:
    first = parse.optional_day(first_day or None, "first day")
    last = parse.optional_day(last_day or None, "last day")
    chosen = tuple(ClientRef.parse(c) for c in clients or ())
    found: Event | None = None
    if event and not chosen:
        day_text, _, name = event.partition("|")
        found = (
            Event(name, parse.day(day_text, "race day"))
            if name
            else event_named(week, event, first, last)
        )
    ask = WeekAsk(found, chosen, first, last, time_limit_s)
    proposal = plan_week(week, ask, CpSatRaceWeekSolver(time_limit_s))
    view = proposal_view(proposal)
    mine = [s for s in view["sessions"] if s["mine"]]
    return render_fragment(
        "pages/clinic_week_result.html",
        proposal=view,
        event=found,
        mine=len(mine),
        sessions_json=json.dumps(view["sessions"]),
    )


@router.post("/ui/clinic/race-week/accept", response_class=HTMLResponse)
def accept_fragment(
    week: WeekDep, sessions: Annotated[str, Form(max_length=PROPOSAL_MAX_CHARS)]
) -> HTMLResponse:
    try:
        documents: Any = json.loads(sessions)
    except json.JSONDecodeError:
        raise InvalidValue("the proposal to accept is not the one this page made") from None
    if not isinstance(documents, list) or len(documents) > MAX_SESSIONS_ACCEPTED:
        raise InvalidValue("the proposal to accept is not the one this page made")
    team = team_ids(week)
    chosen = [parse_session(d, team) for d in documents if isinstance(d, dict)]
    outcome = accept_view(accept_week(week, chosen))
    return render_fragment("pages/clinic_week_accepted.html", outcome=outcome)
