"""A server's import jobs on PostgreSQL (``services.import_queue`` over ``queue.jobs``): a job,
its uploads and its queue entry are stored together or not at all; a worker imports it
with ``import_paths`` and writes its progress and report where any process reads them, for
its owner only; an attempt that died half-way is run again to the result of a clean import.
"""

from __future__ import annotations

import datetime as dt
import io
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import sqlalchemy as sa

from rubdown.bootstrap import Settings, build_app
from rubdown.errors import ImportsBusy, NotFound, StoreError
from rubdown.keeping import raw
from rubdown.queue.jobs import DatabaseImportQueue
from rubdown.queue.opening import open_import_queue, open_kept_originals
from rubdown.queue.schema import ensure_queue_schema, has_queue_schema
from rubdown.services import import_queue
from rubdown.services.import_queue import UploadedFile
from rubdown.services.importing import import_paths
from rubdown.services.runner import Runner
from rubdown.store import open_store
from tests.pg import fresh_postgres_url
from tests.support.gpx_runs import gpx_run

pytestmark = pytest.mark.postgres

NOW = dt.datetime(2026, 5, 1, 12, tzinfo=dt.UTC)
ANA = "ana-owner-id"
BEN = "ben-owner-id"


def _runs(count: int) -> list[bytes]:
    start = dt.datetime(2026, 4, 1, 7, tzinfo=dt.UTC)
    return [gpx_run(start + dt.timedelta(days=i), name=f"Run {i}") for i in range(count)]


def _uploads(files: list[bytes]) -> list[UploadedFile]:
    def opener(data: bytes) -> Callable[[], io.BytesIO]:
        return lambda: io.BytesIO(data)

    return [UploadedFile(f"run {i}.gpx", ".gpx", opener(data)) for i, data in enumerate(files)]


@pytest.fixture
def database() -> Iterator[str]:
    with fresh_postgres_url() as url:
        open_store(url).close()  # migrated
        queue = open_import_queue(url)
        try:
            ensure_queue_schema(queue.engine)
        finally:
            queue.close()
        yield url


@pytest.fixture
def queue(database: str) -> Iterator[DatabaseImportQueue]:
    opened = open_import_queue(database)
    yield opened
    opened.close()


@pytest.fixture
def open_runner(database: str, tmp_path: Path) -> Iterator[Callable[[str], Runner]]:
    """A runner per owner, with the originals of every home kept in the database."""
    originals = open_kept_originals(database)
    homes: list[Path] = []

    def runner_for(owner: str) -> Runner:
        home = tmp_path / f"worker-{len(homes)}"
        homes.append(home)
        raw.share(home / "raw", originals)
        return build_app(Settings(home, database, owner_id=owner))

    yield runner_for
    for home in homes:
        raw.share(home / "raw", None)
    originals.close()


def _queued(queue: DatabaseImportQueue) -> list[dict[str, object]]:
    with queue.engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT task_name, args, status FROM procrastinate_jobs ORDER BY id")
        )
        return [dict(row._mapping) for row in rows]


def _runners(database: str, *owners: str) -> None:
    store = open_store(database)
    try:
        for owner in owners:
            store.ensure_runner(owner)
    finally:
        store.close()


def _activity_count(database: str, owner: str) -> int:
    store = open_store(database)
    try:
        return len(store.for_owner(owner).activity_days())
    finally:
        store.close()


def test_the_queue_schema_is_applied_once(database: str, queue: DatabaseImportQueue) -> None:
    assert has_queue_schema(queue.engine)
    assert ensure_queue_schema(queue.engine) is False


def test_a_submitted_job_waits_with_its_uploads_and_its_queue_entry(
    queue: DatabaseImportQueue, database: str
) -> None:
    _runners(database, ANA)
    job_id = import_queue.start_job(queue, ANA, _uploads(_runs(2)), salvage=False, now=NOW)
    view = import_queue.job_view(queue, ANA, job_id, NOW + dt.timedelta(seconds=3))
    assert view["state"] == "running"
    assert view["phase"] == "waiting"
    assert view["uploaded_files"] == 2
    assert view["elapsed_s"] == 3.0
    assert _queued(queue) == [
        {"task_name": "rubdown.import", "args": {"job_id": job_id}, "status": "todo"}
    ]


