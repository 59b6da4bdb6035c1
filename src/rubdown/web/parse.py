"""Text in a request (a date, a region, a kind) to a domain value, or one input error.

The API takes these as strings, as the command line does, so an unknown region or a date
that does not exist comes back with the same error code and message as ``--json`` gives.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import TypeVar

from rubdown.domain import dates
from rubdown.domain.dates import out_of_range
from rubdown.domain.model import PainQuality, Sign, Tool, parse_enum, parse_tool
from rubdown.domain.regions import Region, parse_region
from rubdown.errors import InvalidDate, InvalidValue

E = TypeVar("E", bound=StrEnum)


def day(text: str, what: str = "date") -> dt.date:
    """``YYYY-MM-DD`` within the years (``domain.dates``), the field named in the message."""
    return dates.parse_day(text, what)


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
