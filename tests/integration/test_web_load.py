"""The Load page of ``rubdown serve``: the chart's embedded data, its markers, the summary table.

"Today" is pinned to Monday 2027-01-04. The season is seeded through the services: runs logged
by hand (so each has a load), a logged massage, two races (one with markup in its name) and a
saved plan with one session after today.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from rubdown.bootstrap import Settings
from rubdown.domain.model import Priority, SessionKind
from rubdown.domain.plan import PlannedSession
from rubdown.services import season, views
from rubdown.services.daily import log_run
from rubdown.services.load_series import daily_series
from tests.support.html import Page
from tests.support.web import TODAY, opened

BASE = "http://127.0.0.1:8765"
NASTY_RACE = "Winter </script><script>alert(1)</script> 5K"
FIRST_RUN = dt.date(2026, 11, 1)
RUN_DAYS = [FIRST_RUN + dt.timedelta(days=n) for n in range(0, 60, 2)]  # to 2026-12-30
MASSAGE_DAY = dt.date(2026, 12, 28)
PLANNED_DAY = dt.date(2027, 1, 12)


def seed_season(settings: Settings) -> None:
    with opened(settings) as app:
        for n, day in enumerate(RUN_DAYS):
            log_run(app, day, 40 + n % 5 * 10, 5 + n % 3)
        season.add_race(app, NASTY_RACE, dt.date(2026, 12, 13), Priority.B, 5.0)
        season.add_race(app, "New Year 10K", dt.date(2027, 1, 10), Priority.C, 10.0)
        season.add_race(app, "Far Marathon", dt.date(2027, 4, 25), Priority.A, 42.195)
        season.log_massage(app, MASSAGE_DAY, SessionKind.SPORTS)
        planned = PlannedSession(
            key="deep:2027-01",
            day=PLANNED_DAY,
            kind=SessionKind.DEEP_TISSUE,
            regions=(),
            price=60.0,
            reason="a test session",
            rules=("T2",),
        )
        bout = PlannedSession(
            key="vigorous:2027-01",
            day=PLANNED_DAY,
            kind=SessionKind.SELF_VIGOROUS,
            regions=(),
            price=0.0,
            reason="a self-massage bout",
            rules=("T10",),
        )
        app.data.save_plan([planned, bout])


@pytest.fixture
def seeded(settings: Settings, client: TestClient) -> TestClient:
    seed_season(settings)
    return client


def embedded(html: str) -> dict[str, Any]:
    found = re.search(r'<script type="application/json" id="load-data">(.*?)</script>', html, re.S)
    assert found, "the page embeds its chart data"
    return dict(json.loads(found.group(1)))


def service_days(settings: Settings, first: dt.date, last: dt.date) -> list[dict[str, Any]]:
    with opened(settings) as app:
        series = daily_series(app, first, last)
        days = views.load_view(series)["days"]
        return [{**d, "ramp": round(s.ramp, 2)} for d, s in zip(days, series.days, strict=True)]


def test_the_load_page_embeds_the_numbers_of_the_services_series(
    seeded: TestClient, settings: Settings
) -> None:
    response = seeded.get("/load")
    assert response.status_code == 200, response.text
    data = embedded(response.text)
    first, last = TODAY - dt.timedelta(days=120), TODAY + dt.timedelta(days=14)
    assert (data["from"], data["to"]) == (first.isoformat(), last.isoformat())
    expected = service_days(settings, first, last)
    keys = ("date", "load", "ctl", "atl", "tsb")
    assert [{k: d[k] for k in keys} for d in data["days"]] == [
        {k: d[k] for k in keys} for d in expected
    ]
    assert [d["ramp"] for d in data["days"]] == pytest.approx([d["ramp"] for d in expected])
    assert any(d["load"] > 0 for d in data["days"])


def test_the_load_page_keeps_the_dom_contract_and_shows_todays_numbers(
    seeded: TestClient, settings: Settings
) -> None:
    html = seeded.get("/load").text
    page = Page(html)
    assert page.by_id("load-chart").tag == "div"
    assert page.by_id("load-data").attrs["type"] == "application/json"
    assert page.by_id("load-table").tag == "table"
    today = service_days(settings, TODAY, TODAY)[0]  # shown to one decimal
    assert float(page.words_of("load-ctl")) == pytest.approx(today["ctl"], abs=0.06)
    assert float(page.words_of("load-atl")) == pytest.approx(today["atl"], abs=0.06)
    assert float(page.words_of("load-tsb")) == pytest.approx(today["tsb"], abs=0.06)
    # uPlot comes from the package, never from another site.
    assert '<script src="/static/vendor/uplot-1.6.32/uPlot.iife.min.js"' in html
    assert '<link rel="stylesheet" href="/static/vendor/uplot-1.6.32/uPlot.min.css">' in html
    assert not re.search(r'(src|href)="(https?:)?//', html)


def test_the_static_files_the_load_page_needs_are_served(seeded: TestClient) -> None:
    for path in (
        "/static/js/loadchart.js",
        "/static/css/load.css",
        "/static/vendor/uplot-1.6.32/uPlot.iife.min.js",
    ):
        assert seeded.get(path).status_code == 200, path


def test_races_and_logged_and_planned_professional_sessions_are_marked_on_the_chart(
    seeded: TestClient,
) -> None:
    markers = embedded(seeded.get("/load").text)["markers"]
    assert markers == [
        {
            "date": "2026-12-13",
            "type": "race",
            "label": f"B race: {NASTY_RACE}",
            "priority": "B",
        },
        {"date": "2026-12-28", "type": "session", "label": "Sports massage", "priority": None},
        {"date": "2027-01-10", "type": "race", "label": "C race: New Year 10K", "priority": "C"},
        {
            "date": "2027-01-12",
            "type": "planned",
            "label": "Planned: deep tissue",
            "priority": None,
        },
    ]  # the A race in April is outside the window; the self-massage bout is not marked


def test_a_race_name_with_a_closing_script_tag_cannot_break_out_of_the_json(
    seeded: TestClient,
) -> None:
    html = seeded.get("/load").text
    assert NASTY_RACE not in html
    assert "<script>alert(1)" not in html
    data = embedded(html)  # the block ends at its own closing tag, and parses
    assert f"B race: {NASTY_RACE}" in [m["label"] for m in data["markers"]]
    # The marker list under the chart shows the name as text.
    assert "Winter &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; 5K" in html


def test_the_summary_table_lists_the_last_14_days_newest_first(
    seeded: TestClient, settings: Settings
) -> None:
    page = Page(seeded.get("/load").text)
    header, *rows = page.rows("load-table")
    assert header[:6] == ["Day", "Load", "Fitness CTL", "Fatigue ATL", "Form TSB", "Ramp"]
    assert len(rows) == 14
    assert rows[0][0] == "Mon 4 Jan"
    assert rows[-1][0] == "Tue 22 Dec"
    expected = service_days(settings, TODAY - dt.timedelta(days=13), TODAY)
    assert [float(r[2]) for r in rows] == pytest.approx(
        [d["ctl"] for d in reversed(expected)], abs=0.06
    )
    massage_row = next(r for r in rows if r[0] == "Mon 28 Dec")
    assert "Sports massage" in massage_row[6]


def test_the_summary_table_holds_the_last_14_days_even_when_the_chart_shows_others(
    seeded: TestClient,
) -> None:
    page = Page(seeded.get("/load", params={"from": "2026-11-01", "to": "2026-11-30"}).text)
    assert len(page.rows("load-table")) == 15  # the header and two weeks up to today
    assert page.rows("load-table")[1][0] == "Mon 4 Jan"


def test_a_range_preset_or_explicit_dates_choose_the_window(seeded: TestClient) -> None:
    six_weeks = embedded(seeded.get("/load", params={"range": "6w"}).text)
    assert (six_weeks["from"], six_weeks["to"]) == ("2026-11-23", "2027-01-18")
    assert six_weeks["range"] == "6w"
    everything = embedded(seeded.get("/load", params={"range": "all"}).text)
    assert everything["from"] == FIRST_RUN.isoformat()
    explicit = embedded(seeded.get("/load", params={"from": "2026-12-01", "to": "2026-12-31"}).text)
    assert (explicit["from"], explicit["to"], explicit["range"]) == (
        "2026-12-01",
        "2026-12-31",
        None,
    )
    assert len(explicit["days"]) == 31


def test_the_range_picker_marks_the_range_in_use(seeded: TestClient) -> None:
    html = seeded.get("/load", params={"range": "3m"}).text
    assert '<a href="/load?range=3m" aria-current="true">3 months</a>' in html
    assert '<a href="/load?range=6w">6 weeks</a>' in html


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"from": "2027-13-01"}, "invalid_date"),
        ({"to": "tomorrow"}, "invalid_date"),
        ({"from": "2027-01-10", "to": "2027-01-01"}, "invalid_date"),
        ({"from": "1990-01-01", "to": "2027-01-01"}, "invalid_value"),
        ({"range": "5y"}, "unknown_name"),
    ],
)
def test_bad_dates_or_ranges_are_refused_with_the_error_shape(
    client: TestClient, params: dict[str, str], code: str
) -> None:
    response = client.get("/load", params=params)
    assert response.status_code == 422, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]


def test_the_page_explains_the_convention_and_names_the_estimated_values(
    seeded: TestClient,
) -> None:
    html = seeded.get("/load").text
    assert "yesterday&#39;s fitness minus yesterday&#39;s fatigue" in html
    assert "N = 42 and 7" in html
    data = embedded(html)
    assert data["convention"]["ctl_days"] == 42
    # The seeded runner gave no heart rates or pace: all four are estimated, and said so.
    assert "maximum heart rate" in data["estimated"]
    assert "threshold pace" in Page(html).words_of("load-estimated")


def test_a_runner_without_activities_sees_rest_days_and_zeros(client: TestClient) -> None:
    html = client.get("/load").text
    page = Page(html)
    assert page.words_of("load-ctl") == "0.0"
    assert page.words_of("load-tsb") == "0.0"
    assert "No activities yet" in html
    assert embedded(html)["estimated"] == []


def test_the_api_gives_the_same_chart_data_as_the_page_embeds(seeded: TestClient) -> None:
    params = {"range": "3m"}
    response = seeded.get("/api/load/chart", params=params)
    assert response.status_code == 200, response.text
    assert response.json() == embedded(seeded.get("/load", params=params).text)
    bad = seeded.get("/api/load/chart", params={"from": "2027-02-30"})
    assert bad.status_code == 422
    assert bad.json()["error"]["code"] == "invalid_date"
