"""The Sharing page in a real browser (server mode, on PostgreSQL): a runner logs in, shares
with a therapist, changes what they see, sees the therapist's read in the access log and
stops sharing -- with no console error, failed request or inline script the CSP would block.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.browser.conftest import DESKTOP, Server, Tab
from tests.support.accounts import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.postgres]


def _log_in(tab: Tab, email: str, then: str) -> None:
    # Through the API, which shares its cookies with the tab: this test is about the
    # Sharing page, the login page has tests of its own.
    answer = tab.page.request.post("/api/login", data={"email": email, "password": PASSWORD})
    assert answer.status == 200, answer.text()
    tab.page.goto(then)
    tab.settle()


def test_a_runner_shares_changes_and_stops_sharing_on_the_page(
    new_tab: Callable[..., Tab], team_server: tuple[Server, dict[str, str]]
) -> None:
    server, ids = team_server
    ana = new_tab(server, DESKTOP)
    _log_in(ana, "ana@example.org", "/sharing")
    page = ana.page
    assert "You share nothing" in page.locator("#sharing-panel").inner_text()

    page.fill("#therapist-email", "theo@example.org")
    page.check("#share-form input[name=calendar]")
    page.click("#share-form button[type=submit]")
    page.locator("#sharing-panel .notice").wait_for()
    panel = page.locator("#sharing-panel")
    assert "Now sharing with theo@example.org" in panel.inner_text()
    assert panel.locator("input[name=calendar]").is_checked()
    assert not panel.locator("input[name=wellness]").is_checked()

    panel.locator("input[name=wellness]").check()
    panel.locator("button[type=submit]").click()
    page.locator("#sharing-panel .notice", has_text="Saved").wait_for()
    assert page.locator("#sharing-panel input[name=wellness]").is_checked()

    theo = new_tab(server, DESKTOP)
    _log_in(theo, "theo@example.org", "/api/clients")
    answer = theo.page.request.get(f"/api/clients/{ids['ana']}/wellness")
    assert answer.status == 200

    page.reload()
    ana.settle()
    log = page.locator("table.access-log").inner_text()
    assert "theo@example.org" in log
    assert "wellness" in log
    ana.screenshot("sharing-page")

    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#sharing-panel button.danger").click()
    page.locator("#sharing-panel .notice", has_text="Stopped sharing").wait_for()
    assert "You share nothing" in page.locator("#sharing-panel").inner_text()
    gone = theo.page.request.get(f"/api/clients/{ids['ana']}/wellness")
    assert gone.status == 404
    ana.assert_clean()
