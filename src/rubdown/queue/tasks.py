"""The queue's one task, ``rubdown.import``: do an import job (``services.import_queue``).

A job names only its id; what to import is in the job's row and uploads. The task finds
what it needs (the job port, a way to open the owner's ``Runner``) in the worker's context,
put there by ``queue.worker``; the web processes only defer jobs, and never open a pool of
their own for it: a job is deferred on the connection of the transaction that stores it.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import procrastinate

from rubdown.services import import_queue
from rubdown.services.runner import Runner

log = logging.getLogger("rubdown.worker")

IMPORT_TASK = "rubdown.import"
QUEUE = "imports"
CONTEXT_KEY = "rubdown"
# A job whose attempt failed on the database (it was away, say) is tried again a few
# times, a while apart; a job whose worker died is tried again by ``queue.worker``.
RETRY = procrastinate.RetryStrategy(max_attempts=5, wait=10)
GAVE_UP = "the import could not be done (the database was away); upload the files again"


@dataclass(frozen=True)
class WorkerContext:
    """What a job needs from the worker that runs it."""

    jobs: import_queue.ImportQueue
    open_runner: Callable[[str], Runner]
    clock: Callable[[], dt.datetime]
    decoders: int | None = None  # decoder processes per import; None: one per core


def make_app(connector: procrastinate.BaseConnector) -> procrastinate.App:
    app = procrastinate.App(connector=connector)

    @app.task(name=IMPORT_TASK, queue=QUEUE, pass_context=True, retry=RETRY)
    def do_import(context: procrastinate.JobContext, job_id: str) -> None:
        worker: WorkerContext = context.additional_context[CONTEXT_KEY]
        try:
            import_queue.run_job(
                worker.jobs,
                job_id,
                worker.open_runner,
                clock=worker.clock,
                workers=worker.decoders,
            )
        except Exception:
            if context.job.attempts >= (RETRY.max_attempts or 0):
                _give_up(worker, job_id)
            raise

    return app


def _give_up(worker: WorkerContext, job_id: str) -> None:
    """The queue's last attempt failed too: the job ends as failed, if the database lets
    its end be written, so the runner is not left watching it run forever."""
    try:
        worker.jobs.finish(job_id, report=None, error=GAVE_UP, now=worker.clock())
    except Exception:  # the database is still away: the job stays as it was
        log.exception("import job %s could not be marked failed", job_id)


def deferring_app() -> procrastinate.App:
    """An app that only defers, on a connection it is given: never opened."""
    return make_app(procrastinate.SyncPsycopgConnector())


def defer_import(app: procrastinate.App, job_id: str, connection: Any) -> None:
    """Queue the job on ``connection`` (a psycopg connection in a transaction): it is
    queued when, and only when, that transaction commits."""
    app.tasks[IMPORT_TASK].configure(connection=connection).defer(job_id=job_id)
