"""The Settings and Calendar feed pages of ``rubdown serve``, the therapist's hours through the
API, the planner and the command line, all on a temporary SQLite home.

"Today" is pinned to Monday 2027-01-04, as in the other web tests.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from rubdown.bootstrap import Settings
from rubdown.cli.main import cli
from rubdown.errors import InvalidValue
from rubdown.services.feeds import has_feed
from rubdown.store import sqlite_url_for_home
from rubdown.web.app import create_app
from rubdown.web.guard import CSRF_HEADER
from tests.support.web import TODAY, assert_error, opened, stored

BASE = "http://127.0.0.1:8765"
RACE = {"name": "Spring Marathon", "date": "2027-03-14", "priority": "A", "distance_km": 42.195}
CLINIC = [
    {"weekday": "tue", "start": "09:00", "end": "17:00"},
    {"weekday": "thu", "start": "12:00", "end": "20:00"},
    {"weekday": "sat", "start": "09:00", "end": "13:00"},
]
# The whole profile form as the page sends it (checkboxes only when ticked).
FORM: dict[str, Any] = {
    "name": "Ana",
    "timezone": "Europe/Berlin",
    "policy": "cautious",
    "frequency": "biweekly",
    "budget_per_month": "220",
    "session_price": "70",
    "session_time": "17:30",
    "session_minutes": "45",
    "tools": ["roller", "lacrosse-ball"],
    "desk_job": "true",
    "max_hr_bpm": "190",
    "resting_hr_bpm": "",
    "threshold_hr_bpm": "",
    "threshold_pace": "4:45",
    "sex": "female",
}


def professional_weekdays(plan: dict[str, Any]) -> set[int]:
    """Weekdays of the sessions a therapist gives (the pre-event warm-up is the race's)."""
    return {
        dt.date.fromisoformat(s["date"]).weekday()
        for s in plan["sessions"]
        if s["professional"] and s["kind"] != "pre-event"
    }


# -- the settings page -------------------------------------------------------------------------


def test_the_settings_page_shows_the_current_values(client: TestClient) -> None:
    profile = {"policy": "adapted", "budget_per_month": 215, "owns": ["stick"], "desk_job": True}
    assert client.put("/api/profile", json=profile).status_code == 200
    assert client.put("/api/availability", json={"hours": CLINIC[:1]}).status_code == 200
    page = client.get("/settings")
    assert page.status_code == 200
    html = page.text
    assert '<form id="profile-form"' in html
    assert '<option value="adapted" selected>' in html
    assert 'name="budget_per_month"' in html
    assert 'value="215"' in html
    assert re.search(r'name="tools" value="stick" checked', html)
    assert not re.search(r'name="tools" value="roller" checked', html)
    assert re.search(r'name="desk_job" value="true" checked', html)
    assert 'href="/rules#policy-table"' in html
    # Nothing was given for the load values: each says it is estimated, and its estimate.
    assert html.count("Estimated:") == 4
    assert '<button id="profile-save" type="submit">' in html
    # The saved hours as an editable row, and the editor's controls.
    assert html.count('class="availability-row"') == 2  # the Tuesday row and the template row
    assert '<option value="tue" selected>Tuesday</option>' in html
    assert 'name="start" type="time" value="09:00"' in html
    assert 'id="availability-add"' in html
    assert 'id="availability-save"' in html


def test_saving_the_profile_form_stores_it_and_answers_saved(client: TestClient) -> None:
    response = client.post("/ui/settings/profile", data=FORM)
    assert response.status_code == 200, response.text
    assert "Saved" in response.text
    assert "190 bpm" in response.text
    profile = client.get("/api/profile").json()
    assert profile["name"] == "Ana"
    assert profile["policy"] == "cautious"
    assert profile["frequency"] == "biweekly"
    assert profile["budget_per_month"] == 220
    assert profile["session_price"] == 70
    assert profile["session_time"] == "17:30"
    assert profile["session_minutes"] == 45
    assert profile["owns"] == ["lacrosse-ball", "roller"]
    assert profile["desk_job"] is True
    assert profile["timezone"] == "Europe/Berlin"
    assert profile["max_hr_bpm"] == 190
    assert profile["threshold_pace_s_per_km"] == 285
    assert profile["resting_hr_bpm"] is None
    assert profile["sex"] == "female"
    assert profile["load_values"]["estimated"] == ["resting_hr_bpm", "threshold_hr_bpm"]


def test_unticked_boxes_and_emptied_load_values_are_taken_back(client: TestClient) -> None:
    assert client.post("/ui/settings/profile", data=FORM).status_code == 200
    emptied = {**FORM, "tools": [], "max_hr_bpm": "", "threshold_pace": "", "sex": ""}
    del emptied["desk_job"]
    assert client.post("/ui/settings/profile", data=emptied).status_code == 200
    profile = client.get("/api/profile").json()
    assert profile["owns"] == []
    assert profile["desk_job"] is False
    assert profile["max_hr_bpm"] is None
    assert profile["threshold_pace_s_per_km"] is None
    assert profile["sex"] is None
    assert "max_hr_bpm" in profile["load_values"]["estimated"]


@pytest.mark.parametrize(
    ("changes", "code", "said"),
    [
        ({"budget_per_month": "-1"}, "invalid_value", "monthly budget"),
        ({"budget_per_month": "lots"}, "invalid_value", "must be a number"),
        ({"policy": "yolo"}, "unknown_name", "unknown policy"),
        ({"max_hr_bpm": "180", "threshold_hr_bpm": "185"}, "invalid_value", "threshold HR"),
        ({"threshold_pace": "4:75"}, "invalid_value", "threshold pace"),
        ({"timezone": "Mars/Olympus"}, "invalid_value", "time zone"),
    ],
)
def test_a_bad_value_from_the_form_is_refused_and_nothing_changes(
    client: TestClient, settings: Settings, changes: dict[str, str], code: str, said: str
) -> None:
    assert client.post("/ui/settings/profile", data=FORM).status_code == 200
    before = stored(settings)
    response = client.post("/ui/settings/profile", data={**FORM, **changes})
    message = assert_error(response, 422, code)["message"]
    assert said in message
    assert stored(settings) == before


def test_the_api_can_take_a_load_value_back_to_its_estimate(client: TestClient) -> None:
    assert client.put("/api/profile", json={"max_hr_bpm": 188}).json()["max_hr_bpm"] == 188
    profile = client.put("/api/profile", json={"estimate": ["max_hr_bpm"]}).json()
    assert profile["max_hr_bpm"] is None
    assert "max_hr_bpm" in profile["load_values"]["estimated"]


def test_only_load_values_can_be_estimated(client: TestClient, settings: Settings) -> None:
    before = stored(settings)
    assert_error(client.put("/api/profile", json={"estimate": ["policy"]}), 422, "invalid_value")
    both = {"max_hr_bpm": 188, "estimate": ["max_hr_bpm"]}
    assert_error(client.put("/api/profile", json=both), 422, "invalid_value")
    assert stored(settings) == before


# -- the therapist's hours -------------------------------------------------------------------


def test_the_hours_go_through_the_api_and_come_back_sorted(client: TestClient) -> None:
    assert client.get("/api/availability").json() == {
        "any_day": True,
        "days": "any day",
        "text": "",
        "hours": [],
    }
    response = client.put("/api/availability", json={"hours": list(reversed(CLINIC))})
    assert response.status_code == 200, response.text
    view = client.get("/api/availability").json()
    assert view == response.json()
    assert view["any_day"] is False
    assert view["days"] == "Tue, Thu and Sat"
    assert view["text"] == "Tue 09:00-17:00, Thu 12:00-20:00, Sat 09:00-13:00"
    assert [(h["weekday"], h["start"], h["end"]) for h in view["hours"]] == [
        ("tue", "09:00", "17:00"),
        ("thu", "12:00", "20:00"),
        ("sat", "09:00", "13:00"),
    ]
    assert client.put("/api/availability", json={"hours": []}).json()["any_day"] is True


@pytest.mark.parametrize(
    ("hours", "code", "said"),
    [
        (
            [{"weekday": "tue", "start": "17:00", "end": "09:00"}],
            "invalid_value",
            "after the start",
        ),
        (
            [
                {"weekday": "tue", "start": "09:00", "end": "13:00"},
                {"weekday": "tue", "start": "12:00", "end": "17:00"},
            ],
            "invalid_value",
            "overlap",
        ),
        ([{"weekday": "someday", "start": "09:00", "end": "10:00"}], "unknown_name", "weekday"),
        ([{"weekday": "tue", "start": "25:00", "end": "26:00"}], "invalid_value", "invalid time"),
        ([{"weekday": "tue", "start": "09:00"}], "invalid_input", "end"),
    ],
)
def test_bad_hours_are_refused_and_the_old_ones_kept(
    client: TestClient, settings: Settings, hours: list[dict[str, str]], code: str, said: str
) -> None:
    assert client.put("/api/availability", json={"hours": CLINIC}).status_code == 200
    before = stored(settings)
    message = assert_error(client.put("/api/availability", json={"hours": hours}), 422, code)[
        "message"
    ]
    assert said in message
    assert stored(settings) == before


def test_the_hours_form_saves_its_rows_and_an_empty_form_clears_them(client: TestClient) -> None:
    rows = {"weekday": ["thu", "tue"], "start": ["12:00", "09:00"], "end": ["00:00", "17:00"]}
    response = client.post("/ui/settings/availability", data=rows)
    assert response.status_code == 200, response.text
    assert "Saved" in response.text
    assert "Tue 09:00-17:00, Thu 12:00-24:00" in response.text
    assert client.get("/api/availability").json()["days"] == "Tue and Thu"
    # The page shows midnight as 00:00, which a time field can hold and the form reads back.
    assert 'name="end" type="time" value="00:00"' in client.get("/settings").text
    cleared = client.post("/ui/settings/availability", data={})
    assert cleared.status_code == 200
    assert "any day" in cleared.text
    assert client.get("/api/availability").json()["any_day"] is True


def test_a_bad_row_in_the_hours_form_names_its_row_and_stores_nothing(
    client: TestClient, settings: Settings
) -> None:
    assert client.put("/api/availability", json={"hours": CLINIC}).status_code == 200
    before = stored(settings)
    rows = {"weekday": ["tue", "wed"], "start": ["09:00", "18:00"], "end": ["12:00", "10:00"]}
    response = client.post("/ui/settings/availability", data=rows)
    message = assert_error(response, 422, "invalid_value")["message"]
    assert "row 2" in message
    assert stored(settings) == before


def test_the_plan_keeps_to_the_hours_once_they_are_set(client: TestClient) -> None:
    assert client.post("/api/races", json=RACE).status_code == 201
    anywhere = client.get("/api/plan").json()
    assert professional_weekdays(anywhere) - {1, 3, 5}, "the plan must use other days first"
    assert client.put("/api/availability", json={"hours": CLINIC}).status_code == 200
    # The cached plan of the old inputs is not served: the hours are among its inputs.
    kept = client.get("/api/plan").json()
    assert professional_weekdays(kept)
    assert professional_weekdays(kept) <= {1, 3, 5}
    reasons = [s["reason"] for s in kept["sessions"] if s["kind"] not in ("pre-event",)]
    assert any("within your therapist's hours" in r for r in reasons)


# -- the command line ------------------------------------------------------------------------


def test_profile_set_takes_the_hours_and_profile_show_lists_them(tmp_path: Path) -> None:
    runner = CliRunner()
    home = ["--home", str(tmp_path / "home")]
    hours = "tue 09:00-17:00, thu 12:00-20:00"
    result = runner.invoke(cli, [*home, "profile", "set", "--availability", hours])
    assert result.exit_code == 0, result.output
    assert "only on Tue and Thu" in result.output
    shown = runner.invoke(cli, [*home, "profile", "show"])
    assert "therapist hours: Tue 09:00-17:00, Thu 12:00-20:00" in shown.output
    document = json.loads(runner.invoke(cli, [*home, "profile", "show", "--json"]).output)
    assert document["availability"]["days"] == "Tue and Thu"
    refused = runner.invoke(cli, [*home, "profile", "set", "--availability", "tue 17:00-09:00"])
    # An input error, which ``rubdown`` itself reports as one line with exit status 2.
    assert isinstance(refused.exception, InvalidValue)
    assert refused.exception.exit_status == 2
    assert "--availability" in str(refused.exception)
    assert "after the start" in str(refused.exception)
    shown = runner.invoke(cli, [*home, "profile", "show"])
    assert "therapist hours: Tue 09:00-17:00, Thu 12:00-20:00" in shown.output
    cleared = runner.invoke(cli, [*home, "profile", "set", "--availability", "none", "--json"])
    assert cleared.exit_code == 0, cleared.output
    assert json.loads(cleared.output)["availability"]["any_day"] is True


# -- the calendar feed page ------------------------------------------------------------------


def feed_urls_in(html: str) -> tuple[str, str]:
    full = re.search(r'id="feed-url"[^>]*value="([^"]+)"', html)
    busy = re.search(r'id="busy-feed-url"[^>]*value="([^"]+)"', html)
    assert full is not None, html
    assert busy is not None, html
    return full.group(1), busy.group(1)


def test_without_a_feed_the_page_offers_to_create_one(client: TestClient) -> None:
    page = client.get("/feeds")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert 'id="feed-create"' in page.text
    assert 'id="feed-regenerate"' not in page.text
    assert 'id="feed-url"' not in page.text
    for app_name in ("Google", "Apple", "Outlook"):
        assert app_name in page.text


def test_creating_a_feed_shows_both_absolute_urls_which_serve_the_plan(
    client: TestClient, settings: Settings
) -> None:
    assert client.post("/api/races", json=RACE).status_code == 201
    assert client.post("/api/plan").status_code == 200
    created = client.post("/ui/feeds/secret")
    assert created.status_code == 200, created.text
    full, busy = feed_urls_in(created.text)
    assert full.startswith(f"{BASE}/feeds/")
    assert full.endswith(".ics")
    assert busy == full.removesuffix(".ics") + "-busy.ics"
    assert 'id="feed-regenerate"' in created.text
    assert 'id="feed-create"' not in created.text
    calendar = client.get(full)
    assert calendar.status_code == 200
    assert calendar.headers["content-type"].startswith("text/calendar")
    assert b"Spring Marathon" in calendar.content
    neutral = client.get(busy)
    assert b"SUMMARY:Busy" in neutral.content
    assert b"Spring Marathon" not in neutral.content
    # Later visits know a feed exists but cannot show its URL: only its hash is kept.
    page = client.get("/feeds")
    assert 'id="feed-regenerate"' in page.text
    assert 'id="feed-create"' not in page.text
    assert full not in page.text


def test_regenerating_the_secret_stops_the_old_url_at_once(client: TestClient) -> None:
    old_full, old_busy = feed_urls_in(client.post("/ui/feeds/secret").text)
    new_full, new_busy = feed_urls_in(client.post("/ui/feeds/secret").text)
    assert new_full != old_full
    assert client.get(old_full).status_code == 404
    assert client.get(old_busy).status_code == 404
    served = client.get(new_full)
    assert served.status_code == 200
    assert b"BEGIN:VCALENDAR" in served.content
    assert client.get(new_busy).status_code == 200


def test_turning_the_feed_off_stops_its_urls_and_offers_a_new_one(client: TestClient) -> None:
    full, busy = feed_urls_in(client.post("/ui/feeds/secret").text)
    panel = client.post("/ui/feeds/off")
    assert panel.status_code == 200, panel.text
    assert 'id="feed-create"' in panel.text
    assert 'id="feed-off"' not in panel.text
    assert client.get(full).status_code == 404
    assert client.get(busy).status_code == 404
    assert client.get("/api/feeds").json() == {"active": False}


def test_the_api_turns_the_feed_off_and_says_whether_there_was_one(client: TestClient) -> None:
    full = client.post("/api/feeds/secret").json()["urls"]["full"]
    assert client.delete("/api/feeds/secret").json() == {"active": False, "was_active": True}
    assert client.get(full).status_code == 404
    assert client.delete("/api/feeds/secret").json() == {"active": False, "was_active": False}


def test_the_feed_page_and_the_feed_routes_do_not_clash(client: TestClient) -> None:
    assert client.get("/feeds").headers["content-type"].startswith("text/html")
    assert client.get("/feeds/not-a-secret.ics").status_code == 404
    assert client.get("/feeds/not-a-secret-busy.ics").status_code == 404


# -- the guard and escaping ------------------------------------------------------------------


def test_changes_from_the_pages_without_the_csrf_token_are_refused_and_store_nothing(
    client: TestClient, settings: Settings
) -> None:
    before = stored(settings)
    del client.headers[CSRF_HEADER]
    assert_error(client.post("/ui/settings/profile", data=FORM), 403, "csrf")
    rows = {"weekday": ["tue"], "start": ["09:00"], "end": ["17:00"]}
    assert_error(client.post("/ui/settings/availability", data=rows), 403, "csrf")
    assert_error(client.put("/api/availability", json={"hours": CLINIC}), 403, "csrf")
    assert_error(client.post("/ui/feeds/secret"), 403, "csrf")
    assert stored(settings) == before
    with opened(settings) as app:
        assert not has_feed(app)


def test_text_the_runner_typed_is_escaped_on_the_pages(client: TestClient) -> None:
    script = "<script>alert(1)</script>"
    assert client.post("/ui/settings/profile", data={**FORM, "name": script}).status_code == 200
    page = client.get("/settings").text
    assert script not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    saved = client.post("/ui/settings/profile", data={**FORM, "name": script})
    assert script not in saved.text


def test_the_pages_escape_the_home_path(tmp_path: Path) -> None:
    home = tmp_path / "<script>alert(1)</script>"
    settings = Settings(home, sqlite_url_for_home(home), today=TODAY)
    with TestClient(create_app(settings), base_url=BASE) as test_client:
        for path in ("/settings", "/feeds"):
            page = test_client.get(path)
            assert page.status_code == 200
            assert "<script>alert" not in page.text
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
