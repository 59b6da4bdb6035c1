"""``rubdown import`` with file names that are not UTF-8 (issue 11, fault 2).

A Latin-1 ``café.gpx`` is the bytes ``caf\\xe9.gpx`` on disk. The command imports it, and
the table, the JSON, the failure line on stderr and the stored rows all show the same
escaped name, ``caf\\xe9.gpx``, with no traceback.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from tests.e2e.cli import Storage
from tests.support.gpx_runs import gpx_run

SHOWN = "caf\\xe9"  # how "café" in Latin-1 bytes is shown and stored


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A good run and a run in year 1, both with Latin-1 names, and a plain one after them."""
    made = tmp_path / "watch"
    made.mkdir()
    files = {
        b"a-caf\xe9.gpx": gpx_run(dt.datetime(2026, 5, 1, 7, tzinfo=dt.UTC)),
        b"b-caf\xe9-old.gpx": gpx_run(dt.datetime(1, 1, 1, tzinfo=dt.UTC)),
        b"c-plain.gpx": gpx_run(dt.datetime(2026, 5, 2, 7, tzinfo=dt.UTC)),
    }
    for name, data in files.items():
        with open(os.path.join(os.fsencode(made), name), "wb") as out:
            out.write(data)
    return made


def stored_names(storage: Storage) -> list[str]:
    engine = sa.create_engine(storage.database_url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            rows = connection.exec_driver_sql("SELECT shown FROM imported_files ORDER BY shown")
            return [Path(shown).name for (shown,) in rows]
    finally:
        engine.dispose()


def test_the_json_report_names_each_file_escaped_and_the_failure_is_one_line(
    storage: Storage, folder: Path
) -> None:
    result = storage.run("import", str(folder), "--json")
    assert result.code == 1  # the year-1 file failed
    assert "Traceback" not in result.err
    lines = {Path(line["path"]).name: line for line in result.json()["files"]}
    assert lines[f"a-{SHOWN}.gpx"]["status"] == "imported"
    assert lines[f"b-{SHOWN}-old.gpx"]["status"] == "failed"
    assert lines["c-plain.gpx"]["status"] == "imported"
    (failure,) = result.err.splitlines()
    assert failure.endswith(
        f"b-{SHOWN}-old.gpx: activity start 0001-01-01 is outside the years 1900-2200"
    )
    assert stored_names(storage) == [f"a-{SHOWN}.gpx", f"b-{SHOWN}-old.gpx", "c-plain.gpx"]


def test_the_table_report_prints_and_a_second_run_finds_the_duplicates(
    storage: Storage, folder: Path
) -> None:
    first = storage.run("import", str(folder))
    assert "Traceback" not in first.err
    assert "2 new activities" in first.out
    again = storage.run("import", str(folder), "--json")
    statuses = {Path(line["path"]).name: line["status"] for line in again.json()["files"]}
    assert statuses == {
        f"a-{SHOWN}.gpx": "duplicate",
        f"b-{SHOWN}-old.gpx": "failed",
        "c-plain.gpx": "duplicate",
    }


def test_a_calendar_with_a_latin1_name_names_its_skipped_events_file_escaped(
    storage: Storage, tmp_path: Path
) -> None:
    made = tmp_path / "calendars"
    made.mkdir()
    calendar = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//rubdown tests//EN\r\nBEGIN:VEVENT\r\n"
        "UID:far@tests\r\nDTSTART;VALUE=DATE:99990301\r\nSUMMARY:Marathon race\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    with open(os.path.join(os.fsencode(made), b"caf\xe9.ics"), "wb") as out:
        out.write(calendar.encode())
    result = storage.run("import", str(made), "--json")
    assert "Traceback" not in result.err
    document = result.json()
    (line,) = document["files"]
    (skipped,) = document["skipped_events"]
    assert Path(line["path"]).name == f"{SHOWN}.ics"
    assert Path(skipped["file"]).name == f"{SHOWN}.ics"
