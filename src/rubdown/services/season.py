"""Use cases that change what the runner has told rubdown: profile, races, workouts, the log."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from rubdown.domain.model import (
    CheckIn,
    MassageSession,
    PainQuality,
    Priority,
    Profile,
    Race,
    SessionKind,
    Workout,
    WorkoutKind,
)
from rubdown.domain.regions import Region
from rubdown.errors import InvalidDate, InvalidValue, NotFound
from rubdown.services.context import App
from rubdown.services.loads import refresh_loads

PRICE_RANGE = (0.0, 10_000.0)


def update_profile(app: App, **changes: Any) -> Profile:
    """Change the given fields of the profile; ``None`` values leave a field as it is."""
    wanted = {name: value for name, value in changes.items() if value is not None}
    if "budget_per_month" in wanted:
        _check_money(wanted["budget_per_month"], "monthly budget")
    if "session_price" in wanted:
        _check_money(wanted["session_price"], "session price")
        if wanted["session_price"] == 0:
            raise InvalidValue("session price must be more than 0")
    if "timezone" in wanted:
        try:
            ZoneInfo(wanted["timezone"])
        except (ZoneInfoNotFoundError, ValueError):
            raise InvalidValue(
                f"unknown time zone {wanted['timezone']!r}: use an IANA name such as Europe/Berlin"
            ) from None
    if "session_minutes" in wanted and not 15 <= wanted["session_minutes"] <= 180:
        raise InvalidValue("session length must be between 15 and 180 minutes")
    profile = replace(app.profile(), **wanted)
    app.store.save_profile(app.owner_id, profile)
    # Loads and hard days depend on the runner's values: recompute them from the stored bases.
    refresh_loads(app)
    return profile


def _check_money(value: float, what: str) -> None:
    low, high = PRICE_RANGE
    if not low <= value <= high:
        raise InvalidValue(f"{what} must be between {low:g} and {high:g}, not {value:g}")


def add_race(
    app: App,
    name: str,
    day: dt.date,
    priority: Priority,
    distance_km: float | None = None,
    start_time: dt.time | None = None,
) -> Race:
    if not name.strip():
        raise InvalidValue("a race needs a name")
    if distance_km is not None and not 0 < distance_km <= 1000:
        raise InvalidValue(f"race distance must be between 0 and 1000 km, not {distance_km:g}")
    race = Race(name.strip(), day, priority, distance_km, start_time)
    return app.store.add_race(app.owner_id, race)


def find_race(app: App, ref: str) -> Race:
    """A race by its id (or a unique prefix of it) or its exact name."""
    races = app.store.list_races(app.owner_id)
    matches = [r for r in races if r.id.startswith(ref) or r.name.lower() == ref.lower()]
    if len(matches) != 1:
        what = "no race" if not matches else f"{len(matches)} races"
        raise NotFound(f"{what} match {ref!r}: `rubdown race list` shows ids and names")
    return matches[0]


def move_race(app: App, ref: str, day: dt.date) -> Race:
    race = replace(find_race(app, ref), day=day)
    app.store.update_race(app.owner_id, race)
    return race


def remove_race(app: App, ref: str) -> Race:
    race = find_race(app, ref)
    app.store.remove_race(app.owner_id, race.id)
    return race


def add_workout(
    app: App, day: dt.date, kind: WorkoutKind, duration_min: float | None = None
) -> Workout:
    if duration_min is not None and not 0 < duration_min <= 24 * 60:
        raise InvalidValue(
            f"workout duration must be between 0 and 1440 minutes, not {duration_min:g}"
        )
    return app.store.add_workout(app.owner_id, Workout(day, kind, duration_min))


def log_massage(
    app: App,
    day: dt.date,
    kind: SessionKind,
    regions: tuple[Region, ...] = (),
    price: float | None = None,
    note: str = "",
) -> MassageSession:
    if day > app.today():
        raise InvalidDate(f"{day} is in the future: log a massage once it has happened")
    if price is None:
        price = app.profile().session_price if kind.is_professional else 0.0
    _check_money(price, "price")
    session = MassageSession(day, kind, regions, price)
    return app.store.add_session(app.owner_id, session, note=note)


def check_in(
    app: App,
    day: dt.date,
    soreness: dict[Region, int],
    pain: dict[Region, PainQuality],
    note: str = "",
) -> CheckIn:
    if day > app.today():
        raise InvalidDate(f"{day} is in the future: a check-in records how you feel now")
    for region, level in soreness.items():
        if not 0 <= level <= 10:
            raise InvalidValue(f"soreness for {region} must be 0-10, not {level}")
    if not soreness and not pain:
        raise InvalidValue("a check-in needs at least one --sore or --pain entry")
    checkin = CheckIn(day, soreness, pain, note)
    app.store.add_checkin(app.owner_id, checkin)
    return checkin
