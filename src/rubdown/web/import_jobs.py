"""Imports that run in the background, so the Import page can show how far along they are.

In server mode (many processes, any of which may answer) the jobs are not here: they are
rows in the database, done by ``rubdown worker`` (``services.import_queue``), and
``QueuedJobs`` answers for them with the same views, for the logged-in runner's jobs only.
What follows is local mode's: one process, one runner.

``POST /api/import/jobs`` saves the uploads under random names (``web.uploads``) and hands
them to a job here; a thread runs the same ``import_paths`` as ``rubdown import``, whose
progress callback counts the files done, and ``GET /api/import/jobs/{id}`` reads how far it
got. The jobs live in the server's memory (``app.state``), not in the database: ``rubdown
serve`` is one process for one runner, and a job is only worth knowing about while someone
watches it. What an import stored stays stored either way (the service commits per file).

Rules that keep it safe and bounded:

- Imports run one at a time in the whole process (``IMPORT_SLOT``), background jobs and
  ``POST /api/import`` alike; a second one waits for the first (a job in phase
  ``waiting``). An import holds the bounded memory of one file at a time (the importer
  streams), so however many uploads arrive together, the server's import memory is that of
  one file; and two imports of the same export at once would race to store the same files.
- At most ``MAX_ACTIVE`` jobs may be running or waiting; one more is refused (``JobsBusy``),
  because each holds its uploads on disk.
- A finished job is forgotten after ``KEEP_FINISHED_S``, and only the newest
  ``MAX_FINISHED`` are kept at all.
- The uploaded files are removed when the job ends, whatever happens, and before the job
  says it is done: a client that sees ``done`` or ``failed`` sees a clean disk.
- An error ends the job as ``failed`` with one line for the runner; a traceback goes to the
  server log only.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from starlette.datastructures import State

from rubdown.bootstrap import Settings, build_app
from rubdown.errors import ImportsBusy, NotFound, RubdownError
from rubdown.services import import_queue, views
from rubdown.services.importing import FileReport, ImportReport, count_files, import_paths
from rubdown.services.runner import Runner
from rubdown.web.deps import AppDep, shared_services
from rubdown.web.uploads import Saved, Upload, client_names, queued, with_client_names

log = logging.getLogger("rubdown.web.import")

MAX_ACTIVE = 3
MAX_FINISHED = 20
KEEP_FINISHED_S = 30 * 60.0
UNEXPECTED = "the import stopped on an unexpected error; the server log has details"

# Held by whichever import is running in this process (see the module's rules).
IMPORT_SLOT = threading.Lock()


JobsBusy = ImportsBusy  # refused alike in either mode: 429


@dataclass
class ImportJob:
    """One background import; changed by its thread, read by requests, under the registry's
    lock. Times are ``time.monotonic`` seconds: for ages and rates, never shown as dates."""

    id: str
    uploaded_files: int
    salvage: bool
    created_s: float
    state: str = "running"  # running, done, failed
    phase: str = "waiting"  # waiting, counting, importing, done
    files_done: int = 0
    files_total: int | None = None  # None until counted, or when counting failed
    current_file: str | None = None  # the client's name of the last file reported
    importing_since_s: float | None = None
    finished_s: float | None = None
    report: ImportReport | None = None  # in the client's names
    report_json: views.ImportView | None = None  # the same JSON as POST /api/import
    error: str | None = None

    def view(self, now_s: float) -> dict[str, Any]:
        """What ``GET /api/import/jobs/{id}`` answers."""
        end_s = self.finished_s if self.finished_s is not None else now_s
        rate = None
        if self.importing_since_s is not None and self.files_done:
            spent_s = end_s - self.importing_since_s
            rate = round(self.files_done / spent_s, 2) if spent_s > 0 else None
        phase = self.phase
        if phase == "importing" and self.files_total and self.files_done >= self.files_total:
            phase = "finishing"  # every file read; loads are being worked out again
        return {
            "id": self.id,
            "state": self.state,
            "phase": phase,
            "salvage": self.salvage,
            "uploaded_files": self.uploaded_files,
            "files_done": self.files_done,
            "files_total": self.files_total,
            "current_file": self.current_file,
            "elapsed_s": round(end_s - self.created_s, 2),
            "rate_files_per_s": rate,
            "report": self.report_json,
            "error": self.error,
        }


class ImportJobs:
    """The jobs of one server process."""

    def __init__(
        self,
        open_app: Callable[[], Runner],
        *,
        clock: Callable[[], float] = time.monotonic,
        max_active: int = MAX_ACTIVE,
        max_finished: int = MAX_FINISHED,
        keep_finished_s: float = KEEP_FINISHED_S,
    ) -> None:
        self._open_app = open_app
        self._clock = clock
        self.max_active = max_active
        self.max_finished = max_finished
        self.keep_finished_s = keep_finished_s
        self._lock = threading.Lock()  # guards _jobs and every job's fields
        self._one_import = IMPORT_SLOT  # held by the import that is running
        self._jobs: dict[str, ImportJob] = {}
        self._threads: dict[str, threading.Thread] = {}

    # -- asking ------------------------------------------------------------------------------

    def check_room(self) -> None:
        """Refuse early, before the uploads are copied, when no job may start now."""
        with self._lock:
            self._check_room()

    def view(self, job_id: str) -> dict[str, Any]:
        with self._lock:
            self._forget_old()
            return self._find(job_id).view(self._clock())

    def snapshot(self, job_id: str) -> ImportJob:
        """A copy of the job, safe to read while its thread goes on."""
        with self._lock:
            self._forget_old()
            return replace(self._find(job_id))

    def known(self) -> list[str]:
        with self._lock:
            self._forget_old()
            return list(self._jobs)

    def wait(self, job_id: str, timeout_s: float | None = None) -> bool:
        """Wait for a job's thread to end (tests, shutdown); True when it has."""
        with self._lock:
            thread = self._threads.get(job_id)
        if thread is None:
            return True
        thread.join(timeout_s)
        return not thread.is_alive()

    # -- starting ----------------------------------------------------------------------------

    def start(self, saved: Sequence[Saved], *, salvage: bool, uploads: ExitStack) -> ImportJob:
        """Start importing ``saved``; the job takes over ``uploads`` (what removes them) only
        once it is sure to start, so on a refusal the caller's ``with`` still removes them."""
        with self._lock:
            self._forget_old()
            self._check_room()
            job = ImportJob(_new_id(self._jobs), len(saved), salvage, self._clock())
            self._jobs[job.id] = job
            cleanup = uploads.pop_all()
            thread = threading.Thread(
                target=self._run,
                args=(job, [s.path for s in saved], list(saved), cleanup),
                name=f"rubdown-import-{job.id}",
                daemon=True,
            )
            self._threads[job.id] = thread
            copy = replace(job)
        try:
            thread.start()
        except RuntimeError:  # no thread to be had: nothing will run, so nothing may linger
            cleanup.close()
            self._finish(job, None, UNEXPECTED)
            raise
        return copy

    # -- the job's thread --------------------------------------------------------------------

    def _run(
        self, job: ImportJob, paths: list[Path], saved: list[Saved], cleanup: ExitStack
    ) -> None:
        report: ImportReport | None = None
        error: str | None = None
        try:
            report = self._import(job, paths, saved)
        except RubdownError as problem:
            log.warning("import job %s failed: %s", job.id, problem)
            error = _one_line(str(problem)) or UNEXPECTED
        except Exception:
            log.exception("import job %s failed", job.id)
            error = UNEXPECTED
        finally:
            try:
                cleanup.close()
            except OSError:
                log.exception("import job %s could not remove its uploads", job.id)
            self._finish(job, report, error)

    def _import(self, job: ImportJob, paths: list[Path], saved: list[Saved]) -> ImportReport:
        rename = client_names(saved)
        with self._one_import:
            self._set(job, phase="counting")
            total = _count(paths)
            self._set(job, phase="importing", files_total=total, importing_since_s=self._clock())

            def advance(line: FileReport) -> None:
                with self._lock:
                    job.files_done += 1
                    job.current_file = rename(line.path)
                    if job.files_total is not None and job.files_done > job.files_total:
                        job.files_total = job.files_done  # the count was short: never past 100 %

            app = self._open_app()
            try:
                report = import_paths(app, paths, salvage=job.salvage, progress=advance)
            finally:
                app.close()
        return with_client_names(report, saved)

    def _set(self, job: ImportJob, **changes: Any) -> None:
        with self._lock:
            for name, value in changes.items():
                setattr(job, name, value)

    def _finish(self, job: ImportJob, report: ImportReport | None, error: str | None) -> None:
        report_json = views.import_view(report) if report is not None else None
        with self._lock:
            job.state = "done" if error is None else "failed"
            job.phase = "done"
            job.report = report
            job.report_json = report_json
            job.error = error
            job.finished_s = self._clock()
            self._threads.pop(job.id, None)

    # -- bookkeeping (under the lock) --------------------------------------------------------

    def _find(self, job_id: str) -> ImportJob:
        job = self._jobs.get(job_id)
        if job is None:
            raise NotFound(f"no import job {job_id!r} (finished jobs are forgotten after a while)")
        return job

    def _check_room(self) -> None:
        active = sum(1 for job in self._jobs.values() if job.state == "running")
        if active >= self.max_active:
            raise JobsBusy(
                f"{active} imports are already running or waiting; try again when one is done"
            )

    def _forget_old(self) -> None:
        now = self._clock()
        finished = sorted(
            (job for job in self._jobs.values() if job.finished_s is not None),
            key=lambda job: job.finished_s or 0.0,
        )
        too_many = len(finished) - self.max_finished
        for index, job in enumerate(finished):
            assert job.finished_s is not None
            if index < too_many or now - job.finished_s > self.keep_finished_s:
                del self._jobs[job.id]


