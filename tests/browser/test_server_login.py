"""The access token in a real browser (issue 11, fault 6): a server started with
``--token-file`` answers a browser without the token with 401, and the login link
``/?token=...`` sets the cookie that opens every page from then on, scripts and changes
included (SameSite=Strict: the page it moves on to is on the same site)."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.browser.conftest import (
    _RUNNING,
    DESKTOP,
    TODAY,
    Server,
    Tab,
    _server_command,
    _wait_until_listening,
)

pytestmark = pytest.mark.browser

TOKEN = "Br0wserT0kenForTheLoginLinkTest-_abcdefghijk"


@pytest.fixture
def token_server(template_home: Path, tmp_path: Path) -> Iterator[Server]:
    """``rubdown serve --token-file`` over a copy of the seeded home, on a free port."""
    work = tmp_path / f"server-{uuid.uuid4().hex[:8]}"
    home = work / "home"
    shutil.copytree(template_home, home)
    token_file = work / "token"
    token_file.write_text(TOKEN + "\n", "utf-8")
    log = work / "serve.log"
    environment = {k: v for k, v in os.environ.items() if not k.startswith("RUBDOWN_")}
    environment.update(RUBDOWN_TODAY=TODAY, TZ="UTC", PYTHONUTF8="1", PYTHONUNBUFFERED="1")
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [*_server_command(home), "--token-file", str(token_file)],
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=environment,
            cwd=work,
            start_new_session=True,
        )
    _RUNNING.add(process)
    server = Server(home, process, log)
    try:
        server.url = _wait_until_listening(process, log)
        yield server
    finally:
        server.stop("token_server")


def test_without_the_token_the_browser_gets_401_and_no_page(
    new_tab: Callable[..., Tab], token_server: Server
) -> None:
    tab = new_tab(token_server, DESKTOP)
    response = tab.page.goto(token_server.url + "/today")
    assert response is not None
    assert response.status == 401
    assert "unauthorized" in tab.page.content()


def test_the_login_link_opens_the_pages_and_their_changes(
    new_tab: Callable[..., Tab], token_server: Server
) -> None:
    tab = new_tab(token_server, DESKTOP)
    tab.page.goto(f"{token_server.url}/?token={TOKEN}")
    tab.page.wait_for_url("**/today")
    tab.settle()
    assert tab.page.locator("main").is_visible()
    cookies = {c["name"]: c for c in tab.page.context.cookies()}
    assert cookies["rubdown_access"]["httpOnly"] is True
    assert cookies["rubdown_access"]["sameSite"] == "Strict"
    # A change from the page (the feed panel's button) goes through with the cookie.
    tab.goto("/feeds")
    tab.settle()
    create = tab.page.locator("button#feed-create")
    if create.count():
        create.click()
    tab.page.locator("#feed-url").wait_for(state="visible")
    tab.screenshot("login-link-feeds")
    tab.assert_clean()
