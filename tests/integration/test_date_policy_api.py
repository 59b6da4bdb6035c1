"""One date policy over HTTP: every date field of every API body, query and path, and the
date fields of the pages' forms and links, refuse a day outside the years 1900-2200
(``rubdown.domain.dates``) with 422 and the API's error shape (a page: its error page), and
nothing stored changes; the first and last accepted days are taken. On SQLite and
PostgreSQL (issue 11, fault 3)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from rubdown.bootstrap import Settings
from rubdown.domain.model import Condition, Priority, WorkoutKind
from rubdown.domain.regions import parse_region
from rubdown.services import daily, season
from rubdown.services.planning import make_plan
from rubdown.store import sqlite_url_for_home
from rubdown.web.app import create_app
from tests.e2e.cli import assert_unchanged
from tests.pg import fresh_postgres_url
from tests.support.web import opened, signed_client

TODAY = dt.date(2027, 1, 4)
FAR_DAYS = ["0001-01-01", "9999-12-31", "1899-12-31", "2201-01-01"]
D = "{day}"


@dataclass(frozen=True)
class Server:
    settings: Settings
    client: TestClient
    ids: dict[str, str]  # the seeded race's, workout's and planned session's
    engine: sa.Engine
    tables: sa.MetaData  # reflected once: the schema does not change under these tests

    def stored(self) -> dict[str, list[str]]:
        """Every row of every table, sorted: the full stored state (as ``stored_rows``)."""
        with self.engine.connect() as connection:
            return {
                name: sorted(repr(tuple(row)) for row in connection.execute(sa.select(table)))
                for name, table in sorted(self.tables.tables.items())
            }


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """One seeded runner and server per database kind for the whole module: every request
    here is refused and must change nothing, which each test checks, so they can share it."""
    with ExitStack() as stack:
        home = tmp_path_factory.mktemp("dates") / "home"
        if request.param == "sqlite":
            url = sqlite_url_for_home(home)
        else:
            url = stack.enter_context(fresh_postgres_url())
        settings = Settings(home, url, today=TODAY)
        with opened(settings) as app:
            season.add_race(app, "Spring Marathon", dt.date(2027, 3, 14), Priority.A, 42.195)
            season.add_workout(app, dt.date(2027, 3, 3), WorkoutKind.TEMPO, 60.0)
            make_plan(app)
            daily.start_injury(app, parse_region("calf"), Condition.OVERUSE, TODAY)
        client = stack.enter_context(signed_client(create_app(settings)))
        engine = sa.create_engine(url)
        stack.callback(engine.dispose)
        tables = sa.MetaData()
        tables.reflect(engine)
        yield Server(settings, client, refs(settings), engine, tables)


def refs(settings: Settings) -> dict[str, str]:
    with opened(settings) as app:
        return {
            "race": app.data.list_races()[0].id or "",
            "workout": app.data.list_workouts()[0].id or "",
            "session": app.data.load_plan()[0].key,
            "injury": app.data.list_injuries()[0].id,
        }


def fill(value: Any, day: str, ids: dict[str, str]) -> Any:
    if isinstance(value, str):
        return value.format(day=day, **ids)
    if isinstance(value, dict):
        return {key: fill(item, day, ids) for key, item in value.items()}
    return value


# (id, method, path, keyword arguments of the request with the date under test)
API_DATES: list[tuple[str, str, str, dict[str, Any]]] = [
    ("race-add", "POST", "/api/races", {"json": {"name": "Far", "date": D, "priority": "A"}}),
    ("race-patch", "PATCH", "/api/races/{race}", {"json": {"date": D}}),
    ("workout-add", "POST", "/api/workouts", {"json": {"date": D, "kind": "tempo"}}),
    ("workout-patch", "PATCH", "/api/workouts/{workout}", {"json": {"date": D}}),
    (
        "pattern-from",
        "POST",
        "/api/patterns",
        {"json": {"from": D, "to": "2027-03-01", "spec": "tue:tempo"}},
    ),
    (
        "pattern-to",
        "POST",
        "/api/patterns",
        {"json": {"from": "2027-01-04", "to": D, "spec": "tue:tempo"}},
    ),
    ("recovery-week-add", "POST", "/api/recovery-weeks", {"json": {"date": D}}),
    ("recovery-week-remove", "DELETE", "/api/recovery-weeks/" + D, {}),
    ("booking", "POST", "/api/bookings", {"json": {"date": D, "kind": "sports"}}),
    ("check", "POST", "/api/check", {"json": {"date": D, "kind": "sports"}}),
    ("plan-get-from", "GET", "/api/plan", {"params": {"from": D}}),
    ("plan-get-to", "GET", "/api/plan", {"params": {"to": D}}),
    ("plan-post-start", "POST", "/api/plan", {"json": {"start": D}}),
    ("plan-post-end", "POST", "/api/plan", {"json": {"end": D}}),
    ("today", "GET", "/api/today", {"params": {"date": D}}),
    ("load-from", "GET", "/api/load", {"params": {"from": D}}),
    ("load-to", "GET", "/api/load", {"params": {"to": D}}),
    ("load-chart-from", "GET", "/api/load/chart", {"params": {"from": D}}),
    ("load-chart-to", "GET", "/api/load/chart", {"params": {"to": D}}),
    ("why", "GET", "/api/why/" + D, {}),
    ("activities-from", "GET", "/api/activities", {"params": {"from": D}}),
    ("activities-to", "GET", "/api/activities", {"params": {"to": D}}),
    ("wellness-from", "GET", "/api/wellness", {"params": {"from": D}}),
    ("wellness-to", "GET", "/api/wellness", {"params": {"to": D}}),
    ("heatmap-end", "GET", "/api/checkins/heatmap", {"params": {"end": D}}),
    ("body-map", "GET", "/api/checkins/map", {"params": {"date": D}}),
    ("log-massage", "POST", "/api/log/massage", {"json": {"date": D, "kind": "sports"}}),
    ("log-run", "POST", "/api/log/run", {"json": {"date": D, "duration_min": 30, "rpe": 5}}),
    ("checkin", "POST", "/api/checkins", {"json": {"date": D, "soreness": {"calf": 3}}}),
    (
        "injury-start",
        "POST",
        "/api/injuries",
        {"json": {"region": "calf", "condition": "overuse", "date": D}},
    ),
    (
        "routine-log",
        "POST",
        "/api/today/routine-log",
        {
            "json": {
                "routine": "pre-run",
                "steps_done": 1,
                "steps_skipped": 0,
                "seconds": 60,
                "completed": True,
                "date": D,
            }
        },
    ),
    (
        "routine-log-started-at",
        "POST",
        "/api/today/routine-log",
        {
            "json": {
                "routine": "pre-run",
                "steps_done": 1,
                "steps_skipped": 0,
                "seconds": 60,
                "completed": True,
                "started_at": D + "T12:00:00+00:00",
            }
        },
    ),
    (
        "pain-flag",
        "POST",
        "/api/today/pain-flag",
        {"json": {"region": "calf", "quality": "dull", "date": D}},
    ),
    ("injury-end", "POST", "/api/injuries/{injury}/end", {"json": {"date": D}}),
    ("session-move", "POST", "/api/plan/sessions/{session}/move", {"json": {"date": D}}),
]


@pytest.mark.parametrize("day", FAR_DAYS)
@pytest.mark.parametrize(
    ("method", "path", "request_args"),
    [pytest.param(m, p, a, id=name) for name, m, p, a in API_DATES],
)
def test_every_api_date_field_refuses_a_day_outside_the_years_and_stores_nothing(
    server: Server, method: str, path: str, request_args: dict[str, Any], day: str
) -> None:
    ids = server.ids
    before = server.stored()
    response = server.client.request(method, fill(path, day, ids), **fill(request_args, day, ids))
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid_date"
    assert day in error["message"]
    assert "outside the years 1900-2200" in error["message"]
    assert_unchanged(before, server.stored())


@pytest.mark.parametrize("month", ["0001-01", "9999-12", "1899-12", "2201-01"])
@pytest.mark.parametrize("path", ["/api/plan/month", "/plan", "/ui/plan/month"])
def test_a_plan_month_outside_the_years_is_refused_not_a_server_error(
    server: Server, path: str, month: str
) -> None:
    response = server.client.get(path, params={"month": month})
    assert response.status_code == 422, response.text
    assert "outside the years 1900-2200" in response.text


@pytest.mark.parametrize("month", ["1900-01", "2200-12"])
def test_the_first_and_last_accepted_months_are_shown(server: Server, month: str) -> None:
    response = server.client.get("/api/plan/month", params={"month": month})
    assert response.status_code == 200, response.text
    assert response.json()["month"] == month


PAGE_DATES: list[tuple[str, str, str, dict[str, Any]]] = [
    ("today-page", "GET", "/today", {"params": {"date": D}}),
    ("why-fragment", "GET", "/ui/today/why", {"params": {"date": D}}),
    ("plan-check", "GET", "/ui/plan/check", {"params": {"date": D, "kind": "sports"}}),
    ("load-page", "GET", "/load", {"params": {"from": D}}),
    ("checkin-page", "GET", "/checkin", {"params": {"date": D}}),
    ("checkin-save", "POST", "/ui/checkin/save", {"data": {"date": D, "sore-calf": "3"}}),
    (
        "injury-open",
        "POST",
        "/ui/checkin/injuries",
        {"data": {"part": "calf", "condition": "overuse", "date": D}},
    ),
    ("injury-end", "POST", "/ui/checkin/injuries/{injury}/end", {"data": {"date": D}}),
]


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
@pytest.mark.parametrize(
    ("method", "path", "request_args"),
    [pytest.param(m, p, a, id=name) for name, m, p, a in PAGE_DATES],
)
def test_every_page_date_refuses_a_day_outside_the_years_and_stores_nothing(
    server: Server, method: str, path: str, request_args: dict[str, Any], day: str
) -> None:
    before = server.stored()
    ids = server.ids
    response = server.client.request(method, fill(path, day, ids), **fill(request_args, day, ids))
    assert response.status_code == 422, response.text
    assert "outside the years 1900-2200" in response.text
    assert_unchanged(before, server.stored())


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(tmp_path / "home", database_url, today=TODAY)


@pytest.mark.parametrize("day", ["1900-01-01", "2200-12-31"])
def test_the_first_and_last_accepted_days_are_stored_through_the_api(
    client: TestClient, day: str
) -> None:
    response = client.post("/api/races", json={"name": "Edge", "date": day, "priority": "C"})
    assert response.status_code == 201, response.text
    assert response.json()["date"] == day
    assert [race["date"] for race in client.get("/api/races").json()["races"]].count(day) == 1
