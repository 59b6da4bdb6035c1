"""The season planner: professional sessions placed around races, hard days and a budget.

1. The rules engine lists every (day, kind) the runner's calendar allows.
2. Each allowed day gets a worth: the frequency target (F1-F3), the good windows (the
   Tuesday/Wednesday before a weekend race, two days after the week's last hard session, a few
   days after a race), closeness to the middle of its period (even spacing), and, when
   re-planning, staying where it was before.
3. An optimiser picks the best set under one-per-period, spacing and the monthly budget (F4).
4. What the target asked for but the calendar or the budget did not allow becomes a warning.
5. A session the runner pinned to a day (``PlanRequest.pinned``) stays there, even against the
   rules (a warning says so), and the rest is planned around it as around a logged session.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from rubdown.domain.availability import WeeklyHours, within_hours
from rubdown.domain.knowledge import KnowledgeBase
from rubdown.domain.model import (
    DEEP_FAMILY,
    Family,
    Frequency,
    MassageSession,
    Priority,
    Profile,
    Race,
    Season,
    SessionKind,
)
from rubdown.domain.periods import Period, min_gap_days, period_of, periods_between
from rubdown.domain.placement import Candidate, PlacementProblem, Solver, Window
from rubdown.domain.plan import Plan, PlannedSession, Warning
from rubdown.domain.policy import POLICIES, Policy
from rubdown.domain.regions import BodyPart, Region
from rubdown.domain.rhythm import build_rhythm
from rubdown.domain.rules import SeasonIndex, check, days_word, describe_workout, show_day

MIN_HORIZON_DAYS = 12 * 7
POST_EVENT_MINUTES = 30
PRE_EVENT_MINUTES = 15
DEFAULT_RACE_START = dt.time(8, 0)

# Worth of a chosen session, in points. The spread inside one kind (window bonus, spacing)
# stays below STAY_BONUS, so a re-plan moves a session only when the rules force it.
POST_EVENT_WORTH = 10_000
DEEP_WORTH = 5_000
STAY_BONUS = 400
MAX_SPACING_PENALTY = 60

FREQUENCY_RULES = {
    Frequency.WEEKLY: ("F1", "F2", "F5"),
    Frequency.BIWEEKLY: ("F2", "F5"),
    Frequency.MONTHLY: ("F1", "F3", "F5"),
}
GENERAL_FOCUS = (BodyPart.CALF, BodyPart.HAMSTRING, BodyPart.QUAD, BodyPart.GLUTE)
EVENT_FOCUS = (Region(BodyPart.CALF), Region(BodyPart.QUAD), Region(BodyPart.HAMSTRING))


@dataclass(frozen=True)
class PlanRequest:
    season: Season  # races, workouts, logged sessions, check-ins
    profile: Profile
    start: dt.date
    end: dt.date | None = None  # default: the day after the last race, 12 weeks at least
    previous: tuple[PlannedSession, ...] = ()
    # No professional session before this day: a therapist needs notice to fit one in.
    earliest_booking: dt.date | None = None
    # The days and times the therapist works; none given: any day.
    therapist_hours: WeeklyHours = field(default_factory=WeeklyHours)
    # Professional sessions the runner put on a day themselves: kept as they are (and marked
    # ``pinned`` in the plan), and the rest is planned around them (slot, period, spacing,
    # budget), see ``_with_pins``.
    pinned: tuple[PlannedSession, ...] = ()


@dataclass(frozen=True)
class _Option:
    """A candidate with what the planner needs to describe it once chosen."""

    candidate: Candidate
    kind: SessionKind
    reason: str
    rules: tuple[str, ...]
    period: Period | None = None
    race: Race | None = None


def default_end(season: Season, start: dt.date) -> dt.date:
    last_race = max((r.day for r in season.races if r.day >= start), default=start)
    return max(last_race + dt.timedelta(days=1), start + dt.timedelta(days=MIN_HORIZON_DAYS - 1))


def build_plan(request: PlanRequest, kb: KnowledgeBase, solver: Solver) -> Plan:
    profile, season = request.profile, request.season
    start = request.start
    end = request.end or default_end(season, start)
    policy = POLICIES[profile.policy]
    pinned = tuple(replace(p, pinned=True) for p in request.pinned if start <= p.day <= end)
    season = _with_pins(season, pinned)
    index = SeasonIndex(season)
    price_cents = round(profile.session_price * 100)
    warnings: list[Warning] = []

    frequency, note = _affordable_frequency(profile)
    if note is not None:
        warnings.append(note)
    focus = _focus_regions(profile, kb)
    previous = {s.key: s for s in request.previous}

    bookable = max(start, request.earliest_booking or start)
    options = _post_event_options(season, index, policy, bookable, end, price_cents, previous)
    periods = periods_between(frequency, start, end)
    if price_cents <= round(profile.budget_per_month * 100):
        options += _deep_options(
            index, policy, periods, bookable, end, frequency, price_cents, previous
        )
    # Only a day the therapist works can be booked: the other days' options go, and a slot
    # left with none is named in a warning of its own (``closed``) rather than blamed on rules.
    hours = request.therapist_hours
    closed = {o.candidate.slot for o in options if not hours.open_on(o.candidate.day)}
    options = [o for o in options if hours.open_on(o.candidate.day)]
    closed -= {o.candidate.slot for o in options}
    windows = (
        Window(frozenset({"deep"}), min_gap_days(frequency)),
        Window(frozenset({"deep", "light"}), 2),
    )
    options = [o for o in options if not _blocked_by_pins(o.candidate, pinned, windows)]
    problem = PlacementProblem(
        candidates=tuple(o.candidate for o in options),
        windows=windows,
        monthly_cap_cents=_monthly_caps(season, profile, start, end),
    )
    placement = solver.solve(problem)
    chosen = [options[i] for i in placement.chosen]

    sessions = [within_hours(_to_session(o, profile, kb, focus, frequency), hours) for o in chosen]
    sessions += _pre_event_sessions(season, index, policy, start, end)
    sessions = [s for s in sessions if s.key not in {p.key for p in pinned}] + list(pinned)
    sessions += _self_vigorous_sessions(index, policy, sessions, start, end, focus)
    sessions.sort(key=lambda s: (s.day, s.kind.is_professional is False, s.key))

    warnings += _missed_target_warnings(
        index, policy, periods, start, end, chosen, problem, frequency, profile, closed, hours
    )
    warnings += _missed_post_event_warnings(season, start, end, chosen, profile, closed, hours)
    warnings += _pinned_warnings(index, policy, pinned)
    warnings += _red_flag_warnings(index, start, end)
    notes = [
        Warning(
            f"The sources disagree on how long before a race deep work should stop: 1-2 days "
            f"(T1), 48 hours (T2), a week (T3). This plan follows the {policy.name} policy: "
            f"{policy.summary}.",
            ("T1", "T2", "T3"),
        )
    ]
    return Plan(
        policy=policy.name,
        start=start,
        end=end,
        sessions=tuple(sessions),
        warnings=tuple(warnings),
        rhythm=build_rhythm(profile, kb),
        notes=tuple(notes),
        solver_status=placement.status,
    )


def _affordable_frequency(profile: Profile) -> tuple[Frequency, Warning | None]:
    """Fall back to a sparser cadence when the budget cannot pay for the wanted one (F4)."""
    if profile.session_price <= 0:
        return profile.frequency, None
    affordable = math.floor(profile.budget_per_month / profile.session_price + 1e-9)
    wanted = {Frequency.WEEKLY: 4, Frequency.BIWEEKLY: 2, Frequency.MONTHLY: 1}
    if affordable >= wanted[profile.frequency]:
        return profile.frequency, None
    if affordable == 0:
        return profile.frequency, Warning(
            f"A budget of {profile.budget_per_month:g} a month does not cover one session at "
            f"{profile.session_price:g}: no deep-family sessions are planned.",
            ("F4",),
        )
    fallback = Frequency.BIWEEKLY if affordable >= 2 else Frequency.MONTHLY
    return fallback, Warning(
        f"{profile.frequency.capitalize()} sessions need about "
        f"{wanted[profile.frequency] * profile.session_price:g} a month; a budget of "
        f"{profile.budget_per_month:g} pays for {affordable} at {profile.session_price:g}, "
        f"so the plan is {fallback} instead.",
        ("F4", *FREQUENCY_RULES[profile.frequency]),
    )


def _focus_regions(profile: Profile, kb: KnowledgeBase) -> tuple[Region, ...]:
    protocols = kb.protocols()
    parts: dict[BodyPart, None] = {}
    for condition in sorted(profile.conditions):
        rule = protocols.get(condition)
        if rule is not None and rule.protocol is not None:
            parts.update(dict.fromkeys(rule.protocol.focus))
    return tuple(Region(part) for part in (parts or dict.fromkeys(GENERAL_FOCUS)))


def _monthly_caps(
    season: Season, profile: Profile, start: dt.date, end: dt.date
) -> dict[tuple[int, int], int]:
    budget = round(profile.budget_per_month * 100)
    caps: dict[tuple[int, int], int] = {}
    day = start.replace(day=1)
    while day <= end:
        caps[(day.year, day.month)] = budget
        day = (day + dt.timedelta(days=32)).replace(day=1)
    for session in season.sessions:  # what was already spent counts against the month
        key = (session.day.year, session.day.month)
        if key in caps:
            caps[key] = max(0, caps[key] - round(session.price * 100))
    return caps


def _days(start: dt.date, end: dt.date) -> Iterable[dt.date]:
    for offset in range((end - start).days + 1):
        yield start + dt.timedelta(days=offset)


def _deep_options(
    index: SeasonIndex,
    policy: Policy,
    periods: list[Period],
    start: dt.date,
    end: dt.date,
    frequency: Frequency,
    price_cents: int,
    previous: dict[str, PlannedSession],
) -> list[_Option]:
    logged = _logged_periods(index.season, frequency)
    options: list[_Option] = []
    for period in periods:
        if period.key in logged:
            continue  # the runner already had this period's session
        slot = f"deep:{period.key}"
        half = max(1, period.length_days // 2)
        for day in period.days(start, end):
            if not check(index, policy, day, SessionKind.DEEP_TISSUE).allowed:
                continue
            bonus, why, rules = _window_bonus(index, policy, day)
            spacing = round(MAX_SPACING_PENALTY * abs((day - period.middle).days) / half)
            stay = STAY_BONUS if slot in previous and previous[slot].day == day else 0
            options.append(
                _Option(
                    Candidate(slot, day, "deep", DEEP_WORTH + bonus - spacing + stay, price_cents),
                    SessionKind.DEEP_TISSUE,
                    why,
                    rules,
                    period=period,
                )
            )
    return options


def _window_bonus(
    index: SeasonIndex, policy: Policy, day: dt.date
) -> tuple[int, str, tuple[str, ...]]:
    """The good windows the sources name, best first; (0, "", ()) when none applies."""
    for race in index.races_between(
        day, day + dt.timedelta(days=policy.deep_days_before_major_race + 3)
    ):
        gap = (race.day - day).days
        if gap >= policy.deep_days_before(race.priority):
            return (
                60,
                f"{show_day(day)}: the last good window before {race.name}",
                (*policy.race_window_rules,),
            )
    for race in index.races_between(day - dt.timedelta(days=5), day - dt.timedelta(days=2)):
        return 50, f"recovery a few days after {race.name}, once race soreness has eased", ("T5",)
    two_days_ago = day - dt.timedelta(days=2)
    for hard in index.hard_days_between(two_days_ago, two_days_ago):
        return 40, f"two days after {hard.what}, so soreness does not stack", ("T5",)
    return 0, "", ()


def _post_event_options(
    season: Season,
    index: SeasonIndex,
    policy: Policy,
    start: dt.date,
    end: dt.date,
    price_cents: int,
    previous: dict[str, PlannedSession],
) -> list[_Option]:
    options: list[_Option] = []
    for race in season.races:
        if race.priority is Priority.C:
            continue
        if _post_event_logged(season, race):
            continue
        slot = f"post-event:{_race_key(race)}"
        for offset, worth in ((1, POST_EVENT_WORTH), (2, POST_EVENT_WORTH - 1_000)):
            day = race.day + dt.timedelta(days=offset)
            if not start <= day <= end:
                continue
            if not check(index, policy, day, SessionKind.POST_EVENT).allowed:
                continue
            stay = STAY_BONUS if slot in previous and previous[slot].day == day else 0
            options.append(
                _Option(
                    Candidate(slot, day, "light", worth + stay, price_cents),
                    SessionKind.POST_EVENT,
                    f"light flush the day after {race.name} to help recovery",
                    ("T6", "M7"),
                    race=race,
                )
            )
    return options


def _logged_periods(season: Season, frequency: Frequency) -> set[str]:
    """Periods whose deep-family session the runner already had (it counts toward F1-F3),
    or pinned; a pinned session's first period needs no replacement either."""
    served = {
        period_of(frequency, s.day).key for s in season.sessions if s.kind.family is Family.DEEP
    }
    first = f"{PIN_ID}deep:"
    return served | {s.id.removeprefix(first) for s in season.sessions if s.id.startswith(first)}


