"""The accounts use cases on in-memory fakes: users, invitations, logins, sessions, limits."""

from __future__ import annotations

import datetime as dt

import pytest
from tests.support.accounts import PASSWORD, Clock, FakeAccountStorage, FakeHashing

from rubdown.domain.accounts import (
    LoginLimits,
    Role,
    SessionPolicy,
    normalise_email,
    parse_role,
    token_hash,
)
from rubdown.errors import (
    Conflict,
    InvalidValue,
    LoginRefused,
    NotFound,
    TooManyAttempts,
)
from rubdown.services.accounts import Accounts

START = dt.datetime(2027, 1, 4, 9, 0, tzinfo=dt.UTC)
ADDRESS = "192.0.2.10"


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


@pytest.fixture
def storage() -> FakeAccountStorage:
    return FakeAccountStorage()


@pytest.fixture
def hashing() -> FakeHashing:
    return FakeHashing()


@pytest.fixture
def accounts(storage: FakeAccountStorage, hashing: FakeHashing, clock: Clock) -> Accounts:
    return Accounts(storage, hashing, clock)


def test_an_email_address_is_stored_lower_cased_and_a_malformed_one_refused() -> None:
    assert normalise_email("  Ana@Example.ORG ") == "ana@example.org"
    for bad in ("ana", "ana@", "@example.org", "ana@example", "a b@example.org", "a@b@c.org"):
        with pytest.raises(InvalidValue):
            normalise_email(bad)


def test_a_role_is_one_of_three() -> None:
    assert parse_role("Therapist") is Role.THERAPIST
    with pytest.raises(InvalidValue, match="runner, therapist, admin"):
        parse_role("coach")


def test_a_runner_user_owns_runner_data_under_their_own_unguessable_id(
    accounts: Accounts, storage: FakeAccountStorage
) -> None:
    ana = accounts.add_user("Ana@example.org", Role.RUNNER, PASSWORD)
    bo = accounts.add_user("bo@example.org", Role.THERAPIST, PASSWORD)

    assert ana.email == "ana@example.org"
    assert len(ana.id) >= 22
    assert ana.id != bo.id
    assert ana.runner_id == ana.id
    assert bo.runner_id is None
    assert storage.runners == {ana.id}
    assert storage.users[ana.id][1] == f"hash:1:{PASSWORD}"  # never the password itself


def test_a_second_account_for_an_address_and_a_short_password_are_refused(
    accounts: Accounts,
) -> None:
    accounts.add_user("ana@example.org", Role.RUNNER, PASSWORD)
    with pytest.raises(Conflict):
        accounts.add_user("ANA@example.org", Role.ADMIN, PASSWORD)
    with pytest.raises(InvalidValue, match="at least 10"):
        accounts.add_user("bo@example.org", Role.RUNNER, "short")


def test_a_login_gives_a_session_found_by_its_token_with_its_own_csrf_token(
    accounts: Accounts, storage: FakeAccountStorage
) -> None:
    ana = accounts.add_user("ana@example.org", Role.RUNNER, PASSWORD)

    new = accounts.login(" ANA@example.org", PASSWORD, ADDRESS)

    found = accounts.session(new.token)
    assert found is not None
    assert found.user.id == ana.id
    assert found.csrf_token == new.logged_in.csrf_token != new.token
    assert list(storage.sessions) == [token_hash(new.token)]  # only the digest is stored
    assert accounts.session("not-a-token") is None
    assert accounts.session(None) is None


def test_a_wrong_password_and_a_missing_account_are_refused_alike(
    accounts: Accounts, hashing: FakeHashing
) -> None:
    accounts.add_user("ana@example.org", Role.RUNNER, PASSWORD)

    with pytest.raises(LoginRefused) as wrong:
        accounts.login("ana@example.org", "not the password", ADDRESS)
    with pytest.raises(LoginRefused) as missing:
        accounts.login("nobody@example.org", PASSWORD, ADDRESS)

    assert str(wrong.value) == str(missing.value)
    assert hashing.wasted == 1  # the missing account paid for a verification too


