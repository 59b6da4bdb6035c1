"""``rubdown import``: a runner's files and exports in, activities and wellness days stored.

The walk (files, folders, zips, exports) runs here; decoding runs on every core through
``import_worker``; storing runs here again, one transaction per file, in the order the files
were found. A file seen before (same content) is not decoded again. After the files, loads
and hard days are recomputed for the whole history from the stored load bases.

Every file is its own outcome: a file that cannot be stored (a date outside the years
rubdown accepts, a database refusal, a bug) is one failed line, its transaction rolled
back, and the files after it are still imported.
"""

from __future__ import annotations

import concurrent.futures as futures
import contextlib
import multiprocessing
import os
import signal
import threading
from collections import Counter, deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from multiprocessing import forkserver
from pathlib import Path
from typing import TYPE_CHECKING

from rubdown.domain.activity import Parsed
from rubdown.domain.model import Race, Workout
from rubdown.domain.names import printable
from rubdown.domain.records import FileOutcome, FileStatus, IncomingFile
from rubdown.errors import FileFormatError, RubdownError
from rubdown.importers import apple_health, caps, strava
from rubdown.importers.archive import Limits
from rubdown.importers.base import Format, ImportProblem, Member
from rubdown.importers.registry import MAX_WHOLE_BYTES
from rubdown.importers.sniff import read_capped
from rubdown.importers.walk import ExportKind, Skip, walk
from rubdown.keeping.raw import RawFiles, Spooled
from rubdown.services.import_worker import (
    Job,
    result_from_parsed,
    run_job,
    run_jobs,
    watch_parent,
)
from rubdown.services.loads import repair_loads
from rubdown.services.runner import Runner

if TYPE_CHECKING:
    from rubdown.calendar import SkippedEvent

# Below this many files the pool's start-up (a second Python with NumPy) is not worth it.
POOL_AFTER_FILES = 16
# A file up to this size travels to the decoder in its job; a larger one is kept first and
# read from the store, so the jobs in flight hold a few MiB at most.
JOB_DATA_BYTES = 1 << 20
SEEN_STATUSES = frozenset(
    {FileStatus.IMPORTED, FileStatus.DUPLICATE, FileStatus.PARTIAL, FileStatus.SKIPPED}
)


@dataclass(frozen=True)
class FileReport:
    path: str
    format: str
    status: FileStatus
    activities: int = 0
    records: int = 0
    error: str | None = None

    def __post_init__(self) -> None:
        # A name that is not UTF-8 on disk (or an error quoting one) is shown escaped, as
        # the database stores it: printing it as it came would crash the report.
        object.__setattr__(self, "path", printable(self.path))
        if self.error is not None:
            object.__setattr__(self, "error", printable(self.error))


@dataclass
class ImportReport:
    files: list[FileReport] = field(default_factory=list)
    races: list[Race] = field(default_factory=list)  # added from calendars
    workouts: list[Workout] = field(default_factory=list)
    calendar_duplicates: int = 0  # calendar events already known
    # Calendar events not imported, with the file each came from and the reason.
    calendar_skipped: list[tuple[str, SkippedEvent]] = field(default_factory=list)

    @property
    def summary(self) -> dict[str, int]:
        counts = Counter(f.status for f in self.files)
        return {key.value: counts.get(key, 0) for key in REPORTED}

    @property
    def failed(self) -> bool:
        return any(f.status is FileStatus.FAILED for f in self.files)

    def by_format(self) -> dict[str, Counter[str]]:
        table: dict[str, Counter[str]] = {}
        for f in self.files:
            table.setdefault(f.format, Counter())[f.status] += 1
        return table


# The statuses a report counts, in the order it shows them.
REPORTED = (
    FileStatus.IMPORTED,
    FileStatus.DUPLICATE,
    FileStatus.SKIPPED,
    FileStatus.FAILED,
    FileStatus.PARTIAL,
)

Progress = Callable[[FileReport], None]


def count_files(paths: Sequence[Path], limits: Limits | None = None) -> int:
    """How many files the import will report on: for a progress bar with an end."""
    with walk(paths, limits or Limits()) as items:
        return sum(1 for _ in items)


