"""The Plan page: the season as a month calendar, why each session is there, a date checked.

Moving a session goes through the JSON API (``POST /api/plan/sessions/{id}/move``, from
``static/js/plan.js``); the fragments here redraw the month and the session panel after it.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from rubdown.domain.model import SessionKind
from rubdown.errors import NotFound
from rubdown.services.runner import Runner
from rubdown.web import parse
from rubdown.web.deps import AppDep
from rubdown.web.presenters.plan_month import (
    check_date,
    month_view,
    parse_month,
    session_detail_view,
    session_kinds,
)
from rubdown.web.render import render_fragment, render_page

router = APIRouter(include_in_schema=False)


@router.get("/plan", response_class=HTMLResponse)
def plan_page(
    request: Request,
    app: AppDep,
    month: str | None = None,
    session: str | None = None,
    date: str | None = None,
    kind: str | None = None,
    regions: str | None = None,
) -> HTMLResponse:
    """``session`` opens that session's panel; ``date`` and ``kind`` answer the check form
    without JavaScript."""
    view = month_view(app, parse_month(month, app.today()))
    detail = None
    if session:
        try:
            detail = session_detail_view(app, session)
        except NotFound:
            detail = None  # a link to a session the plan has since dropped: show the month
    checked = _check(app, date, kind, regions) if date and kind else None
    return render_page(
        request,
        app,
        "pages/plan.html",
        active="plan",
        title="Plan",
        month=view,
        detail=detail,
        checked=checked,
        kinds=session_kinds(),
        form={"date": date or app.today().isoformat(), "kind": kind or "", "regions": regions},
    )


@router.get("/ui/plan/month", response_class=HTMLResponse)
def plan_month_fragment(app: AppDep, month: str | None = None) -> HTMLResponse:
    return render_fragment(
        "fragments/plan_month.html", month=month_view(app, parse_month(month, app.today()))
    )


@router.get("/ui/plan/sessions/{session_id:path}", response_class=HTMLResponse)
def plan_session_fragment(app: AppDep, session_id: str) -> HTMLResponse:
    return render_fragment(
        "fragments/plan_session.html", detail=session_detail_view(app, session_id), fresh=True
    )


@router.get("/ui/plan/check", response_class=HTMLResponse)
def plan_check_fragment(
    app: AppDep, date: str = "", kind: str = "", regions: str | None = None
) -> HTMLResponse:
    return render_fragment("fragments/plan_verdict.html", verdict=_check(app, date, kind, regions))


def _check(app: Runner, date: str, kind: str, regions: str | None) -> dict[str, Any]:
    return check_date(
        app,
        parse.day(date),
        parse.name(SessionKind, kind, "session kind"),
        parse.regions((regions or "").split(",")),
    )
