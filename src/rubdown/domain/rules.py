"""The rules engine: may this kind of massage happen on this day, and why (not)?

Every rule that speaks leaves a ``Finding`` with its rule IDs and a one-line reason in plain
words; the caller adds the sources from the knowledge base. The engine knows nothing of
storage, clocks or output formats.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from rubdown.domain.model import (
    Family,
    MassageSession,
    PainQuality,
    Race,
    Season,
    SessionKind,
    Workout,
)
from rubdown.domain.policy import (
    POST_EVENT_WINDOW_DAYS,
    SELF_VIGOROUS_CLEAR_DAYS_BEFORE_A_RACE,
    Gap,
    Policy,
    after_hard,
    after_race,
    before_hard,
    before_race,
    is_long,
    is_major,
)
from rubdown.domain.regions import Region, Side
from rubdown.domain.safety import Flag, FlagKind, blocked, light_only, standing_flags, touches

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
        self._flags: dict[dt.date, tuple[Flag, ...]] = {}
        # Sorted days, so a range is two bisections rather than a walk day by day.
        self._hard_days = sorted(self.hard_by_day)
        self._race_days = sorted(self.races_by_day)

    def add_session(self, session: MassageSession) -> None:
        self.sessions_by_day[session.day].append(session)

    def hard_days_between(self, first: dt.date, last: dt.date) -> Iterable[HardDay]:
        days = self._hard_days
        for i in range(bisect_left(days, first), bisect_right(days, last)):
            yield from self.hard_by_day[days[i]]

    def races_between(self, first: dt.date, last: dt.date) -> Iterable[Race]:
        days = self._race_days
        for i in range(bisect_left(days, first), bisect_right(days, last)):
            yield from self.races_by_day[days[i]]

    def hard_workouts_between(self, first: dt.date, last: dt.date) -> Iterable[HardDay]:
        """Hard training days (not races, which have rows of their own) in the range."""
        return (hard for hard in self.hard_days_between(first, last) if hard.race is None)

    def flags(self, day: dt.date) -> tuple[Flag, ...]:
        """Every red flag and warning sign standing on ``day`` (``domain.safety``)."""
        if day not in self._flags:
            self._flags[day] = standing_flags(self._checkins, day)
        return self._flags[day]

    def red_flags(self, day: dt.date) -> dict[Region, tuple[PainQuality, dt.date]]:
        """The regions of the standing red flags (X1), with the worst pain and its day."""
        flags: dict[Region, tuple[PainQuality, dt.date]] = {}
        for flag in self.flags(day):
            if flag.kind is FlagKind.RED_FLAG:
                quality = PainQuality.SHARP if flag.what == "sharp pain" else PainQuality(flag.what)
                flags[flag.region] = (quality, flag.seen)
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
    *,
    explain: bool = True,
) -> Verdict:
    """Judge one session; ``regions`` empty means the whole body.

    Safety findings (red flags and warning signs) come first: they always win. With
    ``explain`` off, the rules that passed are not described (the planner only needs yes
    or no, thousands of times).
    """
    findings = _safety_rules(index, day, kind, regions)
    # Under a flag that refuses the session, the timing rules that passed go unsaid: "allowed
    # from 3 days out" beside a refusal reads as a yes.
    explain = explain and not any(f.forbids for f in findings)
    if kind is SessionKind.PRE_EVENT:
        findings += _pre_event_rules(index, day)
    elif kind is SessionKind.POST_EVENT:
        findings += _post_event_rules(index, day)
    elif kind.family in (Family.DEEP, Family.SPORTS) or kind is SessionKind.FLUSH:
        findings += _professional_rules(index, policy, day, kind, explain)
    elif kind is SessionKind.SELF_VIGOROUS:
        findings += _self_vigorous_rules(index, day)
    return Verdict(day, kind, regions, policy, tuple(findings))


# What to offer instead, lightest last: the first of these the day allows is named.
LIGHTER: dict[Family, tuple[SessionKind, ...]] = {
    Family.DEEP: (SessionKind.SPORTS, SessionKind.FLUSH, SessionKind.SELF_LIGHT),
    Family.SPORTS: (SessionKind.FLUSH, SessionKind.SELF_LIGHT),
    Family.LIGHT_PRO: (SessionKind.SELF_LIGHT,),
    Family.SELF: (SessionKind.SELF_LIGHT,),
}


def check_with_alternatives(
    index: SeasonIndex,
    policy: Policy,
    day: dt.date,
    kind: SessionKind,
    regions: tuple[Region, ...] = (),
    *,
    earliest: dt.date | None = None,
) -> Verdict:
    """Like ``check``; a refusal also says what would be allowed instead. An alternative is
    itself allowed by ``check`` for the same regions, so it never touches what a flag blocks."""
    verdict = check(index, policy, day, kind, regions)
    if verdict.allowed:
        return verdict
    alternatives: list[Alternative] = []
    for other in LIGHTER[kind.family]:
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


def _professional_rules(
    index: SeasonIndex, policy: Policy, day: dt.date, kind: SessionKind, explain: bool = True
) -> list[Finding]:
    """Deep work, sports massage and a flush, against the races and hard workouts around
    the day (the policy's table) and on the day itself (T5, T7). Without ``explain`` the
    first refusal answers, with no reason written: the planner asks only yes or no."""
    findings: list[Finding] = []
    for race in index.races_by_day.get(day, ()):
        if not explain:
            return [Finding(("T5", "T7"), "")]
        findings.append(
            Finding(
                ("T5", "T7"),
                f"{_label(kind, day)} is the day of {describe_race(race)}: no professional "
                "session on race day, only pre-event work before the start and a post-event "
                "flush after the finish",
            )
        )
    for hard in index.hard_workouts_between(day, day):
        if not explain:
            return [Finding(("T5", "T7"), "")]
        findings.append(
            Finding(
                ("T5", "T7"),
                f"{_label(kind, day)} is the day of {hard.what}: no professional session on a "
                "hard day",
            )
        )
    longest = policy.longest
    close: list[tuple[Gap | None, int, str, Race | HardDay]] = []
    for race in index.races_between(day + _days(1), day + _days(longest)):
        close.append((before_race(kind, race), (race.day - day).days, "before", race))
    gap = before_hard(kind)
    if gap is not None:
        for hard in index.hard_workouts_between(day + _days(1), day + _days(policy.days(gap))):
            close.append((gap, (hard.day - day).days, "before", hard))
    for race in index.races_between(day - _days(longest), day - _days(1)):
        close.append((after_race(kind, race), (day - race.day).days, "after", race))
    gap = after_hard(kind)
    if gap is not None:
        for hard in index.hard_workouts_between(day - _days(policy.days(gap)), day - _days(1)):
            close.append((gap, (day - hard.day).days, "after", hard))
    for row, apart, relation, other in close:
        if row is None or apart >= policy.days(row):
            continue
        if not explain:
            return [Finding(policy.rules(row), "")]
        findings.append(_too_close(policy, row, apart, kind, day, relation, other))
    if not findings and explain:
        findings += _clearances(index, policy, day, kind, _label(kind, day))
    return findings


_DAY_STEPS = tuple(dt.timedelta(days=n) for n in range(367))


def _days(n: int) -> dt.timedelta:
    return _DAY_STEPS[n] if 0 <= n < len(_DAY_STEPS) else dt.timedelta(days=n)


def _label(kind: SessionKind, day: dt.date) -> str:
    return f"{kind.label} on {show_day(day)}"


def _too_close(
    policy: Policy,
    gap: Gap,
    apart: int,
    kind: SessionKind,
    day: dt.date,
    relation: str,
    other: Race | HardDay,
) -> Finding:
    wanted = policy.days(gap)
    what = describe_race(other) if isinstance(other, Race) else other.what
    reason = (
        f"{_label(kind, day)} is {days_word(apart)} {relation} {what}; {policy.name} policy "
        f"wants {wanted}"
    )
    if gap is Gap.DEEP_AFTER_LONG_RACE:
        reason += ", until the legs are no longer sore to the touch"
    return Finding(policy.rules(gap), reason)


def _clearances(
    index: SeasonIndex, policy: Policy, day: dt.date, kind: SessionKind, label: str
) -> list[Finding]:
    """Say which rules were checked and passed, when a race or hard day is near."""
    notes: list[Finding] = []
    for race in index.races_between(day + _days(1), day + _days(CLEARANCE_LOOKAHEAD_DAYS)):
        gap = before_race(kind, race)
        if gap is not None:
            notes.append(
                Finding(
                    policy.rules(gap),
                    f"{label} is {days_word((race.day - day).days)} before "
                    f"{describe_race(race)}; {policy.name} policy allows it from "
                    f"{days_word(policy.days(gap))} out",
                    forbids=False,
                )
            )
        break
    gap = after_hard(kind)
    if gap is not None:
        for hard in index.hard_days_between(day - _days(2), day - _days(1)):
            apart = (day - hard.day).days
            notes.append(
                Finding(
                    policy.rules(gap),
                    f"{hard.what} was {days_word(apart)} earlier: enough for {kind.label} under "
                    f"the {policy.name} policy, so soreness does not stack",
                    forbids=False,
                )
            )
            break
    if kind is SessionKind.FLUSH:
        notes.append(Finding(("R6",), "a light flush fits any easy day", forbids=False))
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
    races_today = index.races_by_day.get(day, [])
    if races_today:
        return [
            Finding(
                ("T6", "M7", "M6"),
                f"a short, light flush after the finish of {races_today[0].name} is fine, as at "
                "a race's massage tent; nothing deep",
                False,
            )
        ]
    findings = [
        Finding(("T5", "T7"), f"post-event massage on {show_day(day)} is the day of {hard.what}")
        for hard in index.hard_workouts_between(day, day)
    ]
    window_start = day - _days(POST_EVENT_WINDOW_DAYS)
    recent = [r for r in index.races_between(window_start, day - _days(1)) if is_major(r)]
    if recent:
        race = recent[-1]
        gap = (day - race.day).days
        reason = f"light post-event work {days_word(gap)} after {race.name} helps recovery"
        findings.append(Finding(("T6", "M7"), reason, False))
        return findings
    findings.append(
        Finding(
            ("T6", "M7"),
            f"post-event massage follows an A or B race, and none falls in the "
            f"{POST_EVENT_WINDOW_DAYS} days before {show_day(day)}",
        )
    )
    return findings


def _self_vigorous_rules(index: SeasonIndex, day: dt.date) -> list[Finding]:
    """The one source of truth for vigorous self-massage: the plan and today's routines both
    ask this (T8, T1, X2, T5, T6, M1)."""
    label = f"vigorous self-massage on {show_day(day)}"
    findings: list[Finding] = []
    for offset in (-1, 0, 1):
        other_day = day + _days(offset)
        for session in index.sessions_by_day.get(other_day, []):
            if session.kind is SessionKind.SELF_VIGOROUS:
                relation = {-1: "the day after", 0: "the same day as", 1: "the day before"}[offset]
                findings.append(
                    Finding(
                        ("T8",),
                        f"{label} is {relation} another vigorous bout ({show_day(other_day)}); "
                        "the muscles need a day off",
                    )
                )
                break
    last = day + _days(SELF_VIGOROUS_CLEAR_DAYS_BEFORE_A_RACE)
    for race in index.races_between(day, last):
        if is_major(race):
            gap = (race.day - day).days
            when = "the day of" if gap == 0 else f"{days_word(gap)} before"
            findings.append(
                Finding(
                    ("T1", "X2"),
                    f"{label} is {when} {describe_race(race)}; keep the last "
                    f"{SELF_VIGOROUS_CLEAR_DAYS_BEFORE_A_RACE} days light",
                )
            )
            break
    for race in index.races_between(day - _days(1), day - _days(1)):
        if is_major(race) and is_long(race):
            findings.append(
                Finding(
                    ("T5", "T6"),
                    f"{label} is the day after {describe_race(race)}: light work only today",
                )
            )
    for offset in (0, -1):
        other_day = day + _days(offset)
        deep = [s for s in index.sessions_by_day.get(other_day, []) if s.kind.family is Family.DEEP]
        if deep:
            when = "the same day as" if offset == 0 else "the day after"
            findings.append(
                Finding(
                    ("M1", "X2"),
                    f"{label} is {when} your {deep[0].kind.label} ({show_day(other_day)}); deep "
                    "work takes days to absorb, so no hard tools on top of it",
                )
            )
    return findings


def after_window_findings(index: SeasonIndex, policy: Policy, day: dt.date) -> list[Finding]:
    """A race or hard workout on ``day`` that falls inside the recovery window of a logged,
    booked or planned professional session before it (the table's "before" rows, read from
    the session's side). Used where the runner meets the hard day: adding a workout, today,
    why, the plan."""
    hard_today = list(index.hard_days_between(day, day))
    if not hard_today:
        return []
    findings: list[Finding] = []
    for back in range(1, policy.longest + 1):
        session_day = day - _days(back)
        for session in index.sessions_by_day.get(session_day, []):
            for hard in hard_today:
                gap = (
                    before_race(session.kind, hard.race)
                    if hard.race is not None
                    else before_hard(session.kind)
                )
                if gap is None or back >= policy.days(gap):
                    continue
                findings.append(
                    Finding(
                        policy.rules(gap),
                        f"{hard.what} on {show_day(day)} is {days_word(back)} after your "
                        f"{session.kind.label} on {show_day(session_day)}; {policy.name} policy "
                        f"keeps {days_word(policy.days(gap))} between them, so move one of them "
                        "or keep the run easy",
                    )
                )
    return findings


def _safety_rules(
    index: SeasonIndex, day: dt.date, kind: SessionKind, regions: tuple[Region, ...]
) -> list[Finding]:
    """Red flags and warning signs: whatever a flag blocks, no kind of massage touches (X1,
    R5, R3); around a fresh injury only light work (R3); heel pain asks for a professional
    (R4). A flag elsewhere is named without forbidding, so no answer ever sounds as if no
    flag stood."""
    findings: list[Finding] = []
    flags = index.flags(day)
    for flag in flags:
        whole_body = not regions
        hits_block = whole_body or any(touches(r, flag.blocks) for r in regions)
        hits_light = whole_body or any(touches(r, flag.light_only) for r in regions)
        scope = "it: name the other regions to work on" if whole_body else "that region"
        if flag.blocks and hits_block:
            findings.append(Finding(flag.rules, f"{_flag_words(flag)}: no {kind.label} on {scope}"))
        elif flag.light_only and hits_light and not _is_light(kind):
            findings.append(
                Finding(
                    flag.rules,
                    f"{_flag_words(flag)}: only light work next to it, not {kind.label}",
                )
            )
        elif flag.kind is FlagKind.HEEL_PAIN:
            findings.append(Finding(flag.rules, flag.message(), forbids=False))
        else:
            findings.append(
                Finding(
                    flag.rules,
                    f"{_flag_words(flag)} stands, away from the regions named",
                    forbids=False,
                )
            )
    return findings


def _is_light(kind: SessionKind) -> bool:
    return kind in (
        SessionKind.FLUSH,
        SessionKind.PRE_EVENT,
        SessionKind.POST_EVENT,
        SessionKind.SELF_LIGHT,
    )


def _flag_words(flag: Flag) -> str:
    where = f"in the {flag.region.label}"
    if flag.kind is FlagKind.CLOT:
        return f"{flag.what} {where} may be a clot: see a doctor today"
    if flag.kind is FlagKind.FRESH_INJURY:
        return f"{flag.what} {where} ({show_day(flag.since)})"
    text = f"{flag.what} {where} (check-in of {show_day(flag.seen)})"
    if flag.stale:
        text += ", not checked for two weeks: has it settled?"
    return text


def safe_regions(
    index: SeasonIndex, day: dt.date, wanted: tuple[Region, ...], *, light: bool
) -> tuple[Region, ...]:
    """``wanted`` less whatever the day's flags keep that kind of work off, one side at a
    time; both sides left of a part become the side-less region again."""
    flags = index.flags(day)
    if not flags:
        return wanted
    off = set(blocked(flags)) | (set() if light else set(light_only(flags)))
    kept: list[Region] = []
    for region in wanted:
        sides = _sides_of(region)
        left = [side for side in sides if not any(side.overlaps(o) for o in off)]
        if len(left) == len(sides):
            kept.append(region)
        else:
            kept += left
    return tuple(kept)


def _sides_of(region: Region) -> tuple[Region, ...]:
    if region.part.paired and region.side is None:
        return (Region(region.part, Side.LEFT), Region(region.part, Side.RIGHT))
    return (region,)