def import_paths(
    app: Runner,
    paths: Sequence[Path],
    *,
    salvage: bool = False,
    progress: Progress | None = None,
    limits: Limits | None = None,
    workers: int | None = None,
) -> ImportReport:
    """Import everything under ``paths``; one line per file in the report, in walk order."""
    session = _Session(app, salvage, progress, limits or Limits())
    with walk(paths, session.limits) as items, _Runner(workers) as runner:
        for item in items:
            if isinstance(item, Skip):
                status = FileStatus.FAILED if item.failed else FileStatus.SKIPPED
                session.done(FileReport(item.shown, "unknown", status, error=item.reason))
            else:
                session.member(item, items.exports.get(item.container), runner)
        session.finish(runner.drain())
        session.flush()
    # Not only when this run stored something: a run killed before its refresh left the
    # mark, and this run (all duplicates now) must still repair the loads.
    repair_loads(app)
    report = session.report
    # The calendar files' names too, as the file lines show them (see FileReport).
    report.calendar_skipped = [
        (printable(shown), event) for shown, event in report.calendar_skipped
    ]
    return report


class _Session:
    """One run of ``import_paths``: what is known, what was found, what was reported."""

    def __init__(
        self, app: Runner, salvage: bool, progress: Progress | None, limits: Limits
    ) -> None:
        self.app = app
        self.salvage = salvage
        self.progress = progress
        self.limits = limits
        self.raw_root = app.raw_root
        self.timezone = app.profile().timezone
        self.report = ImportReport()
        self.known = app.data.file_statuses()  # content hash -> last status
        self.indexes: dict[str, strava.StravaIndex] = {}  # Strava export root -> its CSV
        # Files decoded but not stored yet, in walk order, with the lines found after them
        # (which wait, so that the report keeps the walk's order).
        self._batch: list[Stored | FileReport] = []
        self._files = 0

    def done(self, line: FileReport) -> None:
        if self._batch:
            self._batch.append(line)
        else:
            self._show(line)

    def _show(self, line: FileReport) -> None:
        self.report.files.append(line)
        if self.progress is not None:
            self.progress(line)

    def store(self, result: IncomingFile, place: Place) -> None:
        if place.original is not None and result.format != Format.UNKNOWN.value:
            # Before its rows are stored: no stored activity names an original not kept.
            RawFiles(self.raw_root).keep(place.original, packed=True)
            place = replace(place, original=None)
        first_time = result.sha256 not in self.known
        self._batch.append((place.enrich(result), place, first_time))
        self._files += 1
        if self._files >= STORE_BATCH_FILES:
            self.flush()

    def flush(self) -> None:
        """Store the files decoded so far, and report them and the lines that waited."""
        batch, self._batch, self._files = self._batch, [], 0
        stored = iter(store_results(self.app, [e for e in batch if not isinstance(e, FileReport)]))
        for entry in batch:
            if isinstance(entry, FileReport):
                self._show(entry)
            else:
                line = next(stored)
                self.known[entry[0].sha256] = line.status
                self._show(line)

    def finish(self, results: Iterator[Pending]) -> None:
        for result, place in results:
            self.store(result, place)

    def member(self, item: Member, kind: ExportKind | None, runner: _Runner) -> None:
        # Every file is read once and hashed on the way (a small one in memory, a large one
        # straight into the raw store), and decoded from its kept copy: no large file is held
        # whole in memory, and a duplicate costs one pass over its bytes.
        raw = RawFiles(self.raw_root)
        try:
            spooled = raw.spool(item.opener)
        except (ImportProblem, OSError) as problem:
            self.done(FileReport(item.shown, "unknown", FileStatus.FAILED, error=_reason(problem)))
            return
        try:
            self._spooled(item, kind, spooled, runner)
        except ImportProblem as problem:
            self.done(FileReport(item.shown, "unknown", FileStatus.FAILED, error=_reason(problem)))
        finally:
            raw.discard(spooled)  # nothing left once it is kept

    def _spooled(
        self, item: Member, kind: ExportKind | None, spooled: Spooled, runner: _Runner
    ) -> None:
        raw = RawFiles(self.raw_root)
        place = Place(kind.value if kind else "", item.container, item.inner)
        sha = spooled.sha256
        seen = self.known.get(sha) in SEEN_STATUSES
        if kind is ExportKind.STRAVA and item.inner == "activities.csv":
            # Read even when seen before: it names the export's files that are new.
            csv = _read_small(raw, spooled, "a Strava activities.csv")
            self.indexes[item.container] = strava.parse_activities_csv(csv)
        if seen:
            self.done(FileReport(item.shown, _format_hint(item.name), FileStatus.DUPLICATE))
        elif item.name == "export.xml" and (kind is ExportKind.APPLE or not item.container):
            # Apple Health's export, in its zip or on its own: parsed as a stream from the
            # kept copy, because it can be gigabytes.
            self.finish(runner.drain())
            raw.keep(spooled)
            self.store(_import_apple(item, sha, self.raw_root, self.salvage, self.timezone), place)
        elif item.name.lower().endswith((".ics", ".ical")) or spooled.head.startswith(
            b"BEGIN:VCALENDAR"
        ):
            calendar = _read_small(raw, spooled, "a calendar")
            self.finish(runner.drain())
            self.done(_import_calendar(self.app, self.report, item.shown, calendar))
        elif item.container in self.indexes and item.inner == "activities.csv":
            self.finish(runner.drain())
            raw.keep(spooled)
            index = self.indexes[item.container]
            self.store(_strava_manual(item.shown, sha, index, self.timezone), place)
        else:
            # A small file is decoded from memory and kept (packed) once it proves to be an
            # activity file (``store``): it never goes through the disk on its way to the
            # decoder. A larger one is kept first and read back from the store.
            in_job = spooled.data is not None and spooled.size <= JOB_DATA_BYTES
            index = self.indexes.get(item.container, strava.StravaIndex())
            place = Place(
                place.export,
                place.container,
                place.inner,
                index.for_file(item.inner),
                spooled if in_job else None,
            )
            job = Job(
                item.shown,
                item.name,
                item.inner,
                sha,
                self.salvage,
                self.timezone,
                self.raw_root,
                self.limits,
                fresh=False if in_job else raw.keep(spooled),
                data=spooled.data if in_job else None,
            )
            self.finish(runner.submit(job, place))