def _post_event_logged(season: Season, race: Race) -> bool:
    return any(
        (s.kind is SessionKind.POST_EVENT and 1 <= (s.day - race.day).days <= 2)
        or s.id == f"{PIN_ID}post-event:{_race_key(race)}"
        for s in season.sessions
    )


PIN_ID = "pinned:"  # the id a pinned session carries in the season the planner works with


def _with_pins(season: Season, pinned: tuple[PlannedSession, ...]) -> Season:
    """The season with the pinned sessions in it as if logged, so the plan works around them
    as it does around logged ones: their period needs no other session (F1-F3), their price
    counts against the month (F4) and the rules see them (T8); their id names their slot."""
    if not pinned:
        return season
    as_logged = tuple(
        MassageSession(p.day, p.kind, p.regions, p.price, id=f"{PIN_ID}{p.key}") for p in pinned
    )
    return season.with_sessions((*season.sessions, *as_logged))


def _blocked_by_pins(
    candidate: Candidate, pinned: tuple[PlannedSession, ...], windows: tuple[Window, ...]
) -> bool:
    """A candidate for a pinned session's slot, or too close to a pinned session for one of
    the spacing windows (the optimiser only spaces the candidates it chooses)."""
    for pin in pinned:
        if candidate.slot == pin.key:
            return True
        group = "deep" if pin.kind.family is Family.DEEP else "light"
        for window in windows:
            close = abs((candidate.day - pin.day).days) < window.days
            if close and group in window.groups and candidate.group in window.groups:
                return True
    return False


