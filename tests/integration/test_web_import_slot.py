"""One import at a time per server process, whichever way the uploads came in.

Each import holds the bounded memory of one file at a time, so with one import at a time the
server's import memory is that of one file however many uploads arrive together.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from rubdown.bootstrap import Settings
from rubdown.store import sqlite_url_for_home
from rubdown.web import routes_import
from rubdown.web.app import create_app
from rubdown.web.import_jobs import IMPORT_SLOT
from tests.support.web import signed_client

GPX = Path(__file__).parents[1] / "data/activities/togeojson/run_gpxtpx.gpx"


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    home = tmp_path / "home"
    settings = Settings(home, sqlite_url_for_home(home), today=dt.date(2027, 1, 4))
    with signed_client(create_app(settings)) as test_client:
        yield test_client


def test_an_upload_waits_while_another_import_holds_the_process_slot(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[str] = []
    real = routes_import.import_paths

    def recorded(*args: Any, **kwargs: Any) -> Any:
        started.append("import")
        return real(*args, **kwargs)

    monkeypatch.setattr(routes_import, "import_paths", recorded)
    answers: list[Any] = []
    files = [("files", (GPX.name, GPX.read_bytes(), "application/octet-stream"))]
    upload = threading.Thread(
        target=lambda: answers.append(client.post("/api/import", files=files))
    )

    with IMPORT_SLOT:  # as a background job holds it while it imports
        upload.start()
        upload.join(1.0)
        assert upload.is_alive()
        assert started == []
    upload.join(60)

    assert started == ["import"]
    (answer,) = answers
    assert answer.status_code == 200, answer.text
    assert answer.json()["summary"]["imported"] == 1