def _new_id(taken: dict[str, ImportJob]) -> str:
    while True:
        job_id = secrets.token_hex(8)
        if job_id not in taken:
            return job_id


def _count(paths: list[Path]) -> int | None:
    """How many files the import will report on; None when the walk cannot tell in advance
    (the import then reports the same problem per file)."""
    try:
        return count_files(paths)
    except (RubdownError, OSError, ValueError) as problem:
        log.info("could not count the files to import: %s", problem)
        return None


def _one_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


# -- one registry per server -------------------------------------------------------------------

_CREATING = threading.Lock()


def jobs_in(state: State) -> ImportJobs:
    """The server's registry, made on first use from the settings ``create_app`` stored."""
    with _CREATING:
        jobs: ImportJobs | None = getattr(state, "import_jobs", None)
        if jobs is None:
            settings: Settings = state.settings
            jobs = ImportJobs(lambda: build_app(settings))
            state.import_jobs = jobs
        return jobs


class QueuedJobs:
    """Server mode: one runner's import jobs in the database, answered as local jobs are."""

    def __init__(
        self,
        queue: import_queue.ImportQueue,
        owner_id: str,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        self.queue = queue
        self.owner_id = owner_id
        self._clock = clock  # the real one: a job's times are never the pinned "today"

    def check_room(self) -> None:
        """Nothing to check before the uploads are read: the room is counted as the job is
        stored, under a lock, which a check here could not be."""

    def submit(self, uploads: Sequence[Upload], *, salvage: bool) -> str:
        return import_queue.start_job(
            self.queue, self.owner_id, queued(uploads), salvage=salvage, now=self._clock()
        )

    def view(self, job_id: str) -> dict[str, Any]:
        return import_queue.job_view(self.queue, self.owner_id, job_id, self._clock())

    def snapshot(self, job_id: str) -> ImportJob:
        """The job as the Import page shows it."""
        view = self.view(job_id)
        stored = view["report"]
        return ImportJob(
            id=view["id"],
            uploaded_files=view["uploaded_files"],
            salvage=view["salvage"],
            created_s=0.0,
            state=view["state"],
            phase=view["phase"],
            files_done=view["files_done"],
            files_total=view["files_total"],
            current_file=view["current_file"],
            report=import_queue.report_from_view(stored) if stored is not None else None,
            report_json=stored,
            error=view["error"],
        )


def server_jobs(request: Request, app: AppDep) -> ImportJobs | QueuedJobs:
    """Local mode: this process's jobs. Server mode: the logged-in runner's, in the
    database (``app`` is theirs; an account without runner data was answered 404)."""
    state = request.app.state
    settings: Settings = state.settings
    if not settings.server:
        return jobs_in(state)
    return QueuedJobs(shared_services(state).import_queue(), app.owner_id)


JobsDep = Annotated[ImportJobs | QueuedJobs, Depends(server_jobs)]
