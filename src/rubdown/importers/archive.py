"""Reading zip archives safely: size and ratio limits, and member handles that outlive a walk.

Nothing here ever extracts a member to disk by its name: a member's name is shown, never used
as a path. A nested zip is read from memory, or from an anonymous temporary file when large.

Lifetime rule: a :class:`ZipArchive` and every stream it opens are valid until the
:class:`ZipPool` that opened it is closed. The pool keeps a bounded number of zips open at a
time (so a folder of thousands of zips does not run out of file descriptors) and reopens an
evicted one transparently when a member of it is asked for again.
"""

from __future__ import annotations

import functools
import io
import shutil
import stat
import tempfile
import zipfile
import zlib
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, BinaryIO, cast

from isal import isal_zlib

from rubdown.importers.base import ImportProblem

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

_GIB = 1024**3
_MIB = 1024**2
_KIB = 1024
_READ_CHUNK = _MIB
# A nested zip up to this size stays in memory; a larger one spills to an anonymous file.
# Up to ``ZipPool.keep_open`` (32) zips stay open at once, so this bounds their memory to
# 128 MiB together, however many nested zips an archive holds.
_SPOOL_IN_MEMORY = 4 * _MIB
# The end-of-central-directory record sits in the last 22 bytes plus an optional comment.
_EOCD_SEARCH = 22 + 65535
_METHODS = frozenset(
    {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}
)
_ENCRYPTED_FLAG = 0x1
_OPEN_ERRORS = (
    zipfile.BadZipFile,
    NotImplementedError,
    RuntimeError,
    ValueError,
    OSError,
    EOFError,
)
_READ_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError)
# A member up to this size (inflated, and compressed) is inflated by ISA-L from its compressed
# bytes read whole (see _Inflation); a larger one streams through zipfile as it is read.
_WHOLE_MEMBER_BYTES = 8 * _MIB
# What the buffered reader over zipfile's stream pulls at a time: budgets are spent in the
# same steps, so that a member read whole refuses the same archives at the same point.
_PULL_BYTES = io.DEFAULT_BUFFER_SIZE
# A read reaching this far into a member inflates all of it (a sniffing peek does not).
_PARTIAL_INFLATE_BYTES = 64 * _KIB
_FEED_MARGIN_BYTES = _KIB
_LOCAL_HEADER_BYTES = 30
_RAW_DEFLATE_WBITS = -15
# ISA-L's exception class (its stubs declare it as an instance, so it is typed here).
_IsalError = cast("type[Exception]", isal_zlib.error)


@dataclass(frozen=True)
class Limits:
    """How much an import may unpack, so that a hostile or broken file cannot exhaust the
    machine. The defaults fit the largest honest exports (an Apple Health ``export.xml`` can
    be several GB) while refusing zip and gzip bombs.

    ``max_depth``: how many archives deep to open; a top-level zip is depth 1, a zip inside it
    depth 2 (Garmin's ``UploadedFiles_*.zip`` inside its export). Deeper ones are refused.
    ``max_total_bytes``: uncompressed bytes read from one outermost archive in all, members of
    nested archives included.
    ``max_member_bytes``: uncompressed size of one archive member or one gunzipped file.
    ``max_ratio``: uncompressed size over compressed size for one member; honest activity files
    compress 3-20x, a bomb 1000x.
    ``ratio_min_bytes``: the ratio is only enforced above this uncompressed size, so that tiny
    but very compressible files (an empty JSON list padded with spaces) pass.
    ``max_members``: entries in one zip; its directory is refused before it is parsed.
    """

    max_depth: int = 3
    max_total_bytes: int = 16 * _GIB
    max_member_bytes: int = 4 * _GIB
    max_ratio: int = 200
    ratio_min_bytes: int = _MIB
    max_members: int = 200_000


