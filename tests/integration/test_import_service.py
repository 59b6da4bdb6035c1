"""The import service end to end on SQLite and PostgreSQL: files, exports, duplicates, safety."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from rubdown.bootstrap import Settings, build_app
from rubdown.domain.activity import Sport
from rubdown.importers import fit, strava
from rubdown.services import importing
from rubdown.services.importing import ImportReport, import_paths
from rubdown.services.reimporting import reimport_all
from rubdown.services.runner import Runner
from rubdown.store import activity_rows
from rubdown.store import schema as tables

CORPUS = Path(__file__).parents[1] / "data" / "activities"
EXPORTS = Path(__file__).parents[1] / "data" / "exports"
RUN_FIT = CORPUS / "GoldenCheetah/10kUNLP2014-Garmin15.fit"
RUN_TCX = CORPUS / "GoldenCheetah/10kUNLP2014-Garmin15.tcx"


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Runner]:
    built = build_app(Settings(tmp_path / "home", database_url, today=dt.date(2027, 1, 4)))
    try:
        yield built
    finally:
        built.close()


def run(app: Runner, *paths: Path, salvage: bool = False, workers: int = 1) -> ImportReport:
    return import_paths(app, list(paths), salvage=salvage, workers=workers)


def table_counts(app: Runner) -> dict[str, int]:
    names = ("activities", "activity_sources", "activity_streams", "imported_files", "wellness")
    engine = app.store._engine  # the test looks under the store on purpose
    with engine.connect() as connection:
        return {
            name: connection.execute(
                sa.select(sa.func.count()).select_from(tables.metadata.tables[name])
            ).scalar_one()
            for name in names
        }


def test_a_folder_of_files_is_imported_and_bad_files_are_reported(
    app: Runner, tmp_path: Path
) -> None:
    folder = tmp_path / "watch"
    folder.mkdir()
    shutil.copy(CORPUS / "tormoder-fit/activity-small-fenix2-run.fit", folder / "a.fit")
    shutil.copy(CORPUS / "tormoder-fit/activity-filecrc.fit", folder / "b.fit")
    (folder / "c.gpx").write_bytes(gzip.compress(RUN_TCX.read_bytes()))  # mislabelled, gzipped
    (folder / "d.fit").write_bytes(b"\x00" * 100)
    report = run(app, folder)
    by_name = {Path(f.path.split("!")[0]).name: f for f in report.files}
    assert by_name["a.fit"].status == "imported"
    assert by_name["a.fit"].records == 2809
    assert by_name["b.fit"].status == "failed"
    assert by_name["b.fit"].error == "CRC mismatch at byte 771"
    assert by_name["c.gpx"].format == "tcx"
    assert by_name["c.gpx"].status == "imported"
    assert by_name["d.fit"].status == "failed"
    assert report.failed
    assert len(app.data.list_activities()) == 2


def test_importing_the_same_files_again_adds_nothing(app: Runner) -> None:
    first = run(app, CORPUS / "tormoder-fit", CORPUS / "GoldenCheetah/3386684871.fit")
    before = table_counts(app)
    second = run(app, CORPUS / "tormoder-fit", CORPUS / "GoldenCheetah/3386684871.fit")
    assert table_counts(app) == before
    imported = [f for f in first.files if f.status == "imported"]
    assert imported
    assert {f.path for f in second.files if f.status == "duplicate"} >= {f.path for f in imported}
    assert second.summary["imported"] == 0


def test_one_run_from_the_watch_and_from_an_export_is_one_activity_with_two_sources(
    app: Runner,
) -> None:
    report = run(app, RUN_TCX, RUN_FIT)
    assert [f.status for f in report.files] == ["imported", "duplicate"]
    (row,) = app.data.list_activities()
    sources = app.data.activity_sources(row.activity.id)
    assert sorted(s["format"] for s in sources) == ["fit", "tcx"]
    # The device file is the richer source: its numbers replace the export's.
    assert row.activity.records == 686
    assert row.activity.sport is Sport.RUNNING


def test_salvage_keeps_the_records_before_the_damage_and_marks_the_activity_partial(
    app: Runner,
) -> None:
    damaged = CORPUS / "python-fitparse/strava-android-app-201.10-b1218918.fit"
    refused = run(app, damaged)
    assert refused.files[0].status == "failed"
    assert app.data.list_activities() == []
    salvaged = run(app, damaged, salvage=True)
    assert salvaged.files[0].status == "partial"
    assert salvaged.files[0].records == 473
    (row,) = app.data.list_activities()
    assert row.activity.partial


def strava_export(root: Path) -> Path:
    """A Strava-shaped export built from corpus files and the synthetic activities.csv."""
    export = root / "export_1"
    (export / "activities").mkdir(parents=True)
    shutil.copy(EXPORTS / "strava/activities.csv", export / "activities.csv")
    shutil.copy(CORPUS / "GoldenCheetah/14582164182.fit.gz", export / "activities")
    shutil.copy(CORPUS / "activatr/running_example.gpx.gz", export / "activities")
    shutil.copy(CORPUS / "activatr/running_example.tcx.gz", export / "activities")
    (export / "media").mkdir()
    (export / "media" / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    return export


def test_a_strava_export_names_its_activities_and_brings_manual_ones(
    app: Runner, tmp_path: Path
) -> None:
    export = strava_export(tmp_path)
    report = run(app, export)
    statuses = {f.path.rsplit("/", 1)[-1]: f.status for f in report.files}
    assert statuses["activities.csv"] == "imported"  # its manual rows
    assert statuses["14582164182.fit.gz"] == "imported"
    # The same run as GPX and TCX: one of them is a second source of the other.
    assert sorted([statuses["running_example.gpx.gz"], statuses["running_example.tcx.gz"]]) == [
        "duplicate",
        "imported",
    ]
    index = strava.parse_activities_csv((export / "activities.csv").read_bytes())
    listed = index.for_file("activities/14582164182.fit.gz")
    assert listed is not None
    rows = app.data.list_activities()
    fit_row = next(r for r in rows if r.activity.records == 2760)
    assert fit_row.activity.name == listed.name
    manual = {row.name for row in index.rows if not row.filename}
    assert manual
    assert manual <= {row.activity.name for row in rows}


def test_a_zipped_strava_export_gives_the_same_activities_as_the_folder(
    app: Runner, tmp_path: Path
) -> None:
    export = strava_export(tmp_path)
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for path in sorted(export.rglob("*")):
            if path.is_file():
                out.write(path, path.relative_to(tmp_path).as_posix())
    zipped = run(app, archive)
    assert not zipped.failed
    found = sorted((r.activity.start, r.activity.name) for r in app.data.list_activities())
    assert len(found) >= 3
    assert all("!" in f.path for f in zipped.files)


def test_a_garmin_export_merges_the_summary_and_the_device_file(
    app: Runner, tmp_path: Path
) -> None:
    data = (CORPUS / "tormoder-fit/activity-small-fenix2-run.fit").read_bytes()
    run_activity = fit.parse(data).activities[0]
    start_ms = int(run_activity.start.timestamp() * 1000)
    summaries = [
        {
            "summarizedActivitiesExport": [
                {
                    "activityId": 987654,
                    "name": "Morning Run",
                    "activityType": "running",
                    "startTimeGmt": start_ms,
                    "startTimeLocal": start_ms + 7_200_000,
                    "duration": run_activity.duration_s * 1000,
                    "distance": 900_000,
                }
            ]
        }
    ]
    nested = io.BytesIO()
    with zipfile.ZipFile(nested, "w") as inner:
        inner.writestr("123_ACTIVITY.fit", data)
    archive = tmp_path / "garmin.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr(
            "DI_CONNECT/DI-Connect-Fitness/runner_0_summarizedActivities.json",
            json.dumps(summaries),
        )
        out.writestr(
            "DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip", nested.getvalue()
        )
        out.writestr(
            "DI_CONNECT/DI-Connect-Aggregator/UDSFile_2015-08-01_2015-09-01.json",
            json.dumps([{"calendarDate": "2015-08-15", "restingHeartRate": 48}]),
        )
    report = run(app, archive)
    assert not report.failed, report.files
    (row,) = app.data.list_activities()
    assert row.activity.records == 2809  # the device file's numbers won
    assert row.activity.name == "Morning Run"  # the summary's name stayed
    sources = app.data.activity_sources(row.activity.id)
    assert sorted(s["format"] for s in sources) == ["fit", "garmin-summaries"]
    (day,) = app.data.list_wellness()
    assert (day.day, day.resting_hr_bpm) == (dt.date(2015, 8, 15), 48)


def test_an_apple_health_export_is_streamed_into_activities_and_wellness(
    app: Runner, tmp_path: Path
) -> None:
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.write(EXPORTS / "apple_health/export.xml", "apple_health_export/export.xml")
    report = run(app, archive)
    assert not report.failed, report.files
    assert app.data.list_activities()
    assert app.data.list_wellness()


@pytest.mark.parametrize("batch", [1, importing.STORE_BATCH_FILES], ids=["alone", "batched"])
def test_a_file_whose_transaction_fails_leaves_nothing_half_stored_and_a_rerun_finishes(
    app: Runner, monkeypatch: pytest.MonkeyPatch, batch: int
) -> None:
    files = [
        CORPUS / "tormoder-fit/activity-small-fenix2-run.fit",
        CORPUS / "GoldenCheetah/3386684871.fit",
        CORPUS / "GoldenCheetah/Garmin920_withFirstbeat.fit",
    ]
    real_upsert = activity_rows._upsert_file
    calls = {"n": 0}

    def upsert(*args: Any) -> None:
        # The last statement of a file's rows: the activity rows are already in.
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt  # as if the runner pressed Ctrl-C right there
        real_upsert(*args)

    monkeypatch.setattr(importing, "STORE_BATCH_FILES", batch)
    monkeypatch.setattr(activity_rows, "_upsert_file", upsert)
    with pytest.raises(KeyboardInterrupt):
        run(app, *files)
    monkeypatch.undo()
    # Stored one at a time, the first file is in; stored together, none is. Either way no
    # file is half stored.
    stored = 1 if batch == 1 else 0
    counts = table_counts(app)
    assert counts["activities"] == stored
    assert counts["activity_sources"] == stored
    assert counts["imported_files"] == stored
    again = run(app, *files)
    first = "duplicate" if stored else "imported"
    assert [f.status for f in again.files] == [first, "imported", "imported"]
    assert table_counts(app)["activities"] == 3


def test_reimport_derives_the_same_activities_from_the_kept_originals(app: Runner) -> None:
    run(app, RUN_FIT, CORPUS / "GoldenCheetah/3386684871.fit", RUN_TCX)
    before = [
        (r.activity.start, r.activity.sport, r.activity.records, r.local_day)
        for r in app.data.list_activities()
    ]
    report = reimport_all(app)
    assert not report.failed
    after = [
        (r.activity.start, r.activity.sport, r.activity.records, r.local_day)
        for r in app.data.list_activities()
    ]
    assert after == before


def test_imported_runs_count_as_workouts_in_the_season(app: Runner) -> None:
    run(app, CORPUS / "tormoder-fit/mornindew-broken.fit")  # a 2 h 24 min run
    (row,) = app.data.list_activities()
    assert row.kind == "long"
    workouts = [w for w in app.season().workouts if w.source == "activity"]
    assert [(w.day, w.is_hard) for w in workouts] == [(row.local_day, True)]


def test_the_pool_gives_the_same_result_as_one_process(app: Runner, tmp_path: Path) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    sources = sorted(CORPUS.glob("tormoder-fit/*.fit")) + sorted(CORPUS.glob("GoldenCheetah/*.fit"))
    for i, path in enumerate(sources):
        shutil.copy(path, folder / f"{i:03d}-{path.name}")
    pooled = run(app, folder, workers=2)
    statuses = [(Path(f.path).name, f.status, f.records) for f in pooled.files]
    other = build_app(Settings(tmp_path / "other", f"sqlite:///{tmp_path / 'other.db'}"))
    try:
        single = import_paths(other, [folder], workers=1)
    finally:
        other.close()
    assert statuses == [(Path(f.path).name, f.status, f.records) for f in single.files]


def test_reimport_keeps_the_names_strava_gave_the_files_it_lists(
    app: Runner, tmp_path: Path
) -> None:
    run(app, strava_export(tmp_path))
    before = sorted(
        (r.activity.start, r.activity.name, r.activity.source_ref)
        for r in app.data.list_activities()
    )
    reimport_all(app)
    after = sorted(
        (r.activity.start, r.activity.name, r.activity.source_ref)
        for r in app.data.list_activities()
    )
    assert after == before
    assert any(name for _, name, _ in after)


def test_files_added_to_a_strava_export_later_still_get_their_csv_names(
    app: Runner, tmp_path: Path
) -> None:
    export = strava_export(tmp_path)
    held_back = export / "activities" / "running_example.tcx.gz"
    kept = tmp_path / "held-back.tcx.gz"
    held_back.rename(kept)
    (export / "activities" / "running_example.gpx.gz").unlink()
    run(app, export)
    kept.rename(held_back)
    again = run(app, export)
    statuses = {f.path.rsplit("/", 1)[-1]: f.status for f in again.files}
    assert statuses["activities.csv"] == "duplicate"
    assert statuses["running_example.tcx.gz"] == "imported"
    index = strava.parse_activities_csv((export / "activities.csv").read_bytes())
    listed = index.for_file("activities/running_example.tcx.gz")
    assert listed is not None
    names = {r.activity.name for r in app.data.list_activities()}
    assert listed.name in names


def test_an_apple_export_xml_given_on_its_own_is_streamed_too(app: Runner) -> None:
    report = run(app, EXPORTS / "apple_health" / "export.xml")
    assert [f.format for f in report.files] == ["apple-health"]
    assert report.files[0].status == "imported"
    assert app.data.list_wellness()
