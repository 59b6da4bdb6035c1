"""``rubdown serve`` opens one store for the whole server and gives each request a cheap
services context around it, on SQLite and PostgreSQL: reading writes nothing, a write from
another process is seen at once, and stopping the server closes the store."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import anyio.to_thread
import pytest
from fastapi.testclient import TestClient

from rubdown import bootstrap
from rubdown.bootstrap import Settings, build_app
from rubdown.domain.model import Priority
from rubdown.errors import StoreError
from rubdown.services.feeds import new_feed_secret
from rubdown.services.season import add_race
from rubdown.store import Store, open_store
from rubdown.web import deps
from rubdown.web.app import create_app
from rubdown.web.cache import plan as plan_cache
from rubdown.web.guard import CSRF_HEADER
from tests.support.web import opened

TODAY = dt.date(2027, 1, 4)
BASE = "http://127.0.0.1:8765"
READS = ("/api/plan", "/api/today", "/today", "/api/races", "/api/plan?to=2027-02-01")


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(tmp_path / "home", database_url, today=TODAY)


@pytest.fixture
def feed_path(settings: Settings) -> str:
    """A season with a race, and the path of its calendar feed."""
    with opened(settings) as app:
        add_race(app, "Spring Marathon", dt.date(2027, 3, 14), Priority.A)
        return f"/feeds/{new_feed_secret(app)}.ics"


@pytest.fixture(autouse=True)
def empty_plan_cache() -> Iterator[None]:
    plan_cache.CACHE.clear()
    yield
    plan_cache.CACHE.clear()


def data_version(settings: Settings) -> int:
    with open_store(settings.database_url) as store:
        return store.version_stamp(settings.owner_id).data_version


def test_every_request_shares_one_store_opened_once(
    settings: Settings, feed_path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[Store] = []
    real_open = open_store

    def counting_open(url: str) -> Store:
        opened.append(real_open(url))
        return opened[-1]

    monkeypatch.setattr(bootstrap, "open_store", counting_open)
    with TestClient(create_app(settings), base_url=BASE) as client:
        for path in (*READS, feed_path, *READS):
            assert client.get(path).status_code == 200, path

    assert len(opened) == 1


def test_reading_pages_the_api_and_the_feed_writes_nothing(
    settings: Settings, feed_path: str
) -> None:
    before = data_version(settings)
    with TestClient(create_app(settings), base_url=BASE) as client:
        for path in (*READS, feed_path):
            assert client.get(path).status_code == 200, path

    assert data_version(settings) == before


def test_a_write_from_another_process_is_served_at_once(settings: Settings, feed_path: str) -> None:
    with TestClient(create_app(settings), base_url=BASE) as client:
        races = client.get("/api/races").json()["races"]
        plan_before = client.get("/api/plan").content
        app = build_app(settings)  # as the command line would, in another process
        try:
            add_race(app, "Summer 10k", dt.date(2027, 2, 13), Priority.B)
        finally:
            app.close()

        assert len(client.get("/api/races").json()["races"]) == len(races) + 1
        assert client.get("/api/plan").content != plan_before


def test_a_write_through_the_api_is_served_at_once(settings: Settings, feed_path: str) -> None:
    with TestClient(create_app(settings), base_url=BASE) as client:
        client.headers[CSRF_HEADER] = client.get("/api/session").json()["csrf_token"]
        before = client.get("/api/plan").json()
        race = {"name": "Summer 10k", "date": "2027-02-13", "priority": "B"}
        assert client.post("/api/races", json=race).status_code == 201

        after = client.get("/api/plan").json()

    assert after != before
    assert "Summer 10k" in str(after)


def test_stopping_the_server_closes_the_shared_store(
    settings: Settings, feed_path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    closed: list[Store] = []
    real_close = Store.close

    def counting_close(store: Store) -> None:
        closed.append(store)
        real_close(store)

    monkeypatch.setattr(Store, "close", counting_close)
    web = create_app(settings)
    with TestClient(web, base_url=BASE) as client:
        for path in READS:
            assert client.get(path).status_code == 200
        assert closed == []  # each request's context leaves the shared store open

    assert len(closed) == 1
    assert web.state.services is None


def test_a_store_that_cannot_be_opened_is_tried_again_by_the_next_request(
    settings: Settings, feed_path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_open = open_store
    failures = [StoreError("cannot reach the database: connection refused")]

    def failing_once(url: str) -> Store:
        if failures:
            raise failures.pop()
        return real_open(url)

    monkeypatch.setattr(bootstrap, "open_store", failing_once)
    with TestClient(create_app(settings), base_url=BASE) as client:
        refused = client.get("/api/races")
        served = client.get("/api/races")

    assert refused.status_code == 500
    assert refused.json()["error"]["message"] == "cannot reach the database: connection refused"
    assert served.status_code == 200


def test_the_server_bounds_its_worker_threads(settings: Settings) -> None:
    with TestClient(create_app(settings), base_url=BASE) as client:
        assert client.portal is not None
        limiter = client.portal.call(anyio.to_thread.current_default_thread_limiter)

    assert limiter.total_tokens == deps.WORKER_THREADS
