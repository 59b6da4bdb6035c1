"""A first look at an uploaded file: is it UTF-8 text, and do its BEGIN/END lines nest?

The iCalendar parser is lenient on purpose: it accepts an event with no VCALENDAR around
it, and an ``END:VTODO`` that closes a VEVENT. Those files come from broken exporters or
truncated downloads, and importing half of one silently is worse than saying what is
wrong, so they are rejected here with the line number.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from rubdown.errors import FileFormatError

_BOM = "\ufeff"
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def decode(data: bytes) -> str:
    """The file as text; RFC 5545 (3.1.4) makes UTF-8 the only charset."""
    if b"\x00" in data:
        raise FileFormatError("not an iCalendar file: it is binary, not text")
    try:
        return data.decode("utf-8").removeprefix(_BOM)
    except UnicodeDecodeError as error:
        raise FileFormatError(
            f"not an iCalendar file: byte {error.start} is not UTF-8 text"
            " (iCalendar files are UTF-8)"
        ) from None


def check_structure(text: str) -> None:
    """Raise ``FileFormatError`` unless ``text`` is one or more well-nested VCALENDARs."""
    if not text.strip():
        raise FileFormatError("not an iCalendar file: it is empty")
    open_components: list[tuple[str, int]] = []
    for number, line in _logical_lines(text):
        keyword, _, value = line.partition(":")
        keyword = keyword.strip().upper()
        name = value.strip().upper()
        if not open_components:
            if not line.strip():
                continue  # blank lines between calendars are harmless
            if keyword != "BEGIN" or name != "VCALENDAR":
                if "BEGIN:VCALENDAR" not in text.upper():
                    raise FileFormatError("not an iCalendar file: no BEGIN:VCALENDAR")
                raise FileFormatError(
                    f"line {number}: {_shorten(line)!r} is outside of any VCALENDAR"
                )
        if keyword == "BEGIN":
            open_components.append((name, number))
        elif keyword == "END":
            expected, begun = open_components.pop()
            if name != expected:
                raise FileFormatError(
                    f"line {number}: END:{name} does not close BEGIN:{expected} (line {begun})"
                )
    if open_components:
        name, begun = open_components[-1]
        raise FileFormatError(
            f"the file ends before END:{name} (BEGIN:{name} is on line {begun}); it may be cut off"
        )


def _logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """Unfolded content lines (RFC 5545 3.1) with the number of their first physical line."""
    current: str | None = None
    start = 0
    # Only CR and LF end a line; str.splitlines() would also split on U+2028 and friends,
    # which may appear inside a DESCRIPTION.
    for number, physical in enumerate(_LINE_BREAK.split(text), start=1):
        if physical[:1] in (" ", "\t") and current is not None:
            current += physical[1:]
            continue
        if current is not None:
            yield start, current
        current, start = physical, number
    if current is not None:
        yield start, current


def _shorten(line: str, limit: int = 60) -> str:
    return line if len(line) <= limit else line[: limit - 3] + "..."
