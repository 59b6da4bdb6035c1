"""Deleting an account in server mode (PostgreSQL): only with the account's password, checked
as a login is; the account, its sessions and data go, other people's stay; the export of a
logged-in runner is theirs only."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from rubdown.bootstrap import Settings, open_store, upgrade_database
from rubdown.domain.accounts import Role, User
from rubdown.web.app import create_app
from tests.pg import fresh_postgres_url
from tests.support.accounts import PASSWORD, logged_in_client, make_user
from tests.support.web import TODAY, assert_error

RACE = {"name": "Spring Marathon", "date": "2027-03-14", "priority": "A", "distance_km": 42.195}


@pytest.fixture(params=[pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url() -> Iterator[str]:
    """Server mode runs on PostgreSQL only."""
    with fresh_postgres_url() as url:
        yield url


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> FastAPI:
    settings = Settings(tmp_path / "home", database_url, today=TODAY, server=True)
    upgrade_database(settings)
    return create_app(settings)


@pytest.fixture
def users(database_url: str, app: FastAPI) -> dict[str, User]:
    with open_store(database_url) as store:
        return {
            "ana": make_user(store, "ana@example.org", Role.RUNNER),
            "bo": make_user(store, "bo@example.org", Role.RUNNER),
            "tess": make_user(store, "tess@example.org", Role.THERAPIST),
        }


def test_a_runner_deletes_their_account_with_the_password_only(
    app: FastAPI, users: dict[str, User]
) -> None:
    with logged_in_client(app, "bo@example.org") as bo:
        assert bo.post("/api/races", json={**RACE, "name": "Bo's race"}).status_code == 201
        with logged_in_client(app, "ana@example.org") as ana:
            assert ana.post("/api/races", json=RACE).status_code == 201
            exported = ana.get("/api/export/all")
            assert exported.status_code == 200
            with zipfile.ZipFile(io.BytesIO(exported.content)) as archive:
                manifest = json.loads(archive.read("manifest.json"))
                assert manifest["tables"]["races"]["rows"] == 1
                assert manifest["tables"]["users"]["rows"] == 1
                assert "password_hash" not in manifest["tables"]["users"]["columns"]
                assert b"Bo's race" not in archive.read("tables/races.json")

            for body, status in (({"confirm": "delete"}, 422), ({"password": "wrong"}, 401)):
                assert_error(ana.request("DELETE", "/api/account", json=body), status)
            assert ana.get("/api/races").json()["races"]

            deleted = ana.request("DELETE", "/api/account", json={"password": PASSWORD})

            assert deleted.status_code == 200, deleted.text
            assert deleted.json()["rows"]["users"] == 1
            # The session went with the account.
            assert_error(ana.get("/api/races"), 401)
        assert [race["name"] for race in bo.get("/api/races").json()["races"]] == ["Bo's race"]
    with TestClient(app, base_url="http://127.0.0.1:8765") as anonymous:
        refused = anonymous.post(
            "/api/login", json={"email": "ana@example.org", "password": PASSWORD}
        )
        assert refused.status_code == 401


def test_a_therapist_deletes_their_account_too(app: FastAPI, users: dict[str, User]) -> None:
    with logged_in_client(app, "tess@example.org") as tess:
        deleted = tess.request("DELETE", "/api/account", json={"password": PASSWORD})

        assert deleted.status_code == 200, deleted.text
        assert deleted.json()["rows"]["users"] == 1
