"""FIT files: a fast NumPy decoder, with fitdecode behind it for anything it cannot handle."""

from __future__ import annotations

import logging

from rubdown.domain.activity import Parsed
from rubdown.importers.fit.activity import to_parsed
from rubdown.importers.fit.decoder import FitContent, NotFit, Unsupported, decode
from rubdown.importers.fit.fallback import decode_slowly

log = logging.getLogger(__name__)


def sniff(head: bytes) -> bool:
    return len(head) >= 12 and head[0] >= 12 and head[8:12] == b".FIT"


def decode_any(data: bytes) -> FitContent:
    """The fast path, or the fallback when the fast path meets something it does not handle."""
    try:
        return decode(data)
    except NotFit:
        raise
    except (Unsupported, ValueError, IndexError) as error:
        log.info("fast FIT decoder gave up (%s); using fitdecode", error)
        return decode_slowly(data)


def parse(data: bytes, *, salvage: bool = False) -> Parsed:
    try:
        content = decode_any(data)
    except NotFit:
        return Parsed(problem="not a FIT file")
    return to_parsed(content, salvage=salvage)


__all__ = ["FitContent", "decode", "decode_any", "parse", "sniff"]
