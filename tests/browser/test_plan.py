"""The plan page in a real browser: a session's reasons, and asking about a date."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest

from tests.browser.conftest import A_RACE, PLANNED_MONTH, Server, Tab, set_control

pytestmark = pytest.mark.browser

RULE_ID = re.compile(r"\b[A-Z]\d{1,2}\b")  # T2, X1, M4: the knowledge base's rule IDs


def test_a_planned_session_opens_its_reasons_with_rule_ids_and_sources(
    new_tab: Callable[..., Tab], shared_server: Server
) -> None:
    tab = new_tab(shared_server)
    page = tab.page
    tab.goto(f"/plan?month={PLANNED_MONTH}")
    tab.settle()
    tab.screenshot("plan-month")
    sessions = page.locator("button.session")
    assert sessions.count() > 0, f"no button.session on the plan for {PLANNED_MONTH}"

    sessions.first.click()
    detail = page.locator("#session-detail")
    detail.wait_for(state="visible")
    detail.locator(".rule-id").first.wait_for(state="visible")
    assert RULE_ID.search(detail.locator(".rule-id").first.inner_text())
    assert detail.locator(".cite").count() > 0, "the session's reasons cite no source"
    assert detail.locator(".cite").first.inner_text().strip()
    tab.screenshot("plan-session-detail")
    tab.assert_clean()


def test_checking_deep_tissue_two_days_before_the_a_race_answers_no_with_the_rule(
    new_tab: Callable[..., Tab], shared_server: Server
) -> None:
    tab = new_tab(shared_server)
    page = tab.page
    race_day = dt.date.fromisoformat(A_RACE[1])
    asked = (race_day - dt.timedelta(days=2)).isoformat()
    tab.goto(f"/plan?month={asked[:7]}")
    tab.settle()

    form = page.locator("form#check-form")
    form.wait_for(state="visible")
    date_field = form.locator('input[type="date"]')
    assert date_field.count() == 1, "form#check-form has no date field"
    date_field.fill(asked)
    kind = form.locator('select:has(option[value="deep-tissue"])')
    assert kind.count() == 1, "form#check-form has no select offering deep-tissue"
    kind_id = kind.get_attribute("id")
    if kind_id:
        set_control(page, f"#{kind_id}", "deep-tissue")
    else:
        kind.select_option("deep-tissue")
    form.locator('button[type="submit"], button:not([type]), input[type="submit"]').first.click()

    result = page.locator("#check-result")
    result.filter(has_text=RULE_ID).wait_for(state="visible")
    text = result.inner_text()
    assert re.search(r"\bno\b", text, re.IGNORECASE), f"#check-result does not say no: {text!r}"
    assert "T2" in text, f"#check-result does not name the race-window rule T2: {text!r}"
    tab.screenshot("plan-check-date")
    tab.assert_clean()
