"""The clinic's booking API on PostgreSQL (server mode): each therapist rule and each client
race rule refuses through the API in the error shape, with the rule IDs and the nearest
allowed slots; an override is kept with its reason; a cancellation offers the freed slot only
to waitlisted clients whose rules allow that day; a move is re-checked and, when refused,
changes nothing. Each test has a therapist of its own, so their clinics start empty.

"Today" is Monday 4 January 2027, noon UTC (``RUBDOWN_TODAY``); the therapist's zone is
Europe/London, which is UTC in January.
"""

from __future__ import annotations

import datetime as dt
import secrets
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient

from rubdown.bootstrap import clock_for, therapist_clinic
from rubdown.domain.model import PolicyName, Priority, Race
from rubdown.services.clinic.records import add_client
from rubdown.web.models_clinic_bookings import BookingRefusalBody
from tests.support.accounts import SERVER_BASE, log_in, make_user
from tests.support.server import People, people
from tests.support.web import assert_error

pytestmark = pytest.mark.postgres

WEEKDAYS = "mon 09:00-17:00, tue 09:00-17:00, wed 09:00-17:00, thu 09:00-17:00, fri 09:00-17:00"
RACE_DAY = dt.date(2027, 1, 17)  # a Sunday: the marathon of the race-rule tests


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[People]:
    with people(tmp_path_factory.mktemp("clinic"), {"ana": "runner", "tess": "therapist"}) as made:
        yield made


class Theo:
    """A fresh therapist, logged in, with a menu and weekday hours."""

    def __init__(self, world: People) -> None:
        self.world = world
        email = f"theo-{secrets.token_hex(4)}@example.org"
        self.id = make_user(world.store, email, "therapist").id
        self.api = TestClient(world.app, base_url=SERVER_BASE)
        log_in(self.api, email)
        self.deep = self.post("/api/clinic/services", kind="deep-tissue", length_min=60, price=90)
        self.flush = self.post("/api/clinic/services", kind="flush", length_min=30, price=45)

    def post(self, path: str, status: int = 201, **body: Any) -> dict[str, Any]:
        answer = self.api.post(path, json=body)
        assert answer.status_code == status, answer.text
        return dict(answer.json())

    def rules(self, **changes: Any) -> None:
        # No notice unless a test asks for it: "today" is Monday noon, and most tests book
        # from Tuesday morning.
        body = {"hours": WEEKDAYS, "timezone": "Europe/London", "min_notice_h": 0, **changes}
        answer = self.api.put("/api/clinic/rules", json=body)
        assert answer.status_code == 200, answer.text

    def client(self, name: str, races: tuple[Race, ...] = (), cautious: bool = False) -> str:
        """A managed client, entered as the CLI does (the clients' API is another part's)."""
        opened = therapist_clinic(self.world.store, self.id, clock_for(self.world.settings), "t")
        policy = PolicyName.CAUTIOUS if cautious else PolicyName.STANDARD
        made = add_client(opened.clinic, name, races=races, policy=policy)
        return f"managed:{made.id}"

    def booking(self, client: str, start: str, service: str = "deep", **more: Any) -> Any:
        service_id = (self.deep if service == "deep" else self.flush)["id"]
        body = {"client": client, "service_id": service_id, "start": start, **more}
        return self.api.post("/api/clinic/bookings", json=body)

    def book(self, client: str, start: str, service: str = "deep") -> dict[str, Any]:
        answer = self.booking(client, start, service)
        assert answer.status_code == 201, answer.text
        return dict(answer.json()["booking"])


@pytest.fixture
def theo(world: People) -> Theo:
    made = Theo(world)
    made.rules()
    return made


def refused(answer: Any, rule: str) -> dict[str, Any]:
    """A 409 in the error shape naming ``rule`` among its rule IDs, as its model documents it."""
    error: dict[str, Any] = dict(assert_error(answer, 409, "booking_refused"))
    BookingRefusalBody.model_validate(answer.json(), strict=True)
    assert rule in error["rules"], error
    assert any(r["rule"] == rule for r in error["refusals"])
    return error


def marathoner(theo: Theo) -> str:
    return theo.client("Ada", (Race("Fen Marathon", RACE_DAY, Priority.A, 42.2),), cautious=True)


