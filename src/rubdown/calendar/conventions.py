"""Names and identities that rubdown's calendar files share between export and import.

A published event must keep its UID for as long as it exists: calendar clients match
updates by UID, and a fresh UID on every export shows up as a duplicate event. So every
UID here is derived from stable inputs only.
"""

from __future__ import annotations

import datetime as dt
import uuid
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from rubdown.domain.model import Race, Workout
from rubdown.errors import InvalidValue

PRODID = "-//rubdown//rubdown massage and recovery planner//EN"
UID_SUFFIX = "@rubdown"

# Never change this value: every UID rubdown has ever published is derived from it.
_UID_NAMESPACE = uuid.UUID("cdf16d3d-6867-4bb6-910b-a5ae80b2bc42")

# Our own properties, so that a re-import gets back what a SUMMARY cannot carry reliably.
X_PRIORITY = "X-RUBDOWN-PRIORITY"
X_DISTANCE_KM = "X-RUBDOWN-DISTANCE-KM"
X_START_TIME = "X-RUBDOWN-START-TIME"  # a race is all-day on the calendar; its gun time is here

MASSAGE_CATEGORY = "massage"
RACE_CATEGORY = "race"
REST_CATEGORY = "rest"

# Zone names that mean plain UTC: their times are written with a "Z" and need no VTIMEZONE.
_UTC_NAMES = frozenset({"UTC", "ETC/UTC", "Z", "ZULU", "ETC/ZULU", "GMT", "ETC/GMT", "UCT"})


def _uid(owner_id: str, name: str) -> str:
    # uuid5 rather than the raw name: the UID is visible to anyone the feed is shared with,
    # and it should not reveal the owner's account id or the plan's slot names.
    return f"{uuid.uuid5(_UID_NAMESPACE, f'{owner_id}:{name}')}{UID_SUFFIX}"


def session_uid(owner_id: str, key: str) -> str:
    """The UID of a planned session; ``key`` is ``PlannedSession.key``, stable across re-plans."""
    return _uid(owner_id, key)


def race_uid(owner_id: str, race: Race) -> str:
    """The UID of a race event; a race without an id falls back to its name and day."""
    return _uid(owner_id, f"race:{race.id or f'{race.name}|{race.day.isoformat()}'}")


def rest_day_uid(owner_id: str, workout: Workout) -> str:
    """The UID of a rest-day event; a rest day without an id falls back to its day."""
    return _uid(owner_id, f"rest:{workout.id or workout.day.isoformat()}")


def is_rubdown_uid(uid: str) -> bool:
    return uid.endswith(UID_SUFFIX)


def is_utc(timezone: str) -> bool:
    return timezone.strip().upper() in _UTC_NAMES


def zone(timezone: str) -> dt.tzinfo:
    """The IANA zone ``timezone`` names, or UTC; an unknown name is an input error."""
    if is_utc(timezone):
        return dt.UTC
    try:
        return ZoneInfo(timezone.strip())
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long to open
        raise InvalidValue(
            f"unknown time zone {timezone!r}: use an IANA name such as 'Europe/Berlin'"
        ) from None
