"""The therapist's clients, card, intake and notes through the API in server mode (on
PostgreSQL): the consent boundary (nothing of a runner who did not grant, nothing after a
revoke), safety first on the card, intake expiry and blocking, and notes that can only be
amended."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from rubdown.domain.clinic.booking_rules import ClientRef
from rubdown.domain.clinic.intake import Answer, Intake
from rubdown.domain.model import Priority
from rubdown.services import season
from rubdown.services.clinic.context import load_screening
from tests.support.clinic_seed import (
    SESSION_AT,
    ClinicIds,
    book_session,
    opened_clinic,
    runner_ref,
    seed_clinic,
)
from tests.support.server import People, people
from tests.support.web import TODAY, assert_error

pytestmark = pytest.mark.postgres

ROLES = {"ana": "runner", "bo": "runner", "theo": "therapist", "tess": "therapist"}
ANA_RACE = "Ana's Spring Marathon"
BO_RACE = "Bo's Secret Half"


@dataclass
class Team:
    people: People
    theo: ClinicIds
    tess: ClinicIds


@pytest.fixture(scope="module")
def team(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Team]:
    with people(tmp_path_factory.mktemp("clinic-clients"), ROLES) as made:
        made.race_in_pain("ana", ANA_RACE, "left-calf")
        with made.runner("bo") as bo:
            season.add_race(bo, BO_RACE, TODAY + dt.timedelta(days=20), Priority.B)
        yield Team(made, seed_clinic(made, "theo", "THEO"), seed_clinic(made, "tess", "TESS"))


@pytest.fixture(autouse=True)
def _no_grants_left(team: Team) -> Iterator[None]:
    yield
    team.people.forget_grants()


def _theo(team: Team) -> Any:
    return team.people.client("theo")


def _all_no() -> list[dict[str, Any]]:
    return [{"question_id": q.id, "yes": False} for q in load_screening().questions]


def _intake(answers: list[dict[str, Any]], name: str = "Ana Runner") -> dict[str, Any]:
    return {"answers": answers, "signed_name": name, "consent": True}


def test_the_roster_lists_managed_clients_and_runners_who_share_now_only(team: Team) -> None:
    team.people.share("ana", "theo")
    team.people.share("bo", "tess")

    clients = _theo(team).get("/api/clinic/clients").json()["clients"]

    ana = f"runner:{team.people.ids['ana']}"
    assert [c["client"] for c in clients] == [team.theo.client, ana]
    assert clients[0]["name"] == "THEO client"
    assert clients[0]["intake"] == "missing"
    assert clients[1]["next_race"]["name"] == ANA_RACE
    assert clients[1]["shares"] == ["calendar", "training", "wellness"]
    assert BO_RACE not in str(clients)
    assert "TESS" not in str(clients)


def test_a_runner_who_did_not_grant_is_not_there_for_the_therapist(team: Team) -> None:
    team.people.share("bo", "tess")
    bo = f"runner:{team.people.ids['bo']}"

    for path in (
        f"/api/clinic/clients/{bo}",
        f"/api/clinic/clients/{bo}/intake",
        f"/api/clinic/clients/{bo}/notes",
    ):
        answer = _theo(team).get(path)
        assert_error(answer, 404)
        assert BO_RACE not in answer.text
    signed = _theo(team).post(f"/api/clinic/clients/{bo}/intake", json=_intake(_all_no()))
    assert_error(signed, 404)
    assert team.people.client("bo").get("/api/access-log").json()["entries"] == []


def test_after_a_revoke_the_card_notes_and_roster_are_gone_at_once(team: Team) -> None:
    grant = team.people.share("ana", "theo")
    ana = f"runner:{team.people.ids['ana']}"
    opened = opened_clinic(team.people, "theo")
    start = SESSION_AT + dt.timedelta(days=1)
    ana_ref = runner_ref(team.people, "ana")
    # Ana's sharp calf pain refuses a whole-body session: the therapist checked it in person.
    booking = book_session(opened, ana_ref, team.theo.service, start, "calf checked in person")
    wrote = _theo(team).post(
        f"/api/clinic/bookings/{booking}/notes", json={"subjective": "hamstrings tight"}
    )
    assert wrote.status_code == 201, wrote.text
    assert _theo(team).get(f"/api/clinic/clients/{ana}").status_code == 200

    revoked = team.people.client("ana").delete(f"/api/grants/{grant}")
    assert revoked.status_code == 200

    assert_error(_theo(team).get(f"/api/clinic/clients/{ana}"), 404)
    assert_error(_theo(team).get(f"/api/clinic/clients/{ana}/notes"), 404)
    assert_error(_theo(team).get(f"/api/clinic/bookings/{booking}/notes"), 404)
    note_id = wrote.json()["id"]
    amend = {"subjective": "hamstrings very tight", "reason": "typo"}
    assert_error(_theo(team).post(f"/api/clinic/notes/{note_id}/amendments", json=amend), 404)
    roster = _theo(team).get("/api/clinic/clients").json()["clients"]
    assert [c["client"] for c in roster] == [team.theo.client]


def test_the_card_puts_a_runners_red_flags_first(team: Team) -> None:
    team.people.share("ana", "theo")
    ana = f"runner:{team.people.ids['ana']}"

    answer = _theo(team).get(f"/api/clinic/clients/{ana}")

    assert answer.status_code == 200, answer.text
    document = answer.json()
    assert list(document)[:5] == ["client", "kind", "id", "name", "safety"]
    safety = document["safety"]
    assert safety["checked"] is True
    assert [a["region"] for a in safety["alerts"]] == ["left-calf"]
    assert [r["name"] for r in document["races"]] == [ANA_RACE]
    assert document["training_shared"] is True


def test_the_card_says_when_check_ins_are_not_shared(team: Team) -> None:
    team.people.share("ana", "theo", {"calendar": True})
    ana = f"runner:{team.people.ids['ana']}"

    document = _theo(team).get(f"/api/clinic/clients/{ana}").json()

    assert document["safety"]["checked"] is False
    assert "does not share their check-ins" in document["safety"]["message"]
    assert document["safety"]["alerts"] == []
    assert document["injuries_shared"] is False
    assert document["fitness"] is None
    assert document["training_shared"] is False


def test_another_therapists_client_booking_and_note_answer_404(team: Team) -> None:
    tess = team.tess
    for path in (
        f"/api/clinic/clients/{tess.client}",
        f"/api/clinic/clients/{tess.client}/intake",
        f"/api/clinic/clients/{tess.client}/notes",
        f"/api/clinic/bookings/{tess.booking}/notes",
    ):
        answer = _theo(team).get(path)
        assert_error(answer, 404)
        assert "TESS" not in answer.text
    change = _theo(team).patch(f"/api/clinic/clients/{tess.client}", json={"name": "Mine now"})
    assert_error(change, 404)
    note = {"subjective": "not mine"}
    assert_error(_theo(team).post(f"/api/clinic/bookings/{tess.booking}/notes", json=note), 404)


def test_a_client_written_wrongly_is_one_clear_line(team: Team) -> None:
    answer = _theo(team).get("/api/clinic/clients/ana")

    error = assert_error(answer, 422)
    assert "managed:ID or runner:ID" in error["message"]
    assert "\n" not in error["message"]


def test_a_therapist_adds_and_changes_a_managed_client(team: Team) -> None:
    body = {
        "name": "Carla Hill",
        "policy": "cautious",
        "races": [{"name": "Carla's 10k", "date": "2027-03-01", "priority": "B"}],
    }
    added = _theo(team).post("/api/clinic/clients", json=body)
    assert added.status_code == 201, added.text
    client = added.json()["client"]

    changed = _theo(team).patch(f"/api/clinic/clients/{client}", json={"policy": "standard"})
    card = _theo(team).get(f"/api/clinic/clients/{client}").json()

    assert changed.status_code == 200, changed.text
    assert added.json()["next_race"]["name"] == "Carla's 10k"
    assert card["policy"] == "standard"
    assert card["name"] == "Carla Hill"
    assert card["safety"]["checked"] is False


def test_an_intake_signed_through_the_api_is_valid_and_says_what_it_blocks(team: Team) -> None:
    client = team.theo.client
    answers = [
        {**a, "yes": True, "detail": "apixaban"} if a["question_id"] == "Q5" else a
        for a in _all_no()
    ]

    signed = _theo(team).post(f"/api/clinic/clients/{client}/intake", json=_intake(answers))
    status = _theo(team).get(f"/api/clinic/clients/{client}/intake").json()

    assert signed.status_code == 201, signed.text
    assert status["status"] == "valid"
    assert status["signed_name"] == "Ana Runner"
    blocked = {b["kind"] for b in status["blocks"]}
    assert {"deep-tissue", "sports"} <= blocked
    assert "flush" not in blocked
    card = _theo(team).get(f"/api/clinic/clients/{client}").json()
    assert [f["question_id"] for f in card["safety"]["intake_flags"]] == ["Q5"]


def test_an_intake_with_an_unanswered_question_is_refused_in_one_line(team: Team) -> None:
    answers = _all_no()[1:]

    answer = _theo(team).post(
        f"/api/clinic/clients/{team.theo.client}/intake", json=_intake(answers)
    )

    error = assert_error(answer, 422)
    assert "answer every question" in error["message"]


def test_an_intake_signed_over_a_year_ago_has_expired(team: Team) -> None:
    added = _theo(team).post("/api/clinic/clients", json={"name": "Old Form"}).json()
    opened = opened_clinic(team.people, "theo")
    ref = ClientRef.parse(added["client"])
    screening = opened.clinic.screening
    signed_at = dt.datetime.combine(TODAY, dt.time(9), tzinfo=dt.UTC) - dt.timedelta(days=400)
    answers = tuple(Answer(q.id, False) for q in screening.questions)
    opened.clinic.data.add_intake(Intake(ref, answers, "Old Form", signed_at))

    status = _theo(team).get(f"/api/clinic/clients/{added['client']}/intake").json()

    assert status["status"] == "expired"
    assert "ran out" in status["line"]


def test_a_note_is_amended_with_a_reason_and_never_changed(team: Team) -> None:
    booking = team.theo.booking
    wrote = _theo(team).post(
        f"/api/clinic/bookings/{booking}/notes",
        json={
            "subjective": "left calf tight",
            "regions": [{"region": "left-calf", "pressure": "firm", "findings": "knot"}],
            "advice": "easy run tomorrow",
        },
    )
    assert wrote.status_code == 201, wrote.text
    note_id = wrote.json()["id"]
    without_reason = _theo(team).post(
        f"/api/clinic/notes/{note_id}/amendments", json={"advice": "rest tomorrow"}
    )
    amended = _theo(team).post(
        f"/api/clinic/notes/{note_id}/amendments",
        json={"advice": "rest tomorrow", "reason": "advice was given wrong"},
    )

    assert_error(without_reason, 422)
    assert amended.status_code == 201, amended.text
    history = amended.json()
    assert history["original"]["advice"] == "easy run tomorrow"
    assert history["current"]["advice"] == "rest tomorrow"
    assert [a["reason"] for a in history["amendments"]] == ["advice was given wrong"]
    assert history["amendments"][0]["author_id"] == team.people.ids["theo"]
    for method in ("PUT", "PATCH", "DELETE"):
        answer = _theo(team).request(method, f"/api/clinic/notes/{note_id}", json={})
        assert answer.status_code in (404, 405)
    notes = _theo(team).get(f"/api/clinic/bookings/{booking}/notes").json()["notes"]
    assert note_id in [n["id"] for n in notes]
    by_client = _theo(team).get(f"/api/clinic/clients/{team.theo.client}/notes").json()
    assert note_id in [n["id"] for n in by_client["notes"]]


def test_notes_sharing_is_recorded_for_the_therapists_own_client(team: Team) -> None:
    path = f"/api/clinic/clients/{team.theo.client}/notes-sharing"

    shared = _theo(team).put(path, json={"shared": True})
    card = _theo(team).get(f"/api/clinic/clients/{team.theo.client}").json()

    assert shared.json() == {"client": team.theo.client, "notes_shared": True}
    assert card["notes_shared_with_client"] is True
    other = f"/api/clinic/clients/{team.tess.client}/notes-sharing"
    assert_error(_theo(team).put(other, json={"shared": True}), 404)


def test_runners_and_anonymous_callers_find_no_clinic(team: Team) -> None:
    assert_error(team.people.client("ana").get("/api/clinic/clients"), 404)
    assert_error(team.people.client("ana").get("/api/clinic/screening"), 404)
    assert_error(team.people.client(None).get("/api/clinic/clients"), 401)


# -- the pages ---------------------------------------------------------------------------------


def test_the_card_page_shows_the_red_flags_before_anything_else(team: Team) -> None:
    team.people.share("ana", "theo")
    ana = f"runner:{team.people.ids['ana']}"

    page = _theo(team).get(f"/clinic/clients/{ana}")

    assert page.status_code == 200, page.text
    html = page.text
    assert 'id="client-safety"' in html
    assert html.index('id="client-safety"') < html.index('id="clinic-intake-status"')
    assert html.index('id="client-safety"') < html.index("Spring Marathon")
    assert 'data-region="left-calf"' in html
    assert 'href="/clinic/calendar"' in html  # the therapist's navigation


def test_the_roster_page_lists_clients_and_hides_runner_navigation(team: Team) -> None:
    page = _theo(team).get("/clinic/clients")

    assert page.status_code == 200, page.text
    assert "THEO client" in page.text
    assert "TESS" not in page.text
    assert 'href="/checkin"' not in page.text


def test_the_roster_page_adds_a_client_with_their_race(team: Team) -> None:
    form = {"name": "Dana Page", "race_name": "Dana's 10k", "race_date": "2027-02-14"}

    added = _theo(team).post("/ui/clinic/clients", data=form)
    roster = _theo(team).get("/api/clinic/clients").json()["clients"]

    assert added.status_code == 200, added.text
    dana = next(c for c in roster if c["name"] == "Dana Page")
    assert dana["next_race"]["date"] == "2027-02-14"
    bad = _theo(team).post("/ui/clinic/clients", data={**form, "race_date": "2027-02-30"})
    assert_error(bad, 422)


def test_the_pages_answer_404_to_a_runner_and_for_another_therapists_client(team: Team) -> None:
    assert team.people.client("ana").get("/clinic/clients").status_code == 404
    assert _theo(team).get(f"/clinic/clients/{team.tess.client}").status_code == 404
    assert _theo(team).get(f"/clinic/clients/{team.tess.client}/intake").status_code == 404


def test_the_intake_form_signs_through_the_page(team: Team) -> None:
    added = _theo(team).post("/api/clinic/clients", json={"name": "Form Filler"}).json()
    client = added["client"]
    form = {"yes_Q5": "true", "detail_Q5": "warfarin", "signed_name": "Form Filler"}
    form["consent"] = "true"

    page = _theo(team).get(f"/clinic/clients/{client}/intake")
    signed = _theo(team).post(f"/ui/clinic/clients/{client}/intake", data=form)

    assert page.status_code == 200
    assert 'name="yes_Q5"' in page.text
    assert signed.status_code == 200, signed.text
    assert "intake valid until" in signed.text
    assert 'data-kind="sports"' in signed.text


def test_a_note_written_and_amended_on_the_page_keeps_its_history(team: Team) -> None:
    opened = opened_clinic(team.people, "theo")
    added = _theo(team).post("/api/clinic/clients", json={"name": "Noted Client"}).json()
    ref = ClientRef.parse(added["client"])
    start = SESSION_AT + dt.timedelta(hours=3)
    booking = book_session(opened, ref, team.theo.service, start)

    wrote = _theo(team).post(
        f"/ui/clinic/bookings/{booking}/notes", data={"subjective": "quads heavy"}
    )
    note_id = _theo(team).get(f"/api/clinic/bookings/{booking}/notes").json()["notes"][0]["id"]
    no_reason = _theo(team).post(
        f"/ui/clinic/notes/{note_id}/amendments", data={"subjective": "quads very heavy"}
    )
    amended = _theo(team).post(
        f"/ui/clinic/notes/{note_id}/amendments",
        data={"subjective": "quads very heavy", "reason": "understated"},
    )

    assert wrote.status_code == 200, wrote.text
    assert_error(no_reason, 422)
    assert amended.status_code == 200, amended.text
    assert "because “understated”" in amended.text
    assert "Original" in amended.text
    assert "quads heavy" in amended.text


def test_the_card_records_that_a_client_wants_to_read_their_notes(team: Team) -> None:
    added = _theo(team).post("/api/clinic/clients", json={"name": "Reader"}).json()
    client = added["client"]

    shared = _theo(team).post(f"/ui/clinic/clients/{client}/notes-sharing", data={"shared": "true"})
    card = _theo(team).get(f"/api/clinic/clients/{client}").json()

    assert shared.status_code == 200, shared.text
    assert "may now read" in shared.text
    assert card["notes_shared_with_client"] is True


MY_OPERATIONS = {
    ("get", "/api/clinic/clients"),
    ("post", "/api/clinic/clients"),
    ("get", "/api/clinic/clients/{client}"),
    ("patch", "/api/clinic/clients/{client}"),
    ("get", "/api/clinic/screening"),
    ("get", "/api/clinic/clients/{client}/intake"),
    ("post", "/api/clinic/clients/{client}/intake"),
    ("post", "/api/clinic/bookings/{booking_id}/notes"),
    ("get", "/api/clinic/bookings/{booking_id}/notes"),
    ("post", "/api/clinic/notes/{note_id}/amendments"),
    ("get", "/api/clinic/clients/{client}/notes"),
    ("put", "/api/clinic/clients/{client}/notes-sharing"),
}


def test_the_openapi_document_gives_each_clients_and_notes_answer_a_model(team: Team) -> None:
    paths = team.people.app.openapi()["paths"]

    for method, path in sorted(MY_OPERATIONS):
        responses = paths[path][method]["responses"]
        successes = [answer for code, answer in responses.items() if code < "300"]
        assert len(successes) == 1, f"{method} {path}"
        schema = successes[0]["content"]["application/json"]["schema"]
        assert "$ref" in schema, f"{method} {path}: {schema}"
        for code in ("401", "404", "422"):
            error = responses[code]["content"]["application/json"]["schema"]
            assert error == {"$ref": "#/components/schemas/ErrorBody"}, f"{method} {path}"


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/api/clinic/clients/managed:", None),
        ("GET", "/api/clinic/clients/nobody:x", None),
        ("GET", "/api/clinic/clients/runner:%00", None),
        ("GET", "/api/clinic/clients/managed:" + "x" * 300, None),
        ("POST", "/api/clinic/clients", {"name": "X", "policy": "reckless"}),
        ("POST", "/api/clinic/clients", {"name": "X", "conditions": ["gout"]}),
        (
            "POST",
            "/api/clinic/clients",
            {"name": "X", "races": [{"name": "R", "date": "2027-02-30", "priority": "A"}]},
        ),
        (
            "POST",
            "{client}/intake",
            {"answers": [{"question_id": "Q99", "yes": True}], "signed_name": "X", "consent": True},
        ),
        (
            "POST",
            "{client}/intake",
            {
                "answers": [{"question_id": "Q1", "yes": True, "regions": ["tail"]}],
                "signed_name": "X",
                "consent": True,
            },
        ),
        ("POST", "{booking}/notes", {"regions": [{"region": "calf", "pressure": "crushing"}]}),
        ("POST", "{booking}/notes", {"regions": [{"region": "wing", "pressure": "firm"}]}),
        ("POST", "{booking}/notes", {}),
    ],
)
def test_bad_input_is_one_line_never_a_server_error(
    team: Team, method: str, path: str, body: dict[str, Any] | None
) -> None:
    path = path.replace("{client}", f"/api/clinic/clients/{team.theo.client}")
    path = path.replace("{booking}", f"/api/clinic/bookings/{team.theo.booking}")

    answer = _theo(team).request(method, path, json=body)

    assert answer.status_code in (404, 422), answer.text
    error = answer.json()["error"]
    assert error["message"]
    assert "\n" not in error["message"]
    assert "Traceback" not in answer.text
