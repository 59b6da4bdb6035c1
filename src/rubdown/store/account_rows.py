"""The accounts of a server in the database (``domain.accounts.AccountStorage``).

Accounts are the server's, not any one runner's, so these methods are not scoped to an owner;
what they return is what the accounts service decides with. They share the store's engine
(one connection pool per process) but not its runner transactions, which move a runner's
data version on: logging in changes no runner's data.

Each write is one transaction. Accepting an invitation marks it used with a conditional
UPDATE (unused and unexpired) before the user is inserted, so of two requests racing with the
same link only one gets an account.
"""

from __future__ import annotations

import datetime as dt
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, RowMapping
from sqlalchemy.exc import IntegrityError

from rubdown.domain.accounts import Invitation, Role, SessionRecord, User
from rubdown.errors import Conflict, RubdownError
from rubdown.store import schema as tables
from rubdown.store.transactions import reading, writing

if TYPE_CHECKING:
    from rubdown.store.store import Store

_users = tables.users
_sessions = tables.user_sessions
_invitations = tables.invitations
_attempts = tables.login_attempts

# An ended session is kept a day (what the person did last is still to be seen), then deleted.
KEEP_ENDED_SESSIONS = dt.timedelta(days=1)
# Far longer than any login limit's window (``domain.accounts.LoginLimits``).
KEEP_LOGIN_ATTEMPTS = dt.timedelta(days=1)

_SESSION_WITH_USER = (
    sa.select(_sessions, _users.c.email, _users.c.role, _users.c.disabled_at)
    .add_columns(_users.c.created_at.label("user_created_at"))
    .select_from(_sessions.join(_users, _users.c.id == _sessions.c.user_id))
    .where(_sessions.c.token_hash == sa.bindparam("token_hash"))
)


