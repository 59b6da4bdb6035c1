"""What rubdown answers: rules, check, plan, today, load, why, activities.

``GET /api/plan`` makes the plan without saving it (a GET changes nothing), and makes it again
only when its inputs have changed; ``POST /api/plan`` makes and saves it, as ``rubdown plan``
does, so calendar exports keep each session's identity.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from starlette.concurrency import run_in_threadpool

from rubdown.domain.knowledge import RuleGroup
from rubdown.domain.model import SessionKind
from rubdown.domain.routines import RoutineWhen
from rubdown.services import views
from rubdown.services.alerts import alerts_view, standing_alerts
from rubdown.services.load_series import daily_series
from rubdown.services.planning import check_session
from rubdown.services.why import explain_day, why_view
from rubdown.web import parse
from rubdown.web.cache.plan import (
    PlanDocument,
    cached_plan_document,
    plan_document,
    replan,
)
from rubdown.web.deps import AppDep
from rubdown.web.fields import DATE_MAX, DATE_PATTERN, NAME_MAX, DayPath
from rubdown.web.models import CheckRequest, PlanRequest
from rubdown.web.presenters.load_chart import ChartRange, load_chart
from rubdown.web.presenters.today import cached_today_api_body, today_api_body
from rubdown.web.responses import (
    ERRORS,
    ActivitiesAnswer,
    CheckAnswer,
    LoadChartAnswer,
    PlanAnswer,
    RulesAnswer,
    TodayAnswer,
    WellnessAnswer,
    WhyAnswer,
)

router = APIRouter(prefix="/api", responses=ERRORS)

DATE_DOC = {"pattern": DATE_PATTERN}
DayQuery = Annotated[
    str | None, Query(description="YYYY-MM-DD", max_length=DATE_MAX, json_schema_extra=DATE_DOC)
]
FromQuery = Annotated[
    str | None,
    Query(
        alias="from",
        description="first day, YYYY-MM-DD",
        max_length=DATE_MAX,
        json_schema_extra=DATE_DOC,
    ),
]
ToQuery = Annotated[
    str | None,
    Query(
        alias="to",
        description="last day, YYYY-MM-DD",
        max_length=DATE_MAX,
        json_schema_extra=DATE_DOC,
    ),
]
GroupQuery = Annotated[
    str | None, Query(max_length=NAME_MAX, json_schema_extra={"enum": [*RuleGroup, None]})
]
RoutineQuery = Annotated[
    str | None, Query(max_length=NAME_MAX, json_schema_extra={"enum": [*RoutineWhen, None]})
]
RangeQuery = Annotated[
    str | None,
    Query(
        alias="range",
        description="6w|3m|6m|1y|all",
        max_length=NAME_MAX,
        json_schema_extra={"enum": [*ChartRange, None]},
    ),
]


@router.get("/rules", tags=["rules"])
def list_rules(app: AppDep, group: GroupQuery = None) -> RulesAnswer:
    wanted = parse.optional_name(RuleGroup, group, "rule group")
    selected = [r for r in app.kb.rules.values() if wanted is None or r.group is wanted]
    return {
        "rules": [views.rule_view(r, app.kb) for r in selected],
        "policies": views.policies_view(app.kb),
        "timing": views.timing_table_view(app.kb),
    }


@router.get("/rules/{rule_id}", tags=["rules"])
def show_rule(app: AppDep, rule_id: str) -> views.RuleView:
    return views.rule_view(app.kb.rule(rule_id), app.kb)


@router.post("/check", tags=["check"])
def check(app: AppDep, body: CheckRequest) -> CheckAnswer:
    """Is this massage on this date a good idea? A question, so nothing is stored."""
    app = app.snapshot()  # one answer: each thing is read once
    verdict = check_session(
        app,
        parse.day(body.date),
        parse.name(SessionKind, body.kind, "session kind"),
        parse.regions(body.regions),
    )
    alerts = alerts_view(standing_alerts(app, verdict.day))
    return {"alerts": alerts, **views.verdict_view(verdict, app.kb)}


def _plan_response(doc: PlanDocument) -> Response:
    # The plan's JSON, load values included, is encoded once, when the plan is made.
    return Response(doc.body, media_type="application/json")


@router.get("/plan", tags=["plan"], response_model=PlanAnswer)
async def preview_plan(app: AppDep, start: FromQuery = None, end: ToQuery = None) -> Response:
    """The season plan as it would be made now; not saved. The plan is made again only when
    what it is made from has changed since the last time (``web.cache.plan``)."""
    first, last = parse.optional_day(start, "from"), parse.optional_day(end, "to")
    # On SQLite a cached plan is answered here, on the event loop (one ~15 µs query): the hop
    # to a worker thread would cost more than the rest of the request (bench/web.py).
    doc = cached_plan_document(app, first, last) if app.reads_are_local else None
    if doc is None:
        doc = await run_in_threadpool(plan_document, app, first, last)
    return _plan_response(doc)


@router.post("/plan", tags=["plan"], response_model=PlanAnswer)
def save_plan(app: AppDep, body: PlanRequest | None = None) -> Response:
    """Make the season plan and keep it, as ``rubdown plan`` does."""
    body = body or PlanRequest()
    first, last = parse.optional_day(body.start, "from"), parse.optional_day(body.end, "to")
    return _plan_response(replan(app, first, last))


@router.get("/today", tags=["today"], response_model=TodayAnswer)
async def today(app: AppDep, date: DayQuery = None, routine: RoutineQuery = None) -> Response:
    """The day's self-massage routines, step by step (default: today). Made again only when
    the runner's data or day has changed since the last time (``web.cache.answers``)."""
    day = parse.optional_day(date)
    when = parse.optional_name(RoutineWhen, routine, "routine")
    # As for the plan: on SQLite a kept answer is served on the event loop.
    body = cached_today_api_body(app, day, when) if app.reads_are_local else None
    if body is None:
        body = await run_in_threadpool(today_api_body, app, day, when)
    return Response(body, media_type="application/json")