def _read_small(raw: RawFiles, spooled: Spooled, what: str) -> bytes:
    """A file only ever read whole (a calendar, Strava's index): refused beyond a bound."""
    with raw.open_spooled(spooled) as stream:
        return read_capped(stream, MAX_WHOLE_BYTES, what)


def _reason(problem: Exception) -> str:
    if isinstance(problem, OSError):
        return f"cannot read: {problem.strerror or problem}"
    return str(problem)


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
    # A small file's bytes, read but not kept yet: kept when its decoding comes back.
    original: Spooled | None = None

    def enrich(self, result: IncomingFile) -> IncomingFile:
        """What Strava's activities.csv adds to the activity decoded from a file it lists."""
        if self.row is None or not result.activities:
            return result
        row = self.row
        items = [
            replace(item, activity=strava.enrich(item.activity, row)) for item in result.activities
        ]
        return replace(result, activities=items)


def _strava_manual(shown: str, sha: str, index: strava.StravaIndex, timezone: str) -> IncomingFile:
    """Activities typed into Strava by hand exist only as rows of activities.csv."""
    manual = tuple(row.to_activity() for row in index.rows if not row.filename)
    problem = "; ".join(index.problems[:3]) or None
    parsed = caps.checked(Parsed(activities=manual, records=0, skipped="no manual activities"))
    result = result_from_parsed(shown, sha, Format.STRAVA_CSV, parsed, timezone)
    return replace(result, error=problem) if problem else result


def _import_apple(
    member: Member, sha: str, raw_root: Path, salvage: bool, timezone: str
) -> IncomingFile:
    with RawFiles(raw_root).open(sha) as stream:
        parsed = caps.checked(apple_health.parse_export(stream, salvage=salvage))
    return result_from_parsed(member.shown, sha, Format.APPLE_HEALTH, parsed, timezone)


def _import_calendar(app: Runner, report: ImportReport, shown: str, raw: bytes) -> FileReport:
    # Loaded here: the calendar libraries cost an import of activity files 0.15 s of CPU.
    from rubdown.services.calendar_io import import_calendar_bytes

    try:
        calendar = import_calendar_bytes(app, shown, raw)
    except FileFormatError as problem:
        message = str(problem).removeprefix(f"{shown}: ")
        return FileReport(shown, Format.ICS.value, FileStatus.FAILED, error=message)
    report.races += calendar.races
    report.workouts += calendar.workouts
    report.calendar_duplicates += calendar.duplicates
    report.calendar_skipped += [(shown, event) for event in calendar.skipped]
    added = len(calendar.races) + len(calendar.workouts)
    status = FileStatus.IMPORTED if added else FileStatus.DUPLICATE
    return FileReport(shown, Format.ICS.value, status, added)


# How many files are stored in one transaction. A transaction per file cost more CPU than
# storing the file; a batch still holds the runner's row only briefly (a few milliseconds a
# file), and a kill still leaves whole files or nothing of them.
STORE_BATCH_FILES = 64

