"""A runner sees what their therapist booked, in a real browser (server mode, on PostgreSQL):
Theo books Ana through the clinic's API, and Ana, logged in, finds the booking on her Plan
page on its day, with its time, length and Theo's name, and the plan's note that it is kept.
No console error, failed request or inline script the CSP would block."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from rubdown.domain.model import SessionKind
from rubdown.web.guard import CSRF_HEADER
from tests.browser.conftest import DESKTOP, Server, Tab
from tests.support.accounts import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.postgres]

WEEKDAYS = "mon 09:00-17:00, tue 09:00-17:00, wed 09:00-17:00, thu 09:00-17:00, fri 09:00-17:00"
BOOKED_DAY = "2027-01-14"  # a Thursday, nine days after the pinned today


def _log_in(tab: Tab, email: str) -> dict[str, str]:
    answer = tab.page.request.post("/api/login", data={"email": email, "password": PASSWORD})
    assert answer.status == 200, answer.text()
    return {CSRF_HEADER: answer.json()["csrf_token"]}


def _send(tab: Tab, method: str, path: str, headers: dict[str, str], body: Any) -> Any:
    answer = tab.page.request.fetch(path, method=method, data=body, headers=headers)
    assert answer.ok, answer.text()
    return answer.json()


def test_a_runner_sees_the_booking_their_therapist_made_on_the_plan_page(
    new_tab: Callable[..., Tab], team_server: tuple[Server, dict[str, str]]
) -> None:
    server, ids = team_server
    ana = new_tab(server, DESKTOP)
    ana_headers = _log_in(ana, "ana@example.org")
    grant = {"therapist_email": "theo@example.org", "calendar": True}
    _send(ana, "POST", "/api/grants", ana_headers, grant)

    theo = new_tab(server, DESKTOP)
    headers = _log_in(theo, "theo@example.org")
    rules = {"hours": WEEKDAYS, "timezone": "Europe/London", "min_notice_h": 0}
    _send(theo, "PUT", "/api/clinic/rules", headers, rules)
    service = {"kind": "sports", "length_min": 45, "price": 60}
    service_id = _send(theo, "POST", "/api/clinic/services", headers, service)["id"]
    booking = {
        "client": f"runner:{ids['ana']}",
        "service_id": service_id,
        "start": f"{BOOKED_DAY}T10:00",
    }
    _send(theo, "POST", "/api/clinic/bookings", headers, booking)

    ana.goto("/plan?month=2027-01")
    ana.settle()
    day = ana.page.locator(f'.day[data-date="{BOOKED_DAY}"]')
    booked = day.locator(".booked")
    booked.wait_for()
    shown = booked.inner_text()
    assert SessionKind.SPORTS.label in shown
    assert "10:00" in shown
    assert "45 min" in shown
    assert "theo@example.org" in shown
    # The plan's notes (folded away) say it is kept and counted, with the therapist's name.
    notes = ana.page.locator(".plan-notes").text_content() or ""
    assert "Booked already" in notes
    assert "with theo@example.org" in notes
    ana.screenshot("plan-booked-by-therapist")
    ana.assert_clean()
    theo.assert_clean()