def test_a_slot_outside_the_therapists_hours_is_refused_with_the_nearest_slots(theo: Theo) -> None:
    ada = theo.client("Ada")
    error = refused(theo.booking(ada, "2027-01-05T18:00"), "hours")
    assert "outside the therapist's hours that day (09:00-17:00)" in error["message"]
    assert error["earlier"] == "2027-01-05T16:00:00+00:00"
    assert error["later"] == "2027-01-06T09:00:00+00:00"
    assert error["overridable"] is True


def test_a_day_off_is_refused(theo: Theo) -> None:
    theo.rules(days_off=["2027-01-06"])
    error = refused(theo.booking(theo.client("Ada"), "2027-01-06T10:00"), "day-off")
    assert "days off" in error["message"]


def test_less_than_the_minimum_notice_is_refused(theo: Theo) -> None:
    theo.rules(min_notice_h=24)
    error = refused(theo.booking(theo.client("Ada"), "2027-01-04T15:00"), "notice")
    assert "24 hours' notice" in error["message"]


def third_past_a_cap(theo: Theo, booked: tuple[str, str], third: str, rule: str) -> Any:
    """Ada booked at the two ``booked`` starts fills the cap; the ``third`` is refused."""
    ada = theo.client("Ada")
    for start in booked:
        theo.book(ada, start)
    return refused(theo.booking(ada, third), rule)


def test_a_day_past_the_hands_on_cap_is_refused(theo: Theo) -> None:
    theo.rules(max_hands_on_h_per_day=2)
    booked = ("2027-01-05T09:00", "2027-01-05T11:00")
    error = third_past_a_cap(theo, booked, "2027-01-05T14:00", "daily-hands-on")
    assert "limit is 2 hours a day" in error["message"]


def test_a_week_past_the_sessions_cap_is_refused(theo: Theo) -> None:
    theo.rules(max_sessions_per_week=2)
    booked = ("2027-01-05T10:00", "2027-01-06T10:00")
    error = third_past_a_cap(theo, booked, "2027-01-07T10:00", "weekly-sessions")
    assert "at most 2 a week" in error["message"]
    assert error["later"] == "2027-01-11T09:00:00+00:00"  # next Monday


def test_a_session_inside_the_buffer_of_another_is_refused(theo: Theo) -> None:
    theo.rules(buffer_min=30)
    ada = theo.client("Ada")
    theo.book(ada, "2027-01-05T10:00")
    error = refused(theo.booking(ada, "2027-01-05T11:15"), "buffer")
    assert "less than 30 minutes" in error["message"]


def test_the_clients_race_rule_refuses_with_the_race_and_alternatives(theo: Theo) -> None:
    ada = marathoner(theo)
    check = theo.post(
        "/api/clinic/bookings/check",
        200,
        client=ada,
        service_id=theo.deep["id"],
        start="2027-01-14T10:00",
    )
    assert check["allowed"] is False
    assert "T3" in check["rules"]
    assert (
        "deep tissue on Thu 14 Jan is 3 days before their A race, Fen Marathon, "
        "this client's cautious policy wants 7"
    ) in check["message"]
    assert check["race"] == {"name": "Fen Marathon", "date": "2027-01-17", "priority": "A"}
    assert check["earlier"] == "2027-01-08T16:00:00+00:00"  # Friday, the last hour
    assert check["later"] is not None
    assert check["later"] > "2027-01-24"
    error = refused(theo.booking(ada, "2027-01-14T10:00"), "T3")
    assert error["race"]["name"] == "Fen Marathon"
    assert error["earlier"] == check["earlier"]
    assert theo.api.get("/api/clinic/bookings?from=2027-01-11&to=2027-01-18").json() == {
        "bookings": []
    }


def test_a_check_the_rules_allow_says_so_and_books_nothing(theo: Theo) -> None:
    ada = theo.client("Ada")
    body = {"client": ada, "service_id": theo.flush["id"], "start": "2027-01-05T10:00"}
    check = theo.post("/api/clinic/bookings/check", 200, **body)
    assert (check["allowed"], check["refusals"], check["earlier"]) == (True, [], None)
    answer = theo.api.get("/api/clinic/bookings", params={"from": "2027-01-04", "to": "2027-01-11"})
    assert answer.json() == {"bookings": []}


def test_an_override_with_a_reason_books_and_is_kept_with_the_refusals(theo: Theo) -> None:
    ada = marathoner(theo)
    answer = theo.booking(ada, "2027-01-14T10:00", override_reason="light work only, agreed")
    assert answer.status_code == 201, answer.text
    booking = answer.json()["booking"]
    again = theo.api.get(f"/api/clinic/bookings/{booking['id']}").json()
    assert again["override"]["reason"] == "light work only, agreed"
    assert again["override"]["by"] == theo.id
    assert any("(T3)" in line for line in again["override"]["refused"])
    assert again["client_name"] == "Ada"