# A decoded file to store: its rows, where it sat, and whether its content is new.
Stored = tuple[IncomingFile, Place, bool]


def store_results(app: Runner, files: Sequence[Stored]) -> list[FileReport]:
    """Store files in one transaction, one line each. When any of them cannot be stored,
    nothing of the batch is, and each is stored again alone (``store_result``), so the one
    that fails costs that file only."""
    if len(files) <= 1:
        return [store_result(app, r, place, first_time=first) for r, place, first in files]
    batch = [(_incoming(result, place), first) for result, place, first in files]
    try:
        outcomes = app.data.record_files(batch)
    except Exception:  # which file it was, and why, comes out one by one
        return [store_result(app, r, place, first_time=first) for r, place, first in files]
    return [
        _stored_line(r, outcome)
        for (r, _place, _first), outcome in zip(files, outcomes, strict=True)
    ]


def _incoming(result: IncomingFile, place: Place) -> IncomingFile:
    return replace(
        result,
        shown=printable(result.shown),
        error=None if result.error is None else printable(result.error),
        export=place.export,
        # Where it sat is stored with it (for reimport), escaped like its name: a folder
        # whose name is not UTF-8 must not fail every file inside it.
        container=printable(place.container),
        inner=printable(place.inner),
    )


def store_result(
    app: Runner, result: IncomingFile, place: Place, *, first_time: bool = False
) -> FileReport:
    """Store one file in its own transaction; whatever goes wrong costs this file only (one
    failed line, nothing of it stored), never the import or reimport it is part of."""
    incoming = _incoming(result, place)
    try:
        outcome = app.data.record_file(incoming, first_time=first_time)
    except RubdownError as problem:
        return FileReport(result.shown, result.format, FileStatus.FAILED, error=str(problem))
    except Exception as error:  # a storing bug must cost one file, never the whole import
        message = f"could not be stored ({type(error).__name__}: {error})"
        return FileReport(result.shown, result.format, FileStatus.FAILED, error=message)
    return _stored_line(result, outcome)


def _stored_line(result: IncomingFile, outcome: FileOutcome) -> FileReport:
    return FileReport(
        result.shown,
        result.format,
        outcome.status,
        len(outcome.added),
        result.records,
        result.error,
    )


Pending = tuple[IncomingFile, Place]


class _Runner:
    """Runs jobs in file order: in this process for a few files, on a pool for many.

    Jobs go to the pool in batches of ``JOBS_PER_TASK``: one task, and one message each way,
    per file cost the import more CPU than the steps around the decode (a future, a pickled
    job and result, a wake-up of three threads), and the batch needs no more memory than its
    files' rows. At most a few batches are in flight at once, so memory stays bounded however
    large the archive is. A worker that dies (the out-of-memory killer, a crash in native
    code) breaks the pool and every batch in it: each job of those batches is run again
    alone, in a pool of its own, so only the job that kills its worker a second time is
    lost, as one failed line; the next jobs go to a new pool.
    Workers end with this process (``import_worker.watch_parent``), even when it is killed.
    """

    def __init__(self, workers: int | None) -> None:
        self._workers = workers if workers is not None else min(2, os.cpu_count() or 1)
        self._pool: futures.ProcessPoolExecutor | None = None
        # Each batch in flight, with the pool that runs it: a pool that broke is made again
        # once, not once for each of its batches.
        self._queue: deque[
            tuple[futures.Future[list[IncomingFile]], list[Job], list[Place], futures.Executor]
        ]
        self._queue = deque()
        self._gathered: list[tuple[Job, Place]] = []  # the batch being filled
        self._seen = 0

    def __enter__(self) -> _Runner:
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._pool is not None:
            _close_pool(self._pool)

    def submit(self, job: Job, place: Place) -> Iterator[Pending]:
        self._seen += 1
        if self._workers <= 1 or (self._pool is None and self._seen < POOL_AFTER_FILES):
            yield run_job(job), place
            return
        self._gathered.append((job, place))
        if len(self._gathered) < JOBS_PER_TASK:
            return
        self._send()
        while len(self._queue) > self._workers * BATCHES_AHEAD:
            yield from self._pop()

    def drain(self) -> Iterator[Pending]:
        self._send()
        while self._queue:
            yield from self._pop()

    def _send(self) -> None:
        if not self._gathered:
            return
        jobs = [job for job, _ in self._gathered]
        places = [place for _, place in self._gathered]
        self._gathered = []
        pool = self._started()
        with _sigint_held():  # a submit may start a worker
            # run_job is looked up here, when the batch is sent, so that a test can swap it.
            future = pool.submit(run_jobs, run_job, jobs)
        self._queue.append((future, jobs, places, pool))

    def _started(self) -> futures.ProcessPoolExecutor:
        if self._pool is None:
            self._pool = _new_pool(self._workers)
        return self._pool

    def _pop(self) -> Iterator[Pending]:
        future, jobs, places, pool = self._queue.popleft()
        try:
            results = future.result()
        except BrokenProcessPool:
            if self._pool is pool:
                self._pool = None  # the next batch starts a new one
            _close_pool(pool)
            results = [self._alone(job) for job in jobs]
        yield from zip(results, places, strict=True)

    @staticmethod
    def _alone(job: Job) -> IncomingFile:
        """Run a job of a broken pool again, alone in a pool of its own: if its worker dies
        again, the job is the one that kills it."""
        pool = _new_pool(1)
        try:
            with _sigint_held():
                future = pool.submit(run_job, job)
            return future.result()
        except BrokenProcessPool:
            if job.fresh:
                RawFiles(job.raw_root).forget(job.sha256)
            return IncomingFile(
                job.shown, job.sha256, "unknown", FileStatus.FAILED, error=WORKER_DIED
            )
        finally:
            _close_pool(pool)


