"""Command-line values: each parser turns text into a domain value or one clear error line."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from enum import StrEnum
from typing import Any, TypeVar

import click
from click.shell_completion import CompletionItem

from rubdown.domain import dates
from rubdown.domain.model import PainQuality, Sign, Tool, parse_enum, parse_tool
from rubdown.domain.regions import BodyPart, Region, Side, parse_region, parse_regions
from rubdown.domain.units import KM_PER_MILE
from rubdown.errors import InputError, InvalidValue, UnknownName

E = TypeVar("E", bound=StrEnum)
T = TypeVar("T")


def parse_day(text: str) -> dt.date:
    """``YYYY-MM-DD`` within the years every way in accepts (``domain.dates``); the option's
    name is put in front of the message by ``DomainParam``."""
    return dates.parse_day(text)


def parse_clock(text: str) -> dt.time:
    try:
        return dt.time.fromisoformat(text.strip())
    except ValueError:
        raise InvalidValue(f"invalid time {text!r}: expected HH:MM") from None


def parse_pairs(text: str, value: Callable[[str, Region], T], what: str) -> dict[Region, T]:
    """``calf=6,left-hamstring=3`` -> {Region: value}."""
    result: dict[Region, T] = {}
    for item in text.split(","):
        if not item.strip():
            continue
        if "=" not in item:
            raise InvalidValue(f"invalid {what} {item.strip()!r}: expected REGION=VALUE")
        name, raw = item.split("=", 1)
        region = parse_region(name)
        result[region] = value(raw.strip(), region)
    return result


def soreness_value(raw: str, region: Region) -> int:
    if not raw.isdigit():
        raise InvalidValue(f"soreness for {region} must be a whole number 0-10, not {raw!r}")
    level = int(raw)
    if level > 10:
        raise InvalidValue(f"soreness for {region} must be 0-10, not {level}")
    return level


def pain_value(raw: str, region: Region) -> PainQuality:
    return parse_enum(PainQuality, raw, f"pain quality for {region}")


def sign_values(raw: str, region: Region) -> frozenset[Sign]:
    """``swelling+warmth`` -> {SWELLING, WARMTH}: one or more warning signs for a region."""
    names = [name for name in raw.split("+") if name.strip()]
    if not names:
        signs = "|".join(sign.value for sign in Sign)
        raise InvalidValue(f"no warning sign for {region}: expected {region}={signs}[+...]")
    return frozenset(parse_enum(Sign, name, f"warning sign for {region}") for name in names)


def parse_signs(text: str) -> dict[Region, frozenset[Sign]]:
    """``left-calf=swelling+warmth,right-hamstring=strain``; a region named twice gets both."""
    signs: dict[Region, frozenset[Sign]] = {}
    for item in text.split(","):
        for region, found in parse_pairs(item, sign_values, "warning sign").items():
            signs[region] = signs.get(region, frozenset()) | found
    return signs


def parse_pace(text: str) -> float:
    """``4:45`` (or ``4:45/km``) -> 285.0 seconds per km, ``7:39/mi`` -> the same pace per km;
    the range is the service's to judge."""
    lowered = text.strip().lower()
    per_mile = lowered.endswith("/mi")
    cleaned = lowered.removesuffix("/km").removesuffix("/mi").strip()
    minutes, colon, seconds = cleaned.partition(":")
    if not (colon and minutes.isdigit() and seconds.isdigit() and len(seconds) == 2):
        raise InvalidValue(f"invalid pace {text!r}: expected minutes:seconds per km, e.g. 4:45")
    if int(seconds) >= 60:
        raise InvalidValue(f"invalid pace {text!r}: seconds must be 00-59")
    seconds_per_unit = int(minutes) * 60.0 + int(seconds)
    return seconds_per_unit / KM_PER_MILE if per_mile else seconds_per_unit


def parse_whole(text: str, what: str) -> int:
    """A whole number, sign allowed, so that "-1" reaches the range check and is named there."""
    cleaned = text.strip()
    digits = cleaned.removeprefix("-").removeprefix("+")
    if not digits.isdigit():
        raise InvalidValue(f"{what} must be a whole number, not {text!r}")
    return int(cleaned)


def parse_sex(text: str) -> str:
    cleaned = text.strip().lower()
    if cleaned not in ("male", "female"):
        raise UnknownName(f"unknown sex {text!r}: expected male or female")
    return cleaned


class DomainParam(click.ParamType):  # type: ignore[type-arg]
    """A click type over one of the parsers above, so errors read the same everywhere.

    ``names`` (when given) are what the shell completes; ``listed`` completes the last item of
    a comma-separated list (``calf,left-h`` -> ``calf,left-hamstring``, ``calf,left-heel``).
    """

    def __init__(
        self,
        name: str,
        parse: Callable[[str], Any],
        names: Callable[[], Iterable[str]] | None = None,
        listed: bool = False,
    ) -> None:
        self.name = name
        self._parse = parse
        self._names = names
        self._listed = listed

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if not isinstance(value, str):
            return value
        try:
            return self._parse(value)
        except InputError as error:
            # Keep the error's own class (and so its code); name the option it came from.
            where = param.opts[0] if param is not None and param.opts else self.name
            raise type(error)(f"{where}: {error}") from None

    def shell_complete(
        self, ctx: click.Context, param: click.Parameter, incomplete: str
    ) -> list[CompletionItem]:
        if self._names is None:
            return []
        done, comma, last = incomplete.rpartition(",") if self._listed else ("", "", incomplete)
        return [
            CompletionItem(done + comma + name)
            for name in self._names()
            if name.lower().startswith(last.strip().lower())
        ]


def region_names() -> list[str]:
    """Every region the command line accepts: each part, and each side of a paired part."""
    names = [part.value for part in BodyPart]
    names += [f"{side}-{part}" for side in Side for part in BodyPart if part.paired]
    return sorted(names)


def enum_param(enum: type[E], what: str) -> DomainParam:
    return DomainParam(
        what, lambda text: parse_enum(enum, text, what), lambda: [m.value for m in enum]
    )


DAY = DomainParam("date", parse_day)
CLOCK = DomainParam("time", parse_clock)
REGIONS = DomainParam("regions", parse_regions, region_names, listed=True)
TOOLS = DomainParam(
    "tools",
    lambda text: frozenset(parse_tool(t) for t in text.split(",") if t.strip()),
    lambda: [tool.value for tool in Tool],
    listed=True,
)
REGION = DomainParam("region", parse_region, region_names)
PACE = DomainParam("pace", parse_pace)
SEX = DomainParam("sex", parse_sex)
SCALE = DomainParam("1-4 rating", lambda text: parse_whole(text, "the rating"))
SIGNS = DomainParam("warning signs", parse_signs)
