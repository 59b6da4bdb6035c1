"""The check-in's body map in a real browser, and what a check-in does to today's routines.

The demo runner has tight calves, so the post-run routine already works both calves as one
step; a sore left calf splits it, and the left calf gets a step of its own."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from tests.browser.conftest import Server, Tab, set_control

pytestmark = pytest.mark.browser

POST_RUN = 'article.routine-card:is([data-routine="post_run"], [data-routine="post-run"])'
LEFT_CALF = '#body-map [data-region="calf"][data-side="left"]'
MAX_TABS = 120  # more Tab presses than there are controls before the body map


def post_run_steps(tab: Tab) -> list[tuple[str, str]]:
    """(region, side) of every step on Today's post-run card."""
    tab.goto("/today")
    card = tab.page.locator(POST_RUN)
    assert card.count() == 1, "no post-run card on a run day"
    steps = card.locator("li.step")
    assert steps.count() > 0, "the post-run card has no steps"
    pairs: list[list[str]] = steps.evaluate_all(
        "(items) => items.map((e) => [e.dataset.region || '', e.dataset.side || ''])"
    )
    return [(region, side) for region, side in pairs]


def is_left_calf(step: tuple[str, str]) -> bool:
    region, side = step
    return region == "left-calf" or (region == "calf" and side == "left")


def test_a_sore_left_calf_on_the_body_map_gives_todays_post_run_routine_a_left_calf_step(
    tab: Tab,
) -> None:
    before = post_run_steps(tab)
    assert not any(is_left_calf(step) for step in before), before

    page = tab.page
    tab.goto("/checkin")
    page.locator(LEFT_CALF).click()
    editor = page.locator("#region-editor")
    editor.wait_for(state="visible")
    set_control(page, "#region-soreness", "7")
    page.locator("#region-apply").click()
    assert page.locator(LEFT_CALF).get_attribute("data-soreness") == "7"
    set_control(page, "select#fatigue", "3")
    page.locator("#checkin-save").click()
    result = page.locator("#checkin-result")
    result.filter(has_text="Saved").wait_for(state="visible")
    tab.screenshot("checkin-saved")

    after = post_run_steps(tab)
    tab.screenshot("today-after-checkin")
    new_steps = [step for step in after if step not in before]
    assert any(is_left_calf(step) for step in new_steps), f"{before} -> {after}"
    tab.assert_clean()


def test_a_body_map_region_is_reached_with_tab_and_opened_with_enter(
    new_tab: Callable[..., Tab], shared_server: Server
) -> None:
    tab = new_tab(shared_server)
    page = tab.page
    tab.goto("/checkin")
    tab.settle()
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("() => Boolean(document.activeElement.closest('#body-map'))"):
            break
    else:
        pytest.fail(f"{MAX_TABS} Tab presses never reached a region of #body-map")
    focused = page.evaluate("() => document.activeElement.dataset.region || ''")
    assert focused, "the focused element in #body-map is not a region"
    assert page.locator("#region-editor").is_hidden()

    page.keyboard.press("Enter")
    page.locator("#region-editor").wait_for(state="visible")
    tab.screenshot("checkin-region-editor")
    tab.assert_clean()


def test_a_swelling_marked_with_the_keyboard_puts_the_urgent_clot_warning_first_everywhere(
    tab: Tab,
) -> None:
    from playwright.sync_api import expect

    page = tab.page
    tab.goto("/checkin")
    assert page.locator("#alerts-banner .alert-urgent").count() == 0
    shape = page.locator(LEFT_CALF)
    shape.focus()
    page.keyboard.press("Enter")
    editor = page.locator("#region-editor")
    editor.wait_for(state="visible")
    swelling = editor.get_by_label("swelling")  # each sign is a labelled checkbox
    swelling.focus()
    page.keyboard.press("Space")
    expect(swelling).to_be_checked()
    box = editor.bounding_box()
    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= 360, "the editor fits a 360 px screen"
    tab.screenshot("checkin-sign-editor", full_page=False)
    page.locator("#region-apply").click()
    expect(shape).to_have_class(re.compile(r"\bclot\b"))
    assert "swelling" in (shape.get_attribute("aria-label") or "")
    page.locator("#checkin-save").click()
    page.locator("#checkin-result").filter(has_text="Saved").wait_for(state="visible")

    urgent = page.locator("#alerts-banner .alert-urgent")  # swapped in without a reload
    expect(urgent).to_be_visible()
    expect(urgent).to_contain_text("see a doctor today")
    tab.screenshot("checkin-clot-warning")

    tab.goto("/today")
    banner = page.locator("#alerts-banner .red-flag")
    expect(banner).to_be_visible()
    first = banner.locator("li.alert").first
    expect(first).to_have_class(re.compile(r"\balert-urgent\b"))
    expect(first).to_contain_text("left calf")
    colour = first.evaluate("(e) => getComputedStyle(e).backgroundColor")
    assert colour == "rgb(179, 38, 30)", f"the urgent warning is not on red: {colour}"
    overflow = page.evaluate("() => document.documentElement.scrollWidth > window.innerWidth")
    assert not overflow, "the banner makes a 360 px page scroll sideways"
    tab.screenshot("today-clot-warning", full_page=False)
    tab.assert_clean()
