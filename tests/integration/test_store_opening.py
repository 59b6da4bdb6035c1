"""Opening a store: URLs, the SQLite file, and one-line errors that never show a password."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from rubdown.domain.activity import Activity, Sport
from rubdown.domain.records import FileStatus, IncomingActivity, IncomingFile
from rubdown.errors import StoreError
from rubdown.store import engine, normalise_url, open_store, sqlite_url_for_home


def test_sqlite_url_for_home_names_the_file_inside_home(tmp_path: Path) -> None:
    assert sqlite_url_for_home(tmp_path) == f"sqlite:///{tmp_path}/rubdown.sqlite3"


def test_sqlite_store_creates_its_folder_and_uses_wal(tmp_path: Path) -> None:
    home = tmp_path / "not" / "yet" / "there"

    open_store(sqlite_url_for_home(home)).close()

    connection = sqlite3.connect(home / "rubdown.sqlite3")
    try:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    finally:
        connection.close()


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://ana:pw@db/rubdown", "postgresql+psycopg://ana:pw@db/rubdown"),
        ("postgresql://ana@db:5433/rubdown", "postgresql+psycopg://ana@db:5433/rubdown"),
        ("postgresql+psycopg://ana@db/rubdown", "postgresql+psycopg://ana@db/rubdown"),
        ("sqlite:////srv/rubdown.sqlite3", "sqlite:////srv/rubdown.sqlite3"),
    ],
)
def test_postgres_urls_are_pointed_at_psycopg(given: str, expected: str) -> None:
    assert normalise_url(given) == expected


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("not a url", "not a valid database URL: expected sqlite:"),
        ("mysql://ana:s3cret@db/rubdown", "unsupported database 'mysql'"),
        (
            "postgresql://ana:s3cret@127.0.0.1:1/rubdown?password=s3cret",
            "cannot reach the database at postgresql+psycopg://ana:***@127.0.0.1:1/rubdown:"
            " connection refused",
        ),
    ],
)
def test_a_bad_url_is_one_line_without_the_password(url: str, message: str) -> None:
    with pytest.raises(StoreError) as failed:
        open_store(url)

    text = str(failed.value)
    assert text.startswith(message)
    assert "\n" not in text
    assert "s3cret" not in text


def test_a_file_that_is_not_a_database_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "rubdown.sqlite3").write_bytes(b"these are my running notes, not a database" * 50)

    with pytest.raises(StoreError) as failed:
        open_store(sqlite_url_for_home(tmp_path))

    assert str(failed.value) == (
        f"cannot open the database at sqlite:///{tmp_path}/rubdown.sqlite3: file is not a database"
    )


def _page_size(path: Path) -> int:
    connection = sqlite3.connect(path)
    try:
        size: int = connection.execute("PRAGMA page_size").fetchone()[0]
        return size
    finally:
        connection.close()


def test_a_new_sqlite_home_has_large_pages_for_the_streams(tmp_path: Path) -> None:
    open_store(sqlite_url_for_home(tmp_path)).close()

    assert _page_size(tmp_path / "rubdown.sqlite3") == engine.SQLITE_NEW_PAGE_SIZE == 16_384


def _file(n: int, blob: bytes) -> IncomingFile:
    start = dt.datetime(2026, 5, 1 + n, 7, tzinfo=dt.UTC)
    activity = Activity(Sport.RUNNING, start, 3600.0, distance_m=10_000.0, records=10)
    item = IncomingActivity(activity, start.date(), "easy", 50, streams_blob=blob, samples=9)
    return IncomingFile(
        f"{n}.fit", str(n) * 64, "fit", FileStatus.IMPORTED, records=10, activities=[item]
    )


def test_a_home_made_with_small_pages_keeps_them_and_stores_more(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A home made before new homes had larger pages: SQLite's 4 kB, with a file stored.
    url = sqlite_url_for_home(tmp_path)
    streams = [bytes([n]) * 40_000 for n in range(2)]  # each over several 4 kB pages
    with monkeypatch.context() as old_rubdown:
        old_rubdown.setattr(engine, "SQLITE_NEW_PAGE_SIZE", 4096)
        store = open_store(url)
        try:
            store.for_owner("ana").record_file(_file(0, streams[0]), first_time=True)
        finally:
            store.close()

    store = open_store(url)
    try:
        store.for_owner("ana").record_file(_file(1, streams[1]), first_time=True)
        ids = [row.activity.id for row in store.list_activities("ana")]
        stored = [store.activity_streams("ana", activity_id) for activity_id in ids]
    finally:
        store.close()

    assert stored == streams
    path = tmp_path / "rubdown.sqlite3"
    assert _page_size(path) == 4096
    connection = sqlite3.connect(path)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        connection.close()
