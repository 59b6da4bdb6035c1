"""Imports as queued jobs, for a server of several processes (``rubdown serve --server`` and
any number of ``rubdown worker``).

Whichever process takes the upload stores it and a job in the database in one transaction,
together with the queue's entry (``ImportQueue.submit``); a worker somewhere takes the job
(``run_job``), imports the files with the same ``import_paths`` as ``rubdown import``, and
writes how far it got into the job's row, which any process reads (``job_view``), for the
job's owner only: someone else's job is not found.

A worker that dies mid-job (killed, its machine gone) leaves the job to the queue, which
gives it to another worker once the dead one's heartbeat is old. Running a job again is
safe: each file is stored in one transaction (never half a file), and a file stored before
is recognised by its content and skipped, so the result is that of one clean import. A job
that has killed its worker ``MAX_ATTEMPTS`` times is failed with one line instead.

The uploads are removed when the job ends, in the transaction that records its end.
"""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from rubdown.calendar import SkippedEvent
from rubdown.domain.model import Priority, Race, Workout, WorkoutKind
from rubdown.domain.records import FileStatus
from rubdown.errors import NotFound, RubdownError
from rubdown.services import views
from rubdown.services.importing import FileReport, ImportReport, count_files, import_paths
from rubdown.services.runner import Runner

log = logging.getLogger("rubdown.import_queue")

# A job tried this many times (each one's worker died) is failed, not tried again.
MAX_ATTEMPTS = 3
UNEXPECTED = "the import stopped on an unexpected error; the worker's log has details"
# A runner may have this many jobs running or waiting; one more is refused (``ImportsBusy``),
# as each holds its uploads in the database until it ends.
MAX_ACTIVE = 3
# A finished job is kept this long for its report, then removed with the runner's next job.
KEEP_FINISHED = dt.timedelta(days=7)
# Progress is written at most this often: a row update per file would cost more than a
# small file's import.
PROGRESS_EVERY_S = 0.5


@dataclass(frozen=True)
class UploadedFile:
    shown: str  # the client's name, shown in the report, never used as a path
    suffix: str  # a known extension kept as a hint for the importer (``.fit.gz``), or ""
    opener: Callable[[], BinaryIO]


@dataclass(frozen=True)
class JobRecord:
    """A job's row; times are UTC."""

    id: str
    owner_id: str
    state: str  # running, done, failed
    phase: str  # waiting, counting, importing, done
    salvage: bool
    uploaded_files: int
    files_done: int
    files_total: int | None
    current_file: str | None
    attempts: int
    report: views.ImportView | None
    error: str | None
    created_at: dt.datetime
    importing_since: dt.datetime | None
    finished_at: dt.datetime | None


@dataclass(frozen=True)
class Progress:
    phase: str
    files_done: int = 0
    files_total: int | None = None
    current_file: str | None = None
    importing_since: dt.datetime | None = None


@dataclass(frozen=True)
class SavedUpload:
    path: Path
    shown: str


class ImportQueue(Protocol):
    """The port: jobs, their uploads and the queue, in the database every process shares."""

    def submit(
        self,
        owner_id: str,
        uploads: Sequence[UploadedFile],
        *,
        salvage: bool,
        now: dt.datetime,
        max_active: int,
        forget_before: dt.datetime,
    ) -> str:
        """Store the uploads and a waiting job, and queue it, in one transaction; its id.
        Raises ``ImportsBusy`` when the owner has ``max_active`` jobs not over; removes the
        owner's jobs that ended before ``forget_before``."""

    def find(self, owner_id: str, job_id: str) -> JobRecord | None:
        """The owner's job; None for another owner's job or none at all."""

    def claim(self, job_id: str) -> JobRecord | None:
        """Start an attempt at a job that is not over: count it, and start its progress
        again. None when the job is over or gone (a retry of a finished job)."""

    def save_uploads(self, job_id: str, folder: Path) -> list[SavedUpload]:
        """Write the job's uploads into ``folder`` under random names."""

    def progress(self, job_id: str, progress: Progress) -> None: ...

    def finish(
        self,
        job_id: str,
        *,
        report: views.ImportView | None,
        error: str | None,
        now: dt.datetime,
    ) -> None:
        """Record the end of a job and remove its uploads, in one transaction."""


def start_job(
    queue: ImportQueue,
    owner_id: str,
    uploads: Sequence[UploadedFile],
    *,
    salvage: bool,
    now: dt.datetime,
) -> str:
    return queue.submit(
        owner_id,
        uploads,
        salvage=salvage,
        now=now,
        max_active=MAX_ACTIVE,
        forget_before=now - KEEP_FINISHED,
    )


def job_view(queue: ImportQueue, owner_id: str, job_id: str, now: dt.datetime) -> dict[str, Any]:
    """What ``GET /api/import/jobs/{id}`` answers, the same shape as a local job's."""
    job = queue.find(owner_id, job_id)
    if job is None:
        raise NotFound(f"no import job {job_id!r}")
    end = job.finished_at or now
    rate = None
    if job.importing_since is not None and job.files_done:
        spent_s = (end - job.importing_since).total_seconds()
        rate = round(job.files_done / spent_s, 2) if spent_s > 0 else None
    phase = job.phase
    if phase == "importing" and job.files_total and job.files_done >= job.files_total:
        phase = "finishing"  # every file read; loads are being worked out again
    return {
        "id": job.id,
        "state": job.state,
        "phase": phase,
        "salvage": job.salvage,
        "uploaded_files": job.uploaded_files,
        "files_done": job.files_done,
        "files_total": job.files_total,
        "current_file": job.current_file,
        "elapsed_s": round(max(0.0, (end - job.created_at).total_seconds()), 2),
        "rate_files_per_s": rate,
        "report": job.report,
        "error": job.error,
    }


