"""Text in a request (a date, a region, a kind) to a domain value, or one input error.

The API takes these as strings, as the command line does, so an unknown region or a date
that does not exist comes back with the same error code and message as ``--json`` gives.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import TypeVar

from rubdown.domain.dates import FIRST_YEAR, LAST_YEAR, out_of_range
from rubdown.domain.model import PainQuality, Sign, Tool, parse_enum, parse_tool
from rubdown.domain.regions import Region, parse_region
from rubdown.errors import InvalidDate, InvalidValue

E = TypeVar("E", bound=StrEnum)


def day(text: str, what: str = "date") -> dt.date:
    """``YYYY-MM-DD``; a date that does not exist (2027-02-30) is named as such."""
    parts = text.strip().split("-")
    if len(parts) != 3 or not all(p.isdigit() for p in parts) or len(parts[0]) != 4:
        raise InvalidDate(f"{what}: invalid date {text!r}: expected YYYY-MM-DD")
    try:
        parsed = dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError as error:
        raise InvalidDate(f"{what}: invalid date {text!r}: {error}") from None
    if not FIRST_YEAR <= parsed.year <= LAST_YEAR:
        raise InvalidDate(f"{what}: {text!r} is outside the years {FIRST_YEAR}-{LAST_YEAR}")
    return parsed


def in_years(moment: dt.datetime, what: str) -> dt.datetime:
    """A moment (``started_at``) held to the same years as a day."""
    refused = out_of_range(moment, what)
    if refused is not None:
        raise InvalidDate(refused)
    return moment


def optional_day(text: str | None, what: str = "date") -> dt.date | None:
    return None if text is None or not text.strip() else day(text, what)


def clock(text: str) -> dt.time:
    try:
        return dt.time.fromisoformat(text.strip())
    except ValueError:
        raise InvalidValue(f"invalid time {text!r}: expected HH:MM") from None


def name(enum: type[E], text: str, what: str) -> E:
    return parse_enum(enum, text, what)


def optional_name(enum: type[E], text: str | None, what: str) -> E | None:
    return None if text is None else parse_enum(enum, text, what)


def regions(items: Iterable[str]) -> tuple[Region, ...]:
    return tuple(parse_region(item) for item in items if item.strip())


def region(text: str) -> Region:
    return parse_region(text)


def tools(items: Iterable[str]) -> frozenset[Tool]:
    return frozenset(parse_tool(item) for item in items if item.strip())


def soreness(levels: Mapping[str, int]) -> dict[Region, int]:
    """The range (0-10) is the service's to judge; here only the region names are read."""
    return {parse_region(key): level for key, level in levels.items()}


def signs(given: Mapping[str, Iterable[str]]) -> dict[Region, frozenset[Sign]]:
    """Warning signs per region; whether a region may have them is the service's to judge."""
    return {
        parse_region(key): frozenset(
            parse_enum(Sign, name, f"warning sign for {key}") for name in names
        )
        for key, names in given.items()
    }


def pain(flags: Mapping[str, str]) -> dict[Region, PainQuality]:
    return {
        parse_region(key): parse_enum(PainQuality, value, f"pain quality for {key}")
        for key, value in flags.items()
    }
