"""The Check-in page of ``rubdown serve``: the body map, saving, injuries and the heat map,
through FastAPI's test client on a temporary SQLite home. "Today" is Monday 2027-01-04."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from rubdown.bootstrap import Settings
from rubdown.domain.model import CheckIn, Condition, PainQuality
from rubdown.domain.regions import BodyPart, parse_region
from rubdown.services import daily
from rubdown.web.guard import CSRF_HEADER
from tests.support.html import form_fields
from tests.support.web import TODAY, assert_error, opened

BASE = "http://127.0.0.1:8765"
R = parse_region


def seed_checkin(settings: Settings, day: dt.date = TODAY, **given: Any) -> None:
    with opened(settings) as app:
        daily.check_in(
            app,
            day,
            given.get("soreness", {}),
            given.get("pain", {}),
            given.get("note", ""),
            fatigue=given.get("fatigue"),
            sleep=given.get("sleep"),
        )


def stored_checkins(settings: Settings) -> list[CheckIn]:
    with opened(settings) as app:
        return app.data.list_checkins()


def stored_state(settings: Settings) -> tuple[Any, ...]:
    with opened(settings) as app:
        return (app.data.list_checkins(), app.data.list_injuries())


def shapes(html: str) -> list[str]:
    return re.findall(r"<path [^>]*data-region=[^>]*>", html)


# -- the page ---------------------------------------------------------------------------------


def test_the_map_draws_every_region_of_the_vocabulary_as_a_focusable_labelled_button(
    client: TestClient,
) -> None:
    response = client.get("/checkin")
    assert response.status_code == 200
    html = response.text
    assert 'id="body-map"' in html
    drawn = shapes(html)
    for part in BodyPart:
        sides = ("left", "right") if part.paired else ("center",)
        for side in sides:
            found = [
                s
                for s in drawn
                if f'data-region="{part.value}"' in s and f'data-side="{side}"' in s
            ]
            assert len(found) == 1, (part, side)
            (shape,) = found
            assert 'tabindex="0"' in shape
            assert 'role="button"' in shape
            label = part.value.replace("-", " ")
            name = label if side == "center" else f"{side} {label}"
            assert f'aria-label="{name}, not recorded"' in shape
    assert len(drawn) == sum(2 if p.paired else 1 for p in BodyPart)


def test_the_page_carries_the_editor_the_wellness_fields_and_the_other_sections(
    client: TestClient,
) -> None:
    html = client.get("/checkin").text
    for needle in (
        'id="region-editor"',
        'id="region-soreness" min="0" max="10"',
        'id="region-apply"',
        '<select id="fatigue" name="fatigue">',
        '<select id="sleep" name="sleep">',
        '<textarea id="note" name="note"',
        'id="checkin-save"',
        'id="checkin-result"',
        '<table id="soreness-heatmap"',
        '<form id="injury-open"',
        "/static/js/bodymap.js",
        "/static/css/checkin.css",
    ):
        assert needle in html, needle
    pain_select = html[html.index('<select id="region-pain">') :]
    pain_select = pain_select[: pain_select.index("</select>")]
    values = re.findall(r'<option value="([^"]*)"', pain_select)
    assert values == ["", "dull", "sharp", "numbness", "tingling"]
    fatigue = html[html.index('<select id="fatigue"') :]
    assert "1 · fresh" in fatigue[: fatigue.index("</select>")]
    for asset in ("/static/js/bodymap.js", "/static/css/checkin.css"):
        assert client.get(asset).status_code == 200, asset


def test_the_stored_check_in_of_the_day_pre_fills_the_map_and_the_fields(
    client: TestClient, settings: Settings
) -> None:
    seed_checkin(
        settings,
        soreness={R("calf"): 3, R("left-calf"): 6},
        pain={R("right-calf"): PainQuality.SHARP},
        note="heavy legs",
        fatigue=3,
        sleep=2,
    )
    html = client.get("/checkin").text
    (left,) = [s for s in shapes(html) if 'data-region="calf"' in s and 'data-side="left"' in s]
    (right,) = [s for s in shapes(html) if 'data-region="calf"' in s and 'data-side="right"' in s]
    assert 'aria-label="left calf, soreness 6"' in left
    assert "lvl-6" in left
    assert 'aria-label="right calf, soreness 3, sharp pain"' in right
    assert "flagged" in right
    fields = form_fields(html, "checkin-form")
    assert fields["sore:calf:left"] == "6"
    assert fields["sore:calf:right"] == "3"
    assert fields["pain:calf:right"] == "sharp"
    assert fields["sore:knee:left"] == ""
    assert (fields["fatigue"], fields["sleep"], fields["note"]) == ("3", "2", "heavy legs")
    assert fields["date"] == TODAY.isoformat()


def test_an_earlier_day_shows_its_own_check_in(client: TestClient, settings: Settings) -> None:
    seed_checkin(settings, TODAY - dt.timedelta(days=2), soreness={R("low-back"): 5})
    html = client.get("/checkin?date=2027-01-02").text
    assert 'aria-label="low back, soreness 5"' in html
    assert form_fields(html, "checkin-form")["date"] == "2027-01-02"
    assert 'aria-label="low back, not recorded"' in client.get("/checkin").text


@pytest.mark.parametrize("date", ["2027-01-05", "2027-02-30", "tomorrow"])
def test_a_future_or_impossible_day_is_refused(client: TestClient, date: str) -> None:
    assert_error(client.get(f"/checkin?date={date}"), 422)


# -- saving -----------------------------------------------------------------------------------


def test_saving_the_form_stores_the_check_in_through_the_service(
    client: TestClient, settings: Settings
) -> None:
    fields = form_fields(client.get("/checkin").text, "checkin-form")
    fields.update(
        {"sore:calf:left": "4", "pain:heel:right": "dull", "fatigue": "2", "note": "easy day"}
    )
    response = client.post("/ui/checkin/save", data=fields)
    assert response.status_code == 200, response.text
    assert 'id="checkin-result"' in response.text
    assert "Saved" in response.text
    assert 'href="/today"' in response.text
    assert 'id="soreness-heatmap"' in response.text  # the heat map comes back too
    (stored,) = stored_checkins(settings)
    assert stored.day == TODAY
    assert stored.soreness == {R("left-calf"): 4}
    assert stored.pain == {R("right-heel"): PainQuality.DULL}
    assert (stored.fatigue, stored.sleep, stored.note) == (2, None, "easy day")
    assert "Stop work" not in response.text


def test_saving_again_the_same_day_replaces_the_check_in(
    client: TestClient, settings: Settings
) -> None:
    seed_checkin(settings, soreness={R("left-calf"): 7, R("low-back"): 2}, sleep=1)
    fields = form_fields(client.get("/checkin").text, "checkin-form")
    fields.update({"sore:calf:left": "", "sore:quad:right": "3"})
    response = client.post("/ui/checkin/save", data=fields)
    assert response.status_code == 200, response.text
    assert "replaces the one saved earlier" in response.text
    (stored,) = stored_checkins(settings)
    assert stored.soreness == {R("low-back"): 2, R("right-quad"): 3}
    assert stored.sleep == 1


def test_saving_an_unchanged_page_keeps_what_was_stored_exactly(
    client: TestClient, settings: Settings
) -> None:
    seed_checkin(
        settings,
        soreness={R("calf"): 3, R("left-calf"): 6, R("upper-back"): 0},
        pain={R("knee"): PainQuality.DULL, R("left-heel"): PainQuality.NUMBNESS},
        note="  after the long run  ",
        fatigue=4,
        sleep=3,
    )
    (before,) = stored_checkins(settings)
    fields = form_fields(client.get("/checkin").text, "checkin-form")
    assert client.post("/ui/checkin/save", data=fields).status_code == 200
    (after,) = stored_checkins(settings)
    assert after == before


def test_a_red_flag_says_work_on_the_region_stops_with_rule_x1_and_its_source(
    client: TestClient, settings: Settings
) -> None:
    fields = {"sore:calf:right": "5", "pain:calf:right": "sharp", "pain:shin:left": "tingling"}
    response = client.post("/ui/checkin/save", data=fields)
    assert response.status_code == 200, response.text
    html = response.text
    assert "Stop work on left shin, right calf" in html
    assert 'role="alert"' in html
    assert "X1" in html
    with opened(settings) as app:
        rule = app.kb.rule("X1")
        titles = [app.kb.sources[key].title for key in rule.sources]
    assert all(title.replace("'", "&#39;") in html for title in titles)


def test_fields_the_form_leaves_out_keep_what_was_stored(
    client: TestClient, settings: Settings
) -> None:
    seed_checkin(settings, soreness={R("calf"): 4}, fatigue=2, sleep=3, note="kept")
    response = client.post("/ui/checkin/save", data={"sore:heel:left": "1", "sleep": ""})
    assert response.status_code == 200, response.text
    (stored,) = stored_checkins(settings)
    assert stored.soreness == {R("calf"): 4, R("left-heel"): 1}
    assert (stored.fatigue, stored.sleep, stored.note) == (2, None, "kept")


def test_a_check_in_for_an_earlier_day_is_saved_on_that_day(
    client: TestClient, settings: Settings
) -> None:
    response = client.post("/ui/checkin/save", data={"date": "2027-01-01", "sleep": "2"})
    assert response.status_code == 200, response.text
    (stored,) = stored_checkins(settings)
    assert (stored.day, stored.sleep) == (dt.date(2027, 1, 1), 2)


@pytest.mark.parametrize(
    "fields",
    [
        {"sore:calf:left": "11"},
        {"sore:calf:left": "-1"},
        {"sore:calf:left": "four"},
        {"sore:elbow:left": "3"},
        {"sore:calf:middle": "3"},
        {"sore:calf": "3"},
        {"pain:calf:left": "stabbing"},
        {"sore:calf:left": "3", "date": "2027-01-05"},
        {"sore:calf:left": "3", "fatigue": "5"},
        {"sore:calf:left": "3", "sleep": "0"},
        {"sore:calf:left": "3", "mood": "2"},
        {"sore:calf:left": "", "fatigue": ""},  # nothing left to say: an empty check-in
    ],
)
def test_bad_input_is_refused_with_the_error_shape_and_nothing_changes(
    client: TestClient, settings: Settings, fields: dict[str, str]
) -> None:
    seed_checkin(settings, soreness={R("left-calf"): 2}, fatigue=1)
    before = stored_state(settings)
    assert_error(client.post("/ui/checkin/save", data=fields), 422)
    assert stored_state(settings) == before


def test_a_save_without_the_csrf_token_is_refused_and_not_stored(
    client: TestClient, settings: Settings
) -> None:
    del client.headers[CSRF_HEADER]
    assert_error(client.post("/ui/checkin/save", data={"sore:calf:left": "3"}), 403, "csrf")
    fields = {"part": "calf", "condition": "tight-calves"}
    assert_error(client.post("/ui/checkin/injuries", data=fields), 403, "csrf")
    assert stored_state(settings) == ([], [])


def test_the_note_is_escaped_on_the_page(client: TestClient, settings: Settings) -> None:
    seed_checkin(settings, sleep=2, note='<script>alert("x")</script>')
    html = client.get("/checkin").text
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html


# -- the heat map -----------------------------------------------------------------------------


def test_the_heat_map_on_the_page_has_a_row_per_sore_region_with_text_in_cells(
    client: TestClient, settings: Settings
) -> None:
    seed_checkin(settings, TODAY - dt.timedelta(days=1), soreness={R("calf"): 4})
    seed_checkin(settings, soreness={R("left-calf"): 6}, pain={R("low-back"): PainQuality.SHARP})
    html = client.get("/checkin").text
    table = html[
        html.index('<table id="soreness-heatmap"') : html.index(
            "</table>", html.index('<table id="soreness-heatmap"')
        )
    ]
    assert "<caption" in table
    rows = re.findall(r'<th scope="row" class="region-col">([^<]+)</th>', table)
    assert rows == ["low back", "left calf", "right calf"]
    assert len(re.findall(r'<th scope="col" class="day', table)) == 42
    assert 'title="left calf, Mon 4 Jan: soreness 6"' in table
    assert 'title="low back, Mon 4 Jan: sharp pain"' in table
    assert "flagged" in table


def test_an_empty_heat_map_says_so(client: TestClient) -> None:
    html = client.get("/checkin").text
    assert "No soreness, pain or warning sign recorded in these weeks." in html


def test_the_heat_map_api_gives_the_grid(client: TestClient, settings: Settings) -> None:
    seed_checkin(
        settings, soreness={R("left-hamstring"): 5}, pain={R("left-hamstring"): PainQuality.DULL}
    )
    response = client.get("/api/checkins/heatmap?weeks=2")
    assert response.status_code == 200
    body = response.json()
    assert body["weeks"] == 2
    assert body["last"] == "2027-01-04"
    assert len(body["days"]) == 14
    (row,) = body["rows"]
    assert (row["region"], row["part"], row["side"], row["peak"]) == (
        "left-hamstring",
        "hamstring",
        "left",
        5,
    )
    assert row["cells"][-1] == {
        "soreness": 5,
        "pain": "dull",
        "red_flag": False,
        "signs": [],
        "clot_sign": False,
    }
    assert client.get("/api/checkins/heatmap").json()["first"] == "2026-11-24"


@pytest.mark.parametrize("query", ["weeks=0", "weeks=27", "weeks=many", "end=2027-01-05"])
def test_the_heat_map_api_refuses_a_bad_window(client: TestClient, query: str) -> None:
    assert_error(client.get(f"/api/checkins/heatmap?{query}"), 422)


def test_the_body_map_api_gives_every_shape_of_a_day(
    client: TestClient, settings: Settings
) -> None:
    seed_checkin(settings, soreness={R("calf"): 2})
    body = client.get("/api/checkins/map").json()
    assert body["date"] == "2027-01-04"
    assert body["checkin"]["soreness"] == {"calf": 2}
    by_shape = {(r["part"], r["side"]): r for r in body["regions"]}
    assert len(by_shape) == sum(2 if p.paired else 1 for p in BodyPart)
    assert by_shape[("calf", "right")]["soreness"] == 2
    assert by_shape[("upper-back", "center")]["soreness"] is None


# -- injury episodes --------------------------------------------------------------------------


def test_an_injury_episode_opens_from_the_page_form(client: TestClient, settings: Settings) -> None:
    fields = {
        "condition": "plantar-fasciitis",
        "part": "heel",
        "side": "left",
        "date": "2027-01-01",
    }
    response = client.post("/ui/checkin/injuries", data=fields)
    assert response.status_code == 200, response.text
    (episode,) = stored_state(settings)[1]
    assert (episode.region, episode.condition, episode.start) == (
        R("left-heel"),
        Condition.PLANTAR_FASCIITIS,
        dt.date(2027, 1, 1),
    )
    assert f'<li class="injury card" data-injury-id="{episode.id}">' in response.text
    assert 'data-action="end-injury"' in response.text
    assert "Plantar fasciitis" in response.text
    page = client.get("/checkin").text
    assert f'data-injury-id="{episode.id}"' in page


def test_an_injury_episode_closes_from_the_page_with_what_helped(
    client: TestClient, settings: Settings
) -> None:
    opened = {"condition": "tight-calves", "part": "calf", "date": "2026-12-20"}
    client.post("/ui/checkin/injuries", data=opened)
    (episode,) = stored_state(settings)[1]
    helped = "<b>calf raises</b> & rest"
    response = client.post(
        f"/ui/checkin/injuries/{episode.id}/end", data={"date": "2027-01-03", "helped": helped}
    )
    assert response.status_code == 200, response.text
    (ended,) = stored_state(settings)[1]
    assert (ended.end, ended.helped) == (dt.date(2027, 1, 3), helped)
    assert 'data-injury-id="' not in response.text  # no open episode is listed now
    assert "&lt;b&gt;calf raises&lt;/b&gt; &amp; rest" in response.text
    assert "<b>calf raises</b>" not in client.get("/checkin").text


@pytest.mark.parametrize(
    "fields",
    [
        {"condition": "broken-leg", "part": "calf"},
        {"condition": "tight-calves", "part": "elbow"},
        {"condition": "tight-calves", "part": "calf", "side": "middle"},
        {"condition": "tight-calves", "part": "low-back", "side": "left"},
        {"condition": "tight-calves", "part": "calf", "date": "2027-01-05"},
        {"part": "calf"},
    ],
)
def test_a_bad_injury_episode_is_refused_and_nothing_is_stored(
    client: TestClient, settings: Settings, fields: dict[str, str]
) -> None:
    assert_error(client.post("/ui/checkin/injuries", data=fields), 422)
    assert stored_state(settings) == ([], [])


def test_closing_an_unknown_or_closed_episode_is_refused(
    client: TestClient, settings: Settings
) -> None:
    assert_error(client.post("/ui/checkin/injuries/nope/end", data={}), 404)
    client.post("/ui/checkin/injuries", data={"condition": "overuse", "part": "knee"})
    (episode,) = stored_state(settings)[1]
    assert client.post(f"/ui/checkin/injuries/{episode.id}/end", data={}).status_code == 200
    assert_error(client.post(f"/ui/checkin/injuries/{episode.id}/end", data={}), 422)
