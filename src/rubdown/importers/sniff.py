"""What a file is, judged by its content: format detection and bounded gunzip.

``detect`` looks at the first bytes of *decompressed* content; ``open_payload`` takes a file
as a stream, gunzips it as it is read when it is gzip (within the limits of :class:`Limits`,
checked while inflating) and detects the format of what is inside; ``unwrap`` does the same
for bytes already in memory. A file's name never overrides its content: it only breaks ties the
content cannot settle (a Garmin wellness JSON looks like any other JSON).
"""

from __future__ import annotations

import csv
import io
import re
import zlib
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, BinaryIO, Protocol, cast

from isal import isal_zlib

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

from rubdown.importers.archive import Limits, describe_bytes
from rubdown.importers.base import HEAD_BYTES, Format, ImportProblem

GZIP_MAGIC = b"\x1f\x8b"
# How many raw bytes of a gzip file are enough to decompress HEAD_BYTES of content: activity
# files compress by 3-10x, and the gzip header may carry a file name and a comment.
GZIP_HEAD_RAW_BYTES = 16 * 1024

# 32 + 15: let zlib recognise the gzip header itself, with the largest window.
_GZIP_WBITS = 47
_IN_CHUNK = 256 * 1024  # compressed bytes handed to zlib at a time
_OUT_CHUNK = 1024 * 1024  # decompressed bytes asked for at a time, so limits bite early
# A gzip member is inflated by ISA-L (several times faster than zlib) while its compressed
# bytes so far are kept, up to this many: damaged data is then inflated again by zlib, so
# that the line shown is zlib's, as it always was. A longer member goes on with zlib.
_REPLAY_BYTES = 8 * 1024 * 1024
# ISA-L's exception class (its stubs declare it as an instance, so it is typed here).
_IsalError = cast("type[Exception]", isal_zlib.error)

_UTF8_BOM = b"\xef\xbb\xbf"
_XML_ROOTS = {
    "gpx": Format.GPX,
    "TrainingCenterDatabase": Format.TCX,
    "HealthData": Format.APPLE_HEALTH,
}
_XML_NAME = re.compile(r"[^\s/>]+")
_DOCTYPE_NAME = re.compile(r"\s+([^\s\[>]+)")
# "ID" as a word of its own: "Activity ID", "ID aktivity", "Aktivitäts-ID", "アクティビティID".
_ID_WORD = re.compile(r"(?<![a-z])id(?![a-z])", re.IGNORECASE)
# Strava writes the display block (columns 1-15) and the SI block from column 16 with some of
# the same headers, in every language: the repeated pairs identify the layout.
_STRAVA_REPEATED = ((5, 15), (6, 17))
_STRAVA_FILENAME_COLUMN = 12
_STRAVA_FILENAME_HEADERS = frozenset({"filename", "dateiname", "nom du fichier", "název souboru"})
_STRAVA_FILENAME_VALUE = re.compile(r"activities/\S+")
_WELLNESS_NAME = re.compile(r"(.*_sleepData|.*_healthStatusData|UDSFile_.*)\.json", re.IGNORECASE)


@dataclass(frozen=True)
class Unwrapped:
    """A file's content after gunzip (when it was gzipped) and the format found in it."""

    payload: bytes
    format: Format
    gzipped: bool


def detect(head: bytes, name: str = "") -> Format:
    """The format of content starting with ``head``; ``name`` only breaks ties.

    Gzip data gives ``Format.UNKNOWN``: callers pass decompressed heads (see :func:`unwrap`).
    """
    if len(head) >= 12 and head[0] in (12, 14) and head[8:12] == b".FIT":
        return Format.FIT
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return Format.ZIP
    if head.startswith(GZIP_MAGIC):
        return Format.UNKNOWN
    text = _as_text(head)
    body = text.lstrip()
    if body.startswith("<"):
        return _xml_format(body, _base_name(name))
    if body[:15].upper() == "BEGIN:VCALENDAR":
        return Format.ICS
    if body.startswith(("{", "[")):
        if '"summarizedActivitiesExport"' in body:
            return Format.GARMIN_SUMMARIES
        if _WELLNESS_NAME.fullmatch(_base_name(name)):
            return Format.GARMIN_WELLNESS
        return Format.UNKNOWN
    if _is_strava_csv(text, _base_name(name)):
        return Format.STRAVA_CSV
    return Format.UNKNOWN


