"""The API documentation with the network off (issue 11, fault 10c): ``/docs`` draws the
operations from scripts this server ships, and asks nothing of any other host.

Every request the page makes to a host other than this machine is recorded and aborted, so
a page that still reached for a CDN would be blank here, as it would be offline."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.browser.conftest import DESKTOP, Server, Tab, is_loopback_url

pytestmark = pytest.mark.browser


def offline_tab(new_tab: Callable[..., Tab], server: Server) -> tuple[Tab, list[str]]:
    """A tab whose requests off this machine are refused and listed."""
    tab = new_tab(server, DESKTOP)
    attempted: list[str] = []

    def route(route: object) -> None:
        request = route.request  # type: ignore[attr-defined]
        if is_loopback_url(request.url):
            route.continue_()  # type: ignore[attr-defined]
        else:
            attempted.append(request.url)
            route.abort()  # type: ignore[attr-defined]

    tab.page.context.route("**/*", route)
    return tab, attempted


def test_swagger_ui_shows_the_operations_with_the_network_off(
    new_tab: Callable[..., Tab], shared_server: Server
) -> None:
    tab, attempted = offline_tab(new_tab, shared_server)
    tab.goto("/docs")
    operations = tab.page.locator(".opblock")
    operations.first.wait_for(state="visible")
    assert operations.count() > 20
    assert tab.page.locator(".opblock-summary-path", has_text="/api/races").count() >= 1
    tab.settle()
    tab.screenshot("docs-offline")
    assert attempted == []
    tab.assert_clean()
