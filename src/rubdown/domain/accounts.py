"""Accounts for server mode: who may log in, as what, and for how long.

A ``User`` is a person with an e-mail address (stored lower-cased, unique), a role and a
password (only its Argon2id hash is stored, by the ``PasswordHashing`` adapter). A runner
user's id is also the owner id of their runner data: logging in as a runner opens exactly
that runner's season. A therapist or an admin owns no runner data of their own.

Sessions are records in the database, found by the SHA-256 of the cookie's random token, with
the CSRF token the pages send back: any server process can check any request, and a logout
through one process holds in every other. A session ends ``SessionPolicy.idle`` after its
last use or ``SessionPolicy.absolute`` after the login, whichever comes first, or when it is
revoked (log out, log out everywhere, the user disabled).

``LoginLimits`` slows password guessing: too many failures for one account, or from one
address, within the window refuse further attempts until older failures leave the window.

Pure: no clock, no randomness, no I/O; moments and new tokens come in as arguments.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from rubdown.errors import InvalidValue

MIN_PASSWORD_CHARACTERS = 10
# Argon2 takes any length, but a megabyte "password" is a denial of service, not a secret.
MAX_PASSWORD_CHARACTERS = 1024
MAX_EMAIL_CHARACTERS = 254  # RFC 5321's limit on a forward path
INVITATION_DAYS = 7


class Role(StrEnum):
    RUNNER = "runner"
    THERAPIST = "therapist"
    ADMIN = "admin"


def parse_role(text: str) -> Role:
    try:
        return Role(text.strip().lower())
    except ValueError:
        known = ", ".join(role.value for role in Role)
        raise InvalidValue(f"unknown role {text!r}: expected one of {known}") from None


@dataclass(frozen=True)
class User:
    id: str
    email: str
    role: Role
    created_at: dt.datetime
    disabled_at: dt.datetime | None = None

    @property
    def active(self) -> bool:
        return self.disabled_at is None

    @property
    def runner_id(self) -> str | None:
        """The owner id of the user's runner data: their own id for a runner, else none."""
        return self.id if self.role is Role.RUNNER else None


@dataclass(frozen=True)
class SessionRecord:
    """One login, as stored: ``token_hash`` is the SHA-256 (hex) of the cookie's token."""

    token_hash: str
    user_id: str
    csrf_token: str
    created_at: dt.datetime
    expires_at: dt.datetime
    last_seen_at: dt.datetime
    revoked_at: dt.datetime | None = None
    address: str | None = None


@dataclass(frozen=True)
class Invitation:
    token_hash: str
    email: str
    role: Role
    created_by: str | None
    created_at: dt.datetime
    expires_at: dt.datetime
    used_at: dt.datetime | None = None


@dataclass(frozen=True)
class SessionPolicy:
    idle: dt.timedelta = dt.timedelta(days=14)
    absolute: dt.timedelta = dt.timedelta(days=30)
    # A session's last use is written at most this often: every request reads the session,
    # and a write per request would put every page view in the database's write queue.
    touch_every: dt.timedelta = dt.timedelta(minutes=5)

    def new_session(
        self,
        token_hash: str,
        csrf_token: str,
        user_id: str,
        now: dt.datetime,
        address: str | None,
    ) -> SessionRecord:
        return SessionRecord(
            token_hash=token_hash,
            user_id=user_id,
            csrf_token=csrf_token,
            created_at=now,
            expires_at=now + self.absolute,
            last_seen_at=now,
            address=address,
        )

    def is_live(self, session: SessionRecord, now: dt.datetime) -> bool:
        return (
            session.revoked_at is None
            and now < session.expires_at
            and now < session.last_seen_at + self.idle
        )

    def needs_touch(self, session: SessionRecord, now: dt.datetime) -> bool:
        return now - session.last_seen_at >= self.touch_every