def unwrap(raw: bytes, name: str, limits: Limits) -> Unwrapped:
    """Gunzip ``raw`` if it is gzip (bounded by ``limits``) and detect what is inside.

    Raises :class:`ImportProblem` for an empty file and for damaged or oversized gzip data.
    """
    if not raw:
        raise ImportProblem("empty file")
    if not raw.startswith(GZIP_MAGIC):
        return Unwrapped(raw, detect(raw[:HEAD_BYTES], name), gzipped=False)
    payload = gunzip(raw, limits)
    if not payload:
        raise ImportProblem("empty file (inside its gzip wrapper)")
    inner_name = name[:-3] if name.lower().endswith(".gz") else name
    return Unwrapped(payload, detect(payload[:HEAD_BYTES], inner_name), gzipped=True)


@dataclass(frozen=True)
class Opened:
    """A file's content as a stream (gunzipped on the fly when it was gzip), its first bytes
    and the format found in them. The stream starts at the beginning, head included."""

    stream: BinaryIO
    head: bytes
    format: Format
    gzipped: bool


def open_payload(source: BinaryIO, name: str, limits: Limits) -> Opened:
    """Like :func:`unwrap`, for a stream: a small gzip file is inflated whole at once, a
    larger one only up to ``EAGER_GUNZIP_BYTES`` and then as it is read.

    The gzip limits of :class:`Limits` are checked while inflating, so a bomb stops after a
    few MiB of output however it is read. Raises :class:`ImportProblem` as ``unwrap`` does.
    """
    raw_head = source.read(GZIP_HEAD_RAW_BYTES)
    if not raw_head:
        raise ImportProblem("empty file")
    if not raw_head.startswith(GZIP_MAGIC):
        stream = io.BufferedReader(_Prefixed(raw_head, source), _OUT_CHUNK)
        head = stream.peek(HEAD_BYTES)[:HEAD_BYTES]
        return Opened(stream, head, detect(head, name), gzipped=False)
    inflating = _Gunzip(prefixed(raw_head, source), limits)
    first, problem = inflating.read_ahead(EAGER_GUNZIP_BYTES)
    if not first:
        if problem is not None:
            raise problem
        raise ImportProblem("empty file (inside its gzip wrapper)")
    head = first[:HEAD_BYTES]
    if problem is None and inflating.done:
        content: BinaryIO = io.BytesIO(first)
    else:
        # Damage after the head is the parser's to meet, where it reads that far, as when
        # the file was inflated only as it was read.
        rest = _Raising(problem) if problem is not None else inflating
        content = io.BufferedReader(_Prefixed(first, cast("IO[bytes]", rest)), _OUT_CHUNK)
    inner_name = name[:-3] if name.lower().endswith(".gz") else name
    return Opened(content, head, detect(head, inner_name), gzipped=True)


# A gzip file whose content is at most this large is inflated whole when opened, in steps of
# _OUT_CHUNK with the limits checked at each, and read from memory: inflating a 100 kB FIT
# file through two buffered streams, a step at a time, cost two thirds as much again as
# inflating it. A larger one (an XML track, say) goes on being inflated as it is read.
EAGER_GUNZIP_BYTES = 8 * 1024 * 1024


class _Raising(io.RawIOBase):
    """A stream whose every read raises the problem met while filling the bytes before it."""

    def __init__(self, problem: ImportProblem) -> None:
        super().__init__()
        self._problem = problem

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        raise self._problem


def prefixed(first: bytes, rest: IO[bytes]) -> BinaryIO:
    """A stream of ``first`` and then what is left of ``rest``."""
    return io.BufferedReader(_Prefixed(first, rest), _OUT_CHUNK)


