"""The Import page and the background import jobs of ``rubdown serve``, through FastAPI's test
client on a temporary SQLite home, with real activity files from ``tests/data/activities``.

A job runs in a thread of the server; the tests poll ``GET /api/import/jobs/{id}`` the way the
page does, until the job is no longer running.
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from rubdown.bootstrap import Settings
from rubdown.errors import NotFound, StoreError
from rubdown.services import importing
from rubdown.services.importing import FileReport
from rubdown.services.runner import Runner
from rubdown.web import import_jobs
from rubdown.web.app import create_app
from rubdown.web.guard import CSRF_HEADER
from rubdown.web.import_jobs import ImportJob, ImportJobs
from tests.support.web import assert_error, signed_client

BASE = "http://127.0.0.1:8765"
UPLOAD_LIMIT = 1024 * 1024  # small, so the oversized upload in a test is quick to build
CORPUS = Path(__file__).parents[1] / "data/activities"
FIT = CORPUS / "tormoder-fit/activity-small-fenix2-run.fit"
SMALL_FIT = CORPUS / "python-fitparse/garmin-fenix-5-run.fit"
GPX = CORPUS / "togeojson/run_gpxtpx.gpx"
TCX = CORPUS / "python-tcxparser/test.tcx"
GARMIN_ZIP = CORPUS / "GoldenCheetah/GarminFR955v18.zip"
DAMAGED = CORPUS / "python-fitparse/strava-android-app-201.10-b1218918.fit"


@pytest.fixture
def uploads_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where the uploads' temporary folders go, so a test can see them come and go."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.fixture
def client(settings: Settings, uploads_dir: Path) -> Iterator[TestClient]:
    app = create_app(settings, max_upload_bytes=UPLOAD_LIMIT)
    with signed_client(app) as test_client:
        yield test_client


def upload(*paths: Path, names: dict[Path, str] | None = None) -> list[tuple[str, Any]]:
    names = names or {}
    return [
        ("files", (names.get(p, p.name), p.read_bytes(), "application/octet-stream")) for p in paths
    ]


def start(client: TestClient, files: list[tuple[str, Any]], **form: str) -> dict[str, Any]:
    response = client.post("/api/import/jobs", files=files, data=form)
    assert response.status_code == 202, response.text
    job = dict(response.json())
    assert response.headers["location"] == f"/api/import/jobs/{job['id']}"
    return job


def finished(client: TestClient, job_id: str, timeout_s: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while True:
        response = client.get(f"/api/import/jobs/{job_id}")
        assert response.status_code == 200, response.text
        job = dict(response.json())
        if job["state"] != "running":
            return job
        assert time.monotonic() < deadline, f"the job is still running: {job}"
        time.sleep(0.05)


def statuses(job: dict[str, Any]) -> dict[str, str]:
    return {line["path"]: line["status"] for line in job["report"]["files"]}


def report_page(client: TestClient, job_id: str) -> str:
    response = client.get(f"/ui/import/jobs/{job_id}/report")
    assert response.status_code == 200, response.text
    return str(response.text)


def file_rows(html: str) -> list[tuple[str, str]]:
    """(status, the file cell's text) per row of ``table#import-file-list``, in page order."""
    table = html.split('id="import-file-list"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r'<tr data-status="(\w+)">(.*?)</tr>', table, re.S)
    cells = [re.findall(r'<td class="import-name">(.*?)</td>', row, re.S) for _, row in rows]
    text = [re.sub(r"<[^>]+>", "", cell[0]).strip() for cell in cells]
    return [(status, name) for (status, _), name in zip(rows, text, strict=True)]


# -- the page ---------------------------------------------------------------------------------


def test_the_import_page_has_the_upload_form_the_progress_bar_and_the_sources(
    client: TestClient,
) -> None:
    response = client.get("/import")
    assert response.status_code == 200
    html = response.text
    assert 'id="import-form"' in html
    assert re.search(r'<input id="import-files" name="files" type="file" multiple', html)
    assert re.search(r'<input id="import-salvage" name="salvage" type="checkbox"', html)
    assert '<button type="submit" id="import-start">' in html
    assert '<progress id="import-progress"' in html
    assert 'id="import-status"' in html
    assert 'id="import-report"' in html
    assert 'for="import-files"' in html
    assert 'for="import-salvage"' in html
    for source in ("Download your data", "Export Your Data", "Export All Health\n        Data"):
        assert source in html
    assert "/static/js/import.js" in html
    assert "/static/css/import.css" in html
    assert 'aria-current="page">Import<' in html


def test_the_page_script_and_style_are_served(client: TestClient) -> None:
    script = client.get("/static/js/import.js")
    assert script.status_code == 200
    assert "/api/import/jobs" in script.text
    assert "upload.addEventListener" in script.text
    assert client.get("/static/css/import.css").status_code == 200


# -- jobs -------------------------------------------------------------------------------------


def test_a_job_imports_real_files_and_reports_each_file_as_post_import_does(
    client: TestClient,
) -> None:
    job = start(client, upload(FIT, GPX, TCX))
    assert job["state"] == "running"
    assert job["uploaded_files"] == 3
    done = finished(client, job["id"])
    assert done["state"] == "done", done
    assert done["error"] is None
    assert statuses(done) == {FIT.name: "imported", GPX.name: "imported", TCX.name: "imported"}
    assert set(done["report"]) == {
        "files",
        "summary",
        "races",
        "workouts",
        "duplicates",
        "skipped_events",
    }
    assert done["report"]["summary"]["imported"] == 3
    assert {line["format"] for line in done["report"]["files"]} == {"fit", "gpx", "tcx"}
    assert done["files_done"] == done["files_total"] == 3
    assert len(client.get("/api/activities").json()["activities"]) == 3


def test_polling_a_running_job_shows_files_done_of_total_the_current_file_and_a_rate(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = threading.Event()
    first_file_done = threading.Event()
    real_import = importing.import_paths

    def held_after_the_first_file(*args: Any, progress: Any, **kwargs: Any) -> Any:
        def report(line: FileReport) -> None:
            progress(line)
            if not first_file_done.is_set():
                first_file_done.set()
                assert gate.wait(30)

        return real_import(*args, progress=report, **kwargs)

    monkeypatch.setattr(import_jobs, "import_paths", held_after_the_first_file)
    job = start(client, upload(SMALL_FIT, GPX, TCX, names={SMALL_FIT: "first run.fit"}))
    try:
        assert first_file_done.wait(30)
        running = client.get(f"/api/import/jobs/{job['id']}").json()
    finally:
        gate.set()
    assert running["state"] == "running"
    assert running["phase"] == "importing"
    assert running["files_done"] == 1
    assert running["files_total"] == 3
    assert running["current_file"] == "first run.fit"  # the client's name, not the saved one
    assert running["rate_files_per_s"] > 0
    assert running["report"] is None
    assert running["error"] is None
    done = finished(client, job["id"])
    assert done["state"] == "done"
    assert done["files_done"] == 3
    assert done["report"]["summary"]["imported"] == 3


def test_a_file_uploaded_again_is_reported_as_duplicate(client: TestClient) -> None:
    first = finished(client, start(client, upload(FIT))["id"])
    assert statuses(first) == {FIT.name: "imported"}
    again = finished(client, start(client, upload(FIT, names={FIT: "same run.fit"}))["id"])
    assert statuses(again) == {"same run.fit": "duplicate"}
    assert again["report"]["summary"]["duplicate"] == 1
    assert len(client.get("/api/activities").json()["activities"]) == 1


def test_random_bytes_fail_with_a_problem_while_the_other_files_are_imported(
    client: TestClient,
) -> None:
    files = [("files", ("noise.fit", os.urandom(4096), "application/octet-stream"))]
    job = finished(client, start(client, files + upload(FIT))["id"])
    assert job["state"] == "done"
    assert statuses(job) == {"noise.fit": "failed", FIT.name: "imported"}
    [noise] = [line for line in job["report"]["files"] if line["status"] == "failed"]
    assert noise["error"]
    assert "\n" not in noise["error"]
    html = report_page(client, job["id"])
    assert file_rows(html)[0] == ("failed", "noise.fit")  # failed files first
    assert noise["error"].split("'")[0] in html  # the problem is shown on its row
    assert "could not be read" in html


def test_the_salvage_flag_keeps_a_damaged_file_as_partial(client: TestClient) -> None:
    refused = finished(client, start(client, upload(DAMAGED))["id"])
    assert statuses(refused) == {DAMAGED.name: "failed"}
    kept = finished(client, start(client, upload(DAMAGED), salvage="true")["id"])
    assert kept["salvage"] is True
    assert statuses(kept) == {DAMAGED.name: "partial"}
    assert ("partial", DAMAGED.name) in file_rows(report_page(client, kept["id"]))


def test_an_unknown_job_is_a_404_in_the_error_shape(client: TestClient) -> None:
    assert_error(client.get("/api/import/jobs/no-such-job"), 404, "not_found")
    assert_error(client.get("/ui/import/jobs/no-such-job/report"), 404, "not_found")


def test_a_job_upload_over_the_limit_is_refused_with_413_and_no_job_starts(
    client: TestClient, uploads_dir: Path
) -> None:
    big = b"\0" * (UPLOAD_LIMIT + 1)
    response = client.post(
        "/api/import/jobs", files=[("files", ("big.fit", big, "application/octet-stream"))]
    )
    assert_error(response, 413, "too_large")
    assert client.get("/api/activities").json()["activities"] == []
    assert list(uploads_dir.iterdir()) == []
    assert import_jobs.jobs_in(client.app.state).known() == []  # type: ignore[attr-defined]


def test_a_job_without_files_is_a_validation_error(client: TestClient) -> None:
    assert_error(client.post("/api/import/jobs", data={"salvage": "true"}), 422, "invalid_input")


def test_starting_a_job_without_the_csrf_token_is_refused(client: TestClient) -> None:
    del client.headers[CSRF_HEADER]
    assert_error(client.post("/api/import/jobs", files=upload(FIT)), 403, "csrf")
    client.headers["X-Rubdown-CSRF"] = "a guess"
    assert_error(client.post("/api/import/jobs", files=upload(FIT)), 403, "csrf")
    assert client.get("/api/activities").json()["activities"] == []


def test_the_uploaded_files_are_removed_when_the_job_ends(
    client: TestClient, uploads_dir: Path
) -> None:
    job = finished(client, start(client, upload(FIT, GPX))["id"])
    assert job["state"] == "done"
    assert list(uploads_dir.iterdir()) == []


def test_an_unexpected_error_fails_the_job_with_one_line_and_removes_the_uploads(
    client: TestClient, uploads_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("secret detail\nTraceback (most recent call last): ...")

    monkeypatch.setattr(import_jobs, "import_paths", broken)
    job = finished(client, start(client, upload(FIT))["id"])
    assert job["state"] == "failed"
    assert job["report"] is None
    assert job["error"] == import_jobs.UNEXPECTED
    assert "secret" not in str(job)
    assert "Traceback" not in str(job)
    assert list(uploads_dir.iterdir()) == []
    page = client.get(f"/import?job={job['id']}").text
    assert "The import stopped: " + import_jobs.UNEXPECTED in page


def test_a_rubdown_error_fails_the_job_with_its_first_line(
    client: TestClient, uploads_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def locked(*_args: Any, **_kwargs: Any) -> Any:
        raise StoreError("the database is locked\nmore detail")

    monkeypatch.setattr(import_jobs, "import_paths", locked)
    job = finished(client, start(client, upload(FIT))["id"])
    assert (job["state"], job["error"]) == ("failed", "the database is locked")
    assert list(uploads_dir.iterdir()) == []


# -- the report in the page -------------------------------------------------------------------


def test_the_report_counts_files_per_format_and_shows_archive_members_as_archive_bang_member(
    client: TestClient,
) -> None:
    job = finished(client, start(client, upload(GARMIN_ZIP, GPX))["id"])
    assert job["state"] == "done"
    member = f"{GARMIN_ZIP.name}!14211916346_ACTIVITY.fit"
    assert statuses(job) == {member: "imported", GPX.name: "imported"}
    html = report_page(client, job["id"])
    assert ("imported", member) in file_rows(html)
    summary = html.split('id="import-summary"', 1)[1].split("</table>", 1)[0]
    assert re.search(r'<th scope="row">fit</th>\s*<td class="num">1</td>', summary)
    assert re.search(r'<th scope="row">gpx</th>\s*<td class="num">1</td>', summary)
    assert re.search(r'<th scope="row">All</th>\s*<td class="num">2</td>', summary)
    assert 'href="/load"' in html
    assert 'href="/today"' in html


def test_file_names_with_markup_are_escaped_in_the_page_report(client: TestClient) -> None:
    # A slash would end the name there (only its last part is kept), so none in these.
    script = "<script>alert('x').fit"
    image = "<img src=x onerror=alert(1)>.fit"
    noise = os.urandom(2048)
    files = [
        ("files", (script, noise, "application/octet-stream")),
        ("files", (image, FIT.read_bytes(), "application/octet-stream")),
    ]
    job = finished(client, start(client, files)["id"])
    assert job["state"] == "done"
    assert statuses(job) == {script: "failed", image: "imported"}  # JSON: names as sent
    for html in (report_page(client, job["id"]), client.get(f"/import?job={job['id']}").text):
        assert "<script>alert" not in html
        assert "<img src=x" not in html
        assert "&lt;script&gt;alert(&#39;x&#39;).fit" in html
        assert "&lt;img src=x onerror=alert(1)&gt;.fit" in html
        assert 'id="import-summary"' in html
        assert 'data-status="failed"' in html


def test_the_report_of_a_running_job_is_not_ready_yet(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = threading.Event()
    real_import = importing.import_paths

    def held(*args: Any, **kwargs: Any) -> Any:
        assert gate.wait(30)
        return real_import(*args, **kwargs)

    monkeypatch.setattr(import_jobs, "import_paths", held)
    job = start(client, upload(SMALL_FIT))
    try:
        assert_error(client.get(f"/ui/import/jobs/{job['id']}/report"), 422, "invalid_input")
        page = client.get(f"/import?job={job['id']}").text
        assert f'data-job="{job["id"]}" data-state="running"' in page
    finally:
        gate.set()
    assert finished(client, job["id"])["state"] == "done"


def test_a_forgotten_job_in_the_page_address_is_explained_not_an_error(
    client: TestClient,
) -> None:
    response = client.get("/import?job=long-gone")
    assert response.status_code == 200
    assert "no longer remembered" in response.text


# -- the registry -----------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now_s = 1000.0

    def __call__(self) -> float:
        return self.now_s


def finished_job(jobs: ImportJobs, job_id: str, at_s: float) -> None:
    job = ImportJob(job_id, 1, False, at_s, state="done", phase="done", finished_s=at_s)
    jobs._jobs[job_id] = job


def no_app() -> Runner:
    raise AssertionError("these jobs never import")


def test_finished_jobs_are_forgotten_after_a_while_and_only_the_newest_are_kept() -> None:
    clock = Clock()
    jobs = ImportJobs(no_app, clock=clock, max_finished=3, keep_finished_s=60)
    for index in range(5):
        finished_job(jobs, f"job{index}", 1000.0 + index)
    assert jobs.known() == ["job2", "job3", "job4"]
    clock.now_s = 1062.5  # job2 finished 60.5 s ago, job3 59.5 s ago
    assert jobs.known() == ["job3", "job4"]
    assert_error_is_not_found(jobs, "job2")
    clock.now_s = 1070.0
    assert jobs.known() == []


def assert_error_is_not_found(jobs: ImportJobs, job_id: str) -> None:
    with pytest.raises(NotFound):
        jobs.view(job_id)


def test_more_jobs_than_may_run_at_once_are_refused_with_429(
    client: TestClient, uploads_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = threading.Event()
    real_import = importing.import_paths

    def held(*args: Any, **kwargs: Any) -> Any:
        assert gate.wait(30)
        return real_import(*args, **kwargs)

    monkeypatch.setattr(import_jobs, "import_paths", held)
    registry = import_jobs.jobs_in(client.app.state)  # type: ignore[attr-defined]
    monkeypatch.setattr(registry, "max_active", 2)
    try:
        first = start(client, upload(SMALL_FIT))
        second = start(client, upload(GPX))
        refused = client.post("/api/import/jobs", files=upload(TCX))
        assert_error(refused, 429, "busy")
        phases = {
            client.get(f"/api/import/jobs/{j['id']}").json()["phase"] for j in (first, second)
        }
        assert "waiting" in phases  # one import at a time
    finally:
        gate.set()
    for job in (first, second):
        assert finished(client, job["id"])["state"] == "done"
    assert list(uploads_dir.iterdir()) == []
