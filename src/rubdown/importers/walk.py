"""From what the runner hands over (files, folders, zips) to the files worth importing.

``walk(paths)`` yields a :class:`Member` for every file that looks importable and a
:class:`Skip` for everything else, in a stable order. It recognises the three exports a runner
is likely to have (Strava bulk export, Garmin "Export Your Data", Apple Health ``export.zip``),
whether zipped or unpacked, and labels their files with the export they belong to.

Lifetime rule: openers of archive members are valid until the walk is closed (``with walk(...)
as items:`` closes it on leaving the block); openers of plain files on disk stay valid after.
The consumer may collect every member first and open them later, as long as it does so before
closing the walk, from one thread.
"""

from __future__ import annotations

import functools
import os
import re
import stat
import zipfile
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from types import TracebackType
from typing import IO, BinaryIO

from rubdown.importers.archive import Limits, ZipArchive, ZipPool, check_member, describe_bytes
from rubdown.importers.base import HEAD_BYTES, Format, ImportProblem, Member
from rubdown.importers.sniff import GZIP_HEAD_RAW_BYTES, GZIP_MAGIC, detect, gunzip_head

DEFAULT_LIMITS = Limits()

_SYSTEM_FILES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini", ".localized"})
_MEDIA = frozenset({"jpg", "jpeg", "png", "gif", "heic", "webp", "mp4", "mov", "m4v", "avi"})
# Zip-based formats that never hold activities: not worth opening.
_DOCUMENTS = frozenset({"docx", "xlsx", "pptx", "odt", "ods", "odp", "epub", "jar", "apk"})
_ACTIVITY_NAME = re.compile(r".*\.(fit|gpx|tcx|ics|zip)(\.gz)?", re.IGNORECASE)


class ExportKind(StrEnum):
    STRAVA = "strava"
    GARMIN = "garmin"
    APPLE = "apple-health"


@dataclass(frozen=True)
class Skip:
    """Something not imported. ``failed`` is True when it could not be read (a zip bomb, a
    damaged archive, a missing path) and False when it is passed over on purpose."""

    shown: str
    reason: str
    failed: bool


@dataclass(frozen=True)
class _Place:
    """Where the entries being walked sit: in which export, and how their names map to paths
    relative to its root. ``export`` is empty outside any export."""

    export: str = ""
    kind: ExportKind | None = None
    prefix: str = ""  # put before an entry's name: "DI_CONNECT/.../Part1.zip!"
    strip: str = ""  # taken off the front of it: a zip's single top-level folder

    def inner(self, name: str) -> str:
        return self.prefix + name.removeprefix(self.strip) if self.export else ""


_NOWHERE = _Place()


def walk(paths: Sequence[Path], limits: Limits = DEFAULT_LIMITS) -> Walk:
    """Walk ``paths`` (files, folders, zips); iterate the result once, then close it."""
    return Walk(paths, limits)


