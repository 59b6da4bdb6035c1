"""Calendar periods that hold one deep-family session each (F1-F3).

Periods are fixed to the calendar (ISO weeks, fortnights from a fixed Monday, calendar
months), not to the plan's start date, so re-planning on another day keeps the same slots and
a session can keep its place and its calendar identity.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rubdown.domain.model import Frequency

# Fortnights count from this Monday, so every plan agrees where a fortnight starts.
FORTNIGHT_ANCHOR = dt.date(2024, 1, 1)


@dataclass(frozen=True)
class Period:
    key: str
    first: dt.date
    last: dt.date

    @property
    def length_days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def middle(self) -> dt.date:
        return self.first + dt.timedelta(days=(self.length_days - 1) // 2)

    def days(self, start: dt.date, end: dt.date) -> list[dt.date]:
        first, last = max(self.first, start), min(self.last, end)
        return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]

    def label(self) -> str:
        if self.key.count("-") == 1 and "W" not in self.key:
            return f"{self.first:%B %Y}"
        first, last = self.first, self.last
        return f"{first:%a} {first.day} {first:%b} – {last:%a} {last.day} {last:%b}"


def period_of(frequency: Frequency, day: dt.date) -> Period:
    if frequency is Frequency.WEEKLY:
        first = day - dt.timedelta(days=day.weekday())
        year, week, _ = day.isocalendar()
        return Period(f"{year}-W{week:02d}", first, first + dt.timedelta(days=6))
    if frequency is Frequency.BIWEEKLY:
        block = (day - FORTNIGHT_ANCHOR).days // 14
        first = FORTNIGHT_ANCHOR + dt.timedelta(days=14 * block)
        return Period(f"F{first.isoformat()}", first, first + dt.timedelta(days=13))
    first = day.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return Period(f"{day.year}-{day.month:02d}", first, following - dt.timedelta(days=1))


def periods_between(frequency: Frequency, start: dt.date, end: dt.date) -> list[Period]:
    periods: list[Period] = []
    day = start
    while day <= end:
        period = period_of(frequency, day)
        periods.append(period)
        day = period.last + dt.timedelta(days=1)
    return periods


def min_gap_days(frequency: Frequency) -> int:
    """Two deep sessions at least this far apart: about half the period, so spacing stays even."""
    return {Frequency.WEEKLY: 4, Frequency.BIWEEKLY: 8, Frequency.MONTHLY: 14}[frequency]


def sessions_per_month(frequency: Frequency) -> int:
    """The most sessions the frequency can put into one calendar month."""
    return {Frequency.WEEKLY: 5, Frequency.BIWEEKLY: 3, Frequency.MONTHLY: 1}[frequency]
