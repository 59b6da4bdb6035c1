"""Changing training through the JSON API: the same services and views as the command line,
errors in the API's one shape, and a refused request changing nothing stored."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from fastapi.testclient import TestClient

from rubdown.bootstrap import Settings
from rubdown.calendar import SkippedEvent
from rubdown.services.importing import FileReport, ImportReport
from rubdown.web.guard import CSRF_HEADER
from rubdown.web.pages.importing import report_context
from rubdown.web.render import render_fragment
from tests.support.web import stored

MARATHON = {"name": "Spring Marathon", "date": "2027-03-14", "priority": "A", "distance_km": 42.195}


def error_code(response: Any, status: int) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    return str(body["error"]["code"])


def add_workout(client: TestClient, date: str = "2027-01-12", kind: str = "tempo") -> str:
    response = client.post("/api/workouts", json={"date": date, "kind": kind})
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def test_patch_and_delete_a_workout_by_the_start_of_its_id(client: TestClient) -> None:
    workout_id = add_workout(client)
    patched = client.patch(
        f"/api/workouts/{workout_id[:6]}", json={"kind": "hill", "duration_min": 45}
    )
    assert patched.status_code == 200, patched.text
    assert (patched.json()["kind"], patched.json()["duration_min"]) == ("hill", 45)
    moved = client.patch(f"/api/workouts/{workout_id}", json={"date": "2027-01-14"})
    assert (moved.json()["date"], moved.json()["kind"]) == ("2027-01-14", "hill")
    assert client.delete(f"/api/workouts/{workout_id}").json()["id"] == workout_id
    assert client.get("/api/workouts").json() == {"workouts": []}


def test_bad_or_unknown_workout_changes_are_refused_and_change_nothing(
    client: TestClient, settings: Settings
) -> None:
    workout_id = add_workout(client)
    before = stored(settings)
    assert error_code(client.patch(f"/api/workouts/{workout_id}", json={"kind": "jog"}), 422) == (
        "unknown_name"
    )
    assert error_code(client.patch(f"/api/workouts/{workout_id}", json={"date": "2027-02-30"}), 422)
    assert error_code(client.patch(f"/api/workouts/{workout_id}", json={"colour": "red"}), 422)
    assert error_code(client.patch("/api/workouts/nope", json={"kind": "easy"}), 404) == "not_found"
    assert error_code(client.delete("/api/workouts/nope"), 404) == "not_found"
    assert stored(settings) == before


def test_a_change_without_the_token_is_refused(client: TestClient, settings: Settings) -> None:
    workout_id = add_workout(client)
    before = stored(settings)
    del client.headers[CSRF_HEADER]
    assert client.delete(f"/api/workouts/{workout_id}").status_code == 403
    assert client.patch(f"/api/workouts/{workout_id}", json={"kind": "easy"}).status_code == 403
    assert stored(settings) == before


def test_patch_a_race_changes_any_field_and_a_date_alone_moves_it(client: TestClient) -> None:
    race_id = client.post("/api/races", json=MARATHON).json()["id"]
    edited = client.patch(
        f"/api/races/{race_id[:8]}", json={"priority": "B", "start": "08:30", "distance_km": 42.2}
    ).json()
    assert (edited["priority"], edited["start_time"], edited["distance_km"]) == ("B", "08:30", 42.2)
    moved = client.patch(f"/api/races/{race_id}", json={"date": "2027-03-21"}).json()
    assert (moved["date"], moved["priority"]) == ("2027-03-21", "B")
    assert error_code(client.patch(f"/api/races/{race_id}", json={"priority": "D"}), 422)


def test_patterns_and_recovery_weeks_through_the_api(
    client: TestClient, settings: Settings
) -> None:
    body = {
        "from": "2027-01-04",
        "to": "2027-01-31",
        "spec": "tue:tempo sun:long",
        "recovery_every": 2,
    }
    made = client.post("/api/patterns", json=body)
    assert made.status_code == 201, made.text
    assert made.json()["recovery_weeks"] == ["2027-01-11", "2027-01-25"]
    pattern_id = made.json()["pattern"]["id"]
    assert [p["id"] for p in client.get("/api/patterns").json()["patterns"]] == [pattern_id]
    assert client.get("/api/recovery-weeks").json() == {
        "recovery_weeks": ["2027-01-11", "2027-01-25"]
    }

    before = stored(settings)
    bad = client.post("/api/patterns", json={**body, "spec": "xyz:tempo"})
    assert "xyz:tempo" in bad.json()["error"]["message"]
    assert error_code(client.post("/api/patterns", json={**body, "replace": "zz"}), 404)
    assert stored(settings) == before

    marked = client.post("/api/recovery-weeks", json={"date": "2027-03-03"}).json()
    assert (marked["week_of"], marked["changed"]) == ("2027-03-01", True)
    assert client.delete("/api/recovery-weeks/2027-03-07").json()["changed"] is True
    removed = client.delete(f"/api/patterns/{pattern_id}").json()
    assert len(removed["workouts"]) == 8
    assert client.get("/api/recovery-weeks").json() == {"recovery_weeks": []}


def test_a_booking_refused_by_the_rules_is_not_allowed_unless_anyway(
    client: TestClient, settings: Settings
) -> None:
    client.post("/api/races", json=MARATHON)
    before = stored(settings)
    booking = {"date": "2027-03-13", "kind": "deep-tissue"}
    refused = client.post("/api/bookings", json=booking)
    assert error_code(refused, 422) == "not_allowed"
    assert "Spring Marathon" in refused.json()["error"]["message"]
    assert stored(settings) == before
    anyway = client.post("/api/bookings", json={**booking, "anyway": True})
    assert anyway.status_code == 201, anyway.text
    assert anyway.json()["allowed"] is False
    assert anyway.json()["warnings"][0]["rules"]
    log = client.get("/api/log").json()
    assert [s["date"] for s in log["booked"]] == ["2027-03-13"]
    assert log["sessions"] == []


def test_log_massage_with_a_future_date_books_it_at_the_price_of_its_kind(
    client: TestClient,
) -> None:
    response = client.post("/api/log/massage", json={"date": "2027-01-20", "kind": "flush"})
    assert response.status_code == 201, response.text
    assert (response.json()["booked"], response.json()["price"]) == (True, 45.0)


def test_the_profile_takes_units(client: TestClient) -> None:
    assert client.put("/api/profile", json={"units": "mi"}).json()["units"] == "mi"
    assert error_code(client.put("/api/profile", json={"units": "furlongs"}), 422) == "unknown_name"


def test_the_plan_page_offers_forms_to_change_the_months_races_and_workouts(
    client: TestClient,
) -> None:
    race_id = client.post("/api/races", json={**MARATHON, "date": "2027-01-31"}).json()["id"]
    workout_id = add_workout(client)
    client.put("/api/profile", json={"units": "mi"})
    page = client.get("/plan?month=2027-01")
    assert page.status_code == 200, page.text
    html = page.text
    assert f'data-race-id="{race_id}"' in html
    assert f'data-workout-id="{workout_id}"' in html
    assert 'data-units="mi"' in html
    assert "Distance (mi)" in html
    assert 'value="26.219"' in html  # 42.195 km in the runner's miles
    assert '<span class="race-distance">26.2 mi</span>' in html
    client.post("/api/recovery-weeks", json={"date": "2027-01-13"})
    fragment = client.get("/ui/plan/month?month=2027-01").text
    assert 'data-monday="2027-01-11" checked' in fragment
    assert 'data-monday="2026-12-28">' in fragment  # the week holding the 1st, not marked
    assert 'remove-workout">Remove</button>' in fragment


def test_settings_show_and_take_the_threshold_pace_in_the_runners_units(
    client: TestClient, settings: Settings
) -> None:
    client.put("/api/profile", json={"threshold_pace_s_per_km": 285.0, "units": "mi"})
    page = client.get("/settings").text
    assert "(per mi)" in page
    assert 'value="7:39"' in page
    assert '<option value="mi" selected>' in page
    untouched = {"threshold_pace": "7:39", "units": "mi", "max_hr_bpm": "", "sex": ""}
    assert client.post("/ui/settings/profile", data=untouched).status_code == 200
    assert client.get("/api/profile").json()["threshold_pace_s_per_km"] == 285.0
    assert client.post("/ui/settings/profile", data={**untouched, "threshold_pace": "8:00"})
    pace = client.get("/api/profile").json()["threshold_pace_s_per_km"]
    assert pace == pytest.approx(480 / 1.609344)


def test_the_import_report_lists_each_skipped_calendar_event_with_its_reason() -> None:
    report = ImportReport(
        files=[FileReport("club.ics", "ics", "imported", 3)],
        calendar_skipped=[
            ("club.ics", SkippedEvent("'Tempo run'", dt.date(2027, 1, 19), "cancelled")),
            ("club.ics", SkippedEvent("'Long run'", None, "repeats past 2028-07-05: ...")),
        ],
    )
    job = {"state": "done"}
    html = render_fragment("fragments/import_report.html", job=job, **report_context(report))
    text = bytes(html.body).decode()
    assert "Calendar events skipped" in text
    assert "&#39;Tempo run&#39;" in text
    assert "2027-01-19" in text
    assert "cancelled" in text
    assert "repeats past 2028-07-05" in text


def test_a_hard_workout_in_a_massages_recovery_window_comes_back_with_the_rule(
    client: TestClient,
) -> None:
    logged = client.post(
        "/api/log/massage", json={"date": "2027-01-03", "kind": "myofascial", "price": 80}
    )
    assert logged.status_code == 201, logged.text
    added = client.post("/api/workouts", json={"date": "2027-01-04", "kind": "hill"})
    assert added.status_code == 201, added.text
    [timing] = added.json()["timing"]
    assert "1 day after your myofascial release on Sun 3 Jan" in timing["message"]
    assert {"M1", "T2"} <= {rule["id"] for rule in timing["rules"]}
    easy = client.patch(f"/api/workouts/{added.json()['id']}", json={"kind": "easy"})
    assert easy.status_code == 200, easy.text
    assert easy.json()["timing"] == []
