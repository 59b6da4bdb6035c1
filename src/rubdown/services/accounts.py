"""Use cases of server mode's accounts: add, invite, list and disable users; log in and out.

Everything here is behind two ports (``domain.accounts``): ``AccountStorage`` (the database)
and ``PasswordHashing`` (Argon2id), plus the clock, so the tests run it on fakes.

Tokens are made here, from ``secrets``: a session's (the cookie), its CSRF token, an
invitation's (the link). The database keeps the session and invitation tokens only as
SHA-256 digests, so the token itself exists only in the cookie or link. A user's id is 128
random bits: a runner user's id is also their data's owner id.

Login refusals do not say whether the address has an account: the same message, and the same
Argon2 time (a dummy verification) for a missing user as for a wrong password.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from rubdown.domain.accounts import (
    INVITATION_DAYS,
    AccountStorage,
    Invitation,
    LoggedIn,
    LoginLimits,
    PasswordHashing,
    Role,
    SessionPolicy,
    User,
    check_password,
    normalise_email,
    token_hash,
)
from rubdown.errors import Conflict, InvalidValue, LoginRefused, NotFound, TooManyAttempts

WRONG_LOGIN = "wrong e-mail address or password"
BAD_INVITATION = (
    "this invitation link is not valid: it was used already, it expired, or it is mistyped"
)


def new_secret() -> str:
    """A 256-bit random token, URL-safe: session and invitation tokens, CSRF tokens."""
    return secrets.token_urlsafe(32)


def new_user_id() -> str:
    """128 random bits: unguessable, so an id in a URL tells nothing and opens nothing."""
    return secrets.token_urlsafe(16)


@dataclass(frozen=True)
class NewSession:
    """A login: the token goes into the cookie once and is never stored."""

    token: str
    logged_in: LoggedIn


@dataclass(frozen=True)
class NewInvitation:
    token: str
    invitation: Invitation


class Accounts:
    def __init__(
        self,
        storage: AccountStorage,
        hashing: PasswordHashing,
        clock: Callable[[], dt.datetime],
        *,
        policy: SessionPolicy | None = None,
        limits: LoginLimits | None = None,
    ) -> None:
        self.storage = storage
        self.hashing = hashing
        self.clock = clock
        self.policy = policy or SessionPolicy()
        self.limits = limits or LoginLimits()

    # -- users -------------------------------------------------------------------------------

    def add_user(self, email: str, role: Role, password: str) -> User:
        check_password(password)
        user = User(new_user_id(), normalise_email(email), role, self.clock())
        self.storage.add_user(user, self.hashing.hash(password))
        return user

    def list_users(self) -> list[User]:
        return list(self.storage.list_users())

    def disable_user(self, email: str) -> User:
        """Disable the account with this e-mail address and end its sessions at once."""
        found = self.storage.user_by_email(normalise_email(email))
        if found is None:
            raise NotFound(f"no account for {email.strip()}")
        return self._disable(found[0])

    def disable_user_by_id(self, user_id: str) -> User:
        user = self.storage.user_by_id(user_id)
        if user is None:
            raise NotFound("no such user")
        return self._disable(user)

    def _disable(self, user: User) -> User:
        now = self.clock()
        self.storage.disable_user(user.id, now)
        return User(user.id, user.email, user.role, user.created_at, user.disabled_at or now)

    # -- invitations -------------------------------------------------------------------------

    def invite(self, email: str, role: Role, created_by: str | None = None) -> NewInvitation:
        """A single-use link for ``email`` valid ``INVITATION_DAYS`` days. An address that
        already has an account is refused now rather than when the link is used."""
        address = normalise_email(email)
        if self.storage.user_by_email(address) is not None:
            raise Conflict(f"{address} already has an account")
        token = new_secret()
        now = self.clock()
        invitation = Invitation(
            token_hash=token_hash(token),
            email=address,
            role=role,
            created_by=created_by,
            created_at=now,
            expires_at=now + dt.timedelta(days=INVITATION_DAYS),
        )
        self.storage.add_invitation(invitation)
        return NewInvitation(token, invitation)

    def accept_invitation(self, token: str, password: str) -> User:
        """Set the invited person's password: the account exists from now on, and the link
        never works again."""
        check_password(password)
        user_id = new_user_id()
        # Hashed before the transaction, so the database waits for no Argon2.
        password_hash = self.hashing.hash(password)
        user = self.storage.accept_invitation(
            token_hash(token), user_id, password_hash, self.clock()
        )
        if user is None:
            raise NotFound(BAD_INVITATION)
        return user

    # -- sessions ----------------------------------------------------------------------------

    def login(self, email: str, password: str, address: str | None) -> NewSession:
        """A new session for the right password; ``LoginRefused`` for anything else, and
        ``TooManyAttempts`` once the limits are reached (checked before the password)."""
        now = self.clock()
        key = email.strip().lower()[:320]  # what the limit counts by, even when malformed
        accounts, addresses = self.storage.login_failures_since(
            key, address, now - self.limits.window
        )
        refusal = self.limits.refusal(accounts, addresses)
        if refusal is not None:
            raise TooManyAttempts(refusal)
        user = self._check_password(key, password)
        if user is None:
            self.storage.record_login_attempt(key, address, now, ok=False)
            raise LoginRefused(WRONG_LOGIN)
        if not user.active:
            self.storage.record_login_attempt(key, address, now, ok=False)
            raise LoginRefused("this account is disabled: ask an admin")
        self.storage.record_login_attempt(key, address, now, ok=True)
        token = new_secret()
        record = self.policy.new_session(token_hash(token), new_secret(), user.id, now, address)
        self.storage.add_session(record)
        return NewSession(token, LoggedIn(user, record.csrf_token, record.token_hash))

    def _check_password(self, email: str, password: str) -> User | None:
        if len(password) > 1024:
            self.hashing.waste_time(password[:1024])
            return None
        try:
            address = normalise_email(email)
        except InvalidValue:
            self.hashing.waste_time(password)
            return None
        found = self.storage.user_by_email(address)
        if found is None:
            self.hashing.waste_time(password)
            return None
        user, stored_hash = found
        if not self.hashing.verify(stored_hash, password):
            return None
        if self.hashing.needs_rehash(stored_hash):
            self.storage.set_password_hash(user.id, self.hashing.hash(password))
        return user

    def session(self, token: str | None) -> LoggedIn | None:
        """Who the session with this token belongs to, while it is live and its user active;
        None otherwise. Asked on every request, in whichever process it reaches."""
        if not token:
            return None
        digest = token_hash(token)
        found = self.storage.session_with_user(digest)
        if found is None:
            return None
        record, user = found
        now = self.clock()
        if not user.active or not self.policy.is_live(record, now):
            return None
        if self.policy.needs_touch(record, now):
            self.storage.touch_session(digest, now)
        return LoggedIn(user, record.csrf_token, digest)

    def logout(self, token: str | None) -> None:
        if token:
            self.storage.revoke_session(token_hash(token), self.clock())

    def logout_everywhere(self, user_id: str) -> int:
        """End every session of the user, in every process, this one's included."""
        return self.storage.revoke_user_sessions(user_id, self.clock())
