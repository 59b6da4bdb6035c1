"""The worker's recovery of jobs whose worker died (``queue.worker.retry_stalled``): each
stalled import job goes back to the queue; one another worker took back first, or a
database that cannot be asked, costs a log line, never the worker."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from procrastinate.exceptions import ConnectorException
from tests.support.run_async import run_async

from rubdown.queue.tasks import IMPORT_TASK
from rubdown.queue.worker import retry_stalled


class FakeJob:
    def __init__(self, job_id: int) -> None:
        self.id = job_id


class FakeManager:
    def __init__(
        self, stalled: list[FakeJob], refused: frozenset[int] = frozenset(), down: bool = False
    ):
        self.stalled = stalled
        self.refused = refused
        self.down = down
        self.asked: dict[str, Any] = {}
        self.retried: list[int] = []

    async def get_stalled_jobs(self, **asked: Any) -> list[FakeJob]:
        self.asked = asked
        if self.down:
            raise ConnectorException("connection refused")
        return self.stalled

    async def retry_job(self, job: FakeJob) -> None:
        if job.id in self.refused:
            raise ConnectorException('Job was not found or not in "doing" status')
        self.retried.append(job.id)


class FakeApp:
    def __init__(self, manager: FakeManager) -> None:
        self.job_manager = manager


def _retry(manager: FakeManager, stalled_after_s: float = 60.0) -> int:
    return run_async(retry_stalled(FakeApp(manager), stalled_after_s))  # type: ignore[arg-type]


def test_every_stalled_import_job_goes_back_to_the_queue() -> None:
    manager = FakeManager([FakeJob(1), FakeJob(2)])
    assert _retry(manager, 7.5) == 2
    assert manager.retried == [1, 2]
    assert manager.asked == {"task_name": IMPORT_TASK, "seconds_since_heartbeat": 7.5}


def test_a_job_another_worker_took_back_first_is_skipped(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, "rubdown.worker")
    manager = FakeManager([FakeJob(1), FakeJob(2)], refused=frozenset({1}))
    assert _retry(manager) == 1
    assert manager.retried == [2]
    assert "import job 1 was not put back" in caplog.text


def test_a_database_that_cannot_be_asked_is_logged_and_tried_again_later(
    caplog: pytest.LogCaptureFixture,
) -> None:
    assert _retry(FakeManager([FakeJob(1)], down=True)) == 0
    assert "could not look for import jobs of dead workers" in caplog.text
