"""A ``rubdown worker`` process: takes import jobs from the queue, one at a time, until it is
stopped (SIGINT or SIGTERM: the job in hand is finished first).

A worker writes a heartbeat every ``heartbeat_s``. A worker that dies (kill -9, its machine
gone) stops writing it; every other worker looks every ``check_every_s`` for jobs held by a
worker whose heartbeat is older than ``stalled_after_s`` and puts them back in the queue
(procrastinate's stalled-job recovery), and a worker starting up does the same at once.
Running a job again is safe (``services.import_queue``). ``stalled_after_s`` must be well
above ``heartbeat_s``: a worker busy importing still beats, from its event loop, while the
import runs in a thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass

import procrastinate
from procrastinate.exceptions import ProcrastinateException

from rubdown.queue.tasks import CONTEXT_KEY, IMPORT_TASK, QUEUE, WorkerContext, make_app

log = logging.getLogger("rubdown.worker")


@dataclass(frozen=True)
class WorkerTiming:
    heartbeat_s: float = 10.0
    stalled_after_s: float = 60.0
    check_every_s: float = 15.0
    poll_s: float = 5.0  # how often to look for jobs besides being told (LISTEN/NOTIFY)


def run(conninfo: str, context: WorkerContext, timing: WorkerTiming, *, name: str) -> None:
    """Run a worker in this thread until it is stopped by a signal."""
    asyncio.run(_run(conninfo, context, timing, name))


async def _run(conninfo: str, context: WorkerContext, timing: WorkerTiming, name: str) -> None:
    # Four connections at most: the worker's LISTEN (held), its heartbeat, fetching and
    # finishing jobs, and looking for jobs of dead workers.
    connector = procrastinate.PsycopgConnector(conninfo=conninfo, min_size=1, max_size=4)
    app = make_app(connector)
    async with app.open_async():
        recovery = asyncio.create_task(_recover_stalled(app, timing), name="stalled jobs")
        try:
            await app.run_worker_async(
                queues=[QUEUE],
                name=name,
                concurrency=1,  # one import at a time: it uses every core already
                additional_context={CONTEXT_KEY: context},
                update_heartbeat_interval=timing.heartbeat_s,
                stalled_worker_timeout=timing.stalled_after_s,
                fetch_job_polling_interval=timing.poll_s,
                install_signal_handlers=True,
                # The job's own row keeps what the runner sees; the queue's is done with.
                delete_jobs="successful",
            )
        finally:
            recovery.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await recovery


async def _recover_stalled(app: procrastinate.App, timing: WorkerTiming) -> None:
    while True:
        await retry_stalled(app, timing.stalled_after_s)
        await asyncio.sleep(timing.check_every_s)


async def retry_stalled(app: procrastinate.App, stalled_after_s: float) -> int:
    """Put the import jobs of dead workers back in the queue; how many there were."""
    try:
        stalled = list(
            await app.job_manager.get_stalled_jobs(
                task_name=IMPORT_TASK, seconds_since_heartbeat=stalled_after_s
            )
        )
    except ProcrastinateException as error:
        log.warning("could not look for import jobs of dead workers: %s", error)
        return 0
    retried = 0
    for job in stalled:
        try:
            await app.job_manager.retry_job(job)
        except ProcrastinateException as error:  # another worker was quicker, say
            log.info("import job %s was not put back in the queue: %s", job.id, error)
            continue
        log.warning("import job %s lost its worker; it is back in the queue", job.id)
        retried += 1
    return retried
