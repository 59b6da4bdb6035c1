"""Changing training on the Plan page in a real browser: a workout edited and removed, a
race's priority and distance changed, each through the JSON API with the month redrawn."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.browser.conftest import A_RACE, PLANNED_MONTH, Server, Tab

pytestmark = pytest.mark.browser


def api_get(tab: Tab, path: str) -> Any:
    response = tab.page.request.get(tab.server.url + path)
    assert response.ok, f"GET {path} answered {response.status}"
    return response.json()


def test_a_workout_is_edited_then_removed_from_the_plan_page(
    new_tab: Callable[..., Tab], server: Server
) -> None:
    tab = new_tab(server)
    page = tab.page
    tab.goto(f"/plan?month={PLANNED_MONTH}")
    tab.settle()
    form = page.locator("form.edit-workout").first
    form.wait_for(state="visible")
    workout_id = form.get_attribute("data-workout-id")
    assert workout_id

    form.locator('select[name="kind"]').select_option("hill")
    form.locator('input[name="duration_min"]').fill("40")
    form.locator('button[type="submit"]').click()
    page.locator(".flash, [role='status']").filter(has_text="Workout saved").first.wait_for()
    stored = {w["id"]: w for w in api_get(tab, "/api/workouts")["workouts"]}
    assert (stored[workout_id]["kind"], stored[workout_id]["duration_min"]) == ("hill", 40)

    redrawn = page.locator(f'form.edit-workout[data-workout-id="{workout_id}"]')
    assert redrawn.locator('select[name="kind"]').input_value() == "hill"
    redrawn.locator("button.remove-workout").click()
    page.locator(f'form.edit-workout[data-workout-id="{workout_id}"]').wait_for(state="detached")
    assert workout_id not in {w["id"] for w in api_get(tab, "/api/workouts")["workouts"]}
    tab.assert_clean()


def test_a_race_is_edited_from_the_plan_page_in_the_runners_units(
    new_tab: Callable[..., Tab], server: Server
) -> None:
    tab = new_tab(server)
    page = tab.page
    tab.goto(f"/plan?month={A_RACE[1][:7]}")
    tab.settle()
    form = page.locator("form.edit-race").filter(has=page.locator(f'input[value="{A_RACE[0]}"]'))
    form.wait_for(state="visible")
    form.locator('select[name="priority"]').select_option("B")
    form.locator('input[name="distance"]').fill("42.2")
    form.locator('button[type="submit"]').click()
    page.locator(".flash, [role='status']").filter(has_text="Race saved").first.wait_for()
    (race,) = [r for r in api_get(tab, "/api/races")["races"] if r["name"] == A_RACE[0]]
    assert (race["priority"], race["distance_km"]) == ("B", 42.2)
    tab.screenshot("plan-training-forms")
    tab.assert_clean()


def test_a_recovery_week_is_marked_and_unmarked_from_the_plan_page(
    new_tab: Callable[..., Tab], server: Server
) -> None:
    tab = new_tab(server)
    page = tab.page
    tab.goto(f"/plan?month={PLANNED_MONTH}")
    tab.settle()
    box = page.locator("input.recovery-week").nth(1)
    monday = box.get_attribute("data-monday")
    assert monday
    box.check()
    page.locator(".flash, [role='status']").filter(
        has_text="Marked as a recovery week"
    ).first.wait_for()
    assert monday in api_get(tab, "/api/recovery-weeks")["recovery_weeks"]
    page.locator(f'input.recovery-week[data-monday="{monday}"]').uncheck()
    page.locator(".flash, [role='status']").filter(has_text="No longer").first.wait_for()
    assert monday not in api_get(tab, "/api/recovery-weeks")["recovery_weeks"]
    tab.assert_clean()
