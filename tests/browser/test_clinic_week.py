"""The race-week planner in a real browser (server mode, on PostgreSQL): a therapist chooses
the race one of their clients runs, plans, sees the "solving" line and then the table of
proposed sessions (client, therapist, day, time, kind, pre/post, liked time), accepts, and
the sessions are booked through the booking rules. No console error, failed request or
inline script the CSP would block.

"Today" is Tuesday 5 January 2027 (``RUBDOWN_TODAY``); Ana, a runner who shares her calendar
with Theo, races the Fen Marathon on Sunday 17 January.
"""

from __future__ import annotations

import pytest

from tests.support.browser_team import Team, add_service, send

pytestmark = [pytest.mark.browser, pytest.mark.postgres]


def test_a_therapist_plans_the_race_week_sees_the_table_and_accepts(team: Team) -> None:
    ana, _ = team.sharing_runner(race=("Fen Marathon", "2027-01-17", 42.2))
    theo, headers = team.working_therapist("UTC")
    for kind, minutes in (("sports", 60), ("flush", 30), ("post-event", 30)):
        add_service(theo, headers, kind, minutes, price=50, buffer_min=15)
    likes = {"client": team.client("ana"), "likes": ["afternoon:9"]}
    send(theo, "PUT", "/api/clinic/race-week/likes", headers, likes)

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
    assert {b["client"] for b in booked} == {team.client("ana")}
    theo.screenshot("clinic-race-week-accepted")
    theo.assert_clean()
    ana.assert_clean()