def describe_bytes(count: int) -> str:
    """``4294967296`` -> ``"4 GiB"``, for one-line messages."""
    for unit, size in (("GiB", _GIB), ("MiB", _MIB), ("KiB", _KIB)):
        if count >= size:
            return f"{count / size:.4g} {unit}"
    return f"{count} bytes"


class Budget:
    """Uncompressed bytes one outermost archive may still yield, shared by its nested zips."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.spent = 0

    @property
    def exhausted(self) -> bool:
        return self.spent > self.limit

    def has_room(self, count: int) -> bool:
        return self.spent + count <= self.limit

    def refund(self, count: int) -> None:
        self.spent -= count

    def spend(self, count: int) -> None:
        self.spent += count
        if self.exhausted:
            raise ImportProblem(
                f"the archive expands beyond {describe_bytes(self.limit)} in total: refused"
            )


def ratio_exceeded(size: int, compressed: int, limits: Limits) -> bool:
    return size > limits.ratio_min_bytes and size > limits.max_ratio * max(compressed, 1)


def check_member(info: zipfile.ZipInfo, limits: Limits) -> tuple[str, bool] | None:
    """Why a member is not read, judged by its directory entry alone: ``(reason, failed)``.

    ``failed`` is False for entries deliberately passed over (directories, symbolic links)
    and True for members that cannot or must not be read. None means: go ahead.
    """
    if info.is_dir():
        return "directory entry", False
    if stat.S_ISLNK(info.external_attr >> 16):
        return "symbolic link, not followed", False
    if info.flag_bits & _ENCRYPTED_FLAG:
        return "encrypted: cannot be read without its password", True
    if info.compress_type not in _METHODS:
        return f"compression method {info.compress_type} is not supported", True
    if info.file_size > limits.max_member_bytes:
        return f"expands beyond {describe_bytes(limits.max_member_bytes)}", True
    if ratio_exceeded(info.file_size, info.compress_size, limits):
        return f"compression ratio over {limits.max_ratio}:1: refused as a zip bomb", True
    return None


class _Bounded(io.RawIOBase):
    """A member's stream that stops as soon as it yields more than it may."""

    def __init__(
        self,
        inner: IO[bytes],
        *,
        declared: int,
        compressed: int,
        limits: Limits,
        budget: Budget,
        on_close: Callable[[], None] | None,
    ) -> None:
        super().__init__()
        self._inner = inner
        self._declared = declared
        self._compressed = compressed
        self._limits = limits
        self._budget = budget
        self._on_close = on_close
        self._yielded = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        view = memoryview(buffer).cast("B")
        data = self._take(len(view))
        view[: len(data)] = data
        return len(data)

    def readall(self) -> bytes:
        # The default reads 8 KiB at a time; an export.xml of gigabytes deserves larger bites.
        chunks: list[bytes] = []
        while data := self._take(_READ_CHUNK):
            chunks.append(data)
        return b"".join(chunks)

    def close(self) -> None:
        if self.closed:
            return
        try:
            self._inner.close()
        finally:
            if self._on_close is not None:
                self._on_close()
            super().close()

    def _take(self, size: int) -> bytes:
        try:
            data = self._inner.read(size)
        except _READ_ERRORS as error:
            raise ImportProblem(f"member data is damaged: {_one_line(error)}") from error
        self._yielded += len(data)
        # The declared sizes were checked before opening; they can lie, so check the truth.
        if self._yielded > self._declared:
            raise ImportProblem("member holds more data than its directory entry declares")
        if self._yielded > self._limits.max_member_bytes:
            limit = describe_bytes(self._limits.max_member_bytes)
            raise ImportProblem(f"expands beyond {limit}")
        if ratio_exceeded(self._yielded, self._compressed, self._limits):
            ratio = self._limits.max_ratio
            raise ImportProblem(f"compression ratio over {ratio}:1: refused as a zip bomb")
        self._budget.spend(len(data))
        return data


