"""The import's storing step under attack (issue 11, faults 1 and 2), on SQLite and PostgreSQL.

Every file's storing is its own outcome (imported, or one failed line with its transaction
rolled back, the files after it still imported), names that are not UTF-8 are stored and
shown escaped, dates outside 1900-2200 are refused, and loads left stale by an import that
never reached its refresh are repaired by the next run or the next reader.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from rubdown.bootstrap import Settings, build_app
from rubdown.domain.model import SessionKind
from rubdown.services import daily, importing, reimporting
from rubdown.services.importing import ImportReport, import_paths
from rubdown.services.planning import check_session
from rubdown.services.reimporting import reimport_all
from rubdown.services.runner import Runner
from rubdown.store import activity_rows
from rubdown.store import schema as tables
from tests.support.gpx_runs import gpx_run
from tests.support.schema_rollback import roll_back

CORPUS = Path(__file__).parents[1] / "data" / "activities"
STRAVA_CSV = Path(__file__).parents[1] / "data" / "exports" / "strava" / "activities.csv"
LONG_RUN = CORPUS / "tormoder-fit/mornindew-broken.fit"  # a long run, Saturday 2019-05-18
LONG_RUN_DAY = dt.date(2019, 5, 18)
LATIN1_NAME = b"caf\xe9.gpx"  # "café.gpx" as Latin-1 bytes: not UTF-8
SHOWN_LATIN1 = "caf\\xe9.gpx"


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Runner]:
    built = build_app(Settings(tmp_path / "home", database_url, today=dt.date(2019, 5, 10)))
    try:
        yield built
    finally:
        built.close()


def utc(year: int, month: int, day: int, hour: int = 8) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=dt.UTC)


def write(folder: Path, name: bytes, data: bytes) -> None:
    """A file whose name is given as bytes, as it is on disk."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(os.path.join(os.fsencode(folder), name), "wb") as out:
        out.write(data)


def run(app: Runner, *paths: Path) -> ImportReport:
    return import_paths(app, list(paths), workers=1)


def by_name(report: ImportReport) -> dict[str, importing.FileReport]:
    return {line.path.rsplit("/", 1)[-1]: line for line in report.files}


def column(app: Runner, table: sa.Table, name: str) -> list[object]:
    with app.store._engine.connect() as connection:  # the test looks under the store
        return sorted(connection.execute(sa.select(table.c[name])).scalars())


def loads_pending(app: Runner) -> int:
    return app.data.loads_pending()


# -- fault 2: names, dates, and one file's storing never costs the rest -----------------------


def test_a_file_name_that_is_not_utf8_is_imported_and_shown_escaped_everywhere(
    app: Runner, tmp_path: Path
) -> None:
    folder = tmp_path / "watch"
    write(folder, LATIN1_NAME, gpx_run(utc(2026, 5, 1)))
    write(folder, b"later.gpx", gpx_run(utc(2026, 5, 2)))
    report = run(app, folder)
    lines = by_name(report)
    assert lines[SHOWN_LATIN1].status == "imported"
    assert lines["later.gpx"].status == "imported"
    stored = [
        str(shown).rsplit("/", 1)[-1] for shown in column(app, tables.imported_files, "shown")
    ]
    assert stored == [SHOWN_LATIN1, "later.gpx"]
    sources = column(app, tables.activity_sources, "shown")
    assert [str(shown).rsplit("/", 1)[-1] for shown in sources] == [SHOWN_LATIN1, "later.gpx"]


def test_a_file_name_that_is_not_utf8_is_a_duplicate_the_second_time(
    app: Runner, tmp_path: Path
) -> None:
    folder = tmp_path / "watch"
    write(folder, LATIN1_NAME, gpx_run(utc(2026, 5, 1)))
    run(app, folder)
    again = run(app, folder)
    assert [(line.path.rsplit("/", 1)[-1], line.status) for line in again.files] == [
        (SHOWN_LATIN1, "duplicate")
    ]


