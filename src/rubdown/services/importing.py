"""``rubdown import``: a runner's files and exports in, activities and wellness days stored.

The walk (files, folders, zips, exports) runs here; decoding runs on every core through
``import_worker``; storing runs here again, one transaction per file, in the order the files
were found. A file seen before (same content) is not decoded again. After the files, loads
and hard days are recomputed for the whole history from the stored load bases.
"""

from __future__ import annotations

import concurrent.futures as futures
import multiprocessing
import os
from collections import Counter, deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from rubdown.domain.activity import Parsed
from rubdown.domain.model import Race, Workout
from rubdown.errors import FileFormatError
from rubdown.importers import apple_health, strava
from rubdown.importers.archive import Limits
from rubdown.importers.base import Format, ImportProblem, Member
from rubdown.importers.walk import ExportKind, Skip, walk
from rubdown.services.calendar_io import import_calendar_bytes
from rubdown.services.context import App
from rubdown.services.import_worker import Job, JobResult, result_from_parsed, run_job
from rubdown.services.loads import refresh_loads
from rubdown.store.activity_rows import IncomingFile
from rubdown.store.raw import RawFiles, content_hash

# Below this many files the pool's start-up (a second Python with NumPy) is not worth it.
POOL_AFTER_FILES = 16
SEEN_STATUSES = frozenset({"imported", "duplicate", "partial", "skipped"})


@dataclass(frozen=True)
class FileReport:
    path: str
    format: str
    status: str  # imported, duplicate, skipped, failed, partial
    activities: int = 0
    records: int = 0
    error: str | None = None


@dataclass
class ImportReport:
    files: list[FileReport] = field(default_factory=list)
    races: list[Race] = field(default_factory=list)  # added from calendars
    workouts: list[Workout] = field(default_factory=list)
    calendar_duplicates: int = 0  # calendar events already known

    @property
    def summary(self) -> dict[str, int]:
        counts = Counter(f.status for f in self.files)
        keys = ("imported", "duplicate", "skipped", "failed", "partial")
        return {key: counts.get(key, 0) for key in keys}

    @property
    def failed(self) -> bool:
        return any(f.status == "failed" for f in self.files)

    def by_format(self) -> dict[str, Counter[str]]:
        table: dict[str, Counter[str]] = {}
        for f in self.files:
            table.setdefault(f.format, Counter())[f.status] += 1
        return table


Progress = Callable[[FileReport], None]


def count_files(paths: Sequence[Path], limits: Limits | None = None) -> int:
    """How many files the import will report on: for a progress bar with an end."""
    with walk(paths, limits or Limits()) as items:
        return sum(1 for _ in items)


def import_paths(
    app: App,
    paths: Sequence[Path],
    *,
    salvage: bool = False,
    progress: Progress | None = None,
    limits: Limits | None = None,
    workers: int | None = None,
) -> ImportReport:
    limits = limits or Limits()
    raw_root = app.raw_root
    report = ImportReport()
    timezone = app.profile().timezone
    indexes: dict[str, strava.StravaIndex] = {}

    def done(line: FileReport) -> None:
        report.files.append(line)
        if progress is not None:
            progress(line)

    known = app.store.file_statuses(app.owner_id)
    changed = False

    def store(result: JobResult, place: Place) -> FileReport:
        nonlocal changed
        line = store_result(app, place.enrich(result), place, first_time=result.sha256 not in known)
        known[result.sha256] = line.status
        changed = changed or line.status in ("imported", "partial") or bool(result.activities)
        return line

    with walk(paths, limits) as items, _Runner(workers) as runner:

        def finish(result: JobResult, place: Place) -> None:
            done(store(result, place))

        for item in items:
            if isinstance(item, Skip):
                done(
                    FileReport(
                        item.shown,
                        "unknown",
                        "failed" if item.failed else "skipped",
                        error=item.reason,
                    )
                )
                continue
            kind = items.exports.get(item.container)
            place = Place(kind.value if kind else "", item.container, item.inner)
            try:
                raw_or_none = _read_small(item, kind)
            except ImportProblem as problem:
                done(FileReport(item.shown, "unknown", "failed", error=str(problem)))
                continue
            if raw_or_none is None:  # an Apple export.xml: streamed, never read whole
                for result in runner.drain():
                    finish(*result)
                done(store(_import_apple(item, raw_root, salvage, timezone), place))
                continue
            raw = raw_or_none
            sha = content_hash(raw)
            if known.get(sha) in SEEN_STATUSES:
                done(FileReport(item.shown, _format_hint(item.name), "duplicate"))
                continue
            if item.name.lower().endswith((".ics", ".ical")) or raw.startswith(b"BEGIN:VCALENDAR"):
                for result in runner.drain():
                    finish(*result)
                done(_import_calendar(app, report, item.shown, raw))
                continue
            if kind is ExportKind.STRAVA and item.inner == "activities.csv":
                for result in runner.drain():
                    finish(*result)
                index = strava.parse_activities_csv(raw)
                indexes[item.container] = index
                RawFiles(raw_root).put(raw, sha)
                done(store(_strava_manual(item.shown, sha, index, timezone), place))
                continue
            job = Job(item.shown, item.name, item.inner, raw, salvage, timezone, raw_root, limits)
            row = indexes.get(item.container, strava.StravaIndex()).for_file(item.inner)
            for result in runner.submit(job, replace(place, row=row)):
                finish(*result)
        for result in runner.drain():
            finish(*result)
    if changed:
        refresh_loads(app)
    return report


