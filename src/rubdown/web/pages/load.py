"""The Load page: fitness, fatigue and form drawn with uPlot, today's numbers, the last two
weeks as a table. The chart's data is embedded in the page as JSON (``web.presenters.load_chart``),
so the page draws without a second request; the same numbers are at ``GET /api/load``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from rubdown.web import parse
from rubdown.web.deps import AppDep
from rubdown.web.presenters.load_chart import ChartRange, load_chart, range_choices
from rubdown.web.render import render_page

router = APIRouter(include_in_schema=False)

FromQuery = Annotated[str | None, Query(alias="from")]
ToQuery = Annotated[str | None, Query(alias="to")]
RangeQuery = Annotated[str | None, Query(alias="range")]


@router.get("/load", response_class=HTMLResponse)
def load_page(
    request: Request,
    app: AppDep,
    start: FromQuery = None,
    end: ToQuery = None,
    preset: RangeQuery = None,
) -> HTMLResponse:
    chosen = parse.optional_name(ChartRange, preset or None, "range")
    chart = load_chart(
        app, parse.optional_day(start, "from"), parse.optional_day(end, "to"), chosen
    )
    return render_page(
        request,
        app,
        "pages/load.html",
        active="load",
        title="Load",
        chart=chart,
        ranges=range_choices(chart["range"]),
    )
