"""The Today page, ``GET /api/today`` and both calendar feeds are made once for each state of
the runner's data and day (``web.cache.answers``), and never answer from a stale state.

Every test that goes through a store runs on SQLite (where a kept answer is served on the
event loop) and on PostgreSQL (where every read goes through a worker thread). Makes are
counted by wrapping what each answer is made from: the day's routines (the page and the API)
and the calendar export (the feeds).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from rubdown.bootstrap import Settings
from rubdown.domain.model import Priority, Workout, WorkoutKind
from rubdown.domain.routines import RoutineWhen
from rubdown.services import feeds
from rubdown.services.season import add_race
from rubdown.services.today import day_routines
from rubdown.store import Store, open_store
from rubdown.web.app import create_app
from rubdown.web.cache import answers as response_cache
from rubdown.web.cache.answers import AnswerKey, ResponseCache
from rubdown.web.presenters import today as today_view
from tests.support.web import opened, signed_client

TODAY = dt.date(2027, 1, 4)  # a Monday
TOMORROW = TODAY + dt.timedelta(days=1)
BASE = "http://127.0.0.1:8765"
RACE = {"name": "Spring Marathon", "date": "2027-03-14", "priority": "A", "distance_km": 42.195}


class Counter:
    def __init__(self) -> None:
        self.calls = 0


def counting(monkeypatch: pytest.MonkeyPatch, module: Any, name: str) -> Counter:
    counter = Counter()
    real = getattr(module, name)

    def count(*args: Any, **kwargs: Any) -> Any:
        counter.calls += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, count)
    return counter


@pytest.fixture
def routines_made(monkeypatch: pytest.MonkeyPatch) -> Counter:
    """How many times a day's routines are built (the page and the API)."""
    return counting(monkeypatch, today_view, "day_routines")


@pytest.fixture
def feeds_made(monkeypatch: pytest.MonkeyPatch) -> Counter:
    """How many times a calendar is exported (the feeds)."""
    return counting(monkeypatch, feeds, "export_ics")


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(tmp_path / "home", database_url, today=TODAY)


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    response_cache.CACHE.clear()
    yield
    response_cache.CACHE.clear()


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with signed_client(create_app(settings)) as test_client:
        assert test_client.post("/api/races", json=RACE).status_code == 201
        yield test_client


@pytest.fixture
def feed_urls(client: TestClient) -> dict[str, str]:
    made = client.post("/api/feeds/secret")
    assert made.status_code == 200, made.text
    return {kind: "/" + url.split("/", 3)[3] for kind, url in made.json()["urls"].items()}


def answers(client: TestClient, feed_urls: dict[str, str]) -> dict[str, bytes]:
    """The body of every cached read, by path."""
    paths = ("/today", "/api/today", feed_urls["full"], feed_urls["busy"])
    found = {}
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, (path, response.text)
        found[path] = response.content
    return found


def add_workout_elsewhere(settings: Settings, day: dt.date, kind: WorkoutKind) -> None:
    """As the command line would, in another process: a store of its own."""
    with open_store(settings.database_url) as other:
        other.add_workout(settings.owner_id, Workout(day, kind, 60.0))


def test_unchanged_data_is_answered_again_without_making_anything(
    client: TestClient, feed_urls: dict[str, str], routines_made: Counter, feeds_made: Counter
) -> None:
    first = answers(client, feed_urls)
    assert (routines_made.calls, feeds_made.calls) == (2, 2)  # page, API; full, busy
    for _ in range(3):
        assert answers(client, feed_urls) == first
    assert (routines_made.calls, feeds_made.calls) == (2, 2)