class _Prefixed(io.RawIOBase):
    """Bytes already read from a stream, then the rest of that stream."""

    def __init__(self, first: bytes, rest: IO[bytes]) -> None:
        super().__init__()
        self._first = memoryview(first)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        view = memoryview(buffer).cast("B")
        if self._first:
            count = min(len(view), len(self._first))
            view[:count] = self._first[:count]
            self._first = self._first[count:]
            return count
        data = self._rest.read(len(view))
        view[: len(data)] = data
        return len(data)


class _Gunzip(io.RawIOBase):
    """Gzip data inflated as it is read, all members of it, within ``limits``: the size and
    the ratio (against the compressed bytes consumed so far) are checked at every step."""

    def __init__(self, source: IO[bytes], limits: Limits) -> None:
        super().__init__()
        self._source = source
        self._limits = limits
        self._decompressor: _Inflater = isal_zlib.decompressobj(_GZIP_WBITS)
        self._member = _Member()
        self._pending = b""  # compressed bytes handed over but not yet consumed
        self._consumed = 0  # compressed bytes consumed by earlier members
        self._total = 0
        self._done = False
        self._input_ended = False

    def readable(self) -> bool:
        return True

    @property
    def done(self) -> bool:
        return self._done

    def read_ahead(self, limit: int) -> tuple[bytes, ImportProblem | None]:
        """Inflate until the end or until at least ``limit`` bytes, without a buffer between:
        what was inflated, and the problem that stopped it early (None when none did)."""
        pieces: list[bytes] = []
        total = 0
        try:
            while not self._done and total < limit:
                piece = self._step(_OUT_CHUNK)
                pieces.append(piece)
                total += len(piece)
        except ImportProblem as problem:
            return b"".join(pieces), problem
        return b"".join(pieces), None

    def readinto(self, buffer: WriteableBuffer) -> int:
        view = memoryview(buffer).cast("B")
        while not self._done:
            piece = self._step(len(view))
            if piece:
                view[: len(piece)] = piece
                return len(piece)
        return 0

    def _step(self, size: int) -> bytes:
        if not self._pending and not self._input_ended:
            self._pending = self._source.read(_IN_CHUNK)
            self._input_ended = not self._pending
            self._keep_input(self._pending)
        try:
            piece = self._decompressor.decompress(self._pending, min(size, _OUT_CHUNK))
        except zlib.error as error:
            raise ImportProblem(f"gzip data is damaged: {error}") from error
        except _IsalError as error:
            reason = self._member.zlib_error() or str(error)
            raise ImportProblem(f"gzip data is damaged: {reason}") from error
        self._member.produced += len(piece)
        # At the end of a member zlib may leave what follows in unconsumed_tail as well as
        # in unused_data (when the call was fed its own tail): unused_data alone counts.
        tail = b"" if self._decompressor.eof else self._decompressor.unconsumed_tail
        taken = len(self._pending) - len(tail)
        self._pending = tail
        self._total += len(piece)
        unused = self._decompressor.unused_data
        _check_growth(self._total, self._consumed + taken - len(unused), self._limits)
        self._consumed += taken - len(unused)
        if self._decompressor.eof:
            rest = unused + self._pending
            if len(rest) < 2 and not self._input_ended:
                more = self._source.read(_IN_CHUNK)
                self._input_ended = not more
                rest += more
            if not rest.startswith(GZIP_MAGIC):
                # Anything else after the end (padding some tools add) is ignored.
                self._done = True
            else:
                self._decompressor = isal_zlib.decompressobj(_GZIP_WBITS)
                self._member = _Member()
                self._pending = rest
                self._keep_input(rest)
        elif not piece and not self._pending and self._input_ended:
            raise ImportProblem("gzip data ends early")
        return piece

    def _keep_input(self, data: bytes) -> None:
        """Note compressed bytes handed to the current member; past ``_REPLAY_BYTES`` the
        member goes on with zlib, brought to the same place by inflating it again."""
        member = self._member
        if member.kept is None or not data:
            return
        member.kept.append(data)
        member.size += len(data)
        if member.size > _REPLAY_BYTES:
            self._decompressor, self._pending = member.with_zlib(self._pending)


