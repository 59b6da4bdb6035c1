"""The accounts in the database, on SQLite and PostgreSQL: users with their runner rows,
sessions by token digest, single-use invitations, login attempts, and Argon2id hashes."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from rubdown.bootstrap import accounts_for
from rubdown.domain.accounts import Role
from rubdown.errors import Conflict, NotFound
from rubdown.store import Store
from tests.support.accounts import PASSWORD, make_user


def test_a_runner_user_gets_a_runner_row_under_the_same_id_and_others_none(
    store: Store, raw: Engine
) -> None:
    ana = make_user(store, "Ana@Example.org", Role.RUNNER)
    bo = make_user(store, "bo@example.org", Role.THERAPIST)

    with raw.connect() as connection:
        runners = set(connection.execute(sa.text("SELECT id FROM runners")).scalars())
        stored = connection.execute(
            sa.text("SELECT email, password_hash FROM users WHERE id = :id"), {"id": ana.id}
        ).one()
    assert ana.id in runners
    assert bo.id not in runners
    assert stored.email == "ana@example.org"
    assert stored.password_hash.startswith("$argon2id$")
    assert PASSWORD not in stored.password_hash
    assert store.for_owner(ana.id).get_profile() is None  # the runner's (empty) data opens


def test_an_address_has_one_account_whatever_its_case(store: Store) -> None:
    make_user(store, "ana@example.org")
    with pytest.raises(Conflict):
        make_user(store, "ANA@example.org", Role.ADMIN)


def test_a_session_is_stored_as_a_digest_and_ends_everywhere_on_logout(
    store: Store, raw: Engine
) -> None:
    accounts = accounts_for(store)
    ana = make_user(store, "ana@example.org")
    first = accounts.login("ana@example.org", PASSWORD, "192.0.2.1")
    second = accounts.login("ana@example.org", PASSWORD, "192.0.2.1")

    with raw.connect() as connection:
        hashes = set(connection.execute(sa.text("SELECT token_hash FROM user_sessions")).scalars())
    assert first.token not in hashes
    assert len(hashes) == 2

    # Another process's accounts over the same database sees the same sessions.
    other = accounts_for(store)
    assert other.session(first.token) is not None
    accounts.logout(first.token)
    assert other.session(first.token) is None
    assert other.logout_everywhere(ana.id) == 1
    assert accounts.session(second.token) is None


def test_an_idle_session_ends(store: Store, raw: Engine) -> None:
    accounts = accounts_for(store)
    make_user(store, "ana@example.org")
    session = accounts.login("ana@example.org", PASSWORD, None)
    with raw.begin() as connection:
        connection.execute(
            sa.text("UPDATE user_sessions SET last_seen_at = :at"),
            {"at": dt.datetime(2020, 1, 1)},
        )
    assert accounts.session(session.token) is None


def test_an_invitation_is_used_once(store: Store) -> None:
    accounts = accounts_for(store)
    invited = accounts.invite("bo@example.org", Role.THERAPIST)

    bo = accounts.accept_invitation(invited.token, PASSWORD)

    assert bo.role is Role.THERAPIST
    with pytest.raises(NotFound):
        accounts.accept_invitation(invited.token, PASSWORD)
    assert [user.email for user in accounts.list_users()] == ["bo@example.org"]


def test_an_invitation_for_an_address_taken_since_stays_unused(store: Store) -> None:
    accounts = accounts_for(store)
    invited = accounts.invite("bo@example.org", Role.RUNNER)
    make_user(store, "bo@example.org", Role.THERAPIST)

    with pytest.raises(Conflict):
        accounts.accept_invitation(invited.token, PASSWORD)
    assert len(accounts.list_users()) == 1


def test_failed_logins_are_counted_per_account_and_address(store: Store) -> None:
    accounts = accounts_for(store)
    storage = accounts.storage
    now = dt.datetime.now(dt.UTC)
    storage.record_login_attempt("ana@example.org", "192.0.2.1", now, ok=False)
    storage.record_login_attempt("bo@example.org", "192.0.2.1", now, ok=False)
    storage.record_login_attempt("ana@example.org", "192.0.2.9", now, ok=True)
    since = now - dt.timedelta(minutes=15)

    assert storage.login_failures_since("ana@example.org", "192.0.2.1", since) == (1, 2)
    assert storage.login_failures_since("ana@example.org", None, since) == (1, 0)
    assert storage.login_failures_since("ana@example.org", "192.0.2.1", now) == (0, 0)

    storage.record_login_attempt("ana@example.org", None, now + dt.timedelta(days=2), ok=True)
    long_ago = now - dt.timedelta(days=30)
    assert storage.login_failures_since("ana@example.org", "192.0.2.1", long_ago) == (0, 1)


def test_disabling_a_user_revokes_their_sessions(store: Store) -> None:
    accounts = accounts_for(store)
    make_user(store, "ana@example.org")
    session = accounts.login("ana@example.org", PASSWORD, None)

    accounts.disable_user("ana@example.org")

    assert accounts.session(session.token) is None
    assert accounts.list_users()[0].disabled_at is not None


def test_a_users_sessions_that_ended_over_a_day_ago_go_at_their_next_login(
    store: Store, raw: Engine
) -> None:
    accounts = accounts_for(store)
    make_user(store, "ana@example.org")
    ended = accounts.login("ana@example.org", PASSWORD, None)
    live = accounts.login("ana@example.org", PASSWORD, None)
    accounts.logout(ended.token)
    with raw.begin() as connection:
        connection.execute(
            sa.text("UPDATE user_sessions SET revoked_at = :at WHERE revoked_at IS NOT NULL"),
            {"at": dt.datetime(2020, 1, 1)},
        )

    accounts.login("ana@example.org", PASSWORD, None)

    with raw.connect() as connection:
        left = connection.execute(sa.text("SELECT count(*) FROM user_sessions")).scalar_one()
    assert left == 2
    assert accounts.session(live.token) is not None
