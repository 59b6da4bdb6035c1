"""The consent use cases on the in-memory port (``services.consent``): sharing, changing and
revoking grants, the access log, a therapist's clients and their granted reads."""

from __future__ import annotations

import datetime as dt
import inspect

import pytest
from tests.support.fake_consents import FakeConsents
from tests.support.fake_store import FakeStorage, fake_runner

from rubdown.domain.consent import Consents, Level
from rubdown.domain.model import PainQuality, Priority
from rubdown.domain.regions import parse_region
from rubdown.errors import InvalidValue, NotFound
from rubdown.knowledge import load_knowledge_base
from rubdown.services import consent, daily, season
from rubdown.services.runner import Runner
from rubdown.solver.cpsat import CpSatSolver
from rubdown.store.consent_rows import StoredConsents

KB = load_knowledge_base()
MON = dt.date(2027, 3, 1)
NOON = dt.datetime.combine(MON, dt.time(12), tzinfo=dt.UTC)
CALENDAR, WELLNESS, TRAINING = Level.CALENDAR, Level.WELLNESS, Level.TRAINING
WHAT = "GET /api/clients/{runner_id}/calendar"


@pytest.fixture
def storage() -> FakeStorage:
    return FakeStorage()


@pytest.fixture
def consents() -> FakeConsents:
    made = FakeConsents(lambda: NOON)
    made.add_account("ana@example.org", "runner", "ana")
    made.add_account("bo@example.org", "runner", "bo")
    made.add_account("theo@example.org", "therapist", "theo")
    made.add_account("tess@example.org", "therapist", "tess")
    made.add_account("old@example.org", "therapist", "old", enabled=False)
    made.add_account("admin@example.org", "admin", "root")
    return made


def _runner(storage: FakeStorage, owner: str) -> Runner:
    return fake_runner(KB, CpSatSolver(), lambda: NOON, owner, storage)


def _client(consents: FakeConsents, storage: FakeStorage, runner_id: str) -> Runner:
    """What Theo, a therapist, reads of ``runner_id``'s data."""
    return consent.client_runner(
        consents, "theo", runner_id, WHAT, lambda owner: _runner(storage, owner)
    )


def test_a_runner_shares_chosen_levels_with_a_therapist_by_email(consents: FakeConsents) -> None:
    grant = consent.share(consents, "ana", "  Theo@Example.org ", frozenset({CALENDAR}))

    assert (grant.runner_id, grant.therapist_id, grant.levels) == (
        "ana",
        "theo",
        frozenset({CALENDAR}),
    )
    assert len(grant.id) == 32
    assert consent.grants_of(consents, "ana") == [grant]
    assert consent.grants_of(consents, "bo") == []
    assert consent.clients(consents, "theo") == [grant]


@pytest.mark.parametrize(
    "email",
    [
        "bo@example.org",
        "root@example.org",
        "admin@example.org",
        "nobody@example.org",
        "old@example.org",
        "ana@example.org",
    ],
)
def test_an_address_that_is_no_enabled_therapists_reads_the_same_whoever_has_it(
    consents: FakeConsents, email: str
) -> None:
    with pytest.raises(InvalidValue) as refused:
        consent.share(consents, "ana", email, frozenset({CALENDAR}))
    assert str(refused.value) == "no therapist with that e-mail address"
    assert consents.grants == []


def test_sharing_nothing_or_with_no_address_is_refused(consents: FakeConsents) -> None:
    with pytest.raises(InvalidValue, match="at least one level"):
        consent.share(consents, "ana", "theo@example.org", frozenset())
    with pytest.raises(InvalidValue, match="e-mail address"):
        consent.share(consents, "ana", " ", frozenset({CALENDAR}))


def test_a_second_grant_to_the_same_therapist_is_refused(consents: FakeConsents) -> None:
    consent.share(consents, "ana", "theo@example.org", frozenset({CALENDAR}))
    with pytest.raises(InvalidValue, match="already share"):
        consent.share(consents, "ana", "theo@example.org", frozenset({WELLNESS}))


def test_levels_change_and_a_revoke_ends_the_grant(consents: FakeConsents) -> None:
    grant = consent.share(consents, "ana", "theo@example.org", frozenset({CALENDAR}))

    changed = consent.change_levels(consents, "ana", grant.id, frozenset({WELLNESS, TRAINING}))
    assert changed.levels == {WELLNESS, TRAINING}
    with pytest.raises(InvalidValue, match="revoke"):
        consent.change_levels(consents, "ana", grant.id, frozenset())

    revoked = consent.revoke(consents, "ana", grant.id)
    assert revoked.revoked_at == NOON
    assert consent.grants_of(consents, "ana") == []
    assert consent.clients(consents, "theo") == []
    with pytest.raises(NotFound):
        consent.revoke(consents, "ana", grant.id)
    with pytest.raises(NotFound):
        consent.change_levels(consents, "ana", grant.id, frozenset({CALENDAR}))


def test_a_change_turns_the_levels_named_on_or_off_and_leaves_the_others(
    consents: FakeConsents,
) -> None:
    grant = consent.share(consents, "ana", "theo@example.org", frozenset({CALENDAR, WELLNESS}))

    changed = consent.change(consents, "ana", grant.id, {WELLNESS: False, TRAINING: True})

    assert changed.levels == {CALENDAR, TRAINING}
    with pytest.raises(InvalidValue, match="revoke"):
        consent.change(consents, "ana", grant.id, {CALENDAR: False, TRAINING: False})
    with pytest.raises(NotFound):
        consent.change(consents, "bo", grant.id, {WELLNESS: True})


