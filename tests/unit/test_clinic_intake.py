"""The intake: a signed form valid for a year, a contraindication screen from the knowledge
base with a source for every question, and what each answer blocks when a client is booked."""

from __future__ import annotations

import datetime as dt

import pytest
from tests.support.fake_clinic import FakeClinicWorld, fake_clinic

from rubdown.domain.availability import parse_hours
from rubdown.domain.clinic.booking_rules import ClientKind, ClientRef, TherapistRules
from rubdown.domain.clinic.intake import Answer, Effect, Question, Reach, Where, make_intake, screen
from rubdown.domain.clinic.services_menu import Service
from rubdown.domain.model import PolicyName, SessionKind
from rubdown.domain.regions import parse_regions
from rubdown.errors import BookingRefused, InvalidValue
from rubdown.knowledge import load_knowledge_base, read_bundled_files
from rubdown.services.clinic.booking import BookingCheck, BookingRequest, book, check_booking
from rubdown.services.clinic.context import Clinic, load_screening, managed_client_rules
from rubdown.services.clinic.records import (
    add_client,
    add_service,
    intake_status,
    save_rules,
    sign_intake,
)

NOW = dt.datetime(2027, 4, 1, 9, 0, tzinfo=dt.UTC)
SLOT = dt.datetime(2027, 4, 6, 10, 0, tzinfo=dt.UTC)
SCREENING = load_screening()


Yes = dict[str, tuple[str, ...] | bool]


def answers(yes: Yes | None = None) -> list[Answer]:
    """No to every question but those named (``Q5=True``, ``Q3=("left-calf",)``)."""
    found = []
    for question in SCREENING.questions:
        given = (yes or {}).get(question.id, False)
        regions = parse_regions(",".join(given)) if isinstance(given, tuple) else ()
        found.append(Answer(question.id, bool(given), regions))
    return found


@pytest.fixture
def clinic() -> Clinic:
    made, _ = fake_clinic(lambda: NOW, world=FakeClinicWorld())
    save_rules(made, TherapistRules(hours=parse_hours("tue 09:00-17:00")))
    return made


def booked_kind(clinic: Clinic, kind: SessionKind, yes: Yes, regions: str = "") -> BookingCheck:
    client = add_client(clinic, "Client", policy=PolicyName.STANDARD)
    sign_intake(clinic, client.ref, answers(yes), "Client Name", consent=True)
    service = add_service(clinic, Service(kind, 60, 80.0))
    rules = managed_client_rules(clinic, client, NOW.date())
    return check_booking(
        clinic, BookingRequest(client.ref, service.id, SLOT, parse_regions(regions)), rules
    )


def test_every_question_has_a_public_source_with_an_address() -> None:
    assert len(SCREENING.questions) >= 12
    for question in SCREENING.questions:
        assert question.sources, question.id
        for key in question.sources:
            assert SCREENING.sources[key].url.startswith("https://"), key
        assert question.why, question.id
        assert question.asks.endswith("?"), question.id


def test_the_screen_repeats_the_red_flags_and_the_clot_injury_and_heel_rules() -> None:
    repeated = {rule for q in SCREENING.questions for rule in q.rules}
    assert repeated == {"X1", "R3", "R4", "R5"}
    kb_rules = load_knowledge_base().rules
    assert repeated <= set(kb_rules)


def test_the_screening_file_is_not_read_as_rules() -> None:
    assert "screening.toml" not in read_bundled_files()


def test_an_intake_is_valid_for_one_year_from_signing() -> None:
    ref = ClientRef(ClientKind.MANAGED, "c1")
    intake = make_intake(SCREENING, ref, answers(), "Ada Lovelace", NOW, consent=True)
    assert intake.valid_at(NOW)
    assert intake.valid_at(dt.datetime(2028, 4, 1, 8, 59, tzinfo=dt.UTC))
    assert not intake.valid_at(dt.datetime(2028, 4, 1, 9, 0, tzinfo=dt.UTC))
    leap = make_intake(
        SCREENING, ref, answers(), "Ada", dt.datetime(2028, 2, 29, 12, tzinfo=dt.UTC), consent=True
    )
    assert leap.expires_at == dt.datetime(2029, 2, 28, 12, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("given", "name", "consent", "words"),
    [
        (answers(), "  ", True, "sign the form"),
        (answers(), "Ada", False, "consent"),
        (answers()[:-1], "Ada", True, "answer every question"),
        ([*answers(), answers()[0]], "Ada", True, "answered twice"),
        ([Answer("Q99", False), *answers()], "Ada", True, "no intake question"),
        (answers({"Q3": True}), "Ada", True, "say which body region"),
    ],
)
def test_an_incomplete_or_unsigned_form_is_refused(
    given: list[Answer], name: str, consent: bool, words: str
) -> None:
    ref = ClientRef(ClientKind.MANAGED, "c1")
    with pytest.raises(InvalidValue, match=words):
        make_intake(SCREENING, ref, given, name, NOW, consent=consent)


def test_booking_without_an_intake_warns_and_books(clinic: Clinic) -> None:
    client = add_client(clinic, "No Form")
    service = add_service(clinic, Service(SessionKind.SPORTS, 60, 70.0))
    booking, check = book(
        clinic,
        BookingRequest(client.ref, service.id, SLOT),
        managed_client_rules(clinic, client, NOW.date()),
    )
    assert booking.id
    assert check.allowed
    assert any("no intake on file" in w for w in check.warnings)


