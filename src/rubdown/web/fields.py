"""What every value in a request must be before a route sees it, and how the schema says so.

Checked here, once, at the edge:

- **Text** holds no NUL character (PostgreSQL cannot store one, and a calendar feed would carry
  it raw) and no lone surrogate (``"\\ud800"`` parses from JSON but is no text any store or
  encoder takes). ``Body`` checks every string of a JSON body, keys included; ``url_and_form``
  checks the path, the query and the fields of a posted form. The refusal is the usual 422.
- **Numbers** are finite (no ``NaN`` or ``Infinity``, which Python's JSON reader accepts) and
  bounded: ``whole``/``amount`` document the range the service allows, and refuse here
  whatever lies beyond what a store can hold or a date can be counted in (so a count over
  2³¹ never reaches PostgreSQL's ``INTEGER``), leaving the service's own range check, with its
  message naming the rule, for everything in between.
- **Names and dates** stay strings read by ``web.parse``, so their errors keep rubdown's codes
  and messages; the schema lists the names (``choice``) and the date pattern (``DATE``), so a
  client or a schema fuzzer knows what is accepted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Annotated, Any

from fastapi import Path, Request
from pydantic import Field, JsonValue

from rubdown.errors import InvalidValue

JsonDict = dict[str, JsonValue]

# The most that a count or an amount may be at the edge: PostgreSQL's INTEGER, and far beyond
# any minutes, euros, steps or seconds a runner types.
WHOLE_LIMIT = 2**31 - 1
AMOUNT_LIMIT = 1e9
NAME_MAX = 200  # names of races, runners, patterns' specs, refs
NOTE_MAX = 10_000  # free text: notes, what helped
TIMEZONE_MAX = 64  # IANA names are at most about 30 characters
# YYYY-MM-DD in the years of the date policy (domain.dates: 1900-2200), months 01-12, days
# 01-31: what web.parse.day takes, but for the 29th-31st of a month too short to have one.
DATE_PATTERN = r"^(19\d\d|2[01]\d\d|2200)-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$"
# Longer than a date, so that "next friday" gets web.parse's message naming the format.
DATE_MAX = 64
TIME_PATTERN = r"^([01]\d|2[0-3]):[0-5]\d$"  # HH:MM
END_PATTERN = r"^(([01]\d|2[0-3]):[0-5]\d|24:00)$"  # an end of opening hours may be 24:00

# A date in a URL path (``/api/why/{date}``), documented as the bodies' dates are.
DayPath = Annotated[
    str, Path(description="YYYY-MM-DD", json_schema_extra={"pattern": DATE_PATTERN})
]

_BAD_TEXT = re.compile("[\x00\ud800-\udfff]")


def text_problem(text: str) -> str | None:
    """Why ``text`` cannot be taken, or None; the message never repeats the text itself."""
    found = _BAD_TEXT.search(text)
    if found is None:
        return None
    if found.group() == "\x00":
        return "text may not contain a NUL character"
    return "text may not contain a lone surrogate (invalid Unicode)"


def walk_problem(value: object, where: str = "") -> str | None:
    """The first unusable string anywhere in a parsed JSON value, as ``where: why``."""
    if isinstance(value, str):
        problem = text_problem(value)
        return f"{where}: {problem}" if problem and where else problem
    if isinstance(value, Mapping):
        for key, item in value.items():
            name = f"{where}.{key}" if where else str(key)
            problem = walk_problem(key, where or "field name") if isinstance(key, str) else None
            if problem is None:
                problem = walk_problem(item, _safe(name))
            if problem is not None:
                return problem
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            problem = walk_problem(item, f"{where}[{index}]")
            if problem is not None:
                return problem
    return None


def _safe(name: str) -> str:
    return name if text_problem(name) is None else "field"


def url_problem(request: Request) -> str | None:
    for key, value in request.query_params.multi_items():
        problem = text_problem(key) or text_problem(value)
        if problem is not None:
            return f"query: {problem}"
    for value in request.path_params.values():
        if isinstance(value, str) and text_problem(value) is not None:
            return f"path: {text_problem(value)}"
    return None


async def url_and_form(request: Request) -> None:
    """A dependency of every route: the path, the query and a posted form's text fields."""
    problem = url_problem(request)
    content_type = request.headers.get("content-type", "")
    if problem is None and content_type.startswith("application/x-www-form-urlencoded"):
        form = await request.form()
        for key, value in form.multi_items():
            if isinstance(value, str):
                problem = text_problem(key) or text_problem(value)
                if problem is not None:
                    problem = f"form: {problem}"
                    break
    if problem is not None:
        raise InvalidValue(problem)


def names(values: Iterable[str], *, optional: bool = False) -> list[str | None]:
    listed: list[str | None] = list(values)
    return [*listed, None] if optional else listed


def choice(enum: type[StrEnum] | Iterable[str], *, optional: bool = False, **kw: Any) -> Any:
    """A name from ``enum``, listed in the schema; read by ``web.parse`` (its error message
    lists the names too)."""
    values = [str(member) for member in enum]
    extra: JsonDict = {"enum": list(names(values, optional=optional))}
    if optional:
        kw.setdefault("default", None)
    return Field(max_length=NAME_MAX, json_schema_extra=extra, **kw)


def date(*, optional: bool = False, **kw: Any) -> Any:
    """``YYYY-MM-DD``, as the schema's pattern; ``web.parse.day`` reads it and names what is
    wrong (an impossible day, a year outside the date policy)."""
    if optional:
        kw.setdefault("default", None)
    kw.setdefault("description", "YYYY-MM-DD")
    return Field(max_length=DATE_MAX, json_schema_extra={"pattern": DATE_PATTERN}, **kw)


def whole(low: int, high: int, *, cap: bool = False, **kw: Any) -> Any:
    """A whole number the service takes in ``low``-``high`` (the schema says so); only what
    no store holds is refused here, or, with ``cap``, anything above ``high`` (for a count
    the service bounds only from below)."""
    extra: JsonDict = {"minimum": low, "maximum": high}
    top = high if cap else WHOLE_LIMIT
    return Field(ge=-WHOLE_LIMIT, le=top, json_schema_extra=extra, **kw)


def amount(low: float, high: float, *, cap: bool = False, **kw: Any) -> Any:
    """A number the service takes in ``low``-``high``; beyond ±1e9 (or, with ``cap``, above
    ``high``) it is refused here."""
    extra: JsonDict = {"minimum": low, "maximum": high}
    top = high if cap else AMOUNT_LIMIT
    return Field(ge=-AMOUNT_LIMIT, le=top, json_schema_extra=extra, **kw)
