"""Import jobs and their uploads in PostgreSQL: ``services.import_queue.ImportQueue``.

A job's row and its uploads are written, and the job queued, in one transaction: a job is
either queued with every byte of its uploads or not there at all. Uploads are stored a few
MiB a row, read from the request's spooled files and written back to a worker's folder a
chunk at a time, so neither side holds a whole upload in memory.

Every read a person can ask for (``find``) is scoped by owner; the worker's reads are by
job id only, as the queue hands it the id.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import procrastinate
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from rubdown.errors import ImportsBusy, StoreError
from rubdown.queue.tasks import defer_import
from rubdown.services import views
from rubdown.services.import_queue import JobRecord, Progress, SavedUpload, UploadedFile
from rubdown.store import schema as tables
from rubdown.store.engine import reason

CHUNK_BYTES = 4 << 20

_jobs = tables.import_jobs
_chunks = tables.import_upload_chunks

# The job as a worker starts an attempt: counted, its progress from the start again.
_CLAIM = (
    _jobs.update()
    .where(_jobs.c.id == sa.bindparam("job"), _jobs.c.state == "running")
    .values(
        attempts=_jobs.c.attempts + 1,
        phase="waiting",
        files_done=0,
        files_total=None,
        current_file=None,
        importing_since=None,
    )
    .returning(*_jobs.c)
)


_LOCK_SUBMITS = sa.text("SELECT pg_advisory_xact_lock(:key)")
_ACTIVE = sa.select(sa.func.count()).where(
    _jobs.c.owner_id == sa.bindparam("owner"), _jobs.c.state == "running"
)
_FORGET = _jobs.delete().where(
    _jobs.c.owner_id == sa.bindparam("owner"),
    _jobs.c.state != "running",
    _jobs.c.finished_at < sa.bindparam("before"),
)


class DatabaseImportQueue:
    def __init__(
        self,
        engine: Engine,
        deferrer: procrastinate.App,
        new_id: Callable[[], str] = lambda: secrets.token_urlsafe(16),
    ) -> None:
        self.engine = engine
        self.deferrer = deferrer
        self.new_id = new_id

    def submit(
        self,
        owner_id: str,
        uploads: Sequence[UploadedFile],
        *,
        salvage: bool,
        now: Any,
        max_active: int,
        forget_before: Any,
    ) -> str:
        job_id = self.new_id()
        listed = [{"shown": u.shown, "suffix": u.suffix} for u in uploads]
        row = {
            "id": job_id,
            "owner_id": owner_id,
            "state": "running",
            "phase": "waiting",
            "salvage": salvage,
            "uploads": json.dumps(listed, ensure_ascii=False),
            "uploaded_files": len(uploads),
            "created_at": now,
        }
        with self._transaction("queue the import") as connection:
            # Two uploads of one runner at once count each other's job. A lock of its own, not
            # the runner's row: the uploads take seconds to store, and the runner's other
            # writes (an import's files, a check-in) must not wait for them.
            connection.execute(_LOCK_SUBMITS, {"key": _lock_key(owner_id)})
            active = connection.execute(_ACTIVE, {"owner": owner_id}).scalar_one()
            if active >= max_active:
                raise ImportsBusy(
                    f"{active} imports are already running or waiting; try again when one is done"
                )
            connection.execute(_FORGET, {"owner": owner_id, "before": forget_before})
            connection.execute(_jobs.insert().values(row))
            for file_no, upload in enumerate(uploads):
                with upload.opener() as stream:
                    chunk_no = 0
                    while data := stream.read(CHUNK_BYTES):
                        values = {
                            "job_id": job_id,
                            "file_no": file_no,
                            "chunk_no": chunk_no,
                            "data": data,
                        }
                        connection.execute(_chunks.insert().values(values))
                        chunk_no += 1
            defer_import(self.deferrer, job_id, _driver_connection(connection))
        return job_id

    def find(self, owner_id: str, job_id: str) -> JobRecord | None:
        query = sa.select(*_jobs.c).where(_jobs.c.id == job_id, _jobs.c.owner_id == owner_id)
        with self._connection("read the import job") as connection:
            row = connection.execute(query).mappings().first()
        return _record(row) if row is not None else None

    def claim(self, job_id: str) -> JobRecord | None:
        with self._transaction("start the import job") as connection:
            row = connection.execute(_CLAIM, {"job": job_id}).mappings().first()
        return _record(row) if row is not None else None

    def save_uploads(self, job_id: str, folder: Path) -> list[SavedUpload]:
        listed = sa.select(_jobs.c.uploads).where(_jobs.c.id == job_id)
        numbers = (
            sa.select(_chunks.c.file_no, _chunks.c.chunk_no)
            .where(_chunks.c.job_id == job_id)
            .order_by(_chunks.c.file_no, _chunks.c.chunk_no)
        )
        chunk = sa.select(_chunks.c.data).where(
            _chunks.c.job_id == job_id,
            _chunks.c.file_no == sa.bindparam("file_no"),
            _chunks.c.chunk_no == sa.bindparam("chunk_no"),
        )
        with self._connection("read the uploads") as connection:
            uploads = json.loads(connection.execute(listed).scalar_one())
            saved = [
                # A random name, never the client's: only the known suffix is kept, as a hint.
                SavedUpload(folder / (secrets.token_hex(16) + u["suffix"]), u["shown"])
                for u in uploads
            ]
            for s in saved:
                s.path.touch(mode=0o600, exist_ok=False)  # an empty upload is a file too
            for file_no, chunk_no in connection.execute(numbers).all():
                data = connection.execute(chunk, {"file_no": file_no, "chunk_no": chunk_no})
                with saved[file_no].path.open("ab") as out:
                    out.write(data.scalar_one())
        return saved

    def progress(self, job_id: str, progress: Progress) -> None:
        values = {
            "phase": progress.phase,
            "files_done": progress.files_done,
            "files_total": progress.files_total,
            "current_file": progress.current_file,
            "importing_since": progress.importing_since,
        }
        with self._transaction("write the import's progress") as connection:
            connection.execute(_jobs.update().where(_jobs.c.id == job_id).values(values))

    def finish(
        self,
        job_id: str,
        *,
        report: views.ImportView | None,
        error: str | None,
        now: Any,
    ) -> None:
        values = {
            "state": "done" if error is None else "failed",
            "phase": "done",
            "report": json.dumps(report, ensure_ascii=False) if report is not None else None,
            "error": error,
            "finished_at": now,
        }
        with self._transaction("record the end of the import") as connection:
            connection.execute(_jobs.update().where(_jobs.c.id == job_id).values(values))
            connection.execute(_chunks.delete().where(_chunks.c.job_id == job_id))

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _transaction(self, what: str) -> Iterator[Connection]:
        with self._failing(what), self.engine.begin() as connection:
            yield connection

    @contextmanager
    def _connection(self, what: str) -> Iterator[Connection]:
        with self._failing(what), self.engine.connect() as connection:
            yield connection

    @staticmethod
    @contextmanager
    def _failing(what: str) -> Iterator[None]:
        try:
            yield
        except (SQLAlchemyError, procrastinate.exceptions.ConnectorException) as error:
            raise StoreError(f"cannot {what}: {reason(error)}") from None


def _lock_key(owner_id: str) -> int:
    """A signed 64-bit key of the owner's submits, as PostgreSQL's advisory locks take."""
    digest = hashlib.sha256(b"rubdown import submits\0" + owner_id.encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _driver_connection(connection: Connection) -> Any:
    """The psycopg connection under SQLAlchemy's, in the same transaction."""
    return connection.connection.driver_connection


def _record(row: Any) -> JobRecord:
    report = json.loads(row["report"]) if row["report"] is not None else None
    return JobRecord(
        id=row["id"],
        owner_id=row["owner_id"],
        state=row["state"],
        phase=row["phase"],
        salvage=bool(row["salvage"]),
        uploaded_files=row["uploaded_files"],
        files_done=row["files_done"],
        files_total=row["files_total"],
        current_file=row["current_file"],
        attempts=row["attempts"],
        report=report,
        error=row["error"],
        created_at=row["created_at"],
        importing_since=row["importing_since"],
        finished_at=row["finished_at"],
    )
