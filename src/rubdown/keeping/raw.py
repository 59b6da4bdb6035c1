"""Original files, kept byte for byte under their SHA-256, so a better parser can re-read them.

The layout is ``raw/ab/cdef…`` (the first two hex digits as a folder). A file is written to
a temporary name and renamed into place, so a reader never sees half a file; writing the
same content twice is harmless, and a file left behind by an import that was killed before
its transaction committed is simply reused by the next run.

An import reads each file once (:meth:`RawFiles.spool`), hashing it on the way: up to 8 MiB
in memory, so that a duplicate costs no write, and beyond that straight into the store's
folder, so that no large file is ever held whole in memory; the decoder then opens the kept
copy. A spooled file is
gzipped (level 1) unless it is gzip already, and kept as ``raw/ab/cdef….gz``: an archive
member that inflates 150:1 takes about its compressed size on disk again, not its inflated
size. :meth:`RawFiles.open` and :meth:`RawFiles.get` give the original bytes either way.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, cast

from isal import igzip

from rubdown.errors import StoreError

_GZIP_MAGIC = b"\x1f\x8b"
_COMPRESSED = ".gz"
# ISA-L's gzip at level 1: several times faster than zlib's fastest level and within a few
# per cent of its size on XML and JSON, which is what compresses at all (FIT and gzip hardly
# do). Any gzip reader reads what it writes.
_LEVEL = 1
_CHUNK = 1 << 20
_HEAD_BYTES = 4096
# A file up to this size is read into memory to be hashed, and written only if it is new.
IN_MEMORY_BYTES = 8 << 20
_INCOMING = ".incoming-"
# A temporary copy this old belongs to an import that was killed: no import spools one file
# for hours.
_STALE_S = 6 * 3600.0
_SWEPT: set[Path] = set()


@dataclass(frozen=True)
class Spooled:
    """A file read once and hashed, not yet kept: held in memory when small (``data``),
    copied into the store's folder under a temporary name when not (``temporary``)."""

    sha256: str
    size: int  # bytes of the original
    head: bytes  # its first bytes, for telling what it is
    compressed: bool  # gzipped when kept (it is not gzip already)
    temporary: Path | None = None
    data: bytes | None = None


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class RawFiles:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256[2:]

    def _compressed_path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / (sha256[2:] + _COMPRESSED)

    def has(self, sha256: str) -> bool:
        return self.path_for(sha256).exists() or self._compressed_path(sha256).exists()

    def spool(self, opener: Callable[[], BinaryIO]) -> Spooled:
        """Read a file once, hashing it: a small one into memory (a duplicate then costs no
        write), a larger one into the store's folder, gzipped unless it is gzip.

        Errors reading the source (``OSError``, or an archive's own refusal) propagate as
        they are, for the caller to report against that file; errors writing become
        :class:`StoreError`. Either way no temporary file is left.
        """
        with opener() as source:
            first = source.read(IN_MEMORY_BYTES + 1)
            compressed = not first.startswith(_GZIP_MAGIC)
            if len(first) <= IN_MEMORY_BYTES:
                digest = content_hash(first)
                return Spooled(digest, len(first), first[:_HEAD_BYTES], compressed, data=first)
            head = first[:_HEAD_BYTES]
            temporary = self._temporary()
            try:
                hashed = hashlib.sha256(first)
                size = len(first)
                with self._writer(temporary, compressed) as out:
                    _write(out, first, temporary)
                    del first
                    while chunk := source.read(_CHUNK):
                        hashed.update(chunk)
                        size += len(chunk)
                        _write(out, chunk, temporary)
            except BaseException:
                temporary.unlink(missing_ok=True)
                raise
        return Spooled(hashed.hexdigest(), size, head, compressed, temporary=temporary)

    def keep(self, spooled: Spooled) -> bool:
        """Put a spooled file in its place; True when it is new, False when it was kept
        already (then the temporary copy is dropped)."""
        if self.has(spooled.sha256):
            self.discard(spooled)
            return False
        target = self._compressed_path(spooled.sha256) if spooled.compressed else None
        target = target or self.path_for(spooled.sha256)
        temporary = spooled.temporary
        try:
            if temporary is None:
                data = spooled.data or b""
                if spooled.compressed:
                    # mtime=0: the same content gives the same bytes on disk.
                    data = igzip.compress(data, _LEVEL, mtime=0)
                temporary = self._temporary(data)
            _replace(temporary, target)
        except OSError as error:
            if temporary is not None:
                temporary.unlink(missing_ok=True)
            raise StoreError(f"cannot keep the original file in {self.root}: {error}") from None
        return True

    def discard(self, spooled: Spooled) -> None:
        if spooled.temporary is not None:
            spooled.temporary.unlink(missing_ok=True)

    def forget(self, sha256: str) -> None:
        """Remove a kept original (one whose import was refused: nothing refers to it)."""
        for path in (self.path_for(sha256), self._compressed_path(sha256)):
            path.unlink(missing_ok=True)

    def open(self, sha256: str) -> BinaryIO:
        """The original bytes as a stream, whether kept plain or gzipped."""
        try:
            return self.path_for(sha256).open("rb")
        except FileNotFoundError:
            pass
        try:
            return _gzip_reader(self._compressed_path(sha256))
        except FileNotFoundError:
            raise StoreError(
                f"the original file {sha256[:12]}… is missing from {self.root}"
            ) from None

    @staticmethod
    def open_spooled(spooled: Spooled) -> BinaryIO:
        """A spooled file's original bytes, before it is kept (or instead of keeping it)."""
        if spooled.temporary is None:
            return io.BytesIO(spooled.data or b"")
        if spooled.compressed:
            return _gzip_reader(spooled.temporary)
        return spooled.temporary.open("rb")

    def _temporary(self, data: bytes | None = None) -> Path:
        """A new file of a private name in the store's folder, holding ``data`` if given."""
        try:
            _sweep_once(self.root)
            try:
                handle, name = tempfile.mkstemp(dir=self.root, prefix=_INCOMING)
            except FileNotFoundError:
                self.root.mkdir(parents=True, exist_ok=True)
                handle, name = tempfile.mkstemp(dir=self.root, prefix=_INCOMING)
        except OSError as error:
            raise StoreError(f"cannot keep the original file in {self.root}: {error}") from None
        with os.fdopen(handle, "wb") as out:
            if data is not None:
                _write(out, data, Path(name))
        return Path(name)

    @staticmethod
    def _writer(temporary: Path, compressed: bool) -> BinaryIO:
        try:
            if compressed:
                # mtime=0: the same content gives the same bytes on disk.
                writer = igzip.IGzipFile(  # type: ignore[no-untyped-call]
                    temporary, "wb", compresslevel=_LEVEL, mtime=0
                )
                return cast("BinaryIO", writer)
            return temporary.open("wb")
        except OSError as error:
            raise StoreError(f"cannot keep the original file: {error}") from None

    def put(self, data: bytes, sha256: str | None = None) -> str:
        digest = sha256 or content_hash(data)
        if self.has(digest):
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
            handle, temporary = tempfile.mkstemp(dir=self.root, prefix=_INCOMING)
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
        with self.open(sha256) as stream:
            return stream.read()


def _gzip_reader(path: Path) -> BinaryIO:
    return cast("BinaryIO", igzip.open(path, "rb"))  # type: ignore[no-untyped-call]


def _replace(temporary: Path, target: Path) -> None:
    """Rename a kept file into its folder, made on first use: asking first cost more than
    the rename, thousands of times an import."""
    try:
        os.replace(temporary, target)
    except FileNotFoundError:
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(temporary, target)


def _sweep_once(root: Path) -> None:
    """Remove the temporary copies killed imports left behind, once per process and store:
    a spooled file can be as large as a member of an archive."""
    if root in _SWEPT:
        return
    _SWEPT.add(root)
    now = time.time()
    for left in root.glob(_INCOMING + "*"):
        with contextlib.suppress(OSError):
            if now - left.stat().st_mtime > _STALE_S:
                left.unlink()


def _write(out: BinaryIO, chunk: bytes, temporary: Path) -> None:
    try:
        out.write(chunk)
    except OSError as error:
        raise StoreError(f"cannot keep the original file in {temporary.parent}: {error}") from None
