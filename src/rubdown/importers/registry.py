"""Which parser reads which format, and how much each format is trusted.

The import finds a file's format from its first bytes (``sniff.open_payload``) and asks here
for the rest: whether rubdown reads that format at all (``format_of``), the parse itself
(``parse``), and the trust (``RICHNESS``) that decides which copy of an activity wins.
"""

from __future__ import annotations

from collections.abc import Callable

from rubdown.domain.activity import Parsed
from rubdown.importers import apple_health, fit, garmin, gpx, strava, tcx
from rubdown.importers.base import Format, ImportProblem
from rubdown.importers.sniff import Opened, prefixed, read_capped

# How much each source is trusted for an activity's numbers: a CRC-checked device file over
# an XML export of it, over a summary without samples. The richer copy's numbers win.
RICHNESS = {
    Format.FIT: 50,
    Format.TCX: 40,
    Format.GPX: 30,
    Format.APPLE_HEALTH: 25,
    Format.GARMIN_SUMMARIES: 20,
    Format.STRAVA_CSV: 10,
}
# The trust of a format missing from RICHNESS.
LEAST_RICH = 10

_MIB = 1024 * 1024
# The formats parsed from bytes in memory (FIT, Garmin JSON, Strava CSV) are refused beyond
# this: the largest honest ones (a day-long FIT recording, ten years of Garmin summaries) are
# a few tens of MiB, and parsing takes several times a file's size in memory.
MAX_WHOLE_BYTES = 64 * _MIB
# XML up to this size is read whole, the fastest way; a larger file is parsed as it is read.
XML_WHOLE_BYTES = 16 * _MIB

_WHOLE_PARSERS: dict[Format, Callable[..., Parsed]] = {
    Format.FIT: fit.parse,
    Format.GARMIN_SUMMARIES: garmin.parse,
    Format.STRAVA_CSV: strava.parse,
}
_XML_PARSERS: dict[Format, Callable[..., Parsed]] = {
    Format.GPX: gpx.parse,
    Format.TCX: tcx.parse,
}
READABLE = frozenset({*_WHOLE_PARSERS, *_XML_PARSERS, Format.APPLE_HEALTH, Format.GARMIN_WELLNESS})


def richness(kind: Format) -> int:
    return RICHNESS.get(kind, LEAST_RICH)


def format_of(opened: Opened, path: str) -> Format | None:
    """The format to parse an opened file as, or None when rubdown reads nothing in it.

    Garmin's wellness JSON has no mark of its own in its content: its path inside the export
    (``path``) says what it is."""
    kind = opened.format
    if kind is Format.UNKNOWN and garmin.is_wellness_name(path):
        kind = Format.GARMIN_WELLNESS
    return kind if kind in READABLE else None


def parse(kind: Format, opened: Opened, path: str, *, salvage: bool = False) -> Parsed:
    """Parse an opened file of a readable format from its stream, in bounded memory."""
    if kind is Format.APPLE_HEALTH:
        return apple_health.parse_export(opened.stream, salvage=salvage)
    if kind in _XML_PARSERS:
        head = opened.stream.read(XML_WHOLE_BYTES)
        if len(head) < XML_WHOLE_BYTES:
            return _XML_PARSERS[kind](head, salvage=salvage)
        return _XML_PARSERS[kind](prefixed(head, opened.stream), salvage=salvage)
    try:
        data = read_capped(opened.stream, MAX_WHOLE_BYTES, f"a {kind.value} file")
    except ImportProblem as problem:
        return Parsed(problem=str(problem))
    if kind is Format.GARMIN_WELLNESS:
        return garmin.parse_wellness(path, data)
    return _WHOLE_PARSERS[kind](data, salvage=salvage)
