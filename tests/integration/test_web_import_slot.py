"""One import at a time per server process, whichever way the uploads came in.

Each import holds the bounded memory of one file at a time, so with one import at a time the
server's import memory is that of one file however many uploads arrive together.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from rubdown.web import routes_import
from rubdown.web.import_jobs import IMPORT_SLOT

GPX = Path(__file__).parents[1] / "data/activities/togeojson/run_gpxtpx.gpx"


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
