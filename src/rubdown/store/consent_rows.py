"""Grants and the access log in the store: ``domain.consent.Consents`` on SQLite and PostgreSQL.

Beside the runner's data rather than in it: a grant or a log entry changes nothing a kept
answer is made from, so these writes leave the runner's data version alone (a therapist's
read must not throw away the runner's kept plan). Every query is scoped: a runner's side by
``runner_id``, a therapist's by ``therapist_id``; a grant read for a request is read afresh
from the database, so a revoke holds on the next request in every server process.
"""

from __future__ import annotations

import datetime as dt
import secrets
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from rubdown.domain.consent import AccessEntry, Grant, Level
from rubdown.errors import InvalidValue, NotFound
from rubdown.store import schema as tables
from rubdown.store.transactions import writing

if TYPE_CHECKING:
    from rubdown.store.store import Store

THERAPIST = "therapist"

_grants = tables.grants
_log = tables.access_log
_runner_user = tables.users.alias("runner_user")
_therapist_user = tables.users.alias("therapist_user")
_viewer = tables.users.alias("viewer")

_GRANT = sa.select(
    _grants,
    _runner_user.c.email.label("runner_email"),
    _therapist_user.c.email.label("therapist_email"),
).select_from(
    _grants.outerjoin(_runner_user, _runner_user.c.id == _grants.c.runner_id).outerjoin(
        _therapist_user, _therapist_user.c.id == _grants.c.therapist_id
    )
)
_ACTIVE = _grants.c.revoked_at.is_(None)


def new_grant_id() -> str:
    """128 random bits: a grant's ID is in URLs, and must not be guessable from another's."""
    return secrets.token_hex(16)