@router.get("/load", tags=["load"])
def load(app: AppDep, start: FromQuery = None, end: ToQuery = None) -> views.LoadView:
    series = daily_series(app, parse.optional_day(start, "from"), parse.optional_day(end, "to"))
    return views.load_view(series)


@router.get("/load/chart", tags=["load"], response_model=LoadChartAnswer)
def load_chart_data(
    app: AppDep,
    start: FromQuery = None,
    end: ToQuery = None,
    preset: RangeQuery = None,
) -> dict[str, Any]:
    """What the Load page draws: the series with each day's ramp, the races and massage
    sessions on it, today's numbers and the last 14 days (``web.presenters.load_chart``)."""
    chosen = parse.optional_name(ChartRange, preset or None, "range")
    return load_chart(app, parse.optional_day(start, "from"), parse.optional_day(end, "to"), chosen)


@router.get("/why/{date}", tags=["why"])
def why(app: AppDep, date: DayPath) -> WhyAnswer:
    day = parse.day(date)
    app = app.snapshot()  # one answer: each thing is read once
    return {
        "alerts": alerts_view(standing_alerts(app, day)),
        **why_view(explain_day(app, day), app),
    }


@router.get("/activities", tags=["activities"])
def activities(app: AppDep, start: FromQuery = None, end: ToQuery = None) -> ActivitiesAnswer:
    rows = app.data.list_activities(
        parse.optional_day(start, "from"), parse.optional_day(end, "to")
    )
    return {"activities": [views.activity_view(row) for row in rows]}


@router.get("/wellness", tags=["activities"])
def wellness(app: AppDep, start: FromQuery = None, end: ToQuery = None) -> WellnessAnswer:
    first, last = parse.optional_day(start, "from"), parse.optional_day(end, "to")
    days = [
        d
        for d in app.data.list_wellness()
        if (first is None or d.day >= first) and (last is None or d.day <= last)
    ]
    return {"days": [views.wellness_view(d) for d in days]}
