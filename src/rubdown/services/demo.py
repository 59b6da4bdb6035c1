"""The built-in demo: a sample runner's season, planned in a throwaway home."""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from rubdown.domain.model import (
    Family,
    Priority,
    SessionKind,
    WorkoutKind,
    parse_enum,
)
from rubdown.domain.plan import Plan
from rubdown.domain.profile_codec import parse_profile_values
from rubdown.domain.routines import DayRoutines
from rubdown.domain.rules import Verdict
from rubdown.services import season as season_service
from rubdown.services.planning import check_session, make_plan
from rubdown.services.runner import Runner
from rubdown.services.today import day_routines

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
TAPER_WEEKS = 2  # no long run in the last two weeks before the goal race


@dataclass(frozen=True)
class DemoResult:
    plan: Plan
    ics_path: Path
    checks: tuple[Verdict, ...]
    today: DayRoutines  # the sample runner's self-massage for the first day of the plan


def demo_data() -> dict[str, Any]:
    text = resources.files("rubdown.services").joinpath("demo.toml").read_text("utf-8")
    return tomllib.loads(text)


def first_monday(today: dt.date) -> dt.date:
    return today + dt.timedelta(days=(7 - today.weekday()) % 7)


def _day(anchor: dt.date, week: int, weekday: str) -> dt.date:
    return anchor + dt.timedelta(weeks=week - 1, days=WEEKDAYS.index(weekday))


def load_demo_runner(app: Runner) -> None:
    """Store the demo runner's profile, races and training weeks in ``app``'s (empty) home."""
    data = demo_data()
    season_service.update_profile(app, **parse_profile_values(data["profile"]))
    anchor = first_monday(app.today())
    races: list[tuple[dt.date, Priority]] = []
    for race in data["race"]:
        day = _day(anchor, race["week"], race["weekday"])
        priority = parse_enum(Priority, race["priority"], "priority")
        races.append((day, priority))
        start = dt.time.fromisoformat(race["start_time"]) if "start_time" in race else None
        season_service.add_race(app, race["name"], day, priority, float(race["distance_km"]), start)
    training = data["training"]
    for week in range(1, training["weeks"] + 1):
        for item in training["pattern"]:
            day = _day(anchor, week, item["weekday"])
            kind = WorkoutKind(item["kind"])
            if kind.is_hard and _easy_around_race(day, races):
                continue
            if kind is WorkoutKind.TEMPO and week % training["recovery_every"] == 0:
                continue
            if kind is WorkoutKind.LONG and week > training["weeks"] - TAPER_WEEKS:
                continue
            season_service.add_workout(app, day, kind, item.get("duration_min"))


def _easy_around_race(day: dt.date, races: list[tuple[dt.date, Priority]]) -> bool:
    """Race week is easy before an A or B race (3 days before a C race), and 2 days after."""
    for race_day, priority in races:
        before = 6 if priority is not Priority.C else 3
        if -before <= (day - race_day).days <= 2:
            return True
    return False


def run_demo(app: Runner, ics_path: Path) -> DemoResult:
    load_demo_runner(app)
    plan = make_plan(app, ics_path=ics_path)
    goal = next(r for r in app.data.list_races() if r.priority is Priority.A)
    refused = check_session(app, goal.day - dt.timedelta(days=2), SessionKind.DEEP_TISSUE)
    deep = [s for s in plan.sessions if s.kind.family is Family.DEEP]
    allowed_day = deep[0].day if deep else app.today()
    allowed = check_session(app, allowed_day, SessionKind.SPORTS)
    return DemoResult(plan, ics_path, (refused, allowed), day_routines(app))