def _pinned_warnings(
    index: SeasonIndex, policy: Policy, pinned: tuple[PlannedSession, ...]
) -> list[Warning]:
    """A pinned session stays where the runner put it, even where the rules (now) say no: the
    plan says so instead of moving it."""
    warnings = []
    for pin in pinned:
        verdict = check(index, policy, pin.day, pin.kind)
        if verdict.allowed:
            continue
        reasons = "; ".join(f.reason for f in verdict.findings if f.forbids)
        warnings.append(
            Warning(
                f"You put the {pin.kind.label} on {show_day(pin.day)} yourself, but the rules "
                f"advise against it there: {reasons}.",
                tuple(dict.fromkeys(r for f in verdict.findings if f.forbids for r in f.rules)),
            )
        )
    return warnings


def _race_key(race: Race) -> str:
    """A race's sessions are keyed by the race, so they keep their identity when it moves."""
    return race.id or f"{race.name}@{race.day}"


def _deep_kind(
    profile: Profile, kb: KnowledgeBase, period: Period
) -> tuple[SessionKind, tuple[str, ...]]:
    """The kind of deep work the runner's conditions call for, alternating between them."""
    protocols = kb.protocols()
    kinds: list[SessionKind] = []
    rules: list[str] = []
    for condition in sorted(profile.conditions):
        rule = protocols.get(condition)
        if rule is None or rule.protocol is None:
            continue
        professional = [k for k in rule.protocol.professional if k in DEEP_FAMILY]
        if professional:
            rules.append(rule.id)
        kinds += [k for k in professional if k not in kinds]
    if not kinds:
        kinds = [SessionKind.SPORTS]
    # A stable turn per period, so a re-plan does not swap the kinds of untouched sessions.
    first = period.first
    turn = first.year * 12 + first.month if first.day == 1 else first.toordinal() // 7
    return kinds[turn % len(kinds)], tuple(rules)