class AccountRows:
    """The ``AccountStorage`` port over the store's engine."""

    def __init__(self, store: Store) -> None:
        # The store's engine: one connection pool per process for both.
        self._engine = store._engine
        self.shown_url = store.shown_url

    # -- users -------------------------------------------------------------------------------

    def add_user(self, user: User, password_hash: str) -> None:
        with self._writing("the user") as connection:
            self._insert_user(connection, user, password_hash)

    def _insert_user(self, connection: Connection, user: User, password_hash: str) -> None:
        taken = connection.execute(
            sa.select(_users.c.id).where(_users.c.email == user.email)
        ).first()
        if taken is not None:
            raise Conflict(f"{user.email} already has an account")
        connection.execute(_users.insert().values(**_user_row(user), password_hash=password_hash))
        if user.role is Role.RUNNER:
            # The runner's data is owned by the user's id: the row every runner table names.
            runners = tables.runners
            exists = connection.execute(
                sa.select(runners.c.id).where(runners.c.id == user.id)
            ).first()
            if exists is None:
                connection.execute(
                    runners.insert().values(id=user.id, name=user.email, created_at=user.created_at)
                )

    def user_by_email(self, email: str) -> tuple[User, str] | None:
        with self._reading("the user") as connection:
            row = (
                connection.execute(sa.select(_users).where(_users.c.email == email))
                .mappings()
                .first()
            )
        return (_user(row), row["password_hash"]) if row is not None else None

    def user_by_id(self, user_id: str) -> User | None:
        with self._reading("the user") as connection:
            row = (
                connection.execute(sa.select(_users).where(_users.c.id == user_id))
                .mappings()
                .first()
            )
        return _user(row) if row is not None else None

    def list_users(self) -> list[User]:
        with self._reading("the users") as connection:
            rows = connection.execute(sa.select(_users).order_by(_users.c.email)).mappings()
            return [_user(row) for row in rows]

    def disable_user(self, user_id: str, at: dt.datetime) -> bool:
        with self._writing("the user") as connection:
            changed = connection.execute(
                _users.update()
                .where(_users.c.id == user_id, _users.c.disabled_at.is_(None))
                .values(disabled_at=at)
            ).rowcount
            self._revoke_all(connection, user_id, at)
        return changed > 0

    def set_password_hash(self, user_id: str, password_hash: str) -> None:
        with self._writing("the password") as connection:
            connection.execute(
                _users.update().where(_users.c.id == user_id).values(password_hash=password_hash)
            )

    # -- sessions ----------------------------------------------------------------------------

    def add_session(self, session: SessionRecord) -> None:
        """Store a new login, and forget the user's sessions that ended over a day ago, so
        the table holds what can still log someone in and not every login ever made."""
        cutoff = session.created_at - KEEP_ENDED_SESSIONS
        with self._writing("the session") as connection:
            connection.execute(
                _sessions.delete().where(
                    _sessions.c.user_id == session.user_id,
                    sa.or_(_sessions.c.revoked_at < cutoff, _sessions.c.expires_at < cutoff),
                )
            )
            connection.execute(_sessions.insert().values(**_session_row(session)))

    def session_with_user(self, token_hash: str) -> tuple[SessionRecord, User] | None:
        with self._reading("the session") as connection:
            row = (
                connection.execute(_SESSION_WITH_USER, {"token_hash": token_hash})
                .mappings()
                .first()
            )
        if row is None:
            return None
        user = User(
            id=row["user_id"],
            email=row["email"],
            role=Role(row["role"]),
            created_at=row["user_created_at"],
            disabled_at=row["disabled_at"],
        )
        return _session(row), user

    def touch_session(self, token_hash: str, at: dt.datetime) -> None:
        with self._writing("the session") as connection:
            connection.execute(
                _sessions.update()
                .where(_sessions.c.token_hash == token_hash, _sessions.c.last_seen_at < at)
                .values(last_seen_at=at)
            )

    def revoke_session(self, token_hash: str, at: dt.datetime) -> None:
        with self._writing("the session") as connection:
            connection.execute(
                _sessions.update()
                .where(_sessions.c.token_hash == token_hash, _sessions.c.revoked_at.is_(None))
                .values(revoked_at=at)
            )

    def revoke_user_sessions(self, user_id: str, at: dt.datetime) -> int:
        with self._writing("the sessions") as connection:
            return self._revoke_all(connection, user_id, at)

    @staticmethod
    def _revoke_all(connection: Connection, user_id: str, at: dt.datetime) -> int:
        revoked = connection.execute(
            _sessions.update()
            .where(_sessions.c.user_id == user_id, _sessions.c.revoked_at.is_(None))
            .values(revoked_at=at)
        )
        return int(revoked.rowcount)

    # -- invitations -------------------------------------------------------------------------

    def add_invitation(self, invitation: Invitation) -> None:
        row = {
            "token_hash": invitation.token_hash,
            "email": invitation.email,
            "role": invitation.role.value,
            "created_by": invitation.created_by,
            "created_at": invitation.created_at,
            "expires_at": invitation.expires_at,
            "used_at": invitation.used_at,
        }
        with self._writing("the invitation") as connection:
            connection.execute(_invitations.insert().values(**row))

    def accept_invitation(
        self, token_hash: str, user_id: str, password_hash: str, at: dt.datetime
    ) -> User | None:
        with self._writing("the invitation") as connection:
            used = (
                connection.execute(
                    _invitations.update()
                    .where(
                        _invitations.c.token_hash == token_hash,
                        _invitations.c.used_at.is_(None),
                        _invitations.c.expires_at > at,
                    )
                    .values(used_at=at)
                    .returning(_invitations.c.email, _invitations.c.role)
                )
                .mappings()
                .first()
            )
            if used is None:
                return None
            user = User(id=user_id, email=used["email"], role=Role(used["role"]), created_at=at)
            # A Conflict here rolls the invitation's use back with it.
            self._insert_user(connection, user, password_hash)
        return user

    # -- login attempts ----------------------------------------------------------------------

    def record_login_attempt(
        self, email: str, address: str | None, at: dt.datetime, ok: bool
    ) -> None:
        with self._writing("the login attempt") as connection:
            # The limits look back minutes: older attempts for the address are let go.
            connection.execute(
                _attempts.delete().where(
                    _attempts.c.email == email, _attempts.c.at < at - KEEP_LOGIN_ATTEMPTS
                )
            )
            connection.execute(
                _attempts.insert().values(email=email, address=address, at=at, ok=ok)
            )

    def login_failures_since(
        self, email: str, address: str | None, since: dt.datetime
    ) -> tuple[int, int]:
        failed = sa.and_(_attempts.c.ok.is_(False), _attempts.c.at > since)
        count = sa.select(sa.func.count()).select_from(_attempts)
        with self._reading("the login attempts") as connection:
            by_account = connection.execute(
                count.where(failed, _attempts.c.email == email)
            ).scalar_one()
            by_address = 0
            if address is not None:
                by_address = connection.execute(
                    count.where(failed, _attempts.c.address == address)
                ).scalar_one()
        return int(by_account), int(by_address)

    # -- transactions ------------------------------------------------------------------------

    def _reading(self, what: str) -> AbstractContextManager[Connection]:
        return reading(self._engine, self.shown_url, what)

    def _writing(self, what: str) -> AbstractContextManager[Connection]:
        return writing(self._engine, self.shown_url, what, refused=_email_taken)


def _email_taken(error: IntegrityError) -> RubdownError | None:
    # Two requests adding the same e-mail at once: the unique index is the referee.
    if "email" in str(error.orig):
        return Conflict("that e-mail address already has an account")
    return None


def _user_row(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "email": user.email,
        "role": user.role.value,
        "created_at": user.created_at,
        "disabled_at": user.disabled_at,
    }


def _user(row: RowMapping) -> User:
    return User(
        id=row["id"],
        email=row["email"],
        role=Role(row["role"]),
        created_at=row["created_at"],
        disabled_at=row["disabled_at"],
    )


def _session_row(session: SessionRecord) -> dict[str, Any]:
    return {
        "token_hash": session.token_hash,
        "user_id": session.user_id,
        "csrf_token": session.csrf_token,
        "created_at": session.created_at,
        "expires_at": session.expires_at,
        "last_seen_at": session.last_seen_at,
        "revoked_at": session.revoked_at,
        "address": session.address,
    }


def _session(row: RowMapping) -> SessionRecord:
    return SessionRecord(
        token_hash=row["token_hash"],
        user_id=row["user_id"],
        csrf_token=row["csrf_token"],
        created_at=row["created_at"],
        expires_at=row["expires_at"],
        last_seen_at=row["last_seen_at"],
        revoked_at=row["revoked_at"],
        address=row["address"],
    )


def accounts_of(store: Store) -> AccountRows:
    """The accounts over ``store``'s engine: one pool per process for both."""
    return AccountRows(store)
