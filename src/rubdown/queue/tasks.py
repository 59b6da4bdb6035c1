"""The queue's one task, ``rubdown.import``: do an import job (``services.import_queue``).

A job names only its id; what to import is in the job's row and uploads. The task finds
what it needs (the job port, a way to open the owner's ``Runner``) in the worker's context,
put there by ``queue.worker``; the web processes only defer jobs, and never open a pool of
their own for it: a job is deferred on the connection of the transaction that stores it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import procrastinate

from rubdown.services import import_queue
from rubdown.services.runner import Runner

IMPORT_TASK = "rubdown.import"
QUEUE = "imports"
CONTEXT_KEY = "rubdown"
# A job whose attempt failed on the database (it was away, say) is tried again a few
# times, a while apart; a job whose worker died is tried again by ``queue.worker``.
RETRY = procrastinate.RetryStrategy(max_attempts=5, wait=10)


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
        import_queue.run_job(
            worker.jobs,
            job_id,
            worker.open_runner,
            clock=worker.clock,
            workers=worker.decoders,
        )

    return app


def deferring_app() -> procrastinate.App:
    """An app that only defers, on a connection it is given: never opened."""
    return make_app(procrastinate.SyncPsycopgConnector())


def defer_import(app: procrastinate.App, job_id: str, connection: Any) -> None:
    """Queue the job on ``connection`` (a psycopg connection in a transaction): it is
    queued when, and only when, that transaction commits."""
    app.tasks[IMPORT_TASK].configure(connection=connection).defer(job_id=job_id)