def _modality_rule(kb: KnowledgeBase, kind: SessionKind) -> tuple[str, ...]:
    return tuple(r.id for r in kb.rules.values() if r.kind is kind)[:1]


def _to_session(
    option: _Option,
    profile: Profile,
    kb: KnowledgeBase,
    focus: tuple[Region, ...],
    frequency: Frequency,
) -> PlannedSession:
    candidate = option.candidate
    price = candidate.price_cents / 100
    if option.kind is SessionKind.POST_EVENT:
        return PlannedSession(
            key=candidate.slot,
            day=candidate.day,
            kind=SessionKind.POST_EVENT,
            regions=EVENT_FOCUS,
            price=price,
            reason=option.reason,
            rules=(*option.rules, "F4"),
            start_time=profile.session_time,
            duration_min=POST_EVENT_MINUTES,
        )
    assert option.period is not None
    kind, condition_rules = _deep_kind(profile, kb, option.period)
    conditions = ", ".join(c.replace("-", " ") for c in sorted(profile.conditions))
    reason = f"your {frequency} {kind.label}" + (f" for {conditions}" if conditions else "")
    if option.reason:
        reason += f"; {option.reason}"
    rules = (
        *_modality_rule(kb, kind),
        *FREQUENCY_RULES[frequency],
        *condition_rules,
        *option.rules,
        "F4",
    )
    return PlannedSession(
        key=candidate.slot,
        day=candidate.day,
        kind=kind,
        regions=focus,
        price=price,
        reason=reason,
        rules=tuple(dict.fromkeys(rules)),
        start_time=profile.session_time,
        duration_min=profile.session_minutes,
    )