class _Inflater(Protocol):
    """What zlib's and ISA-L's decompress objects both offer."""

    @property
    def unconsumed_tail(self) -> bytes: ...
    @property
    def unused_data(self) -> bytes: ...
    @property
    def eof(self) -> bool: ...
    def decompress(self, data: bytes, max_length: int = ..., /) -> bytes: ...


@dataclass
class _Member:
    """The compressed bytes handed over for one gzip member (``kept``, None once it goes on
    with zlib) and how many bytes it has inflated to so far."""

    kept: list[bytes] | None = field(default_factory=list)
    size: int = 0
    produced: int = 0

    def _replayed(self) -> tuple[_Inflater, bytes]:
        """A zlib decompressor fed the kept bytes up to ``produced`` bytes of output, and
        the kept bytes it has not consumed yet. Raises ``zlib.error`` on damaged data."""
        inflater = zlib.decompressobj(_GZIP_WBITS)
        data = b"".join(self.kept or ())
        left = self.produced
        while left:
            piece = inflater.decompress(data, min(left, _OUT_CHUNK))
            data = inflater.unconsumed_tail
            left -= len(piece)
            if not piece:
                break
        return inflater, data

    def zlib_error(self) -> str | None:
        """zlib's words for the damage ISA-L found, when the member's bytes are all kept."""
        if self.kept is None:
            return None
        try:
            inflater = zlib.decompressobj(_GZIP_WBITS)
            data = b"".join(self.kept)
            while data:
                inflater.decompress(data, _OUT_CHUNK)
                data = inflater.unconsumed_tail
        except zlib.error as error:
            return str(error)
        return None

    def with_zlib(self, pending: bytes) -> tuple[_Inflater, bytes]:
        """Go on with zlib from where ISA-L is: the output so far is made again and dropped,
        and what zlib has not consumed of the kept bytes becomes the pending input."""
        del pending  # a suffix of the kept bytes, which zlib re-reads from the start
        inflater, rest = self._replayed()
        self.kept = None
        return inflater, rest


