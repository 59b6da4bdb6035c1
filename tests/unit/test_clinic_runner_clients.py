"""Booking a runner who uses rubdown: their own races, policy and check-ins decide, read
through their grant; what they do not share is not read, and without a grant there is no
client to book."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from tests.support.fake_clinic import FakeClinicWorld, fake_clinic
from tests.support.fake_consents import FakeConsents
from tests.support.fake_store import FakeStorage, fake_runner

from rubdown.domain.clinic.booking_rules import ClientKind, ClientRef, TherapistRules
from rubdown.domain.clinic.intake import Answer
from rubdown.domain.clinic.services_menu import Service
from rubdown.domain.consent import Level
from rubdown.domain.model import (
    CheckIn,
    PainQuality,
    PolicyName,
    Priority,
    Profile,
    Race,
    SessionKind,
)
from rubdown.domain.regions import Region, parse_region
from rubdown.domain.rules import Verdict
from rubdown.errors import BookingRefused, NotFound
from rubdown.knowledge import load_knowledge_base
from rubdown.services import consent
from rubdown.services.clinic.booking import BookingRequest, book, check_booking, join_waitlist
from rubdown.services.clinic.context import Clinic, runner_client_rules
from rubdown.services.clinic.records import add_service, save_rules, share_notes, sign_intake
from rubdown.services.runner import Runner
from rubdown.solver.cpsat import CpSatSolver

KB = load_knowledge_base()
NOW = dt.datetime(2027, 4, 1, 9, 0, tzinfo=dt.UTC)
ANA = ClientRef(ClientKind.RUNNER, "ana")


def at(day: int, hour: int) -> dt.datetime:
    return dt.datetime(2027, 4, day, hour, tzinfo=dt.UTC)


@pytest.fixture
def storage() -> FakeStorage:
    storage = FakeStorage()
    ana = storage.for_owner("ana")
    ana.save_profile(Profile(name="Ana", policy=PolicyName.CAUTIOUS))
    ana.add_race(Race("Boston Marathon", dt.date(2027, 4, 18), Priority.A, 42.2))
    ana.add_checkin(
        CheckIn(dt.date(2027, 3, 31), pain={parse_region("left-calf"): PainQuality.SHARP})
    )
    return storage


@pytest.fixture
def consents() -> FakeConsents:
    made = FakeConsents(lambda: NOW)
    made.add_account("ana@example.org", "runner", "ana")
    made.add_account("theo@example.org", "therapist", "theo")
    return made


@pytest.fixture
def clinic(consents: FakeConsents) -> Clinic:
    made, _ = fake_clinic(lambda: NOW, therapist_id="theo", world=FakeClinicWorld())
    save_rules(made, TherapistRules())
    return replace(made, shares=lambda runner: consents.active_grant(runner, "theo") is not None)


def ana_as_theo_reads_her(storage: FakeStorage, consents: FakeConsents) -> Runner:
    return consent.client_runner(
        consents,
        "theo",
        "ana",
        "POST /api/clinic/bookings",
        lambda owner: fake_runner(KB, CpSatSolver(), lambda: NOW, owner, storage),
    )


def share(consents: FakeConsents, *levels: Level) -> None:
    consent.share(consents, "ana", "theo@example.org", frozenset(levels))


def test_the_runners_own_race_and_policy_refuse_naming_rule_and_race(
    storage: FakeStorage, consents: FakeConsents, clinic: Clinic
) -> None:
    share(consents, Level.CALENDAR, Level.WELLNESS)
    rules = runner_client_rules(ana_as_theo_reads_her(storage, consents))
    deep = add_service(clinic, Service(SessionKind.DEEP_TISSUE, 60, 90.0))
    with pytest.raises(BookingRefused) as refused:
        book(clinic, BookingRequest(ANA, deep.id, at(15, 10), (parse_region("low-back"),)), rules)
    assert (
        "deep tissue on Thu 15 Apr is 3 days before their A race, Boston Marathon, "
        "this client's cautious policy wants 7 (T3)"
    ) in str(refused.value)


def test_a_red_flag_from_the_runners_check_in_refuses_work_on_that_region(
    storage: FakeStorage, consents: FakeConsents, clinic: Clinic
) -> None:
    share(consents, Level.CALENDAR, Level.WELLNESS)
    rules = runner_client_rules(ana_as_theo_reads_her(storage, consents))
    flush = add_service(clinic, Service(SessionKind.FLUSH, 30, 45.0))
    check = check_booking(
        clinic, BookingRequest(ANA, flush.id, at(6, 10), (parse_region("left-calf"),)), rules
    )
    assert [r.rule for r in check.refusals] == ["X1"]
    assert "sharp pain in the left calf" in check.refusals[0].message
    elsewhere = check_booking(
        clinic, BookingRequest(ANA, flush.id, at(6, 10), (parse_region("low-back"),)), rules
    )
    assert elsewhere.allowed
    assert any("sharp pain" in w for w in elsewhere.warnings)


def test_without_wellness_shared_the_check_ins_are_not_read_and_the_therapist_is_warned(
    storage: FakeStorage, consents: FakeConsents, clinic: Clinic
) -> None:
    share(consents, Level.CALENDAR)
    rules = runner_client_rules(ana_as_theo_reads_her(storage, consents))
    flush = add_service(clinic, Service(SessionKind.FLUSH, 30, 45.0))
    check = check_booking(
        clinic, BookingRequest(ANA, flush.id, at(6, 10), (parse_region("left-calf"),)), rules
    )
    assert check.allowed
    assert any("does not share their check-ins" in w for w in check.warnings)
    logged = {entry.level for entry in consents.log}
    assert logged == {Level.CALENDAR}


def test_without_the_calendar_shared_there_is_nothing_to_book_against(
    storage: FakeStorage, consents: FakeConsents
) -> None:
    share(consents, Level.WELLNESS)
    with pytest.raises(NotFound, match="calendar"):
        runner_client_rules(ana_as_theo_reads_her(storage, consents))


def test_a_runner_who_shares_nothing_or_revoked_is_not_a_client(
    storage: FakeStorage, consents: FakeConsents
) -> None:
    with pytest.raises(NotFound):
        ana_as_theo_reads_her(storage, consents)
    share(consents, Level.CALENDAR)
    grant = consent.grants_of(consents, "ana")[0]
    consent.revoke(consents, "ana", grant.id)
    with pytest.raises(NotFound):
        ana_as_theo_reads_her(storage, consents)


def never_asked(day: dt.date, kind: SessionKind, regions: tuple[Region, ...]) -> Verdict:
    raise AssertionError("the rules of a runner who does not share are never read")


def test_nothing_is_written_about_a_runner_who_does_not_share(
    storage: FakeStorage, consents: FakeConsents, clinic: Clinic
) -> None:
    flush = add_service(clinic, Service(SessionKind.FLUSH, 30, 45.0))
    answers = [Answer(q.id, False) for q in clinic.screening.questions]
    for write in (
        lambda: sign_intake(clinic, ANA, answers, "Ana", consent=True),
        lambda: join_waitlist(clinic, ANA, dt.date(2027, 4, 6), flush.id),
        lambda: share_notes(clinic, ANA, True),
        lambda: book(clinic, BookingRequest(ANA, flush.id, at(6, 10)), never_asked),
    ):
        with pytest.raises(NotFound):
            write()
    assert clinic.data.latest_intake(ANA) is None
    assert clinic.data.waitlist_on(dt.date(2027, 4, 6)) == []
    assert not clinic.data.notes_shared(ANA)
    share(consents, Level.CALENDAR)
    assert sign_intake(clinic, ANA, answers, "Ana", consent=True).id