def _pre_event_sessions(
    season: Season, index: SeasonIndex, policy: Policy, start: dt.date, end: dt.date
) -> list[PlannedSession]:
    sessions = []
    for race in season.races:
        if race.priority is Priority.C or not start <= race.day <= end:
            continue
        if not check(index, policy, race.day, SessionKind.PRE_EVENT).allowed:
            continue
        race_start = race.start_time or DEFAULT_RACE_START
        begin = dt.datetime.combine(race.day, race_start) - dt.timedelta(minutes=45)
        sessions.append(
            PlannedSession(
                key=f"pre-event:{_race_key(race)}",
                day=race.day,
                kind=SessionKind.PRE_EVENT,
                regions=EVENT_FOCUS,
                price=0.0,
                reason=f"optional: a short warming massage at the start of {race.name}, if the "
                "race offers one; nothing deep",
                rules=("T4", "M6"),
                start_time=begin.time(),
                duration_min=PRE_EVENT_MINUTES,
            )
        )
    return sessions


def _self_vigorous_sessions(
    index: SeasonIndex,
    policy: Policy,
    planned: list[PlannedSession],
    start: dt.date,
    end: dt.date,
    focus: tuple[Region, ...],
) -> list[PlannedSession]:
    """Post-run point work on hard-workout days, never two days running (T8, T10)."""
    deep_days = {s.day for s in planned if s.kind.family is Family.DEEP}
    sessions: list[PlannedSession] = []
    for workout in sorted(index.season.workouts, key=lambda w: w.day):
        day = workout.day
        if not workout.is_hard or not start <= day <= end:
            continue
        if day in deep_days or day - dt.timedelta(days=1) in deep_days:
            continue  # X2: no hard self-work on top of yesterday's professional deep work
        if index.red_flags(day):
            continue  # X1: while any region has a red flag, self-work stays light everywhere
        if not check(index, policy, day, SessionKind.SELF_VIGOROUS, focus).allowed:
            continue
        session = PlannedSession(
            key=f"self-vigorous:{day}",
            day=day,
            kind=SessionKind.SELF_VIGOROUS,
            regions=focus,
            price=0.0,
            reason=f"after {describe_workout(workout)}, while the muscles are warm: broad strokes, "
            "then firmer point work on the sore spots",
            rules=("T10", "S6", "T8"),
            duration_min=10,
        )
        sessions.append(session)
        index.add_session(MassageSession(day, SessionKind.SELF_VIGOROUS, focus))
    return sessions