@pytest.mark.parametrize(
    ("start", "line"),
    [
        (dt.datetime(1, 1, 1, tzinfo=dt.UTC), "activity start 0001-01-01"),
        (dt.datetime(9999, 12, 31, 23, 50, tzinfo=dt.UTC), "activity start 9999-12-31"),
    ],
    ids=["year-1", "year-9999"],
)
def test_a_gpx_outside_the_years_is_one_failed_line_and_the_files_after_it_import(
    app: Runner, tmp_path: Path, start: dt.datetime, line: str
) -> None:
    # A zone behind UTC: year 1 at midnight UTC is year 0 there, the old OverflowError.
    app.data.save_profile(replace(app.profile(), timezone="America/New_York"))
    folder = tmp_path / "watch"
    write(folder, b"a-odd.gpx", gpx_run(start))
    write(folder, b"b-fine.gpx", gpx_run(utc(2026, 5, 1)))
    for _ in range(2):  # the re-run answers the same, no crash at the same place
        lines = by_name(run(app, folder))
        assert lines["a-odd.gpx"].status == "failed"
        assert lines["a-odd.gpx"].error == f"{line} is outside the years 1900-2200"
        assert lines["b-fine.gpx"].status in {"imported", "duplicate"}
    days = [row.local_day for row in app.data.list_activities()]
    assert days == [dt.date(2026, 5, 1)]


