"""Logging in and out through the pages of a team server (server mode, on PostgreSQL): the
login form in a real browser, each role's landing page, and the log-out button."""

from __future__ import annotations

import pytest

from tests.browser.conftest import Tab
from tests.support.accounts import PASSWORD
from tests.support.browser_team import Team

pytestmark = [pytest.mark.browser, pytest.mark.postgres]


def _log_in_with_the_form(tab: Tab, email: str) -> None:
    tab.page.goto("/today")  # not logged in: sent to the login page, to come back
    tab.page.wait_for_url("**/login**")
    tab.page.fill("input[name=email]", email)
    tab.page.fill("input[name=password]", PASSWORD)
    tab.page.click("button[type=submit]")
    tab.settle()


def test_a_runner_logs_in_with_the_form_lands_on_today_and_logs_out(team: Team) -> None:
    ana = team.tab()
    _log_in_with_the_form(ana, "ana@example.org")
    page = ana.page
    assert page.url.endswith("/today")
    assert "Logged in as ana@example.org" in page.locator("footer").inner_text()
    assert page.locator("nav a[href='/sharing']").count() == 1

    page.click("footer button:has-text('Log out')")
    page.wait_for_url("**/login")
    page.goto("/today")
    page.wait_for_url("**/login**")  # the session is over, not only its cookie
    ana.assert_clean()


def test_a_therapist_lands_on_their_account_page_with_no_runner_pages(team: Team) -> None:
    theo = team.tab()
    _log_in_with_the_form(theo, "theo@example.org")
    page = theo.page
    assert page.url.endswith("/account")
    text = page.locator("main").inner_text()
    assert "Logged in as theo@example.org, therapist" in text
    assert "No runner shares anything with you yet" in text
    # The clinic's pages and the Account page; none of a runner's.
    links = [page.locator("nav a").nth(i).get_attribute("href") for i in range(4)]
    assert page.locator("nav a").count() == 4
    assert links == ["/clinic/clients", "/clinic/calendar", "/clinic/race-week", "/account"]
    theo.assert_clean()


def test_a_wrong_password_stays_on_the_login_page_with_one_line(team: Team) -> None:
    tab = team.tab()
    tab.page.goto("/login")
    tab.page.fill("input[name=email]", "ana@example.org")
    tab.page.fill("input[name=password]", "not the password")
    tab.page.click("button[type=submit]")
    tab.settle()
    assert "/login" in tab.page.url
    assert tab.page.locator("input[name=password]").count() == 1
