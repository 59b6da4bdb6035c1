"""The rules engine: may this kind of massage happen on this day, and why (not)?

Every rule that speaks leaves a ``Finding`` with its rule IDs and a one-line reason in plain
words; the caller adds the sources from the knowledge base. The engine knows nothing of
storage, clocks or output formats.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from rubdown.domain.model import (
    CheckIn,
    Family,
    MassageSession,
    PainQuality,
    Priority,
    Race,
    Season,
    SessionKind,
    Workout,
)
from rubdown.domain.policy import (
    NO_DEEP_ON_OR_AFTER_HARD_DAY,
    POST_EVENT_WINDOW_DAYS,
    SELF_VIGOROUS_CLEAR_DAYS_BEFORE_A_RACE,
    Policy,
)
from rubdown.domain.regions import Region

# A red flag blocks its region from its check-in day until a later check-in clears it, but
# for two weeks at most: by then it needs a fresh look, not a standing ban on all massage.
RED_FLAG_DAYS = 14
ALTERNATIVE_SEARCH_DAYS = 60
CLEARANCE_LOOKAHEAD_DAYS = 14  # an allowed deep session names a race up to two weeks ahead


def show_day(day: dt.date) -> str:
    """``Fri 16 Apr`` — how reasons name a day."""
    return f"{day:%a} {day.day} {day:%b}"


def days_word(n: int) -> str:
    return "1 day" if n == 1 else f"{n} days"


@dataclass(frozen=True)
class Finding:
    rules: tuple[str, ...]
    reason: str
    forbids: bool = True


@dataclass(frozen=True)
class Alternative:
    day: dt.date
    kind: SessionKind
    note: str


@dataclass(frozen=True)
class Verdict:
    day: dt.date
    kind: SessionKind
    regions: tuple[Region, ...]
    policy: Policy
    findings: tuple[Finding, ...]
    alternatives: tuple[Alternative, ...] = ()

    @property
    def allowed(self) -> bool:
        return not any(f.forbids for f in self.findings)

    @property
    def rule_ids(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for finding in self.findings:
            seen.update(dict.fromkeys(finding.rules))
        return tuple(seen)


@dataclass(frozen=True)
class HardDay:
    day: dt.date
    what: str  # "your A race, Boston Marathon", "your long run"
    race: Race | None


class SeasonIndex:
    """The season, indexed by day, so that each check looks only at nearby days."""

    def __init__(self, season: Season) -> None:
        self.season = season
        self.races_by_day: dict[dt.date, list[Race]] = defaultdict(list)
        self.hard_by_day: dict[dt.date, list[HardDay]] = defaultdict(list)
        self.sessions_by_day: dict[dt.date, list[MassageSession]] = defaultdict(list)
        for race in season.races:
            self.races_by_day[race.day].append(race)
            self.hard_by_day[race.day].append(HardDay(race.day, describe_race(race), race))
        for workout in season.workouts:
            if workout.is_hard:
                self.hard_by_day[workout.day].append(
                    HardDay(workout.day, describe_workout(workout), None)
                )
        for session in season.sessions:
            self.sessions_by_day[session.day].append(session)
        self._checkins = sorted(season.checkins, key=lambda c: c.day)

    def add_session(self, session: MassageSession) -> None:
        self.sessions_by_day[session.day].append(session)

    def hard_days_between(self, first: dt.date, last: dt.date) -> Iterable[HardDay]:
        day = first
        while day <= last:
            yield from self.hard_by_day.get(day, ())
            day += dt.timedelta(days=1)

    def races_between(self, first: dt.date, last: dt.date) -> Iterable[Race]:
        day = first
        while day <= last:
            yield from self.races_by_day.get(day, ())
            day += dt.timedelta(days=1)

    def red_flags(self, day: dt.date) -> dict[Region, tuple[PainQuality, dt.date]]:
        """Regions with an uncleared red-flag pain (X1) that still applies on ``day``."""
        latest: dict[Region, tuple[CheckIn, PainQuality | None]] = {}
        for checkin in self._checkins:
            if checkin.day > day:
                break
            for region in set(checkin.soreness) | set(checkin.pain):
                latest[region] = (checkin, checkin.pain.get(region))
        flags: dict[Region, tuple[PainQuality, dt.date]] = {}
        for region, (checkin, quality) in latest.items():
            recent = (day - checkin.day).days < RED_FLAG_DAYS
            if quality is not None and quality.is_red_flag and recent:
                flags[region] = (quality, checkin.day)
        return flags


def describe_race(race: Race) -> str:
    return f"your {race.priority} race, {race.name}"


def describe_workout(workout: Workout) -> str:
    names = {"long": "long run", "race": "race effort"}
    name = names.get(workout.kind.value, f"{workout.kind.value} workout")
    return f"your {name}"


def check(
    index: SeasonIndex,
    policy: Policy,
    day: dt.date,
    kind: SessionKind,
    regions: tuple[Region, ...] = (),
) -> Verdict:
    """Judge one session; ``regions`` empty means the whole body."""
    findings: list[Finding] = []
    if kind.family is Family.DEEP:
        findings += _deep_rules(index, policy, day, kind)
    elif kind is SessionKind.PRE_EVENT:
        findings += _pre_event_rules(index, day)
    elif kind is SessionKind.POST_EVENT:
        findings += _post_event_rules(index, day)
    elif kind is SessionKind.SELF_VIGOROUS:
        findings += _self_vigorous_rules(index, day)
    findings += _red_flag_rules(index, day, kind, regions)
    return Verdict(day, kind, regions, policy, tuple(findings))


def check_with_alternatives(
    index: SeasonIndex,
    policy: Policy,
    day: dt.date,
    kind: SessionKind,
    regions: tuple[Region, ...] = (),
    *,
    earliest: dt.date | None = None,
) -> Verdict:
    """Like ``check``; a refusal also says what would be allowed instead."""
    verdict = check(index, policy, day, kind, regions)
    if verdict.allowed:
        return verdict
    alternatives: list[Alternative] = []
    lighter = {
        Family.DEEP: (SessionKind.PRE_EVENT, SessionKind.POST_EVENT, SessionKind.SELF_LIGHT),
        Family.LIGHT_PRO: (SessionKind.SELF_LIGHT,),
        Family.SELF: (SessionKind.SELF_LIGHT,),
    }[kind.family]
    for other in lighter:
        if other is not kind and check(index, policy, day, other, regions).allowed:
            alternatives.append(Alternative(day, other, f"{other.label} on the same day"))
            break
    earlier = _nearest_allowed(index, policy, day, kind, regions, -1, earliest)
    later = _nearest_allowed(index, policy, day, kind, regions, +1, earliest)
    for found in (earlier, later):
        if found is not None:
            alternatives.append(Alternative(found, kind, f"{kind.label} on {show_day(found)}"))
    return Verdict(day, kind, regions, policy, verdict.findings, tuple(alternatives))


def _nearest_allowed(
    index: SeasonIndex,
    policy: Policy,
    day: dt.date,
    kind: SessionKind,
    regions: tuple[Region, ...],
    step: int,
    earliest: dt.date | None,
) -> dt.date | None:
    for offset in range(1, ALTERNATIVE_SEARCH_DAYS + 1):
        candidate = day + dt.timedelta(days=step * offset)
        if earliest is not None and candidate < earliest:
            return None
        if check(index, policy, candidate, kind, regions).allowed:
            return candidate
    return None


def _deep_rules(
    index: SeasonIndex, policy: Policy, day: dt.date, kind: SessionKind
) -> list[Finding]:
    findings: list[Finding] = []
    label = f"{kind.label} on {show_day(day)}"
    # The pre-race window, whose length is what the policies disagree about (T1-T3).
    longest = max(policy.deep_days_before_major_race, policy.deep_days_before_minor_race)
    blocked_races: set[Race] = set()
    for race in index.races_between(day + dt.timedelta(days=1), day + dt.timedelta(days=longest)):
        gap = (race.day - day).days
        wanted = policy.deep_days_before(race.priority)
        if gap < wanted:
            blocked_races.add(race)
            findings.append(
                Finding(
                    policy.race_window_rules,
                    f"{label} is {days_word(gap)} before {describe_race(race)}; "
                    f"{policy.name} policy wants {wanted}",
                )
            )
    # T5: not on the day of a race or hard workout, nor the day after.
    before = day - dt.timedelta(days=NO_DEEP_ON_OR_AFTER_HARD_DAY)
    for hard in index.hard_days_between(before, day):
        when = "the day of" if hard.day == day else "the day after"
        findings.append(
            Finding(
                ("T5",),
                f"{label} is {when} {hard.what}; deep work waits until "
                f"{show_day(hard.day + dt.timedelta(days=NO_DEEP_ON_OR_AFTER_HARD_DAY + 1))} "
                "so two sources of soreness do not stack",
            )
        )
    if not findings:
        findings += _deep_clearances(index, policy, day, label)
    # T2/T7 (and M1's 48-72 h): the days after deep work stay free of hard efforts.
    k = policy.hard_free_days_after_deep
    for hard in index.hard_days_between(day + dt.timedelta(days=1), day + dt.timedelta(days=k)):
        if hard.race in blocked_races:
            continue
        gap = (hard.day - day).days
        findings.append(
            Finding(
                policy.recovery_rules,
                f"{label} is {days_word(gap)} before {hard.what}; {policy.name} policy keeps "
                f"{days_word(k)} after deep work free of hard running",
            )
        )
    return findings


def _deep_clearances(index: SeasonIndex, policy: Policy, day: dt.date, label: str) -> list[Finding]:
    """Say which rules were checked and passed, when a race or hard day is near."""
    notes: list[Finding] = []
    ahead = day + dt.timedelta(days=CLEARANCE_LOOKAHEAD_DAYS)
    for race in index.races_between(day + dt.timedelta(days=1), ahead):
        gap = (race.day - day).days
        notes.append(
            Finding(
                policy.race_window_rules,
                f"{label} is {days_word(gap)} before {describe_race(race)}; {policy.name} policy "
                f"allows deep work from {policy.deep_days_before(race.priority)} days out",
                forbids=False,
            )
        )
        break
    two_days_ago = day - dt.timedelta(days=NO_DEEP_ON_OR_AFTER_HARD_DAY + 1)
    for hard in index.hard_days_between(two_days_ago, two_days_ago):
        notes.append(
            Finding(
                ("T5",),
                f"{hard.what} was 2 days earlier: its soreness has had time to settle",
                forbids=False,
            )
        )
        break
    return notes


def _pre_event_rules(index: SeasonIndex, day: dt.date) -> list[Finding]:
    races = index.races_by_day.get(day, [])
    if races:
        return [
            Finding(("T4",), f"warming pre-event work on race day is fine ({races[0].name})", False)
        ]
    return [
        Finding(
            ("T4", "M6"),
            f"pre-event massage belongs to race day, and {show_day(day)} has no race",
        )
    ]


def _post_event_rules(index: SeasonIndex, day: dt.date) -> list[Finding]:
    if index.races_by_day.get(day):
        race = index.races_by_day[day][0]
        return [
            Finding(
                ("T6", "M7"),
                f"post-event massage comes the day after the event, not on race day "
                f"({race.name}); book {show_day(day + dt.timedelta(days=1))}",
            )
        ]
    window_start = day - dt.timedelta(days=POST_EVENT_WINDOW_DAYS)
    recent = list(index.races_between(window_start, day - dt.timedelta(days=1)))
    if recent:
        race = recent[-1]
        gap = (day - race.day).days
        return [
            Finding(
                ("T6", "M7"),
                f"light post-event work {days_word(gap)} after {race.name} helps recovery",
                False,
            )
        ]
    return [
        Finding(
            ("T6", "M7"),
            f"post-event massage follows a race, and no race falls in the "
            f"{POST_EVENT_WINDOW_DAYS} days before {show_day(day)}",
        )
    ]


def _self_vigorous_rules(index: SeasonIndex, day: dt.date) -> list[Finding]:
    findings: list[Finding] = []
    for offset in (-1, 0, 1):
        other_day = day + dt.timedelta(days=offset)
        for session in index.sessions_by_day.get(other_day, []):
            if session.kind is SessionKind.SELF_VIGOROUS:
                relation = {-1: "the day after", 0: "the same day as", 1: "the day before"}[offset]
                findings.append(
                    Finding(
                        ("T8",),
                        f"vigorous self-massage on {show_day(day)} is {relation} another "
                        f"vigorous bout ({show_day(other_day)}); the muscles need a day off",
                    )
                )
    last = day + dt.timedelta(days=SELF_VIGOROUS_CLEAR_DAYS_BEFORE_A_RACE)
    for race in index.races_between(day, last):
        if race.priority is Priority.A:
            gap = (race.day - day).days
            when = "on the day of" if gap == 0 else f"{days_word(gap)} before"
            findings.append(
                Finding(
                    ("T1", "X2"),
                    f"vigorous self-massage on {show_day(day)} is {when} {describe_race(race)}; "
                    f"keep the last {SELF_VIGOROUS_CLEAR_DAYS_BEFORE_A_RACE} days light",
                )
            )
    return findings


def _red_flag_rules(
    index: SeasonIndex, day: dt.date, kind: SessionKind, regions: tuple[Region, ...]
) -> list[Finding]:
    findings: list[Finding] = []
    for region, (quality, since) in sorted(
        index.red_flags(day).items(), key=lambda item: str(item[0])
    ):
        if regions and not any(region.overlaps(r) for r in regions):
            continue
        scope = "that region" if regions else "it: name the other regions to work on"
        findings.append(
            Finding(
                ("X1",),
                f"{_symptom(quality)} in the {region.label} (check-in of {show_day(since)}): "
                f"no {kind.label} on {scope}; see a professional about it",
            )
        )
    return findings


def _symptom(quality: PainQuality) -> str:
    return "sharp pain" if quality is PainQuality.SHARP else str(quality)