def bounded(
    inner: IO[bytes],
    info: zipfile.ZipInfo,
    limits: Limits,
    budget: Budget,
    on_close: Callable[[], None] | None = None,
) -> BinaryIO:
    """Wrap a member's raw stream so that reading it enforces ``limits`` and ``budget``."""
    raw = _Bounded(
        inner,
        declared=info.file_size,
        compressed=info.compress_size,
        limits=limits,
        budget=budget,
        on_close=on_close,
    )
    return io.BufferedReader(raw)


def _inflated_whole(info: zipfile.ZipInfo, limits: Limits) -> bool:
    """Whether a member is small and plain enough to be inflated by :class:`_Inflation`:
    stored or deflated, not encrypted, and within every limit whatever it yields up to its
    declared size (so that only what zipfile would refuse too can stop it)."""
    return (
        info.compress_type in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
        and not info.flag_bits & _ENCRYPTED_FLAG
        and info.file_size <= min(_WHOLE_MEMBER_BYTES, limits.max_member_bytes)
        and info.compress_size <= _WHOLE_MEMBER_BYTES
        and not ratio_exceeded(info.file_size, info.compress_size, limits)
    )


class _Inflation:
    """One member's compressed bytes, inflated by ISA-L as far as asked.

    It only ever answers for a member that is plainly sound: its data inflates to exactly
    the declared size, ends with deflate's end marker, and matches its CRC-32. Anything else
    (damage, a size that disagrees, a cut) makes it ``failed``, and the member is then read
    through zipfile and zlib as it always was, so that what is refused, and the words saying
    why, stay zipfile's and zlib's. Zipfile would return the same bytes for a sound member.
    """

    def __init__(self, info: zipfile.ZipInfo, compressed: bytes | None) -> None:
        self.declared = info.file_size
        self._crc = info.CRC
        self._pieces: list[bytes] = []
        self.size = 0  # bytes inflated so far
        self.ended = False  # all inflated and found sound
        self.failed = False  # not plainly sound: zipfile's stream decides
        self._compressed = memoryview(b"")
        self._fed = 0  # compressed bytes handed to the decompressor so far
        self._decompressor = None
        if compressed is None or len(compressed) != info.compress_size:
            self.failed = True  # cut short: zipfile's stream says how
        elif info.compress_type == zipfile.ZIP_STORED:
            self._add(compressed, end=True)
        else:
            self._compressed = memoryview(compressed)
            self._decompressor = isal_zlib.decompressobj(_RAW_DEFLATE_WBITS)

    def inflate_to(self, target: int) -> bool:
        """Inflate at least ``target`` bytes, or all; False when the member is not plainly
        sound (see the class). A target past the first few KiB inflates all of it."""
        if target > _PARTIAL_INFLATE_BYTES:
            target = self.declared + 1
        while not self.failed and not self.ended and self.size < target:
            self._step(min(target, self.declared + 1))
        return not self.failed

    def data(self) -> bytes:
        """Everything inflated so far, as one bytes object."""
        if len(self._pieces) > 1:
            self._pieces = [b"".join(self._pieces)]
        return self._pieces[0] if self._pieces else b""

    def _step(self, target: int) -> None:
        assert self._decompressor is not None  # a stored member is whole from the start
        want = target - self.size  # at least 1: zlib's and ISA-L's 0 means "no limit"
        # ISA-L inflates what it is given (up to 64 KiB of it) before it hands out
        # max_length bytes: a peek gives it about as many compressed bytes as it wants
        # inflated bytes, plus a little for the blocks' own headers.
        left = len(self._compressed) - self._fed
        feed = left if target > self.declared else min(left, want + _FEED_MARGIN_BYTES)
        data = self._compressed[self._fed : self._fed + feed]
        self._fed += feed
        tail = self._decompressor.unconsumed_tail
        try:
            piece = self._decompressor.decompress(tail + data if tail else data, want)
        except (_IsalError, ValueError):
            self.failed = True
            return
        if self._decompressor.eof:
            self._add(piece, end=True)
        elif len(piece) < want and self._fed == len(self._compressed):
            # Short of what was asked with all the input given, and no end marker: cut.
            self.failed = not self._decompressor.unconsumed_tail
            self._add(piece, end=False)
        else:
            self._add(piece, end=False)

    def _add(self, piece: bytes, *, end: bool) -> None:
        self._pieces.append(piece)
        self.size += len(piece)
        if self.size > self.declared:
            self.failed = True
        elif end:
            self._compressed = memoryview(b"")
            self._decompressor = None
            self.ended = self.size == self.declared and isal_zlib.crc32(self.data()) == self._crc
            self.failed = not self.ended


