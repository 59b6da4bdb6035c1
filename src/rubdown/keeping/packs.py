"""Small originals kept many to a file: an append-only pack and its index beside it.

An export of 2,000 runs is 2,000 small files; a file each (a temporary name, a write, a
rename into a folder made on first use) cost the import more CPU, most of it in the kernel,
than reading and hashing them. A process appends the small originals it keeps to a pack of its
own, ``raw/packs/<name>.pack``, and for each a line to ``<name>.idx``::

    <sha256> <offset> <length> <z|p>      z: gzipped when kept, p: kept as it came
    -<sha256>                             forgotten

The line is written only after the bytes it points at, each with one ``write`` to a file
opened for appending, so a process killed at any point leaves lines that are whole and true
(a half-written last line is ignored) and at worst some bytes no line names. Forgetting an
original overwrites its bytes with zeros before its line is struck out, so a deleted file is
gone from the disk, not merely unlisted; a pack whose originals are all forgotten is removed.

Any process reads every pack: it reads the index files once and then only what was appended
to them since, when it looks for an original it does not know.
"""

from __future__ import annotations

import contextlib
import functools
import os
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Concatenate, ParamSpec, TypeVar

_P = ParamSpec("_P")
_R = TypeVar("_R")

PACKS = "packs"
_DATA = ".pack"
_INDEX = ".idx"
# A new pack is begun past this size: a pack is rewritten never, but read by offset, so its
# size costs nothing until a backup copies it whole.
PACK_BYTES = 256 << 20


@dataclass(frozen=True)
class Entry:
    """Where one original lies: in which pack, at which offset, and how it is kept."""

    pack: str
    offset: int
    length: int
    compressed: bool


@dataclass
class _IndexFile:
    read_bytes: int = 0  # how much of the file has been read
    entries: dict[str, Entry] = field(default_factory=dict)


def packs_for(root: Path) -> Packs:
    """The packs of a folder of originals, one object per folder in a process: its writer
    and what it has read of the indexes are shared by every ``RawFiles`` of the folder."""
    return _packs_for(root, os.getpid())


@functools.lru_cache(maxsize=64)
def _packs_for(root: Path, _pid: int) -> Packs:
    # Keyed by process too: a child made by fork starts afresh, with no writer of its parent's.
    return Packs(root)