class StoredConsents:
    """The grants and access log of ``store``'s database; made by ``consents_for``.

    Beside ``Store`` rather than one of its row mixins, for the write transaction of its own
    (see ``_writing``); it shares the store's engine, so its pool, and the store's clock."""

    def __init__(self, store: Store) -> None:
        self._store = store

    # -- who is a therapist ----------------------------------------------------------------------

    def therapist_for_email(self, email: str) -> str | None:
        users = tables.users
        query = sa.select(users.c.id).where(
            users.c.email == email.strip().lower(),
            users.c.role == THERAPIST,
            users.c.disabled_at.is_(None),
        )
        with self._reading("the therapist") as connection:
            found = connection.execute(query).scalar_one_or_none()
        return found

    # -- the runner's side -----------------------------------------------------------------------

    def add_grant(self, runner_id: str, therapist_id: str, levels: frozenset[Level]) -> Grant:
        now = self._clock()
        grant_id = new_grant_id()
        row = {
            "id": grant_id,
            "runner_id": runner_id,
            "therapist_id": therapist_id,
            **_level_columns(levels),
            "created_at": now,
            "updated_at": now,
            "revoked_at": None,
        }
        try:
            with self._writing("the grant") as connection:
                connection.execute(_grants.insert(), row)
        except IntegrityError:
            if self.active_grant(runner_id, therapist_id) is not None:
                raise InvalidValue(
                    "you already share with that therapist: change that grant's levels instead"
                ) from None
            raise NotFound("no such runner or therapist") from None
        return self._one(_grants.c.id == grant_id)

    def active_grants_of(self, runner_id: str) -> list[Grant]:
        return self._many(_grants.c.runner_id == runner_id, _ACTIVE)

    def change_levels(self, runner_id: str, grant_id: str, levels: frozenset[Level]) -> Grant:
        mine = sa.and_(_grants.c.id == grant_id, _grants.c.runner_id == runner_id, _ACTIVE)
        with self._writing("the grant") as connection:
            changed = connection.execute(
                _grants.update()
                .where(mine)
                .values(**_level_columns(levels), updated_at=self._clock())
            )
        if changed.rowcount == 0:
            raise _no_grant()
        return self._one(_grants.c.id == grant_id)

    def revoke(self, runner_id: str, grant_id: str) -> Grant:
        mine = sa.and_(_grants.c.id == grant_id, _grants.c.runner_id == runner_id, _ACTIVE)
        now = self._clock()
        with self._writing("the grant") as connection:
            changed = connection.execute(
                _grants.update().where(mine).values(revoked_at=now, updated_at=now)
            )
        if changed.rowcount == 0:
            raise _no_grant()
        return self._one(_grants.c.id == grant_id)

    def access_log(self, runner_id: str, *, limit: int) -> list[AccessEntry]:
        query = (
            sa.select(_log, _viewer.c.email.label("viewer_email"))
            .select_from(_log.outerjoin(_viewer, _viewer.c.id == _log.c.viewer_id))
            .where(_log.c.runner_id == runner_id)
            .order_by(_log.c.at.desc(), _log.c.id)
            .limit(limit)
        )
        with self._reading("the access log") as connection:
            rows = connection.execute(query).mappings().all()
        return [_entry(row) for row in rows]

    # -- the therapist's side --------------------------------------------------------------------

    def active_grants_to(self, therapist_id: str) -> list[Grant]:
        return self._many(_grants.c.therapist_id == therapist_id, _ACTIVE)

    def active_grant(self, runner_id: str, therapist_id: str) -> Grant | None:
        grants = self._many(
            _grants.c.runner_id == runner_id, _grants.c.therapist_id == therapist_id, _ACTIVE
        )
        return grants[0] if grants else None

    def log_access(
        self, runner_id: str, viewer_id: str, grant_id: str, level: Level, what: str
    ) -> AccessEntry:
        entry = AccessEntry(
            id=new_grant_id(),
            runner_id=runner_id,
            viewer_id=viewer_id,
            grant_id=grant_id,
            level=level,
            what=what,
            at=self._clock(),
        )
        row = {
            "id": entry.id,
            "runner_id": runner_id,
            "viewer_id": viewer_id,
            "grant_id": grant_id,
            "level": str(level),
            "what": what,
            "at": entry.at,
        }
        try:
            with self._writing("the access log") as connection:
                connection.execute(_log.insert(), row)
        except IntegrityError:
            # The grant or an account went in the meantime (revoked grants stay): no read.
            raise _no_grant() from None
        return entry

    # -- helpers ---------------------------------------------------------------------------------

    def _clock(self) -> dt.datetime:
        return self._store._clock()

    def _one(self, *where: Any) -> Grant:
        found = self._many(*where)
        if not found:
            raise _no_grant()
        return found[0]

    def _many(self, *where: Any) -> list[Grant]:
        query = _GRANT.where(*where).order_by(_grants.c.created_at, _grants.c.id)
        with self._reading("the grants") as connection:
            rows = connection.execute(query).mappings().all()
        return [_grant(row) for row in rows]

    def _reading(self, what: str) -> AbstractContextManager[Connection]:
        return self._store._reading(what)

    def _writing(self, what: str) -> AbstractContextManager[Connection]:
        """One write transaction that, unlike ``Store._writing``, moves no runner's data
        version on (see the module docstring). A refused constraint comes out as it is, for
        the caller to say which; any other failure as one ``StoreError`` line."""
        store = self._store
        return writing(store._engine, store.shown_url, what, keep_refusals=True)


def consents_for(store: Store) -> StoredConsents:
    """The grants and access log kept in ``store``'s database."""
    return StoredConsents(store)


def _no_grant() -> NotFound:
    return NotFound("no such grant")


def _level_columns(levels: frozenset[Level]) -> dict[str, bool]:
    return {str(level): level in levels for level in Level}


def _grant(row: Any) -> Grant:
    return Grant(
        id=row["id"],
        runner_id=row["runner_id"],
        therapist_id=row["therapist_id"],
        levels=frozenset(level for level in Level if row[str(level)]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        revoked_at=row["revoked_at"],
        runner_email=row["runner_email"],
        therapist_email=row["therapist_email"],
    )


def _entry(row: Any) -> AccessEntry:
    return AccessEntry(
        id=row["id"],
        runner_id=row["runner_id"],
        viewer_id=row["viewer_id"],
        grant_id=row["grant_id"],
        level=Level(row["level"]),
        what=row["what"],
        at=row["at"],
        viewer_email=row["viewer_email"],
    )