class Walk:
    """An iterable of :class:`Member` and :class:`Skip`, and the owner of the open archives.

    Iterate it once. ``exports`` maps the shown root of every export met so far to its kind;
    an export's entry is there before the first of its members is yielded. A member's format
    is not carried: the consumer reads it and calls ``sniff.unwrap``, which detects it again.
    """

    def __init__(self, paths: Sequence[Path], limits: Limits = DEFAULT_LIMITS) -> None:
        self.limits = limits
        self._exports: dict[str, ExportKind] = {}
        self._pool = ZipPool(limits)
        self._items = self._everything(list(paths))

    @property
    def exports(self) -> Mapping[str, ExportKind]:
        return self._exports

    def __iter__(self) -> Iterator[Member | Skip]:
        return self._items

    def __enter__(self) -> Walk:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Stop walking and close every archive: archive members can no longer be opened."""
        self._items.close()
        self._pool.close()

    def _everything(self, paths: list[Path]) -> Generator[Member | Skip, None, None]:
        for path in paths:
            yield from self._given(path)

    def _given(self, path: Path) -> Iterator[Member | Skip]:
        # A path the runner typed is taken as given, symbolic link or not.
        try:
            mode = path.stat().st_mode
        except OSError as error:
            yield Skip(str(path), _os_reason(error), True)
            return
        if stat.S_ISDIR(mode):
            yield from self._folder(path)
        elif stat.S_ISREG(mode):
            yield from self._disk_file(path, _NOWHERE, "")
        else:
            yield Skip(str(path), "not a regular file or folder", True)

    def _folder(self, path: Path) -> Iterator[Member | Skip]:
        try:
            entries = _listing(path)
        except OSError as error:
            yield Skip(str(path), _os_reason(error), True)
            return
        kind = _folder_export(path, entries)
        if kind is not None:
            self._exports[str(path)] = kind
            yield from self._export_folder(path, _Place(str(path), kind))
            return
        for entry in entries:
            child = path / entry.name
            if entry.is_symlink():
                yield Skip(str(child), "symbolic link, not followed", False)
            elif entry.is_dir(follow_symlinks=False):
                yield from self._folder(child)
            elif entry.is_file(follow_symlinks=False):
                yield from self._disk_file(child, _NOWHERE, "")
            else:
                yield Skip(str(child), "not a regular file", False)

    def _export_folder(self, root: Path, place: _Place) -> Iterator[Member | Skip]:
        # The whole tree is listed first so that the index files can lead.
        found = _gather(root)
        found.sort(key=lambda item: (not _is_index(place.kind, "/".join(item[0])), item[0]))
        for parts, path, skip in found:
            if skip is not None:
                yield skip
            else:
                yield from self._disk_file(path, place, "/".join(parts))

    def _disk_file(self, path: Path, place: _Place, inner: str) -> Iterator[Member | Skip]:
        shown = str(path)
        reason = _passed_over(inner or path.name, inner, place.kind)
        if reason is not None:
            yield Skip(shown, reason, False)
            return
        try:
            with path.open("rb") as stream:
                size = os.fstat(stream.fileno()).st_size
                head = _peek(stream)
        except OSError as error:
            yield Skip(shown, _os_reason(error), True)
            return
        yield from self._judge(
            shown,
            path.name,
            size,
            head,
            place,
            inner,
            opener=functools.partial(_open_file, path),
            open_zip=functools.partial(self._pool.open_path, path, shown),
            depth=1,
        )

    def _judge(
        self,
        shown: str,
        name: str,
        size: int,
        head: bytes,
        place: _Place,
        inner: str,
        *,
        opener: Callable[[], BinaryIO],
        open_zip: Callable[[], ZipArchive],
        depth: int,
    ) -> Iterator[Member | Skip]:
        """Decide by content what a file is: a member, an archive to walk, or a skip."""
        if not head:
            yield Skip(shown, "empty file", _named_like_activity(name))
            return
        gzipped = head.startswith(GZIP_MAGIC)
        try:
            content = gunzip_head(head) if gzipped else head
        except ImportProblem as problem:
            yield Skip(shown, str(problem), True)
            return
        found = detect(content, name[:-3] if gzipped and name.lower().endswith(".gz") else name)
        if found is Format.ZIP and gzipped:
            yield Skip(shown, "a gzipped zip archive: unzip it first", True)
        elif found is Format.ZIP and depth > self.limits.max_depth:
            yield Skip(shown, f"archive nested more than {self.limits.max_depth} deep", True)
        elif found is Format.ZIP:
            yield from self._zip(shown, open_zip, place, inner)
        elif found is not Format.UNKNOWN:
            yield Member(shown, size, opener, name, place.export, inner)
        elif not content:
            yield Skip(shown, "empty file", True)
        elif _named_like_activity(name):
            yield Skip(shown, "content matches no known activity format", True)
        else:
            yield Skip(shown, "not an activity file", False)

    def _zip(
        self, shown: str, open_zip: Callable[[], ZipArchive], place: _Place, inner: str
    ) -> Iterator[Member | Skip]:
        try:
            archive = open_zip()
        except ImportProblem as problem:
            yield Skip(shown, str(problem), True)
            return
        if not archive.members:
            yield Skip(shown, "empty archive", False)
            return
        if place.export:
            # A zip inside an export (Garmin's UploadedFiles_*.zip) stays part of it.
            place = _Place(place.export, place.kind, prefix=inner + "!")
        else:
            place = _zip_export(shown, [info.filename for info in archive.members])
            if place.kind is not None:
                self._exports[place.export] = place.kind
        ordered = sorted(
            archive.members,
            key=lambda info: (
                not _is_index(place.kind, place.inner(info.filename)),
                _parts(info.filename),
            ),
        )
        for info in ordered:
            if archive.budget.exhausted:
                if archive.depth == 1:
                    limit = describe_bytes(archive.budget.limit)
                    reason = f"the archive expands beyond {limit} in total: the rest is not read"
                    yield Skip(shown, reason, True)
                return
            yield from self._zip_member(archive, info, place)

    def _zip_member(
        self, archive: ZipArchive, info: zipfile.ZipInfo, place: _Place
    ) -> Iterator[Member | Skip]:
        # The member's name is only ever shown: ``../../x`` or ``/etc/passwd`` is just text.
        shown = f"{archive.shown}!{_printable(info.filename)}"
        inner = place.inner(info.filename)
        problem = check_member(info, self.limits)
        if problem is not None and not problem[1]:
            yield Skip(shown, *problem)
            return
        reason = _passed_over(info.filename, inner, place.kind)
        if reason is not None:
            yield Skip(shown, reason, False)
            return
        if problem is not None:
            yield Skip(shown, *problem)
            return
        try:
            with archive.open(info) as stream:
                head = _peek(stream)
        except ImportProblem as error:
            yield Skip(shown, str(error), True)
            return
        yield from self._judge(
            shown,
            _base_name(info.filename),
            info.file_size,
            head,
            place,
            inner,
            opener=functools.partial(archive.open, info),
            open_zip=functools.partial(self._pool.open_nested, archive, info, shown),
            depth=archive.depth + 1,
        )


def _open_file(path: Path) -> BinaryIO:
    return path.open("rb")


def _peek(stream: IO[bytes]) -> bytes:
    head = stream.read(HEAD_BYTES)
    if head.startswith(GZIP_MAGIC):
        head += stream.read(GZIP_HEAD_RAW_BYTES - len(head))
    return head


def _listing(path: Path) -> list[os.DirEntry[str]]:
    with os.scandir(path) as entries:
        return sorted(entries, key=lambda entry: entry.name)


def _gather(root: Path) -> list[tuple[tuple[str, ...], Path, Skip | None]]:
    """Every entry under ``root`` with its path parts; a Skip for what is not a file."""
    found: list[tuple[tuple[str, ...], Path, Skip | None]] = []
    pending: list[tuple[tuple[str, ...], Path]] = [((), root)]
    while pending:
        parts, folder = pending.pop()
        try:
            entries = _listing(folder)
        except OSError as error:
            found.append((parts, folder, Skip(str(folder), _os_reason(error), True)))
            continue
        for entry in entries:
            child, child_parts = folder / entry.name, (*parts, entry.name)
            if entry.is_symlink():
                skip = Skip(str(child), "symbolic link, not followed", False)
                found.append((child_parts, child, skip))
            elif entry.is_dir(follow_symlinks=False):
                pending.append((child_parts, child))
            elif entry.is_file(follow_symlinks=False):
                found.append((child_parts, child, None))
            else:
                found.append((child_parts, child, Skip(str(child), "not a regular file", False)))
    return found


def _folder_export(path: Path, entries: list[os.DirEntry[str]]) -> ExportKind | None:
    kinds = {entry.name: entry for entry in entries if not entry.is_symlink()}
    if "activities.csv" in kinds and kinds["activities.csv"].is_file():
        return ExportKind.STRAVA
    if "DI_CONNECT" in kinds and kinds["DI_CONNECT"].is_dir():
        return ExportKind.GARMIN
    if "export.xml" in kinds and kinds["export.xml"].is_file():
        return ExportKind.APPLE
    if "apple_health_export" in kinds and kinds["apple_health_export"].is_dir():
        try:
            mode = os.lstat(path / "apple_health_export" / "export.xml").st_mode
        except OSError:
            return None
        return ExportKind.APPLE if stat.S_ISREG(mode) else None
    return None


def _zip_export(shown: str, names: list[str]) -> _Place:
    """The export a zip holds, at its root or in its single top-level folder."""
    kind = _export_kind(set(names), "")
    if kind is not None:
        return _Place(shown, kind)
    # A zip made by the macOS Finder adds a __MACOSX/ tree beside the real top folder.
    names = [name for name in names if not name.startswith("__MACOSX/")]
    tops = {name.split("/", 1)[0] for name in names}
    if len(tops) == 1:
        top = tops.pop()
        if top and all(name.startswith(top + "/") for name in names):
            kind = _export_kind(set(names), top + "/")
            if kind is not None:
                return _Place(f"{shown}!{_printable(top)}", kind, strip=top + "/")
    return _NOWHERE


def _export_kind(names: set[str], prefix: str) -> ExportKind | None:
    if prefix + "activities.csv" in names:
        return ExportKind.STRAVA
    if any(name.startswith(prefix + "DI_CONNECT/") for name in names):
        return ExportKind.GARMIN
    if names & {prefix + "export.xml", prefix + "apple_health_export/export.xml"}:
        return ExportKind.APPLE
    return None


def _is_index(kind: ExportKind | None, inner: str) -> bool:
    """The files a consumer needs before the rest: they say which activity file is which."""
    if kind is ExportKind.STRAVA:
        return inner == "activities.csv"
    if kind is ExportKind.GARMIN:
        return "!" not in inner and inner.endswith("_summarizedActivities.json")
    if kind is ExportKind.APPLE:
        return inner in ("export.xml", "apple_health_export/export.xml")
    return False


def _passed_over(path: str, inner: str, kind: ExportKind | None) -> str | None:
    """Why a file is deliberately not imported, judged by its path alone; None if it may be."""
    parts = re.split(r"[/\\]", path)
    name = parts[-1]
    if name in _SYSTEM_FILES or name.startswith("._") or "__MACOSX" in parts:
        return "operating-system metadata, not an activity"
    suffix = name.rpartition(".")[2].lower() if "." in name else ""
    if suffix in _MEDIA:
        return "photo or video, not an activity"
    if suffix in _DOCUMENTS:
        return "not an activity file"
    if kind is ExportKind.STRAVA:
        if inner.startswith("routes/"):
            return "planned route, not an activity"
        if "/" not in inner and inner != "activities.csv" and inner.lower().endswith(".csv"):
            return "Strava export table other than activities.csv"
    if kind is ExportKind.APPLE:
        within = inner.removeprefix("apple_health_export/")
        if within == "export_cda.xml":
            return "clinical records (export_cda.xml is not well-formed XML): not imported"
        if within.startswith("workout-routes/"):
            return "workout route: positions only, the workout itself comes from export.xml"
    return None


def _named_like_activity(name: str) -> bool:
    return _ACTIVITY_NAME.fullmatch(name) is not None


def _base_name(name: str) -> str:
    return re.split(r"[/\\]", name.rstrip("/"))[-1]


def _parts(name: str) -> tuple[str, ...]:
    return tuple(name.split("/"))


def _printable(name: str) -> str:
    """A member name safe to print: control and bidi characters escaped, the rest as is."""
    if name.isprintable():  # nearly always: no character to look at one by one
        return name
    return "".join(
        char if char.isprintable() else char.encode("unicode_escape").decode("ascii")
        for char in name
    )


def _os_reason(error: OSError) -> str:
    if isinstance(error, FileNotFoundError):
        return "no such file or directory"
    if isinstance(error, PermissionError):
        return "permission denied"
    return f"cannot read: {error.strerror or error}"