def _locked(method: Callable[Concatenate[Packs, _P], _R]) -> Callable[Concatenate[Packs, _P], _R]:
    def run(self: Packs, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        with self._lock:
            return method(self, *args, **kwargs)

    return run


class Packs:
    """The packs of one folder of originals, as this process knows them. Safe to use from
    several threads (a server imports for several runners at once)."""

    def __init__(self, root: Path) -> None:
        self.folder = root / PACKS
        self._indexes: dict[str, _IndexFile] = {}
        self._writer: _Writer | None = None
        self._read_once = False
        self._lock = threading.RLock()

    # Reading -----------------------------------------------------------------------------

    @_locked
    def hashes(self) -> set[str]:
        """Every original the packs hold."""
        self._refresh_all()
        return {sha for index in self._indexes.values() for sha in index.entries}

    @_locked
    def find(self, sha256: str, *, fresh: bool = True) -> Entry | None:
        """The entry for an original, reading what other processes appended if needed.

        ``fresh=False`` trusts what this process read before (after a first read of every
        index): enough to avoid keeping a file twice, where a stale answer costs a copy.
        """
        if not self._read_once:
            self._refresh_all()
        entry = self._known(sha256)
        if not fresh:
            return entry
        if entry is not None:
            # Another process may have forgotten it since: its strike-out is in this pack's
            # index, one read away.
            self._refresh(entry.pack)
            return self._known(sha256)
        self._refresh_all()
        return self._known(sha256)

    def read(self, entry: Entry) -> bytes:
        with open(self.folder / (entry.pack + _DATA), "rb") as pack:
            data = os.pread(pack.fileno(), entry.length, entry.offset)
        if len(data) != entry.length:
            raise OSError(f"the pack {entry.pack} ends before the original it lists")
        return data

    def _known(self, sha256: str) -> Entry | None:
        for index in self._indexes.values():
            entry = index.entries.get(sha256)
            if entry is not None:
                return entry
        return None

    def _refresh_all(self) -> None:
        self._read_once = True
        try:
            names = [p.name.removesuffix(_INDEX) for p in self.folder.iterdir()]
        except FileNotFoundError:
            return
        for name in names:
            if not name.endswith(_DATA):
                self._refresh(name)
        for gone in set(self._indexes) - set(names):
            if self._writer is None or gone != self._writer.name:
                del self._indexes[gone]

    def _refresh(self, pack: str) -> None:
        index = self._indexes.setdefault(pack, _IndexFile())
        try:
            with open(self.folder / (pack + _INDEX), "rb") as file:
                file.seek(index.read_bytes)
                appended = file.read()
        except FileNotFoundError:
            self._indexes.pop(pack, None)
            return
        whole = appended.rfind(b"\n") + 1  # a line still being written waits
        index.read_bytes += whole
        for line in appended[:whole].decode("ascii", "replace").splitlines():
            _apply(index.entries, pack, line)

    # Writing -----------------------------------------------------------------------------

    @_locked
    def add(self, sha256: str, kept: bytes, compressed: bool) -> None:
        """Append an original, as it is to be kept (gzipped already when ``compressed``)."""
        if self._writer is None or self._writer.full():
            self._writer = _Writer.begin(self.folder)
        entry = self._writer.append(sha256, kept, compressed)
        self._indexes.setdefault(entry.pack, _IndexFile()).entries[sha256] = entry

    @_locked
    def forget(self, sha256: str) -> bool:
        """Zero an original's bytes and strike it out; False when no pack holds it."""
        entry = self.find(sha256)
        if entry is None:
            return False
        data_path = self.folder / (entry.pack + _DATA)
        with contextlib.suppress(FileNotFoundError):
            # Not opened for appending: Linux would append a positioned write there.
            handle = os.open(data_path, os.O_WRONLY)
            try:
                os.pwrite(handle, bytes(entry.length), entry.offset)
            finally:
                os.close(handle)
        _append(self.folder / (entry.pack + _INDEX), f"-{sha256}\n".encode("ascii"))
        index = self._indexes[entry.pack]
        index.entries.pop(sha256, None)
        self._refresh(entry.pack)
        if not self._indexes.get(entry.pack, _IndexFile()).entries:
            self._remove(entry.pack)
        return True

    def _remove(self, pack: str) -> None:
        """Remove a pack nothing in is kept any more; the next original begins a new one.

        Not while another process that is still running may be appending to it (its name
        says which process began it): what it appended next would go to a removed file. The
        forgotten bytes are zeros already; the pack goes with a later forget.
        """
        if self._writer is not None and self._writer.name == pack:
            self._writer.close()
            self._writer = None
        elif _writer_running(pack):
            return
        for suffix in (_DATA, _INDEX):
            (self.folder / (pack + suffix)).unlink(missing_ok=True)
        self._indexes.pop(pack, None)


def _writer_running(pack: str) -> bool:
    """Whether the process that began ``pack`` is another one still running."""
    parts = pack.split("-")
    if len(parts) != 3 or not parts[1].isdigit() or int(parts[1]) == os.getpid():
        return False
    try:
        os.kill(int(parts[1]), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _apply(entries: dict[str, Entry], pack: str, line: str) -> None:
    if line.startswith("-"):
        entries.pop(line[1:], None)
        return
    parts = line.split(" ")
    if len(parts) != 4 or not parts[1].isdigit() or not parts[2].isdigit():
        return  # not a line this version wrote: ignored rather than trusted
    entries[parts[0]] = Entry(pack, int(parts[1]), int(parts[2]), parts[3] == "z")


@dataclass
class _Writer:
    """The pack this process appends to."""

    folder: Path
    name: str
    data: int  # file descriptors, opened for appending
    index: int
    pid: int  # a child made by fork begins a pack of its own
    size: int = 0

    @classmethod
    def begin(cls, folder: Path) -> _Writer:
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{time.time_ns():x}-{os.getpid()}-{secrets.token_hex(4)}"
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_EXCL
        data = os.open(folder / (name + _DATA), flags, 0o600)
        try:
            index = os.open(folder / (name + _INDEX), flags, 0o600)
        except BaseException:
            os.close(data)
            raise
        return cls(folder, name, data, index, os.getpid())

    def close(self) -> None:
        for handle in (self.data, self.index):
            with contextlib.suppress(OSError):
                os.close(handle)

    def full(self) -> bool:
        return self.size >= PACK_BYTES or self.pid != os.getpid()

    def append(self, sha256: str, kept: bytes, compressed: bool) -> Entry:
        # Asked of the file, not counted: a write that failed half-way (a full disk) left
        # bytes that no line names, and the next original goes after them.
        offset = os.lseek(self.data, 0, os.SEEK_END)
        _write_all(self.data, kept)
        self.size = offset + len(kept)
        flag = "z" if compressed else "p"
        _write_all(self.index, f"{sha256} {offset} {len(kept)} {flag}\n".encode("ascii"))
        return Entry(self.name, offset, len(kept), compressed)


def _append(path: Path, line: bytes) -> None:
    handle = os.open(path, os.O_WRONLY | os.O_APPEND)
    try:
        _write_all(handle, line)
    finally:
        os.close(handle)


def _write_all(handle: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(handle, view) :]
