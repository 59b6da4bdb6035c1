"""The runner's side of a booking, in server mode on PostgreSQL: a booking of a runner client
is in their plan and their feed (and no other runner's), moves their data version, and stays
theirs after a revoke; the therapist's full and busy-only feeds; shared notes only while the
therapist shares them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from rubdown.domain.clinic.booking_rules import Cancellation
from rubdown.domain.clinic.notes import Amendment, NoteBody
from rubdown.domain.clinic.services_menu import Service
from rubdown.domain.model import SessionKind
from rubdown.services.clinic.records import add_service, share_notes, write_note
from tests.support.clinic_seed import SESSION_AT, book_session, opened_clinic, runner_ref
from tests.support.server import People, people
from tests.support.web import assert_error

pytestmark = pytest.mark.postgres

ROLES = {"ana": "runner", "bo": "runner", "theo": "therapist"}
SERVICE_NAME = "Calf rescue 60"
NOTE_MARK = "ZEBRA-calves-noted"


@dataclass
class World:
    people: People
    booking: str
    note: str
    grant: str


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with people(tmp_path_factory.mktemp("client-bookings"), ROLES) as made:
        grant = made.share("ana", "theo")
        opened = opened_clinic(made, "theo")
        service = add_service(
            opened.clinic, Service(SessionKind.SPORTS, 60, 70.0, 15, SERVICE_NAME)
        )
        booking = book_session(opened, runner_ref(made, "ana"), service.id, SESSION_AT)
        note = write_note(opened.clinic, booking, NoteBody(subjective=NOTE_MARK))
        yield World(made, booking, note.id, grant)


def test_the_runner_sees_their_booking_in_the_plan_with_the_therapists_name(
    world: World,
) -> None:
    answer = world.people.client("ana").get("/api/plan")
    assert answer.status_code == 200, answer.text
    notes = " ".join(n["message"] for n in answer.json()["notes"])
    assert "Booked already" in notes
    assert f"with {world.people.email('theo')}" in notes


def test_another_runner_does_not_see_the_booking(world: World) -> None:
    answer = world.people.client("bo").get("/api/plan")
    assert answer.status_code == 200, answer.text
    assert world.people.email("theo") not in answer.text
    feed = _runner_feed(world, "bo")
    assert SESSION_AT.strftime("%Y%m%dT%H%M%SZ") not in feed


def _runner_feed(world: World, runner: str) -> str:
    client = world.people.client(runner)
    made = client.post("/api/feeds/secret")
    assert made.status_code == 200, made.text
    url = made.json()["urls"]["full"]
    answer = client.get(url[url.index("/feeds/") :])
    assert answer.status_code == 200
    return str(answer.text)


def test_the_runners_feed_carries_the_booking_with_kind_length_and_therapist(
    world: World,
) -> None:
    feed = _runner_feed(world, "ana")
    assert f"DTSTART:{SESSION_AT.strftime('%Y%m%dT%H%M%SZ')}" in feed
    end = SESSION_AT + dt.timedelta(minutes=60)
    assert f"DTEND:{end.strftime('%Y%m%dT%H%M%SZ')}" in feed
    unfolded = feed.replace("\r\n ", "")
    assert f"{SessionKind.SPORTS.label} with {world.people.email('theo')}" in unfolded
    assert "60 min" in unfolded


def test_a_booking_write_moves_the_runners_data_version(world: World) -> None:
    ana = world.people.ids["ana"]
    before = world.people.store.version_stamp(ana).data_version
    opened = opened_clinic(world.people, "theo")
    service = opened.clinic.data.list_services()[0]
    later = book_session(
        opened, runner_ref(world.people, "ana"), service.id, SESSION_AT + dt.timedelta(days=7)
    )
    booked = world.people.store.version_stamp(ana).data_version
    assert booked > before
    opened.clinic.data.cancel_booking(
        later, Cancellation("client asked", world.people.ids["theo"], SESSION_AT)
    )
    assert world.people.store.version_stamp(ana).data_version > booked
    # Cancelled: gone from the runner's feed, which was made again.
    feed = _runner_feed(world, "ana")
    assert (SESSION_AT + dt.timedelta(days=7)).strftime("%Y%m%dT%H%M%SZ") not in feed


def _therapist_feed(world: World, view: str) -> str:
    theo = world.people.client("theo")
    made = theo.post(f"/api/clinic/feeds/{view}")
    assert made.status_code == 200, made.text
    url = made.json()["url"]
    answer = world.people.client(None).get(url[url.index("/feeds/") :])
    assert answer.status_code == 200, answer.text
    return str(answer.text).replace("\r\n ", "")


def test_the_therapists_full_feed_names_the_client_and_the_service(world: World) -> None:
    feed = _therapist_feed(world, "full")
    assert world.people.email("ana") in feed
    assert SERVICE_NAME in feed
    assert SESSION_AT.strftime("%Y%m%dT%H%M%SZ") in feed


def test_the_therapists_busy_feed_leaks_no_client_detail(world: World) -> None:
    feed = _therapist_feed(world, "busy")
    assert SESSION_AT.strftime("%Y%m%dT%H%M%SZ") in feed
    for leak in (world.people.email("ana"), "ana", SERVICE_NAME, "Sports", "sports"):
        assert leak not in feed, leak
    for field in ("DESCRIPTION", "CATEGORIES", "LOCATION", "ATTENDEE"):
        assert f"\n{field}" not in feed, field
    summaries = {line for line in feed.splitlines() if line.startswith("SUMMARY")}
    assert summaries == {"SUMMARY:Busy"}


def test_a_replaced_or_revoked_therapist_feed_stops_at_once(world: World) -> None:
    theo = world.people.client("theo")
    first = theo.post("/api/clinic/feeds/busy").json()["url"]
    theo.post("/api/clinic/feeds/busy")
    anonymous = world.people.client(None)
    assert anonymous.get(first[first.index("/feeds/") :]).status_code == 404
    status = theo.get("/api/clinic/feeds").json()
    assert status["busy"] is True
    off = theo.delete("/api/clinic/feeds/busy")
    assert off.json() == {"view": "busy", "was_active": True}
    assert theo.get("/api/clinic/feeds").json()["busy"] is False


def test_a_runner_cannot_make_a_therapist_feed_and_a_bad_view_is_one_line(world: World) -> None:
    assert world.people.client("ana").post("/api/clinic/feeds/full").status_code == 404
    bad = world.people.client("theo").post("/api/clinic/feeds/everything")
    assert "full or busy" in assert_error(bad, 422)["message"]


def test_notes_reach_the_runner_only_while_the_therapist_shares_them(world: World) -> None:
    ana = world.people.client("ana")
    clinic = opened_clinic(world.people, "theo").clinic
    share_notes(clinic, runner_ref(world.people, "ana"), False)
    assert ana.get("/api/clinic-notes").json() == {"notes": []}
    share_notes(clinic, runner_ref(world.people, "ana"), True)
    clinic.data.add_amendment(
        Amendment(
            world.note,
            world.people.ids["theo"],
            SESSION_AT + dt.timedelta(hours=2),
            "left calf, not right",
            NoteBody(subjective=f"{NOTE_MARK} (left)"),
        )
    )
    notes = ana.get("/api/clinic-notes").json()["notes"]
    assert [n["therapist"] for n in notes] == [world.people.email("theo")]
    assert notes[0]["body"]["subjective"] == NOTE_MARK
    assert [a["reason"] for a in notes[0]["amendments"]] == ["left calf, not right"]
    assert notes[0]["session"]["kind"] == "sports"
    # Another runner sees none of them, and a therapist finds the route not there.
    assert world.people.client("bo").get("/api/clinic-notes").json() == {"notes": []}
    assert world.people.client("theo").get("/api/clinic-notes").status_code == 404


def test_a_revoked_grant_leaves_the_booking_on_the_runners_plan(world: World) -> None:
    ana = world.people.client("ana")
    assert ana.delete(f"/api/grants/{world.grant}").status_code in (200, 204)
    notes = " ".join(n["message"] for n in ana.get("/api/plan").json()["notes"])
    assert f"with {world.people.email('theo')}" in notes


def test_the_plan_month_shows_the_booking_with_time_length_and_therapist(world: World) -> None:
    month = SESSION_AT.strftime("%Y-%m")
    answer = world.people.client("ana").get(f"/api/plan/month?month={month}")
    assert answer.status_code == 200, answer.text
    day = next(d for d in answer.json()["days"] if d["date"] == SESSION_AT.date().isoformat())
    assert day["booked"] == [
        {
            "id": world.booking,
            "kind": "sports",
            "label": SessionKind.SPORTS.label,
            "time": "10:00",
            "length_min": 60,
            "therapist": world.people.email("theo"),
        }
    ]
    page = world.people.client("ana").get(f"/plan?month={month}")
    assert f"with {world.people.email('theo')}" in page.text


def test_the_sharing_page_shows_shared_notes_and_the_account_page_the_feeds(
    world: World,
) -> None:
    # Straight in the store: the grant may be revoked by now, and sharing is the therapist's.
    clinic = opened_clinic(world.people, "theo").clinic
    clinic.data.set_notes_shared(runner_ref(world.people, "ana"), True)
    page = world.people.client("ana").get("/sharing")
    assert page.status_code == 200
    assert NOTE_MARK in page.text
    assert "Notes from your therapists" in page.text
    account = world.people.client("theo").get("/account")
    assert "Your bookings in your calendar" in account.text
    made = world.people.client("theo").post("/ui/clinic-feeds/busy")
    assert made.status_code == 200, made.text
    assert "/feeds/clinic/" in made.text
