"""The race-week planner in a real browser (server mode, on PostgreSQL): a therapist chooses
the race one of their clients runs, plans, sees the "solving" line and then the table of
proposed sessions (client, therapist, day, time, kind, pre/post, liked time), accepts, and
the sessions are booked through the booking rules. No console error, failed request or
inline script the CSP would block.

"Today" is Tuesday 5 January 2027 (``RUBDOWN_TODAY``); Ana, a runner who shares her calendar
with Theo, races the Fen Marathon on Sunday 17 January.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from rubdown.web.guard import CSRF_HEADER
from tests.browser.conftest import DESKTOP, Server, Tab
from tests.support.accounts import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.postgres]

WEEKDAYS = "mon 09:00-17:00, tue 09:00-17:00, wed 09:00-17:00, thu 09:00-17:00, fri 09:00-17:00"


def _log_in(tab: Tab, email: str) -> dict[str, str]:
    answer = tab.page.request.post("/api/login", data={"email": email, "password": PASSWORD})
    assert answer.status == 200, answer.text()
    return {CSRF_HEADER: answer.json()["csrf_token"]}


def _send(tab: Tab, method: str, path: str, headers: dict[str, str], body: Any) -> Any:
    answer = tab.page.request.fetch(path, method=method, data=body, headers=headers)
    assert answer.ok, answer.text()
    return answer.json()


def test_a_therapist_plans_the_race_week_sees_the_table_and_accepts(
    new_tab: Callable[..., Tab], team_server: tuple[Server, dict[str, str]]
) -> None:
    server, ids = team_server
    ana = new_tab(server, DESKTOP)
    ana_headers = _log_in(ana, "ana@example.org")
    race = {"name": "Fen Marathon", "date": "2027-01-17", "priority": "A", "distance_km": 42.2}
    _send(ana, "POST", "/api/races", ana_headers, race)
    _send(ana, "POST", "/api/grants", ana_headers, {"therapist_email": "theo@example.org",
                                                     "calendar": True})  # fmt: skip

    theo = new_tab(server, DESKTOP)
    headers = _log_in(theo, "theo@example.org")
    rules = {"hours": WEEKDAYS, "timezone": "UTC", "min_notice_h": 0}
    _send(theo, "PUT", "/api/clinic/rules", headers, rules)
    for kind, minutes in (("sports", 60), ("flush", 30), ("post-event", 30)):
        service = {"kind": kind, "length_min": minutes, "price": 50, "buffer_min": 15}
        _send(theo, "POST", "/api/clinic/services", headers, service)
    _send(theo, "PUT", "/api/clinic/race-week/likes", headers,
          {"client": f"runner:{ids['ana']}", "likes": ["afternoon:9"]})  # fmt: skip

    page = theo.page
    theo.goto("/clinic/race-week")
    theo.settle()
    page.select_option("#week-event", "2027-01-17|Fen Marathon")
    page.fill("#week-limit", "5")
    page.click("#plan-button")
    table = page.locator("#week-sessions")
    table.wait_for()
    rows = table.locator("tbody tr")
    assert rows.count() == 2
    text = table.inner_text()
    assert "pre-race" in text
    assert "post-race" in text
    assert "ana@example.org" in text
    assert text.count("yes") == 2  # both in the afternoon she likes
    assert "1 of 1 clients served" in page.locator("#week-result-title").inner_text()
    theo.screenshot("clinic-race-week-plan")

    page.click("#accept-button")
    accepted = page.locator(".race-week-accepted")
    accepted.wait_for()
    assert "Booked 2 sessions" in accepted.inner_text()
    stored = page.request.get("/api/clinic/bookings?from=2027-01-05&to=2027-01-31")
    assert stored.ok, stored.text()
    booked = stored.json()["bookings"]
    assert len(booked) == 2
    assert {b["client"] for b in booked} == {f"runner:{ids['ana']}"}
    theo.screenshot("clinic-race-week-accepted")
    theo.assert_clean()
    ana.assert_clean()
