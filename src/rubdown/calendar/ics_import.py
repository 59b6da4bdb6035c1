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
* Repeating events (RRULE, RDATE, EXDATE, and occurrences changed or cancelled through a
  RECURRENCE-ID) are expanded with ``recurring-ical-events`` inside the **import horizon:
  from one year before the import day to 18 months (548 days) after it**. Each occurrence is
  read like a single event, under the UID ``<event UID>#<recurrence id>``, so importing the
  same file again finds every occurrence known. A series whose occurrences run past the
  horizon says so in ``skipped``; importing the file again later adds the next ones.
* Dates are held to the years every way in accepts (``rubdown.domain.dates``, 1900-2200):
  an event that starts or ends outside them is skipped with that reason, and the horizon
  stops at their ends, so a series running past 2200 says its later occurrences are outside
  them.
* Skipped, each with its reason (``SkippedEvent``): rubdown's own massage sessions (they
  come back from the plan, not the file), cancelled events and occurrences, a series with no
  occurrence inside the horizon, a repeat rule the expander cannot follow, a changed
  occurrence whose series is not in the file, and anything the words do not recognise.

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

import recurring_ical_events
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
from rubdown.domain.dates import FIRST_DAY, LAST_DAY, YEARS, in_range, out_of_range
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


# The import horizon for repeating events: a year of history (the rules look back at most a
# few weeks; a year covers a season's review) and 18 months ahead (a season and the next
# one's goal race). An unending series stops there; a later import adds what comes next.
HORIZON_DAYS_BEFORE = 365
HORIZON_DAYS_AFTER = 548  # 18 months


@dataclass(frozen=True)
class SkippedEvent:
    """An event (or one occurrence of a repeating event) not imported, and why."""

    name: str  # "'Dentist'", as ``_event_name`` gives it
    day: dt.date | None
    reason: str

    @property
    def line(self) -> str:
        where = f"{self.name} on {self.day.isoformat()}" if self.day else self.name
        return f"{where}: {self.reason}"


@dataclass
class CalendarImport:
    """What a calendar file held; each race and workout comes with its event's UID (or, for
    an event without one, a hash of its title and start; for an occurrence of a repeating
    event, the UID and its recurrence id) so a re-import can match it."""

    races: list[tuple[Race, str]] = field(default_factory=list)
    workouts: list[tuple[Workout, str]] = field(default_factory=list)
    skipped: list[SkippedEvent] = field(default_factory=list)


@dataclass(frozen=True)
class Horizon:
    first: dt.date
    last: dt.date

    @classmethod
    def around(cls, today: dt.date) -> Horizon:
        # Never wider than the accepted years: occurrences outside them would only be skipped.
        first = today - dt.timedelta(days=min(HORIZON_DAYS_BEFORE, (today - FIRST_DAY).days))
        last = today + dt.timedelta(days=min(HORIZON_DAYS_AFTER, (LAST_DAY - today).days))
        return cls(max(first, FIRST_DAY), min(last, LAST_DAY))

    @property
    def text(self) -> str:
        return f"{self.first.isoformat()} to {self.last.isoformat()}"


def read_ics(data: bytes, *, timezone: str, today: dt.date | None = None) -> CalendarImport:
    """The races and workouts in ``data``, dated in the runner's IANA ``timezone``; repeating
    events are expanded within the horizon around ``today`` (default: today in ``timezone``)."""
    local = zone(timezone)
    horizon = Horizon.around(today or dt.datetime.now(local).date())
    text = decode(data)
    check_structure(text)
    result = CalendarImport()
    for calendar in _parse(text.encode("utf-8")):
        zones = _Zones(local, _floating_zone(calendar, local))
        events = [c for c in calendar.subcomponents if c.name == "VEVENT"]
        # To-dos, journals and time zones carry no races or workouts.
        series, too_often = _series_uids(events, zones)
        for component in events:
            uid = str(component.get("UID", "")).strip()
            if uid in series:
                continue  # expanded below, with its changed occurrences
            if uid in too_often:
                if component.get("RECURRENCE-ID") is None:
                    name = _event_name(component)
                    start = _single(component, "DTSTART", name).dt
                    result.skipped.append(SkippedEvent(name, zones.day(start), too_often[uid]))
                continue
            _add(result, _read_event(component, zones))
        if series:
            _expand_series(calendar, series, zones, horizon, result)
    return result


def _add(result: CalendarImport, event: _ReadEvent) -> None:
    if isinstance(event.item, Race):
        result.races.append((event.item, event.uid))
    elif isinstance(event.item, Workout):
        result.workouts.append((event.item, event.uid))
    else:
        result.skipped.append(SkippedEvent(event.name, event.day, event.item))


