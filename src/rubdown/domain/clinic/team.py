"""A therapist's race-week team, and the times a client likes to come.

The smallest honest team: a therapist (the lead) invites other therapists by the e-mail of
their account, and each one who accepts joins the lead's team. The team of a lead is the lead
and their accepted members; a member lends the lead their weekly hours, days off, caps and
the times they have already booked, for planning -- nothing of the member's clients. So a
member has no consent to the lead's clients: a session the race week gives a member stays a
proposal for the two of them to settle, never a booking made in the member's clinic.

``TeamData`` is bound to one therapist, as ``ClinicData`` is: the lead's side (invite, remove,
the members) and the member's side (the invitations, accept, leave) both act only on rows
that name that therapist.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from rubdown.domain.availability import parse_weekday
from rubdown.domain.clinic.booking_rules import ClientRef
from rubdown.domain.clinic.raceweek import MAX_PREFERENCE_WEIGHT, DayPart, Preference
from rubdown.errors import InvalidValue

MAX_TEAM_MEMBERS = 20  # a race-day team; more asks for a model the week's solve cannot hold
WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class TeamMember:
    lead_id: str
    member_id: str
    invited_at: dt.datetime
    accepted_at: dt.datetime | None = None
    lead_email: str = ""
    member_email: str = ""

    @property
    def accepted(self) -> bool:
        return self.accepted_at is not None


class TeamData(Protocol):
    @property
    def therapist_id(self) -> str: ...

    def invite(self, member_id: str, at: dt.datetime) -> TeamMember:
        """Invite a therapist into this therapist's team; inviting again changes nothing."""
        ...

    def members(self) -> list[TeamMember]:
        """This therapist's team, pending invitations too, by e-mail."""
        ...

    def remove(self, member_id: str) -> None:
        """Take a member (or an invitation) out of this therapist's team; ``NotFound`` if
        there is none."""
        ...

    def invitations(self) -> list[TeamMember]:
        """The teams this therapist is invited to or belongs to, by the lead's e-mail."""
        ...

    def accept(self, lead_id: str, at: dt.datetime) -> TeamMember:
        """Join the team of ``lead_id``; ``NotFound`` without an invitation from them."""
        ...

    def leave(self, lead_id: str) -> None: ...

    def preferences_of(self, client: ClientRef) -> tuple[Preference, ...]:
        """The times this therapist noted the client likes; none before any are noted."""
        ...

    def set_preferences(
        self, client: ClientRef, preferences: tuple[Preference, ...], at: dt.datetime
    ) -> None: ...


def preference_text(preference: Preference) -> str:
    """``evening:8`` or ``evening:8:sat``: how a liked time is written and kept."""
    text = f"{preference.part}:{preference.weight}"
    if preference.weekday is not None:
        text += f":{WEEKDAY_NAMES[preference.weekday]}"
    return text


def parse_preference(text: str) -> Preference:
    parts = [p.strip().lower() for p in text.split(":")]
    if len(parts) not in (2, 3):
        raise InvalidValue(
            f"a liked time is PART:WEIGHT[:WEEKDAY], e.g. evening:8:sat, not {text!r}"
        )
    try:
        part = DayPart(parts[0])
    except ValueError:
        names = ", ".join(p.value for p in DayPart)
        raise InvalidValue(f"a day part is one of {names}, not {parts[0]!r}") from None
    try:
        weight = int(parts[1])
    except ValueError:
        raise InvalidValue(
            f"a liked time's weight is a whole number 1-{MAX_PREFERENCE_WEIGHT}, not {parts[1]!r}"
        ) from None
    weekday = parse_weekday(parts[2]) if len(parts) == 3 else None
    return Preference(part, weight, weekday)
