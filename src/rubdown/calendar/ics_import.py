"""Read races and workouts from an RFC 5545 calendar (a race calendar, a training plan).

Each VEVENT becomes a race, a workout, or a line in ``skipped`` saying why not:

* Races: our own ``X-RUBDOWN-PRIORITY`` or a "race" category, else the words of the title
  and categories (see ``classify``). A timed race starts at its local time, an all-day one
  at ``X-RUBDOWN-START-TIME`` if given. The priority is ``X-RUBDOWN-PRIORITY``, else a marker
  in the title such as "(A)", "A race" or "A-race", else **B for a half marathon or longer**
  (marathon, half, ultra, "25 km") and **C otherwise**. The distance is
  ``X-RUBDOWN-DISTANCE-KM``, else the words (marathon 42.195 km, half 21.0975 km, "10k",
  "25 km", parkrun 5 km).
* Workouts: a category named like a workout kind ("rest", "tempo" ...), else the words:
  long run, tempo/threshold, intervals/reps/track/VO2, hill, easy/recovery run, rest/off.
* Skipped: rubdown's own massage sessions (they come back from the plan, not the file),
  cancelled events, repeating events (RRULE/RDATE; they are not expanded yet, unless the
  rule allows one occurrence only), changed occurrences of a repeating event
  (RECURRENCE-ID), and anything the words do not recognise.

A timed event counts on its local date in ``timezone``: 23:30 UTC is already tomorrow in
Berlin. Floating times (and a TZID the file neither defines nor is a known zone) are read
in the calendar's X-WR-TIMEZONE if it names one, else as local time.

A file that is not iCalendar, is cut off, or has a line, date or duration the parser
rejects raises ``FileFormatError`` with one line naming the problem; nothing is imported
from it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from icalendar import Calendar, Component

from rubdown.calendar.classify import (
    classify,
    default_priority,
    priority_marker,
    race_distance,
    without_priority_marker,
)
from rubdown.calendar.conventions import (
    MASSAGE_CATEGORY,
    RACE_CATEGORY,
    X_DISTANCE_KM,
    X_PRIORITY,
    X_START_TIME,
    is_rubdown_uid,
    zone,
)
from rubdown.calendar.ics_structure import check_structure, decode
from rubdown.domain.model import Priority, Race, Workout, WorkoutKind
from rubdown.errors import FileFormatError, InvalidValue

_OUR_RACE_TITLE = re.compile(r"^Race \([ABC]\)\s*[–-]\s*")
_WORKOUT_CATEGORIES = {kind.value: kind for kind in WorkoutKind if kind is not WorkoutKind.RACE}
_PROPERTY_WORDS = {
    "DTSTART": "start date",
    "DTEND": "end date",
    "DURATION": "duration",
    "RRULE": "repeat rule",
    "RDATE": "repeat date",
    "EXDATE": "excluded date",
}


@dataclass
class CalendarImport:
    """What a calendar file held; each race and workout comes with its event's UID (or, for
    an event without one, a hash of its title and start) so a re-import can match it."""

    races: list[tuple[Race, str]] = field(default_factory=list)
    workouts: list[tuple[Workout, str]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def read_ics(data: bytes, *, timezone: str) -> CalendarImport:
    """The races and workouts in ``data``, dated in the runner's IANA ``timezone``."""
    local = zone(timezone)
    text = decode(data)
    check_structure(text)
    result = CalendarImport()
    for calendar in _parse(text.encode("utf-8")):
        zones = _Zones(local, _floating_zone(calendar, local))
        for component in calendar.subcomponents:
            if component.name != "VEVENT":
                continue  # to-dos, journals and time zones carry no races or workouts
            event = _read_event(component, zones)
            if isinstance(event.item, Race):
                result.races.append((event.item, event.uid))
            elif isinstance(event.item, Workout):
                result.workouts.append((event.item, event.uid))
            else:
                result.skipped.append(f"{event.where}: {event.item}")
    return result


@dataclass(frozen=True)
class _Zones:
    local: dt.tzinfo  # the runner's zone: a timed event counts on its date here
    floating: dt.tzinfo  # what a time without a zone means (RFC 5545 3.3.5, "floating")

    def instant(self, value: dt.datetime) -> dt.datetime:
        return value if value.tzinfo is not None else value.replace(tzinfo=self.floating)

    def wall(self, value: dt.datetime) -> dt.datetime:
        """The runner's wall-clock time at ``value``."""
        return self.instant(value).astimezone(self.local)

    def day(self, value: dt.date) -> dt.date:
        return self.wall(value).date() if isinstance(value, dt.datetime) else value