def _series_uids(
    events: list[Component], zones: _Zones
) -> tuple[dict[str, Component], dict[str, str]]:
    """The repeating events (RRULE or RDATE with more than one occurrence), by UID, and
    those that repeat more than once a day, by UID with the reason they are not expanded.
    One without a UID is given its content hash, so its occurrences get stable UIDs."""
    found: dict[str, Component] = {}
    too_often: dict[str, str] = {}
    for event in events:
        if event.get("RECURRENCE-ID") is not None:
            continue
        name = _event_name(event)
        start = _single(event, "DTSTART", name)
        if start is None or not isinstance(start.dt, dt.date):
            continue  # _read_event names the problem
        if not in_range(_as_date(start.dt)):
            # Read as one event, which skips it for its start: a daily rule from year 1 would
            # cost the expander seconds to walk to the horizon, for occurrences the runner
            # never meant to plan around.
            continue
        if not _repeats(event, start.dt, zones, name):
            continue
        uid = str(_single(event, "UID", name) or "").strip()
        if not uid:
            uid = _content_hash(str(event.get("SUMMARY", "")).strip(), start.dt)
            event["UID"] = uid
        reason = _more_than_daily(event)
        if reason:
            too_often[uid] = reason
        else:
            found[uid] = event
    return found, too_often


# Training repeats by the day at most. A rule that repeats by the hour, minute or second
# (or lists several times a day) would make thousands of occurrences in the horizon, which
# no training plan holds and which would take the expander minutes: it is not expanded.
_SUB_DAILY = frozenset({"HOURLY", "MINUTELY", "SECONDLY"})


def _more_than_daily(event: Component) -> str:
    rules = event.get("RRULE")
    for rule in rules if isinstance(rules, list) else [rules] if rules is not None else []:
        frequency = str((rule.get("FREQ") or [""])[0]).upper()
        times_a_day = 1
        for part in ("BYHOUR", "BYMINUTE", "BYSECOND"):
            times_a_day *= max(len(rule.get(part) or []), 1)
        if frequency in _SUB_DAILY or times_a_day > 1:
            return "repeats more than once a day; training is read by the day, so it is not"
    return ""


def _expand_series(
    calendar: Calendar,
    series: dict[str, Component],
    zones: _Zones,
    horizon: Horizon,
    result: CalendarImport,
) -> None:
    """Each occurrence of each repeating event inside the horizon, read like a single event;
    EXDATEs drop occurrences and RECURRENCE-ID components change or cancel them."""
    seen: dict[str, int] = dict.fromkeys(series, 0)
    # Only the series go to the expander (with the calendar's time zones and properties):
    # single events are read above, and repeating ones refused above never reach it.
    expandable = Calendar()
    for key, value in calendar.items():
        expandable[key] = value
    for component in calendar.subcomponents:
        uid = str(component.get("UID", "")).strip()
        if component.name == "VTIMEZONE" or (component.name == "VEVENT" and uid in series):
            expandable.add_component(component)
    query = recurring_ical_events.of(expandable, skip_bad_series=True)
    try:
        occurrences = list(query.between(horizon.first, horizon.last + dt.timedelta(days=1)))
    except Exception as error:  # the expander signals a rule it cannot follow in many ways
        raise FileFormatError(f"a repeating event cannot be expanded: {_one_line(error)}") from None
    for occurrence in occurrences:
        uid = str(occurrence.get("UID", "")).strip()
        if uid not in series:
            continue  # a single event: read above
        seen[uid] += 1
        recurrence = occurrence.get("RECURRENCE-ID")
        begin = recurrence.dt if recurrence is not None else occurrence["DTSTART"].dt
        event = _read_event(occurrence, zones, uid=f"{uid}#{_recurrence_key(begin)}")
        _add(result, event)
    for uid, master in series.items():
        name = _event_name(master)
        if seen[uid] == 0:
            result.skipped.append(
                SkippedEvent(name, None, f"repeats, but no occurrence falls in {horizon.text}")
            )
        elif _runs_past(master, horizon):
            later = (
                f"repeats past {horizon.last.isoformat()}: later occurrences are outside"
                f" the years {YEARS} and are not imported"
                if horizon.last == LAST_DAY
                else f"repeats past {horizon.last.isoformat()}: later occurrences are not"
                " imported yet (import the file again later)"
            )
            result.skipped.append(SkippedEvent(name, None, later))


