"""The Tent plan page: the race-day massage tent's staffing from the finish curve, as
``rubdown tent plan`` gives it, from a distance's model or a previous year's results CSV.

The form is a GET, so a plan from a model is a link to share. A results file has to be
uploaded: the page's script posts the form to ``/ui/tent/plan``, which answers a form without
a file with a redirect to the link, and one with a file with the plan in place (no link: the
file is not kept). The simulation runs on each request, so the page bounds the field and the
file (``MAX_FINISHERS``, ``MAX_RESULTS_BYTES``) and runs fewer seeded days than the command
line (``PAGE_REPLICATIONS``).
"""

from __future__ import annotations

import math
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from rubdown.domain.tent.finish_curve import MODELS
from rubdown.errors import InvalidValue, NotFound, RubdownError
from rubdown.services import tent_plan
from rubdown.services.runner import Runner
from rubdown.tent.chart import tent_chart_svg
from rubdown.tent.simulation import SimpyTentSimulator
from rubdown.web.deps import current_app
from rubdown.web.render import render_fragment, render_page
from rubdown.web.uploads import shown_name

router = APIRouter(include_in_schema=False)

PAGE_REPLICATIONS = 10
MAX_FINISHERS = 60_000
# Under the guard's 1 MiB for a request (web.guard), so a file too big is refused here, by
# name; bib and finish time alone are some 15 bytes a runner: 60,000 runners fit.
MAX_RESULTS_BYTES = 1_000_000
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


def _inputs(
    values: dict[str, str], results_text: str | None = None, results_name: str = "results"
) -> tent_plan.TentInputs:
    return tent_plan.TentInputs(
        finishers=_finishers(values["finishers"]),
        distance=values["distance"],
        results_text=results_text,
        results_name=results_name,
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
    values = _values(
        {
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
    )
    view = chart = error = None
    status = 200
    if finishers:
        try:
            view, chart = _planned(_inputs(values))
        except RubdownError as problem:
            error, status = str(problem), 422
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
        max_results_kb=MAX_RESULTS_BYTES // 1000,
    )
    page.status_code = status
    return page


@router.post("/ui/tent/plan", response_class=HTMLResponse)
async def tent_plan_upload(request: Request, _app: FrameRunner) -> Response:
    """The form posted by the page's script: with a results file, the plan in place; without
    one, a redirect to the plan's link (``HX-Redirect``: the browser loads the GET page)."""
    async with request.form(max_files=1, max_fields=len(FIELDS) + 2) as form:
        given = {name: form.get(name) for name in (*(f[0] for f in FIELDS), "distance")}
        values = _values({k: v if isinstance(v, str) else None for k, v in given.items()})
        upload = form.get("results")
        if not isinstance(upload, UploadFile) or not upload.filename:
            link = "/tent/plan?" + urlencode(values)
            return Response(status_code=200, headers={"HX-Redirect": link})
        name = shown_name(upload.filename)
        data = await upload.read(MAX_RESULTS_BYTES + 1)
    if len(data) > MAX_RESULTS_BYTES:
        raise InvalidValue(
            f"{name} is over {MAX_RESULTS_BYTES // 1000:,} KB: keep only the bib and finish-time"
            " columns"
        )
    # The times are ASCII whatever the file's encoding; a name in Latin-1 must not stop it.
    text = data.decode("utf-8", errors="replace")
    view, chart = await run_in_threadpool(_planned, _inputs(values, text, name))
    return render_fragment("fragments/tent_plan_result.html", plan=view, chart=chart, error=None)


def _values(given: dict[str, str | None]) -> dict[str, str]:
    """The form's values as typed, the defaults for those left empty."""
    defaults = {name: default for name, _label, default, _hint in FIELDS}
    defaults["distance"] = "marathon"
    return {name: (given.get(name) or defaults[name]).strip() for name in defaults}


def _planned(inputs: tent_plan.TentInputs) -> tuple[dict[str, Any], Markup]:
    plan = tent_plan.plan_tent(tent_plan.request_from_inputs(inputs), SimpyTentSimulator())
    return tent_plan.tent_plan_view(plan), _chart(plan)
