"""The Tent plan page: the race-day massage tent's staffing from the finish curve, as
``rubdown tent plan`` gives it (the model curves; a results CSV is for the command line).

The form is a GET, so a plan is a link to share; the simulation runs on each request, so the
page bounds the field and runs fewer seeded days than the command line (``PAGE_REPLICATIONS``).
"""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from rubdown.domain.tent.finish_curve import MODELS
from rubdown.errors import InvalidValue, NotFound, RubdownError
from rubdown.services import tent_plan
from rubdown.services.runner import Runner
from rubdown.tent.chart import tent_chart_svg
from rubdown.tent.simulation import SimpyTentSimulator
from rubdown.web.deps import current_app
from rubdown.web.render import render_page

router = APIRouter(include_in_schema=False)

PAGE_REPLICATIONS = 10
MAX_FINISHERS = 60_000
Text = Annotated[str | None, Query()]


async def frame_runner(request: Request) -> Runner:
    """The runner whose frame (alerts, today) the page shows: the logged-in runner's, or, for
    an account with no runner data of its own (a therapist or an admin leading a tent), the
    settings' placeholder runner, which no account can be and which holds nothing."""
    try:
        return await current_app(request)
    except NotFound:
        return request.app.state.services.app()  # type: ignore[no-any-return]


FrameRunner = Annotated[Runner, Depends(frame_runner)]

# (form field, label, default, hint), in the form's order.
FIELDS = (
    ("finishers", "Expected finishers", "", "how many cross the line"),
    ("start", "Gun", "09:00", "HH:MM"),
    ("start_spread", "Start spread, min", "0", "wave starts after the gun"),
    ("uptake", "Come to the tent", "10%", "0.1 or 10%"),
    ("walk", "Walk to the tent, min", "5-15", "shortest-longest"),
    ("session", "Session, min", "10", "mean"),
    ("cap", "Time cap, min", "15", "no session runs longer"),
    ("reset", "Reset, min", "2", "clean the table, call the next"),
    ("patience", "Patience, min", "30", "then a runner leaves"),
    ("target", "Target p90 wait, min", "10", "for the staffing needed"),
    ("shifts", "Shifts", "", "09:00-12:00=20,12:00-15:00=30"),
)


def _number(text: str, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise InvalidValue(f'{what} "{text}" is not a number') from None
    if not math.isfinite(value):
        raise InvalidValue(f'{what} "{text}" is not a number')
    return value


def _finishers(text: str) -> int:
    try:
        count = int(text.replace(",", "").replace("_", "").strip())
    except ValueError:
        raise InvalidValue(f'expected finishers "{text}" is not a whole number') from None
    if not 1 <= count <= MAX_FINISHERS:
        raise InvalidValue(
            f"the page plans 1 to {MAX_FINISHERS:,} finishers (rubdown tent plan has no limit)"
        )
    return count


def _inputs(values: dict[str, str]) -> tent_plan.TentInputs:
    return tent_plan.TentInputs(
        finishers=_finishers(values["finishers"]),
        distance=values["distance"],
        gun=values["start"],
        start_spread_min=_number(values["start_spread"], "start spread"),
        uptake=values["uptake"],
        walk=values["walk"],
        session_min=_number(values["session"], "session"),
        cap_min=_number(values["cap"], "time cap"),
        reset_min=_number(values["reset"], "reset"),
        shifts=values["shifts"] or None,
        patience_min=_number(values["patience"], "patience"),
        target_min=_number(values["target"], "target wait"),
        replications=PAGE_REPLICATIONS,
    )


def _chart(plan: tent_plan.TentPlan) -> Markup:
    chart = tent_plan.chart_data(plan)
    svg = tent_chart_svg(
        chart.slots, chart.needed, chart.first_slot_clock_s, chart.title, chart.show_shifts
    )
    # The chart's text is escaped as it is written (``rubdown.tent.chart``); it holds no script.
    return Markup(svg)


@router.get("/tent/plan", response_class=HTMLResponse)
def tent_plan_page(
    request: Request,
    app: FrameRunner,
    finishers: Text = None,
    distance: Text = None,
    start: Text = None,
    start_spread: Text = None,
    uptake: Text = None,
    walk: Text = None,
    session: Text = None,
    cap: Text = None,
    reset: Text = None,
    patience: Text = None,
    target: Text = None,
    shifts: Text = None,
) -> HTMLResponse:
    given = {
        "finishers": finishers,
        "distance": distance,
        "start": start,
        "start_spread": start_spread,
        "uptake": uptake,
        "walk": walk,
        "session": session,
        "cap": cap,
        "reset": reset,
        "patience": patience,
        "target": target,
        "shifts": shifts,
    }
    defaults = {name: default for name, _label, default, _hint in FIELDS}
    defaults["distance"] = "marathon"
    values = {name: (given[name] or defaults[name]).strip() for name in given}
    view = chart = error = None
    status = 200
    if finishers:
        try:
            plan = tent_plan.plan_tent(
                tent_plan.request_from_inputs(_inputs(values)), SimpyTentSimulator()
            )
        except RubdownError as problem:
            error, status = str(problem), 422
        else:
            view, chart = tent_plan.tent_plan_view(plan), _chart(plan)
    page = render_page(
        request,
        app,
        "pages/tent_plan.html",
        active="tent",
        title="Tent plan",
        fields=FIELDS,
        distances=list(MODELS),
        values=values,
        plan=view,
        chart=chart,
        error=error,
        replications=PAGE_REPLICATIONS,
    )
    page.status_code = status
    return page
