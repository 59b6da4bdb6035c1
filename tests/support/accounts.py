"""Accounts for tests: make users in a store, log a test client in, and in-memory fakes of
the accounts ports for unit tests of ``services.accounts``.

``make_user(store, "ana@example.org", "runner")`` stores a user (a runner's runner row with
it) whose password is ``PASSWORD`` unless given; ``logged_in_client(app, email)`` is a
running ``TestClient`` of a server-mode app, logged in, carrying the session's CSRF token.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

from rubdown.domain.accounts import Invitation, Role, SessionRecord, User, parse_role
from rubdown.errors import Conflict

if TYPE_CHECKING:
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from rubdown.store import Store

PASSWORD = "correct horse battery"
SERVER_BASE = "http://127.0.0.1:8765"  # a Host the guard lets through


def make_user(
    store: Store, email: str, role: Role | str = Role.RUNNER, password: str = PASSWORD
) -> User:
    """A user stored through the accounts service, as ``rubdown admin user add`` makes one."""
    from rubdown.bootstrap import accounts_for

    chosen = role if isinstance(role, Role) else parse_role(role)
    return accounts_for(store).add_user(email, chosen, password)


def log_in(client: TestClient, email: str, password: str = PASSWORD) -> str:
    """Log ``client`` in through ``POST /api/login``; it then sends the session's CSRF token
    with every request. Returns that token."""
    from rubdown.web.guard import CSRF_HEADER

    answer = client.post("/api/login", json={"email": email, "password": password})
    assert answer.status_code == 200, answer.text
    token = str(answer.json()["csrf_token"])
    client.headers[CSRF_HEADER] = token
    return token


@contextmanager
def logged_in_client(
    app: FastAPI, email: str, password: str = PASSWORD, base_url: str = SERVER_BASE
) -> Iterator[TestClient]:
    """A running client of a server-mode ``app``, logged in as ``email``."""
    from fastapi.testclient import TestClient

    with TestClient(app, base_url=base_url) as client:
        log_in(client, email, password)
        yield client


class FakeHashing:
    """``PasswordHashing`` without Argon2's cost: ``hash:<version>:<password>``. Hashes of an
    older ``version`` need a rehash, as Argon2 hashes made with older parameters do."""

    def __init__(self, version: int = 1) -> None:
        self.version = version
        self.wasted = 0  # how many times a login paid for a dummy verification

    def hash(self, password: str) -> str:
        return f"hash:{self.version}:{password}"

    def verify(self, password_hash: str, password: str) -> bool:
        return password_hash.split(":", 2)[2:] == [password]

    def needs_rehash(self, password_hash: str) -> bool:
        return password_hash.split(":", 2)[1] != str(self.version)

    def waste_time(self, password: str) -> None:
        self.wasted += 1


class FakeAccountStorage:
    """``AccountStorage`` in memory, with the database's rules: unique e-mail addresses, a
    runner row made with each runner user, an invitation used once."""

    def __init__(self) -> None:
        self.users: dict[str, tuple[User, str]] = {}
        self.runners: set[str] = set()
        self.sessions: dict[str, SessionRecord] = {}
        self.invitations: dict[str, Invitation] = {}
        self.attempts: list[tuple[str, str | None, dt.datetime, bool]] = []

    def add_user(self, user: User, password_hash: str) -> None:
        if any(stored.email == user.email for stored, _ in self.users.values()):
            raise Conflict(f"{user.email} already has an account")
        self.users[user.id] = (user, password_hash)
        if user.role is Role.RUNNER:
            self.runners.add(user.id)

    def user_by_email(self, email: str) -> tuple[User, str] | None:
        return next((found for found in self.users.values() if found[0].email == email), None)

    def user_by_id(self, user_id: str) -> User | None:
        found = self.users.get(user_id)
        return found[0] if found else None

    def list_users(self) -> Sequence[User]:
        return sorted((user for user, _ in self.users.values()), key=lambda user: user.email)

    def disable_user(self, user_id: str, at: dt.datetime) -> bool:
        user, password_hash = self.users[user_id]
        self.revoke_user_sessions(user_id, at)
        if user.disabled_at is not None:
            return False
        self.users[user_id] = (dataclasses.replace(user, disabled_at=at), password_hash)
        return True

    def set_password_hash(self, user_id: str, password_hash: str) -> None:
        self.users[user_id] = (self.users[user_id][0], password_hash)

    def add_session(self, session: SessionRecord) -> None:
        self.sessions[session.token_hash] = session

    def session_with_user(self, token_hash: str) -> tuple[SessionRecord, User] | None:
        session = self.sessions.get(token_hash)
        if session is None:
            return None
        return session, self.users[session.user_id][0]

    def touch_session(self, token_hash: str, at: dt.datetime) -> None:
        session = self.sessions[token_hash]
        self.sessions[token_hash] = dataclasses.replace(session, last_seen_at=at)

    def revoke_session(self, token_hash: str, at: dt.datetime) -> None:
        session = self.sessions.get(token_hash)
        if session is not None and session.revoked_at is None:
            self.sessions[token_hash] = dataclasses.replace(session, revoked_at=at)

    def revoke_user_sessions(self, user_id: str, at: dt.datetime) -> int:
        live = [
            key
            for key, session in self.sessions.items()
            if session.user_id == user_id and session.revoked_at is None
        ]
        for key in live:
            self.revoke_session(key, at)
        return len(live)

    def add_invitation(self, invitation: Invitation) -> None:
        self.invitations[invitation.token_hash] = invitation

    def accept_invitation(
        self, token_hash: str, user_id: str, password_hash: str, at: dt.datetime
    ) -> User | None:
        invitation = self.invitations.get(token_hash)
        if invitation is None or invitation.used_at is not None or invitation.expires_at <= at:
            return None
        user = User(user_id, invitation.email, invitation.role, at)
        self.add_user(user, password_hash)
        self.invitations[token_hash] = dataclasses.replace(invitation, used_at=at)
        return user

    def record_login_attempt(
        self, email: str, address: str | None, at: dt.datetime, ok: bool
    ) -> None:
        self.attempts.append((email, address, at, ok))

    def login_failures_since(
        self, email: str, address: str | None, since: dt.datetime
    ) -> tuple[int, int]:
        failed = [a for a in self.attempts if not a[3] and a[2] > since]
        by_address = sum(1 for a in failed if address is not None and a[1] == address)
        return sum(1 for a in failed if a[0] == email), by_address


class Clock:
    """A clock the test moves: ``clock.now += dt.timedelta(days=15)``."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now
