"""JSON API routes behind the Today page's routine player: log a routine gone through, and
flag pain felt during one. (``GET /api/today`` itself lives with the other answers.)"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter
from pydantic import Field

from rubdown.domain.model import PainQuality
from rubdown.domain.routines import RoutineWhen
from rubdown.errors import InvalidValue
from rubdown.services import player, views
from rubdown.web import parse
from rubdown.web.deps import AppDep
from rubdown.web.models import Body

router = APIRouter(prefix="/api")

CREATED = 201


class RoutineLogIn(Body):
    """What the player saw: counts and time are checked by the service, as for the timer."""

    routine: str = Field(examples=["pre-run"], description="pre-run|post-run|rest-day|desk")
    steps_done: int = Field(examples=[3], description="steps whose time ran out")
    steps_skipped: int = Field(examples=[1], description="steps left before their time was up")
    seconds: float = Field(examples=[540.0], description="time spent in steps, pauses not counted")
    completed: bool = Field(description="went through to the last step without stopping")
    started_at: str | None = Field(
        default=None,
        examples=["2027-04-13T18:30:00+01:00"],
        description="ISO 8601 with a time zone (default: now)",
    )
    date: str | None = Field(default=None, description="the day it was done (default: today)")


class PainFlagIn(Body):
    region: str = Field(examples=["left-calf"], description="a body region, with a side or not")
    quality: str = Field(examples=["dull"], description="dull|sharp|numbness|tingling")
    date: str | None = Field(default=None, description="default: today")


def _moment(text: str | None) -> dt.datetime | None:
    if text is None or not text.strip():
        return None
    try:
        return dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidValue(
            f"started_at: invalid time {text!r}: expected ISO 8601, e.g. 2027-04-13T18:30:00+01:00"
        ) from None


@router.post("/today/routine-log", tags=["today"], status_code=CREATED)
def log_routine(app: AppDep, body: RoutineLogIn) -> dict[str, Any]:
    """Keep a routine gone through with the page's player, as ``rubdown today --start``
    keeps one; ``rubdown log`` (and ``GET /api/log``) list it."""
    logged = player.log_player_run(
        app,
        parse.name(RoutineWhen, body.routine, "routine"),
        steps_done=body.steps_done,
        steps_skipped=body.steps_skipped,
        seconds=body.seconds,
        completed=body.completed,
        day=parse.optional_day(body.date),
        started_at=_moment(body.started_at),
    )
    return views.routine_log_view(logged)


@router.post("/today/pain-flag", tags=["today"], status_code=CREATED)
def flag_pain(app: AppDep, body: PainFlagIn) -> dict[str, Any]:
    """Pain felt during a routine, merged into the day's check-in (everything else it said
    is kept). Sharp pain, numbness or tingling is a red flag (X1): the answer carries the
    guidance, and the day's routines leave the region out from then on."""
    flag = player.flag_pain(
        app,
        parse.region(body.region),
        parse.name(PainQuality, body.quality, "pain quality"),
        parse.optional_day(body.date),
    )
    return player.pain_flag_view(app, flag)
