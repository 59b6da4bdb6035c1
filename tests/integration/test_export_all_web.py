"""The Settings page's "Your data": the zip of everything from ``GET /api/export/all``, and
deleting the account with ``DELETE /api/account`` or the page's form (local mode)."""

from __future__ import annotations

import io
import json
import zipfile

from fastapi.testclient import TestClient

from rubdown.bootstrap import Settings
from rubdown.domain.model import Priority
from rubdown.services import season
from tests.support.web import assert_error, opened, stored


def seed(settings: Settings) -> None:
    with opened(settings) as app:
        season.update_profile(app, name="Ana")
        season.add_race(app, "Harbour Half", app.today().replace(month=2, day=14), Priority.A, 21.1)


def test_the_export_is_a_zip_of_every_table_with_its_manifest(
    client: TestClient, settings: Settings
) -> None:
    seed(settings)

    response = client.get("/api/export/all")

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    assert "rubdown-export-2027-01-04.zip" in response.headers["content-disposition"]
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        assert manifest["format"] == "rubdown-export"
        assert manifest["tables"]["races"]["rows"] == 1
        assert b"Harbour Half" in archive.read("tables/races.csv")
        assert set(manifest["members"]) == set(archive.namelist()) - {"manifest.json"}


def test_the_settings_page_offers_the_download_and_the_deletion(client: TestClient) -> None:
    page = client.get("/settings").text

    assert 'href="/api/export/all"' in page
    assert 'hx-post="/ui/account/delete"' in page
    assert 'name="confirm"' in page


def test_deleting_the_account_needs_the_word_and_otherwise_changes_nothing(
    client: TestClient, settings: Settings
) -> None:
    seed(settings)
    before = stored(settings)

    for body in ({}, {"confirm": "yes"}):
        response = client.request("DELETE", "/api/account", json=body)
        assert_error(response, 422, "invalid_input")

    assert stored(settings) == before


def test_deleting_the_account_removes_everything_and_the_runner_starts_afresh(
    client: TestClient, settings: Settings
) -> None:
    seed(settings)
    assert client.get("/api/races").json()["races"]  # an answer kept before the deletion

    response = client.request("DELETE", "/api/account", json={"confirm": "delete"})

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["deleted"] is True
    assert body["rows"]["races"] == 1
    assert body["rows"]["profiles"] == 1
    assert client.get("/api/races").json()["races"] == []
    assert client.get("/api/profile").json()["name"] != "Ana"
    # The same server takes the fresh runner's data at once.
    added = client.post(
        "/api/races", json={"name": "Park 10K", "date": "2027-01-24", "priority": "C"}
    )
    assert added.status_code in (200, 201), added.text


def test_the_settings_form_deletes_with_the_word(client: TestClient, settings: Settings) -> None:
    seed(settings)

    refused = client.post("/ui/account/delete", data={"confirm": "no"})
    assert_error(refused, 422)
    assert stored(settings)["races"]

    response = client.post("/ui/account/delete", data={"confirm": "delete"})

    assert response.status_code == 200, response.text
    assert "Deleted." in response.text
    assert stored(settings)["races"] == []
