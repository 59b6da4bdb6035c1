"""Today's routine player in a real browser: countdown, pause and resume with Space, skip,
and "this hurts" with a red flag, which stops the routine and puts up the banner.

``window.RUBDOWN_PLAYER_SPEED`` makes routine time run 60 times faster (static/js/player.js),
so the post-run routine's first step (4 minutes) takes 4 seconds."""

from __future__ import annotations

import re
import time

import pytest

from tests.browser.conftest import Tab

pytestmark = pytest.mark.browser

SPEED = 60
POST_RUN = 'article.routine-card:is([data-routine="post_run"], [data-routine="post-run"])'
STEP_WAIT_MS = 20_000  # the slowest step, 240 routine seconds, takes 4 s at SPEED


def countdown_seconds(tab: Tab) -> int:
    text = tab.page.locator("#player-countdown").inner_text().strip()
    found = re.fullmatch(r"(?:(\d+):)?(\d{1,2}):(\d{2})", text)
    assert found, f"#player-countdown shows {text!r}, not a time"
    hours, minutes, seconds = (int(part or 0) for part in found.groups())
    return hours * 3600 + minutes * 60 + seconds


def start_post_run(tab: Tab, speed: int = SPEED) -> int:
    """Open Today at ``speed`` and start the post-run routine; its number of steps."""
    tab.page.add_init_script(f"window.RUBDOWN_PLAYER_SPEED = {speed};")
    tab.goto("/today")
    card = tab.page.locator(POST_RUN)
    steps = card.locator("li.step").count()
    assert steps >= 3, f"the post-run routine has {steps} steps; this test needs three"
    card.locator('button[data-action="start-routine"]').click()
    tab.page.locator("#player").wait_for(state="visible")
    return steps


def step_line(steps: int, number: int) -> re.Pattern[str]:
    return re.compile(rf"Step {number} of {steps}\b")


def test_the_player_counts_down_pauses_and_resumes_with_space_and_skips_to_the_third_step(
    tab: Tab,
) -> None:
    from playwright.sync_api import expect

    page = tab.page
    steps = start_post_run(tab)
    step = page.locator("#player-step")
    expect(step).to_have_text(step_line(steps, 1))
    first = countdown_seconds(tab)
    time.sleep(0.5)  # 30 routine seconds
    running = countdown_seconds(tab)
    assert running < first, f"the countdown did not move: {first} -> {running}"

    # Pause at once: at SPEED the first step lasts only a few seconds.
    page.keyboard.press("Space")
    page.locator("#player-paused").wait_for(state="visible")
    paused_at = countdown_seconds(tab)
    time.sleep(0.5)
    assert countdown_seconds(tab) == paused_at, "the countdown ran on while paused"
    expect(step).to_have_text(step_line(steps, 1))
    tab.screenshot("today-player", full_page=False)

    page.keyboard.press("Space")
    page.locator("#player-paused").wait_for(state="hidden")
    expect(step).to_have_text(step_line(steps, 2), timeout=STEP_WAIT_MS)
    # Real time from here: the third step must still be running when it is checked.
    page.evaluate("() => { window.RUBDOWN_PLAYER_SPEED = 1; }")
    page.locator("#player-skip").click()
    expect(step).to_have_text(step_line(steps, 3))

    page.locator("#player-close").click()  # Finish: the routine is logged as it stands
    close = page.locator("#player-close")
    expect(close).to_be_enabled()
    if page.locator("#player").is_visible():
        close.click()  # Close, once the log went through
    page.locator("#player").wait_for(state="hidden")
    tab.assert_clean()


def test_sharp_pain_in_the_player_stops_the_routine_and_the_page_shows_the_red_flag_banner(
    tab: Tab,
) -> None:
    from playwright.sync_api import expect

    page = tab.page
    start_post_run(tab, speed=1)  # the first step (the calf) is the one that hurts
    assert page.locator(".red-flag").count() == 0
    region = page.locator(f"{POST_RUN} li.step").first.get_attribute("data-region")

    page.locator("#player-hurts").click()
    page.locator('#player button[data-pain="sharp"]').click()
    guidance = page.locator("#player-redflag")
    guidance.wait_for(state="visible")
    assert guidance.inner_text().strip()
    tab.screenshot("today-player-red-flag", full_page=False)

    with page.expect_navigation():
        page.locator("#player-close").click()  # the player reloads the page once a flag is up
    banner = page.locator(".red-flag")
    expect(banner).to_be_visible()
    assert region
    assert region.replace("-", " ") in banner.inner_text().lower()
    tab.screenshot("today-red-flag")
    flagged = page.locator(f'li.step[data-region="{region}"]')
    assert flagged.count() == 0, f"today still has work on the flagged {region}"
    tab.assert_clean()
