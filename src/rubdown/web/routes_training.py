"""Changing training from the API: workouts edited, moved or removed, weekly patterns,
recovery weeks and booked sessions. Each route calls the service the command line calls and
returns the same JSON view as ``--json``."""

from __future__ import annotations

from fastapi import APIRouter, status

from rubdown.domain.model import SessionKind, WorkoutKind
from rubdown.services import booking, patterns, season, training_views, views
from rubdown.web import parse
from rubdown.web.deps import AppDep
from rubdown.web.fields import DayPath
from rubdown.web.models_training import BookingIn, PatternIn, RecoveryWeekIn, WorkoutChanges
from rubdown.web.responses import ERRORS, RecoveryWeeksAnswer

router = APIRouter(prefix="/api", responses=ERRORS)
CREATED = status.HTTP_201_CREATED


@router.patch("/workouts/{ref}", tags=["workouts"])
def edit_workout(app: AppDep, ref: str, body: WorkoutChanges) -> training_views.WorkoutAnswer:
    """Change a workout (by id or a unique start of it); fields not given stay."""
    edited = season.edit_workout(
        app,
        ref,
        day=parse.optional_day(body.date),
        kind=parse.optional_name(WorkoutKind, body.kind, "workout kind"),
        duration_min=body.duration_min,
    )
    return training_views.workout_answer(app, edited)


@router.delete("/workouts/{ref}", tags=["workouts"])
def remove_workout(app: AppDep, ref: str) -> views.WorkoutView:
    return views.workout_view(season.remove_workout(app, ref))


@router.get("/patterns", tags=["workouts"])
def list_patterns(app: AppDep) -> training_views.PatternsView:
    return {"patterns": [training_views.pattern_view(p) for p in patterns.list_patterns(app)]}


@router.post("/patterns", tags=["workouts"], status_code=CREATED)
def create_pattern(app: AppDep, body: PatternIn) -> training_views.StoredPatternView:
    """A weekly pattern and its workouts; with ``replace``, the old pattern goes in the same
    write."""
    stored = patterns.create_pattern(
        app,
        parse.day(body.from_date, "from"),
        parse.day(body.to_date, "to"),
        body.spec,
        recovery_every=body.recovery_every,
        replacing=body.replace,
    )
    return training_views.stored_pattern_view(stored)


@router.delete("/patterns/{ref}", tags=["workouts"])
def remove_pattern(app: AppDep, ref: str) -> training_views.StoredPatternView:
    return training_views.stored_pattern_view(patterns.remove_pattern(app, ref))


@router.get("/recovery-weeks", tags=["workouts"])
def list_recovery_weeks(app: AppDep) -> RecoveryWeeksAnswer:
    mondays = sorted(app.data.recovery_weeks())
    return {"recovery_weeks": [monday.isoformat() for monday in mondays]}


@router.post("/recovery-weeks", tags=["workouts"])
def mark_recovery_week(app: AppDep, body: RecoveryWeekIn) -> training_views.RecoveryWeekView:
    """Mark the week holding ``date``; marking it twice changes nothing."""
    monday, changed = patterns.set_recovery_week(app, parse.day(body.date))
    return training_views.recovery_week_view(monday, marked=True, changed=changed)


@router.delete("/recovery-weeks/{day}", tags=["workouts"])
def unmark_recovery_week(app: AppDep, day: DayPath) -> training_views.RecoveryWeekView:
    monday, changed = patterns.set_recovery_week(app, parse.day(day), marked=False)
    return training_views.recovery_week_view(monday, marked=False, changed=changed)


@router.post("/bookings", tags=["log"], status_code=CREATED)
def book(app: AppDep, body: BookingIn) -> training_views.BookingView:
    """A massage booked for a date after today, once the rules allow it (or ``anyway``);
    a refusal is a 422 with the code ``not_allowed`` and the rule in its message."""
    booked = booking.book_session(
        app,
        parse.day(body.date),
        parse.name(SessionKind, body.kind, "session kind"),
        parse.regions(body.regions),
        body.price,
        body.note,
        anyway=body.anyway,
    )
    return training_views.booking_view(booked, app.kb)