class _MemberStream(io.BufferedIOBase):
    """A member read from its :class:`_Inflation`, without a buffer between: reading it
    whole hands over the inflated bytes themselves.

    Limits and budget behave as through :func:`bounded` over zipfile's stream, whose buffered
    reader pulls ``_PULL_BYTES`` at a time: the same bytes are spent at the same reads. When
    the inflation fails, or the budget would be exceeded, the reads made so far are made again
    on zipfile's stream (``exact``), which takes over: its bytes, its refusals, its words.
    """

    def __init__(
        self,
        inflation: _Inflation,
        budget: Budget,
        exact: Callable[[], BinaryIO],
        park: Callable[[_Inflation], None],
    ) -> None:
        super().__init__()
        self._inflation = inflation
        self._budget = budget
        self._open_exact = exact
        self._park = park
        self._exact: BinaryIO | None = None
        # The sizes asked so far, to make them again: [size, times in a row] (a reader of
        # lines asks for one byte at a time).
        self._reads: list[list[int]] = []
        self._position = 0
        self._pulled = 0  # bytes the buffered reader over zipfile would have pulled
        self._spent = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        if self.closed:
            raise ValueError("read of closed file")
        size = -1 if size is None else size
        if self._exact is None:
            data = self._read_inflated(size)
            if data is not None:
                if self._reads and self._reads[-1][0] == size:
                    self._reads[-1][1] += 1
                else:
                    self._reads.append([size, 1])
                return data
            self._exact = self._take_over()
        return self._exact.read(size)

    def read1(self, size: int | None = -1) -> bytes:
        return self.read(size)

    def close(self) -> None:
        if self.closed:
            return
        try:
            if self._exact is not None:
                self._exact.close()
            elif not self._inflation.failed:
                self._park(self._inflation)
        finally:
            super().close()

    def _read_inflated(self, size: int) -> bytes | None:
        """The next bytes, or None when zipfile's stream must take over."""
        inflation = self._inflation
        # Past the declared size there is nothing (more would fail the inflation).
        end = inflation.declared + 1 if size < 0 else self._position + size
        if end > self._pulled:
            pulls = -(-(end - self._pulled) // _PULL_BYTES)
            target = min(self._pulled + pulls * _PULL_BYTES, inflation.declared + 1)
            if not inflation.inflate_to(target):
                return None
            pulled = min(target, inflation.size)
            if not self._budget.has_room(pulled - self._pulled):
                return None
            self._budget.spend(pulled - self._pulled)
            self._spent += pulled - self._pulled
            self._pulled = pulled
        data = inflation.data()
        stop = min(end, self._pulled)
        piece = data if self._position == 0 and stop == len(data) else data[self._position : stop]
        self._position += len(piece)
        return piece

    def _take_over(self) -> BinaryIO:
        """Zipfile's stream, brought to where this one is by making the same reads again."""
        self._budget.refund(self._spent)
        self._spent = 0
        exact = self._open_exact()
        try:
            for size, times in self._reads:
                for _ in range(times):
                    exact.read(size)
        except BaseException:
            exact.close()
            raise
        return exact


def read_zip(source: IO[bytes], limits: Limits) -> zipfile.ZipFile:
    """Open a zip from a seekable binary stream, refusing oversized directories."""
    declared = _declared_members(source)
    if declared is not None and declared > limits.max_members:
        raise ImportProblem(f"archive holds {declared} members, more than {limits.max_members}")
    source.seek(0)
    try:
        archive = zipfile.ZipFile(source)
    except (*_OPEN_ERRORS, zipfile.LargeZipFile) as error:
        raise ImportProblem(f"not a readable zip archive: {_one_line(error)}") from error
    if len(archive.infolist()) > limits.max_members:
        archive.close()
        raise ImportProblem(f"archive holds more than {limits.max_members} members")
    return archive


def _declared_members(source: IO[bytes]) -> int | None:
    """The member count the end-of-central-directory record claims, None if not found."""
    size = source.seek(0, io.SEEK_END)
    source.seek(max(0, size - _EOCD_SEARCH))
    tail = source.read()
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        return None
    count = int.from_bytes(tail[at + 10 : at + 12], "little")
    # 0xFFFF means "see the zip64 record", located by the 20-byte locator just before.
    if count == 0xFFFF and at >= 20 and tail[at - 20 : at - 16] == b"PK\x06\x07":
        source.seek(int.from_bytes(tail[at - 12 : at - 4], "little"))
        record = source.read(40)
        if len(record) == 40 and record.startswith(b"PK\x06\x06"):
            count = int.from_bytes(record[32:40], "little")
    return count


def _open_member(handle: _Handle, info: zipfile.ZipInfo) -> IO[bytes]:
    try:
        return handle.zip.open(info)
    except _OPEN_ERRORS as error:
        raise ImportProblem(f"cannot read this member: {_one_line(error)}") from error


def _compressed_bytes(source: IO[bytes], info: zipfile.ZipInfo) -> bytes | None:
    """A member's compressed bytes, after its local header (already checked by zipfile);
    None when they cannot be read (zipfile's stream then says why)."""
    try:
        source.seek(info.header_offset)
        header = source.read(_LOCAL_HEADER_BYTES)
        if len(header) != _LOCAL_HEADER_BYTES:
            return None
        name_bytes = int.from_bytes(header[26:28], "little")
        extra_bytes = int.from_bytes(header[28:30], "little")
        source.seek(info.header_offset + _LOCAL_HEADER_BYTES + name_bytes + extra_bytes)
        return source.read(info.compress_size)
    except (OSError, ValueError):
        return None


def _one_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


@dataclass(eq=False)
class _Handle:
    """An open ZipFile and the stream under it; ``streams`` counts members being read."""

    zip: zipfile.ZipFile
    source: IO[bytes]
    streams: int = 0
    closed: bool = False

    def release(self) -> None:
        self.streams -= 1

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.zip.close()
            self.source.close()


class ZipArchive:
    """An opened zip: its entries, and streams of its members while the pool is open."""

    def __init__(
        self,
        pool: ZipPool,
        shown: str,
        depth: int,
        budget: Budget,
        load: Callable[[], _Handle],
    ) -> None:
        self.shown = shown
        self.depth = depth
        self.budget = budget
        self._pool = pool
        self._load = load
        self.members: tuple[zipfile.ZipInfo, ...] = tuple(pool.handle(self).zip.infolist())

    def open(self, info: zipfile.ZipInfo) -> BinaryIO:
        """A fresh bounded stream of one member; raises :class:`ImportProblem`.

        A small member is inflated from its compressed bytes read whole. The one last
        closed (the walk's peek at it) is taken up again where it was: its compressed bytes
        are not read, nor its first bytes inflated, a second time.
        """
        handle = self._pool.handle(self)
        inflation = self._pool.take_parked(self, info)
        if inflation is None and _inflated_whole(info, self._pool.limits):
            self._check_header(handle, info)
            inflation = _Inflation(info, _compressed_bytes(handle.source, info))
        if inflation is None:
            return self._exact(info)
        stream = _MemberStream(
            inflation,
            self.budget,
            functools.partial(self._exact, info),
            functools.partial(self._pool.park, self, info),
        )
        return cast("BinaryIO", stream)

    def _exact(self, info: zipfile.ZipInfo) -> BinaryIO:
        """The member through zipfile's own stream, bounded."""
        handle = self._pool.handle(self)
        inner = _open_member(handle, info)
        handle.streams += 1
        return bounded(inner, info, self._pool.limits, self.budget, handle.release)

    @staticmethod
    def _check_header(handle: _Handle, info: zipfile.ZipInfo) -> None:
        # Zipfile checks the member's local header when it opens it: its refusals and its
        # words stay the same for a member inflated here.
        _open_member(handle, info).close()

    def load(self) -> _Handle:
        return self._load()


class ZipPool:
    """Opens zips, keeps at most ``keep_open`` of them open, and closes them all at the end."""

    def __init__(self, limits: Limits, keep_open: int = 32) -> None:
        self.limits = limits
        self._keep_open = max(1, keep_open)
        self._handles: OrderedDict[ZipArchive, _Handle] = OrderedDict()
        self._closed = False
        # The inflation of the member stream closed last, and whose it is: the walk peeks
        # at a member and closes it, then the consumer opens it to read it all.
        self._parked: tuple[ZipArchive, zipfile.ZipInfo, _Inflation] | None = None

    @property
    def closed(self) -> bool:
        return self._closed

    def open_path(self, path: Path, shown: str) -> ZipArchive:
        """An outermost zip on disk, with a fresh budget; raises :class:`ImportProblem`."""

        def load() -> _Handle:
            try:
                source = path.open("rb")
            except OSError as error:
                raise ImportProblem(f"cannot open: {error.strerror or error}") from error
            try:
                return _Handle(read_zip(source, self.limits), source)
            except BaseException:
                source.close()
                raise

        return ZipArchive(self, shown, 1, Budget(self.limits.max_total_bytes), load)

    def open_nested(self, parent: ZipArchive, info: zipfile.ZipInfo, shown: str) -> ZipArchive:
        """A zip stored as a member of ``parent``, sharing its budget."""

        def load() -> _Handle:
            # The spool outlives this function: it backs the ZipFile until the handle closes.
            spool: IO[bytes] = tempfile.SpooledTemporaryFile(  # noqa: SIM115
                max_size=_SPOOL_IN_MEMORY
            )
            try:
                with parent.open(info) as member:
                    shutil.copyfileobj(member, spool, _READ_CHUNK)
                return _Handle(read_zip(spool, self.limits), spool)
            except BaseException:
                spool.close()
                raise

        return ZipArchive(self, shown, parent.depth + 1, parent.budget, load)

    def park(self, archive: ZipArchive, info: zipfile.ZipInfo, inflation: _Inflation) -> None:
        """Keep the inflation of a member stream being closed, in place of the one kept."""
        if not self._closed:
            self._parked = (archive, info, inflation)

    def take_parked(self, archive: ZipArchive, info: zipfile.ZipInfo) -> _Inflation | None:
        """The inflation kept for this member, given up by the pool; None if another's."""
        parked = self._parked
        if parked is None or parked[0] is not archive or parked[1] is not info:
            return None
        self._parked = None
        return parked[2]

    def handle(self, archive: ZipArchive) -> _Handle:
        """The open handle of ``archive``, reopening it if it was evicted."""
        if self._closed:
            raise RuntimeError(f"{archive.shown}: archive member opened after its walk was closed")
        handle = self._handles.get(archive)
        if handle is not None:
            self._handles.move_to_end(archive)
            return handle
        handle = archive.load()
        self._evict()
        self._handles[archive] = handle
        return handle

    def _evict(self) -> None:
        # Only idle zips are closed: one with a member stream open stays until it is done.
        while len(self._handles) >= self._keep_open:
            idle = next((a for a, h in self._handles.items() if h.streams <= 0), None)
            if idle is None:
                return
            self._handles.pop(idle).close()

    def close(self) -> None:
        self._closed = True
        self._parked = None
        while self._handles:
            _, handle = self._handles.popitem()
            handle.close()
