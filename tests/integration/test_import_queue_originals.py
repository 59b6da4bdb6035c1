"""Kept originals in the database (``keeping.database``), on SQLite and PostgreSQL: written
and read a chunk at a time, whole or not at all, and the same file kept twice once."""

from __future__ import annotations

import datetime as dt
import io
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from rubdown.bootstrap import Settings, SharedServices, upgrade_database
from rubdown.keeping import database
from rubdown.keeping.database import DatabaseOriginals
from rubdown.keeping.raw import RawFiles
from rubdown.services.importing import import_paths
from rubdown.store import normalise_url, open_store
from tests.pg import fresh_postgres_url
from tests.support.accounts import make_user
from tests.support.gpx_runs import gpx_run


@pytest.fixture
def originals(database_url: str) -> Iterator[DatabaseOriginals]:
    open_store(database_url).close()  # migrated
    kept = DatabaseOriginals(sa.create_engine(normalise_url(database_url)))
    yield kept
    kept.close()


def test_a_file_of_several_chunks_comes_back_whole(
    originals: DatabaseOriginals, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(database, "CHUNK_BYTES", 1000)
    data = os.urandom(3500)  # random: gzip cannot shrink it below three chunks
    one = RawFiles(tmp_path / "one", originals)
    spooled = one.spool(lambda: io.BytesIO(data))
    one.keep(spooled)
    with originals.engine.connect() as connection:
        chunks = connection.execute(sa.text("SELECT count(*) FROM kept_original_chunks"))
        assert chunks.scalar_one() >= 4
    assert RawFiles(tmp_path / "other", originals).get(spooled.sha256) == data


def test_keeping_a_file_twice_stores_it_once(originals: DatabaseOriginals, tmp_path: Path) -> None:
    path = tmp_path / "file"
    path.write_bytes(b"same bytes")
    originals.put_file("ab" * 32, path, False)
    originals.put_file("ab" * 32, path, False)
    with originals.engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT count(*) FROM kept_original_chunks"))
        assert rows.scalar_one() == 1
    out = io.BytesIO()
    assert originals.fetch("ab" * 32, out) is False
    assert out.getvalue() == b"same bytes"


def test_a_forgotten_file_is_gone_with_its_chunks(
    originals: DatabaseOriginals, tmp_path: Path
) -> None:
    path = tmp_path / "file"
    path.write_bytes(b"bytes")
    originals.put_file("cd" * 32, path, True)
    originals.forget("cd" * 32)
    assert not originals.has("cd" * 32)
    assert originals.fetch("cd" * 32, io.BytesIO()) is None
    with originals.engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT count(*) FROM kept_original_chunks"))
        assert rows.scalar_one() == 0


@pytest.mark.postgres
@pytest.mark.parametrize("shared_folder", [False, True], ids=["in the database", "in a folder"])
def test_a_server_process_keeps_its_originals_where_every_process_reads_them(
    tmp_path: Path, shared_folder: bool
) -> None:
    with fresh_postgres_url() as url:
        folder = tmp_path / "shared" if shared_folder else None
        first = Settings(tmp_path / "one", url, server=True, originals_dir=folder)
        upgrade_database(first)
        services = SharedServices(first)
        try:
            make_user(services.store, "ana@example.org", "runner")
            runner_id = _runner_id(services)  # a runner user's id is their data's owner
            upload = tmp_path / "run.gpx"
            upload.write_bytes(gpx_run(dt.datetime(2026, 4, 1, 7, tzinfo=dt.UTC)))
            app = services.app(runner_id)
            import_paths(app, [upload])
            sha = app.data.raw_sources()[0].sha256
        finally:
            services.close()
        kept = DatabaseOriginals(sa.create_engine(normalise_url(url)))
        try:
            assert kept.has(sha) is not shared_folder
        finally:
            kept.close()
        if folder is not None:
            assert RawFiles(folder).get(sha) == upload.read_bytes()
        # Another process, on another machine's folder, reads it.
        other = SharedServices(Settings(tmp_path / "two", url, server=True, originals_dir=folder))
        try:
            assert RawFiles(tmp_path / "two" / "raw").get(sha) == upload.read_bytes()
        finally:
            other.close()


def _runner_id(services: SharedServices) -> str:
    with services.store._engine.connect() as connection:
        return str(connection.execute(sa.text("SELECT id FROM users")).scalar_one())
