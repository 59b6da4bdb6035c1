"""Use cases for weekly training patterns and recovery weeks.

A pattern and everything it makes are written in one transaction (``store.training_rows``),
so creating, replacing or removing one is all or nothing.
"""

from __future__ import annotations

import datetime as dt

from rubdown.domain.patterns import (
    WorkoutPattern,
    check_recovery_every,
    check_span,
    expand,
    monday_of,
    parse_week,
)
from rubdown.domain.records import StoredPattern
from rubdown.errors import NotFound
from rubdown.services.runner import Runner


def create_pattern(
    app: Runner,
    first_day: dt.date,
    last_day: dt.date,
    spec: str,
    *,
    recovery_every: int | None = None,
    replacing: str | None = None,
) -> StoredPattern:
    """Store the pattern and one workout per matching day; with ``replacing`` (an id or a
    unique start of one) the old pattern and its workouts go in the same write."""
    days = parse_week(spec)
    check_span(first_day, last_day)
    check_recovery_every(recovery_every)
    old_id = find_pattern(app, replacing).id if replacing is not None else None
    pattern = WorkoutPattern(first_day, last_day, days, recovery_every)
    made = expand(pattern)
    # A race is that day's hard session: the pattern adds no workout on top of it.
    race_days = {race.day for race in app.data.list_races()}
    workouts = tuple(w for w in made.workouts if w.day not in race_days)
    return app.data.add_pattern(pattern, workouts, made.recovery_mondays, replacing=old_id)


def list_patterns(app: Runner) -> list[WorkoutPattern]:
    return app.data.list_patterns()


def find_pattern(app: Runner, ref: str) -> WorkoutPattern:
    cleaned = ref.strip().lower()
    matches = [p for p in list_patterns(app) if cleaned and p.id.startswith(cleaned)]
    if len(matches) != 1:
        what = "no pattern matches" if not matches else f"{len(matches)} patterns match"
        raise NotFound(f"{what} {ref!r}: `rubdown workout pattern list` shows ids")
    return matches[0]


def remove_pattern(app: Runner, ref: str) -> StoredPattern:
    """Remove a pattern with its workouts and recovery-week marks, in one write."""
    return app.data.remove_pattern(find_pattern(app, ref).id)


def set_recovery_week(app: Runner, day: dt.date, *, marked: bool = True) -> tuple[dt.date, bool]:
    """Mark (or unmark) the week holding ``day``; returns its Monday and whether the stored
    marks changed (marking a marked week, or unmarking an unmarked one, changes nothing)."""
    monday = monday_of(day)
    if marked:
        return monday, app.data.mark_recovery_week(monday)
    return monday, app.data.unmark_recovery_week(monday)
