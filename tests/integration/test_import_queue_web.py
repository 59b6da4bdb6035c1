"""Import jobs through the web app in server mode: ``POST /api/import/jobs`` stores the job
and its uploads in the database (no thread of the server imports them), a worker does it,
and ``GET /api/import/jobs/{id}``, the Import page and its report read it from there, for
the job's owner only: another runner, or a therapist, is answered 404."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from rubdown.services import import_queue
from rubdown.web.deps import shared_services
from tests.support.gpx_runs import gpx_run
from tests.support.server import People, people

pytestmark = pytest.mark.postgres


@pytest.fixture
def server(tmp_path: Path) -> Iterator[People]:
    with people(tmp_path, {"ana": "runner", "ben": "runner", "tess": "therapist"}) as made:
        yield made


def _upload(server: People, name: str, count: int) -> dict[str, object]:
    start = dt.datetime(2026, 4, 1, 7, tzinfo=dt.UTC)
    files = [
        ("files", (f"run {i}.gpx", gpx_run(start + dt.timedelta(days=i)), "application/gpx+xml"))
        for i in range(count)
    ]
    answer = server.client(name).post("/api/import/jobs", files=files)
    assert answer.status_code == 202, answer.text
    assert answer.headers["location"] == f"/api/import/jobs/{answer.json()['id']}"
    job: dict[str, object] = answer.json()
    return job


def _work(server: People, job_id: str) -> None:
    """What a ``rubdown worker`` does with the job, here in the test's process."""
    services = shared_services(server.app.state)
    import_queue.run_job(
        services.import_queue(),
        job_id,
        services.app,
        clock=lambda: dt.datetime.now(dt.UTC),
    )


def test_a_job_waits_for_a_worker_then_its_report_is_read_from_the_database(
    server: People,
) -> None:
    job = _upload(server, "ana", 2)
    assert job["state"] == "running"
    assert job["phase"] == "waiting"
    assert job["uploaded_files"] == 2
    _work(server, str(job["id"]))
    done = server.client("ana").get(f"/api/import/jobs/{job['id']}").json()
    assert done["state"] == "done", done["error"]
    assert done["report"]["summary"]["imported"] == 2
    assert sorted(line["path"] for line in done["report"]["files"]) == ["run 0.gpx", "run 1.gpx"]
    activities = server.client("ana").get("/api/activities")
    assert activities.status_code == 200
    assert len(activities.json()["activities"]) == 2


def test_the_import_page_shows_a_queued_jobs_report(server: People) -> None:
    job = _upload(server, "ana", 1)
    client = server.client("ana")
    assert client.get(f"/ui/import/jobs/{job['id']}/report").status_code == 422  # running
    _work(server, str(job["id"]))
    page = client.get(f"/import?job={job['id']}")
    assert page.status_code == 200
    assert "run 0.gpx" in page.text
    report = client.get(f"/ui/import/jobs/{job['id']}/report")
    assert report.status_code == 200
    assert "run 0.gpx" in report.text


@pytest.mark.parametrize("someone", ["ben", "tess"])
def test_someone_elses_job_is_not_found(server: People, someone: str) -> None:
    job = _upload(server, "ana", 1)
    answer = server.client(someone).get(f"/api/import/jobs/{job['id']}")
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "not_found"
    assert server.client(someone).get(f"/ui/import/jobs/{job['id']}/report").status_code == 404


def test_a_fourth_waiting_job_is_refused_as_busy(server: People) -> None:
    for _ in range(import_queue.MAX_ACTIVE):
        _upload(server, "ben", 1)
    answer = server.client("ben").post(
        "/api/import/jobs", files=[("files", ("x.gpx", b"<gpx/>", "application/gpx+xml"))]
    )
    assert answer.status_code == 429
    assert answer.json()["error"]["code"] == "busy"
