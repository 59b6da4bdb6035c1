"""A team's race week through the API on PostgreSQL (server mode): a lead invites a
therapist by e-mail, who accepts; the plan spreads the lead's clients racing one marathon
across both therapists' hours; accepting books the lead's sessions through the booking rules
(the rules asked again: a second accept books nothing) and leaves the member's as proposals;
no one outside the team, nor the member, reaches the lead's clients.

"Today" is Monday 4 January 2027, noon UTC (``RUBDOWN_TODAY``).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from rubdown.bootstrap import clock_for, therapist_clinic
from rubdown.domain.model import Priority, Race
from rubdown.services.clinic.records import add_client
from tests.support.accounts import SERVER_BASE, log_in, make_user
from tests.support.server import People, people
from tests.support.web import assert_error

pytestmark = pytest.mark.postgres

RACE_DAY = dt.date(2027, 1, 17)  # a Sunday
MARATHON = Race("Harbour Marathon", RACE_DAY, Priority.A, 42.2)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[People]:
    with people(tmp_path_factory.mktemp("raceweek"), {"ana": "runner"}) as made:
        yield made


class Therapist:
    def __init__(self, world: People, hours: str) -> None:
        self.world = world
        self.email = f"t-{secrets.token_hex(4)}@example.org"
        self.id = make_user(world.store, self.email, "therapist").id
        self.api = TestClient(world.app, base_url=SERVER_BASE)
        log_in(self.api, self.email)
        body = {"hours": hours, "timezone": "UTC", "min_notice_h": 0}
        assert self.api.put("/api/clinic/rules", json=body).status_code == 200

    def call(self, method: str, path: str, status: int = 200, **body: Any) -> Any:
        answer = self.api.request(method, path, json=body)
        assert answer.status_code == status, answer.text
        return answer.json() if answer.content else None

    def client(self, name: str, race: Race = MARATHON) -> str:
        opened = therapist_clinic(self.world.store, self.id, clock_for(self.world.settings), "t")
        return f"managed:{add_client(opened.clinic, name, races=[race]).id}"

    def bookings(self) -> list[Any]:
        opened = therapist_clinic(self.world.store, self.id, clock_for(self.world.settings), "t")
        start = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
        return opened.clinic.data.bookings_between(start, start + dt.timedelta(days=60))


Team = tuple[Therapist, Therapist]


@pytest.fixture
def team(world: People) -> Team:
    lead = Therapist(world, "mon 09:00-11:00")
    member = Therapist(world, "wed 09:00-10:00")
    for kind, minutes in (("sports", 60), ("flush", 30), ("post-event", 30)):
        lead.call("POST", "/api/clinic/services", 201, kind=kind, length_min=minutes, price=50,
                  buffer_min=15)  # fmt: skip
    invited = lead.call("POST", "/api/clinic/team", 201, email=member.email)
    assert invited["accepted_at"] is None
    joined = member.call("POST", "/api/clinic/team/accept", lead_email=lead.email)
    assert joined["accepted_at"] is not None
    return lead, member


def test_the_team_plans_the_week_and_accepting_books_only_the_leads_sessions(team: Team) -> None:
    lead, member = team
    clients = [lead.client(name) for name in ("Ann", "Bob", "Cy")]
    lead.client("Dee", Race("Hill 10K", RACE_DAY, Priority.B, 10.0))
    events = lead.call("GET", "/api/clinic/race-week/events")["events"]
    assert {"name": "Harbour Marathon", "day": "2027-01-17", "clients": 3} in events

    plan = lead.call("POST", "/api/clinic/race-week", event="harbour marathon", time_limit_s=5)
    assert plan["served_clients"] == plan["clients"] == 3
    assert {s["client"] for s in plan["sessions"]} == set(clients)
    assert {s["therapist"] for s in plan["sessions"]} == {"you", member.email}
    assert any("Dee: not racing" in note for note in plan["notes"])

    accepted = lead.call("POST", "/api/clinic/race-week/accept", sessions=plan["sessions"])
    mine = [s for s in plan["sessions"] if s["mine"]]
    assert len(accepted["booked"]) == len(mine) > 0
    assert {s["therapist_id"] for s in accepted["left_as_proposal"]} == {member.id}
    starts = {dt.datetime.fromisoformat(s["start_at"]) for s in mine}
    assert {b.start for b in lead.bookings()} == starts
    assert member.bookings() == []

    again = lead.call("POST", "/api/clinic/race-week/accept", sessions=plan["sessions"])
    assert again["booked"] == []
    assert len(again["refused"]) == len(mine)


def test_no_one_outside_the_lead_reaches_the_leads_clients(world: People, team: Team) -> None:
    lead, member = team
    ann = lead.client("Ann")
    stranger = Therapist(world, "mon 09:00-17:00")
    for caller in (member, stranger):
        answer = caller.api.post(
            "/api/clinic/race-week",
            json={"clients": [ann], "first_day": "2027-01-10", "last_day": "2027-01-24"},
        )
        assert_error(answer, 404)
        nothing = caller.call("POST", "/api/clinic/race-week", event="Harbour Marathon",
                              event_day="2027-01-17", time_limit_s=2)  # fmt: skip
        assert nothing["clients"] == 0
    plan = lead.call("POST", "/api/clinic/race-week", event="Harbour Marathon", time_limit_s=5)
    theirs = [dict(s, therapist_id=stranger.id) for s in plan["sessions"]]
    assert_error(stranger.api.post("/api/clinic/race-week/accept", json={"sessions": theirs}), 404)
    assert stranger.bookings() == []


def test_bad_input_to_the_race_week_and_the_team_is_one_clear_error(team: Team) -> None:
    lead, _ = team
    assert_error(lead.api.post("/api/clinic/race-week", json={}), 422)
    answer = lead.api.post("/api/clinic/race-week", json={"event": "Nowhere 5K"})
    assert "none of your clients races" in assert_error(answer, 404)["message"]
    assert_error(lead.api.post("/api/clinic/team", json={"email": "nobody@example.org"}), 404)
    assert_error(lead.api.post("/api/clinic/team", json={"email": lead.email}), 422)
    bad = {"sessions": [{"client": "managed:x", "therapist_id": lead.id, "kind": "sports",
                         "phase": "pre-race", "start_at": "2027-01-11T09:00"}]}  # fmt: skip
    assert_error(lead.api.post("/api/clinic/race-week/accept", json=bad), 422)


def test_a_team_is_left_and_emptied_by_the_two_therapists_only(world: People, team: Team) -> None:
    lead, member = team
    stranger = Therapist(world, "mon 09:00-17:00")
    assert lead.call("GET", "/api/clinic/team")["members"][0]["member_email"] == member.email
    assert member.call("GET", "/api/clinic/team")["invitations"][0]["lead_email"] == lead.email
    assert stranger.call("GET", "/api/clinic/team") == {"members": [], "invitations": []}
    assert_error(stranger.api.delete(f"/api/clinic/team/{member.id}"), 404)
    assert_error(stranger.api.post("/api/clinic/team/accept", json={"lead_email": lead.email}), 404)

    member.call("POST", "/api/clinic/team/leave", 204, lead_email=lead.email)
    assert lead.call("GET", "/api/clinic/team")["members"] == []
    lead.call("POST", "/api/clinic/team", 201, email=member.email)
    lead.call("DELETE", f"/api/clinic/team/{member.id}", 204)
    assert_error(member.api.post("/api/clinic/team/accept", json={"lead_email": lead.email}), 404)
