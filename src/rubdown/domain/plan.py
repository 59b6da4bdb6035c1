"""What a season plan is made of: dated sessions with their reasons, warnings, the daily rhythm."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rubdown.domain.model import PolicyName, SessionKind
from rubdown.domain.regions import Region


@dataclass(frozen=True)
class PlannedSession:
    """One session the plan proposes.

    ``key`` names the slot the session fills ("deep:2027-03", "post-event:<race id>"), so a
    re-plan that moves it keeps its identity (and its calendar UID); ``sequence`` counts the
    times a published session changed (iCalendar SEQUENCE). ``pinned``: the runner put it on
    its day, so every later re-plan keeps it there (``PlanRequest.pinned``).
    """

    key: str
    day: dt.date
    kind: SessionKind
    regions: tuple[Region, ...]
    price: float
    reason: str
    rules: tuple[str, ...]
    start_time: dt.time | None = None
    duration_min: int = 60
    sequence: int = 0
    pinned: bool = False

    @property
    def fingerprint(self) -> str:
        """Everything a calendar shows of the session (a pin shows in its description); a
        change here bumps ``sequence``."""
        regions = ",".join(str(r) for r in self.regions)
        start = self.start_time.isoformat() if self.start_time else ""
        rules = ",".join(self.rules)
        return (
            f"{self.day}|{self.kind}|{regions}|{start}|{self.duration_min}|{self.price:g}|"
            f"{rules}|{self.reason}|{'pinned' if self.pinned else ''}"
        )


@dataclass(frozen=True)
class Warning:
    message: str
    rules: tuple[str, ...] = ()


@dataclass(frozen=True)
class RhythmItem:
    """A recurring self-massage habit (T9-T11), not tied to one date."""

    when: str  # "pre-run", "post-run", "daily", "desk"
    kind: SessionKind
    minutes: str  # "5-10"
    what: str
    rules: tuple[str, ...]


@dataclass(frozen=True)
class Plan:
    policy: PolicyName
    start: dt.date
    end: dt.date
    sessions: tuple[PlannedSession, ...]
    warnings: tuple[Warning, ...]
    rhythm: tuple[RhythmItem, ...]
    notes: tuple[
        Warning, ...
    ] = ()  # not problems: which policy spoke, what the sources disagree on
    solver_status: str = ""

    @property
    def professional(self) -> tuple[PlannedSession, ...]:
        return tuple(s for s in self.sessions if s.kind.is_professional)
