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

A server of several processes (on one machine or several) keeps its originals where every
process reads them: in the database (``keeping.database``) or a shared folder
(``keeping.folder``). :func:`share` names that place for a folder in this process; the
folder is then a cache of it. A file is put there when it is kept, before its rows are
stored, so no stored activity ever names an original that only one machine holds; one read
where the folder lacks it is fetched from there first.
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
from typing import BinaryIO, Protocol, cast

from isal import igzip

from rubdown.errors import StoreError
from rubdown.keeping.packs import Packs, packs_for

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


class SharedOriginals(Protocol):
    """Where every process of a server finds the kept originals. Each is stored as it lies
    in a folder: gzipped (``compressed``) unless it was gzip already."""

    def has(self, sha256: str) -> bool: ...

    def put_file(self, sha256: str, path: Path, compressed: bool) -> None:
        """Keep the file at ``path`` under ``sha256``; keeping it twice is harmless."""

    def fetch(self, sha256: str, out: BinaryIO) -> bool | None:
        """Write the kept file into ``out``; whether it is compressed, None when absent."""

    def forget(self, sha256: str) -> None: ...


# Per folder, the shared place behind it and the process that named it: a process started
# by fork inherits this table but must not use the database connections behind it.
_SHARED: dict[Path, tuple[int, SharedOriginals]] = {}


def share(root: Path, shared: SharedOriginals | None) -> None:
    """Back the originals kept in ``root`` with ``shared``, in this process (None: stop)."""
    if shared is None:
        _SHARED.pop(root, None)
    else:
        _SHARED[root] = (os.getpid(), shared)


def _shared_for(root: Path) -> SharedOriginals | None:
    found = _SHARED.get(root)
    if found is None or found[0] != os.getpid():
        return None
    return found[1]


