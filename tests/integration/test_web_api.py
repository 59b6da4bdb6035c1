"""The JSON API of ``rubdown serve``, through FastAPI's test client on a temporary SQLite home.

"Today" is pinned to Monday 2027-01-04, as in the end-to-end tests.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from rubdown.bootstrap import Settings
from rubdown.cli.main import cli
from rubdown.store import sqlite_url_for_home
from rubdown.web.app import create_app
from rubdown.web.guard import CSRF_HEADER
from tests.support.web import TODAY, assert_error, signed_client, stored

BASE = "http://127.0.0.1:8765"
UPLOAD_LIMIT = 256 * 1024  # small, so the oversized upload in a test is quick to build
FIT = Path(__file__).parents[1] / "data/activities/tormoder-fit/activity-small-fenix2-run.fit"
RACE = {"name": "Spring Marathon", "date": "2027-03-14", "priority": "A", "distance_km": 42.195}


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    app = create_app(settings, max_upload_bytes=UPLOAD_LIMIT)
    with signed_client(app) as test_client:
        yield test_client


def add_race(client: TestClient, **changes: Any) -> dict[str, Any]:
    response = client.post("/api/races", json={**RACE, **changes})
    assert response.status_code == 201, response.text
    return dict(response.json())


# -- profile, races, workouts ------------------------------------------------------------------


def test_profile_put_changes_only_the_given_fields(client: TestClient) -> None:
    before = client.get("/api/profile").json()
    response = client.put(
        "/api/profile",
        json={"policy": "cautious", "owns": ["roller", "stick"], "session_time": "18:30"},
    )
    assert response.status_code == 200, response.text
    after = client.get("/api/profile").json()
    assert after == response.json()
    assert after["policy"] == "cautious"
    assert after["owns"] == ["roller", "stick"]
    assert after["session_time"] == "18:30"
    assert after["frequency"] == before["frequency"]
    assert set(after["load_values"]) >= {"max_hr_bpm", "estimated"}


def test_profile_put_with_an_unknown_policy_is_refused_and_changes_nothing(
    client: TestClient, settings: Settings
) -> None:
    before = stored(settings)
    response = client.put("/api/profile", json={"policy": "reckless", "budget_per_month": 10})
    error = assert_error(response, 422, "unknown_name")
    assert "reckless" in error["message"]
    assert stored(settings) == before


def test_races_can_be_added_listed_moved_and_removed(client: TestClient) -> None:
    added = add_race(client, start="08:30")
    assert added["name"] == "Spring Marathon"
    assert added["start_time"] == "08:30"
    listed = client.get("/api/races").json()
    assert [r["id"] for r in listed["races"]] == [added["id"]]

    moved = client.patch(f"/api/races/{added['id'][:8]}", json={"date": "2027-03-21"})
    assert moved.status_code == 200, moved.text
    assert moved.json()["date"] == "2027-03-21"

    removed = client.delete("/api/races/Spring Marathon")
    assert removed.status_code == 200, removed.text
    assert removed.json()["id"] == added["id"]
    assert client.get("/api/races").json() == {"races": []}


def test_an_unknown_race_is_not_found(client: TestClient) -> None:
    assert_error(client.patch("/api/races/nope", json={"date": "2027-03-21"}), 404, "not_found")
    assert_error(client.delete("/api/races/nope"), 404, "not_found")


def test_a_race_with_an_impossible_date_is_refused_and_not_stored(
    client: TestClient, settings: Settings
) -> None:
    before = stored(settings)
    error = assert_error(
        client.post("/api/races", json={**RACE, "date": "2027-02-30"}), 422, "invalid_date"
    )
    assert "2027-02-30" in error["message"]
    assert stored(settings) == before


def test_workouts_can_be_added_and_listed(client: TestClient) -> None:
    response = client.post("/api/workouts", json={"date": "2027-01-10", "kind": "long"})
    assert response.status_code == 201, response.text
    assert response.json()["kind"] == "long"
    assert response.json()["hard"] is True
    assert [w["date"] for w in client.get("/api/workouts").json()["workouts"]] == ["2027-01-10"]


def test_a_workout_of_an_unknown_kind_is_refused(client: TestClient, settings: Settings) -> None:
    before = stored(settings)
    assert_error(
        client.post("/api/workouts", json={"date": "2027-01-10", "kind": "sprint"}),
        422,
        "unknown_name",
    )
    assert stored(settings) == before


# -- questions ---------------------------------------------------------------------------------


def test_check_gives_the_verdict_with_its_rules(client: TestClient) -> None:
    add_race(client)
    response = client.post(
        "/api/check", json={"date": "2027-03-12", "kind": "deep-tissue", "regions": ["calf"]}
    )
    assert response.status_code == 200, response.text
    verdict = response.json()
    assert verdict["allowed"] is False
    assert verdict["date"] == "2027-03-12"
    assert any(rule["id"] == "T2" and rule["forbids"] for rule in verdict["rules"])
    assert verdict["alternatives"]


def test_check_of_an_unknown_region_is_refused_and_stores_nothing(
    client: TestClient, settings: Settings
) -> None:
    before = stored(settings)
    response = client.post(
        "/api/check", json={"date": "2027-03-12", "kind": "sports", "regions": ["elbow"]}
    )
    error = assert_error(response, 422, "unknown_name")
    assert "elbow" in error["message"]
    assert stored(settings) == before


def test_get_plan_makes_a_plan_without_saving_it_and_post_saves_it(
    client: TestClient, settings: Settings
) -> None:
    add_race(client)
    preview = client.get("/api/plan")
    assert preview.status_code == 200, preview.text
    plan = preview.json()
    assert plan["policy"] == "standard"
    assert plan["sessions"]
    assert "estimated_load_values" in plan
    assert stored(settings)["plan"] == []

    saved = client.post("/api/plan", json={"end": "2027-03-20"})
    assert saved.status_code == 200, saved.text
    assert saved.json()["to"] == "2027-03-20"
    assert len(stored(settings)["plan"]) == len(saved.json()["sessions"])


def test_a_plan_that_ends_before_it_starts_is_refused(client: TestClient) -> None:
    response = client.get("/api/plan", params={"from": "2027-02-01", "to": "2027-01-10"})
    assert_error(response, 422, "invalid_date")


def test_today_lists_the_days_routines_and_can_pick_one(client: TestClient) -> None:
    day = client.get("/api/today", params={"date": "2027-01-05"})
    assert day.status_code == 200, day.text
    view = day.json()
    assert view["date"] == "2027-01-05"
    assert view["routines"]
    first = view["routines"][0]
    assert first["steps"]
    picked = client.get("/api/today", params={"date": "2027-01-05", "routine": first["when"]})
    assert [r["when"] for r in picked.json()["routines"]] == [first["when"]]


def test_today_with_an_unknown_routine_or_a_bad_date_is_refused(client: TestClient) -> None:
    assert_error(client.get("/api/today", params={"routine": "bedtime"}), 422, "unknown_name")
    assert_error(client.get("/api/today", params={"date": "tomorrow"}), 422, "invalid_date")


@pytest.mark.parametrize("far_day", ["0001-01-01", "9999-12-31"])
def test_a_day_at_the_ends_of_the_calendar_is_refused_not_a_server_error(
    client: TestClient, far_day: str
) -> None:
    for path in ("/api/today", f"/api/why/{far_day}"):
        assert_error(client.get(path, params={"date": far_day}), 422, "invalid_date")


def test_load_gives_one_row_per_day_of_the_window(client: TestClient) -> None:
    response = client.get("/api/load", params={"from": "2027-01-01", "to": "2027-01-04"})
    assert response.status_code == 200, response.text
    days = response.json()["days"]
    assert [d["date"] for d in days] == ["2027-01-01", "2027-01-02", "2027-01-03", "2027-01-04"]
    assert set(days[0]) >= {"load", "ctl", "atl", "tsb"}
    assert_error(client.get("/api/load", params={"from": "2027-13-01"}), 422, "invalid_date")


def test_rules_lists_the_knowledge_base_and_shows_one_rule(client: TestClient) -> None:
    listed = client.get("/api/rules").json()
    assert "T2" in {rule["id"] for rule in listed["rules"]}
    assert listed["policies"]
    timing = client.get("/api/rules", params={"group": "timing"}).json()["rules"]
    assert timing
    assert len(timing) < len(listed["rules"])
    one = client.get("/api/rules/t2")
    assert one.status_code == 200, one.text
    assert one.json()["id"] == "T2"


def test_an_unknown_rule_is_not_found(client: TestClient) -> None:
    error = assert_error(client.get("/api/rules/Z99"), 404, "not_found")
    assert "Z99" in error["message"]


def test_why_explains_a_day(client: TestClient) -> None:
    response = client.get("/api/why/2027-01-05")
    assert response.status_code == 200, response.text
    assert response.json()["date"] == "2027-01-05"
    assert "hard" in response.json()
    assert_error(client.get("/api/why/2027-02-30"), 422, "invalid_date")


# -- check-ins, injuries, the log ----------------------------------------------------------------


def test_checkins_are_stored_listed_and_merged_the_same_day(client: TestClient) -> None:
    first = client.post("/api/checkins", json={"soreness": {"calf": 6}, "fatigue": 2})
    assert first.status_code == 201, first.text
    assert first.json() == {
        "alerts": [],
        "date": "2027-01-04",
        "soreness": {"calf": 6},
        "pain": {},
        "red_flags": [],
        "signs": {},
        "warning_signs": [],
        "fatigue": 2,
        "sleep": None,
        "note": "",
        "replaced": False,
        "merged": False,
    }
    again = client.post("/api/checkins", json={"pain": {"left-heel": "sharp"}})
    assert (again.json()["replaced"], again.json()["merged"]) == (True, True)
    assert again.json()["red_flags"] == ["left heel (sharp)"]
    listed = client.get("/api/checkins").json()["checkins"]
    assert [(c["soreness"], c["pain"], c["fatigue"]) for c in listed] == [
        ({"calf": 6}, {"left-heel": "sharp"}, 2)
    ]


def test_soreness_of_11_is_refused_and_nothing_is_stored(
    client: TestClient, settings: Settings
) -> None:
    before = stored(settings)
    response = client.post("/api/checkins", json={"soreness": {"calf": 11}})
    error = assert_error(response, 422, "invalid_value")
    assert "0-10" in error["message"]
    assert stored(settings) == before


def test_injuries_can_be_started_listed_and_ended(client: TestClient) -> None:
    started = client.post(
        "/api/injuries", json={"region": "left-heel", "condition": "plantar-fasciitis"}
    )
    assert started.status_code == 201, started.text
    episode = started.json()
    assert episode["open"] is True
    assert episode["start"] == "2027-01-04"
    ended = client.post(f"/api/injuries/{episode['id'][:8]}/end", json={"helped": "rolling"})
    assert ended.status_code == 200, ended.text
    assert ended.json()["end"] == "2027-01-04"
    assert ended.json()["helped"] == "rolling"
    listed = client.get("/api/injuries").json()["injuries"]
    assert [(e["id"], e["open"]) for e in listed] == [(episode["id"], False)]


def test_an_injury_in_an_unknown_region_is_refused(client: TestClient, settings: Settings) -> None:
    before = stored(settings)
    response = client.post(
        "/api/injuries", json={"region": "left-wing", "condition": "plantar-fasciitis"}
    )
    assert_error(response, 422, "unknown_name")
    assert stored(settings) == before


def test_massages_and_runs_are_logged_and_listed(client: TestClient) -> None:
    massage = client.post("/api/log/massage", json={"date": "2027-01-02", "kind": "sports"})
    assert massage.status_code == 201, massage.text
    run = client.post("/api/log/run", json={"date": "2027-01-03", "duration_min": 40, "rpe": 4})
    assert run.status_code == 201, run.text
    assert run.json()["srpe_units"] == 160
    log = client.get("/api/log").json()
    assert len(log["sessions"]) == 1
    assert [r["date"] for r in log["runs"]] == ["2027-01-03"]


# -- import ------------------------------------------------------------------------------------


def test_an_uploaded_fit_file_is_imported_and_listed(client: TestClient) -> None:
    response = client.post(
        "/api/import",
        files=[("files", ("my run.fit", FIT.read_bytes(), "application/octet-stream"))],
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["summary"]["imported"] == 1
    [line] = report["files"]
    assert line["path"] == "my run.fit"  # the client's name back, not the temporary one
    assert line["format"] == "fit"
    assert line["activities"] == 1
    activities = client.get("/api/activities").json()["activities"]
    assert len(activities) == 1
    assert activities[0]["sport"] == "running"


def test_random_bytes_fail_in_the_report_while_other_files_are_imported(
    client: TestClient, settings: Settings
) -> None:
    noise = os.urandom(4096)
    response = client.post(
        "/api/import",
        files=[
            ("files", ("../../etc/noise.fit", noise, "application/octet-stream")),
            ("files", ("run.fit", FIT.read_bytes(), "application/octet-stream")),
        ],
    )
    assert response.status_code == 200, response.text
    report = response.json()
    statuses = {line["path"]: line["status"] for line in report["files"]}
    assert statuses == {"noise.fit": "failed", "run.fit": "imported"}
    assert report["summary"]["failed"] == 1
    assert len(stored(settings)["activities"]) == 1


def test_an_upload_over_the_limit_is_refused_with_413_and_nothing_is_stored(
    client: TestClient, settings: Settings
) -> None:
    before = stored(settings)
    big = b"\0" * (UPLOAD_LIMIT + 1)
    response = client.post(
        "/api/import", files=[("files", ("big.fit", big, "application/octet-stream"))]
    )
    assert_error(response, 413, "too_large")
    assert stored(settings) == before


def test_a_chunked_upload_is_refused_once_it_passes_the_limit(
    client: TestClient, settings: Settings
) -> None:
    before = stored(settings)
    head = (
        b"--cut\r\n"
        b'Content-Disposition: form-data; name="files"; filename="big.fit"\r\n'
        b"Content-Type: application/octet-stream\r\n\r\n"
    )

    def body() -> Iterator[bytes]:
        # No Content-Length: the guard has to count the bytes as they come.
        yield head
        for _ in range(UPLOAD_LIMIT // 4096 + 2):
            yield b"\0" * 4096
        yield b"\r\n--cut--\r\n"

    response = client.post(
        "/api/import",
        content=body(),
        headers={"content-type": "multipart/form-data; boundary=cut"},
    )
    assert "content-length" not in response.request.headers
    assert_error(response, 413, "too_large")
    assert stored(settings) == before


def test_a_large_json_body_is_refused_with_413(client: TestClient) -> None:
    note = "x" * (2 * 1024 * 1024)
    assert_error(client.post("/api/checkins", json={"note": note}), 413, "too_large")


def test_an_import_without_files_is_a_validation_error(client: TestClient) -> None:
    assert_error(client.post("/api/import", data={"salvage": "true"}), 422, "invalid_input")


# -- errors, guard, documentation ----------------------------------------------------------------


def test_fastapi_validation_errors_use_the_error_shape(client: TestClient) -> None:
    missing = assert_error(client.post("/api/races", json={"name": "x"}), 422, "invalid_input")
    assert "date" in missing["message"]
    extra = assert_error(
        client.post("/api/workouts", json={"date": "2027-01-10", "kind": "easy", "pace": 1}),
        422,
        "invalid_input",
    )
    assert "pace" in extra["message"]
    broken = client.post(
        "/api/check", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert_error(broken, 422, "invalid_input")


def test_unknown_paths_use_the_error_shape(client: TestClient) -> None:
    assert_error(client.get("/api/nothing-here"), 404, "not_found")


def test_a_change_without_the_csrf_token_is_refused_and_not_stored(
    client: TestClient, settings: Settings
) -> None:
    before = stored(settings)
    del client.headers[CSRF_HEADER]
    assert_error(client.post("/api/races", json=RACE), 403, "csrf")
    assert_error(
        client.post("/api/races", json=RACE, headers={CSRF_HEADER: "guessed"}), 403, "csrf"
    )
    assert stored(settings) == before


def test_a_change_from_a_foreign_origin_is_refused_even_with_the_token(
    client: TestClient, settings: Settings
) -> None:
    before = stored(settings)
    foreign = {"origin": "https://evil.example"}
    assert_error(client.post("/api/races", json=RACE, headers=foreign), 403, "cross_site")
    cross = {"sec-fetch-site": "cross-site"}
    assert_error(client.delete("/api/races/x", headers=cross), 403, "cross_site")
    assert stored(settings) == before


def test_a_change_from_our_own_origin_with_the_token_is_accepted(client: TestClient) -> None:
    ours = {"origin": BASE, "sec-fetch-site": "same-origin"}
    assert client.post("/api/races", json=RACE, headers=ours).status_code == 201


def test_a_null_origin_counts_as_ours_only_when_the_browser_says_same_origin(
    client: TestClient, settings: Settings
) -> None:
    # Under Referrer-Policy: no-referrer a browser posts a form to its own origin with
    # Origin: null; Sec-Fetch-Site, which no page can forge, says where it came from.
    before = stored(settings)
    bare = {"origin": "null"}
    assert_error(client.post("/api/races", json=RACE, headers=bare), 403, "cross_site")
    foreign = {"origin": "null", "sec-fetch-site": "cross-site"}
    assert_error(client.post("/api/races", json=RACE, headers=foreign), 403, "cross_site")
    assert stored(settings) == before
    ours = {"origin": "null", "sec-fetch-site": "same-origin"}
    assert client.post("/api/races", json=RACE, headers=ours).status_code == 201


def test_reading_needs_no_token(client: TestClient) -> None:
    del client.headers[CSRF_HEADER]
    assert client.get("/api/races").status_code == 200


def test_a_request_for_another_host_name_is_refused(client: TestClient) -> None:
    # DNS rebinding: a foreign name that resolves to 127.0.0.1 still sends its own Host.
    response = client.get("/api/session", headers={"host": "evil.example:8765"})
    assert_error(response, 400, "bad_host")


def test_openapi_lists_the_api_and_documents_request_bodies(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    for path in (
        "/api/session",
        "/api/profile",
        "/api/races",
        "/api/races/{ref}",
        "/api/workouts",
        "/api/check",
        "/api/plan",
        "/api/today",
        "/api/load",
        "/api/rules",
        "/api/rules/{rule_id}",
        "/api/checkins",
        "/api/injuries",
        "/api/injuries/{injury_id}/end",
        "/api/activities",
        "/api/why/{date}",
        "/api/import",
    ):
        assert path in paths, path
    assert set(paths["/api/races/{ref}"]) == {"patch", "delete"}
    schemas = spec["components"]["schemas"]
    assert {"RaceIn", "CheckRequest", "CheckInIn", "ProfileChanges"} <= set(schemas)
    assert "multipart/form-data" in paths["/api/import"]["post"]["requestBody"]["content"]


def test_the_front_page_links_to_the_docs_and_escapes_the_home_path(tmp_path: Path) -> None:
    home = tmp_path / "<script>alert(1)</script>"
    settings = Settings(home, sqlite_url_for_home(home), today=TODAY)
    with TestClient(create_app(settings), base_url=BASE) as test_client:
        page = test_client.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert 'href="/docs"' in page.text
    assert "<script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


# -- rubdown serve ---------------------------------------------------------------------------


@pytest.fixture
def no_server(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """uvicorn's server, replaced by one that records where it would listen."""
    import uvicorn

    calls: list[tuple[str, int]] = []

    def run(self: uvicorn.Server, *_args: object) -> None:
        calls.append((self.config.host, self.config.port))

    monkeypatch.setattr(uvicorn.Server, "run", run)
    return calls


