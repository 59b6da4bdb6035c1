"""JSON API routes behind the Check-in page: the body map of a day and the soreness heat map.

Saving a check-in and opening or ending injury episodes are the season routes'
(``POST /api/checkins``, ``/api/injuries``); these two read what the page draws.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from rubdown.web import parse
from rubdown.web.deps import AppDep
from rubdown.web.fields import DATE_MAX, DATE_PATTERN, WHOLE_LIMIT
from rubdown.web.presenters import body_map as soreness
from rubdown.web.responses import ERRORS, BodyMapAnswer, HeatmapAnswer

router = APIRouter(prefix="/api", responses=ERRORS)

# The service names the range (1-26 weeks) when refusing; here only what no count can be.
WeeksQuery = Annotated[
    int,
    Query(ge=-WHOLE_LIMIT, le=WHOLE_LIMIT, json_schema_extra={"minimum": 1, "maximum": 26}),
]
DayQuery = Annotated[
    str | None,
    Query(
        max_length=DATE_MAX, description="YYYY-MM-DD", json_schema_extra={"pattern": DATE_PATTERN}
    ),
]


@router.get("/checkins/heatmap", tags=["check-ins"], response_model=HeatmapAnswer)
def soreness_heatmap(
    app: AppDep, weeks: WeeksQuery = soreness.DEFAULT_WEEKS, end: DayQuery = None
) -> dict[str, Any]:
    """Soreness and pain per region and side, day by day, over ``weeks`` (1-26) up to ``end``
    (default today); only regions with some soreness or pain in the window get a row."""
    last = soreness.map_day(app, parse.optional_day(end, "end"))
    return {"weeks": weeks, **soreness.heatmap_view(soreness.heatmap(app, weeks, last))}


@router.get("/checkins/map", tags=["check-ins"], response_model=BodyMapAnswer)
def body_map(app: AppDep, date: DayQuery = None) -> dict[str, Any]:
    """The day's check-in as the body map shows it: one entry per region and side, with the
    highest soreness and the worst pain of the stored entries that cover it."""
    day = soreness.map_day(app, parse.optional_day(date))
    return soreness.body_map_view(day, app.data.checkin_on(day))