def test_an_overlap_cannot_be_overridden(theo: Theo) -> None:
    ada = theo.client("Ada")
    theo.book(ada, "2027-01-05T10:00")
    answer = theo.booking(ada, "2027-01-05T10:30", override_reason="squeeze her in")
    error = refused(answer, "overlap")
    assert error["overridable"] is False


def test_a_cancellation_offers_the_slot_only_to_waitlisted_clients_whose_rules_allow_it(
    theo: Theo,
) -> None:
    bea = theo.client("Bea")
    ada = marathoner(theo)  # deep work on Thursday 14th is 3 days before her marathon
    cy = theo.client("Cy")
    booking = theo.book(bea, "2027-01-14T10:00")
    for client in (ada, cy):
        theo.post(
            "/api/clinic/waitlist", client=client, day="2027-01-14", service_id=theo.deep["id"]
        )
    waiting = theo.api.get("/api/clinic/waitlist/2027-01-14").json()
    # Both join at the pinned "now": their order between them is not what this test is about.
    assert sorted(e["client_name"] for e in waiting["entries"]) == ["Ada", "Cy"]
    answer = theo.post(f"/api/clinic/bookings/{booking['id']}/cancel", 200, reason="Bea is ill")
    assert [o["client_name"] for o in answer["offered_to"]] == ["Cy"]
    assert answer["offered_to"][0]["start"] == "2027-01-14T10:00:00+00:00"
    assert answer["booking"]["cancelled"]["reason"] == "Bea is ill"


def test_an_allowed_move_changes_the_start(theo: Theo) -> None:
    booking = theo.book(theo.client("Ada"), "2027-01-05T10:00")
    moved = theo.post(f"/api/clinic/bookings/{booking['id']}/move", 200, start="2027-01-06T11:00")
    assert moved["booking"]["start"] == "2027-01-06T11:00:00+00:00"
    assert moved["booking"]["id"] == booking["id"]


def test_a_move_past_a_rule_is_refused_and_leaves_the_booking_where_it_was(theo: Theo) -> None:
    ada = marathoner(theo)
    booking = theo.book(ada, "2027-01-05T10:00")
    other = theo.book(theo.client("Bea"), "2027-01-05T14:00")
    path = f"/api/clinic/bookings/{booking['id']}/move"
    error = refused(theo.api.post(path, json={"start": "2027-01-05T18:00"}), "hours")
    assert error["message"].startswith("not moved: ")
    refused(theo.api.post(path, json={"start": "2027-01-14T10:00"}), "T3")
    refused(theo.api.post(path, json={"start": "2027-01-05T14:30"}), "overlap")
    after = theo.api.get(f"/api/clinic/bookings/{booking['id']}").json()
    assert after == booking
    listed = theo.api.get("/api/clinic/bookings", params={"from": "2027-01-05", "to": "2027-01-06"})
    assert [b["id"] for b in listed.json()["bookings"]] == [booking["id"], other["id"]]


def test_two_moves_into_one_slot_at_once_leave_one_there_and_the_other_where_it_was(
    theo: Theo,
) -> None:
    ada, bea = theo.client("Ada"), theo.client("Bea")
    first, second = theo.book(ada, "2027-01-05T10:00"), theo.book(bea, "2027-01-05T14:00")
    other = TestClient(theo.world.app, base_url=SERVER_BASE)
    other.headers.update(theo.api.headers)
    other.cookies.update(theo.api.cookies)
    gate = threading.Barrier(2)

    def move(api: TestClient, booking: dict[str, Any]) -> int:
        gate.wait()
        path = f"/api/clinic/bookings/{booking['id']}/move"
        return int(api.post(path, json={"start": "2027-01-06T10:00"}).status_code)

    with ThreadPoolExecutor(2) as pool:
        statuses = sorted(pool.map(move, (theo.api, other), (first, second)))
    assert statuses == [200, 409]
    listed = theo.api.get("/api/clinic/bookings", params={"from": "2027-01-05", "to": "2027-01-07"})
    starts = sorted(b["start"][:16] for b in listed.json()["bookings"])
    assert starts in (
        ["2027-01-05T14:00", "2027-01-06T10:00"],
        ["2027-01-05T10:00", "2027-01-06T10:00"],
    )


