"""What every clinic use case works with, and the client-side rules a booking is checked by."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from rubdown.domain.clinic.booking_rules import ManagedClient
from rubdown.domain.clinic.clinic_data import ClinicData
from rubdown.domain.clinic.intake import Screening, parse_screening
from rubdown.domain.knowledge import KnowledgeBase
from rubdown.domain.model import Season, SessionKind
from rubdown.domain.ports import Clock
from rubdown.domain.regions import Region
from rubdown.domain.rules import SeasonIndex, Verdict, check_with_alternatives
from rubdown.errors import InvalidValue
from rubdown.services.planning import check_session
from rubdown.services.runner import Runner

# The client's side of a booking: the rules engine's verdict on (day, kind, regions) under
# the client's policy, with its alternatives when it refuses.
ClientRules = Callable[[dt.date, SessionKind, tuple[Region, ...]], Verdict]


@dataclass(frozen=True)
class Clinic:
    data: ClinicData
    kb: KnowledgeBase
    screening: Screening
    clock: Clock

    @property
    def therapist_id(self) -> str:
        return self.data.therapist_id

    def now(self) -> dt.datetime:
        return self.clock()


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
    ``services.planning.check_session`` on their own season, check-ins and policy."""

    def verdict(day: dt.date, kind: SessionKind, regions: tuple[Region, ...]) -> Verdict:
        return check_session(client, day, kind, regions)

    return verdict
