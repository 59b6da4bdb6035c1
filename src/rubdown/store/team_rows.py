"""A therapist's race-week team and their clients' liked times in the store: the port
``domain.clinic.team.TeamData`` on SQLite and PostgreSQL.

Bound to one therapist: the lead's side filters on ``lead_id``, the member's side on
``member_id``, the liked times on ``therapist_id``, so no other therapist's team or client
is reachable through it."""

from __future__ import annotations

import datetime as dt
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from rubdown.domain.clinic.booking_rules import ClientRef
from rubdown.domain.clinic.raceweek import Preference
from rubdown.domain.clinic.team import (
    MAX_TEAM_MEMBERS,
    TeamMember,
    parse_preference,
    preference_text,
)
from rubdown.errors import InvalidValue, NotFound
from rubdown.store import schema as tables
from rubdown.store.transactions import reading, writing

if TYPE_CHECKING:
    from rubdown.store.store import Store

_members = tables.clinic_team_members
_preferences = tables.clinic_client_preferences
_users = tables.users


class StoredTeamData:
    """One therapist's team rows in ``store``'s database; made by ``team_for``."""

    def __init__(self, store: Store, therapist_id: str) -> None:
        self._store = store
        self._therapist = therapist_id

    @property
    def therapist_id(self) -> str:
        return self._therapist

    # -- the lead's side -----------------------------------------------------------------------

    def invite(self, member_id: str, at: dt.datetime) -> TeamMember:
        if member_id == self._therapist:
            raise InvalidValue("you lead your team already: invite other therapists")
        with self._writing("the team") as connection:
            mine = _members.c.lead_id == self._therapist
            # Inviting someone already invited changes nothing, so only a new one counts.
            others = mine & (_members.c.member_id != member_id)
            count = connection.execute(
                sa.select(sa.func.count()).select_from(_members).where(others)
            ).scalar_one()
            if count >= MAX_TEAM_MEMBERS:
                raise InvalidValue(f"a team holds at most {MAX_TEAM_MEMBERS} other therapists")
            statement = self._store._insert(connection, _members).on_conflict_do_nothing()
            connection.execute(
                statement,
                {"lead_id": self._therapist, "member_id": member_id, "invited_at": at},
            )
        return self._one(_members.c.lead_id == self._therapist, _members.c.member_id == member_id)

    def members(self) -> list[TeamMember]:
        found = self._rows(_members.c.lead_id == self._therapist)
        return sorted(found, key=lambda m: (m.member_email, m.member_id))

    def remove(self, member_id: str) -> None:
        self._delete(_members.c.lead_id == self._therapist, _members.c.member_id == member_id)

    # -- the member's side ---------------------------------------------------------------------

    def invitations(self) -> list[TeamMember]:
        found = self._rows(_members.c.member_id == self._therapist)
        return sorted(found, key=lambda m: (m.lead_email, m.lead_id))

    def accept(self, lead_id: str, at: dt.datetime) -> TeamMember:
        mine = (_members.c.lead_id == lead_id, _members.c.member_id == self._therapist)
        with self._writing("the team") as connection:
            done = connection.execute(
                _members.update()
                .where(*mine, _members.c.accepted_at.is_(None))
                .values(accepted_at=at)
            )
            if done.rowcount == 0:
                self._one_in(connection, *mine)  # NotFound without an invitation
        return self._one(*mine)

    def leave(self, lead_id: str) -> None:
        self._delete(_members.c.lead_id == lead_id, _members.c.member_id == self._therapist)

    # -- the liked times -----------------------------------------------------------------------

    def preferences_of(self, client: ClientRef) -> tuple[Preference, ...]:
        query = sa.select(_preferences.c.preferences).where(
            _preferences.c.therapist_id == self._therapist,
            _preferences.c.client_kind == str(client.kind),
            _preferences.c.client_id == client.id,
        )
        with self._reading("the liked times") as connection:
            found = connection.execute(query).scalar_one_or_none()
        return tuple(parse_preference(text) for text in found or ())

    def set_preferences(
        self, client: ClientRef, preferences: tuple[Preference, ...], at: dt.datetime
    ) -> None:
        values = {"preferences": [preference_text(p) for p in preferences], "changed_at": at}
        with self._writing("the liked times") as connection:
            statement = self._store._insert(connection, _preferences).on_conflict_do_update(
                index_elements=["therapist_id", "client_kind", "client_id"], set_=values
            )
            connection.execute(
                statement,
                {
                    "therapist_id": self._therapist,
                    "client_kind": str(client.kind),
                    "client_id": client.id,
                    **values,
                },
            )

    # -- helpers -------------------------------------------------------------------------------

    def _rows(self, *where: Any) -> list[TeamMember]:
        with self._reading("the team") as connection:
            return self._rows_in(connection, *where)

    def _rows_in(self, connection: Connection, *where: Any) -> list[TeamMember]:
        lead, member = _users.alias("lead"), _users.alias("member")
        query = (
            sa.select(
                _members,
                lead.c.email.label("lead_email"),
                member.c.email.label("member_email"),
            )
            .join(lead, lead.c.id == _members.c.lead_id)
            .join(member, member.c.id == _members.c.member_id)
            .where(*where)
        )
        return [
            TeamMember(
                row["lead_id"],
                row["member_id"],
                row["invited_at"],
                row["accepted_at"],
                row["lead_email"],
                row["member_email"],
            )
            for row in connection.execute(query).mappings()
        ]

    def _one(self, *where: Any) -> TeamMember:
        with self._reading("the team") as connection:
            return self._one_in(connection, *where)

    def _one_in(self, connection: Connection, *where: Any) -> TeamMember:
        found = self._rows_in(connection, *where)
        if not found:
            raise NotFound("no such team invitation")
        return found[0]

    def _delete(self, *where: Any) -> None:
        with self._writing("the team") as connection:
            if connection.execute(_members.delete().where(*where)).rowcount == 0:
                raise NotFound("no such team member")

    def _reading(self, what: str) -> AbstractContextManager[Connection]:
        return reading(self._store._engine, self._store.shown_url, what)

    def _writing(self, what: str) -> AbstractContextManager[Connection]:
        return writing(self._store._engine, self._store.shown_url, what)


def team_for(store: Store, therapist_id: str) -> StoredTeamData:
    """The team rows of ``therapist_id`` kept in ``store``'s database."""
    return StoredTeamData(store, therapist_id)
