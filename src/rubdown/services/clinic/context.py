"""What every clinic use case works with, and the client-side rules a booking is checked by."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from rubdown.domain.clinic.booking_rules import ClientKind, ClientRef, ManagedClient
from rubdown.domain.clinic.clinic_data import ClinicData
from rubdown.domain.clinic.intake import Screening, parse_screening
from rubdown.domain.knowledge import KnowledgeBase
from rubdown.domain.model import Season, SessionKind
from rubdown.domain.ports import Clock
from rubdown.domain.regions import Region
from rubdown.domain.rules import Finding, SeasonIndex, Verdict, check_with_alternatives
from rubdown.errors import InvalidValue, NotFound
from rubdown.services.runner import Runner

# The client's side of a booking: the rules engine's verdict on (day, kind, regions) under
# the client's policy, with its alternatives when it refuses.
ClientRules = Callable[[dt.date, SessionKind, tuple[Region, ...]], Verdict]


def _no_runner_shares(runner_id: str) -> bool:
    return False


@dataclass(frozen=True)
class Clinic:
    """``shares`` says whether a runner shares with this therapist now (an active grant,
    read afresh): a runner client is one only while they do."""

    data: ClinicData
    kb: KnowledgeBase
    screening: Screening
    clock: Clock
    shares: Callable[[str], bool] = _no_runner_shares

    @property
    def therapist_id(self) -> str:
        return self.data.therapist_id

    def now(self) -> dt.datetime:
        return self.clock()

    def known(self, client: ClientRef) -> None:
        """``NotFound`` unless ``client`` is the therapist's: a managed client of theirs, or
        a runner who shares with them now. Nothing is written about anyone else."""
        if client.kind is ClientKind.MANAGED:
            self.data.get_client(client.id)
        elif not self.shares(client.id):
            raise NotFound("no client with that ID has shared anything with you")


@cache
def load_screening() -> Screening:
    """The bundled intake screen (``knowledge/screening.toml``), read and checked once."""
    from rubdown.knowledge import load_knowledge_base

    text = resources.files("rubdown.knowledge").joinpath("screening.toml").read_text("utf-8")
    return parse_screening(text, frozenset(load_knowledge_base().rules))


def zone(name: str) -> ZoneInfo:
    """The therapist's time zone by its IANA name; a name that is not one says so."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidValue(
            f"unknown time zone {name!r}: use an IANA name such as Europe/London"
        ) from None


def managed_client_rules(clinic: Clinic, client: ManagedClient, today: dt.date) -> ClientRules:
    """The rules engine over a managed client's races under their policy: the same check as
    ``rubdown check`` (``domain.rules.check_with_alternatives``), with what the therapist
    knows of them -- their races -- as their season."""
    policy = clinic.kb.policy(client.policy)
    index = SeasonIndex(Season(races=client.races))

    def verdict(day: dt.date, kind: SessionKind, regions: tuple[Region, ...]) -> Verdict:
        return check_with_alternatives(index, policy, day, kind, regions, earliest=today)

    return verdict


def runner_client_rules(client: Runner) -> ClientRules:
    """A runner who uses rubdown, read through their grant (``services.consent.client_runner``):
    what ``services.planning.check_session`` asks -- the rules engine under the runner's own
    policy, over their season, from their today -- with the season read once for every day
    a booking's nearest slots are sought on.

    The calendar must be shared (races and workouts are what a race-aware booking is for:
    without it the grant answers ``NotFound``). Check-ins are read when wellness is shared;
    when it is not, every verdict says that red flags (X1, R3-R5) could not be checked. Runs
    recorded by the watch count when training is shared."""
    policy = client.kb.policy(client.profile().policy)
    season, checkins_shared = client_season(client)
    unseen: tuple[Finding, ...] = ()
    if not checkins_shared:
        unseen = (
            Finding(
                ("X1", "R3", "R5"),
                "this client does not share their check-ins, so red flags and warning signs "
                "could not be checked: ask about them before the session",
                forbids=False,
            ),
        )
    index = SeasonIndex(season)
    today = client.today()

    def verdict(day: dt.date, kind: SessionKind, regions: tuple[Region, ...]) -> Verdict:
        found = check_with_alternatives(index, policy, day, kind, regions, earliest=today)
        return replace(found, findings=(*unseen, *found.findings)) if unseen else found

    return verdict


def client_season(client: Runner) -> tuple[Season, bool]:
    """What the rules engine reads of a runner client through their grant: their races and
    planned sessions (the calendar level), their check-ins when wellness is shared, and the
    runs their watch recorded when training is shared (else the planned workouts stand for
    what was done); and whether the check-ins were shared."""
    data = client.data
    workouts = list(data.list_workouts())
    with suppress(NotFound):
        workouts += client.activity_workouts()
    try:
        checkins = tuple(data.list_checkins())
        shared = True
    except NotFound:
        checkins, shared = (), False
    season = Season(
        races=tuple(data.list_races()),
        workouts=tuple(workouts),
        sessions=tuple(data.list_sessions()),
        checkins=checkins,
        recovery_weeks=data.recovery_weeks(),
    )
    return season, shared
