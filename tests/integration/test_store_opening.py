"""Opening a store: URLs, the SQLite file, and one-line errors that never show a password."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from rubdown.errors import StoreError
from rubdown.store import normalise_url, open_store, sqlite_url_for_home


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