def _read_small(member: Member, kind: ExportKind | None) -> bytes | None:
    """The member's bytes, or None for an Apple Health export.xml, which can be gigabytes."""
    if kind is ExportKind.APPLE and member.name == "export.xml":
        return None
    try:
        return member.read()
    except OSError as error:
        raise ImportProblem(f"cannot read: {error.strerror or error}") from None


def _format_hint(name: str) -> str:
    lower = name.lower().removesuffix(".gz")
    for kind in (Format.FIT, Format.GPX, Format.TCX):
        if lower.endswith("." + kind.value):
            return kind.value
    return Format.UNKNOWN.value


@dataclass(frozen=True)
class Place:
    """Where a file sits: which export, its root, its path inside, and its Strava CSV row."""

    export: str = ""
    container: str = ""
    inner: str = ""
    row: strava.StravaRow | None = None

    def enrich(self, result: JobResult) -> JobResult:
        """What Strava's activities.csv adds to the activity decoded from a file it lists."""
        if self.row is None or not result.activities:
            return result
        row = self.row
        items = [
            replace(item, activity=strava.enrich(item.activity, row)) for item in result.activities
        ]
        return replace(result, activities=items)


def _strava_manual(shown: str, sha: str, index: strava.StravaIndex, timezone: str) -> JobResult:
    """Activities typed into Strava by hand exist only as rows of activities.csv."""
    manual = tuple(row.to_activity() for row in index.rows if not row.filename)
    problem = "; ".join(index.problems[:3]) or None
    parsed = Parsed(activities=manual, records=0, skipped="no manual activities")
    result = result_from_parsed(shown, sha, Format.STRAVA_CSV, parsed, timezone)
    if problem:
        result.error = problem
    return result


def _import_apple(member: Member, raw_root: Path, salvage: bool, timezone: str) -> JobResult:
    stored = RawFiles(raw_root).put_stream(member.opener)
    with RawFiles(raw_root).path_for(stored).open("rb") as stream:
        parsed = apple_health.parse_export(stream, salvage=salvage)
    return result_from_parsed(member.shown, stored, Format.APPLE_HEALTH, parsed, timezone)


def _import_calendar(app: App, report: ImportReport, shown: str, raw: bytes) -> FileReport:
    try:
        calendar = import_calendar_bytes(app, shown, raw)
    except FileFormatError as problem:
        message = str(problem).removeprefix(f"{shown}: ")
        return FileReport(shown, Format.ICS.value, "failed", error=message)
    report.races += calendar.races
    report.workouts += calendar.workouts
    report.calendar_duplicates += calendar.duplicates
    added = len(calendar.races) + len(calendar.workouts)
    status = "imported" if added else "duplicate"
    return FileReport(shown, Format.ICS.value, status, added)


def store_result(
    app: App, result: JobResult, place: Place, *, first_time: bool = False
) -> FileReport:
    incoming = IncomingFile(
        sha256=result.sha256,
        format=result.format,
        shown=result.shown,
        status=result.status,
        records=result.records,
        error=result.error,
        activities=result.activities,
        wellness=result.wellness,
        export=place.export,
        container=place.container,
        inner=place.inner,
    )
    outcome = app.store.record_file(app.owner_id, incoming, first_time=first_time)
    status = result.status
    if status == "imported" and result.activities and not outcome.added:
        status = "duplicate"
    return FileReport(
        result.shown, result.format, status, len(outcome.added), result.records, result.error
    )


Pending = tuple[JobResult, Place]


class _Runner:
    """Runs jobs in file order: in this process for a few files, on a pool for many.

    At most a few jobs are in flight at once, so memory stays bounded however large the
    archive is.
    """

    def __init__(self, workers: int | None) -> None:
        self._workers = workers if workers is not None else min(2, os.cpu_count() or 1)
        self._pool: futures.ProcessPoolExecutor | None = None
        self._queue: deque[tuple[futures.Future[JobResult], Place]]
        self._queue = deque()
        self._seen = 0

    def __enter__(self) -> _Runner:
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def submit(self, job: Job, place: Place) -> Iterator[Pending]:
        self._seen += 1
        if self._workers <= 1 or (self._pool is None and self._seen < POOL_AFTER_FILES):
            yield run_job(job), place
            return
        if self._pool is None:
            # "spawn": the parent may hold database connections and a progress thread,
            # which a forked child must not inherit.
            context = multiprocessing.get_context("spawn")
            self._pool = futures.ProcessPoolExecutor(self._workers, mp_context=context)
        self._queue.append((self._pool.submit(run_job, job), place))
        while len(self._queue) > self._workers * 3:
            yield self._pop()

    def drain(self) -> Iterator[Pending]:
        while self._queue:
            yield self._pop()

    def _pop(self) -> Pending:
        future, place = self._queue.popleft()
        return future.result(), place
