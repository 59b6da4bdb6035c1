"""What the Plan page shows to change training in a month: its races and stored workouts,
each with the values its edit form starts from, distances in the runner's units."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rubdown.domain.model import Priority, Units, WorkoutKind
from rubdown.domain.patterns import monday_of
from rubdown.domain.rules import show_day
from rubdown.domain.units import distance_in, format_distance, unit_label
from rubdown.services.runner import Runner


def month_training(app: Runner, first: dt.date, last: dt.date) -> dict[str, Any]:
    """The month's races and workouts (the runner's own, from patterns and calendars; runs
    from activity files are what happened and are not edited here)."""
    units = app.profile().units
    races = [r for r in app.data.list_races() if first <= r.day <= last]
    workouts = [w for w in app.data.list_workouts() if first <= w.day <= last]
    return {
        "units": unit_label(units),
        "races": [
            {
                "id": race.id,
                "name": race.name,
                "date": race.day.isoformat(),
                "priority": str(race.priority),
                "distance": race_distance_text(units, race.distance_km),
                "distance_value": _distance_value(units, race.distance_km),
                "start": race.start_time.isoformat("minutes") if race.start_time else "",
            }
            for race in races
        ],
        "workouts": [
            {
                "id": workout.id,
                "date": workout.day.isoformat(),
                "kind": str(workout.kind),
                "hard": workout.is_hard,
                "duration_min": f"{workout.duration_min:g}" if workout.duration_min else "",
                "from_pattern": bool(workout.pattern_id),
                "source": workout.source,
            }
            for workout in workouts
        ],
        "priorities": [p.value for p in Priority],
        "kinds": [k.value for k in WorkoutKind],
        "weeks": _weeks(app, first, last),
    }


def _weeks(app: Runner, first: dt.date, last: dt.date) -> list[dict[str, Any]]:
    """Each week that touches the month, Monday to Sunday, and whether it is marked as a
    recovery week (the planner prefers those for deep work)."""
    marked = app.data.recovery_weeks()
    monday = monday_of(first)
    weeks = []
    while monday <= last:
        sunday = monday + dt.timedelta(days=6)
        weeks.append(
            {
                "monday": monday.isoformat(),
                "label": f"{show_day(monday)} – {show_day(sunday)}",
                "marked": monday in marked,
            }
        )
        monday += dt.timedelta(weeks=1)
    return weeks


def race_distance_text(units: Units, km: float | None) -> str:
    return format_distance(units, km)


def _distance_value(units: Units, km: float | None) -> str:
    """What the distance field starts with, in the runner's units (the page converts back)."""
    if km is None:
        return ""
    return f"{round(distance_in(units, km), 3):g}"
