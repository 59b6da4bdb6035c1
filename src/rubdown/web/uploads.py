"""Uploaded files onto disk for the importer, safely.

Each upload is written into a fresh private folder (``mkdtemp``: mode 0700) under a random
name, never the name the client sent, so a name like ``../../.bashrc`` or ``export.zip\\0``
means nothing here. Only a known extension is kept (``.fit.gz``, ``.zip``, ...), as a hint
for the reader; the importer tells formats by content anyway. The report's paths are then
given back in the client's own names, for the runner to recognise.

In server mode the uploads are not saved here but stored with their job in the database
(``queued``): the worker that imports them may be on another machine.
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import BinaryIO

from rubdown.services.import_queue import (
    SavedUpload,
    UploadedFile,
    client_names,
    with_client_names,
)

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


Saved = SavedUpload  # a saved upload: its path here, and the client's name shown


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


def queued(uploads: Sequence[Upload]) -> list[UploadedFile]:
    """The uploads as a queued job stores them: the client's name to show, a known suffix as
    the importer's hint, and the stream to read once."""

    def opener(stream: BinaryIO) -> Callable[[], BinaryIO]:
        return lambda: stream

    return [
        UploadedFile(shown_name(u.name), safe_suffix(u.name), opener(u.stream)) for u in uploads
    ]


__all__ = [
    "KNOWN_SUFFIXES",
    "Saved",
    "Upload",
    "client_names",
    "queued",
    "safe_suffix",
    "saved_uploads",
    "shown_name",
    "with_client_names",
]