def test_serve_listens_on_loopback_by_default_without_a_warning(
    no_server: list[tuple[str, int]], tmp_path: Path
) -> None:
    result = CliRunner().invoke(cli, ["--home", str(tmp_path), "serve"])
    assert result.exit_code == 0, result.output
    assert no_server == [("127.0.0.1", 8765)]
    assert "warning" not in result.stderr


def test_serve_beyond_this_machine_with_a_new_token_shows_its_login_link(
    no_server: list[tuple[str, int]], tmp_path: Path
) -> None:
    result = CliRunner().invoke(
        cli,
        ["--home", str(tmp_path), "serve", "--host", "0.0.0.0", "--port", "9000", "--new-token"],
    )
    assert result.exit_code == 0, result.output
    assert no_server == [("0.0.0.0", 9000)]
    assert "http://127.0.0.1:9000/?token=" in result.stderr


def test_the_served_app_makes_a_feed_url_that_serves_the_plan_until_it_is_replaced(
    client: TestClient,
) -> None:
    assert client.get("/api/feeds").json() == {"active": False}
    assert client.post("/api/races", json=RACE).status_code in (200, 201)
    assert client.post("/api/plan").status_code == 200
    first = client.post("/api/feeds/secret").json()["urls"]
    assert client.get("/api/feeds").json() == {"active": True}
    full = client.get(first["full"])
    assert full.status_code == 200
    assert full.headers["content-type"].startswith("text/calendar")
    assert b"BEGIN:VCALENDAR" in full.content
    busy = client.get(first["busy"])
    assert busy.status_code == 200
    assert b"SUMMARY:Busy" in busy.content
    second = client.post("/api/feeds/secret").json()["urls"]
    assert client.get(first["full"]).status_code == 404
    assert client.get(second["full"]).status_code == 200


def test_a_new_feed_secret_needs_the_csrf_token(client: TestClient) -> None:
    del client.headers[CSRF_HEADER]
    assert_error(client.post("/api/feeds/secret"), 403, "csrf")
