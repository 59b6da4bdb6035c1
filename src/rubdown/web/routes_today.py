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
from rubdown.services import views
from rubdown.web import parse
from rubdown.web.deps import AppDep
from rubdown.web.fields import amount, choice, date, whole
from rubdown.web.models import Body, RegionName
from rubdown.web.presenters import player
from rubdown.web.responses import ERRORS, PainFlagAnswer

router = APIRouter(prefix="/api", responses=ERRORS)

CREATED = 201
MAX_STEPS = 1000
DAY_SECONDS = 24 * 3600


class RoutineLogIn(Body):
    """What the player saw: counts and time are checked by the service, as for the timer."""

    routine: str = choice(RoutineWhen, examples=["pre-run"])
    # A routine has a few dozen steps and lasts minutes: the caps keep a count that no store
    # holds (2**63 on SQLite, 2**31 on PostgreSQL) from reaching one.
    steps_done: int = whole(
        0, MAX_STEPS, cap=True, examples=[3], description="steps whose time ran out"
    )
    steps_skipped: int = whole(
        0, MAX_STEPS, cap=True, examples=[1], description="steps left before their time was up"
    )
    seconds: float = amount(
        0,
        DAY_SECONDS,
        cap=True,
        examples=[540.0],
        description="time spent in steps, pauses not counted",
    )
    completed: bool = Field(description="went through to the last step without stopping")
    started_at: str | None = Field(
        default=None,
        max_length=64,
        examples=["2027-04-13T18:30:00+01:00"],
        description="ISO 8601 with a time zone (default: now)",
    )
    date: str | None = date(optional=True, description="the day it was done (default: today)")


class PainFlagIn(Body):
    region: RegionName = Field(
        examples=["left-calf"], description="a body region, with a side or not"
    )
    quality: str = choice(PainQuality, examples=["dull"])
    date: str | None = date(optional=True, description="default: today")


def _moment(text: str | None) -> dt.datetime | None:
    if text is None or not text.strip():
        return None
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidValue(
            f"started_at: invalid time {text!r}: expected ISO 8601, e.g. 2027-04-13T18:30:00+01:00"
        ) from None
    return parse.in_years(moment, "started_at")


@router.post("/today/routine-log", tags=["today"], status_code=CREATED)
def log_routine(app: AppDep, body: RoutineLogIn) -> views.RoutineLogView:
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


@router.post("/today/pain-flag", tags=["today"], status_code=CREATED, response_model=PainFlagAnswer)
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
