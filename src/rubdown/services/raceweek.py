"""Use case: propose a team's race week for the clients racing one event (or any chosen set).

The clinic knows each client as an ``Entrant``: their season (races, workouts, check-ins),
the name of their policy, what they need around the race and when they like to come. This
module picks each entrant's race (the event's, or their first A or B race in the chosen
days), turns the policy name into the knowledge base's policy, asks the solver (a port, so
the tests and the web app can pass their own), and refuses to hand out a schedule that the
independent checker does not pass.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from rubdown.domain.clinic.raceweek import (
    DEFAULT_NEEDS,
    DEFAULT_SERVICES,
    POST_RACE_DAYS,
    PRE_RACE_DAYS,
    Client,
    Need,
    Preference,
    RaceWeekPlan,
    RaceWeekProblem,
    RaceWeekSolver,
    ServiceLength,
    Therapist,
    plan_race_week,
)
from rubdown.domain.clinic.raceweek_check import check_plan
from rubdown.domain.knowledge import KnowledgeBase
from rubdown.domain.model import PolicyName, Race, Season
from rubdown.domain.policy import is_major
from rubdown.errors import InvalidValue, PlanningError

MAX_DAYS = 16 * 7  # a season's block of racing; longer asks for a model too large to solve well


@dataclass(frozen=True)
class Entrant:
    id: str
    name: str
    policy: PolicyName
    season: Season
    needs: tuple[Need, ...] = DEFAULT_NEEDS
    preferences: tuple[Preference, ...] = ()


@dataclass(frozen=True)
class Event:
    """The race the week is planned around, as the clients' calendars name it."""

    name: str
    day: dt.date

    def is_(self, race: Race) -> bool:
        return race.day == self.day and race.name.strip().casefold() == self.name.strip().casefold()


@dataclass(frozen=True)
class RaceWeekRequest:
    entrants: tuple[Entrant, ...]
    therapists: tuple[Therapist, ...]
    event: Event | None = None  # None: each entrant's own first A or B race in the days
    first_day: dt.date | None = None  # default: the week before the event
    last_day: dt.date | None = None  # default: the week after it
    services: tuple[ServiceLength, ...] = DEFAULT_SERVICES
    # The first therapist gives every session they have room for (a clinic's lead, who can
    # book only their own): the same clients and day parts either way.
    prefer_first_therapist: bool = False


@dataclass(frozen=True)
class RaceWeekResult:
    problem: RaceWeekProblem
    plan: RaceWeekPlan
    # Entrants left out of the problem: not racing the event, or no race in the days.
    not_racing: tuple[str, ...]


def plan_team_race_week(
    kb: KnowledgeBase, request: RaceWeekRequest, solver: RaceWeekSolver
) -> RaceWeekResult:
    first, last = _days(request)
    clients: list[Client] = []
    not_racing: list[str] = []
    for entrant in request.entrants:
        race = _race_of(entrant, request.event, first, last)
        if race is None:
            not_racing.append(entrant.id)
            continue
        clients.append(
            Client(
                id=entrant.id,
                name=entrant.name,
                policy=kb.policy(entrant.policy),
                race=race,
                season=entrant.season,
                needs=entrant.needs,
                preferences=entrant.preferences,
            )
        )
    problem = RaceWeekProblem(tuple(clients), request.therapists, first, last, request.services)
    plan = plan_race_week(problem, solver, prefer_first=request.prefer_first_therapist)
    problems = check_plan(problem, plan)
    if problems:  # a bug, never the clients' doing: no schedule that breaks a rule goes out
        raise PlanningError(f"the race-week schedule failed its check: {problems[0]}")
    return RaceWeekResult(problem, plan, tuple(not_racing))


def _days(request: RaceWeekRequest) -> tuple[dt.date, dt.date]:
    event = request.event
    first = request.first_day
    last = request.last_day
    if event is not None:
        first = first or event.day - dt.timedelta(days=PRE_RACE_DAYS)
        last = last or event.day + dt.timedelta(days=POST_RACE_DAYS)
    if first is None or last is None:
        raise InvalidValue("name the event, or the first and last day of the race weeks")
    if last < first:
        raise InvalidValue(f"the race weeks cannot end ({last}) before they start ({first})")
    if (last - first).days + 1 > MAX_DAYS:
        raise InvalidValue(f"plan at most {MAX_DAYS // 7} weeks of races at once")
    return first, last


def _race_of(entrant: Entrant, event: Event | None, first: dt.date, last: dt.date) -> Race | None:
    races: Sequence[Race] = sorted(entrant.season.races, key=lambda r: r.day)
    if event is not None:
        return next((r for r in races if event.is_(r)), None)
    inside = [r for r in races if first <= r.day <= last]
    return next((r for r in inside if is_major(r)), inside[0] if inside else None)
