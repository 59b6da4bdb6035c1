"""The activity files tests read (``tests/data/activities``, listed with their sources and point
counts in its SOURCES.md), and small readers of what an importer made of one."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

from rubdown.domain.activity import Activity, Parsed

CORPUS = Path(__file__).resolve().parents[1] / "data" / "activities"


def corpus_files(*endings: str) -> list[str]:
    """The corpus files whose names end in one of ``endings``, as paths below the corpus."""
    return sorted(str(p.relative_to(CORPUS)) for p in CORPUS.rglob("*") if p.name.endswith(endings))


def read(shown: str) -> bytes:
    """A corpus file's bytes, decompressed if it is gzipped."""
    data = (CORPUS / shown).read_bytes()
    return gzip.decompress(data) if shown.endswith(".gz") else data


def counted_in_sources() -> dict[str, int]:
    """The point counts SOURCES.md gives per file (``| `file` | ... | 4433 points |``)."""
    text = (CORPUS / "SOURCES.md").read_text(encoding="utf-8")
    return {
        name: int(count)
        for name, count in re.findall(r"^\| `([^`]+)` \|.*?\| (\d+) points \|", text, re.M)
    }


def only(parsed: Parsed) -> Activity:
    """The one activity of a file read without a problem."""
    assert parsed.problem is None, parsed.problem
    assert len(parsed.activities) == 1
    return parsed.activities[0]


def channel(activity: Activity, name: str) -> list[float]:
    """A stream channel's values; the activity must have it."""
    assert activity.streams is not None
    values = activity.streams.get(name)
    assert values is not None, f"no {name} channel"
    return list(values)