def read_capped(stream: IO[bytes], limit: int, what: str) -> bytes:
    """All of ``stream`` when it holds at most ``limit`` bytes; one line refusing it if not."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise ImportProblem(f"{what} larger than {describe_bytes(limit)} is not read")
    return data


def gunzip(raw: bytes, limits: Limits) -> bytes:
    """Decompress gzip data, all members of it, refusing to grow past ``limits``.

    The ratio is checked against the compressed bytes consumed so far, so a bomb is refused
    after a few MiB of output rather than after the member limit.
    """
    with io.BufferedReader(_Gunzip(io.BytesIO(raw), limits), _OUT_CHUNK) as stream:
        return stream.read()


def gunzip_head(raw_head: bytes, size: int = HEAD_BYTES) -> bytes:
    """Up to ``size`` decompressed bytes from the start of gzip data (for sniffing).

    ``raw_head`` may be only the beginning of the file, so running out of input is not an
    error here; damaged data raises :class:`ImportProblem`.
    """
    out = b""
    data = raw_head
    while len(out) < size and data.startswith(GZIP_MAGIC):
        decompressor = zlib.decompressobj(_GZIP_WBITS)
        try:
            out += decompressor.decompress(data, size - len(out))
        except zlib.error as error:
            raise ImportProblem(f"gzip data is damaged: {error}") from error
        if not decompressor.eof:
            break
        data = decompressor.unused_data
    return out


def _check_growth(total: int, consumed: int, limits: Limits) -> None:
    if total > limits.max_member_bytes:
        raise ImportProblem(f"gzip data expands beyond {describe_bytes(limits.max_member_bytes)}")
    if total > limits.ratio_min_bytes and total > limits.max_ratio * max(consumed, 1):
        raise ImportProblem(f"compression ratio over {limits.max_ratio}:1: refused as a zip bomb")


def _as_text(head: bytes) -> str:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        # UTF-16 with a byte order mark; a cut in the middle of a character is harmless.
        return head[: len(head) // 2 * 2].decode("utf-16", errors="replace")
    return head.removeprefix(_UTF8_BOM).decode("utf-8", errors="replace")


def _base_name(name: str) -> str:
    return re.split(r"[/\\]", name)[-1]


def _xml_format(text: str, name: str) -> Format:
    root, doctype = _xml_root(text)
    if root is None:
        # The head ended inside the prologue (Apple's DOCTYPE alone is ~10 KB): the DOCTYPE
        # names the root element, and failing that the name is the only hint left.
        root = doctype
    if root is not None:
        return _XML_ROOTS.get(root.rpartition(":")[2], Format.UNKNOWN)
    if text.startswith("<?xml"):
        lowered = name.lower()
        if lowered.endswith(".gpx"):
            return Format.GPX
        if lowered.endswith(".tcx"):
            return Format.TCX
        if lowered == "export.xml":
            return Format.APPLE_HEALTH
    return Format.UNKNOWN


def _xml_root(text: str) -> tuple[str | None, str | None]:
    """The root element's name and the DOCTYPE's name, skipping the prologue.

    Either is None when the text ends before it; the root is None when this is not XML.
    """
    at, end, doctype = 0, len(text), None
    while at < end:
        if text[at].isspace():
            at += 1
        elif text.startswith("<?", at):
            at = _after(text, "?>", at + 2)
        elif text.startswith("<!--", at):
            at = _after(text, "-->", at + 4)
        elif text.startswith("<!DOCTYPE", at):
            named = _DOCTYPE_NAME.match(text, at + 9)
            doctype = named.group(1) if named else None
            at = _doctype_end(text, at + 9)
        elif text.startswith("<", at):
            found = _XML_NAME.match(text, at + 1)
            return (found.group() if found else None), doctype
        else:
            return None, doctype
        if at < 0:
            break
    return None, doctype


def _after(text: str, marker: str, start: int) -> int:
    found = text.find(marker, start)
    return -1 if found < 0 else found + len(marker)


def _doctype_end(text: str, at: int) -> int:
    """Where a DOCTYPE ends: its closing ``>`` outside quotes, comments and internal subset."""
    depth, quote = 0, ""
    while 0 <= at < len(text):
        char = text[at]
        if quote:
            quote = "" if char == quote else quote
        elif text.startswith("<!--", at):
            at = _after(text, "-->", at + 4)
            continue
        elif text.startswith("<?", at):
            at = _after(text, "?>", at + 2)
            continue
        elif char in "\"'":
            quote = char
        elif char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
        elif char == ">" and depth <= 0:
            return at + 1
        at += 1
    return -1


def _is_strava_csv(text: str, name: str) -> bool:
    """A Strava activities.csv, judged by the shape of its header, in any language."""
    try:
        rows = csv.reader(io.StringIO(text, newline=""))
        header = [field.strip() for field in next(rows)]
        first_row = next(rows, [])
    except (StopIteration, csv.Error):
        return False
    if len(header) < 15 or not _ID_WORD.search(header[0]):
        return False
    filename = header[_STRAVA_FILENAME_COLUMN]
    repeated = len(header) > 17 and all(header[a] == header[b] != "" for a, b in _STRAVA_REPEATED)
    # Only trust a data row's file name when the row goes on past it: the head may cut it.
    named_files = len(first_row) > _STRAVA_FILENAME_COLUMN + 1 and bool(
        _STRAVA_FILENAME_VALUE.fullmatch(first_row[_STRAVA_FILENAME_COLUMN])
    )
    return (
        filename.casefold() in _STRAVA_FILENAME_HEADERS
        or repeated
        or named_files
        or name.lower() == "activities.csv"
    )
