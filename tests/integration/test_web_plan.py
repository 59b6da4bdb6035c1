"""The Plan page of ``rubdown serve`` and its API: the month calendar, why a session is where it
is, checking a date, and moving a session (pinned on its new day, the rest re-planned).

The demo season is seeded through the services with "today" pinned to Monday 2027-01-04: the
Riverside 10K (C) on Sat 30 Jan, the Harbour Half (B) on Sun 7 Mar, the City Marathon (A) on
Sun 25 Apr; the January deep tissue falls on Thu 21 Jan and February's on Thu 11 Feb.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from rubdown.bootstrap import Settings
from rubdown.domain.model import PainQuality, SessionKind, Workout, WorkoutKind
from rubdown.domain.planner import build_plan
from rubdown.domain.regions import parse_region
from rubdown.errors import PlanningError
from rubdown.services.daily import check_in
from rubdown.services.demo import load_demo_runner
from rubdown.services.planning import check_session, make_plan
from rubdown.services.runner import Runner
from rubdown.services.season import log_massage, update_profile
from rubdown.store import sqlite_url_for_home
from rubdown.web.guard import CSRF_HEADER
from tests.support.html import Element
from tests.support.html import Page as HtmlPage
from tests.support.web import assert_error, opened

TODAY = dt.date(2027, 1, 4)
BASE = "http://127.0.0.1:8765"
JANUARY_DEEP = "pro:2027-01"  # Thu 21 Jan
FEBRUARY_DEEP = "pro:2027-02"  # Thu 11 Feb
A_RACE_DAY = dt.date(2027, 4, 25)


# -- fixtures -----------------------------------------------------------------------------------


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    home = tmp_path / "home"
    settings = Settings(home, sqlite_url_for_home(home), today=TODAY)
    with opened(settings) as app:
        load_demo_runner(app)
    return settings


def stored_plan(settings: Settings) -> list[Any]:
    with opened(settings) as app:
        return app.data.load_plan()


def save_plan(settings: Settings) -> None:
    with opened(settings) as app:
        make_plan(app)


# -- a small HTML reader ------------------------------------------------------------------------


class Page(HtmlPage):
    """The page, and a day of its calendar."""

    def day(self, date: str) -> Element:
        (cell,) = [e for e in self.find("div", "day") if e.attrs.get("data-date") == date]
        calendar = self.find(cls="calendar")
        assert calendar
        assert cell.within(calendar[0])
        return cell


def get_page(client: TestClient, url: str) -> Page:
    response = client.get(url)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    return Page(response.text)


# -- the month ----------------------------------------------------------------------------------


def test_the_month_shows_its_races_hard_days_and_planned_sessions(
    settings: Settings, client: TestClient
) -> None:
    page = get_page(client, "/plan?month=2027-01")
    dates = [e.attrs["data-date"] for e in page.find("div", "day")]
    assert dates == [f"2027-01-{d:02d}" for d in range(1, 32)]

    race_day = page.day("2027-01-30")
    (race,) = page.inside(race_day, cls="race")
    assert race.attrs["data-priority"] == "C"
    assert "Riverside 10K" in race.words()
    assert race.words().startswith("C")
    assert "hard" in race_day.classes()

    assert "hard" in page.day("2027-01-05").classes()  # Tuesday intervals
    assert "hard" in page.day("2027-01-10").classes()  # Sunday long run
    assert "hard" not in page.day("2027-01-08").classes()  # Friday rest

    deep_day = page.day("2027-01-21")
    (session,) = [
        b
        for b in page.inside(deep_day, "button", "session")
        if b.attrs.get("data-kind") != "self-vigorous"
    ]
    assert session.attrs["data-session-id"] == JANUARY_DEEP
    assert session.attrs["data-kind"] == "deep-tissue"
    assert session.attrs["type"] == "button"
    assert "deep tissue" in session.words()
    assert page.inside(deep_day, cls="rhythm"), "the self-massage rhythm marks planned days"
    # Every session in the month is a real button, in the calendar, on its planned day.
    with opened(settings) as app:
        planned = [s for s in make_plan(app, save=False).sessions if s.day.month == 1]
    shown = {
        (b.parents[-1].attrs.get("data-date"), b.attrs["data-session-id"])
        for b in page.find("button", "session")
    }
    assert shown == {(s.day.isoformat(), s.key) for s in planned}


def test_races_show_their_priority_letter_and_name(client: TestClient) -> None:
    march = get_page(client, "/plan?month=2027-03")
    (half,) = march.inside(march.day("2027-03-07"), cls="race")
    assert half.attrs["data-priority"] == "B"
    assert "Harbour Half Marathon" in half.words()
    april = get_page(client, "/plan?month=2027-04")
    (marathon,) = april.inside(april.day("2027-04-25"), cls="race")
    assert marathon.attrs["data-priority"] == "A"
    assert marathon.words().startswith("A")
    assert "City Marathon" in marathon.words()


def test_the_page_defaults_to_this_month_and_links_to_its_neighbours(client: TestClient) -> None:
    page = get_page(client, "/plan")
    assert page.find("div", "day")[0].attrs["data-date"] == "2027-01-01"
    (prev,) = page.find("a", rel="prev")
    (next_,) = page.find("a", rel="next")
    assert prev.attrs["href"] == "/plan?month=2026-12"
    assert next_.attrs["href"] == "/plan?month=2027-02"
    february = get_page(client, next_.attrs["href"])
    assert february.by_id("month-title").words() == "February 2027"
    assert [e.attrs["data-date"] for e in february.find("div", "day")][-1] == "2027-02-28"
    december = get_page(client, prev.attrs["href"])
    assert december.find("a", rel="next")[0].attrs["href"] == "/plan?month=2027-01"


def test_the_grid_starts_on_monday(client: TestClient) -> None:
    february = get_page(client, "/plan?month=2027-02")  # Monday 1 Feb to Sunday 28 Feb
    assert [w.words() for w in february.find("div", "weekday")] == [
        "Mon",
        "Tue",
        "Wed",
        "Thu",
        "Fri",
        "Sat",
        "Sun",
    ]
    assert february.find("div", "filler") == []
    january = get_page(client, "/plan?month=2027-01")  # Friday 1 Jan: four empty cells first
    calendar = january.html[january.html.index('class="calendar"') :]
    assert calendar[: calendar.index('data-date="2027-01-01"')].count('class="filler"') == 4


@pytest.mark.parametrize("month", ["2027-13", "2027-1", "January", "2027-00"])
def test_a_bad_month_is_refused_in_the_error_shape(client: TestClient, month: str) -> None:
    for url in ("/plan", "/ui/plan/month", "/api/plan/month"):
        assert_error(client.get(url, params={"month": month}), 422, "invalid_date")


def test_plan_warnings_and_the_months_spend_come_before_the_calendar(
    settings: Settings, client: TestClient
) -> None:
    with opened(settings) as app:
        update_profile(app, budget_per_month=100)  # deep work (80) and a flush (45) no longer fit
    page = get_page(client, "/plan?month=2027-03")
    warnings = page.find("section", "plan-warnings")
    assert warnings, "a budget of 100 cannot pay for March's deep session and the post-race flush"
    text = warnings[0].words()
    assert "No post-event session after Harbour Half Marathon" in text
    assert "budget of 100" in text
    assert "F4" in [e.words() for e in page.inside(warnings[0], cls="rule-id")]
    assert page.html.index("plan-warnings") < page.html.index('class="calendar"')
    (spend,) = page.find("div", "spend")
    assert "80 of a 100 budget" in spend.words()  # the month's deep session, worth more


def test_logged_sessions_show_on_their_day_and_count_towards_the_spend(
    settings: Settings, client: TestClient
) -> None:
    with opened(settings) as app:
        log_massage(app, TODAY, SessionKind.SPORTS, price=70)
    page = get_page(client, "/plan?month=2027-01")
    (logged,) = page.inside(page.day("2027-01-04"), cls="logged")
    assert "sports massage" in logged.words()
    assert "70 logged" in page.find("div", "spend")[0].words()


def test_an_imported_hard_activity_marks_a_hard_day(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    imported = Workout(dt.date(2027, 1, 1), WorkoutKind.LONG, 120, id="a1", source="activity")
    monkeypatch.setattr(Runner, "activity_workouts", lambda self: [imported])
    page = get_page(client, "/plan?month=2027-01")
    day = page.day("2027-01-01")
    assert "hard" in day.classes()
    assert "long run (imported)" in day.words()


def test_race_names_are_escaped(client: TestClient) -> None:
    name = '<script>alert("x")</script> & <b>Run</b>'
    response = client.post("/api/races", json={"name": name, "date": "2027-01-16", "priority": "C"})
    assert response.status_code == 201, response.text
    html = client.get("/plan?month=2027-01").text
    assert "<script>alert" not in html
    assert "<b>Run</b>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;b&gt;Run&lt;/b&gt;" in html


def test_the_month_api_gives_the_page_its_days(client: TestClient) -> None:
    body = client.get("/api/plan/month", params={"month": "2027-01"}).json()
    assert body["month"] == "2027-01"
    assert len(body["days"]) == 31
    day = next(d for d in body["days"] if d["date"] == "2027-01-21")
    assert [s["id"] for s in day["sessions"]] == [JANUARY_DEEP]
    assert body["plan"]["policy"] == "standard"


# -- why a session is there ----------------------------------------------------------------------


def test_the_session_panel_gives_each_rule_id_with_its_source_titles(
    settings: Settings, client: TestClient
) -> None:
    response = client.get(f"/ui/plan/sessions/{JANUARY_DEEP}")
    assert response.status_code == 200, response.text
    page = Page(response.text)
    panel = page.by_id("session-detail")
    assert "hidden" not in panel.attrs
    reasons = page.find("ul", "reasons")[0]
    with opened(settings) as app:
        session = next(s for s in make_plan(app, save=False).sessions if s.key == JANUARY_DEEP)
        kb = app.kb
    assert [e.words() for e in page.inside(reasons, cls="rule-id")] == list(session.rules)
    cites = [e.words() for e in page.inside(reasons, cls="cite")]
    for rule_id, cite in zip(session.rules, cites, strict=True):
        for key in kb.rule(rule_id).sources:
            assert kb.sources[key].title in cite
    assert session.reason[1:] in panel.words()
    form = page.by_id("move-session")
    assert form.tag == "form"
    assert form.within(panel)
    (date,) = page.inside(form, "input")
    assert date.attrs["name"] == "date"
    assert date.attrs["value"] == "2027-01-21"
    assert page.find("label", **{"for": date.attrs["id"]})


def test_the_session_panel_opens_from_a_link_and_is_hidden_until_then(client: TestClient) -> None:
    closed = get_page(client, "/plan?month=2027-01").by_id("session-detail")
    assert "hidden" in closed.attrs
    opened_page = get_page(client, f"/plan?month=2027-01&session={JANUARY_DEEP}")
    assert "hidden" not in opened_page.by_id("session-detail").attrs
    assert opened_page.find("form", id="move-session")


def test_the_session_api_names_rule_titles_and_sources(client: TestClient) -> None:
    body = client.get(f"/api/plan/sessions/{JANUARY_DEEP}").json()
    assert body["id"] == JANUARY_DEEP
    assert body["pinned"] is False
    assert all(rule["title"] and rule["sources"] for rule in body["rules"])
    assert body["check"]["word"] in {"ok", "caution"}


def test_an_unknown_session_is_404(client: TestClient) -> None:
    assert_error(client.get("/ui/plan/sessions/deep:1999-01"), 404, "not_found")
    assert_error(client.get("/api/plan/sessions/nothing"), 404, "not_found")
    assert (
        get_page(client, "/plan?session=nothing").by_id("session-detail").attrs.get("hidden") == ""
    )


# -- checking a date ------------------------------------------------------------------------------


def test_checking_deep_tissue_two_days_before_the_a_race_says_no_as_the_service_does(
    settings: Settings, client: TestClient
) -> None:
    day = A_RACE_DAY - dt.timedelta(days=2)
    response = client.get("/ui/plan/check", params={"date": day.isoformat(), "kind": "deep-tissue"})
    assert response.status_code == 200, response.text
    page = Page(response.text)
    (verdict,) = page.find("div", "verdict")
    assert verdict.attrs["data-verdict"] == "no"
    assert page.find("strong", "verdict-word")[0].words() == "no"
    with opened(settings) as app:
        expected = check_session(app, day, SessionKind.DEEP_TISSUE)
    assert not expected.allowed
    shown = list(dict.fromkeys(e.words() for e in page.find(cls="rule-id")))
    assert shown == list(expected.rule_ids)
    api = client.post("/api/check", json={"date": day.isoformat(), "kind": "deep-tissue"}).json()
    assert api["allowed"] is False
    assert list(dict.fromkeys(r["id"] for r in api["rules"])) == shown
    assert "City Marathon" in verdict.words()


def test_the_check_form_has_its_fields_and_answers_without_javascript(client: TestClient) -> None:
    page = get_page(client, "/plan?date=2027-04-23&kind=deep-tissue")
    form = page.by_id("check-form")
    assert [
        e.attrs["name"] for e in page.inside(form, "input") if e.attrs.get("type") != "hidden"
    ] == [
        "date",
        "regions",
    ]
    (kind,) = page.inside(form, "select")
    assert kind.attrs["name"] == "kind"
    result = page.by_id("check-result")
    assert "no" in result.words().split()
    assert page.inside(result, cls="rule-id")


def test_a_check_of_an_allowed_day_says_ok_or_caution(client: TestClient) -> None:
    page = Page(
        client.get("/ui/plan/check", params={"date": "2027-01-21", "kind": "deep-tissue"}).text
    )
    assert page.find("div", "verdict")[0].attrs["data-verdict"] in {"ok", "caution"}


def test_checking_with_regions_names_them(client: TestClient) -> None:
    response = client.get(
        "/ui/plan/check",
        params={"date": "2027-01-21", "kind": "sports", "regions": "left-calf, quad"},
    )
    assert response.status_code == 200
    assert "left calf, quad" in Page(response.text).find("div", "verdict")[0].words()


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"date": "2027-02-30", "kind": "deep-tissue"}, "invalid_date"),
        ({"date": "", "kind": "deep-tissue"}, "invalid_date"),
        ({"date": "2027-02-01", "kind": "hot-stones"}, "unknown_name"),
        ({"date": "2027-02-01", "kind": "sports", "regions": "elbow"}, "unknown_name"),
    ],
)
def test_a_bad_check_is_refused_in_the_error_shape(
    client: TestClient, params: dict[str, str], code: str
) -> None:
    assert_error(client.get("/ui/plan/check", params=params), 422, code)


# -- moving a session ------------------------------------------------------------------------------


def move(client: TestClient, session_id: str, date: str, **extra: Any) -> Any:
    return client.post(f"/api/plan/sessions/{session_id}/move", json={"date": date, **extra})


def test_moving_a_session_pins_it_on_the_new_day_and_replans_the_rest(
    settings: Settings, client: TestClient
) -> None:
    save_plan(settings)
    before = {s.key: s for s in stored_plan(settings)}
    response = move(client, JANUARY_DEEP, "2027-02-11")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["moved"] is True
    assert body["verdict"]["allowed"] is True
    assert body["verdict"]["date"] == "2027-02-11"
    assert body["session"]["date"] == "2027-02-11"
    assert body["session"]["pinned"] is True

    after = {s.key: s for s in stored_plan(settings)}
    assert after[JANUARY_DEEP].day == dt.date(2027, 2, 11)
    assert (
        after[JANUARY_DEEP].sequence == before[JANUARY_DEEP].sequence + 1
    )  # same UID, new version
    # The pin is the stored flag; the reason stays the one it was planned for.
    assert after[JANUARY_DEEP].pinned
    assert after[JANUARY_DEEP].reason == before[JANUARY_DEEP].reason
    assert [key for key, s in after.items() if s.pinned] == [JANUARY_DEEP]
    # The rest was planned around it: February's own session gave way, January needs none.
    assert FEBRUARY_DEEP in before
    assert FEBRUARY_DEEP not in after
    assert [s["key"] for s in body["plan"]["sessions"]] == list(after)
    # The page and GET /api/plan show the same plan, and a later re-plan keeps the pin.
    assert [s["key"] for s in client.get("/api/plan").json()["sessions"]] == list(after)
    shown = {s["key"]: s for s in client.get("/api/plan").json()["sessions"]}
    assert shown[JANUARY_DEEP]["pinned"] is True
    assert not any(s["pinned"] for key, s in shown.items() if key != JANUARY_DEEP)
    assert shown[JANUARY_DEEP]["reason"] == before[JANUARY_DEEP].reason
    replanned = client.post("/api/plan").json()
    pinned = next(s for s in replanned["sessions"] if s["key"] == JANUARY_DEEP)
    assert pinned["date"] == "2027-02-11"
    assert pinned["pinned"] is True
    page = get_page(client, "/plan?month=2027-02")
    buttons = page.inside(page.day("2027-02-11"), "button", "session")
    assert [b.attrs["data-session-id"] for b in buttons if "pinned" in b.classes()] == [
        JANUARY_DEEP
    ]
    assert not page.inside(get_page(client, "/plan?month=2027-01").day("2027-01-21"), "button")


def test_a_session_moves_even_before_any_plan_was_saved(
    settings: Settings, client: TestClient
) -> None:
    assert stored_plan(settings) == []
    body = move(client, JANUARY_DEEP, "2027-02-11").json()
    assert body["moved"] is True
    assert any(
        s.key == JANUARY_DEEP and s.day == dt.date(2027, 2, 11) for s in stored_plan(settings)
    )


def test_the_panel_of_a_moved_session_says_it_is_pinned_and_checks_its_day(
    client: TestClient,
) -> None:
    move(client, JANUARY_DEEP, "2027-02-11")
    page = Page(client.get(f"/ui/plan/sessions/{JANUARY_DEEP}").text)
    assert page.find("p", "pinned-note")
    assert page.inside(page.by_id("session-detail"), "div", "verdict")
    assert page.find("button", "unpin")


def test_a_move_the_rules_refuse_is_not_made_unless_confirmed(
    settings: Settings, client: TestClient
) -> None:
    save_plan(settings)
    before = stored_plan(settings)
    body = move(client, JANUARY_DEEP, "2027-01-26").json()  # the day of an intervals session
    assert body["moved"] is False
    assert body["can_confirm"] is True
    assert body["verdict"]["allowed"] is False
    assert "T5" in [r["id"] for r in body["verdict"]["rules"] if r["forbids"]]
    assert body["plan"] is None
    assert stored_plan(settings) == before

    confirmed = move(client, JANUARY_DEEP, "2027-01-26", confirm=True).json()
    assert confirmed["moved"] is True
    assert confirmed["verdict"]["allowed"] is False
    warning = next(w for w in confirmed["plan"]["warnings"] if "yourself" in w["message"])
    assert "T5" in [r["id"] for r in warning["rules"]]
    assert any(
        s.key == JANUARY_DEEP and s.day == dt.date(2027, 1, 26) for s in stored_plan(settings)
    )


def test_a_red_flag_keeps_a_moved_session_off_the_flagged_side(
    settings: Settings, client: TestClient
) -> None:
    right = (parse_region("right-calf"),)
    with opened(settings) as app:
        check_in(app, TODAY, {}, {parse_region("left-heel"): PainQuality.SHARP})
        days = (TODAY + dt.timedelta(days=n) for n in range(3, 28))
        day = next(d for d in days if check_session(app, d, SessionKind.DEEP_TISSUE, right).allowed)
    body = move(client, JANUARY_DEEP, day.isoformat()).json()
    assert body["moved"] is True, body
    regions = [parse_region(r) for r in body["session"]["regions"]]
    assert regions
    blocked = [parse_region(r) for r in ("left-heel", "left-plantar-fascia", "left-calf")]
    assert not any(r.overlaps(b) for r in regions for b in blocked)
    assert "X1" not in [r["id"] for r in body["verdict"]["rules"] if r.get("forbids")]


@pytest.mark.parametrize(
    ("date", "code"),
    [
        ("2027-02-30", "invalid_date"),
        ("next friday", "invalid_date"),
        ("2027-01-03", "invalid_date"),
        ("2028-06-01", "invalid_date"),
    ],
)
def test_a_bad_or_out_of_range_date_is_refused_and_nothing_is_stored(
    settings: Settings, client: TestClient, date: str, code: str
) -> None:
    save_plan(settings)
    before = stored_plan(settings)
    assert_error(move(client, JANUARY_DEEP, date), 422, code)
    assert stored_plan(settings) == before


def test_moving_an_unknown_session_is_404(settings: Settings, client: TestClient) -> None:
    assert_error(move(client, "deep:1999-01", "2027-02-11"), 404, "not_found")
    assert stored_plan(settings) == []


def test_a_self_massage_bout_does_not_move_on_its_own(client: TestClient) -> None:
    assert_error(move(client, "self-vigorous:2027-01-05", "2027-01-06"), 422, "invalid_value")


def test_a_move_body_with_unknown_fields_is_refused(client: TestClient) -> None:
    response = client.post(f"/api/plan/sessions/{JANUARY_DEEP}/move", json={"day": "2027-02-11"})
    assert_error(response, 422, "invalid_input")


def test_a_move_that_fails_while_planning_stores_nothing(
    settings: Settings, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    save_plan(settings)
    before = stored_plan(settings)
    calls: list[int] = []

    def failing_second_time(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) > 1:  # the first plan finds the session; the re-plan fails
            raise PlanningError("the optimiser gave up")
        return build_plan(*args, **kwargs)

    monkeypatch.setattr("rubdown.services.planning.build_plan", failing_second_time)
    assert_error(move(client, JANUARY_DEEP, "2027-02-11"), 500, "planning")
    assert stored_plan(settings) == before


def test_moving_needs_the_change_token(settings: Settings, client: TestClient) -> None:
    del client.headers[CSRF_HEADER]
    assert_error(move(client, JANUARY_DEEP, "2027-02-11"), 403, "csrf")
    assert stored_plan(settings) == []


def test_unpinning_gives_the_session_back_to_the_planner(
    settings: Settings, client: TestClient
) -> None:
    move(client, JANUARY_DEEP, "2027-02-11")
    response = client.post(f"/api/plan/sessions/{JANUARY_DEEP}/unpin")
    assert response.status_code == 200, response.text
    keys = {s.key: s for s in stored_plan(settings)}
    assert JANUARY_DEEP in keys
    assert FEBRUARY_DEEP in keys
    assert keys[JANUARY_DEEP].day.month == 1
    assert not keys[JANUARY_DEEP].pinned
    shown = next(s for s in response.json()["sessions"] if s["key"] == JANUARY_DEEP)
    assert shown["pinned"] is False
    assert_error(client.post(f"/api/plan/sessions/{JANUARY_DEEP}/unpin"), 422, "invalid_value")
