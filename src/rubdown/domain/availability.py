"""The therapist's weekly hours: the days and times the runner's therapist (or clinic) takes
appointments, such as Tue 09:00-17:00, Thu 12:00-20:00, Sat 09:00-13:00.

A professional session the plan proposes is only useful if it can be booked, so when the
runner gives these hours the planner places professional sessions only on the weekdays they
cover, and at a time inside them. No hours given means "any day", as before there were any.

Times are minutes after the runner's local midnight: 0 (00:00) to 1440 (the 24:00 that ends
the day), so "20:00-24:00" can be said and compared without a special case. An end of 00:00
means that same midnight: nobody's opening hours end at the start of the day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from itertools import pairwise

from rubdown.domain.plan import PlannedSession
from rubdown.errors import InvalidValue, UnknownName

MINUTES_PER_DAY = 24 * 60
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # index = date.weekday()
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
NO_HOURS = frozenset({"", "none", "any", "any day", "off"})  # words that clear the hours


def clock_text(minute: int) -> str:
    """540 -> "09:00"; 1440 -> "24:00"."""
    hours, minutes = divmod(minute, 60)
    return f"{hours:02d}:{minutes:02d}"


@dataclass(frozen=True, order=True)
class OpeningWindow:
    """One stretch of one weekday in which the therapist takes appointments."""

    weekday: int  # 0 Monday .. 6 Sunday, as ``date.weekday()``
    start_minute: int  # after local midnight, 0-1439
    end_minute: int  # after local midnight, start+1 .. 1440

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise InvalidValue(f"weekday must be 0 (Monday) to 6 (Sunday), not {self.weekday}")
        if not 0 <= self.start_minute < MINUTES_PER_DAY:
            raise InvalidValue(
                f"{self.day_label}: a start must be between 00:00 and 23:59, "
                f"not minute {self.start_minute}"
            )
        if not 0 < self.end_minute <= MINUTES_PER_DAY:
            raise InvalidValue(
                f"{self.day_label}: an end must be between 00:01 and 24:00, "
                f"not minute {self.end_minute}"
            )
        if self.end_minute <= self.start_minute:
            raise InvalidValue(
                f"{self.day_label} {clock_text(self.start_minute)}-"
                f"{clock_text(self.end_minute)}: the end must be after the start"
            )

    @property
    def day_label(self) -> str:
        return WEEKDAY_NAMES[self.weekday][:3] if 0 <= self.weekday <= 6 else str(self.weekday)

    @property
    def times(self) -> str:
        return f"{clock_text(self.start_minute)}-{clock_text(self.end_minute)}"

    @property
    def label(self) -> str:
        return f"{self.day_label} {self.times}"

    @property
    def minutes(self) -> int:
        return self.end_minute - self.start_minute


@dataclass(frozen=True)
class WeeklyHours:
    """The therapist's week: windows sorted by day and time, none overlapping another.

    Empty means the runner gave no hours: every day is open, as it was before hours existed.
    """

    windows: tuple[OpeningWindow, ...] = ()

    def __post_init__(self) -> None:
        ordered = tuple(sorted(self.windows))
        for earlier, later in pairwise(ordered):
            # Touching windows (09:00-12:00, 12:00-14:00) do not overlap; sharing a minute does.
            if earlier.weekday == later.weekday and later.start_minute < earlier.end_minute:
                raise InvalidValue(
                    f"{earlier.label} and {later.times} overlap: give each stretch of a day once"
                )
        object.__setattr__(self, "windows", ordered)

    @property
    def is_set(self) -> bool:
        return bool(self.windows)

    def on(self, day: dt.date) -> tuple[OpeningWindow, ...]:
        return tuple(w for w in self.windows if w.weekday == day.weekday())

    def open_on(self, day: dt.date) -> bool:
        """Whether a professional session may be planned on ``day``."""
        return not self.windows or any(w.weekday == day.weekday() for w in self.windows)

    def weekdays(self) -> tuple[int, ...]:
        return tuple(dict.fromkeys(w.weekday for w in self.windows))

    def days_label(self) -> str:
        """The weekdays, as "Tue, Thu and Sat"; "any day" when no hours are set."""
        names = [WEEKDAY_NAMES[d][:3] for d in self.weekdays()]
        if not names:
            return "any day"
        return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"

    def label(self) -> str:
        """The hours as "Tue 09:00-17:00, Thu 12:00-20:00", which ``parse_hours`` reads back."""
        return ", ".join(w.label for w in self.windows) if self.windows else "any day"

    def start_on(self, day: dt.date, preferred: dt.time, minutes: int) -> dt.time | None:
        """The start time nearest ``preferred`` at which a session of ``minutes`` fits inside
        the day's hours; None when no hours are set or none are on that day.

        A day whose every window is shorter than the session gets the start of its longest
        window: the therapist may shorten it, and the plan does not invent other hours.
        """
        windows = self.on(day)
        if not windows:
            return None
        wanted = preferred.hour * 60 + preferred.minute
        fitting = [w for w in windows if w.minutes >= minutes]
        if not fitting:
            longest = max(windows, key=lambda w: (w.minutes, -w.start_minute))
            return _time(longest.start_minute)
        # The preferred start pulled into each window; the nearest one wins (earlier on ties).
        starts = [min(max(wanted, w.start_minute), w.end_minute - minutes) for w in fitting]
        best = min(starts, key=lambda start: (abs(start - wanted), start))
        return _time(best)


def _time(minute: int) -> dt.time:
    return dt.time(minute // 60, minute % 60)


# -- reading what the runner typed -----------------------------------------------------------


def parse_weekday(text: str) -> int:
    """A weekday: "tue", "Tuesday" or "TUES" -> 1; else an error naming the weekdays."""
    cleaned = text.strip().lower().rstrip(".")
    for index, name in enumerate(WEEKDAY_NAMES):
        if len(cleaned) >= 3 and name.lower().startswith(cleaned):
            return index
    raise UnknownName(f"unknown weekday {text!r}: expected one of {', '.join(WEEKDAYS)}")


def parse_minute(text: str, *, end: bool = False) -> int:
    """A time as minutes: "09:00" -> 540; as an end, "24:00" and "00:00" are 1440, the
    midnight that ends the day."""
    cleaned = text.strip()
    hours, colon, rest = cleaned.partition(":")
    minutes = rest[:2]
    seconds = rest[3:] if len(rest) > 2 and rest[2] == ":" else ""
    shaped = (
        colon
        and hours.isdigit()
        and 1 <= len(hours) <= 2
        and minutes.isdigit()
        and len(minutes) == 2
        and (len(rest) == 2 or (seconds.isdigit() and int(seconds) == 0))
    )
    if not shaped:
        raise InvalidValue(f"invalid time {text!r}: expected HH:MM, e.g. 09:00")
    minute = int(hours) * 60 + int(minutes)
    if end and minute in (0, MINUTES_PER_DAY):
        return MINUTES_PER_DAY
    if int(hours) > 23 or int(minutes) > 59:
        raise InvalidValue(f"invalid time {text!r}: expected 00:00-23:59 (24:00 as an end)")
    return minute


def parse_window(weekday: str, start: str, end: str) -> OpeningWindow:
    return OpeningWindow(parse_weekday(weekday), parse_minute(start), parse_minute(end, end=True))


def parse_hours(text: str) -> WeeklyHours:
    """Hours as typed: "tue 09:00-17:00, thu 12:00-20:00"; a day may list several ranges
    ("sat 09:00-12:00 14:00-16:00"); "none" (or nothing) clears the hours."""
    if text.strip().lower() in NO_HOURS:
        return WeeklyHours()
    windows: list[OpeningWindow] = []
    for item in text.split(","):
        words = item.split()
        if not words:
            continue
        if len(words) < 2:
            raise InvalidValue(
                f"invalid hours {item.strip()!r}: expected DAY HH:MM-HH:MM, e.g. tue 09:00-17:00"
            )
        day = parse_weekday(words[0])
        for span in words[1:]:
            start, dash, end = span.partition("-")
            if not dash:
                raise InvalidValue(
                    f"invalid hours {span!r} on {WEEKDAYS[day]}: expected HH:MM-HH:MM"
                )
            windows.append(OpeningWindow(day, parse_minute(start), parse_minute(end, end=True)))
    return WeeklyHours(tuple(windows))


# -- what the planner does with them ---------------------------------------------------------


def within_hours(session: PlannedSession, hours: WeeklyHours) -> PlannedSession:
    """A planned professional session moved to a time inside the therapist's hours of its
    day, its reason saying the day was chosen within them; unchanged without hours."""
    if not hours.is_set or not session.kind.is_professional:
        return session
    preferred = session.start_time or dt.time(12, 0)
    start = hours.start_on(session.day, preferred, session.duration_min)
    if start is None:
        return session  # not a day the therapist works: the planner never offers one
    windows = ", ".join(w.times for w in hours.on(session.day))
    line = f"on {WEEKDAY_NAMES[session.day.weekday()]}, within your therapist's hours ({windows})"
    return replace(session, start_time=start, reason=f"{session.reason}; {line}")