def test_another_runners_grant_is_not_there(consents: FakeConsents) -> None:
    grant = consent.share(consents, "ana", "theo@example.org", frozenset({CALENDAR}))

    with pytest.raises(NotFound):
        consent.revoke(consents, "bo", grant.id)
    with pytest.raises(NotFound):
        consent.change_levels(consents, "bo", grant.id, frozenset({WELLNESS}))
    assert consent.grants_of(consents, "ana") == [grant]


def test_a_therapist_reads_a_clients_granted_level_and_the_client_sees_it_logged(
    consents: FakeConsents, storage: FakeStorage
) -> None:
    ana = _runner(storage, "ana")
    season.add_race(ana, "Spring Marathon", MON + dt.timedelta(days=55), Priority.A)
    consent.share(consents, "ana", "theo@example.org", frozenset({CALENDAR}))

    client = _client(consents, storage, "ana")
    calendar = consent.client_calendar(client)

    assert [race["name"] for race in calendar["races"]] == ["Spring Marathon"]
    (entry,) = consent.access_log(consents, "ana")
    assert (entry.viewer_id, entry.level, entry.what) == ("theo", CALENDAR, WHAT)
    assert entry.viewer_email == "theo@example.org"
    assert consent.access_log(consents, "theo") == []


def test_a_level_not_granted_answers_not_found_and_logs_nothing(
    consents: FakeConsents, storage: FakeStorage
) -> None:
    ana = _runner(storage, "ana")
    daily.check_in(ana, MON, {}, {parse_region("left-heel"): PainQuality.SHARP})
    consent.share(consents, "ana", "theo@example.org", frozenset({CALENDAR}))
    client = _client(consents, storage, "ana")

    with pytest.raises(NotFound):
        consent.client_wellness(client)
    with pytest.raises(NotFound):
        consent.client_training(client)
    assert consent.access_log(consents, "ana") == []


def test_the_granted_wellness_carries_the_red_flags(
    consents: FakeConsents, storage: FakeStorage
) -> None:
    ana = _runner(storage, "ana")
    daily.check_in(ana, MON, {}, {parse_region("left-heel"): PainQuality.SHARP})
    consent.share(consents, "ana", "theo@example.org", frozenset({WELLNESS}))
    client = _client(consents, storage, "ana")

    (checkin,) = consent.client_wellness(client)["checkins"]

    assert checkin["red_flags"]


def test_the_granted_training_gives_the_load_of_the_usual_window(
    consents: FakeConsents, storage: FakeStorage
) -> None:
    consent.share(consents, "ana", "theo@example.org", frozenset({TRAINING}))
    client = _client(consents, storage, "ana")

    training = consent.client_training(client)

    assert training["load"]["to"] == MON.isoformat()
    assert training["activities"] == []


@pytest.mark.parametrize("runner_id", ["bo", "nobody", "theo"])
def test_a_runner_who_has_not_shared_with_the_therapist_is_not_there(
    consents: FakeConsents, storage: FakeStorage, runner_id: str
) -> None:
    _runner(storage, "bo")
    consent.share(consents, "bo", "tess@example.org", frozenset(Level))
    before = set(storage.runners)

    with pytest.raises(NotFound) as missing:
        _client(consents, storage, runner_id)

    assert str(missing.value) == consent.NO_CLIENT
    assert set(storage.runners) == before
    assert consents.log == []


def test_a_revoke_holds_for_the_next_read(consents: FakeConsents, storage: FakeStorage) -> None:
    grant = consent.share(consents, "ana", "theo@example.org", frozenset({CALENDAR}))
    consent.client_calendar(_client(consents, storage, "ana"))

    consent.revoke(consents, "ana", grant.id)

    with pytest.raises(NotFound):
        _client(consents, storage, "ana")


def test_the_access_log_is_newest_first_and_bounded(consents: FakeConsents) -> None:
    grant = consent.share(consents, "ana", "theo@example.org", frozenset(Level))
    for level in (CALENDAR, WELLNESS, TRAINING):
        consents.log_access("ana", "theo", grant.id, level, WHAT)

    assert [e.level for e in consent.access_log(consents, "ana", 2)] == [TRAINING, WELLNESS]
    with pytest.raises(InvalidValue, match="limit"):
        consent.access_log(consents, "ana", 0)
    with pytest.raises(InvalidValue, match="limit"):
        consent.access_log(consents, "ana", consent.MAX_LOG_ENTRIES + 1)


@pytest.mark.parametrize("implementation", [FakeConsents, StoredConsents])
def test_the_fake_and_the_store_offer_every_method_of_the_port_with_its_parameters(
    implementation: type,
) -> None:
    for name, member in vars(Consents).items():
        if name.startswith("_") or not callable(member):
            continue
        wanted = [p.name for p in inspect.signature(member).parameters.values()]
        given = [
            p.name for p in inspect.signature(getattr(implementation, name)).parameters.values()
        ]
        assert given == wanted, name
