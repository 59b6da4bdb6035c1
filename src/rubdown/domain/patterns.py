"""A weekly training pattern ("tue:tempo thu:intervals sun:long") spread over a span of days.

A pattern lets a runner enter a training block in one line instead of a workout a day. With
``recovery_every`` N, every Nth week of the pattern (its first week, the calendar week that
holds ``first_day``, is week 1) is a recovery week: the hard sessions of that week become
easy runs, except the long run, which a recovery week keeps (shorter, but still the week's
anchor). Weeks run Monday to Sunday, as everywhere else in rubdown.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rubdown.domain.availability import WEEKDAY_NAMES, WEEKDAYS
from rubdown.domain.model import Workout, WorkoutKind
from rubdown.errors import InvalidDate, InvalidValue, UnknownName

PATTERN_SOURCE = "pattern"
# A training block is rarely longer than a season; beyond two years a pattern is a typo.
MAX_PATTERN_DAYS = 2 * 366
RECOVERY_EVERY_RANGE = (2, 12)
# Races are dated events with a name and a priority, not a weekly habit: `race add` is for them.
PATTERN_KINDS = tuple(kind for kind in WorkoutKind if kind is not WorkoutKind.RACE)

_DAY_NAMES = {
    **{short: index for index, short in enumerate(WEEKDAYS)},
    **{full.lower(): index for index, full in enumerate(WEEKDAY_NAMES)},
}


@dataclass(frozen=True)
class PatternDay:
    weekday: int  # 0 = Monday, as date.weekday()
    kind: WorkoutKind

    @property
    def text(self) -> str:
        return f"{WEEKDAYS[self.weekday]}:{self.kind.value}"


@dataclass(frozen=True)
class WorkoutPattern:
    first_day: dt.date
    last_day: dt.date
    days: tuple[PatternDay, ...]
    recovery_every: int | None = None
    id: str = ""

    @property
    def spec(self) -> str:
        """The week as the runner would type it, in weekday order: "tue:tempo sun:long"."""
        return " ".join(day.text for day in self.days)


@dataclass(frozen=True)
class ExpandedPattern:
    """The workouts a pattern makes and the Mondays of its recovery weeks."""

    workouts: tuple[Workout, ...]
    recovery_mondays: tuple[dt.date, ...]


def parse_week(text: str) -> tuple[PatternDay, ...]:
    """``"tue:tempo thu:intervals sun:long"`` (spaces or commas between days) -> the days in
    weekday order; an item that cannot be read is named in the error."""
    items = text.replace(",", " ").split()
    if not items:
        raise InvalidValue('a pattern needs at least one day, e.g. "tue:tempo sun:long"')
    days: dict[int, PatternDay] = {}
    for item in items:
        day = _parse_item(item)
        if day.weekday in days:
            raise InvalidValue(f"pattern day {item!r}: {WEEKDAY_NAMES[day.weekday]} is given twice")
        days[day.weekday] = day
    return tuple(days[weekday] for weekday in sorted(days))


def _parse_item(item: str) -> PatternDay:
    name, colon, kind_text = item.partition(":")
    if not colon or not name or not kind_text:
        raise InvalidValue(f"pattern day {item!r}: expected DAY:KIND, e.g. tue:tempo")
    weekday = _DAY_NAMES.get(name.strip().lower())
    if weekday is None:
        raise UnknownName(f"pattern day {item!r}: unknown day {name!r}: expected one of mon-sun")
    kinds = {kind.value: kind for kind in PATTERN_KINDS}
    kind = kinds.get(kind_text.strip().lower())
    if kind is None:
        if kind_text.strip().lower() == WorkoutKind.RACE.value:
            raise InvalidValue(f"pattern day {item!r}: races are added with `rubdown race add`")
        raise UnknownName(
            f"pattern day {item!r}: unknown workout kind {kind_text!r}: expected one of "
            + ", ".join(kinds)
        )
    return PatternDay(weekday, kind)


def check_span(first_day: dt.date, last_day: dt.date) -> None:
    if last_day < first_day:
        raise InvalidDate(f"the pattern cannot end ({last_day}) before it starts ({first_day})")
    if (last_day - first_day).days >= MAX_PATTERN_DAYS:
        raise InvalidValue("a pattern covers at most two years; choose a nearer --to date")


def check_recovery_every(weeks: int | None) -> None:
    low, high = RECOVERY_EVERY_RANGE
    if weeks is not None and not low <= weeks <= high:
        raise InvalidValue(f"--recovery-every must be {low}-{high} weeks, not {weeks}")


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def recovery_mondays(pattern: WorkoutPattern) -> tuple[dt.date, ...]:
    """The Mondays of the pattern's recovery weeks: every Nth week, week 1 the first."""
    every = pattern.recovery_every
    if every is None:
        return ()
    first_monday = monday_of(pattern.first_day)
    mondays: list[dt.date] = []
    week = every  # week numbers start at 1, so the first recovery week is week N
    while (monday := first_monday + dt.timedelta(weeks=week - 1)) <= pattern.last_day:
        mondays.append(monday)
        week += every
    return tuple(mondays)


def expand(pattern: WorkoutPattern) -> ExpandedPattern:
    """One workout per day of the span whose weekday the pattern names."""
    check_span(pattern.first_day, pattern.last_day)
    check_recovery_every(pattern.recovery_every)
    kinds = {day.weekday: day.kind for day in pattern.days}
    recovery = recovery_mondays(pattern)
    recovery_set = frozenset(recovery)
    workouts: list[Workout] = []
    day = pattern.first_day
    while day <= pattern.last_day:
        kind = kinds.get(day.weekday())
        if kind is not None:
            if monday_of(day) in recovery_set:
                kind = recovery_kind(kind)
            workouts.append(Workout(day, kind, source=PATTERN_SOURCE, pattern_id=pattern.id))
        day += dt.timedelta(days=1)
    return ExpandedPattern(tuple(workouts), recovery)


def recovery_kind(kind: WorkoutKind) -> WorkoutKind:
    """What a session becomes in a recovery week: hard work turns easy, the long run stays."""
    if kind.is_hard and kind is not WorkoutKind.LONG:
        return WorkoutKind.EASY
    return kind
