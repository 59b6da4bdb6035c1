"""Inputs that used to answer 500 (issue 11, fault 7), on SQLite and PostgreSQL: a lone
surrogate or a NUL in any text of a request (JSON body, form, query, path), a count beyond
what the store holds, a number that is not finite, a time zone hundreds of characters long.
Each is refused at the edge with 422 in the API's error shape, and nothing is stored."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from rubdown.bootstrap import Settings
from tests.support.web import stored

TODAY = dt.date(2027, 1, 4)
SURROGATE = "\ud800"
NUL = "a\x00b"
BAD_TEXTS = [pytest.param(SURROGATE, id="lone-surrogate"), pytest.param(NUL, id="nul")]
X = "<X>"  # where the bad text goes

A_LOG = {
    "routine": "rest-day",
    "steps_done": 2,
    "steps_skipped": 1,
    "seconds": 360.4,
    "completed": True,
    "started_at": "2027-01-04T07:15:00+00:00",
}
REQUESTS: list[tuple[str, str, Any]] = [
    ("POST", "/api/races", {"name": X, "date": "2027-03-14", "priority": "A"}),
    ("POST", "/api/races", {"name": "Spring", "date": X, "priority": "A"}),
    ("PUT", "/api/profile", {"name": X}),
    ("PUT", "/api/profile", {"timezone": X}),
    ("PUT", "/api/profile", {"owns": ["roller", X]}),
    ("POST", "/api/workouts", {"date": "2027-01-05", "kind": X}),
    ("POST", "/api/checkins", {"soreness": {"calf": 2}, "note": X}),
    ("POST", "/api/checkins", {"soreness": {X: 3}}),
    ("POST", "/api/checkins", {"signs": {"left-calf": [X]}}),
    ("POST", "/api/injuries", {"region": X, "condition": "plantar-fasciitis"}),
    ("POST", "/api/log/massage", {"date": "2027-01-02", "kind": "sports", "note": X}),
    ("POST", "/api/log/run", {"date": "2027-01-02", "duration_min": 40, "rpe": 5, "kind": X}),
    ("POST", "/api/bookings", {"date": "2027-01-20", "kind": "sports", "note": X}),
    ("POST", "/api/today/routine-log", {**A_LOG, "started_at": X}),
    ("POST", "/api/today/pain-flag", {"region": "calf", "quality": X}),
    ("POST", "/api/patterns", {"from": "2027-01-04", "to": "2027-02-01", "spec": X}),
    ("PUT", "/api/availability", {"hours": [{"weekday": "tue", "start": X, "end": "17:00"}]}),
    ("POST", "/api/check", {"date": "2027-01-20", "kind": "sports", "regions": [X]}),
    ("POST", "/api/recovery-weeks", {"date": X}),
]


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(tmp_path / "home", database_url, today=TODAY)


def with_text(value: Any, text: str) -> Any:
    """``value`` with every ``<X>`` (in keys too) replaced by ``text``."""
    if isinstance(value, str):
        return value.replace(X, text)
    if isinstance(value, dict):
        return {with_text(k, text): with_text(v, text) for k, v in value.items()}
    if isinstance(value, list):
        return [with_text(item, text) for item in value]
    return value


def assert_refused(response: Any) -> dict[str, Any]:
    assert response.status_code == 422, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] in ("invalid_input", "invalid_value")
    assert body["error"]["message"]
    return dict(body["error"])


@pytest.mark.parametrize("text", BAD_TEXTS)
@pytest.mark.parametrize(("method", "path", "body"), REQUESTS, ids=lambda r: str(r)[:40])
def test_unstorable_text_in_any_json_field_is_refused_with_422_and_nothing_stored(
    client: TestClient, settings: Settings, method: str, path: str, body: Any, text: str
) -> None:
    before = stored(settings)
    # json.dumps escapes the surrogate as \ud800, which is valid JSON: what a client can send.
    content = json.dumps(with_text(body, text))
    response = client.request(
        method, path, content=content, headers={"Content-Type": "application/json"}
    )
    error = assert_refused(response)
    assert "NUL" in error["message"] or "surrogate" in error["message"]
    assert text not in error["message"]
    assert stored(settings) == before


@pytest.mark.parametrize(
    "path",
    [
        "/api/today?routine=a%00b",
        "/api/plan?from=2027-01-04%00",
        "/api/rules?group=%00",
        "/api/why/2027-01-05%00",
        "/api/rules/T2%00",
        "/api/checkins/map?date=%00",
    ],
)
def test_a_nul_in_the_query_or_path_is_refused_with_422(client: TestClient, path: str) -> None:
    assert "NUL" in assert_refused(client.get(path))["message"]


def test_a_nul_in_a_url_that_removes_is_refused_and_nothing_is_removed(
    client: TestClient, settings: Settings
) -> None:
    race = {"name": "Spring Marathon", "date": "2027-03-14", "priority": "A"}
    assert client.post("/api/races", json=race).status_code == 201
    before = stored(settings)
    assert_refused(client.delete("/api/races/Spring%20Marathon%00"))
    assert stored(settings) == before


@pytest.mark.parametrize(
    ("path", "form"),
    [
        ("/ui/settings/profile", {"name": NUL}),
        ("/ui/settings/profile", {"timezone": "Europe/Berlin\x00"}),
        ("/ui/checkin/save", {"note": NUL}),
        ("/ui/checkin/injuries", {"part": "heel", "condition": "plantar-fasciitis", "side": NUL}),
        ("/ui/settings/availability", {"weekday": "tue", "start": "09:00\x00", "end": "17:00"}),
    ],
)
def test_a_nul_in_a_posted_form_is_refused_with_422_and_nothing_stored(
    client: TestClient, settings: Settings, path: str, form: dict[str, str]
) -> None:
    before = stored(settings)
    assert "NUL" in assert_refused(client.post(path, data=form))["message"]
    assert stored(settings) == before


@pytest.mark.parametrize(
    "count", [2**31, 2**63, 2**64 + 1, -(2**63) - 1], ids=["2^31", "2^63", "2^64+1", "-2^63-1"]
)
@pytest.mark.parametrize("field", ["steps_done", "steps_skipped"])
def test_a_count_beyond_what_the_store_holds_is_refused_in_the_routine_log(
    client: TestClient, settings: Settings, field: str, count: int
) -> None:
    assert_refused(client.post("/api/today/routine-log", json={**A_LOG, field: count}))
    assert stored(settings)["routines"] == []


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/checkins", {"soreness": {"calf": 2**63}}),
        ("/api/checkins", {"fatigue": 2**64}),
        ("/api/profile", {"session_minutes": 2**40}),
        (
            "/api/patterns",
            {
                "from": "2027-01-04",
                "to": "2027-02-01",
                "spec": "tue:tempo",
                "recovery_every": 2**63,
            },
        ),
    ],
)
def test_any_huge_integer_in_a_body_is_refused_with_422(
    client: TestClient, settings: Settings, path: str, body: dict[str, Any]
) -> None:
    before = stored(settings)
    method = "PUT" if path == "/api/profile" else "POST"
    assert_refused(client.request(method, path, json=body))
    assert stored(settings) == before


def test_a_huge_heat_map_window_is_refused_with_422(client: TestClient) -> None:
    assert_refused(client.get(f"/api/checkins/heatmap?weeks={2**70}"))


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_a_number_that_is_not_finite_is_refused_with_422(
    client: TestClient, settings: Settings, number: str
) -> None:
    # Python's JSON reader takes NaN and Infinity (and 1e400 becomes inf) where JSON has none.
    before = stored(settings)
    content = '{"date": "2027-01-02", "duration_min": ' + number + ', "rpe": 5}'
    response = client.post(
        "/api/log/run", content=content, headers={"Content-Type": "application/json"}
    )
    assert_refused(response)
    assert stored(settings) == before


def test_a_time_zone_of_300_characters_is_refused_with_422(
    client: TestClient, settings: Settings
) -> None:
    before = stored(settings)
    assert_refused(client.put("/api/profile", json={"timezone": "Europe/" + "x" * 300}))
    form = client.post("/ui/settings/profile", data={"timezone": "Europe/" + "x" * 300})
    assert_refused(form)
    assert stored(settings) == before


def test_text_with_ordinary_unicode_and_newlines_is_still_stored(
    client: TestClient, settings: Settings
) -> None:
    note = "Wadenkrämpfe 🏃\nrechts > links"
    assert (
        client.post("/api/checkins", json={"soreness": {"calf": 2}, "note": note}).status_code
        == 201
    )
    (checkin,) = stored(settings)["checkins"]
    assert checkin.note == note
