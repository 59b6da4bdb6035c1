"""JSON views of weekly patterns, recovery weeks and bookings: one shape for CLI and web."""

from __future__ import annotations

import datetime as dt

from typing_extensions import TypedDict

from rubdown.domain.knowledge import KnowledgeBase
from rubdown.domain.model import Workout
from rubdown.domain.patterns import WorkoutPattern, recovery_mondays
from rubdown.domain.records import StoredPattern
from rubdown.services import views
from rubdown.services.booking import Booking
from rubdown.services.planning import after_window_warnings
from rubdown.services.runner import Runner

# "from" is a keyword, hence the functional form.
PatternView = TypedDict(
    "PatternView",
    {
        "id": str,
        "from": str,
        "to": str,
        "spec": str,  # "tue:tempo thu:intervals sun:long"
        "recovery_every": int | None,
        "recovery_weeks": list[str],  # their Mondays
    },
)


class StoredPatternView(TypedDict):
    pattern: PatternView
    workouts: list[views.WorkoutView]
    recovery_weeks: list[str]


class PatternsView(TypedDict):
    patterns: list[PatternView]


class RecoveryWeekView(TypedDict):
    week_of: str  # the Monday
    last_day: str
    marked: bool
    changed: bool  # False: it was already so


class BookingWarning(TypedDict):
    reason: str
    rules: list[views.RuleRef]


class BookingView(views.LoggedSessionView):
    booked: bool
    allowed: bool
    warnings: list[BookingWarning]


class WorkoutAnswer(views.WorkoutView):
    timing: list[views.WarningView]  # massages whose recovery window it now falls in


def pattern_view(pattern: WorkoutPattern) -> PatternView:
    return {
        "id": pattern.id,
        "from": pattern.first_day.isoformat(),
        "to": pattern.last_day.isoformat(),
        "spec": pattern.spec,
        "recovery_every": pattern.recovery_every,
        "recovery_weeks": [monday.isoformat() for monday in recovery_mondays(pattern)],
    }


def stored_pattern_view(stored: StoredPattern) -> StoredPatternView:
    """A pattern with the workouts it made (or, removed, the workouts that went with it)."""
    return {
        "pattern": pattern_view(stored.pattern),
        "workouts": [views.workout_view(w) for w in stored.workouts],
        "recovery_weeks": [monday.isoformat() for monday in stored.recovery_mondays],
    }


def recovery_week_view(monday: dt.date, *, marked: bool, changed: bool) -> RecoveryWeekView:
    return {
        "week_of": monday.isoformat(),
        "last_day": (monday + dt.timedelta(days=6)).isoformat(),
        "marked": marked,
        "changed": changed,
    }


def booking_view(booking: Booking, kb: KnowledgeBase) -> BookingView:
    """The stored session, marked as booked, and what the rules said about it."""
    return {
        **views.logged_session_view(booking.session),
        "booked": True,
        "allowed": booking.verdict.allowed,
        "warnings": [
            {"reason": finding.reason, "rules": [views.rule_ref(kb, r) for r in finding.rules]}
            for finding in booking.warnings
        ],
    }


def workout_answer(app: Runner, workout: Workout) -> WorkoutAnswer:
    """A workout as added, edited or moved, with any massage whose recovery window it now
    falls in (the table's rows before a hard workout), each with its rules."""
    timing = after_window_warnings(app, workout.day) if workout.is_hard else []
    return {
        **views.workout_view(workout),
        "timing": [
            {"message": f.reason, "rules": [views.cite(app.kb, r) for r in f.rules]} for f in timing
        ],
    }
