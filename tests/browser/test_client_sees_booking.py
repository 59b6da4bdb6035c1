"""A runner sees what their therapist booked, in a real browser (server mode, on PostgreSQL):
Theo books Ana through the clinic's API, and Ana, logged in, finds the booking on her Plan
page on its day, with its time, length and Theo's name, and the plan's note that it is kept.
No console error, failed request or inline script the CSP would block."""

from __future__ import annotations

import pytest

from rubdown.domain.model import SessionKind
from tests.support.browser_team import Team, add_service, send

pytestmark = [pytest.mark.browser, pytest.mark.postgres]

BOOKED_DAY = "2027-01-14"  # a Thursday, nine days after the pinned today


def test_a_runner_sees_the_booking_their_therapist_made_on_the_plan_page(team: Team) -> None:
    ana, _ = team.sharing_runner()
    theo, headers = team.working_therapist("Europe/London")
    service_id = add_service(theo, headers, "sports", 45, price=60)
    booking = {
        "client": team.client("ana"),
        "service_id": service_id,
        "start": f"{BOOKED_DAY}T10:00",
    }
    send(theo, "POST", "/api/clinic/bookings", headers, booking)

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