def test_an_unexpected_error_storing_one_file_fails_that_file_only_and_names_the_error(
    app: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "watch"
    write(folder, b"a.gpx", gpx_run(utc(2026, 5, 1)))
    write(folder, b"b-cursed.gpx", gpx_run(utc(2026, 5, 2)))
    write(folder, b"c.gpx", gpx_run(utc(2026, 5, 3)))
    real_add_source = activity_rows._add_source

    def add_source_failing_for_one_file(*args: object, **kwargs: object) -> None:
        incoming = args[3]
        assert isinstance(incoming, activity_rows.IncomingFile)
        if incoming.shown.endswith("b-cursed.gpx"):
            # After the activity row is inserted: the file's transaction must roll it back.
            raise ZeroDivisionError("a storing bug")
        real_add_source(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(activity_rows, "_add_source", add_source_failing_for_one_file)
    lines = by_name(run(app, folder))
    assert [lines[name].status for name in ("a.gpx", "b-cursed.gpx", "c.gpx")] == [
        "imported",
        "failed",
        "imported",
    ]
    assert lines["b-cursed.gpx"].error == "could not be stored (ZeroDivisionError: a storing bug)"
    days = [row.local_day for row in app.data.list_activities()]
    assert days == [dt.date(2026, 5, 1), dt.date(2026, 5, 3)]
    assert "b-cursed.gpx" not in " ".join(map(str, column(app, tables.imported_files, "shown")))

    monkeypatch.undo()  # the bug fixed: the failed file was not marked seen, so it comes in
    assert by_name(run(app, folder))["b-cursed.gpx"].status == "imported"
    assert len(app.data.list_activities()) == 3


def test_a_database_refusal_storing_one_file_is_one_failed_line(
    app: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "watch"
    write(folder, b"a-refused.gpx", gpx_run(utc(2026, 5, 1)))
    write(folder, b"b.gpx", gpx_run(utc(2026, 5, 2)))
    real_insert = activity_rows._insert_activity

    def insert_breaking_a_constraint(connection: sa.Connection, owner: str, item, *rest):  # type: ignore[no-untyped-def]
        if item.local_day == dt.date(2026, 5, 1):
            connection.execute(
                tables.activities.insert(), {"id": "no-such-columns-filled", "owner_id": owner}
            )
        return real_insert(connection, owner, item, *rest)

    monkeypatch.setattr(activity_rows, "_insert_activity", insert_breaking_a_constraint)
    lines = by_name(run(app, folder))
    assert lines["a-refused.gpx"].status == "failed"
    assert lines["a-refused.gpx"].error is not None
    assert "cannot save the import of" in lines["a-refused.gpx"].error
    assert lines["b.gpx"].status == "imported"


# -- fault 1: loads left stale by an import that never reached its refresh ------------------


def import_without_refresh(app: Runner, monkeypatch: pytest.MonkeyPatch, *paths: Path) -> None:
    """The import as it stands when killed after its last file, before the refresh."""
    with monkeypatch.context() as patched:
        patched.setattr(importing, "repair_loads", lambda _app: False)
        run(app, *paths)


def kinds(app: Runner) -> list[tuple[dt.date, str, float | None]]:
    with app.store._engine.connect() as connection:  # read under the store: no repair
        rows = connection.execute(
            sa.select(
                tables.activities.c.local_day, tables.activities.c.kind, tables.activities.c.load
            ).order_by(tables.activities.c.local_day)
        )
        return [(day, kind, load) for day, kind, load in rows]


def test_files_stored_without_their_refresh_leave_the_loads_marked_pending(
    app: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_without_refresh(app, monkeypatch, LONG_RUN)
    assert kinds(app) == [(LONG_RUN_DAY, "easy", None)]
    assert loads_pending(app) > 0


def test_rerunning_the_import_after_a_missed_refresh_sets_the_loads_though_all_are_duplicates(
    app: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_without_refresh(app, monkeypatch, LONG_RUN)
    report = run(app, LONG_RUN)
    assert [line.status for line in report.files] == ["duplicate"]
    ((day, kind, load),) = kinds(app)
    assert (day, kind) == (LONG_RUN_DAY, "long")
    assert load is not None
    assert loads_pending(app) == 0


def test_check_after_a_missed_refresh_refuses_deep_tissue_on_the_long_run_day(
    app: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_without_refresh(app, monkeypatch, LONG_RUN)
    verdict = check_session(app, LONG_RUN_DAY, SessionKind.DEEP_TISSUE)
    assert not verdict.allowed
    assert loads_pending(app) == 0


def test_a_file_stored_while_loads_are_computed_keeps_the_mark_for_the_next_reader(
    app: Runner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    run(app, LONG_RUN)
    seen = loads_pending(app)
    assert seen == 0
    folder = tmp_path / "late"
    write(folder, b"late.gpx", gpx_run(utc(2026, 5, 1)))
    import_without_refresh(app, monkeypatch, folder)
    marked = loads_pending(app)
    app.data.save_loads([], settles=marked - 1)  # computed before the file
    assert loads_pending(app) == marked
    app.data.save_loads([], settles=marked)
    assert loads_pending(app) == 0


def test_a_run_logged_by_hand_and_killed_before_its_refresh_leaves_the_loads_to_repair(
    app: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    run(app, LONG_RUN)
    assert loads_pending(app) == 0
    with monkeypatch.context() as patched:  # the command as it stands when killed
        patched.setattr(daily, "refresh_loads", lambda _app: None)
        daily.log_run(app, dt.date(2019, 5, 9), 40, 3)
    assert loads_pending(app) > 0
    app.activity_workouts()  # any reader repairs
    assert loads_pending(app) == 0


def test_an_import_that_stores_nothing_new_leaves_no_mark(app: Runner) -> None:
    run(app, LONG_RUN)
    run(app, LONG_RUN)
    assert loads_pending(app) == 0


def test_reimport_forgets_and_rebuilds_with_the_loads_settled(app: Runner) -> None:
    run(app, LONG_RUN)
    reimport_all(app)
    assert kinds(app)[0][1] == "long"
    assert loads_pending(app) == 0


def test_the_long_run_is_a_hard_day_when_loads_are_current(app: Runner) -> None:
    # The premise the refusal tests rest on: with loads computed, the day is a long run.
    run(app, LONG_RUN)
    assert kinds(app)[0][1] == "long"
    assert not check_session(app, LONG_RUN_DAY, SessionKind.DEEP_TISSUE).allowed


# -- reimport: a kill half-way loses nothing ---------------------------------------------------


class Killed(BaseException):
    """Stands for the process dying: no ``except Exception`` in the code under test sees it."""


def reimport_killed_after(app: Runner, monkeypatch: pytest.MonkeyPatch, files: int) -> None:
    stored = 0
    real_store_results = reimporting.store_results

    def store_then_die(app: Runner, batch: Sequence[Any]) -> list[importing.FileReport]:
        # Killed between two commits, with ``files`` files stored.
        nonlocal stored
        lines = []
        for one in batch:
            if stored == files:
                raise Killed
            stored += 1
            lines += real_store_results(app, [one])
        return lines

    with monkeypatch.context() as patched:
        patched.setattr(reimporting, "store_results", store_then_die)
        with pytest.raises(Killed):
            reimport_all(app)


def three_runs(folder: Path) -> Path:
    for day in (1, 2, 3):
        write(folder, f"{day}.gpx".encode(), gpx_run(utc(2026, 5, day)))
    return folder


def test_a_reimport_killed_half_way_is_finished_by_the_next_reimport(
    app: Runner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    run(app, three_runs(tmp_path / "watch"))
    reimport_killed_after(app, monkeypatch, files=1)
    assert len(app.data.list_activities()) == 1
    report = reimport_all(app)
    assert [line.status for line in report.files] == ["imported"] * 3
    assert [row.local_day for row in app.data.list_activities()] == [
        dt.date(2026, 5, day) for day in (1, 2, 3)
    ]
    assert loads_pending(app) == 0


def test_after_a_killed_reimport_importing_the_files_again_brings_their_runs_back(
    app: Runner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    folder = three_runs(tmp_path / "watch")
    run(app, folder)
    reimport_killed_after(app, monkeypatch, files=1)
    statuses = sorted(line.status for line in run(app, folder).files)
    assert statuses == ["duplicate", "imported", "imported"]
    assert len(app.data.list_activities()) == 3


def test_a_database_killed_in_the_window_before_migration_9_is_repaired_after_it(
    database_url: str, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    app = build_app(Settings(home, database_url, today=dt.date(2019, 5, 10)))
    try:
        run(app, LONG_RUN)
        # Back to version 8 as an import killed before its refresh left it: no mark column,
        # the activity without its load and with the default kind.
        with app.store._engine.begin() as connection:
            connection.execute(sa.text("UPDATE activities SET load = NULL, kind = 'easy'"))
            roll_back(connection, 8)  # the mark column goes with the later tables
    finally:
        app.close()
    upgraded = build_app(Settings(home, database_url, today=dt.date(2019, 5, 10)))
    try:
        assert loads_pending(upgraded) == 1
        assert not check_session(upgraded, LONG_RUN_DAY, SessionKind.DEEP_TISSUE).allowed
        assert kinds(upgraded)[0][1] == "long"
        assert loads_pending(upgraded) == 0
    finally:
        upgraded.close()


def test_an_export_in_a_folder_whose_name_is_not_utf8_imports_and_reimports_every_file(
    app: Runner, tmp_path: Path
) -> None:
    export = os.path.join(os.fsencode(tmp_path), b"caf\xe9-strava")
    write(Path(os.fsdecode(export)) / "activities", b"run.gpx", gpx_run(utc(2026, 5, 1)))
    write(Path(os.fsdecode(export)), b"activities.csv", STRAVA_CSV.read_bytes())
    first = run(app, Path(os.fsdecode(export)))
    assert {line.status for line in first.files} == {"imported"}
    assert all("caf\\xe9-strava" in line.path for line in first.files)
    containers = {str(container) for container in column(app, tables.imported_files, "container")}
    assert len(containers) == 1
    assert containers.pop().endswith("caf\\xe9-strava")
    count = len(app.data.list_activities())
    again = reimport_all(app)
    assert {line.status for line in again.files} == {"imported"}
    assert len(app.data.list_activities()) == count
