"""Warning signs through the API and the pages, and the alerts every answer leads with, on
SQLite and PostgreSQL. "Today" is Monday 2027-01-04."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from rubdown.bootstrap import Settings
from rubdown.domain.model import CheckIn, Sign
from rubdown.domain.regions import parse_region
from rubdown.web.cache import answers as response_cache
from rubdown.web.cache import plan as plan_cache
from tests.integration.test_web_checkin import shapes
from tests.support.html import form_fields
from tests.support.web import opened

TODAY = dt.date(2027, 1, 4)
SWOLLEN = {"signs": {"left-calf": ["swelling", "warmth"]}}
RACE = {"name": "Spring Marathon", "date": "2027-03-14", "priority": "A", "distance_km": 42.195}


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(tmp_path / "home", database_url, today=TODAY)


@pytest.fixture(autouse=True)
def empty_caches() -> Iterator[None]:
    response_cache.CACHE.clear()
    plan_cache.CACHE.clear()
    yield
    response_cache.CACHE.clear()
    plan_cache.CACHE.clear()


def stored_checkins(settings: Settings) -> list[CheckIn]:
    with opened(settings) as app:
        return app.data.list_checkins()


def posted(response: Any, status: int = 201) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


def kinds(alerts: list[dict[str, Any]]) -> list[tuple[str, str, bool]]:
    return [(a["kind"], a["region"], a["urgent"]) for a in alerts]


# -- the check-in API -------------------------------------------------------------------------


def test_the_checkin_api_stores_signs_and_answers_with_the_urgent_clot_alert_first(
    client: TestClient, settings: Settings
) -> None:
    posted(client.post("/api/checkins", json={"pain": {"right-heel": "sharp"}}))
    body = posted(client.post("/api/checkins", json={**SWOLLEN, "pain": {"right-heel": "sharp"}}))

    assert body["signs"] == {"left-calf": ["swelling", "warmth"]}
    assert body["warning_signs"] == ["left calf (swelling, warmth)"]
    assert kinds(body["alerts"]) == [
        ("clot", "left-calf", True),
        ("red-flag", "right-heel", False),
    ]
    clot = body["alerts"][0]
    assert "see a doctor today" in clot["message"]
    assert clot["rule_ids"] == ["R5"]
    assert clot["rules"][0]["sources"]
    (stored,) = stored_checkins(settings)
    assert stored.signs == {parse_region("left-calf"): frozenset({Sign.SWELLING, Sign.WARMTH})}


def test_a_checkin_with_only_a_fresh_strain_is_stored_and_listed(client: TestClient) -> None:
    body = posted(client.post("/api/checkins", json={"signs": {"low-back": ["strain"]}}))

    assert kinds(body["alerts"]) == [("fresh-injury", "low-back", False)]
    (listed,) = client.get("/api/checkins").json()["checkins"]
    assert listed["signs"] == {"low-back": ["strain"]}


@pytest.mark.parametrize(
    ("signs", "code", "names"),
    [
        ({"left-calf": ["swollen"]}, "unknown_name", "swollen"),
        ({"elbow": ["bruise"]}, "unknown_name", "elbow"),
        ({"upper-back": ["redness"]}, "invalid_value", "in a leg only (R5)"),
    ],
)
def test_a_bad_sign_is_refused_in_one_line_and_nothing_is_stored(
    client: TestClient, settings: Settings, signs: dict[str, list[str]], code: str, names: str
) -> None:
    response = client.post("/api/checkins", json={"signs": signs})

    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == code
    assert names in error["message"]
    assert "\n" not in error["message"]
    assert stored_checkins(settings) == []


# -- every answer leads with the alerts -------------------------------------------------------


def test_today_check_plan_and_why_answers_carry_the_alerts_once_a_sign_is_in(
    client: TestClient,
) -> None:
    posted(client.post("/api/races", json=RACE))
    check = {"date": "2027-01-08", "kind": "sports", "regions": ["quad"]}
    before = {
        "today": posted(client.get("/api/today"), 200),
        "check": posted(client.post("/api/check", json=check), 200),
        "plan": posted(client.get("/api/plan"), 200),
        "why": posted(client.get("/api/why/2027-01-04"), 200),
    }
    posted(client.post("/api/checkins", json=SWOLLEN))
    after = {
        "today": posted(client.get("/api/today"), 200),
        "check": posted(client.post("/api/check", json=check), 200),
        "plan": posted(client.get("/api/plan"), 200),
        "why": posted(client.get("/api/why/2027-01-04"), 200),
    }

    for name in before:
        assert before[name]["alerts"] == [], name
        assert next(iter(after[name])) == "alerts", f"{name}: alerts come first"
        assert kinds(after[name]["alerts"]) == [("clot", "left-calf", True)], name


def test_a_fresh_strain_alert_is_gone_from_a_check_three_days_on(client: TestClient) -> None:
    posted(client.post("/api/checkins", json={"signs": {"right-quad": ["knock"]}}))

    soon = posted(client.post("/api/check", json={"date": "2027-01-06", "kind": "flush"}), 200)
    later = posted(client.post("/api/check", json={"date": "2027-01-07", "kind": "flush"}), 200)

    assert kinds(soon["alerts"]) == [("fresh-injury", "right-quad", False)]
    assert later["alerts"] == []


def test_every_page_shows_the_urgent_clot_banner_first(client: TestClient) -> None:
    posted(client.post("/api/checkins", json={"pain": {"right-heel": "numbness"}}))
    posted(client.post("/api/checkins", json={**SWOLLEN, "pain": {"right-heel": "numbness"}}))

    for path in ("/today", "/checkin", "/plan", "/rules", "/settings"):
        html = client.get(path).text
        banner = html.split('id="alerts-banner"', 1)[1].split("</section>", 1)[0]
        assert "See a doctor today" in banner, path
        urgent = banner.index("alert-urgent")
        assert urgent < banner.index('data-kind="red-flag"'), path
        assert "Urgent" in banner
        assert "R5" in banner
        assert "X1" in banner
        assert html.index('id="alerts-banner"') < html.index('<main id="main"'), path


def test_no_alert_means_no_banner(client: TestClient) -> None:
    html = client.get("/today").text

    assert 'id="alerts-banner"' in html
    assert 'class="red-flag' not in html


# -- the Check-in page ------------------------------------------------------------------------


def test_the_page_offers_each_sign_per_region_with_a_label_and_clot_signs_on_legs_only(
    client: TestClient,
) -> None:
    html = client.get("/checkin").text
    fields = form_fields(html, "checkin-form")

    assert fields["signs"] == "shown"
    assert 'name="sign:calf:left:swelling"' in html
    assert 'name="sign:hamstring:right:strain"' in html
    assert 'name="sign:low-back:center:bruise"' in html
    assert 'name="sign:low-back:center:swelling"' not in html
    assert "<legend>Warning signs</legend>" in html  # the map's editor
    for sign in Sign:
        assert f'id="region-sign-{sign.value}"' in html
    assert not any(key.startswith("sign:") for key in fields), "nothing ticked yet"


def test_saving_a_swelling_from_the_page_stores_it_and_swaps_in_the_urgent_banner(
    client: TestClient, settings: Settings
) -> None:
    fields = form_fields(client.get("/checkin").text, "checkin-form")
    fields.update({"sign:calf:left:swelling": "on", "sign:quad:right:bruise": "on"})

    response = client.post("/ui/checkin/save", data=fields)

    assert response.status_code == 200, response.text
    (stored,) = stored_checkins(settings)
    assert stored.signs == {
        parse_region("left-calf"): frozenset({Sign.SWELLING}),
        parse_region("right-quad"): frozenset({Sign.BRUISE}),
    }
    html = response.text
    assert 'id="alerts-banner" hx-swap-oob="true"' in html
    assert "See a doctor today" in html
    assert "Warning signs: left calf (swelling); right quad (bruise)" in html


def test_the_page_shows_stored_signs_on_the_map_the_list_and_the_heat_map(
    client: TestClient,
) -> None:
    posted(client.post("/api/checkins", json={"signs": {"calf": ["redness"]}}))

    html = client.get("/checkin").text
    fields = form_fields(html, "checkin-form")

    assert fields["sign:calf:left:redness"] == "on"
    assert fields["sign:calf:right:redness"] == "on"
    (left_calf,) = [s for s in shapes(html) if 'data-region="calf" data-side="left"' in s]
    assert " clot" in left_calf
    assert 'aria-label="left calf, redness"' in left_calf
    heat = html.split('id="soreness-heatmap"', 1)[1]
    assert "left calf" in heat
    assert ", redness</span>" in heat


def test_unticking_every_sign_on_the_page_clears_them(
    client: TestClient, settings: Settings
) -> None:
    posted(client.post("/api/checkins", json={"signs": {"left-calf": ["swelling"]}}))
    fields = form_fields(client.get("/checkin").text, "checkin-form")
    del fields["sign:calf:left:swelling"]
    fields["sore:calf:left"] = "2"

    assert client.post("/ui/checkin/save", data=fields).status_code == 200

    (stored,) = stored_checkins(settings)
    assert stored.signs == {}
    assert stored.soreness == {parse_region("left-calf"): 2}


def test_a_form_without_the_signs_marker_keeps_the_stored_signs(
    client: TestClient, settings: Settings
) -> None:
    posted(client.post("/api/checkins", json={"signs": {"left-calf": ["swelling"]}}))

    response = client.post("/ui/checkin/save", data={"sore:quad:left": "3"})

    assert response.status_code == 200, response.text
    (stored,) = stored_checkins(settings)
    assert stored.signs == {parse_region("left-calf"): frozenset({Sign.SWELLING})}


def test_a_bad_sign_field_is_refused_in_one_line(client: TestClient, settings: Settings) -> None:
    for field in ("sign:calf:left:swollen", "sign:low-back:center:warmth"):
        response = client.post("/ui/checkin/save", data={"signs": "shown", field: "on"})
        assert response.status_code == 422, response.text
        assert "\n" not in response.json()["error"]["message"]
    assert stored_checkins(settings) == []


def test_pain_flagged_from_the_player_keeps_the_days_signs(
    client: TestClient, settings: Settings
) -> None:
    posted(client.post("/api/checkins", json=SWOLLEN))

    posted(client.post("/api/today/pain-flag", json={"region": "right-quad", "quality": "dull"}))

    (stored,) = stored_checkins(settings)
    assert stored.signs == {parse_region("left-calf"): frozenset({Sign.SWELLING, Sign.WARMTH})}