class RawFiles:
    def __init__(self, root: Path, shared: SharedOriginals | None = None) -> None:
        self.root = root
        self.shared = shared or _shared_for(root)

    def path_for(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256[2:]

    def compressed_path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / (sha256[2:] + _COMPRESSED)

    @property
    def _packs(self) -> Packs:
        return packs_for(self.root)

    def has(self, sha256: str) -> bool:
        if self._here(sha256) is not None or self._packs.find(sha256) is not None:
            return True
        return self.shared is not None and self.shared.has(sha256)

    def kept(self) -> set[str]:
        """The hashes of every original kept in this folder, loose or packed."""
        loose = {
            path.parent.name + path.name.removesuffix(_COMPRESSED)
            for path in self.root.glob("??/*")
            if not path.name.startswith(_INCOMING)
        }
        return loose | self._packs.hashes()

    def _here(self, sha256: str) -> Path | None:
        """The file in this folder, plain or gzipped; None when this folder lacks it."""
        for path in (self.path_for(sha256), self.compressed_path(sha256)):
            if path.exists():
                return path
        return None

    def _share(self, sha256: str, path: Path | None = None) -> None:
        """Put a file kept in this folder in the shared place too, unless it is there."""
        if self.shared is None or self.shared.has(sha256):
            return
        path = path or self._here(sha256)
        if path is not None:
            self.shared.put_file(sha256, path, path.name.endswith(_COMPRESSED))
            return
        # Packed by this folder before it was shared (a home that became a server's): the
        # shared place takes files, so it gets a copy of the packed bytes as one.
        entry = self._packs.find(sha256)
        if entry is None:
            return
        temporary = self._temporary(self._packs.read(entry))
        try:
            self.shared.put_file(sha256, temporary, entry.compressed)
        finally:
            temporary.unlink(missing_ok=True)

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

    def keep(self, spooled: Spooled, *, packed: bool = False) -> bool:
        """Put a spooled file in its place; True when it is new, False when it was kept
        already (then the temporary copy is dropped).

        ``packed``: a small file held in memory is appended to this process's pack
        (``keeping.packs``) instead of becoming a file of its own, as an import of many
        does; a large one, or one a server shares with other machines, still gets its own.
        """
        sha = spooled.sha256
        if self._here(sha) is not None or self._packs.find(sha, fresh=False) is not None:
            self.discard(spooled)
            self._share(sha)
            return False
        if packed and spooled.temporary is None and self.shared is None:
            data = spooled.data or b""
            if spooled.compressed:
                data = igzip.compress(data, _LEVEL, mtime=0)
            try:
                self._packs.add(sha, data, spooled.compressed)
            except OSError as error:
                raise StoreError(f"cannot keep the original file in {self.root}: {error}") from None
            return True
        target = self.compressed_path(spooled.sha256) if spooled.compressed else None
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
        self._share(spooled.sha256, target)
        return True

    def discard(self, spooled: Spooled) -> None:
        if spooled.temporary is not None:
            spooled.temporary.unlink(missing_ok=True)

    def forget(self, sha256: str) -> None:
        """Remove a kept original (one whose import was refused: nothing refers to it)."""
        for path in (self.path_for(sha256), self.compressed_path(sha256)):
            path.unlink(missing_ok=True)
        try:
            self._packs.forget(sha256)
        except OSError as error:
            raise StoreError(f"cannot remove the original file from {self.root}: {error}") from None
        if self.shared is not None:
            self.shared.forget(sha256)

    def open(self, sha256: str) -> BinaryIO:
        """The original bytes as a stream, whether kept plain or gzipped; fetched from the
        shared place first when this folder lacks it."""
        for _ in range(2):
            try:
                return self.path_for(sha256).open("rb")
            except FileNotFoundError:
                pass
            try:
                return _gzip_reader(self.compressed_path(sha256))
            except FileNotFoundError:
                pass
            packed = self._open_packed(sha256)
            if packed is not None:
                return packed
            if not self._fetch(sha256):
                break
        raise StoreError(f"the original file {sha256[:12]}… is missing from {self.root}")

    def _open_packed(self, sha256: str) -> BinaryIO | None:
        entry = self._packs.find(sha256)
        if entry is None:
            return None
        try:
            kept = self._packs.read(entry)
        except OSError as error:
            raise StoreError(f"cannot read the original file in {self.root}: {error}") from None
        stream = io.BytesIO(kept)
        return _gzip_stream(stream) if entry.compressed else stream

    def _fetch(self, sha256: str) -> bool:
        """Copy a file from the shared place into this folder; False when it is not there."""
        if self.shared is None:
            return False
        temporary = self._temporary()
        try:
            with temporary.open("wb") as out:
                compressed = self.shared.fetch(sha256, out)
            if compressed is None:
                temporary.unlink(missing_ok=True)
                return False
            target = self.compressed_path(sha256) if compressed else self.path_for(sha256)
            _replace(temporary, target)
        except OSError as error:
            temporary.unlink(missing_ok=True)
            raise StoreError(f"cannot copy the original file into {self.root}: {error}") from None
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        return True

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
        if self._here(digest) is not None:
            self._share(digest)
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

    def install_as(self, sha256: str, compressed: bool, write: Callable[[BinaryIO], str]) -> None:
        """Keep a file as ``write`` writes it, already in its kept form (gzipped when
        ``compressed``): a copy of another folder's file."""
        self._install(write, compressed)

    def _install(self, write: Callable[[BinaryIO], str], compressed: bool = False) -> str:
        """Write to a temporary file beside the store, then rename it to its hash."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.root, prefix=_INCOMING)
            try:
                with os.fdopen(handle, "wb") as out:
                    digest = write(out)
                target = self.compressed_path(digest) if compressed else self.path_for(digest)
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(temporary, target)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError as error:
            raise StoreError(f"cannot keep the original file in {self.root}: {error}") from None
        self._share(digest, target)
        return digest

    def get(self, sha256: str) -> bytes:
        with self.open(sha256) as stream:
            return stream.read()


def _gzip_reader(path: Path) -> BinaryIO:
    return cast("BinaryIO", igzip.open(path, "rb"))  # type: ignore[no-untyped-call]


def _gzip_stream(stream: BinaryIO) -> BinaryIO:
    return cast("BinaryIO", igzip.IGzipFile(fileobj=stream, mode="rb"))  # type: ignore[no-untyped-call]


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
