"""Kept originals in the database, for a server whose processes share nothing else.

Each original is one row of ``kept_originals`` (its hash, whether it is gzipped, its size)
and its bytes in ``kept_original_chunks``, a few MiB a row, written in one transaction with
the row: a reader who finds the row finds every chunk. A file is written and read a chunk at
a time, so an Apple Health export of gigabytes never sits whole in memory. Two processes
keeping the same file at once are harmless: the second one's row waits on the first's
primary key and then finds it there.

The tables come from migration 12 (``store.migrations.v012_import_queue_and_kept_originals``);
they are described here by name only, as this adapter does not reach into the store's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from rubdown.errors import StoreError

CHUNK_BYTES = 4 << 20

_originals = sa.table(
    "kept_originals",
    sa.column("sha256", sa.Text),
    sa.column("compressed", sa.Boolean),
    sa.column("stored_bytes", sa.BigInteger),
    sa.column("kept_at", sa.DateTime(timezone=True)),
)
_chunks = sa.table(
    "kept_original_chunks",
    sa.column("sha256", sa.Text),
    sa.column("chunk_no", sa.Integer),
    sa.column("data", sa.LargeBinary),
)


class DatabaseOriginals:
    """``keeping.raw.SharedOriginals`` in the store's database (PostgreSQL, or SQLite)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def has(self, sha256: str) -> bool:
        query = sa.select(sa.literal(1)).where(_originals.c.sha256 == sha256)
        with self._failing("look for"), self.engine.connect() as connection:
            return connection.execute(query).first() is not None

    def put_file(self, sha256: str, path: Path, compressed: bool) -> None:
        size = path.stat().st_size
        row = {
            "sha256": sha256,
            "compressed": compressed,
            "stored_bytes": size,
            "kept_at": _now(self.engine),
        }
        with self._failing("keep"), self.engine.begin() as connection:
            # Waits on a second keeper of the same file until it commits, then skips.
            added = connection.execute(_insert_new(connection.dialect.name, row))
            if added.first() is None:
                return
            with path.open("rb") as source:
                number = 0
                while data := source.read(CHUNK_BYTES):
                    values = {"sha256": sha256, "chunk_no": number, "data": data}
                    connection.execute(_chunks.insert().values(values))
                    number += 1

    def fetch(self, sha256: str, out: BinaryIO) -> bool | None:
        head = sa.select(_originals.c.compressed).where(_originals.c.sha256 == sha256)
        numbers = (
            sa.select(_chunks.c.chunk_no)
            .where(_chunks.c.sha256 == sha256)
            .order_by(_chunks.c.chunk_no)
        )
        chunk = sa.select(_chunks.c.data).where(
            _chunks.c.sha256 == sha256, _chunks.c.chunk_no == sa.bindparam("number")
        )
        with self._failing("read"), self.engine.connect() as connection:
            compressed = connection.execute(head).scalar_one_or_none()
            if compressed is None:
                return None
            # One chunk in memory at a time: each is read by its own query.
            for number in connection.execute(numbers).scalars().all():
                out.write(connection.execute(chunk, {"number": number}).scalar_one())
        return bool(compressed)

    def forget(self, sha256: str) -> None:
        with self._failing("remove"), self.engine.begin() as connection:
            connection.execute(_chunks.delete().where(_chunks.c.sha256 == sha256))
            connection.execute(_originals.delete().where(_originals.c.sha256 == sha256))

    def close(self) -> None:
        self.engine.dispose()

    @staticmethod
    @contextmanager
    def _failing(verb: str) -> Iterator[None]:
        """A database failure as one ``StoreError`` line naming what was being done."""
        try:
            yield
        except SQLAlchemyError as error:
            lines = str(getattr(error, "orig", None) or error).strip().splitlines()
            line = lines[0] if lines else type(error).__name__
            raise StoreError(f"cannot {verb} a kept original in the database: {line}") from None


def _insert_new(dialect: str, row: dict[str, object]) -> sa.Executable:
    """An insert that does nothing where the row is there already."""
    if dialect == "postgresql":
        from sqlalchemy.dialects import postgresql

        return (
            postgresql.insert(_originals)
            .values(row)
            .on_conflict_do_nothing()
            .returning(_originals.c.sha256)
        )
    from sqlalchemy.dialects import sqlite

    return (
        sqlite.insert(_originals)
        .values(row)
        .on_conflict_do_nothing()
        .returning(_originals.c.sha256)
    )


def _now(engine: Engine) -> dt.datetime:
    now = dt.datetime.now(dt.UTC)
    # SQLite keeps no offset: the UTC wall clock, as the store's own columns write it.
    return now.replace(tzinfo=None) if engine.dialect.name == "sqlite" else now