def _runs_past(master: Component, horizon: Horizon) -> bool:
    """Whether a series may have occurrences after the horizon: it has no end (no COUNT or
    UNTIL), ends after it, or has an RDATE after it."""
    rules = master.get("RRULE")
    for rule in rules if isinstance(rules, list) else [rules] if rules is not None else []:
        if not rule.get("COUNT") and not rule.get("UNTIL"):
            return True
        until = rule.get("UNTIL")
        if until and _as_date(until[0]) > horizon.last:
            return True
        if rule.get("COUNT"):
            # A counted series ends somewhere; only the expander knows where. Ask it whether
            # anything is left after the horizon (bounded by the count, so this is cheap).
            single = Calendar()
            single.add_component(master)
            try:
                later = recurring_ical_events.of(single).after(horizon.last + dt.timedelta(days=1))
                if next(iter(later), None) is not None:
                    return True
            except Exception:  # the expander signals trouble with assorted built-ins
                return False  # only the note is lost; the occurrences are in already
    dates = master.get("RDATE")
    for group in dates if isinstance(dates, list) else [dates] if dates is not None else []:
        if any(_as_date(value.dt) > horizon.last for value in group.dts):
            return True
    return False


def _as_date(value: dt.date | Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else dt.date.max


def _recurrence_key(begin: dt.date) -> str:
    """An occurrence's original start as RFC 5545 writes it: a date, a time in UTC, or a
    floating time as written (so the key does not change with the runner's time zone)."""
    if isinstance(begin, dt.datetime):
        if begin.tzinfo is None:
            return begin.strftime("%Y%m%dT%H%M%S")
        return _utc(begin).strftime("%Y%m%dT%H%M%SZ")
    return begin.strftime("%Y%m%d")


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
        if not isinstance(value, dt.datetime):
            return value
        try:
            return self.wall(value).date()
        except OverflowError:
            # A time at the very end (or start) of year 9999 (or 1) has no local date that
            # Python can hold; its own date is just as far outside the accepted years.
            return value.date()


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
    name: str  # "'Boston Marathon'"
    day: dt.date


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


def _read_event(event: Component, zones: _Zones, *, uid: str | None = None) -> _ReadEvent:
    """One event; ``uid`` given: one occurrence of a repeating event, already expanded."""
    occurrence = uid is not None
    name = _event_name(event)
    start = _single(event, "DTSTART", name)
    if start is None:
        raise FileFormatError(f"event {name} has no start date")
    begin = start.dt
    if not isinstance(begin, dt.date):  # a datetime is a date too
        raise FileFormatError(f"event {name} has a start that is not a date: {begin!r}")
    day = zones.day(begin)

    title = str(event.get("SUMMARY", "")).strip()
    if uid is None:
        uid = str(_single(event, "UID", name) or "").strip() or _content_hash(title, begin)
    categories = _categories(event)
    lowered = {category.lower() for category in categories}
    text = " ".join((title, *categories))

    item: Race | Workout | str
    outside = _outside_years(event, begin, day, zones, name)
    if outside is not None:
        item = outside  # before anything reads its times: they may not fit in a datetime
    elif is_rubdown_uid(uid) and MASSAGE_CATEGORY in lowered:
        item = "planned by rubdown (sessions come from the plan, not from the file)"
    elif str(event.get("STATUS", "")).upper() == "CANCELLED":
        item = "cancelled"
    elif not occurrence and event.get("RECURRENCE-ID") is not None:
        item = "changes one occurrence of a repeating event that is not in this file"
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
            if isinstance(begin, dt.datetime):
                start_time = zones.wall(begin).time()
            item = Race(race_name, day, priority, distance, start_time)
        elif kind is not None:
            minutes = _minutes(event, begin, zones, name)
            item = Workout(day=day, kind=kind, duration_min=minutes, source="calendar")
        else:
            item = "not recognised as a race or a workout (no race or training words)"
    return _ReadEvent(item, uid, name, day)


def _outside_years(
    event: Component, begin: dt.date, day: dt.date, zones: _Zones, name: str
) -> str | None:
    """Why the event is skipped when it starts or ends outside the accepted years (the start
    as written and on the runner's calendar; the end from DTEND, or DTSTART plus DURATION)."""
    written = begin.date() if isinstance(begin, dt.datetime) else begin
    for shown in (written, day):
        refused = out_of_range(shown, "the start")
        if refused is not None:
            return refused
    end = _single(event, "DTEND", name)
    finish: Any = end.dt if end is not None else None
    if finish is None:
        duration = _single(event, "DURATION", name)
        length = duration.dt if duration is not None else None
        if isinstance(length, dt.timedelta):
            try:
                finish = begin + length
            except OverflowError:
                return f"the end (its start plus {length.days} days) is outside the years {YEARS}"
    if not isinstance(finish, dt.date):
        return None
    # The end is exclusive (RFC 5545 3.6.1): an all-day event ending on 2201-01-01 takes
    # 2200-12-31 only, and a run until midnight ends on the day before.
    last = zones.day(finish)
    try:
        if isinstance(finish, dt.datetime) and last != zones.day(begin):
            last = zones.day(finish - dt.timedelta(microseconds=1))
        elif not isinstance(finish, dt.datetime) and finish > written:
            last = finish - dt.timedelta(days=1)
    except OverflowError:
        pass  # an end at the first instant Python knows: outside the years either way
    return out_of_range(last, "the end")


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
