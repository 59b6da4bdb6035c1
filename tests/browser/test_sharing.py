"""The Sharing page in a real browser (server mode, on PostgreSQL): a runner logs in, shares
with a therapist, changes what they see, sees the therapist's read in the access log and
stops sharing -- with no console error, failed request or inline script the CSP would block.
"""

from __future__ import annotations

import pytest

from tests.support.browser_team import ANA, THEO, Team

pytestmark = [pytest.mark.browser, pytest.mark.postgres]


def test_a_runner_shares_changes_and_stops_sharing_on_the_page(team: Team) -> None:
    # Logged in through the API: this test is about the Sharing page, not the login page.
    ana, _ = team.log_in(ANA, then="/sharing")
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

    theo, _ = team.log_in(THEO, then="/api/clients")
    answer = theo.page.request.get(f"/api/clients/{team.ids['ana']}/wellness")
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
    gone = theo.page.request.get(f"/api/clients/{team.ids['ana']}/wellness")
    assert gone.status == 404
    ana.assert_clean()
