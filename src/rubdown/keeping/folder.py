"""Kept originals in a folder every process of a server reaches (``RUBDOWN_ORIGINALS_DIR``:
a network share, a mounted volume), laid out as ``keeping.raw`` lays out its own.

Each process still keeps its own folder as a cache: the shared one is written once per file
(to a temporary name, then renamed, so a reader on another machine never sees half a file)
and read only where the cache lacks a file.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import BinaryIO

from rubdown.keeping.raw import RawFiles


class FolderOriginals:
    """``keeping.raw.SharedOriginals`` in a shared folder."""

    def __init__(self, root: Path) -> None:
        self.files = RawFiles(root)  # never shared further: it is the shared place

    def has(self, sha256: str) -> bool:
        return self.files.has(sha256)

    def put_file(self, sha256: str, path: Path, compressed: bool) -> None:
        def write(out: BinaryIO) -> str:
            with path.open("rb") as source:
                shutil.copyfileobj(source, out)
            return sha256

        self.files.install_as(sha256, compressed, write)

    def fetch(self, sha256: str, out: BinaryIO) -> bool | None:
        for path, compressed in (
            (self.files.path_for(sha256), False),
            (self.files.compressed_path(sha256), True),
        ):
            try:
                with path.open("rb") as source:
                    shutil.copyfileobj(source, out)
            except FileNotFoundError:
                continue
            return compressed
        return None

    def forget(self, sha256: str) -> None:
        self.files.forget(sha256)
