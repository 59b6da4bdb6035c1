"""Migration 12: import jobs and their uploads in the database, and originals kept there.

A server runs as several processes, on one machine or several, sharing only the database:
an upload taken by one process is imported by a ``rubdown worker`` somewhere else, and the
job's progress is read by whichever process the runner asks. So the job (``import_jobs``),
the uploaded bytes (``import_upload_chunks``, removed when the job ends) and the original
files an import keeps (``kept_originals`` with ``kept_original_chunks``) live here. Bytes
are cut into chunks of a few MiB, so no process holds a whole upload (up to 512 MiB) or a
whole Apple Health export in memory to write or read it.

Additive only: new tables, nothing changed in the old ones. The queue's own tables (which
job a worker does now, its heartbeat) are procrastinate's and come with its schema.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from rubdown.store.columns import UtcDateTime
from rubdown.store.migrations.step import Migration, owner_column


def _tables(metadata: sa.MetaData) -> list[sa.Table]:
    jobs = sa.Table(
        "import_jobs",
        metadata,
        sa.Column("id", sa.Text, primary_key=True),
        owner_column(),
        sa.Column("state", sa.Text, nullable=False),  # running, done, failed
        sa.Column("phase", sa.Text, nullable=False),  # waiting, counting, importing, done
        sa.Column("salvage", sa.Boolean, nullable=False),
        # The uploads' names as the client sent them and their kept suffixes, JSON.
        sa.Column("uploads", sa.Text, nullable=False),
        sa.Column("uploaded_files", sa.Integer, nullable=False),
        sa.Column("files_done", sa.Integer, nullable=False, server_default=sa.text("0")),
        sa.Column("files_total", sa.Integer),
        sa.Column("current_file", sa.Text),
        sa.Column("attempts", sa.Integer, nullable=False, server_default=sa.text("0")),
        sa.Column("report", sa.Text),  # JSON, as POST /api/import answers
        sa.Column("error", sa.Text),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("importing_since", UtcDateTime),
        sa.Column("finished_at", UtcDateTime),
        sa.Index(None, "owner_id", "created_at"),
    )
    chunks = sa.Table(
        "import_upload_chunks",
        metadata,
        sa.Column(
            "job_id",
            sa.Text,
            sa.ForeignKey("import_jobs.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("file_no", sa.Integer, primary_key=True),
        sa.Column("chunk_no", sa.Integer, primary_key=True),
        sa.Column("data", sa.LargeBinary, nullable=False),
    )
    originals = sa.Table(
        "kept_originals",
        metadata,
        sa.Column("sha256", sa.Text, primary_key=True),
        # Kept gzipped (as on disk: ``keeping.raw``) unless it was gzip already.
        sa.Column("compressed", sa.Boolean, nullable=False),
        sa.Column("stored_bytes", sa.BigInteger, nullable=False),
        sa.Column("kept_at", UtcDateTime, nullable=False),
    )
    original_chunks = sa.Table(
        "kept_original_chunks",
        metadata,
        sa.Column(
            "sha256",
            sa.Text,
            sa.ForeignKey("kept_originals.sha256", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("chunk_no", sa.Integer, primary_key=True),
        sa.Column("data", sa.LargeBinary, nullable=False),
    )
    return [jobs, chunks, originals, original_chunks]


def apply(connection: Connection) -> None:
    metadata = sa.MetaData(naming_convention=_naming())
    sa.Table("runners", metadata, sa.Column("id", sa.Text, primary_key=True))
    for table in _tables(metadata):
        table.create(connection)


def _naming() -> dict[str, str]:
    # The same convention as ``schema.py`` at this version, written out: a migration never
    # imports the tables it builds from the module that follows the latest schema.
    return {
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }


MIGRATION = Migration(
    12, "import jobs, their uploads and kept originals in the database", apply, additive=True
)
