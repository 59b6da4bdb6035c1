"""An in-memory ``Consents`` (``domain.consent``): grants and the access log, for the consent
use cases' unit tests. Accounts are a dict of e-mail address to (ID, role, enabled).

It answers as the store does where a use case can tell: one active grant per runner and
therapist (``InvalidValue`` for a second), ``NotFound`` for a grant that is not the runner's
or not active, lists oldest first and the log newest first. IDs are unguessable here too.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from rubdown.domain.consent import AccessEntry, Consents, Grant, Level
from rubdown.errors import InvalidValue, NotFound


@dataclass
class FakeConsents:
    clock: Callable[[], dt.datetime]
    # e-mail -> (user ID, role, enabled)
    accounts: dict[str, tuple[str, str, bool]] = field(default_factory=dict)
    grants: list[Grant] = field(default_factory=list)
    log: list[AccessEntry] = field(default_factory=list)

    def add_account(self, email: str, role: str, user_id: str, *, enabled: bool = True) -> str:
        self.accounts[email.lower()] = (user_id, role, enabled)
        return user_id

    def _email(self, user_id: str) -> str | None:
        found = [email for email, (uid, _, _) in self.accounts.items() if uid == user_id]
        return found[0] if found else None

    def therapist_for_email(self, email: str) -> str | None:
        account = self.accounts.get(email.strip().lower())
        if account is None or account[1] != "therapist" or not account[2]:
            return None
        return account[0]

    def add_grant(self, runner_id: str, therapist_id: str, levels: frozenset[Level]) -> Grant:
        if self.active_grant(runner_id, therapist_id) is not None:
            raise InvalidValue(
                "you already share with that therapist: change that grant's levels instead"
            )
        now = self.clock()
        grant = Grant(
            id=secrets.token_hex(16),
            runner_id=runner_id,
            therapist_id=therapist_id,
            levels=levels,
            created_at=now,
            updated_at=now,
            runner_email=self._email(runner_id),
            therapist_email=self._email(therapist_id),
        )
        self.grants.append(grant)
        return grant

    def active_grants_of(self, runner_id: str) -> list[Grant]:
        return [g for g in self.grants if g.runner_id == runner_id and g.active]

    def _change(self, runner_id: str, grant_id: str, **changes: object) -> Grant:
        for index, grant in enumerate(self.grants):
            if grant.id == grant_id and grant.runner_id == runner_id and grant.active:
                changed = replace(grant, updated_at=self.clock(), **changes)  # type: ignore[arg-type]
                self.grants[index] = changed
                return changed
        raise NotFound("no such grant")

    def change_levels(self, runner_id: str, grant_id: str, levels: frozenset[Level]) -> Grant:
        return self._change(runner_id, grant_id, levels=levels)

    def revoke(self, runner_id: str, grant_id: str) -> Grant:
        return self._change(runner_id, grant_id, revoked_at=self.clock())

    def active_grants_to(self, therapist_id: str) -> list[Grant]:
        return [g for g in self.grants if g.therapist_id == therapist_id and g.active]

    def active_grant(self, runner_id: str, therapist_id: str) -> Grant | None:
        found = [g for g in self.active_grants_of(runner_id) if g.therapist_id == therapist_id]
        return found[0] if found else None

    def log_access(
        self, runner_id: str, viewer_id: str, grant_id: str, level: Level, what: str
    ) -> AccessEntry:
        entry = AccessEntry(
            id=secrets.token_hex(16),
            runner_id=runner_id,
            viewer_id=viewer_id,
            grant_id=grant_id,
            level=level,
            what=what,
            at=self.clock(),
            viewer_email=self._email(viewer_id),
        )
        self.log.append(entry)
        return entry

    def access_log(self, runner_id: str, *, limit: int) -> list[AccessEntry]:
        return [e for e in reversed(self.log) if e.runner_id == runner_id][:limit]


# What mypy checks (``mypy tests/support/fake_consents.py``): the fake is the port.
_CONSENTS: Consents = FakeConsents(lambda: dt.datetime.now(dt.UTC))
