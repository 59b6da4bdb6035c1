"""The Sharing page in a real browser (server mode, on PostgreSQL): a runner logs in, shares
with a therapist, changes what they see, sees the therapist's read in the access log and
stops sharing -- with no console error, failed request or inline script the CSP would block.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from rubdown.bootstrap import Settings, upgrade_database
from rubdown.store import open_store
from tests.browser.conftest import _RUNNING, DESKTOP, TODAY, Server, Tab, _wait_until_listening
from tests.pg import fresh_postgres_url
from tests.support.accounts import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.postgres]


@pytest.fixture
def team_server(tmp_path: Path) -> Iterator[tuple[Server, dict[str, str]]]:
    """``rubdown serve --server`` on a fresh PostgreSQL schema with Ana (a runner) and Theo
    (a therapist); yields the server and their user ids."""
    with fresh_postgres_url() as url:
        home = tmp_path / f"server-{uuid.uuid4().hex[:8]}" / "home"
        upgrade_database(Settings(home, url, server=True))
        store = open_store(url)
        try:
            ids = {
                name: make_user(store, f"{name}@example.org", role).id
                for name, role in (("ana", "runner"), ("theo", "therapist"))
            }
        finally:
            store.close()
        log = home.parent / "serve.log"
        environment = {k: v for k, v in os.environ.items() if not k.startswith("RUBDOWN_")}
        environment.update(
            RUBDOWN_DATABASE_URL=url,
            RUBDOWN_TODAY=TODAY,
            TZ="UTC",
            PYTHONUTF8="1",
            PYTHONUNBUFFERED="1",
        )
        command = [sys.executable, "-m", "rubdown", "--home", str(home), "serve", "--server"]
        setpriv = shutil.which("setpriv")
        prefix = [setpriv, "--pdeathsig", "TERM", "--"] if setpriv else []
        home.mkdir(parents=True)
        with log.open("wb") as sink:
            process = subprocess.Popen(
                [*prefix, *command, "--port", "0"],
                stdin=subprocess.DEVNULL,
                stdout=sink,
                stderr=subprocess.STDOUT,
                env=environment,
                cwd=home.parent,
                start_new_session=True,
            )
        _RUNNING.add(process)
        server = Server(home, process, log)
        try:
            server.url = _wait_until_listening(process, log)
            yield server, ids
        finally:
            server.stop("team_server")


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
