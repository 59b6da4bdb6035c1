"""Grants and the access log in the store (``store.consent_rows``), on SQLite and PostgreSQL:
scoped by runner or therapist, one active grant per pair, nothing of the runner's data
version moved, and both sides' rows gone with either account."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from rubdown.domain.consent import Level
from rubdown.errors import InvalidValue, NotFound
from rubdown.store import Store
from rubdown.store import schema as tables
from rubdown.store.consent_rows import StoredConsents, consents_for

CALENDAR, WELLNESS, TRAINING = Level.CALENDAR, Level.WELLNESS, Level.TRAINING
CREATED = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)


def _user(raw: Engine, user_id: str, role: str, *, disabled: bool = False) -> None:
    row = {
        "id": user_id,
        "email": f"{user_id}@example.org",
        "role": role,
        "password_hash": "not a hash: these users never log in",
        "created_at": CREATED,
        "disabled_at": CREATED if disabled else None,
    }
    with raw.begin() as connection:
        connection.execute(tables.users.insert(), row)


@pytest.fixture
def consents(store: Store, raw: Engine) -> StoredConsents:
    for runner in ("ana", "bo"):
        _user(raw, runner, "runner")
        store.ensure_runner(runner)
    _user(raw, "theo", "therapist")
    _user(raw, "tess", "therapist")
    _user(raw, "gone", "therapist", disabled=True)
    return consents_for(store)


def test_only_an_enabled_therapists_address_names_a_therapist(consents: StoredConsents) -> None:
    assert consents.therapist_for_email(" THEO@example.org") == "theo"
    assert consents.therapist_for_email("ana@example.org") is None
    assert consents.therapist_for_email("gone@example.org") is None
    assert consents.therapist_for_email("nobody@example.org") is None


def test_a_grant_is_stored_with_its_levels_and_both_addresses(consents: StoredConsents) -> None:
    grant = consents.add_grant("ana", "theo", frozenset({CALENDAR, TRAINING}))

    assert len(grant.id) == 32
    assert grant.levels == frozenset({CALENDAR, TRAINING})
    assert (grant.runner_email, grant.therapist_email) == ("ana@example.org", "theo@example.org")
    assert grant.created_at.tzinfo is not None
    assert consents.active_grants_of("ana") == [grant]
    assert consents.active_grants_of("bo") == []
    assert consents.active_grants_to("theo") == [grant]
    assert consents.active_grants_to("tess") == []
    assert consents.active_grant("ana", "theo") == grant
    assert consents.active_grant("bo", "theo") is None


def test_one_active_grant_per_runner_and_therapist_and_a_new_one_after_a_revoke(
    consents: StoredConsents,
) -> None:
    first = consents.add_grant("ana", "theo", frozenset({CALENDAR}))
    with pytest.raises(InvalidValue, match="already share"):
        consents.add_grant("ana", "theo", frozenset({WELLNESS}))

    consents.revoke("ana", first.id)
    second = consents.add_grant("ana", "theo", frozenset({WELLNESS}))

    assert second.id != first.id
    assert consents.active_grants_of("ana") == [second]


def test_levels_change_and_a_revoked_grant_is_kept_but_opens_nothing(
    consents: StoredConsents, raw: Engine
) -> None:
    grant = consents.add_grant("ana", "theo", frozenset({CALENDAR}))

    changed = consents.change_levels("ana", grant.id, frozenset({WELLNESS}))
    revoked = consents.revoke("ana", grant.id)

    assert changed.levels == frozenset({WELLNESS})
    assert revoked.revoked_at is not None
    assert not revoked.active
    assert consents.active_grant("ana", "theo") is None
    assert consents.active_grants_to("theo") == []
    with raw.connect() as connection:
        assert (
            connection.execute(sa.select(sa.func.count()).select_from(tables.grants)).scalar() == 1
        )
    with pytest.raises(NotFound):
        consents.revoke("ana", grant.id)
    with pytest.raises(NotFound):
        consents.change_levels("ana", grant.id, frozenset({CALENDAR}))


def test_another_runners_grant_cannot_be_changed_or_revoked(consents: StoredConsents) -> None:
    grant = consents.add_grant("ana", "theo", frozenset({CALENDAR}))

    with pytest.raises(NotFound):
        consents.revoke("bo", grant.id)
    with pytest.raises(NotFound):
        consents.change_levels("bo", grant.id, frozenset(Level))
    assert consents.active_grant("ana", "theo") == grant


def test_the_access_log_is_the_runners_own_newest_first(
    consents: StoredConsents, store: Store
) -> None:
    ana = consents.add_grant("ana", "theo", frozenset(Level))
    bo = consents.add_grant("bo", "theo", frozenset(Level))
    moments = iter(CREATED + dt.timedelta(minutes=n) for n in range(10))
    store._clock = lambda: next(moments)
    consents.log_access("ana", "theo", ana.id, CALENDAR, "GET /api/clients/{runner_id}/calendar")
    consents.log_access("bo", "theo", bo.id, WELLNESS, "GET /api/clients/{runner_id}/wellness")
    consents.log_access("ana", "theo", ana.id, TRAINING, "GET /api/clients/{runner_id}/training")

    log = consents.access_log("ana", limit=10)

    assert [(e.level, e.viewer_email) for e in log] == [
        (TRAINING, "theo@example.org"),
        (CALENDAR, "theo@example.org"),
    ]
    assert [e.level for e in consents.access_log("ana", limit=1)] == [TRAINING]
    assert consents.access_log("theo", limit=10) == []


def test_grants_and_reads_leave_the_runners_data_version_alone(
    consents: StoredConsents, store: Store
) -> None:
    before = store.version_stamp("ana")

    grant = consents.add_grant("ana", "theo", frozenset({CALENDAR}))
    consents.log_access("ana", "theo", grant.id, CALENDAR, "GET")
    consents.change_levels("ana", grant.id, frozenset({TRAINING}))
    consents.revoke("ana", grant.id)

    assert store.version_stamp("ana") == before


def _delete(store: Store, table: sa.Table, row_id: str) -> None:
    # Through the store's engine: SQLite enforces foreign keys (and so cascades) on its
    # connections only.
    with store._engine.begin() as connection:
        connection.execute(table.delete().where(table.c.id == row_id))


def test_a_therapists_account_going_takes_their_grants_and_log_entries(
    consents: StoredConsents, store: Store
) -> None:
    grant = consents.add_grant("ana", "theo", frozenset({CALENDAR}))
    consents.add_grant("ana", "tess", frozenset({CALENDAR}))
    consents.log_access("ana", "theo", grant.id, CALENDAR, "GET")

    _delete(store, tables.users, "theo")

    assert [g.therapist_id for g in consents.active_grants_of("ana")] == ["tess"]
    assert consents.access_log("ana", limit=10) == []


def test_a_runner_going_takes_their_grants_and_log(
    consents: StoredConsents, store: Store, raw: Engine
) -> None:
    grant = consents.add_grant("ana", "theo", frozenset({CALENDAR}))
    consents.add_grant("bo", "theo", frozenset({CALENDAR}))
    consents.log_access("ana", "theo", grant.id, CALENDAR, "GET")

    _delete(store, tables.runners, "ana")

    assert [g.runner_id for g in consents.active_grants_to("theo")] == ["bo"]
    with raw.connect() as connection:
        left = connection.execute(sa.select(sa.func.count()).select_from(tables.access_log))
        assert left.scalar() == 0


def test_a_read_logged_against_a_grant_that_is_gone_is_refused(consents: StoredConsents) -> None:
    with pytest.raises(NotFound):
        consents.log_access("ana", "theo", "no-such-grant", CALENDAR, "GET")


def test_two_grants_to_one_therapist_at_once_store_one(consents: StoredConsents) -> None:
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def share() -> None:
        start.wait()
        try:
            consents.add_grant("ana", "theo", frozenset({CALENDAR}))
            outcomes.append("stored")
        except InvalidValue:
            outcomes.append("refused")

    threads = [threading.Thread(target=share) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["refused", "stored"]
    assert len(consents.active_grants_of("ana")) == 1
