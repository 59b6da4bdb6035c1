"""``rubdown import`` through the real command: the report, bad files, archives, a kill."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from tests.e2e.cli import TODAY, Result, Storage, assert_unchanged

CORPUS = Path(__file__).parents[1] / "data" / "activities"
STATUSES = {"imported", "duplicate", "skipped", "failed", "partial"}


@pytest.fixture
def mixed_folder(tmp_path: Path) -> Path:
    """Good files next to every kind of bad one a runner's disk may hold."""
    folder = tmp_path / "from-the-watch"
    folder.mkdir()
    shutil.copy(CORPUS / "tormoder-fit/activity-small-fenix2-run.fit", folder)
    shutil.copy(CORPUS / "GoldenCheetah/14582164182.fit.gz", folder)
    shutil.copy(CORPUS / "togeojson/run.gpx", folder)
    (folder / "noise.fit").write_bytes(os.urandom(3000))
    whole = (CORPUS / "GoldenCheetah/3386684871.fit").read_bytes()
    (folder / "cut.fit").write_bytes(whole[: len(whole) // 2])
    (folder / "empty.tcx").write_bytes(b"")
    with zipfile.ZipFile(folder / "sneaky.zip", "w") as archive:
        archive.writestr("../../escaped.fit", whole)
        archive.writestr("/etc/also-escaped.fit", whole)
    with (
        zipfile.ZipFile(folder / "bomb.zip", "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open("zeros.fit", "w", force_zip64=True) as member,
    ):
        block = bytes(1 << 20)
        for _ in range(300):
            member.write(block)
    return folder


def report_of(result: Result) -> dict[str, dict[str, object]]:
    document = result.json()
    assert set(document["summary"]) >= {"imported", "duplicate", "skipped", "failed"}
    return {Path(f["path"].replace("!", "/")).name: f for f in document["files"]}


def test_import_reports_each_file_and_goes_on_past_bad_ones(
    storage: Storage, mixed_folder: Path, tmp_path: Path
) -> None:
    result = storage.run("import", str(mixed_folder), "--json")
    assert result.code == 1  # something failed
    assert "Traceback" not in result.err
    files = report_of(result)
    for entry in files.values():
        assert entry["status"] in STATUSES
        assert set(entry) == {"path", "format", "status", "activities", "records", "error"}
    assert files["activity-small-fenix2-run.fit"]["status"] == "imported"
    assert files["activity-small-fenix2-run.fit"]["records"] == 2809
    assert files["14582164182.fit.gz"]["status"] == "imported"
    assert files["run.gpx"]["status"] == "imported"
    assert files["noise.fit"]["status"] == "failed"
    assert files["cut.fit"]["status"] == "failed"
    assert files["empty.tcx"]["status"] == "failed"
    assert "zip bomb" in str(files["zeros.fit"]["error"]) or "zip bomb" in result.err
    # The traversal names were read as content, shown as given, and written nowhere.
    escaped = [f for f in result.json()["files"] if "escaped" in f["path"]]
    assert [f["status"] for f in escaped] == ["duplicate", "duplicate"] or all(
        f["status"] in ("imported", "duplicate") for f in escaped
    )
    assert not (tmp_path / "escaped.fit").exists()
    assert not Path("/etc/also-escaped.fit").exists()
    # Every failed file has its one line on stderr; nothing else is there.
    failed = [f for f in result.json()["files"] if f["status"] == "failed"]
    assert len(result.err.splitlines()) == len(failed)


def test_importing_the_same_folder_again_changes_nothing(
    storage: Storage, mixed_folder: Path
) -> None:
    storage.run("import", str(mixed_folder), "--json")
    before = storage.stored()
    again = storage.run("import", str(mixed_folder), "--json")
    assert again.json()["summary"]["imported"] == 0
    assert_unchanged(before, storage.stored())


def test_salvage_turns_a_cut_file_into_a_partial_activity(
    storage: Storage, mixed_folder: Path
) -> None:
    result = storage.run("import", str(mixed_folder / "cut.fit"), "--salvage", "--json")
    assert result.code == 0, result.err
    (entry,) = result.json()["files"]
    assert entry["status"] == "partial"
    assert entry["records"] > 0
    listed = storage.run("activities", "--json").document()["activities"]
    assert [a["partial"] for a in listed] == [True]


def test_a_path_that_does_not_exist_is_one_line_and_stores_nothing(storage: Storage) -> None:
    result = storage.run("import", "/nowhere/at/all.fit")
    assert result.code != 0
    assert result.err.count("\n") == 1
    assert "/nowhere/at/all.fit" in result.err


def test_imported_runs_are_listed_with_their_day_load_and_kind(storage: Storage) -> None:
    storage.run("import", str(CORPUS / "tormoder-fit/mornindew-broken.fit"))
    (activity,) = storage.run("activities", "--json").document()["activities"]
    assert activity["sport"] == "running"
    assert activity["kind"] == "long"
    assert activity["load"] > 0
    assert activity["date"] == "2019-05-18"


def consistency_problems(database_url: str) -> list[str]:
    """Rows that point nowhere or activities without the file row that brought them."""
    engine = sa.create_engine(database_url, poolclass=NullPool)
    checks = {
        "activity without a source": "SELECT count(*) FROM activities a WHERE NOT EXISTS "
        "(SELECT 1 FROM activity_sources s WHERE s.activity_id = a.id)",
        "source without its file row": "SELECT count(*) FROM activity_sources s WHERE NOT EXISTS "
        "(SELECT 1 FROM imported_files f WHERE f.sha256 = s.sha256)",
        "stream without activity": "SELECT count(*) FROM activity_streams t WHERE NOT EXISTS "
        "(SELECT 1 FROM activities a WHERE a.id = t.activity_id)",
    }
    try:
        with engine.connect() as connection:
            tables = set(sa.inspect(connection).get_table_names())
            if "activities" not in tables:
                return []
            return [
                name for name, sql in checks.items() if connection.exec_driver_sql(sql).scalar()
            ]
    finally:
        engine.dispose()


def activity_keys(database_url: str) -> list[tuple[str, str, int]]:
    engine = sa.create_engine(database_url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            rows = connection.exec_driver_sql(
                "SELECT start_utc, sport, records FROM activities ORDER BY start_utc, sport"
            )
            return [(str(r[0])[:19], r[1], r[2]) for r in rows]
    finally:
        engine.dispose()


def start_import(storage: Storage, folder: Path) -> subprocess.Popen[bytes]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("RUBDOWN_")}
    environment.update(RUBDOWN_TODAY=TODAY, TZ="UTC", **storage.env)
    return subprocess.Popen(
        [sys.executable, "-m", "rubdown", "--home", str(storage.home), "import", str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=environment,
    )


def wait_for_some_files(storage: Storage, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            engine = sa.create_engine(storage.database_url, poolclass=NullPool)
            with engine.connect() as connection:
                if connection.exec_driver_sql("SELECT count(*) FROM imported_files").scalar():
                    return
        except sa.exc.SQLAlchemyError:
            pass  # not created yet
        finally:
            engine.dispose()
        time.sleep(0.02)


def test_an_import_killed_midway_leaves_whole_files_only_and_a_rerun_finishes_the_job(
    storage: Storage, tmp_path: Path
) -> None:
    folder = tmp_path / "history"
    shutil.copytree(CORPUS, folder)
    process = start_import(storage, folder)
    wait_for_some_files(storage, process)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert consistency_problems(storage.database_url) == []
    rerun = storage.run("import", str(folder), "--json")
    assert "Traceback" not in rerun.err
    assert consistency_problems(storage.database_url) == []
    clean = Storage.sqlite(tmp_path / "clean-home")
    clean.run("import", str(folder), "--json")
    assert activity_keys(storage.database_url) == activity_keys(clean.database_url)
    assert len(activity_keys(clean.database_url)) > 40


def test_reimport_rebuilds_the_same_activities(storage: Storage) -> None:
    storage.run("import", str(CORPUS / "GoldenCheetah"))
    before = activity_keys(storage.database_url)
    result = storage.run("reimport", "--json")
    assert result.code == 0, result.err
    assert activity_keys(storage.database_url) == before


def test_wellness_from_a_garmin_export_is_listed_per_day(storage: Storage, tmp_path: Path) -> None:
    archive = tmp_path / "garmin.zip"
    exports = Path(__file__).parents[1] / "data" / "exports" / "garmin"
    with zipfile.ZipFile(archive, "w") as out:
        for path in sorted(exports.rglob("*.json")):
            out.write(path, path.relative_to(exports.parent / "garmin").as_posix())
    result = storage.run("import", str(archive), "--json")
    assert result.code == 0, result.err
    days = storage.run("wellness", "--json").document()["days"]
    assert days
    assert all(d["source"] == "garmin" for d in days)
    assert any(d["resting_hr_bpm"] for d in days)


def test_the_plan_says_which_load_values_behind_hard_days_were_estimated(
    storage: Storage,
) -> None:
    before = storage.run("plan", "--json").document()
    assert before["estimated_load_values"] == []  # no activities: no load decides anything
    storage.run("import", str(CORPUS / "tormoder-fit/mornindew-broken.fit"))
    after = storage.run("plan", "--json").document()
    assert "max_hr_bpm" in after["estimated_load_values"]
    storage.run("profile", "set", "--max-hr", "190")
    given = storage.run("plan", "--json").document()
    assert "max_hr_bpm" not in given["estimated_load_values"]
    text = storage.run("plan").out
    assert "estimated" in text
