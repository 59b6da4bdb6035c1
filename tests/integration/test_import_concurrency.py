"""Two imports at once (issue 11, fault 4), on SQLite and PostgreSQL.

Each import runs in a thread of its own with its own ``App`` (its own engine and
connections), as two processes would. To make the race certain rather than lucky, both
imports are held at one point -- right after each has looked for an earlier copy of the
activity -- until the other arrives there too, or for at most a second: with the runner's row
held by the first import's transaction the second cannot arrive, so the wait runs out and the
first goes on alone. Without that lock both would meet there, each having found nothing, and
both would insert. A second test runs two real ``rubdown import`` processes at once.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from rubdown.bootstrap import Settings, build_app
from rubdown.services.importing import ImportReport, import_paths
from rubdown.services.loads import refresh_loads
from rubdown.store import activity_rows
from rubdown.store import schema as tables
from rubdown.store.sqlite_reader import SqliteReadStorage
from tests.support.gpx_runs import gpx_run

ROUNDS = 5
MEETING_TIMEOUT_S = 1.0  # how long one import waits for the other at the meeting point
SETTINGS_TODAY = dt.date(2026, 6, 1)


class MeetingPoint:
    """Holds each caller of ``_find_same`` until a second one arrives (or the wait runs out)."""

    def __init__(self) -> None:
        self._barrier = threading.Barrier(2, timeout=MEETING_TIMEOUT_S)
        self.met = 0

    def new_round(self) -> None:
        self._barrier = threading.Barrier(2, timeout=MEETING_TIMEOUT_S)

    def wrap(self, find_same: Callable[..., Any]) -> Callable[..., Any]:
        def find_same_then_wait(*args: Any, **kwargs: Any) -> Any:
            found = find_same(*args, **kwargs)
            try:
                self._barrier.wait()
                self.met += 1
            except threading.BrokenBarrierError:
                pass  # the other import is held elsewhere: go on alone
            return found

        return find_same_then_wait


@pytest.fixture
def meeting(monkeypatch: pytest.MonkeyPatch) -> MeetingPoint:
    point = MeetingPoint()
    monkeypatch.setattr(activity_rows, "_find_same", point.wrap(activity_rows._find_same))
    return point


def import_at_once(database_url: str, home: Path, first: Path, second: Path) -> list[ImportReport]:
    """Both paths imported at the same moment, each by an app of its own."""
    start = threading.Barrier(2)

    def one_import(path: Path) -> ImportReport:
        app = build_app(Settings(home, database_url, today=SETTINGS_TODAY))
        try:
            start.wait()
            return import_paths(app, [path], workers=1)
        finally:
            app.close()

    with ThreadPoolExecutor(2) as pool:
        futures = [pool.submit(one_import, first), pool.submit(one_import, second)]
        return [future.result(timeout=120) for future in futures]


def stored_starts(database_url: str) -> list[dt.datetime]:
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            return list(
                connection.execute(
                    sa.select(tables.activities.c.start_utc).order_by(tables.activities.c.start_utc)
                ).scalars()
            )
    finally:
        engine.dispose()


@pytest.fixture
def home(tmp_path: Path, database_url: str) -> Path:
    folder = tmp_path / "home"
    build_app(Settings(folder, database_url, today=SETTINGS_TODAY)).close()  # migrated once
    return folder


def test_the_same_run_in_two_files_imported_at_once_is_stored_once(
    database_url: str, home: Path, tmp_path: Path, meeting: MeetingPoint
) -> None:
    for round_number in range(ROUNDS):
        meeting.new_round()
        start = dt.datetime(2026, 5, 1 + round_number, 7, tzinfo=dt.UTC)
        # Two exports of one run: different bytes (names differ), the same start and sport.
        watch = tmp_path / f"watch-{round_number}.gpx"
        watch.write_bytes(gpx_run(start, name="Morning run"))
        strava = tmp_path / f"strava-{round_number}.gpx"
        strava.write_bytes(gpx_run(start, name="Tempo Tuesday"))
        reports = import_at_once(database_url, home, watch, strava)
        statuses = sorted(report.files[0].status for report in reports)
        assert statuses == ["duplicate", "imported"], f"round {round_number}"
    assert meeting.met == 0  # neither import ever looked while the other was storing
    assert len(stored_starts(database_url)) == ROUNDS


def test_the_same_file_imported_twice_at_once_is_imported_by_one_and_a_duplicate_for_the_other(
    database_url: str, home: Path, tmp_path: Path, meeting: MeetingPoint
) -> None:
    for round_number in range(ROUNDS):
        meeting.new_round()
        path = tmp_path / f"run-{round_number}.gpx"
        path.write_bytes(gpx_run(dt.datetime(2026, 5, 1 + round_number, 7, tzinfo=dt.UTC)))
        reports = import_at_once(database_url, home, path, path)
        statuses = sorted(report.files[0].status for report in reports)
        assert statuses == ["duplicate", "imported"], f"round {round_number}"
        assert not any(report.failed for report in reports)
    assert len(stored_starts(database_url)) == ROUNDS


# -- two real processes ---------------------------------------------------------------------


def start_cli_import(database_url: str, home: Path, folder: Path) -> subprocess.Popen[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("RUBDOWN_")}
    environment.update(
        RUBDOWN_TODAY=SETTINGS_TODAY.isoformat(), TZ="UTC", RUBDOWN_DATABASE_URL=database_url
    )
    return subprocess.Popen(
        [sys.executable, "-m", "rubdown", "--home", str(home), "import", str(folder), "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment,
    )


def test_two_import_processes_over_the_same_folder_never_fail_and_store_each_run_once(
    database_url: str, home: Path, tmp_path: Path
) -> None:
    for round_number in range(3):
        folder = tmp_path / f"folder-{round_number}"
        folder.mkdir()
        for i in range(6):
            start = dt.datetime(2026, 1 + round_number, 1 + i, 7, tzinfo=dt.UTC)
            (folder / f"run-{i}.gpx").write_bytes(gpx_run(start))
            # The same run again as another export of it: different bytes, one activity.
            (folder / f"run-{i}-export.gpx").write_bytes(gpx_run(start, name="Export"))
        processes = [start_cli_import(database_url, home, folder) for _ in range(2)]
        imported: list[str] = []
        for process in processes:
            out, err = process.communicate(timeout=120)
            assert process.returncode == 0, err
            assert "Traceback" not in err
            files = json.loads(out)["files"]
            assert {line["status"] for line in files} <= {"imported", "duplicate"}
            imported += [line["path"] for line in files if line["status"] == "imported"]
        assert len(imported) == 6  # one file per run, in one of the two processes
    assert len(stored_starts(database_url)) == 3 * 6


# -- a load refresh while an import replaces an activity --------------------------------------

CORPUS = Path(__file__).parents[1] / "data" / "activities"
RUN_TCX = CORPUS / "GoldenCheetah/10kUNLP2014-Garmin15.tcx"
RUN_FIT = CORPUS / "GoldenCheetah/10kUNLP2014-Garmin15.fit"  # the same run, a richer source
ORDER_TIMEOUT_S = 3.0


def test_a_refresh_during_an_import_that_replaces_an_activity_does_not_deadlock(
    database_url: str, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The import holds the runner's row and is about to replace the TCX's activity with the
    FIT's numbers; a refresh saves loads meanwhile. If the refresh locked the activity rows
    before the runner's row (the order before both took the runner's first), each would wait
    for the other: PostgreSQL would abort one of them as a deadlock."""
    first = build_app(Settings(home, database_url, today=SETTINGS_TODAY))
    try:
        import_paths(first, [RUN_TCX], workers=1)
    finally:
        first.close()
    importer = build_app(Settings(home, database_url, today=SETTINGS_TODAY))
    refresher = build_app(Settings(home, database_url, today=SETTINGS_TODAY))
    import_holds_the_runner = threading.Event()
    refresh_wrote_activities = threading.Event()

    def on_execute(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("UPDATE ACTIVITIES"):
            refresh_wrote_activities.set()

    # The refresh writes through the full store: on SQLite the home is read with sqlite3.
    writer = refresher.store
    if isinstance(writer, SqliteReadStorage):
        writer = writer.full_store()
    sa.event.listen(writer._engine, "after_cursor_execute", on_execute)
    real_find_same = activity_rows._find_same

    def find_same_then_let_the_refresh_run(*args: Any, **kwargs: Any) -> Any:
        found = real_find_same(*args, **kwargs)
        import_holds_the_runner.set()
        # Give the refresh its chance to lock activity rows first; with the runner's row
        # held here it cannot, and the wait runs out.
        refresh_wrote_activities.wait(ORDER_TIMEOUT_S)
        return found

    monkeypatch.setattr(activity_rows, "_find_same", find_same_then_let_the_refresh_run)

    def refresh_once() -> None:
        assert import_holds_the_runner.wait(30)
        refresh_loads(refresher)

    try:
        with ThreadPoolExecutor(2) as pool:
            importing = pool.submit(import_paths, importer, [RUN_FIT], workers=1)
            refreshing = pool.submit(refresh_once)
            report = importing.result(timeout=120)
            refreshing.result(timeout=120)  # a deadlock victim would raise StoreError here
        assert [line.status for line in report.files] == ["duplicate"]  # merged, replaced
        assert len(stored_starts(database_url)) == 1
        assert importer.data.loads_pending() == 0
    finally:
        importer.close()
        refresher.close()