@dataclass(frozen=True)
class LoginLimits:
    per_account: int = 5
    per_address: int = 20
    window: dt.timedelta = dt.timedelta(minutes=15)

    def refusal(self, account_failures: int, address_failures: int) -> str | None:
        """Why a login attempt is refused before its password is even looked at; None when
        it may go ahead."""
        minutes = int(self.window.total_seconds() // 60)
        if account_failures >= self.per_account:
            return (
                f"too many failed logins for this account: wait {minutes} minutes and try"
                " again, or ask an admin to set a new password"
            )
        if address_failures >= self.per_address:
            return f"too many failed logins from this address: wait {minutes} minutes"
        return None


@dataclass(frozen=True)
class LoggedIn:
    """What a request with a live session knows: who, and the CSRF token its session holds."""

    user: User
    csrf_token: str
    token_hash: str = field(repr=False)


def normalise_email(text: str) -> str:
    """``" Ana@Example.ORG "`` -> ``"ana@example.org"``; refused unless it looks like one
    address (the server sends no mail, so nothing stricter is needed to tell people apart)."""
    email = text.strip().lower()
    local, at, domain = email.partition("@")
    if (
        not at
        or not local
        or "." not in domain.strip(".")
        or "@" in domain
        or len(email) > MAX_EMAIL_CHARACTERS
        or any(character.isspace() or not character.isprintable() for character in email)
    ):
        raise InvalidValue(f"{text.strip()!r} is not an e-mail address")
    return email


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_CHARACTERS:
        raise InvalidValue(f"a password needs at least {MIN_PASSWORD_CHARACTERS} characters")
    if len(password) > MAX_PASSWORD_CHARACTERS:
        raise InvalidValue(f"a password may have at most {MAX_PASSWORD_CHARACTERS} characters")


def token_hash(token: str) -> str:
    """What is stored of a bearer secret: its SHA-256 in hex. A 256-bit random token needs
    no salt nor slow hash, and the digest opens nothing by itself."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


class PasswordHashing(Protocol):
    """Argon2id in production (``rubdown.auth``): slow on purpose, salted, self-describing."""

    def hash(self, password: str) -> str: ...

    def verify(self, password_hash: str, password: str) -> bool: ...

    def needs_rehash(self, password_hash: str) -> bool: ...

    def waste_time(self, password: str) -> None:
        """Verify against a dummy hash: a missing user costs what a wrong password does."""
        ...


class AccountStorage(Protocol):
    """The accounts in the database. Not scoped to a runner: accounts are the server's."""

    def add_user(self, user: User, password_hash: str) -> None:
        """Store a new user; a runner user's runner row is created in the same transaction.
        Raises ``Conflict`` when the e-mail address is taken."""
        ...

    def user_by_email(self, email: str) -> tuple[User, str] | None:
        """The user and their password hash."""
        ...

    def user_by_id(self, user_id: str) -> User | None: ...

    def list_users(self) -> Sequence[User]: ...

    def disable_user(self, user_id: str, at: dt.datetime) -> bool:
        """Disable the user and revoke every session of theirs, in one transaction; returns
        whether the user was active."""
        ...

    def set_password_hash(self, user_id: str, password_hash: str) -> None: ...

    def add_session(self, session: SessionRecord) -> None: ...

    def session_with_user(self, token_hash: str) -> tuple[SessionRecord, User] | None: ...

    def touch_session(self, token_hash: str, at: dt.datetime) -> None: ...

    def revoke_session(self, token_hash: str, at: dt.datetime) -> None: ...

    def revoke_user_sessions(self, user_id: str, at: dt.datetime) -> int: ...

    def add_invitation(self, invitation: Invitation) -> None: ...

    def accept_invitation(
        self, token_hash: str, user_id: str, password_hash: str, at: dt.datetime
    ) -> User | None:
        """Use the invitation (unused and unexpired at ``at``) and create its user, in one
        transaction; None when there is no such usable invitation. Raises ``Conflict``
        when its e-mail address became a user meanwhile (the invitation stays unused)."""
        ...

    def record_login_attempt(
        self, email: str, address: str | None, at: dt.datetime, ok: bool
    ) -> None: ...

    def login_failures_since(
        self, email: str, address: str | None, since: dt.datetime
    ) -> tuple[int, int]:
        """Failed attempts after ``since``: for the account, and from the address."""
        ...