def test_booking_after_the_intake_ran_out_warns(clinic: Clinic) -> None:
    client = add_client(clinic, "Old Form")
    old = make_intake(
        SCREENING, client.ref, answers(), "Old Form", NOW - dt.timedelta(days=400), consent=True
    )
    clinic.data.add_intake(old)
    assert not intake_status(clinic, client.ref).valid
    service = add_service(clinic, Service(SessionKind.SPORTS, 60, 70.0))
    check = check_booking(
        clinic,
        BookingRequest(client.ref, service.id, SLOT),
        managed_client_rules(clinic, client, NOW.date()),
    )
    assert check.allowed
    assert any("runs out on" in w and "renew" in w for w in check.warnings)


@pytest.mark.parametrize("question", [q for q in SCREENING.questions if q.effect is Effect.BLOCK])
def test_each_blocking_answer_refuses_the_kinds_it_names_with_its_question_and_source(
    clinic: Clinic, question: Question
) -> None:
    given = ("left-calf",) if question.where is not Where.BODY else True
    check = booked_kind(clinic, SessionKind.DEEP_TISSUE, {question.id: given})
    refused = [r for r in check.refusals if r.rule == question.id]
    assert refused, question.id
    source = SCREENING.sources[question.sources[0]]
    assert question.title in refused[0].message
    assert source.url in refused[0].message
    light = booked_kind(clinic, SessionKind.FLUSH, {question.id: given})
    assert any(r.rule == question.id for r in light.refusals) == (question.reach is Reach.ALL)


@pytest.mark.parametrize("question", [q for q in SCREENING.questions if q.effect is Effect.WARN])
def test_each_warning_answer_only_warns(clinic: Clinic, question: Question) -> None:
    check = booked_kind(clinic, SessionKind.DEEP_TISSUE, {question.id: True})
    assert check.allowed
    assert any(question.title in w for w in check.warnings)


def test_a_local_block_refuses_a_whole_body_session_and_the_region_but_not_other_regions(
    clinic: Clinic,
) -> None:
    assert not booked_kind(clinic, SessionKind.SPORTS, {"Q10": ("left-calf",)}).allowed
    assert not booked_kind(clinic, SessionKind.SPORTS, {"Q10": ("left-calf",)}, "calf").allowed
    elsewhere = booked_kind(
        clinic, SessionKind.SPORTS, {"Q10": ("left-calf",)}, "right-calf,low-back"
    )
    assert elsewhere.allowed
    assert any("away from the regions" in w for w in elsewhere.warnings)


def test_a_possible_clot_keeps_massage_off_the_whole_leg_but_not_the_other(clinic: Clinic) -> None:
    assert not booked_kind(
        clinic, SessionKind.FLUSH, {"Q2": ("left-calf",)}, "left-hamstring"
    ).allowed
    assert booked_kind(clinic, SessionKind.FLUSH, {"Q2": ("left-calf",)}, "right-hamstring").allowed


def test_blood_thinners_block_firm_work_but_not_a_flush(clinic: Clinic) -> None:
    check = booked_kind(clinic, SessionKind.SPORTS, {"Q5": True})
    assert [r.rule for r in check.refusals] == ["Q5"]
    assert "blood thinners" in check.refusals[0].message
    assert booked_kind(clinic, SessionKind.FLUSH, {"Q5": True}).allowed


def test_an_intake_refusal_offers_no_other_slot_and_can_be_overridden_with_a_reason(
    clinic: Clinic,
) -> None:
    client = add_client(clinic, "Thinner")
    sign_intake(clinic, client.ref, answers({"Q5": True}), "Thinner", consent=True)
    service = add_service(clinic, Service(SessionKind.DEEP_TISSUE, 60, 80.0))
    rules = managed_client_rules(clinic, client, NOW.date())
    request = BookingRequest(client.ref, service.id, SLOT)
    with pytest.raises(BookingRefused) as refused:
        book(clinic, request, rules)
    assert "(Q5)" in str(refused.value)
    assert "nearest allowed" not in str(refused.value)
    booking, _ = book(clinic, request, rules, override_reason="GP letter of 2 Mar allows firm work")
    assert booking.override is not None
    assert "(Q5)" in booking.override.refused[0]


def test_a_therapist_reads_only_their_own_intakes() -> None:
    world = FakeClinicWorld()
    mine, _ = fake_clinic(lambda: NOW, world=world)
    theirs, _ = fake_clinic(lambda: NOW, therapist_id="therapist-2", world=world)
    client = add_client(mine, "Mine")
    sign_intake(mine, client.ref, answers(), "Mine", consent=True)
    assert intake_status(mine, client.ref).valid
    assert theirs.data.latest_intake(client.ref) is None


def test_screen_names_nothing_for_a_clean_form() -> None:
    intake = make_intake(
        SCREENING,
        ClientRef(ClientKind.MANAGED, "c"),
        answers(),
        "Clean",
        NOW,
        consent=True,
    )
    assert screen(intake, SCREENING, SessionKind.DEEP_TISSUE) == []
