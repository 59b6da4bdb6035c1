"""The calendar feed page in a real browser: make a feed, fetch it, replace its secret."""

from __future__ import annotations

import pytest

from tests.browser.conftest import RACES, Tab, is_loopback_url, shown_text

pytestmark = pytest.mark.browser


def fetch(tab: Tab, url: str) -> tuple[int, str, str]:
    """(status, content type, body) of a GET the way a calendar app would make it."""
    response = tab.page.request.get(url)
    return response.status, response.headers.get("content-type", ""), response.text()


def wait_for_new_url(tab: Tab, old: str = "") -> str:
    """The feed address the page shows, once it shows one other than ``old``."""
    tab.page.wait_for_function(
        """(old) => { const e = document.querySelector('#feed-url');
            if (!e) return false;
            const shown = ('value' in e ? e.value : e.textContent).trim();
            return shown !== '' && shown !== old; }""",
        arg=old,
    )
    return shown_text(tab.page, "#feed-url")


def test_a_new_feed_serves_the_races_and_regenerating_it_retires_the_old_address(
    tab: Tab,
) -> None:
    page = tab.page
    tab.goto("/feeds")
    tab.settle()
    create = page.locator("button#feed-create")
    if create.count():
        create.click()
    first = wait_for_new_url(tab)
    tab.screenshot("feeds-created")
    assert is_loopback_url(first), first

    status, kind, body = fetch(tab, first)
    assert status == 200
    assert kind.startswith("text/calendar"), kind
    assert body.startswith("BEGIN:VCALENDAR")
    for race in RACES:
        assert race in body, f"{race} is not in the feed"

    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("button#feed-regenerate").click()
    second = wait_for_new_url(tab, first)
    tab.screenshot("feeds-regenerated")

    assert fetch(tab, first)[0] == 404, "the old feed address still works"
    status, kind, body = fetch(tab, second)
    assert status == 200
    assert kind.startswith("text/calendar"), kind
    assert "BEGIN:VCALENDAR" in body
    tab.assert_clean()
