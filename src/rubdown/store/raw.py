"""Original files, kept byte for byte under their SHA-256, so a better parser can re-read them.

The layout is ``raw/ab/cdef…`` (the first two hex digits as a folder). A file is written to
a temporary name and renamed into place, so a reader never sees half a file; writing the
same content twice is harmless, and a file left behind by an import that was killed before
its transaction committed is simply reused by the next run.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from rubdown.errors import StoreError


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class RawFiles:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256[2:]

    def put(self, data: bytes, sha256: str | None = None) -> str:
        digest = sha256 or content_hash(data)
        if self.path_for(digest).exists():
            return digest

        def write(out: BinaryIO) -> str:
            out.write(data)
            return digest

        return self._install(write)

    def put_stream(self, opener: Callable[[], BinaryIO], chunk_bytes: int = 1 << 20) -> str:
        """Keep a file too large to hold in memory (an Apple export): copy it while hashing."""

        def write(out: BinaryIO) -> str:
            digest = hashlib.sha256()
            with opener() as stream:
                while chunk := stream.read(chunk_bytes):
                    digest.update(chunk)
                    out.write(chunk)
            return digest.hexdigest()

        return self._install(write)

    def _install(self, write: Callable[[BinaryIO], str]) -> str:
        """Write to a temporary file beside the store, then rename it to its hash."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.root, prefix=".incoming-")
            try:
                with os.fdopen(handle, "wb") as out:
                    digest = write(out)
                target = self.path_for(digest)
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(temporary, target)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError as error:
            raise StoreError(f"cannot keep the original file in {self.root}: {error}") from None
        return digest

    def get(self, sha256: str) -> bytes:
        try:
            return self.path_for(sha256).read_bytes()
        except FileNotFoundError:
            raise StoreError(
                f"the original file {sha256[:12]}… is missing from {self.root}"
            ) from None