def test_a_job_whose_upload_cannot_be_read_is_neither_stored_nor_queued(
    queue: DatabaseImportQueue, database: str
) -> None:
    _runners(database, ANA)

    def broken() -> io.BytesIO:
        raise StoreError("the upload went away")

    uploads = [*_uploads(_runs(1)), UploadedFile("bad.gpx", ".gpx", broken)]
    with pytest.raises(StoreError):
        import_queue.start_job(queue, ANA, uploads, salvage=False, now=NOW)
    with queue.engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM import_jobs")).scalar_one() == 0
        chunks = connection.execute(sa.text("SELECT count(*) FROM import_upload_chunks"))
        assert chunks.scalar_one() == 0
    assert _queued(queue) == []


def test_someone_elses_job_is_not_found(queue: DatabaseImportQueue, database: str) -> None:
    _runners(database, ANA, BEN)
    job_id = import_queue.start_job(queue, ANA, _uploads(_runs(1)), salvage=False, now=NOW)
    with pytest.raises(NotFound):
        import_queue.job_view(queue, BEN, job_id, NOW)
    with pytest.raises(NotFound):
        import_queue.job_view(queue, ANA, "no-such-job", NOW)


def test_a_worker_imports_the_job_and_its_report_and_originals_are_shared(
    queue: DatabaseImportQueue,
    database: str,
    open_runner: Callable[[str], Runner],
) -> None:
    files = _runs(3)
    _runners(database, ANA)
    job_id = import_queue.start_job(queue, ANA, _uploads(files), salvage=False, now=NOW)
    import_queue.run_job(queue, job_id, open_runner, clock=lambda: NOW + dt.timedelta(seconds=9))
    view = import_queue.job_view(queue, ANA, job_id, NOW + dt.timedelta(minutes=5))
    assert view["state"] == "done", view["error"]
    assert view["files_done"] == view["files_total"] == 3
    assert view["elapsed_s"] == 9.0  # to its end, not to the moment asked
    report = view["report"]
    assert report is not None
    assert report["summary"]["imported"] == 3
    assert sorted(line["path"] for line in report["files"]) == [
        "run 0.gpx",
        "run 1.gpx",
        "run 2.gpx",
    ]
    assert _activity_count(database, ANA) == 3
    with queue.engine.connect() as connection:
        assert (
            connection.execute(sa.text("SELECT count(*) FROM import_upload_chunks")).scalar() == 0
        )
        kept = connection.execute(sa.text("SELECT count(*) FROM kept_originals")).scalar()
    assert kept == 3
    # Another process, with a folder of its own, reads every original from the database.
    app = open_runner(ANA)
    try:
        sources = app.data.raw_sources()
        assert len(sources) == 3
        readable = raw.RawFiles(app.raw_root)
        assert sorted(readable.get(s.sha256) for s in sources) == sorted(files)
    finally:
        app.close()


def test_a_job_run_again_after_a_dead_attempt_ends_as_a_clean_import(
    queue: DatabaseImportQueue,
    database: str,
    open_runner: Callable[[str], Runner],
    tmp_path: Path,
) -> None:
    files = _runs(4)
    _runners(database, ANA)
    job_id = import_queue.start_job(queue, ANA, _uploads(files), salvage=False, now=NOW)
    # The first attempt stores two of the four files, then its worker dies.
    assert queue.claim(job_id) is not None
    half = tmp_path / "half"
    half.mkdir()
    for i, data in enumerate(files[:2]):
        (half / f"{i}.gpx").write_bytes(data)
    app = open_runner(ANA)
    try:
        import_paths(app, [half])
    finally:
        app.close()
    import_queue.run_job(queue, job_id, open_runner, clock=lambda: NOW)
    view = import_queue.job_view(queue, ANA, job_id, NOW)
    assert view["state"] == "done"
    assert view["report"] is not None
    assert view["report"]["summary"]["imported"] == 2
    assert view["report"]["summary"]["duplicate"] == 2
    assert _activity_count(database, ANA) == 4
    with queue.engine.connect() as connection:
        attempts = connection.execute(sa.text("SELECT attempts FROM import_jobs")).scalar()
    assert attempts == 2


