"""The queue's import task: a failure on the database is left to the queue to try again,
and when its last attempt fails too, the job is ended as failed with one line, so the runner
never watches it run forever."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest

from rubdown.errors import StoreError
from rubdown.queue.tasks import (
    CONTEXT_KEY,
    GAVE_UP,
    IMPORT_TASK,
    RETRY,
    WorkerContext,
    deferring_app,
)

NOW = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)


@dataclass
class AwayJobs:
    """The job port with the database away for claims, but back for ``finish``."""

    finished: list[tuple[str, str | None]] = field(default_factory=list)

    def claim(self, job_id: str) -> None:
        raise StoreError("cannot start the import job: connection refused")

    def finish(self, job_id: str, *, report: Any, error: str | None, now: Any) -> None:
        self.finished.append((job_id, error))


@dataclass
class FakeJob:
    attempts: int


@dataclass
class FakeContext:
    job: FakeJob
    additional_context: dict[str, Any]


def _run_task(jobs: AwayJobs, attempts: int) -> None:
    task = deferring_app().tasks[IMPORT_TASK]
    worker = WorkerContext(jobs=jobs, open_runner=lambda _owner: None, clock=lambda: NOW)  # type: ignore[arg-type,return-value]
    context = FakeContext(FakeJob(attempts), {CONTEXT_KEY: worker})
    task.func(context, job_id="j1")


def test_a_failed_attempt_is_left_to_the_queue_to_try_again() -> None:
    jobs = AwayJobs()
    with pytest.raises(StoreError):
        _run_task(jobs, attempts=0)
    assert jobs.finished == []


def test_the_last_failed_attempt_ends_the_job_as_failed() -> None:
    jobs = AwayJobs()
    with pytest.raises(StoreError):
        _run_task(jobs, attempts=RETRY.max_attempts or 0)
    assert jobs.finished == [("j1", GAVE_UP)]
