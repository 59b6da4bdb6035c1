"""What every importer shares: the format names, the file-in-an-archive handle, the limits.

An importer is a module with ``sniff(head) -> bool`` (is this my format, judging by the first
bytes of the decompressed content?) and ``parse(data, *, salvage=False) -> Parsed``. Formats
are detected from content first; a file's name is only a tie-breaker.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import BinaryIO


class Format(StrEnum):
    FIT = "fit"
    GPX = "gpx"
    TCX = "tcx"
    ICS = "ics"
    STRAVA_CSV = "strava-csv"  # activities.csv of a Strava bulk export
    GARMIN_SUMMARIES = "garmin-summaries"  # *_summarizedActivities.json
    GARMIN_WELLNESS = "garmin-wellness"  # sleep, UDS and health-status JSON
    APPLE_HEALTH = "apple-health"  # export.xml
    ZIP = "zip"
    UNKNOWN = "unknown"


# How many bytes of (decompressed) content sniffing looks at.
HEAD_BYTES = 4096


@dataclass(frozen=True)
class Member:
    """One file to import: on disk, or inside a (possibly nested) archive.

    ``shown`` is how the runner names it: the path as given, and for an archive member the
    archive's path, ``!`` and the member's name (``export.zip!activities/1.fit.gz``).
    ``size`` is the stored size in bytes (decompressed, for an archive member). ``opener``
    returns a fresh binary stream each time it is called.
    """

    shown: str
    size: int
    opener: Callable[[], BinaryIO]
    name: str = ""  # the file's own name (last path part), for tie-breaking and messages
    # The export this file belongs to (the shown path of the folder or archive that holds
    # a Strava activities.csv, a Garmin DI_CONNECT tree or an Apple export.xml), and the
    # file's path relative to that root with "/" separators: "activities/123.fit.gz".
    container: str = ""
    inner: str = ""

    def read(self) -> bytes:
        with self.opener() as stream:
            return stream.read()


def member_from_bytes(shown: str, data: bytes, name: str = "") -> Member:
    return Member(shown, len(data), lambda: io.BytesIO(data), name or shown.rsplit("/", 1)[-1])


class ImportProblem(Exception):
    """A file or archive that cannot be read as given; ``str()`` is one line for the report.

    Importers return problems inside ``Parsed`` rather than raising; this is for the layers
    that open containers (zip limits, gzip damage), caught per file by the import service.
    """