def _floating_zone(calendar: Calendar, local: dt.tzinfo) -> dt.tzinfo:
    # Google and Apple exports name the calendar's zone in X-WR-TIMEZONE; floating times in
    # such a file mean that zone. Without it (or with a name we do not know) they are local.
    name = str(calendar.get("X-WR-TIMEZONE", "")).strip()
    if not name:
        return local
    try:
        return zone(name)
    except InvalidValue:
        return local


@dataclass(frozen=True)
class _ReadEvent:
    item: Race | Workout | str  # a string is the reason the event is skipped
    uid: str
    where: str  # "'Boston Marathon' on 2027-04-19"


def _parse(data: bytes) -> list[Calendar]:
    try:
        calendars: list[Calendar] = Calendar.from_ical(data, multiple=True)
    except Exception as error:  # the parser signals bad input with assorted built-ins
        raise FileFormatError(f"not a valid iCalendar file: {_one_line(error)}") from None
    for calendar in calendars:
        for component in calendar.walk():
            _raise_parse_errors(component)
    return calendars


def _raise_parse_errors(component: Component) -> None:
    # Events are parsed leniently: a bad line or value is recorded in ``errors`` and the
    # property becomes a ``vBroken``. Importing such an event would guess at its meaning.
    if not component.errors:
        return
    prop, message = component.errors[0]
    owner = f"event {_event_name(component)}" if component.name == "VEVENT" else component.name
    if prop is None:
        raise FileFormatError(f"{owner} has a line that is not iCalendar: {_shorten(message)}")
    value = str(component.get(prop, ""))
    what = _PROPERTY_WORDS.get(prop, prop)
    detail = "" if value in message else f": {_shorten(message)}"
    raise FileFormatError(f"{owner} has an invalid {what} {_shorten(value)!r}{detail}")


def _read_event(event: Component, zones: _Zones) -> _ReadEvent:
    name = _event_name(event)
    start = _single(event, "DTSTART", name)
    if start is None:
        raise FileFormatError(f"event {name} has no start date")
    begin = start.dt
    if not isinstance(begin, dt.date):  # a datetime is a date too
        raise FileFormatError(f"event {name} has a start that is not a date: {begin!r}")
    day = zones.day(begin)
    local_start = zones.wall(begin) if isinstance(begin, dt.datetime) else None

    title = str(event.get("SUMMARY", "")).strip()
    uid = str(_single(event, "UID", name) or "").strip() or _content_hash(title, begin)
    categories = _categories(event)
    lowered = {category.lower() for category in categories}
    text = " ".join((title, *categories))

    item: Race | Workout | str
    if is_rubdown_uid(uid) and MASSAGE_CATEGORY in lowered:
        item = "planned by rubdown (sessions come from the plan, not from the file)"
    elif str(event.get("STATUS", "")).upper() == "CANCELLED":
        item = "cancelled"
    elif event.get("RECURRENCE-ID") is not None:
        item = "changes one occurrence of a repeating event; repeating events are not imported"
    elif _repeats(event, begin, zones, name):
        item = "repeats (RRULE/RDATE); repeating events are not imported, add the dates one by one"
    else:
        our_priority = _our_priority(event, name)
        if our_priority is not None or RACE_CATEGORY in lowered:
            kind: WorkoutKind | None = WorkoutKind.RACE
        else:
            kind = _category_kind(lowered) or classify(title, categories)
        if kind is WorkoutKind.RACE:
            distance = _our_distance(event, name) or race_distance(text)
            priority = our_priority or priority_marker(text) or default_priority(text, distance)
            race_name = without_priority_marker(_OUR_RACE_TITLE.sub("", title)) or "Race"
            start_time = _our_start_time(event, name)
            if local_start is not None:
                start_time = local_start.time()
            item = Race(race_name, day, priority, distance, start_time)
        elif kind is not None:
            minutes = _minutes(event, begin, zones, name)
            item = Workout(day=day, kind=kind, duration_min=minutes, source="calendar")
        else:
            item = "not recognised as a race or a workout (no race or training words)"
    return _ReadEvent(item, uid, f"{name} on {day.isoformat()}")


