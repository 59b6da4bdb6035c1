"""The one range of dates rubdown accepts, whichever way a date comes in.

Every way in (the command line, the API, calendar files, activity files) holds dates to
the same years, so nothing is stored that a later command cannot handle: a season plan,
a week view or a calendar feed looks days and weeks either side of a date, and year 1 has
no week before it while year 9999 has none after. A runner's dates fall well inside.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import TypeVar

from rubdown.errors import InvalidDate

T = TypeVar("T")

FIRST_YEAR, LAST_YEAR = 1900, 2200
FIRST_DAY = dt.date(FIRST_YEAR, 1, 1)
LAST_DAY = dt.date(LAST_YEAR, 12, 31)
YEARS = f"{FIRST_YEAR}-{LAST_YEAR}"


def in_range(day: dt.date) -> bool:
    """Whether a date (or a datetime's date) falls in the accepted years."""
    return FIRST_YEAR <= day.year <= LAST_YEAR


def out_of_range(day: dt.date, what: str = "date") -> str | None:
    """The one line that says a date is refused, or ``None`` when it is accepted."""
    if in_range(day):
        return None
    shown = day.date() if isinstance(day, dt.datetime) else day
    return f"{what} {shown.isoformat()} is outside the years {YEARS}"


def split_by_years(items: Iterable[T], day_of: Callable[[T], dt.date]) -> tuple[list[T], list[T]]:
    """``(inside, outside)`` the accepted years: for rows an older rubdown stored before every
    way in held dates to them, which a reader leaves out (and names) rather than crash on."""
    inside: list[T] = []
    outside: list[T] = []
    for item in items:
        (inside if in_range(day_of(item)) else outside).append(item)
    return inside, outside


def parse_day(text: str, what: str | None = None) -> dt.date:
    """``YYYY-MM-DD`` as the command line and the API take it: a date that does not exist
    (2027-02-30) is named as such, and one outside the years is refused before anything can
    store it. ``what`` names the field at the start of the message (``"from: ..."``)."""
    prefix = f"{what}: " if what else ""
    parts = text.strip().split("-")
    if len(parts) != 3 or not all(p.isdigit() for p in parts) or len(parts[0]) != 4:
        raise InvalidDate(f"{prefix}invalid date {text!r}: expected YYYY-MM-DD")
    try:
        day = dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError as error:
        raise InvalidDate(f"{prefix}invalid date {text!r}: {error}") from None
    refusal = out_of_range(day, what or "date")
    if refusal is not None:
        raise InvalidDate(refusal)
    return day
