"""Uploaded files onto disk for the importer, safely.

Each upload is written into a fresh private folder (``mkdtemp``: mode 0700) under a random
name, never the name the client sent, so a name like ``../../.bashrc`` or ``export.zip\\0``
means nothing here. Only a known extension is kept (``.fit.gz``, ``.zip``, ...), as a hint
for the reader; the importer tells formats by content anyway. The report's paths are then
given back in the client's own names, for the runner to recognise.
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import BinaryIO

from rubdown.services.importing import ImportReport

KNOWN_SUFFIXES = (
    ".fit.gz",
    ".gpx.gz",
    ".tcx.gz",
    ".fit",
    ".gpx",
    ".tcx",
    ".gz",
    ".zip",
    ".ics",
    ".ical",
    ".xml",
    ".csv",
)


@dataclass(frozen=True)
class Upload:
    name: str  # as the client sent it; shown, never used as a path
    stream: BinaryIO


@dataclass(frozen=True)
class Saved:
    path: Path
    shown: str


def shown_name(sent: str | None) -> str:
    """The last part of the client's name, whichever separator it used."""
    text = (sent or "").replace("\x00", "")
    return PureWindowsPath(PurePosixPath(text).name).name or "upload"


def safe_suffix(sent: str | None) -> str:
    lower = (sent or "").lower()
    return next((s for s in KNOWN_SUFFIXES if lower.endswith(s)), "")


@contextmanager
def saved_uploads(uploads: Sequence[Upload]) -> Iterator[list[Saved]]:
    """The uploads as files in a private folder that is removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="rubdown-upload-") as folder:
        saved = []
        for upload in uploads:
            path = Path(folder) / (secrets.token_hex(16) + safe_suffix(upload.name))
            with path.open("xb") as out:
                shutil.copyfileobj(upload.stream, out)
            saved.append(Saved(path, shown_name(upload.name)))
        yield saved


def client_names(saved: Sequence[Saved]) -> Callable[[str], str]:
    """A function that gives a temporary path (or ``path!member``) in the client's name."""
    names = {str(s.path): s.shown for s in saved}

    def rename(path: str) -> str:
        head, bang, member = path.partition("!")
        return names.get(head, head) + bang + member

    return rename


def with_client_names(report: ImportReport, saved: Sequence[Saved]) -> ImportReport:
    """The report with each temporary path (and ``path!member``) in the client's name."""
    rename = client_names(saved)
    files = [replace(line, path=rename(line.path)) for line in report.files]
    skipped = [(rename(path), event) for path, event in report.calendar_skipped]
    return replace(report, files=files, calendar_skipped=skipped)
