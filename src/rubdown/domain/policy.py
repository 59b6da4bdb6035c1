"""Named policies that settle where the source documents disagree, as a table of day counts.

The pre-race window for deep work is 1-2 days in one document (T1), 48 hours with a
Tuesday/Wednesday booking before a weekend race in another (T2), and a full week in a third
(T3). rubdown does not pick a winner silently: the runner chooses a policy, and every answer
says which one spoke and which rule gave the number.

The numbers live in the knowledge base (``knowledge/policies.toml``), one row per ``Gap`` and a
cell per policy with the rule IDs behind it; this module says what a row means. Days are
counted by local date: a session on day D, a race on day R, a hard workout on day H.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property

from rubdown.domain.model import Family, PolicyName, Priority, Race, SessionKind

# A race of at least this distance is a long race: deep work waits longer after it (R7, T5).
# A race whose distance is not known counts as long, the safe side.
LONG_RACE_KM = 21.0


class Gap(StrEnum):
    """One row of the timing table: the fewest days between a session and a race or a hard
    workout, before or after it. Hard workouts here are the training sessions (a long run,
    tempo, intervals, hills, a race effort); races have rows of their own, except that a C
    race counts as a hard workout for what comes after it."""

    DEEP_BEFORE_MAJOR_RACE = "deep-before-major-race"  # R - D >=, A or B race
    DEEP_BEFORE_MINOR_RACE = "deep-before-minor-race"  # R - D >=, C race
    SPORTS_BEFORE_MAJOR_RACE = "sports-before-major-race"  # R - D >=, A or B race
    LIGHT_BEFORE_RACE = "light-before-race"  # R - D >=: sports before a C race, a flush any
    DEEP_BEFORE_HARD = "deep-before-hard"  # H - D >=
    LIGHT_BEFORE_HARD = "light-before-hard"  # H - D >=: sports or a flush
    DEEP_AFTER_HARD = "deep-after-hard"  # D - H >=: after a hard workout or a C race
    LIGHT_AFTER_HARD = "light-after-hard"  # D - H >=: sports or a flush
    DEEP_AFTER_LONG_RACE = "deep-after-long-race"  # D - R >=: A or B race, half or longer
    AFTER_MAJOR_RACE = "after-major-race"  # D - R >=: deep after a shorter A/B race, sports


@dataclass(frozen=True)
class Cell:
    days: int
    rules: tuple[str, ...]


@dataclass(frozen=True)
class Row:
    """A row of the table as the knowledge base states it, for the README, the rules page and
    ``rubdown rules``."""

    gap: Gap
    says: str  # "deep before an A or B race"
    measure: str  # "R - D >=" as the table prints it
    cells: Mapping[PolicyName, Cell]


@dataclass(frozen=True)
class FixedRule:
    """A rule of the table that holds the same under every policy."""

    id: str
    says: str
    rules: tuple[str, ...]


@dataclass(frozen=True)
class Policy:
    name: PolicyName
    summary: str
    cells: Mapping[Gap, Cell]

    def days(self, gap: Gap) -> int:
        return self.cells[gap].days

    def rules(self, gap: Gap) -> tuple[str, ...]:
        return self.cells[gap].rules

    @cached_property
    def longest(self) -> int:
        """The widest window of the table: no rule looks further from a day than this."""
        return max(cell.days for cell in self.cells.values())


def is_major(race: Race) -> bool:
    return race.priority is not Priority.C


def is_long(race: Race) -> bool:
    return race.distance_km is None or race.distance_km >= LONG_RACE_KM


def before_race(kind: SessionKind, race: Race) -> Gap | None:
    """Which row limits ``kind`` before ``race``; None for kinds no race window limits."""
    if kind.family is Family.DEEP:
        return Gap.DEEP_BEFORE_MAJOR_RACE if is_major(race) else Gap.DEEP_BEFORE_MINOR_RACE
    if kind is SessionKind.SPORTS:
        return Gap.SPORTS_BEFORE_MAJOR_RACE if is_major(race) else Gap.LIGHT_BEFORE_RACE
    if kind is SessionKind.FLUSH:
        return Gap.LIGHT_BEFORE_RACE
    return None


def after_race(kind: SessionKind, race: Race) -> Gap | None:
    """Which row limits ``kind`` after ``race``; a C race counts as a hard workout."""
    if not is_major(race):
        return after_hard(kind)
    if kind.family is Family.DEEP:
        return Gap.DEEP_AFTER_LONG_RACE if is_long(race) else Gap.AFTER_MAJOR_RACE
    if kind is SessionKind.SPORTS:
        return Gap.AFTER_MAJOR_RACE
    if kind is SessionKind.FLUSH:
        return Gap.LIGHT_AFTER_HARD
    return None


def before_hard(kind: SessionKind) -> Gap | None:
    if kind.family is Family.DEEP:
        return Gap.DEEP_BEFORE_HARD
    if kind in (SessionKind.SPORTS, SessionKind.FLUSH):
        return Gap.LIGHT_BEFORE_HARD
    return None


def after_hard(kind: SessionKind) -> Gap | None:
    if kind.family is Family.DEEP:
        return Gap.DEEP_AFTER_HARD
    if kind in (SessionKind.SPORTS, SessionKind.FLUSH):
        return Gap.LIGHT_AFTER_HARD
    return None


# Rules that hold whatever the policy (their day counts are fixed by the sources).
SELF_VIGOROUS_CLEAR_DAYS_BEFORE_A_RACE = 2  # T1, X2: vigorous self-work stays out of the last 2
POST_EVENT_WINDOW_DAYS = 7  # M7, T6: a post-event session belongs to the week after the event