def test_a_job_that_killed_its_worker_too_often_is_given_up(
    queue: DatabaseImportQueue,
    database: str,
    open_runner: Callable[[str], Runner],
) -> None:
    _runners(database, ANA)
    job_id = import_queue.start_job(queue, ANA, _uploads(_runs(1)), salvage=False, now=NOW)
    for _ in range(import_queue.MAX_ATTEMPTS):
        queue.claim(job_id)
    import_queue.run_job(queue, job_id, open_runner, clock=lambda: NOW)
    view = import_queue.job_view(queue, ANA, job_id, NOW)
    assert view["state"] == "failed"
    assert view["error"] is not None
    assert "given up" in view["error"]
    assert _activity_count(database, ANA) == 0


def test_a_finished_job_run_again_changes_nothing(
    queue: DatabaseImportQueue,
    database: str,
    open_runner: Callable[[str], Runner],
) -> None:
    _runners(database, ANA)
    job_id = import_queue.start_job(queue, ANA, _uploads(_runs(1)), salvage=False, now=NOW)
    import_queue.run_job(queue, job_id, open_runner, clock=lambda: NOW)
    before = import_queue.job_view(queue, ANA, job_id, NOW)
    import_queue.run_job(queue, job_id, open_runner, clock=lambda: NOW)
    assert import_queue.job_view(queue, ANA, job_id, NOW) == before


def test_a_runner_with_every_job_slot_taken_is_refused_one_more(
    queue: DatabaseImportQueue, database: str
) -> None:
    _runners(database, ANA, BEN)
    for _ in range(import_queue.MAX_ACTIVE):
        import_queue.start_job(queue, ANA, _uploads(_runs(1)), salvage=False, now=NOW)
    with pytest.raises(ImportsBusy):
        import_queue.start_job(queue, ANA, _uploads(_runs(1)), salvage=False, now=NOW)
    # Another runner's room is their own.
    import_queue.start_job(queue, BEN, _uploads(_runs(1)), salvage=False, now=NOW)
    assert len(_queued(queue)) == import_queue.MAX_ACTIVE + 1


def test_a_job_long_finished_is_removed_with_the_runners_next_one(
    queue: DatabaseImportQueue,
    database: str,
    open_runner: Callable[[str], Runner],
) -> None:
    _runners(database, ANA)
    old = import_queue.start_job(queue, ANA, _uploads(_runs(1)), salvage=False, now=NOW)
    import_queue.run_job(queue, old, open_runner, clock=lambda: NOW)
    later = NOW + import_queue.KEEP_FINISHED + dt.timedelta(seconds=1)
    import_queue.start_job(queue, ANA, _uploads(_runs(1)), salvage=False, now=later)
    with pytest.raises(NotFound):
        import_queue.job_view(queue, ANA, old, later)


def test_two_uploads_at_once_for_the_last_slot_take_it_once(
    queue: DatabaseImportQueue, database: str
) -> None:
    _runners(database, ANA)
    for _ in range(import_queue.MAX_ACTIVE - 1):
        import_queue.start_job(queue, ANA, _uploads(_runs(1)), salvage=False, now=NOW)
    started = threading.Barrier(2)

    def submit() -> str:
        started.wait()
        try:
            return import_queue.start_job(queue, ANA, _uploads(_runs(1)), salvage=False, now=NOW)
        except ImportsBusy:
            return "busy"

    with ThreadPoolExecutor(2) as pool:
        answers = sorted(pool.map(lambda _: submit(), range(2)))
    assert answers.count("busy") == 1
    assert len(_queued(queue)) == import_queue.MAX_ACTIVE
