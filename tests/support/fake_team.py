"""An in-memory ``TeamData`` (``domain.clinic.team``): race-week teams and liked times for
the race-week use case's unit tests. Several therapists share one ``FakeTeamWorld``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from rubdown.domain.clinic.booking_rules import ClientRef
from rubdown.domain.clinic.raceweek import Preference
from rubdown.domain.clinic.team import TeamData, TeamMember
from rubdown.errors import InvalidValue, NotFound


@dataclass
class FakeTeamWorld:
    members: list[TeamMember] = field(default_factory=list)
    preferences: dict[tuple[str, ClientRef], tuple[Preference, ...]] = field(default_factory=dict)
    emails: dict[str, str] = field(default_factory=dict)  # therapist ID -> e-mail

    def for_therapist(self, therapist_id: str) -> FakeTeamData:
        return FakeTeamData(self, therapist_id)


class FakeTeamData:
    def __init__(self, world: FakeTeamWorld, therapist_id: str) -> None:
        self._world = world
        self._therapist = therapist_id

    @property
    def therapist_id(self) -> str:
        return self._therapist

    def invite(self, member_id: str, at: dt.datetime) -> TeamMember:
        if member_id == self._therapist:
            raise InvalidValue("you lead your team already: invite other therapists")
        for found in self.members():
            if found.member_id == member_id:
                return found
        emails = self._world.emails
        made = TeamMember(
            self._therapist,
            member_id,
            at,
            None,
            emails.get(self._therapist, ""),
            emails.get(member_id, ""),
        )
        self._world.members.append(made)
        return made

    def members(self) -> list[TeamMember]:
        return sorted(
            (m for m in self._world.members if m.lead_id == self._therapist),
            key=lambda m: (m.member_email, m.member_id),
        )

    def remove(self, member_id: str) -> None:
        self._drop(self._therapist, member_id)

    def invitations(self) -> list[TeamMember]:
        return [m for m in self._world.members if m.member_id == self._therapist]

    def accept(self, lead_id: str, at: dt.datetime) -> TeamMember:
        for i, found in enumerate(self._world.members):
            if (found.lead_id, found.member_id) == (lead_id, self._therapist):
                if found.accepted_at is None:
                    self._world.members[i] = replace(found, accepted_at=at)
                return self._world.members[i]
        raise NotFound("no such team invitation")

    def leave(self, lead_id: str) -> None:
        self._drop(lead_id, self._therapist)

    def _drop(self, lead_id: str, member_id: str) -> None:
        kept = [m for m in self._world.members if (m.lead_id, m.member_id) != (lead_id, member_id)]
        if len(kept) == len(self._world.members):
            raise NotFound("no such team member")
        self._world.members = kept

    def preferences_of(self, client: ClientRef) -> tuple[Preference, ...]:
        return self._world.preferences.get((self._therapist, client), ())

    def set_preferences(
        self, client: ClientRef, preferences: tuple[Preference, ...], at: dt.datetime
    ) -> None:
        self._world.preferences[(self._therapist, client)] = preferences


def _conforms(data: FakeTeamData) -> TeamData:
    return data  # mypy checks the fake against the port here
