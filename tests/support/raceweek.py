"""Small race-week problems that can be checked by hand: a client racing the City Marathon on
a Sunday, a therapist from an hours string, and the menu's session lengths."""

from __future__ import annotations

import datetime as dt

from rubdown.domain.availability import parse_hours
from rubdown.domain.clinic.raceweek import (
    Client,
    Need,
    Phase,
    Preference,
    ServiceLength,
    Therapist,
)
from rubdown.domain.model import PolicyName, Priority, Race, Season, SessionKind
from rubdown.knowledge import load_knowledge_base

KB = load_knowledge_base()
RACE_DAY = dt.date(2027, 3, 14)  # a Sunday
MONDAY = dt.date(2027, 3, 8)
SPORTS_ONLY = (Need(Phase.PRE_RACE, (SessionKind.SPORTS,)),)
SERVICES = (
    ServiceLength(SessionKind.SPORTS, 60, 15),
    ServiceLength(SessionKind.FLUSH, 30, 15),
    ServiceLength(SessionKind.POST_EVENT, 30, 15),
)


def client(
    name: str,
    policy: PolicyName = PolicyName.STANDARD,
    needs: tuple[Need, ...] = SPORTS_ONLY,
    preferences: tuple[Preference, ...] = (),
    season: Season | None = None,
) -> Client:
    race = Race("City Marathon", RACE_DAY, Priority.A, 42.2)
    return Client(
        id=name,
        name=name.title(),
        policy=KB.policy(policy),
        race=race,
        season=season or Season(races=(race,)),
        needs=needs,
        preferences=preferences,
    )


def therapist(hours: str, name: str = "ana", **caps: int) -> Therapist:
    return Therapist(id=name, name=name.title(), hours=parse_hours(hours), **caps)  # type: ignore[arg-type]