def test_five_failures_lock_the_account_and_twenty_the_address_for_the_window(
    accounts: Accounts, clock: Clock
) -> None:
    accounts.add_user("ana@example.org", Role.RUNNER, PASSWORD)
    for _ in range(5):
        with pytest.raises(LoginRefused):
            accounts.login("ana@example.org", "wrong password!", ADDRESS)

    with pytest.raises(TooManyAttempts, match="this account"):
        accounts.login("ana@example.org", PASSWORD, "198.51.100.7")  # even the right one

    clock.now += LoginLimits().window + dt.timedelta(seconds=1)
    assert accounts.login("ana@example.org", PASSWORD, ADDRESS).token

    for number in range(20):
        with pytest.raises(LoginRefused):
            accounts.login(f"guess{number}@example.org", "wrong password!", "203.0.113.5")
    with pytest.raises(TooManyAttempts, match="this address"):
        accounts.login("ana@example.org", PASSWORD, "203.0.113.5")


def test_a_session_ends_when_idle_too_long_or_too_old_whatever_its_use(
    accounts: Accounts, clock: Clock
) -> None:
    accounts.add_user("ana@example.org", Role.RUNNER, PASSWORD)
    policy = SessionPolicy()

    idle = accounts.login("ana@example.org", PASSWORD, ADDRESS).token
    clock.now += policy.idle + dt.timedelta(seconds=1)
    assert accounts.session(idle) is None

    used = accounts.login("ana@example.org", PASSWORD, ADDRESS).token
    for _ in range(4):  # used every week: never idle, yet it ends 30 days after the login
        clock.now += dt.timedelta(days=7)
        assert accounts.session(used) is not None
    clock.now += policy.absolute - dt.timedelta(days=28)
    assert accounts.session(used) is None


def test_logout_ends_one_session_and_logout_everywhere_all_of_them(accounts: Accounts) -> None:
    ana = accounts.add_user("ana@example.org", Role.RUNNER, PASSWORD)
    first, second, third = (accounts.login("ana@example.org", PASSWORD, ADDRESS) for _ in range(3))

    accounts.logout(first.token)
    assert accounts.session(first.token) is None
    assert accounts.session(second.token) is not None

    assert accounts.logout_everywhere(ana.id) == 2
    assert accounts.session(second.token) is None
    assert accounts.session(third.token) is None


def test_a_disabled_user_cannot_log_in_and_their_sessions_end(accounts: Accounts) -> None:
    accounts.add_user("ana@example.org", Role.RUNNER, PASSWORD)
    session = accounts.login("ana@example.org", PASSWORD, ADDRESS)

    disabled = accounts.disable_user("ANA@example.org")

    assert disabled.disabled_at is not None
    assert accounts.session(session.token) is None
    with pytest.raises(LoginRefused, match="disabled"):
        accounts.login("ana@example.org", PASSWORD, ADDRESS)
    with pytest.raises(NotFound):
        accounts.disable_user("nobody@example.org")


def test_a_hash_made_with_older_parameters_is_replaced_at_the_next_login(
    storage: FakeAccountStorage, clock: Clock
) -> None:
    old = Accounts(storage, FakeHashing(version=1), clock)
    ana = old.add_user("ana@example.org", Role.RUNNER, PASSWORD)

    Accounts(storage, FakeHashing(version=2), clock).login("ana@example.org", PASSWORD, ADDRESS)

    assert storage.users[ana.id][1] == f"hash:2:{PASSWORD}"


def test_an_invitation_makes_one_account_once_and_expires_after_seven_days(
    accounts: Accounts, clock: Clock, storage: FakeAccountStorage
) -> None:
    invited = accounts.invite("Bo@example.org", Role.THERAPIST)
    assert storage.invitations[token_hash(invited.token)].email == "bo@example.org"

    bo = accounts.accept_invitation(invited.token, PASSWORD)
    assert (bo.email, bo.role) == ("bo@example.org", Role.THERAPIST)
    assert accounts.login("bo@example.org", PASSWORD, ADDRESS).token
    with pytest.raises(NotFound, match="not valid"):
        accounts.accept_invitation(invited.token, "another password")

    late = accounts.invite("cy@example.org", Role.RUNNER)
    clock.now += dt.timedelta(days=7)
    with pytest.raises(NotFound):
        accounts.accept_invitation(late.token, PASSWORD)
    with pytest.raises(Conflict):
        accounts.invite("bo@example.org", Role.RUNNER)