def _missed_target_warnings(
    index: SeasonIndex,
    policy: Policy,
    periods: list[Period],
    start: dt.date,
    end: dt.date,
    chosen: list[_Option],
    problem: PlacementProblem,
    frequency: Frequency,
    profile: Profile,
    closed: set[str],
    hours: WeeklyHours,
) -> list[Warning]:
    filled = {o.candidate.slot for o in chosen}
    logged = _logged_periods(index.season, frequency)
    offered = {c.slot for c in problem.candidates}
    spent: dict[tuple[int, int], int] = {}
    for option in chosen:
        key = problem.month(option.candidate)
        spent[key] = spent.get(key, 0) + option.candidate.price_cents
    warnings = []
    price_cents = round(profile.session_price * 100)
    for period in periods:
        days = period.days(start, end)
        slot = f"deep:{period.key}"
        if slot in filled or period.key in logged or len(days) * 2 < period.length_days:
            continue  # done, or too little of the period lies inside the plan to expect one
        if price_cents > round(profile.budget_per_month * 100):
            continue  # already said once: the budget covers no session at all
        if slot in closed:
            warnings.append(
                Warning(
                    f"No {frequency} deep-family session in {period.label()}: the days the "
                    f"rules allow there are not days your therapist works ({hours.days_label()}).",
                    FREQUENCY_RULES[frequency],
                )
            )
            continue
        if slot not in offered:
            rules: dict[str, None] = {}
            for day in days:
                for finding in check(index, policy, day, SessionKind.DEEP_TISSUE).findings:
                    rules.update(dict.fromkeys(finding.rules))
            warnings.append(
                Warning(
                    f"No {frequency} deep-family session in {period.label()}: every day there "
                    f"is a race or hard day, the day after one, or too close before one for the "
                    f"{policy.name} policy (deep work needs an easy day before it and "
                    f"{days_word(policy.hard_free_days_after_deep)} after). An easier week, or "
                    "moving one hard session, would make room.",
                    tuple(rules),
                )
            )
            continue
        months = {(d.year, d.month) for d in days}
        short = [
            m for m in months if problem.monthly_cap_cents.get(m, 0) - spent.get(m, 0) < price_cents
        ]
        if short:
            warnings.append(
                Warning(
                    f"No {frequency} deep-family session in {period.label()}: the monthly budget "
                    f"of {profile.budget_per_month:g} is already spent there.",
                    ("F4",),
                )
            )
        else:
            warnings.append(
                Warning(
                    f"No {frequency} deep-family session in {period.label()}: the allowed days "
                    "are too close to the neighbouring sessions.",
                    FREQUENCY_RULES[frequency],
                )
            )
    return warnings


def _missed_post_event_warnings(
    season: Season,
    start: dt.date,
    end: dt.date,
    chosen: list[_Option],
    profile: Profile,
    closed: set[str],
    hours: WeeklyHours,
) -> list[Warning]:
    placed = {_race_key(o.race) for o in chosen if o.race is not None}
    warnings = []
    for race in season.races:
        day_after = race.day + dt.timedelta(days=1)
        if race.priority is Priority.C or not start <= day_after <= end:
            continue
        if _race_key(race) in placed:
            continue
        if _post_event_logged(season, race):
            continue
        if f"post-event:{_race_key(race)}" in closed:
            warnings.append(
                Warning(
                    f"No post-event session after {race.name} ({show_day(race.day)}): your "
                    f"therapist does not work the two days after it ({hours.days_label()}).",
                    ("T6",),
                )
            )
            continue
        warnings.append(
            Warning(
                f"No post-event session after {race.name} ({show_day(race.day)}): the budget of "
                f"{profile.budget_per_month:g} for that month or a red flag does not allow one.",
                ("T6", "F4"),
            )
        )
    return warnings


def _red_flag_warnings(index: SeasonIndex, start: dt.date, end: dt.date) -> list[Warning]:
    flags = index.red_flags(start)
    return [
        Warning(
            f"{quality} flagged in the {region.label} on {show_day(since)}: no massage there, "
            "and no professional session is planned while the flag stands; see a professional.",
            ("X1",),
        )
        for region, (quality, since) in sorted(flags.items(), key=lambda item: str(item[0]))
    ]
