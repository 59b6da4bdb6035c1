"""The Today page of ``rubdown serve`` and the API routes its routine player sends to, through
FastAPI's test client on a temporary SQLite home seeded with the demo season.

"Today" is pinned to Monday 2027-01-04, as in the other web tests: for the demo runner a rest
day (calf and shin work ending with the stair heel drop) with desk breaks, and Tuesday
2027-01-05 an intervals day with pre-run and post-run routines.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from rubdown.bootstrap import Settings
from rubdown.domain.model import CheckIn, PainQuality, Priority, RoutineLog
from rubdown.domain.regions import parse_region
from rubdown.services import daily, season
from rubdown.services.demo import load_demo_runner
from rubdown.store import sqlite_url_for_home
from rubdown.web.guard import CSRF_HEADER
from tests.support.html import Element, Page
from tests.support.web import assert_error, opened

TODAY = dt.date(2027, 1, 4)
TUESDAY = dt.date(2027, 1, 5)
BASE = "http://127.0.0.1:8765"
A_LOG = {
    "routine": "rest-day",
    "steps_done": 2,
    "steps_skipped": 1,
    "seconds": 360.4,
    "completed": True,
    "started_at": "2027-01-04T07:15:00+00:00",
}


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    home = tmp_path / "home"
    settings = Settings(home, sqlite_url_for_home(home), today=TODAY)
    with opened(settings) as app:
        load_demo_runner(app)
    return settings


def routine_logs(settings: Settings) -> list[RoutineLog]:
    with opened(settings) as app:
        return daily.training_log(app).routines


def checkins(settings: Settings) -> list[CheckIn]:
    with opened(settings) as app:
        return app.data.list_checkins()


def seed_checkin(settings: Settings, note: str = "legs heavy after Sunday") -> CheckIn:
    with opened(settings) as app:
        result = daily.check_in(
            app,
            TODAY,
            {parse_region("calf"): 4, parse_region("quad"): 3},
            {parse_region("right-hamstring"): PainQuality.DULL},
            note,
            fatigue=2,
            sleep=3,
        )
        return result.checkin


# -- reading the page ---------------------------------------------------------------------------


def get_page(client: TestClient, url: str = "/today") -> Page:
    response = client.get(url)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    return Page(response.text)


def cards(page: Page) -> dict[str, Element]:
    return {card.attrs["data-routine"]: card for card in page.find("article", "routine-card")}


def steps_of(page: Page, card: Element) -> list[Element]:
    return [s for s in page.find("li", "step") if s.inside("article", "routine-card") is card]


def player_data(page: Page) -> dict[str, Any]:
    data = json.loads(page.by_id("today-player-data").text)
    assert isinstance(data, dict)
    return data


# -- the page -------------------------------------------------------------------------------------


def test_the_front_page_sends_the_runner_to_today(client: TestClient) -> None:
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/today"


def test_today_shows_the_demo_days_routines_as_cards_with_their_steps(client: TestClient) -> None:
    page = get_page(client)
    found = cards(page)
    assert list(found) == ["rest", "desk"]
    rest = steps_of(page, found["rest"])
    assert [(s.attrs["data-region"], s.attrs["data-side"]) for s in rest] == [
        ("calf", "both"),
        ("shin", "both"),
        ("calf", "both"),
    ]
    assert "Stair heel drop" in rest[2].text
    assert "10 min" in found["rest"].text
    (desk_step,) = steps_of(page, found["desk"])
    assert (desk_step.attrs["data-region"], desk_step.attrs["data-side"]) == ("whole-body", "none")
    for card in found.values():
        starts = [b for b in page.find("button") if b.inside("article", "routine-card") is card]
        assert [b.attrs.get("data-action") for b in starts] == ["start-routine"]


def test_each_step_names_its_rules_and_their_sources(client: TestClient) -> None:
    page = get_page(client)
    for step in page.find("li", "step"):
        rule_ids = [e.text for e in page.find(cls="rule-id") if step in e.parents]
        assert rule_ids, step.text
        sources = [e.text for e in page.find(cls="sources") if step in e.parents]
        assert len(sources) == 1, step.text
        assert sources[0].strip(" ·"), step.text
    heel_drop = steps_of(page, cards(page)["rest"])[2]
    assert [e.text for e in page.find(cls="rule-id") if heel_drop in e.parents] == ["C8", "T11"]
    assert "self-massage" in heel_drop.text  # a source title, not only its file name


def test_another_day_is_shown_with_links_to_the_days_either_side(client: TestClient) -> None:
    page = get_page(client, "/today?date=2027-01-05")
    assert list(cards(page)) == ["pre_run", "post_run", "desk"]
    (prev,) = page.find("a", rel="prev")
    (following,) = page.find("a", rel="next")
    assert prev.attrs["href"] == "/today?date=2027-01-04"
    assert following.attrs["href"] == "/today?date=2027-01-06"
    assert "Tue 5 Jan" in page.find("h1")[0].text
    assert page.find("a", href="/today"), "a link back to today"
    warm_up = steps_of(page, cards(page)["pre_run"])[0]
    assert "Dynamic warm-up" in warm_up.text


def test_the_days_advice_comes_first_with_its_rules(client: TestClient, settings: Settings) -> None:
    with opened(settings) as app:
        race = next(r for r in app.data.list_races() if r.priority is Priority.A)
    eve = race.day - dt.timedelta(days=1)
    page = get_page(client, f"/today?date={eve.isoformat()}")
    (advice,) = page.find("li", "advice")
    assert "race is tomorrow" in advice.text
    assert [e.text for e in page.find(cls="rule-id") if advice in e.parents] == ["T1", "X2"]


@pytest.mark.parametrize("bad", ["2027-02-30", "next friday", "0001-01-01"])
def test_a_bad_date_is_refused_in_the_error_shape(client: TestClient, bad: str) -> None:
    assert_error(client.get("/today", params={"date": bad}), 422, "invalid_date")


def test_the_player_is_on_the_page_hidden_with_every_control(client: TestClient) -> None:
    page = get_page(client)
    assert "hidden" in page.by_id("player").attrs
    for element_id in (
        "player-countdown",
        "player-step",
        "player-move",
        "player-cue",
        "player-next",
        "player-pause",
        "player-skip",
        "player-hurts",
        "player-close",
        "player-done",
    ):
        page.by_id(element_id)
    pains = [b.attrs["data-pain"] for b in page.find("button") if "data-pain" in b.attrs]
    assert pains == ["dull", "sharp", "numbness", "tingling"]
    assert page.find("script", src="/static/js/player.js")
    assert page.find("link", href="/static/css/today.css")


def test_the_player_gets_each_routines_steps_in_order(client: TestClient) -> None:
    page = get_page(client, "/today?date=2027-01-05")
    data = player_data(page)
    assert sorted(data["routines"]) == sorted(cards(page))
    pre_run = data["routines"]["pre_run"]
    assert pre_run["when"] == "pre-run"
    assert [s["seconds"] for s in pre_run["steps"]] == [600, 120, 120, 120]
    assert pre_run["steps"][1]["region"] == "low-back"
    assert data["red_flag_rule"]["id"] == "X1"


def test_the_player_script_and_styles_are_served(client: TestClient) -> None:
    script = client.get("/static/js/player.js")
    assert script.status_code == 200
    assert "RUBDOWN_PLAYER_SPEED" in script.text
    assert "/api/today/routine-log" in script.text
    assert client.get("/static/css/today.css").status_code == 200


def test_the_why_fold_explains_the_day_with_its_rules(client: TestClient) -> None:
    response = client.get("/ui/today/why", params={"date": "2027-01-05"})
    assert response.status_code == 200
    fragment = Page(response.text)
    assert "is a hard day" in response.text
    assert "T5" in [e.text for e in fragment.find(cls="rule-id")]
    assert "<html" not in response.text


# -- logging a routine ----------------------------------------------------------------------------


def test_a_routine_is_logged_as_the_terminal_timer_logs_it(
    client: TestClient, settings: Settings
) -> None:
    response = client.post("/api/today/routine-log", json=A_LOG)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["when"] == "rest-day"
    assert body["date"] == TODAY.isoformat()
    (log,) = routine_logs(settings)
    assert log.id == body["id"]
    assert (log.day, log.when, log.steps_done, log.steps_skipped) == (TODAY, "rest-day", 2, 1)
    assert (log.seconds, log.completed) == (360.4, True)
    assert log.started_at == dt.datetime(2027, 1, 4, 7, 15, tzinfo=dt.UTC)
    assert client.get("/api/log").json()["routines"][0]["id"] == log.id


def test_a_routine_stopped_early_without_a_start_time_is_logged_as_started_now(
    client: TestClient, settings: Settings
) -> None:
    body = {**A_LOG, "completed": False, "steps_done": 0}
    del body["started_at"]
    assert client.post("/api/today/routine-log", json=body).status_code == 201
    (log,) = routine_logs(settings)
    assert log.completed is False
    assert log.started_at == dt.datetime(2027, 1, 4, 12, tzinfo=dt.UTC)  # the pinned clock


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({**A_LOG, "routine": "bedtime"}, "unknown_name"),
        ({**A_LOG, "date": "2027-01-05"}, "invalid_date"),
        ({**A_LOG, "date": "2027-02-30"}, "invalid_date"),
        ({**A_LOG, "steps_done": -1}, "invalid_value"),
        ({**A_LOG, "seconds": -5}, "invalid_value"),
        ({**A_LOG, "started_at": "2027-01-04T07:15:00"}, "invalid_value"),
        ({**A_LOG, "started_at": "this morning"}, "invalid_value"),
        ({**A_LOG, "mood": "great"}, "invalid_input"),
        ({}, "invalid_input"),
    ],
)
def test_a_bad_routine_log_is_refused_and_nothing_is_stored(
    client: TestClient, settings: Settings, body: dict[str, Any], code: str
) -> None:
    assert_error(client.post("/api/today/routine-log", json=body), 422, code)
    assert routine_logs(settings) == []


def test_a_routine_log_without_a_body_is_refused(client: TestClient, settings: Settings) -> None:
    assert_error(client.post("/api/today/routine-log"), 422, "invalid_input")
    assert routine_logs(settings) == []


# -- "this hurts" ---------------------------------------------------------------------------------


def test_a_pain_flag_is_merged_into_the_days_check_in_keeping_everything_else(
    client: TestClient, settings: Settings
) -> None:
    before = seed_checkin(settings)
    response = client.post("/api/today/pain-flag", json={"region": "shin", "quality": "dull"})
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["red_flag"], body["guidance"]) == (False, None)
    assert body["checkin"]["replaced"] is True
    (after,) = checkins(settings)
    assert after.day == TODAY
    assert after.soreness == before.soreness
    assert after.pain == {**before.pain, parse_region("shin"): PainQuality.DULL}
    assert (after.note, after.fatigue, after.sleep) == (before.note, 2, 3)


def test_a_pain_flag_on_a_day_without_a_check_in_starts_one(
    client: TestClient, settings: Settings
) -> None:
    response = client.post("/api/today/pain-flag", json={"region": "left-calf", "quality": "dull"})
    assert response.status_code == 201, response.text
    assert response.json()["checkin"]["replaced"] is False
    (checkin,) = checkins(settings)
    assert checkin.pain == {parse_region("left-calf"): PainQuality.DULL}
    assert (checkin.soreness, checkin.note, checkin.fatigue) == ({}, "", None)


def test_a_sharp_flag_is_a_red_flag_the_page_then_warns_and_leaves_the_region_out(
    client: TestClient, settings: Settings
) -> None:
    seed_checkin(settings)
    assert "red-flag" not in {c for e in get_page(client).elements for c in e.classes()}
    response = client.post("/api/today/pain-flag", json={"region": "left-calf", "quality": "sharp"})
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["red_flag"] is True
    guidance = body["guidance"]
    assert guidance["rule_id"] == "X1"
    assert guidance["sources"]
    assert any("left calf" in message for message in guidance["advice"])
    assert body["checkin"]["red_flags"] == ["left calf (sharp)"]

    page = get_page(client)
    (banner,) = page.find("section", "red-flag")
    assert "left calf" in banner.text
    sides = {step.attrs["data-side"] for step in page.find("li", "step", data_region="calf")}
    assert sides == {"right"}, "no step works the left calf or both calves"
    assert "X1" in banner.text
    # The banner says the flag; the day's advice under it does not say it again.
    assert not [a for a in page.find("li", "advice") if "left calf" in a.text]
    # The rest of the check-in is still there.
    (checkin,) = checkins(settings)
    assert checkin.soreness == {parse_region("calf"): 4, parse_region("quad"): 3}
    assert checkin.note == "legs heavy after Sunday"


@pytest.mark.parametrize("quality", ["numbness", "tingling"])
def test_numbness_and_tingling_are_red_flags_too(client: TestClient, quality: str) -> None:
    response = client.post("/api/today/pain-flag", json={"region": "shin", "quality": quality})
    assert response.status_code == 201, response.text
    assert response.json()["red_flag"] is True
    page = get_page(client)
    assert page.find("section", "red-flag")
    assert not page.find("li", "step", data_region="shin")


def test_a_dull_ache_does_not_undo_a_red_flag_on_the_same_region(
    client: TestClient, settings: Settings
) -> None:
    client.post("/api/today/pain-flag", json={"region": "shin", "quality": "tingling"})
    response = client.post("/api/today/pain-flag", json={"region": "shin", "quality": "dull"})
    assert response.status_code == 201, response.text
    assert (response.json()["recorded"], response.json()["red_flag"]) == ("tingling", True)
    (checkin,) = checkins(settings)
    assert checkin.pain == {parse_region("shin"): PainQuality.TINGLING}


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"region": "elbow", "quality": "sharp"}, "unknown_name"),
        ({"region": "left-low-back", "quality": "dull"}, "unknown_name"),
        ({"region": "calf", "quality": "burning"}, "unknown_name"),
        ({"region": "calf", "quality": "sharp", "date": "2027-01-05"}, "invalid_date"),
        ({"region": "calf", "quality": "sharp", "date": "1066-10-14"}, "invalid_date"),
        ({"region": "calf"}, "invalid_input"),
        ({"region": "calf", "quality": "dull", "side": "left"}, "invalid_input"),
        ({}, "invalid_input"),
    ],
)
def test_a_bad_pain_flag_is_refused_and_the_check_in_is_untouched(
    client: TestClient, settings: Settings, body: dict[str, Any], code: str
) -> None:
    seed_checkin(settings)
    before = checkins(settings)
    assert_error(client.post("/api/today/pain-flag", json=body), 422, code)
    assert checkins(settings) == before


def test_changes_without_the_csrf_token_are_refused_and_nothing_is_stored(
    client: TestClient, settings: Settings
) -> None:
    del client.headers[CSRF_HEADER]
    assert_error(client.post("/api/today/routine-log", json=A_LOG), 403, "csrf")
    flag = {"region": "calf", "quality": "sharp"}
    assert_error(client.post("/api/today/pain-flag", json=flag), 403, "csrf")
    assert routine_logs(settings) == []
    assert checkins(settings) == []


def test_a_change_from_another_site_is_refused_even_with_the_token(
    client: TestClient, settings: Settings
) -> None:
    response = client.post(
        "/api/today/pain-flag",
        json={"region": "calf", "quality": "sharp"},
        headers={"Origin": "http://evil.example"},
    )
    assert_error(response, 403, "cross_site")
    assert checkins(settings) == []


def test_the_runners_text_is_escaped_on_the_page_and_in_the_why_fold(
    client: TestClient, settings: Settings
) -> None:
    attack = "<script>alert('x')</script>"
    seed_checkin(settings, note=f"calves {attack}")
    with opened(settings) as app:
        season.update_profile(app, name=f"Sam {attack}")
        season.add_race(app, f"Race {attack}", dt.date(2027, 1, 6), Priority.B, 10.0)
    page = client.get("/today").text
    why = client.get("/ui/today/why", params={"date": TODAY.isoformat()}).text
    for html in (page, why):
        assert attack not in html
    assert "calves &lt;script&gt;" in why


def test_the_api_documents_the_player_routes(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/api/today/routine-log", "/api/today/pain-flag"):
        assert "requestBody" in paths[path]["post"]
        assert paths[path]["post"]["tags"] == ["today"]
