"""A therapist's clients in a real browser (server mode, on PostgreSQL): Theo adds a client on
the roster, fills in and signs their intake (a yes that blocks firm work), writes a session
note on the card, amends it with a reason and sees the history with who and when -- with no
console error, failed request or inline script the CSP would block.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Locator

from tests.support.browser_team import ANA, THEO, Team, add_service, send, share

pytestmark = [pytest.mark.browser, pytest.mark.postgres]


def _send_note_form(form: Locator, fields: dict[str, str], saved: str) -> Locator:
    """Fill a note's (or an amendment's) ``fields`` by selector, send the form, wait for the
    panel's ``saved`` notice; the newest note as the panel now shows it."""
    for selector, text in fields.items():
        form.locator(selector).fill(text)
    form.locator("button[type=submit]").click()
    panel = form.page.locator("#clinic-notes-panel")
    panel.locator(".notice", has_text=saved).wait_for()
    return panel.locator(".clinic-note").first


def test_a_therapist_signs_an_intake_writes_a_note_and_amends_it(team: Team) -> None:
    theo, headers = team.log_in(THEO, then="/clinic/clients")
    page = theo.page
    assert page.locator("nav a", has_text="Calendar").count() == 1
    assert page.locator("nav a", has_text="Check-in").count() == 0

    page.fill("#client-name", "Carla Hill")
    page.click("#add-client-form button[type=submit]")
    page.locator("#clinic-clients-table .notice", has_text="Added Carla Hill").wait_for()
    page.locator("#clinic-clients-table a", has_text="Carla Hill").click()
    page.locator("#client-safety").wait_for()
    client = page.url.rsplit("/", 1)[1]
    assert "no intake on file" in page.locator("#clinic-intake-status").inner_text()

    # The intake: blood thinners (Q5) blocks firm work; everything else is no.
    page.locator("#clinic-intake-status a", has_text="Fill in the intake").click()
    page.locator("#intake-form").wait_for()
    page.check("#intake-form input[name=yes_Q5]")
    page.fill("#detail-Q5", "warfarin")
    page.check("#intake-consent")
    page.fill("#signed-name", "Carla Hill")
    page.click("#intake-form button[type=submit]")
    page.locator("#clinic-intake-status .notice", has_text="Intake signed").wait_for()
    status = page.locator("#clinic-intake-status").inner_text()
    assert "intake valid until" in status
    assert page.locator("#clinic-intake-status [data-kind=sports]").count() == 1

    # A session to note: a service and a booking through the clinic's API.
    service_id = add_service(theo, headers, "flush", 30, price=40.0)
    booking = {"client": client, "service_id": service_id, "start": "2027-01-08T10:00"}
    send(theo, "POST", "/api/clinic/bookings", headers, booking, status=201)

    page.goto(f"/clinic/clients/{client}")
    theo.settle()
    safety = page.locator("#client-safety")
    assert "blood thinners" in safety.inner_text()
    # Red flags first: the safety section comes before the intake and the notes.
    order = page.evaluate("() => [...document.querySelectorAll('main section[id]')].map(s => s.id)")
    assert order.index("client-safety") < order.index("clinic-intake-status")
    assert order.index("client-safety") < order.index("clinic-notes-panel")

    written = {
        "textarea[name=subjective]": "calves heavy after the long run",
        "textarea[name=advice]": "easy jog tomorrow",
    }
    note = _send_note_form(page.locator(".write-note-form").first, written, "Note saved")
    assert "easy jog tomorrow" in note.locator(".note-body").inner_text()

    note.locator("details.amend summary").click()
    amended = {
        "textarea[name=advice]": "two rest days",
        "input[name=reason]": "the advice was given wrong",
    }
    note = _send_note_form(note.locator(".amend-form"), amended, "Amendment saved")
    assert "two rest days" in note.locator(".note-body").inner_text()
    history = note.locator(".note-history").inner_text()
    assert "you (theo@example.org)" in history
    assert "the advice was given wrong" in history
    assert "easy jog tomorrow" in note.locator(".note-original").inner_text()
    assert note.locator(".note-amendment").count() == 1
    theo.screenshot("clinic-client-card")
    theo.assert_clean()


def test_a_runners_possible_clot_is_the_first_thing_on_their_card(team: Team) -> None:
    ana, ana_headers = team.log_in(ANA, then="/sharing")
    signs = {"left-calf": ["swelling", "warmth", "redness"]}
    checked = ana.page.request.post("/api/checkins", data={"signs": signs}, headers=ana_headers)
    assert checked.status < 300, checked.text()
    share(ana, ana_headers, wellness=True)

    theo, _ = team.log_in(THEO, then="/clinic/clients")
    page = theo.page
    page.locator(f"tr[data-client='{team.client('ana')}'] a").click()
    page.locator("#client-safety").wait_for()

    first = page.evaluate("() => document.querySelector('main section[id]').id")
    assert first == "client-safety"
    urgent = page.locator("#client-safety .alert-urgent")
    assert urgent.count() == 1
    assert "urgent" in urgent.inner_text().lower()
    assert "blood clot" in urgent.inner_text()
    assert page.locator("#client-safety").get_attribute("role") == "alert"
    assert "not shared" in page.locator("#fitness-title + p").inner_text().lower()
    theo.screenshot("clinic-runner-card")
    theo.assert_clean()
