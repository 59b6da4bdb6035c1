"""``GET /api/plan`` makes the plan once per state of its inputs and reuses it otherwise.

Every test counts the planner's runs (``build_plan``, through monkeypatch): a read with
unchanged inputs must not plan, and a change to any input must give the plan made from it.
The inputs' state is the runner's data version (``Store.version_stamp``), "today" and the
range; every test runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from rubdown.bootstrap import Settings, build_app
from rubdown.domain.availability import OpeningWindow, WeeklyHours
from rubdown.domain.model import Workout, WorkoutKind
from rubdown.services import planning, views
from rubdown.store import Store, open_store
from rubdown.web.app import create_app
from rubdown.web.cache import plan as plan_cache
from tests.support.web import opened, signed_client

TODAY = dt.date(2027, 1, 4)  # a Monday
BASE = "http://127.0.0.1:8765"
RACE = {"name": "Spring Marathon", "date": "2027-03-14", "priority": "A", "distance_km": 42.195}


class Counter:
    def __init__(self) -> None:
        self.calls = 0


@pytest.fixture
def plans(monkeypatch: pytest.MonkeyPatch) -> Counter:
    """How many times the planner runs."""
    counter = Counter()
    real = planning.build_plan

    def counting(*args: Any, **kwargs: Any) -> Any:
        counter.calls += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(planning, "build_plan", counting)
    return counter


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """On SQLite, where a cached plan is served on the event loop, and on PostgreSQL, where
    every read goes through a worker thread."""
    return Settings(tmp_path / "home", database_url, today=TODAY)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    plan_cache.CACHE.clear()
    with signed_client(create_app(settings)) as test_client:
        post = test_client.post("/api/races", json=RACE)
        assert post.status_code == 201, post.text
        for week in range(10):
            day = TODAY + dt.timedelta(weeks=week, days=1)
            post = test_client.post(
                "/api/workouts", json={"date": day.isoformat(), "kind": "tempo"}
            )
            assert post.status_code == 201, post.text
        yield test_client
    plan_cache.CACHE.clear()


def get_plan(client: TestClient, **params: str) -> dict[str, Any]:
    response = client.get("/api/plan", params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    return dict(response.json())


def test_unchanged_inputs_give_the_same_document_without_planning_again(
    client: TestClient, plans: Counter
) -> None:
    first = client.get("/api/plan")
    assert plans.calls == 1
    for _ in range(3):
        again = client.get("/api/plan")
        assert again.content == first.content
    assert plans.calls == 1
    assert first.json()["sessions"]
    assert first.json()["estimated_load_values"] == []


def test_the_cached_document_is_what_the_planner_makes(
    client: TestClient, settings: Settings
) -> None:
    cached = get_plan(client)
    assert get_plan(client) == cached
    with opened(settings) as app:
        fresh = views.plan_view(planning.make_plan(app, save=False), app.kb)
    assert {"alerts": [], **fresh, "estimated_load_values": []} == cached


def test_a_new_race_gives_a_new_plan(client: TestClient, plans: Counter) -> None:
    before = get_plan(client)
    race = {**RACE, "name": "Summer 10k", "date": "2027-02-13", "priority": "B"}
    assert client.post("/api/races", json=race).status_code == 201
    after = get_plan(client)
    assert plans.calls == 2
    assert after != before
    assert get_plan(client) == after
    assert plans.calls == 2


def test_a_check_in_with_a_red_flag_gives_a_new_plan(client: TestClient, plans: Counter) -> None:
    before = get_plan(client)
    checkin = client.post("/api/checkins", json={"pain": {"left-heel": "sharp"}})
    assert checkin.json()["red_flags"] == ["left heel (sharp)"]
    after = get_plan(client)
    assert plans.calls == 2
    assert after != before


def test_a_profile_change_gives_a_new_plan(client: TestClient, plans: Counter) -> None:
    before = get_plan(client)
    assert client.put("/api/profile", json={"policy": "cautious"}).status_code == 200
    after = get_plan(client)
    assert plans.calls == 2
    assert before["policy"] == "standard"
    assert after["policy"] == "cautious"


def test_an_injury_and_a_logged_massage_each_give_a_new_plan(
    client: TestClient, plans: Counter
) -> None:
    get_plan(client)
    injury = {"region": "left-heel", "condition": "plantar-fasciitis"}
    assert client.post("/api/injuries", json=injury).status_code == 201
    get_plan(client)
    assert plans.calls == 2
    massage = {"date": "2027-01-02", "kind": "sports", "regions": ["calf"]}
    assert client.post("/api/log/massage", json=massage).status_code == 201
    get_plan(client)
    assert plans.calls == 3


def test_a_change_made_outside_the_server_gives_a_new_plan(
    client: TestClient, settings: Settings, plans: Counter
) -> None:
    before = get_plan(client)
    app = build_app(settings)  # as the command line would, in another process
    try:
        for week in range(10):
            day = TODAY + dt.timedelta(weeks=week, days=5)
            app.data.add_workout(Workout(day, WorkoutKind.LONG))
    finally:
        app.close()
    after = get_plan(client)
    assert plans.calls == 2
    assert after != before


def test_new_therapist_hours_give_a_new_plan(
    client: TestClient, settings: Settings, plans: Counter
) -> None:
    before = get_plan(client)
    with opened(settings) as app:
        app.data.save_therapist_hours(WeeklyHours((OpeningWindow(5, 540, 720),)))
    after = get_plan(client)
    assert plans.calls == 2
    assert after != before


def test_a_cached_read_lists_none_of_the_plans_inputs(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, plans: Counter
) -> None:
    first = client.get("/api/plan")

    def refuse(*_args: object) -> None:
        raise AssertionError("a cached read listed a plan input")

    for name in ("list_races", "list_workouts", "list_checkins", "load_plan", "get_profile"):
        monkeypatch.setattr(Store, name, refuse)
    again = client.get("/api/plan")
    assert again.status_code == 200
    assert again.content == first.content
    assert plans.calls == 1


def test_a_plan_made_while_the_data_changes_is_not_kept(
    client: TestClient, settings: Settings, plans: Counter, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = planning.build_plan  # the counting one

    def planning_while_the_command_line_writes(*args: Any, **kwargs: Any) -> Any:
        made = real(*args, **kwargs)
        if plans.calls == 1:
            with open_store(settings.database_url) as other:
                other.add_workout(
                    settings.owner_id, Workout(TODAY + dt.timedelta(3), WorkoutKind.LONG)
                )
        return made

    monkeypatch.setattr(planning, "build_plan", planning_while_the_command_line_writes)
    torn = get_plan(client)
    assert len(plan_cache.CACHE) == 0  # made from data that changed under it: not kept
    after = get_plan(client)
    assert plans.calls == 2
    assert after != torn  # the next read plans with the new workout
    assert get_plan(client) == after
    assert plans.calls == 2


def test_another_range_or_another_today_is_planned_for_itself(
    client: TestClient, settings: Settings, plans: Counter
) -> None:
    whole = get_plan(client)
    part = get_plan(client, to="2027-02-01")
    assert plans.calls == 2
    assert part["to"] == "2027-02-01" != whole["to"]
    with TestClient(
        create_app(Settings(settings.home, settings.database_url, today=TODAY + dt.timedelta(1))),
        base_url=BASE,
    ) as tomorrow:
        later = get_plan(tomorrow)
    assert plans.calls == 3
    assert later["from"] == "2027-01-05"


def test_post_saves_the_plan_and_the_next_read_finds_it_made(
    client: TestClient, plans: Counter
) -> None:
    get_plan(client)
    saved = client.post("/api/plan")
    assert saved.status_code == 200, saved.text
    calls = plans.calls
    after = get_plan(client)
    assert plans.calls == calls  # the POST left the read's plan made
    assert after["sessions"] == saved.json()["sessions"]
    assert get_plan(client) == after
    assert plans.calls == calls


def _key(n: int) -> plan_cache.CacheKey:
    return plan_cache.CacheKey("db", "me", n, "UTC", TODAY, None, None)


def test_the_cache_keeps_only_its_most_recent_entries() -> None:
    cache = plan_cache.PlanCache(max_entries=2)
    docs = [plan_cache.document({"n": n}) for n in range(3)]
    for n, doc in enumerate(docs):
        cache.put(_key(n), doc)
    assert cache.get(_key(0)) is None
    assert cache.get(_key(2)) is docs[2]
    assert len(cache) == 2


def test_a_document_body_is_the_view_with_its_extra_keys_after_it() -> None:
    doc = plan_cache.document({"n": 1, "é": "ü"}, more=[1])
    assert doc.body == '{"n":1,"é":"ü","more":[1]}'.encode()
    assert doc.view == {"n": 1, "é": "ü"}