# Files sent to a pool worker in one task, and how many tasks per worker may be in flight.
JOBS_PER_TASK = 8
BATCHES_AHEAD = 2


def _new_pool(workers: int) -> futures.ProcessPoolExecutor:
    global _POOLS_OPEN
    context = _worker_context()
    with _POOLS_LOCK:
        _POOLS_OPEN += 1
    return futures.ProcessPoolExecutor(
        workers, mp_context=context, initializer=watch_parent, initargs=(os.getpid(),)
    )


def _close_pool(pool: futures.Executor) -> None:
    """Shut a pool down; the last one open also stops the fork server and waits for it, so
    its workers' CPU time is counted as this process's children's, as a spawned worker's is
    (and no server outlives an import: a server process starts it again for the next)."""
    global _POOLS_OPEN
    pool.shutdown(wait=True, cancel_futures=True)
    with _POOLS_LOCK:
        _POOLS_OPEN -= 1
        if _POOLS_OPEN == 0:
            stop = getattr(forkserver._forkserver, "_stop", None)  # not public, so looked for
            if stop is not None:
                stop()


# Pools open in this process (a server imports for several runners at once): the fork
# server is stopped only when none is left, since its workers end with it.
_POOLS_OPEN = 0
_POOLS_LOCK = threading.Lock()


# What a worker imports before its first job, once, in the fork server.
_PRELOAD = ["rubdown.services.import_worker", "rubdown.importers.registry"]


def _worker_context() -> multiprocessing.context.BaseContext:
    """How workers start: never by a plain fork of this process, which may hold database
    connections and a progress thread that a child must not inherit.

    Where there is a fork server (Linux, macOS), one clean process imports the decoder once
    and every worker is forked from it: a worker then costs a fork, not a Python starting
    and importing NumPy (about a quarter of a second of CPU each). Elsewhere, "spawn".
    """
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(_PRELOAD)
    return context


@contextlib.contextmanager
def _sigint_held() -> Iterator[None]:
    """Hold a Ctrl-C back while pool workers may be started, and act on it after.

    A terminal's Ctrl-C goes to the whole process group, workers included; a worker ignores
    it (``import_worker.watch_parent``) and leaves the decision to this process. Two gaps
    remain while a worker starts, both closed here: the new worker inherits this thread's
    mask, so a Ctrl-C before its initializer runs stays pending there and is dropped once it
    ignores SIGINT;
    and this process only notes a Ctrl-C until the worker has been handed its start-up data
    (a KeyboardInterrupt half-way through would leave the worker to fail with a traceback
    of its own), then raises it again as it came.
    """
    in_main = threading.current_thread() is threading.main_thread()
    from_python = signal.getsignal(signal.SIGINT) is not None
    if not (in_main and from_python and hasattr(signal, "pthread_sigmask")):
        # Only the main thread handles signals (a server's import has no Ctrl-C), and a
        # handler set outside Python could not be put back.
        yield
        return
    caught: list[int] = []
    handler = signal.signal(signal.SIGINT, lambda number, _frame: caught.append(number))
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, handler)
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)  # one pending here is delivered now
    if caught:
        signal.raise_signal(signal.SIGINT)


WORKER_DIED = "the decoder process died (out of memory?)"