def test_a_booking_moved_within_its_own_hour_is_not_refused_by_itself(theo: Theo) -> None:
    booking = theo.book(theo.client("Ada"), "2027-01-05T10:00")
    moved = theo.post(f"/api/clinic/bookings/{booking['id']}/move", 200, start="2027-01-05T10:30")
    assert moved["booking"]["start"] == "2027-01-05T10:30:00+00:00"


def test_another_therapists_bookings_are_not_there(world: People, theo: Theo) -> None:
    booking = theo.book(theo.client("Ada"), "2027-01-05T10:00")
    tess = world.client("tess")
    for path in (f"/api/clinic/bookings/{booking['id']}",):
        assert_error(tess.get(path), 404)
    cancel = tess.post(f"/api/clinic/bookings/{booking['id']}/cancel", json={"reason": "x"})
    assert_error(cancel, 404)
    move = tess.post(
        f"/api/clinic/bookings/{booking['id']}/move", json={"start": "2027-01-06T10:00"}
    )
    assert_error(move, 404)
    assert theo.api.get(f"/api/clinic/bookings/{booking['id']}").json() == booking


def test_a_runner_finds_the_clinic_not_there_and_no_one_logged_out_gets_in(world: People) -> None:
    assert_error(world.client("ana").get("/api/clinic/services"), 404)
    assert_error(world.client(None).get("/api/clinic/services"), 401)


def test_bad_input_is_one_clear_line(theo: Theo) -> None:
    ada = theo.client("Ada")
    assert_error(theo.booking(ada, "next tuesday"), 422)
    assert_error(theo.booking("someone", "2027-01-05T10:00"), 422)
    assert_error(theo.api.put("/api/clinic/rules", json={"timezone": "Mars/Olympus"}), 422)
    assert_error(theo.api.get("/api/clinic/bookings", params={"from": "2027-01-05"}), 422)


def test_the_openapi_document_names_the_booking_answers(theo: Theo) -> None:
    schema = theo.api.get("/openapi.json").json()
    move = schema["paths"]["/api/clinic/bookings/{booking_id}/move"]["post"]
    assert "BookingRefusalBody" in str(move["responses"]["409"])
    assert "BookedOut" in str(move["responses"]["200"])
    assert "CheckOut" in str(schema["paths"]["/api/clinic/bookings/check"]["post"])


def test_the_rules_and_the_menu_come_back_as_saved(theo: Theo) -> None:
    theo.rules(
        days_off=["2027-02-01"],
        min_notice_h=12,
        max_hands_on_h_per_day=5.5,
        max_sessions_per_week=20,
        buffer_min=10,
    )
    assert theo.api.get("/api/clinic/rules").json() == {
        "hours": WEEKDAYS.title(),
        "days_off": ["2027-02-01"],
        "timezone": "Europe/London",
        "min_notice_h": 12,
        "max_hands_on_h_per_day": 5.5,
        "max_sessions_per_week": 20,
        "buffer_min": 10,
    }
    menu = theo.api.get("/api/clinic/services").json()["services"]
    assert sorted(s["label"] for s in menu) == ["deep tissue, 60 min", "recovery flush, 30 min"]


def test_a_new_therapists_rules_are_the_defaults_with_six_hands_on_hours(world: People) -> None:
    fresh = Theo(world)
    rules = fresh.api.get("/api/clinic/rules").json()
    assert (rules["max_hands_on_h_per_day"], rules["hours"], rules["timezone"]) == (6.0, "", "UTC")


def test_a_runner_who_does_not_share_cannot_be_booked_or_checked(world: People, theo: Theo) -> None:
    body = {"client": f"runner:{world.ids['ana']}", "service_id": theo.deep["id"]}
    body["start"] = "2027-01-05T10:00"
    assert_error(theo.api.post("/api/clinic/bookings/check", json=body), 404)
    assert_error(theo.api.post("/api/clinic/bookings", json=body), 404)


@pytest.mark.parametrize("path", ["/clinic/calendar", "/clinic/calendar/settings"])
def test_the_calendar_pages_carry_the_therapists_navigation_with_calendar_current(
    theo: Theo, path: str
) -> None:
    page = theo.api.get(path)
    assert page.status_code == 200, page.text
    assert '<a href="/clinic/calendar" aria-current="page">Calendar</a>' in page.text
    assert 'href="/clinic/clients"' in page.text
    assert 'href="/today"' not in page.text  # no runner pages for a therapist
    assert page.text.count('aria-current="page"') == 1  # the page's own links mark none
    assert 'href="/account">Account</a>' in page.text
