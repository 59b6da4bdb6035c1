"""Every page in a real browser: its frame, no errors, nothing fetched from elsewhere, and a
full-page screenshot at phone and desktop width under ``test-artifacts/screenshots/``."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.browser.conftest import DESKTOP, MOBILE, Server, Tab

pytestmark = pytest.mark.browser

# (nav key, path): the navigation of web/render.py, in its order.
PAGES = [
    ("today", "/today"),
    ("checkin", "/checkin"),
    ("plan", "/plan"),
    ("load", "/load"),
    ("rules", "/rules"),
    ("import", "/import"),
    ("settings", "/settings"),
    ("feeds", "/feeds"),
]
DISCLAIMER = "Not medical advice"


@pytest.mark.parametrize("viewport", [MOBILE, DESKTOP], ids=["mobile", "desktop"])
@pytest.mark.parametrize(("name", "path"), PAGES, ids=[name for name, _ in PAGES])
def test_every_page_shows_its_heading_the_navigation_and_one_disclaimer_without_errors(
    new_tab: Callable[..., Tab],
    shared_server: Server,
    name: str,
    path: str,
    viewport: dict[str, int],
) -> None:
    tab = new_tab(shared_server, viewport)
    tab.goto(path)
    tab.settle()
    tab.screenshot(name if viewport == MOBILE else f"{name}-desktop")
    page = tab.page

    heading = page.locator("main h1")
    assert heading.count() == 1, f"{path} has {heading.count()} h1 in main"
    assert heading.is_visible()
    assert heading.inner_text().strip(), f"{path} has an empty h1"

    nav = page.locator('header nav[aria-label="Pages"]')
    for _, href in PAGES:
        assert nav.locator(f'a[href="{href}"]').count() == 1, f"no link to {href} in the nav"
    current = nav.locator('a[aria-current="page"]')
    assert current.count() == 1
    assert current.get_attribute("href") == path

    footer = page.locator("footer.site-footer")
    assert footer.is_visible()
    assert DISCLAIMER in footer.inner_text()
    body = page.locator("body").inner_text()
    assert body.count(DISCLAIMER) == 1, f"{path} repeats the disclaimer"

    tab.assert_clean()


@pytest.mark.parametrize(("name", "path"), PAGES, ids=[name for name, _ in PAGES])
def test_no_page_is_wider_than_a_360px_phone(
    new_tab: Callable[..., Tab], shared_server: Server, name: str, path: str
) -> None:
    tab = new_tab(shared_server, MOBILE)
    tab.goto(path)
    tab.settle()
    widths = tab.page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    scroll_width, client_width = widths
    wide = tab.page.evaluate(
        """(limit) => Array.from(document.querySelectorAll('body *'))
            .filter((e) => e.getBoundingClientRect().right > limit + 1)
            .filter((e) => !e.closest('.table-wrap'))
            .slice(0, 5)
            .map((e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                 + (e.className && typeof e.className === 'string'
                    ? '.' + e.className.trim().split(/\\s+/).join('.') : ''))""",
        client_width,
    )
    assert scroll_width <= client_width, (
        f"{name} scrolls sideways at 360 px ({scroll_width} > {client_width}); too wide: {wide}"
    )
