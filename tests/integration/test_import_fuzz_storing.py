"""Mutated FIT, GPX and TCX files through the whole import, storing step included (issue 11).

The parser fuzzers (test_import_fit, _gpx, _tcx) show a damaged file never crashes a
decoder; these follow what the decoders let through into a real SQLite store: bytes edited
or cut anywhere, and timestamps moved to any year from 0001 to 9999. Whatever comes in, every
file ends as exactly one report line, nothing outside 1900-2200 is stored, the store stays
consistent (no activity without its source and file row, no stream without its activity),
loads are settled, and importing the same folder again changes nothing.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from pathlib import Path

import sqlalchemy as sa
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from rubdown.bootstrap import Settings, build_app
from rubdown.services.importing import ImportReport, import_paths
from rubdown.services.runner import Runner
from rubdown.store import sqlite_url_for_home

CORPUS = Path(__file__).parents[1] / "data" / "activities"
ORIGINALS = {
    "fit": (CORPUS / "tormoder-fit/activity-small-fenix2-run.fit").read_bytes()[:4000],
    "gpx": (CORPUS / "togeojson/run_gpxtpx.gpx").read_bytes(),
    "tcx": (CORPUS / "togeojson/bad.tcx").read_bytes(),
}
STATUSES = {"imported", "duplicate", "skipped", "failed", "partial"}
YEAR = re.compile(rb"(?<=<time>)\d{4}|(?<=<Time>)\d{4}", re.IGNORECASE)

CONSISTENCY = {
    "activity without a source": "SELECT count(*) FROM activities a WHERE NOT EXISTS "
    "(SELECT 1 FROM activity_sources s WHERE s.activity_id = a.id)",
    "source without its file row": "SELECT count(*) FROM activity_sources s WHERE NOT EXISTS "
    "(SELECT 1 FROM imported_files f WHERE f.sha256 = s.sha256 AND f.owner_id = s.owner_id)",
    "stream without its activity": "SELECT count(*) FROM activity_streams t WHERE NOT EXISTS "
    "(SELECT 1 FROM activities a WHERE a.id = t.activity_id)",
    "activity outside 1900-2200": "SELECT count(*) FROM activities WHERE local_day < '1900-01-01'"
    " OR local_day > '2200-12-31' OR start_utc < '1900-01-01' OR start_utc >= '2201-01-01'",
    "activity left without its load": "SELECT count(*) FROM activities"
    " WHERE load_basis IS NOT NULL AND load IS NULL",
    "loads still pending": "SELECT count(*) FROM runners WHERE loads_pending <> 0",
}


@st.composite
def mutated_files(draw: st.DrawFn) -> tuple[str, bytes]:
    """One of the samples with any of: its timestamps moved to another year (all of them, or
    only the first two, which stretches the run across centuries), bytes scribbled over, the
    end cut off."""
    kind = draw(st.sampled_from(sorted(ORIGINALS)))
    data = ORIGINALS[kind]
    if kind != "fit" and draw(st.booleans()):
        year = b"%04d" % draw(st.integers(1, 9999))
        data = YEAR.sub(year, data, 0 if draw(st.integers(0, 3)) else 2)
    scribbled = bytearray(data)
    for _ in range(draw(st.integers(0, 4))):
        scribbled[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    if draw(st.booleans()):
        return kind, bytes(scribbled[: draw(st.integers(len(data) // 2, len(data)))])
    return kind, bytes(scribbled)


def import_folder(app: Runner, folder: Path) -> ImportReport:
    return import_paths(app, [folder], salvage=True, workers=1)


def problems(app: Runner) -> list[str]:
    with app.store._engine.connect() as connection:  # the test looks under the store
        return [
            name for name, sql in CONSISTENCY.items() if connection.exec_driver_sql(sql).scalar()
        ]


def count_activities(app: Runner) -> int:
    with app.store._engine.connect() as connection:
        return int(connection.exec_driver_sql("SELECT count(*) FROM activities").scalar_one())


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.lists(mutated_files(), min_size=1, max_size=4))
def test_mutated_files_each_end_as_one_line_and_leave_the_store_consistent(
    files: list[tuple[str, bytes]],
) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        folder = root / "watch"
        folder.mkdir()
        for i, (kind, data) in enumerate(files):
            (folder / f"{i}.{kind}").write_bytes(data)
        home = root / "home"
        app = build_app(Settings(home, sqlite_url_for_home(home), today=dt.date(2026, 6, 1)))
        try:
            report = import_folder(app, folder)
            assert sorted(Path(line.path).name for line in report.files) == sorted(
                f"{i}.{kind}" for i, (kind, _) in enumerate(files)
            )
            for line in report.files:
                event(f"{Path(line.path).suffix} {line.status}")
                assert line.status in STATUSES
                if line.status == "failed":
                    assert line.error
                    assert "\n" not in line.error
            assert problems(app) == []
            stored = count_activities(app)

            again = import_folder(app, folder)
            assert len(again.files) == len(files)
            assert {line.status for line in again.files} <= {"duplicate", "failed", "skipped"}
            assert count_activities(app) == stored
            assert problems(app) == []
        finally:
            app.close()


def test_the_year_mutation_reaches_the_store_and_is_refused_there() -> None:
    # The premise of the mutation above: a GPX moved to year 9999 parses, and only the
    # storing step's date policy keeps it out.
    moved = YEAR.sub(b"9999", ORIGINALS["gpx"])
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        (root / "watch").mkdir()
        (root / "watch" / "late.gpx").write_bytes(moved)
        home = root / "home"
        app = build_app(Settings(home, sqlite_url_for_home(home), today=dt.date(2026, 6, 1)))
        try:
            (line,) = import_folder(app, root / "watch").files
            assert line.status == "failed"
            assert line.error == "activity start 9999-01-19 is outside the years 1900-2200"
            assert count_activities(app) == 0
        finally:
            app.close()


def test_the_store_check_sees_loads_left_pending() -> None:
    # The consistency checks can fail: loads an import left to be recomputed are found.
    with tempfile.TemporaryDirectory() as scratch:
        home = Path(scratch) / "home"
        app = build_app(Settings(home, sqlite_url_for_home(home), today=dt.date(2026, 6, 1)))
        try:
            with app.store._engine.begin() as connection:
                connection.execute(sa.text("UPDATE runners SET loads_pending = 1"))
            assert problems(app) == ["loads still pending"]
        finally:
            app.close()
