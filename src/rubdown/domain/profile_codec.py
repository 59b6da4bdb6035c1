"""The profile as plain values and back: one field list and one codec for every place that
writes a profile out or reads one in (the store's row, the demo runner's TOML), so a new
profile field is added once.

Plain means what a database row, JSON or TOML holds: an enum as its value, a set of enums as
a sorted list of values (so the same profile always writes the same text), everything else
(text, numbers, None, the session time) as it is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import fields
from enum import Enum
from typing import Any

from rubdown.domain.model import Condition, Frequency, PolicyName, Profile, Tool, Units

PROFILE_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Profile))


def profile_values(profile: Profile) -> dict[str, Any]:
    """Every field of ``profile`` as a plain value, in the profile's field order."""
    return {name: _plain(getattr(profile, name)) for name in PROFILE_FIELDS}


def parse_profile_values(values: Mapping[Any, Any]) -> dict[str, Any]:
    """The profile fields ``values`` gives, as the profile holds them; names that are not
    profile fields are left out (a row's ``owner_id``). An enum value that does not exist
    raises ValueError: callers that read what a runner typed check it first."""
    return {name: _READ[name](value) for name, value in values.items() if name in _READ}


def profile_from_values(values: Mapping[Any, Any]) -> Profile:
    """The profile ``values`` describes; a field it leaves out has the profile's default."""
    return Profile(**parse_profile_values(values))


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, frozenset):
        return sorted(item.value for item in value)
    return value


def _optional_float(value: Any) -> float | None:
    # PostgreSQL's numeric columns read back as Decimal.
    return None if value is None else float(value)


def _time(value: Any) -> dt.time:
    return value if isinstance(value, dt.time) else dt.time.fromisoformat(value)


_READ: dict[str, Callable[[Any], Any]] = {
    "name": str,
    "policy": PolicyName,
    "frequency": Frequency,
    "budget_per_month": float,
    "session_price": float,
    "sports_price": float,
    "flush_price": float,
    "post_event_price": float,
    "units": Units,
    "owns": lambda names: frozenset(Tool(name) for name in names),
    "conditions": lambda names: frozenset(Condition(name) for name in names),
    "desk_job": bool,
    "timezone": str,
    "session_time": _time,
    "session_minutes": int,
    "max_hr_bpm": _optional_float,
    "resting_hr_bpm": _optional_float,
    "threshold_hr_bpm": _optional_float,
    "threshold_pace_s_per_km": _optional_float,
    "sex": lambda value: value,
}