def _category_kind(categories: set[str]) -> WorkoutKind | None:
    """A category named like a workout kind ("rest", "tempo"), as rubdown's own export writes."""
    for category in sorted(categories):
        if category in _WORKOUT_CATEGORIES:
            return _WORKOUT_CATEGORIES[category]
    return None


def _our_priority(event: Component, name: str) -> Priority | None:
    value = _single(event, X_PRIORITY, name)
    if value is None:
        return None
    text = str(value).strip().upper()
    if text not in {p.value for p in Priority}:
        raise FileFormatError(f"event {name} has an invalid {X_PRIORITY} {str(value)!r}")
    return Priority(text)


def _our_distance(event: Component, name: str) -> float | None:
    value = _single(event, X_DISTANCE_KM, name)
    if value is None:
        return None
    try:
        distance = float(str(value).strip())
    except ValueError:
        distance = -1.0
    if not 0 < distance < 10_000:  # also rejects nan and inf
        raise FileFormatError(f"event {name} has an invalid {X_DISTANCE_KM} {str(value)!r}")
    return distance


def _our_start_time(event: Component, name: str) -> dt.time | None:
    value = _single(event, X_START_TIME, name)
    if value is None:
        return None
    try:
        return dt.time.fromisoformat(str(value).strip())
    except ValueError:
        raise FileFormatError(
            f"event {name} has an invalid {X_START_TIME} {str(value)!r}"
        ) from None


def _repeats(event: Component, begin: dt.date, zones: _Zones, name: str) -> bool:
    """Whether the event has more than one occurrence (without expanding it)."""
    if event.get("RDATE") is not None:
        return True
    rule = event.get("RRULE")
    if rule is None:
        return False
    if isinstance(rule, list):
        return True
    count = rule.get("COUNT")
    if count and int(count[0]) <= 1:
        return False  # DTSTART is the first occurrence and the only one (RFC 5545 3.3.10)
    until = rule.get("UNTIL")
    if until:
        last = until[0]
        if not isinstance(last, dt.date):
            raise FileFormatError(
                f"event {name} has an invalid repeat rule: UNTIL {last} is not a date"
            )
        if isinstance(last, dt.datetime) and isinstance(begin, dt.datetime):
            return zones.instant(last) > zones.instant(begin)
        return zones.day(last) > zones.day(begin)
    return True


def _minutes(event: Component, begin: dt.date, zones: _Zones, name: str) -> float | None:
    """A timed event's length; an all-day event has none (it is a day, not a duration)."""
    if not isinstance(begin, dt.datetime):
        return None
    end = _single(event, "DTEND", name)
    if end is not None and isinstance(end.dt, dt.datetime):
        # Subtract in UTC: Python subtracts two times of the same zone object as wall-clock
        # times, which is an hour off across a daylight-saving change.
        length: dt.timedelta = _utc(zones.instant(end.dt)) - _utc(zones.instant(begin))
    else:
        duration = _single(event, "DURATION", name)
        if duration is None or not isinstance(duration.dt, dt.timedelta):
            return None
        length = duration.dt
    minutes = length.total_seconds() / 60
    return minutes if minutes > 0 else None


def _single(event: Component, prop: str, name: str) -> Any:
    value = event.get(prop)
    if isinstance(value, list):
        raise FileFormatError(f"event {name} has more than one {prop}")
    return value


def _categories(event: Component) -> tuple[str, ...]:
    value = event.get("CATEGORIES")
    groups = value if isinstance(value, list) else [value] if value is not None else []
    return tuple(str(category).strip() for group in groups for category in group.cats)


def _utc(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.UTC)


def _event_name(event: Component) -> str:
    title = str(event.get("SUMMARY", "")).strip()
    if title:
        return repr(_shorten(title))
    uid = str(event.get("UID", "")).strip()
    return f"with UID {uid!r}" if uid else "without a title"


def _content_hash(title: str, begin: dt.date) -> str:
    digest = hashlib.sha256(f"{title}\n{begin.isoformat()}".encode()).hexdigest()
    return f"sha256:{digest[:32]}"


def _one_line(error: BaseException) -> str:
    return _shorten(" ".join(str(error).split()) or type(error).__name__)


def _shorten(text: str, limit: int = 100) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
