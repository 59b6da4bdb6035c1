"""Use cases that change what the runner has told rubdown: profile, races, workouts, massage
log. The daily check-in, injuries and runs logged by hand are in ``services.daily``."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import replace
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from rubdown.domain.model import (
    MassageSession,
    Priority,
    Profile,
    Race,
    SessionKind,
    Workout,
    WorkoutKind,
)
from rubdown.domain.regions import Region
from rubdown.errors import InvalidDate, InvalidValue, NotFound
from rubdown.services.loads import current_params, refresh_loads
from rubdown.services.runner import Runner

PRICE_RANGE = (0.0, 10_000.0)
# What a runner may give for the load model; outside these a value is a typo or a unit mix-up.
MAX_HR_RANGE = (120.0, 230.0)
RESTING_HR_RANGE = (30.0, 100.0)
THRESHOLD_HR_RANGE = (80.0, 230.0)
THRESHOLD_PACE_RANGE = (150.0, 600.0)  # s/km: 2:30 to 10:00 per km
SEXES = ("male", "female")
LOAD_FIELDS = frozenset(
    {"max_hr_bpm", "resting_hr_bpm", "threshold_hr_bpm", "threshold_pace_s_per_km", "sex"}
)
LOAD_NAMES = ", ".join(sorted(LOAD_FIELDS))
# The longest IANA key is about 30 characters; the profile's column takes far more, but a
# name longer than this cannot be a time zone.
MAX_TIMEZONE_CHARS = 64


# The price of each kind of professional session, by profile field (F4).
PRICE_FIELDS = {
    "session_price": "session price",
    "sports_price": "sports massage price",
    "flush_price": "flush price",
    "post_event_price": "post-event price",
}


def update_profile(
    app: Runner, *, estimate: Iterable[str] | None = None, **changes: Any
) -> Profile:
    """Change the given fields of the profile; ``None`` values leave a field as it is.

    ``estimate`` names load values (``LOAD_FIELDS``) the runner takes back: they are cleared
    and estimated from their data again, in the same save as the changes. The stored profile
    is read, changed and saved in one write transaction, so another change saved meanwhile
    is kept, not overwritten with what this one read before it.
    """
    wanted = _checked_changes(estimate, changes)
    default = Profile(timezone=app.default_timezone)
    for _attempt in range(LOAD_CHECK_ATTEMPTS):
        # Whether given load values fit the estimated ones needs every activity's load basis:
        # that is read before the write transaction, which then only has to see that the
        # load values it saves are the ones checked (another writer may have changed them).
        fitted = _load_values(_fitting(app, replace(app.profile(), **wanted), wanted))

        def change(stored: Profile | None, fitted: dict[str, Any] = fitted) -> Profile:
            profile = replace(stored or default, **wanted)
            check_load_values(profile)
            if LOAD_FIELDS & wanted.keys() and _load_values(profile) != fitted:
                raise _LoadValuesMoved
            return profile

        try:
            profile = app.data.update_profile(change, loads_depend_on=LOAD_FIELDS)
        except _LoadValuesMoved:
            continue
        # Loads and hard days depend on the runner's values: recompute them from the bases.
        refresh_loads(app)
        return profile
    raise InvalidValue("the load values were changed at the same time: try again")


# How often a change of load values is checked again when another one was saved meanwhile.
LOAD_CHECK_ATTEMPTS = 3


class _LoadValuesMoved(Exception):
    """The stored load values are no longer those the change was checked against."""


def _load_values(profile: Profile) -> dict[str, Any]:
    return {name: getattr(profile, name) for name in sorted(LOAD_FIELDS)}


def _fitting(app: Runner, profile: Profile, wanted: dict[str, Any]) -> Profile:
    """``profile`` when its values are sound and its given load values fit the estimated."""
    check_load_values(profile)
    if LOAD_FIELDS & wanted.keys():
        try:
            current_params(app, profile)
        except InvalidValue as error:
            raise InvalidValue(f"{error}; give the other heart rates too") from None
    return profile


def _checked_changes(estimate: Iterable[str] | None, changes: dict[str, Any]) -> dict[str, Any]:
    """The fields to change, each checked on its own (before anything is read)."""
    wanted = {name: value for name, value in changes.items() if value is not None}
    for name in estimate or ():
        if name not in LOAD_FIELDS:
            raise InvalidValue(f"only load values can be estimated, not {name!r}: {LOAD_NAMES}")
        if name in wanted:
            raise InvalidValue(f"{name} is both given and to be estimated: choose one")
        wanted[name] = None
    if "budget_per_month" in wanted:
        check_money(wanted["budget_per_month"], "monthly budget")
    for field, what in PRICE_FIELDS.items():
        if field in wanted:
            check_money(wanted[field], what)
            if wanted[field] == 0:
                raise InvalidValue(f"{what} must be more than 0")
    if "timezone" in wanted:
        check_timezone(wanted["timezone"])
    if "session_minutes" in wanted and not 15 <= wanted["session_minutes"] <= 180:
        raise InvalidValue("session length must be between 15 and 180 minutes")
    return wanted


def check_timezone(name: str) -> str:
    """``name`` if it is an IANA time zone this machine knows, else one line saying so.

    ``ZoneInfo`` answers a name too long for a file name with OSError and some odd ones
    (a NUL, a lone surrogate) with other errors, not only ZoneInfoNotFoundError; a key is
    never longer than ``MAX_TIMEZONE_CHARS``, so a longer one is refused before it is tried.
    """
    shown = name if len(name) <= 60 else f"{name[:60]}..."
    refusal = InvalidValue(f"unknown time zone {shown!r}: use an IANA name such as Europe/Berlin")
    if not isinstance(name, str) or not name or len(name) > MAX_TIMEZONE_CHARS:
        raise refusal
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError, UnicodeError):
        raise refusal from None
    return name


def check_load_values(profile: Profile) -> None:
    """The heart rates and threshold pace a runner gives: each in a human range, and
    resting < threshold <= max among those given."""
    given = {
        "max HR": (profile.max_hr_bpm, MAX_HR_RANGE),
        "resting HR": (profile.resting_hr_bpm, RESTING_HR_RANGE),
        "threshold HR": (profile.threshold_hr_bpm, THRESHOLD_HR_RANGE),
    }
    for what, (value, (low, high)) in given.items():
        if value is not None and not (math.isfinite(value) and low <= value <= high):
            raise InvalidValue(f"{what} must be {low:g}-{high:g} bpm, not {value:g}")
    ordered = [
        (what, value)
        for what, value in (
            ("resting HR", profile.resting_hr_bpm),
            ("threshold HR", profile.threshold_hr_bpm),
            ("max HR", profile.max_hr_bpm),
        )
        if value is not None
    ]
    for (low_name, low), (high_name, high) in pairwise(ordered):
        # Threshold may equal max (a runner who has only ever raced an hour), not resting.
        fits = low <= high if high_name == "max HR" and low_name == "threshold HR" else low < high
        if not fits:
            raise InvalidValue(
                f"{low_name} ({low:g}) must be below {high_name} ({high:g}):"
                " resting < threshold <= max"
            )
    pace = profile.threshold_pace_s_per_km
    low, high = THRESHOLD_PACE_RANGE
    if pace is not None and not (math.isfinite(pace) and low <= pace <= high):
        raise InvalidValue(
            f"threshold pace must be {format_pace(low)}-{format_pace(high)} per km,"
            f" not {format_pace(pace)}"
        )
    if profile.sex is not None and profile.sex not in SEXES:
        raise InvalidValue(f"sex must be male or female, not {profile.sex!r}")


def format_pace(seconds_per_km: float) -> str:
    """285 -> "4:45"; what the runner typed, back."""
    if not math.isfinite(seconds_per_km):
        return str(seconds_per_km)
    minutes, seconds = divmod(round(seconds_per_km), 60)
    return f"{minutes}:{seconds:02d}"


def check_money(value: float, what: str) -> None:
    low, high = PRICE_RANGE
    if not low <= value <= high:
        raise InvalidValue(f"{what} must be between {low:g} and {high:g}, not {value:g}")


def add_race(
    app: Runner,
    name: str,
    day: dt.date,
    priority: Priority,
    distance_km: float | None = None,
    start_time: dt.time | None = None,
) -> Race:
    race = _checked_race(Race(name, day, priority, distance_km, start_time))
    return app.data.add_race(race)


def _checked_race(race: Race) -> Race:
    """The race with its name trimmed, or an input error naming what is wrong."""
    if not race.name.strip():
        raise InvalidValue("a race needs a name")
    distance_km = race.distance_km
    if distance_km is not None and not (math.isfinite(distance_km) and 0 < distance_km <= 1000):
        raise InvalidValue(f"race distance must be between 0 and 1000 km, not {distance_km:g}")
    return replace(race, name=race.name.strip())


def find_race(app: Runner, ref: str) -> Race:
    """A race by its id (or a unique prefix of it) or its exact name."""
    races = app.data.list_races()
    matches = [r for r in races if r.id.startswith(ref) or r.name.lower() == ref.lower()]
    if len(matches) != 1:
        what = "no race" if not matches else f"{len(matches)} races"
        raise NotFound(f"{what} match {ref!r}: `rubdown race list` shows ids and names")
    return matches[0]


def move_race(app: Runner, ref: str, day: dt.date) -> Race:
    """The race on ``day``; a calendar that has it sees a new version (SEQUENCE + 1), unless
    it was on that day already."""
    return app.data.update_race(replace(find_race(app, ref), day=day))


def edit_race(
    app: Runner,
    ref: str,
    *,
    name: str | None = None,
    day: dt.date | None = None,
    priority: Priority | None = None,
    distance_km: float | None = None,
    start_time: dt.time | None = None,
) -> Race:
    """Change the given fields of a race (None leaves a field as it is); a calendar that has
    the race sees a new version (SEQUENCE + 1) when anything it shows changed."""
    if all(value is None for value in (name, day, priority, distance_km, start_time)):
        raise InvalidValue("nothing to change: give a name, date, priority, distance or start")
    race = find_race(app, ref)
    changed = replace(
        race,
        name=race.name if name is None else name,
        day=day or race.day,
        priority=priority or race.priority,
        distance_km=race.distance_km if distance_km is None else distance_km,
        start_time=start_time or race.start_time,
    )
    changed = _checked_race(changed)
    return app.data.update_race(changed)


def remove_race(app: Runner, ref: str) -> Race:
    race = find_race(app, ref)
    app.data.remove_race(race.id)
    return race


def add_workout(
    app: Runner, day: dt.date, kind: WorkoutKind, duration_min: float | None = None
) -> Workout:
    _check_duration(duration_min)
    return app.data.add_workout(Workout(day, kind, duration_min))


def _check_duration(duration_min: float | None) -> None:
    if duration_min is not None and not (
        math.isfinite(duration_min) and 0 < duration_min <= 24 * 60
    ):
        raise InvalidValue(
            f"workout duration must be between 0 and 1440 minutes, not {duration_min:g}"
        )


def find_workout(app: Runner, ref: str) -> Workout:
    """A stored workout by its id or a unique start of it (``workout list`` shows them)."""
    cleaned = ref.strip().lower()
    workouts = app.data.list_workouts()
    matches = [w for w in workouts if cleaned and w.id.startswith(cleaned)]
    if len(matches) != 1:
        what = "no workout matches" if not matches else f"{len(matches)} workouts match"
        raise NotFound(f"{what} {ref!r}: `rubdown workout list` shows ids")
    return matches[0]


def edit_workout(
    app: Runner,
    ref: str,
    *,
    day: dt.date | None = None,
    kind: WorkoutKind | None = None,
    duration_min: float | None = None,
) -> Workout:
    """Change the given fields of a workout; None leaves a field as it is."""
    if day is None and kind is None and duration_min is None:
        raise InvalidValue("nothing to change: give a date, a kind or a duration")
    _check_duration(duration_min)  # before the lookup: bad input is named first
    workout = find_workout(app, ref)
    changed = replace(
        workout,
        day=day or workout.day,
        kind=kind or workout.kind,
        duration_min=workout.duration_min if duration_min is None else duration_min,
    )
    return app.data.update_workout(changed)


def remove_workout(app: Runner, ref: str) -> Workout:
    workout = find_workout(app, ref)
    app.data.remove_workout(workout.id)
    return workout


def log_massage(
    app: Runner,
    day: dt.date,
    kind: SessionKind,
    regions: tuple[Region, ...] = (),
    price: float | None = None,
    note: str = "",
) -> MassageSession:
    if day > app.today():
        raise InvalidDate(f"{day} is in the future: log a massage once it has happened")
    if price is None:
        price = app.profile().price_of(kind)
    check_money(price, "price")
    session = MassageSession(day, kind, regions, price)
    return app.data.add_session(session, note=note)
