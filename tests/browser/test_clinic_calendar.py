"""The clinic's calendar in a real browser (server mode, on PostgreSQL): a therapist books a
client who shares their races -- refused first with the race rule shown and the nearest slots
offered, then booked at an offered slot -- and drags the booking to rebook it: one move the
rules allow lands in its new slot, one they refuse snaps back and says why. No console error,
failed request or inline script the CSP would block.

"Today" is Monday 4 January 2027 (``RUBDOWN_TODAY``). Ana's A race is Sunday 10 January; on
her standard policy deep work stops 3 days before it (T2, R1).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Locator, Page

from tests.support.browser_team import (
    THEO,
    WEEKDAYS,
    Team,
    add_service,
    send,
)

pytestmark = [pytest.mark.browser, pytest.mark.postgres]


def _drag(page: Page, block: Locator, target: Locator) -> None:
    """Press on the booking's name, move to the middle of the target slot, let go."""
    start = block.locator(".who").bounding_box()
    end = target.bounding_box()
    assert start is not None
    assert end is not None
    page.mouse.move(start["x"] + 5, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] / 2, steps=12)
    page.mouse.up()


def test_a_therapist_books_a_refused_then_offered_slot_and_drags_to_rebook(team: Team) -> None:
    ana, _ = team.sharing_runner(race=("Fen Half", "2027-01-10", 21.1))
    theo, headers = team.working_therapist("Europe/London")
    add_service(theo, headers, "deep-tissue", 60, price=90)

    page = theo.page
    theo.goto("/clinic/calendar?week=2027-01-04")
    theo.settle()
    page.select_option("#book-client", team.client("ana"))
    page.fill("#book-start", "2027-01-08T10:00")
    page.click("#booking-form button[type=submit]")
    verdict = page.locator("#booking-verdict")
    verdict.wait_for()
    said = verdict.inner_text()
    assert "2 days before their A race, Fen Half" in said
    assert "T2" in said
    offered = verdict.locator("button.slot-offer", has_text="Thu 7 Jan 16:00")
    assert offered.is_visible()
    assert verdict.locator(".override-form").is_visible()
    theo.screenshot("clinic-booking-refused")

    offered.click()
    page.wait_for_url("**/clinic/calendar?week=2027-01-07")
    theo.settle()
    block = page.locator(".clinic-booking")
    assert block.count() == 1
    assert page.locator('td.slot[data-start="2027-01-07T16:00"] .clinic-booking').count() == 1
    assert "Booked" in page.locator("#flash").inner_text()

    _drag(page, block, page.locator('td.slot[data-start="2027-01-06T14:00"]'))
    moved = page.locator('td.slot[data-start="2027-01-06T14:00"] .clinic-booking')
    moved.wait_for()
    assert "14:00-15:00" in moved.inner_text()
    booking_id = moved.get_attribute("data-booking-id")
    stored = page.request.get(f"/api/clinic/bookings/{booking_id}").json()
    assert stored["start"] == "2027-01-06T14:00:00+00:00"

    # Saturday is a day before the race, and outside the therapist's hours: refused.
    _drag(page, moved, page.locator('td.slot[data-start="2027-01-09T10:00"]'))
    why = page.locator("#move-verdict")
    why.wait_for()
    said = why.inner_text()
    assert "1 day before their A race, Fen Half" in said
    assert "hours" in said.split("Rules:")[1]
    assert page.locator('td.slot[data-start="2027-01-06T14:00"] .clinic-booking').count() == 1
    assert page.locator('td.slot[data-start="2027-01-09T10:00"] .clinic-booking').count() == 0
    again = page.request.get(f"/api/clinic/bookings/{booking_id}").json()
    assert again["start"] == "2027-01-06T14:00:00+00:00"
    theo.screenshot("clinic-move-refused")
    # The browser logs each refusal's 409 as a console error: the two answers expected here.
    refusals = [p for p in theo.problems if "status of 409" in p]
    assert len(refusals) == 2
    theo.problems = [p for p in theo.problems if p not in refusals]
    theo.assert_clean()
    ana.assert_clean()


def test_a_therapist_sets_hours_moves_by_keyboard_and_cancels_offering_the_slot(
    team: Team,
) -> None:
    team.sharing_runner()
    theo, headers = team.log_in(THEO)
    page = theo.page
    theo.goto("/clinic/calendar/settings")
    theo.settle()
    page.fill("#rules-hours", WEEKDAYS)
    page.fill("#rules-timezone", "Europe/London")
    page.fill("#rules-notice", "0")
    page.click("#rules-form button[type=submit]")
    page.locator("#flash", has_text="Saved your hours").wait_for()
    page.select_option("#service-kind", "flush")
    page.fill("#service-length", "30")
    page.click("#service-form button[type=submit]")
    page.locator(".menu-list", has_text="flush, 30 min").wait_for()
    stored = page.request.get("/api/clinic/rules").json()
    assert (stored["hours"], stored["min_notice_h"]) == (WEEKDAYS.title(), 0)
    service_id = page.request.get("/api/clinic/services").json()["services"][0]["id"]
    body = {"client": team.client("ana"), "service_id": service_id, "start": "2027-01-06T10:00"}
    booking = send(theo, "POST", "/api/clinic/bookings", headers, body)["booking"]

    theo.goto("/clinic/calendar/2027-01-06")
    theo.settle()
    block = page.locator(f'.clinic-booking[data-booking-id="{booking["id"]}"]')
    summary = block.locator(".move-to summary")
    summary.focus()
    page.keyboard.press("Enter")
    block.locator("input[name=start]").fill("2027-01-06T15:00")
    block.locator("input[name=start]").press("Enter")
    page.locator("#flash", has_text="Moved").wait_for()
    assert "15:00-15:30" in block.inner_text()
    moved = page.request.get(f"/api/clinic/bookings/{booking['id']}").json()
    assert moved["start"] == "2027-01-06T15:00:00+00:00"

    page.select_option("#wait-client", team.client("ana"))
    page.click("#waitlist-form button[type=submit]")
    page.locator(".waitlist li").wait_for()
    page.fill(".cancel-form input[name=reason]", "room flooded")
    page.click(".cancel-form button[type=submit]")
    result = page.locator("#day-result")
    result.wait_for()
    assert "offered to: ana@example.org" in result.inner_text()
    gone = page.request.get(f"/api/clinic/bookings/{booking['id']}").json()
    assert gone["cancelled"]["reason"] == "room flooded"
    theo.screenshot("clinic-day-cancelled")
    theo.assert_clean()