def run_job(
    queue: ImportQueue,
    job_id: str,
    open_runner: Callable[[str], Runner],
    *,
    clock: Callable[[], dt.datetime],
    workers: int | None = None,
) -> None:
    """Do one attempt at a job. A database failure on the way propagates, so the queue
    tries the job again; any other failure ends the job as failed, with one line."""
    job = queue.claim(job_id)
    if job is None:
        log.info("import job %s is over already", job_id)
        return
    if job.attempts > MAX_ATTEMPTS:
        given_up = f"the import stopped {MAX_ATTEMPTS} times before it was done; it was given up"
        queue.finish(job_id, report=None, error=given_up, now=clock())
        return
    with tempfile.TemporaryDirectory(prefix="rubdown-job-") as folder:
        saved = queue.save_uploads(job_id, Path(folder))
        report: views.ImportView | None = None
        error: str | None = None
        try:
            report = views.import_view(_import(queue, job, saved, open_runner, clock, workers))
        except _Lost:
            raise
        except RubdownError as problem:
            log.warning("import job %s failed: %s", job_id, problem)
            error = _one_line(str(problem)) or UNEXPECTED
        except Exception:
            log.exception("import job %s failed", job_id)
            error = UNEXPECTED
    queue.finish(job_id, report=report, error=error, now=clock())


class _Lost(Exception):
    """Progress could not be written: the database is away, so the job is left for a retry."""


def _import(
    queue: ImportQueue,
    job: JobRecord,
    saved: list[SavedUpload],
    open_runner: Callable[[str], Runner],
    clock: Callable[[], dt.datetime],
    workers: int | None,
) -> ImportReport:
    paths = [s.path for s in saved]
    rename = client_names(saved)
    queue.progress(job.id, Progress("counting"))
    total = _count(paths)
    started = clock()
    state = Progress("importing", 0, total, None, started)
    queue.progress(job.id, state)
    written_s = time.monotonic()

    def advance(line: FileReport) -> None:
        nonlocal state, written_s
        done = state.files_done + 1
        total = state.files_total
        if total is not None and done > total:
            total = done  # the count was short: never past 100 %
        state = replace(state, files_done=done, files_total=total, current_file=rename(line.path))
        if time.monotonic() - written_s >= PROGRESS_EVERY_S:
            try:
                queue.progress(job.id, state)
            except RubdownError as problem:
                raise _Lost(str(problem)) from problem
            written_s = time.monotonic()

    app = open_runner(job.owner_id)
    try:
        report = import_paths(app, paths, salvage=job.salvage, progress=advance, workers=workers)
    finally:
        app.close()
    queue.progress(job.id, state)
    return with_client_names(report, saved)


def _count(paths: list[Path]) -> int | None:
    try:
        return count_files(paths)
    except (RubdownError, OSError, ValueError) as problem:
        log.info("could not count the files to import: %s", problem)
        return None


def client_names(saved: Sequence[SavedUpload]) -> Callable[[str], str]:
    """A function that gives a temporary path (or ``path!member``) in the client's name."""
    names = {str(s.path): s.shown for s in saved}

    def rename(path: str) -> str:
        head, bang, member = path.partition("!")
        return names.get(head, head) + bang + member

    return rename


def with_client_names(report: ImportReport, saved: Sequence[SavedUpload]) -> ImportReport:
    """The report with each temporary path (and ``path!member``) in the client's name."""
    rename = client_names(saved)
    files = [replace(line, path=rename(line.path)) for line in report.files]
    skipped = [(rename(path), event) for path, event in report.calendar_skipped]
    return replace(report, files=files, calendar_skipped=skipped)


def _one_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def report_from_view(view: views.ImportView) -> ImportReport:
    """A stored job's report (its JSON, as ``POST /api/import`` answers) as the report the
    Import page renders."""
    files = [
        FileReport(
            line["path"],
            line["format"],
            FileStatus(line["status"]),
            line["activities"],
            line["records"],
            line["error"],
        )
        for line in view["files"]
    ]
    races = [
        Race(
            r["name"],
            dt.date.fromisoformat(r["date"]),
            Priority(r["priority"]),
            r["distance_km"],
            dt.time.fromisoformat(r["start_time"]) if r["start_time"] else None,
            r["id"],
        )
        for r in view["races"]
    ]
    workouts = [
        Workout(
            dt.date.fromisoformat(w["date"]),
            WorkoutKind(w["kind"]),
            w["duration_min"],
            w["id"],
            w["source"],
            w["pattern_id"] or "",
        )
        for w in view["workouts"]
    ]
    skipped = [
        (
            s["file"],
            SkippedEvent(
                s["event"], dt.date.fromisoformat(s["date"]) if s["date"] else None, s["reason"]
            ),
        )
        for s in view["skipped_events"]
    ]
    return ImportReport(files, races, workouts, view["duplicates"], skipped)