def test_a_kept_answer_reads_none_of_the_runners_rows(
    client: TestClient, feed_urls: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    first = answers(client, feed_urls)

    def refuse(*_args: object) -> None:
        raise AssertionError("a kept answer read the runner's rows")

    for name in (
        "list_races",
        "list_workouts",
        "list_checkins",
        "list_sessions",
        "load_plan",
        "get_profile",
        "owner_for_feed_hash",
        "feed_secret_hash",
    ):
        monkeypatch.setattr(Store, name, refuse)
    assert answers(client, feed_urls) == first


def test_the_api_answer_is_what_the_service_makes(client: TestClient, settings: Settings) -> None:
    kept = client.get("/api/today", params={"routine": "rest-day"}).json()
    with opened(settings) as app:
        fresh = today_view.today_api_view(app, None, RoutineWhen.REST_DAY)
    assert kept == {"alerts": [], **fresh}  # no check-in, so nothing stands
    assert [routine["when"] for routine in kept["routines"]] == ["rest-day"]


def test_a_write_through_the_api_is_answered_at_once(
    client: TestClient, feed_urls: dict[str, str]
) -> None:
    before = answers(client, feed_urls)
    workout = {"date": TODAY.isoformat(), "kind": "intervals"}
    assert client.post("/api/workouts", json=workout).status_code == 201
    race = {"name": "Winter 10k", "date": "2027-02-13", "priority": "B"}
    assert client.post("/api/races", json=race).status_code == 201

    after = answers(client, feed_urls)

    for path in before:
        assert after[path] != before[path], path
    whens = [r["when"] for r in client.get("/api/today").json()["routines"]]
    assert "pre-run" in whens
    assert "rest-day" not in whens
    assert b"Winter 10k" in after[feed_urls["full"]]


def test_a_write_from_another_store_is_answered_at_once(
    client: TestClient, feed_urls: dict[str, str], settings: Settings
) -> None:
    before = answers(client, feed_urls)
    add_workout_elsewhere(settings, TODAY, WorkoutKind.INTERVALS)
    with opened(settings) as app:
        add_race(app, "Winter 10k", dt.date(2027, 2, 13), Priority.B)

    after = answers(client, feed_urls)

    for path in before:
        assert after[path] != before[path], path
    assert b"Winter 10k" in after[feed_urls["full"]]


def test_the_page_shows_a_new_red_flag_at_once_after_a_check_in(client: TestClient) -> None:
    before = client.get("/today").text
    assert 'class="red-flag"' not in before

    checkin = client.post("/api/checkins", json={"pain": {"left-heel": "sharp"}})
    assert checkin.status_code == 201, checkin.text

    after = client.get("/today").text
    assert 'class="red-flag"' in after
    assert "left heel" in after.split('class="red-flag"', 1)[1]
    warnings = client.get("/api/today").json()["warnings"]
    assert any("X1" in str(warning) for warning in warnings)


def test_a_new_day_gives_new_answers(
    client: TestClient, feed_urls: dict[str, str], routines_made: Counter, feeds_made: Counter
) -> None:
    before = answers(client, feed_urls)
    services = client.app.state.services  # type: ignore[attr-defined]
    later_today = dt.datetime.combine(TODAY, dt.time(18), tzinfo=dt.UTC)
    services.clock = lambda: later_today
    assert answers(client, feed_urls) == before  # the same day: the same answers, DTSTAMP too
    assert (routines_made.calls, feeds_made.calls) == (2, 2)

    next_day = dt.datetime.combine(TOMORROW, dt.time(9), tzinfo=dt.UTC)
    services.clock = lambda: next_day
    after = answers(client, feed_urls)

    assert (routines_made.calls, feeds_made.calls) == (4, 4)
    assert client.get("/api/today").json()["date"] == TOMORROW.isoformat()
    assert b"DTSTAMP:20270105T090000Z" in after[feed_urls["full"]]
    assert b"DTSTAMP:20270104T120000Z" in before[feed_urls["full"]]


def test_a_replaced_or_revoked_secret_stops_its_kept_feed_at_once(
    client: TestClient, feed_urls: dict[str, str]
) -> None:
    answers(client, feed_urls)  # both feeds kept
    replaced = client.post("/api/feeds/secret")
    assert replaced.status_code == 200
    for url in feed_urls.values():
        assert client.get(url).status_code == 404

    new_urls = {k: "/" + url.split("/", 3)[3] for k, url in replaced.json()["urls"].items()}
    for url in new_urls.values():
        assert client.get(url).status_code == 200
    assert client.delete("/api/feeds/secret").status_code == 200
    for url in new_urls.values():
        assert client.get(url).status_code == 404


def test_a_secret_revoked_by_another_store_stops_its_kept_feed_at_once(
    client: TestClient, feed_urls: dict[str, str], settings: Settings
) -> None:
    assert client.get(feed_urls["full"]).status_code == 200
    with open_store(settings.database_url) as other:
        assert other.remove_feed_secret_hash(settings.owner_id)
    assert client.get(feed_urls["full"]).status_code == 404


def test_a_secret_revoked_while_its_feed_is_made_opens_nothing(
    client: TestClient,
    feed_urls: dict[str, str],
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = feeds.feed_owner
    asked = Counter()

    def revoked_right_after_the_first_look(*args: Any, **kwargs: Any) -> Any:
        asked.calls += 1
        owner = real(*args, **kwargs)
        if asked.calls == 1:  # the command line turns the feed off just then
            with open_store(settings.database_url) as other:
                other.remove_feed_secret_hash(settings.owner_id)
        return owner

    monkeypatch.setattr(feeds, "feed_owner", revoked_right_after_the_first_look)
    assert client.get(feed_urls["full"]).status_code == 404
    assert client.get(feed_urls["full"]).status_code == 404
    assert len(response_cache.CACHE) == 0


def test_an_answer_made_while_the_data_changes_is_not_kept(
    client: TestClient, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = day_routines
    made = Counter()

    def routines_while_the_command_line_writes(*args: Any, **kwargs: Any) -> Any:
        made.calls += 1
        routines = real(*args, **kwargs)
        if made.calls == 1:
            add_workout_elsewhere(settings, TODAY, WorkoutKind.INTERVALS)
        return routines

    monkeypatch.setattr(today_view, "day_routines", routines_while_the_command_line_writes)
    torn = client.get("/api/today").json()
    assert len(response_cache.CACHE) == 0  # made from data that changed under it
    after = client.get("/api/today").json()
    assert made.calls == 2
    assert after != torn
    assert "pre-run" in [r["when"] for r in after["routines"]]
    assert client.get("/api/today").json() == after
    assert made.calls == 2


def test_a_miss_reads_the_profile_once(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    assert client.put("/api/profile", json={"policy": "cautious"}).status_code == 200
    reads = counting(monkeypatch, Store, "get_profile")
    assert client.get("/today").status_code == 200
    assert reads.calls == 1
    assert client.get("/api/today").status_code == 200
    assert reads.calls == 2


def test_each_server_s_page_carries_its_own_token(settings: Settings) -> None:
    pages = []
    for token in ("token-of-the-first-server-000000", "token-of-the-second-server-00000"):
        with TestClient(create_app(settings, csrf_token=token), base_url=BASE) as client:
            page = client.get("/today").text
        assert f'content="{token}"' in page
        pages.append(page)
    assert pages[0] != pages[1]


def test_other_days_and_routines_are_kept_apart(client: TestClient, routines_made: Counter) -> None:
    whole = client.get("/api/today").json()
    rest = client.get("/api/today", params={"routine": "rest-day"}).json()
    tomorrow = client.get("/api/today", params={"date": TOMORROW.isoformat()}).json()
    page = client.get("/today", params={"date": TOMORROW.isoformat()}).text
    assert routines_made.calls == 4
    assert tomorrow["date"] == TOMORROW.isoformat() != whole["date"]
    assert len(rest["routines"]) == 1
    assert "Routines for 2027-01-05" in page
    assert client.get("/api/today").json() == whole
    assert routines_made.calls == 4


def test_an_error_is_answered_each_time_and_never_kept(client: TestClient) -> None:
    for _ in range(2):
        response = client.get("/api/today", params={"routine": "pre-run"})  # a rest day
        assert response.status_code == 404
        assert response.json()["error"]["code"]
    assert len(response_cache.CACHE) == 0


def test_the_server_keeps_a_bounded_number_of_answers(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(response_cache.CACHE, "max_entries", 3)
    for days in range(6):
        day = TODAY + dt.timedelta(days=days)
        assert client.get("/api/today", params={"date": day.isoformat()}).status_code == 200
    assert len(response_cache.CACHE) == 3


# -- the cache itself --------------------------------------------------------------------------


def key(n: int) -> AnswerKey:
    return AnswerKey("test", "db", "me", n, "UTC", TODAY, ())


def test_the_cache_keeps_only_its_most_recent_entries() -> None:
    cache = ResponseCache(max_entries=2)
    for n in range(3):
        cache.put(key(n), b"x%d" % n)
    assert cache.get(key(0)) is None
    assert cache.get(key(2)) == b"x2"
    assert len(cache) == 2


def test_the_cache_keeps_at_most_its_bytes() -> None:
    cache = ResponseCache(max_entries=100, max_bytes=10)
    for n in range(4):
        cache.put(key(n), b"abcd")
    assert len(cache) == 2
    assert cache.weight == 8
    cache.put(key(9), b"x" * 11)  # heavier than the whole cache: not kept
    assert cache.get(key(9)) is None
    assert cache.weight == 8


def test_readers_missing_together_wait_for_one_make() -> None:
    cache = ResponseCache()
    made = Counter()
    results: list[bytes | None] = []

    def make() -> bytes:
        made.calls += 1
        time.sleep(0.05)
        return b"answer"

    def read() -> None:
        results.append(cache.get_or_make(key(1), make, lambda: key(1)))

    readers = [threading.Thread(target=read) for _ in range(8)]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join()
    assert made.calls == 1
    assert results == [b"answer"] * 8


def test_an_answer_whose_key_moved_while_it_was_made_is_served_but_not_kept() -> None:
    cache = ResponseCache()
    served = cache.get_or_make(key(1), lambda: b"torn", lambda: key(2))
    assert served == b"torn"
    assert len(cache) == 0
    assert cache.get_or_make(key(1), lambda: None, lambda: key(1)) is None
    assert len(cache) == 0
