"""JSON API routes behind the plan page: the month, one session's reasons, moving a session.

A move that the rules refuse is an answer, not an error: ``200`` with ``"moved": false``, the
verdict and whether the runner may insist (``"confirm": true``); see ``services.plan_moves``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import Field

from rubdown.services import views
from rubdown.services.plan_moves import move_session, move_view, release_session
from rubdown.web import parse
from rubdown.web.deps import AppDep
from rubdown.web.fields import date
from rubdown.web.models import Body
from rubdown.web.presenters.plan_month import month_view, parse_month, session_detail_view
from rubdown.web.responses import ERRORS, PlanMonthAnswer, SessionDetailAnswer

router = APIRouter(prefix="/api", responses=ERRORS)

MonthQuery = Annotated[
    str | None,
    Query(
        description="YYYY-MM (default: this month)",
        max_length=7,
        json_schema_extra={"pattern": r"^\d{4}-\d{2}$"},
    ),
]


class SessionMove(Body):
    date: str = date(examples=["2027-02-11"], description="the new day, YYYY-MM-DD")
    confirm: bool = Field(
        default=False,
        description="move even where the rules advise against it (never past a red flag, X1)",
    )


@router.get("/plan/month", tags=["plan"], response_model=PlanMonthAnswer)
def plan_month(app: AppDep, month: MonthQuery = None) -> dict[str, Any]:
    """A month of the plan, day by day: races, hard days, sessions, logged ones, rhythm."""
    return month_view(app, parse_month(month, app.today()))


@router.get("/plan/sessions/{session_id:path}", tags=["plan"], response_model=SessionDetailAnswer)
def plan_session(app: AppDep, session_id: str) -> dict[str, Any]:
    """Why a planned session is where it is: its reasons, rules and sources, the rules on its
    day, and the days it may move to."""
    return session_detail_view(app, session_id)


@router.post("/plan/sessions/{session_id:path}/move", tags=["plan"])
def move_planned_session(app: AppDep, session_id: str, body: SessionMove) -> views.SessionMoveView:
    """Check the session on the new day; if the rules allow it (or ``confirm``), pin it there
    and re-plan the rest of the season around it, in one write."""
    result = move_session(app, session_id, parse.day(body.date), confirm=body.confirm)
    return move_view(result, app)


@router.post("/plan/sessions/{session_id:path}/unpin", tags=["plan"])
def unpin_planned_session(app: AppDep, session_id: str) -> views.PlanView:
    """Give a session the runner moved back to the planner, and re-plan."""
    return views.plan_view(release_session(app, session_id), app.kb)
