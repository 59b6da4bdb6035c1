"""The season planner: professional sessions placed around races, hard days and a budget.

1. The rules engine lists every (day, kind) the runner's calendar allows: deep work (the kind
   the runner's conditions call for), sports massage and a light flush, each with the regions
   that no standing flag keeps it off.
2. Each allowed option gets a worth: deep work first, once a month (F3), then sports massage
   and a flush in the other periods of the frequency target (F1, F2, F5); the good windows (a
   recovery week, the Tuesday or Wednesday before a weekend race, the table's days after a
   race, two days after a hard session), closeness to the middle of the period, and, when
   re-planning, staying where it was before.
3. An optimiser picks the best set under one session per period, spacing, one deep session a
   month, and the monthly budget with each kind at its own price (F4).
4. What the target asked for but the calendar or the budget did not allow becomes a warning,
   grouped when it repeats; a month with no day for deep work names the moves of hard
   sessions that would open one.
5. A session the runner pinned (``PlanRequest.pinned``) or booked (a logged session dated in
   the plan) stays where it is; the plan is made around it and says when the rules advise
   against it.
6. Vigorous self-massage goes after hard days where ``check`` allows it, the same question
   today's routines ask, so the two always agree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from rubdown.domain.availability import WeeklyHours, within_hours
from rubdown.domain.dates import LAST_DAY, YEARS, split_by_years
from rubdown.domain.knowledge import KnowledgeBase
from rubdown.domain.model import (
    DEEP_FAMILY,
    Family,
    Frequency,
    MassageSession,
    Profile,
    Race,
    Season,
    SessionKind,
    Workout,
)
from rubdown.domain.periods import (
    Period,
    min_gap_days,
    period_of,
    periods_between,
    sessions_per_month,
)
from rubdown.domain.placement import Candidate, PlacementProblem, Solver, Window
from rubdown.domain.plan import Plan, PlannedSession, Warning
from rubdown.domain.policy import Gap, Policy, after_race, before_race, is_major
from rubdown.domain.regions import BodyPart, Region
from rubdown.domain.rhythm import build_rhythm
from rubdown.domain.rules import (
    SeasonIndex,
    after_window_findings,
    check,
    describe_workout,
    safe_regions,
    show_day,
)

MIN_HORIZON_DAYS = 12 * 7
# How the warning about rows outside the accepted years begins (``within_years``).
LEFT_OUT = "Left out of the plan, as their dates are outside the years "
# The longest plan made without an end date, as long as the longest one asked for (the
# services' MAX_PLAN_DAYS): a race in 2150 would otherwise make a plan of a century and a
# half, seconds of solving on every change, for sessions nobody books that far ahead.
MAX_DEFAULT_HORIZON_DAYS = 3 * 366
DEFAULT_RACE_START = dt.time(8, 0)
POST_EVENT_DAYS = (1, 2, 3)  # post-event work is best the day after (T6), a little later will do

# Worth of a chosen session, in points. The spread inside one kind (window bonus, spacing)
# stays below STAY_BONUS, so a re-plan moves a session only when the rules force it. The
# month's deep session is worth most (F3), then the flush after an A or B race (T6), then
# sports massage and a flush for the other periods of the frequency target.
DEEP_WORTH = 10_000
POST_EVENT_WORTH = 7_000
SPORTS_WORTH = 4_000
FLUSH_WORTH = 3_000
WORTH = {Family.DEEP: DEEP_WORTH, Family.SPORTS: SPORTS_WORTH, Family.LIGHT_PRO: FLUSH_WORTH}
STAY_BONUS = 400
MAX_SPACING_PENALTY = 60
DEEP_SPACING_DAYS = 14  # two deep sessions at least two weeks apart
ANY_SPACING_DAYS = 2  # no two professional sessions on consecutive days
HEAVY_HARD_DAYS_A_WEEK = 3  # from this many hard days a week, F1/F2 point to weekly sessions
# A build: fitness rising this many CTL points a week or more (the low end of the 5-8 a week
# coaches call a steady build, research note section 2.3) also counts as heavy training.
RISING_RAMP_PER_WEEK = 5.0
MOVE_TRIES = (-1, 1, -2, 2)  # how far a hard session may move to open a deep window
DAYS_PER_KIND_AND_SLOT = 3  # candidates the optimiser weighs per kind and period
MAX_HINT_MONTHS = 3  # months whose deep-window options the warning spells out

FREQUENCY_RULES = {
    Frequency.WEEKLY: ("F1", "F2", "F5"),
    Frequency.BIWEEKLY: ("F2", "F5"),
    Frequency.MONTHLY: ("F1", "F3", "F5"),
}
SESSIONS_A_MONTH = {Frequency.WEEKLY: 4, Frequency.BIWEEKLY: 2, Frequency.MONTHLY: 1}
GENERAL_FOCUS = (BodyPart.CALF, BodyPart.HAMSTRING, BodyPart.QUAD, BodyPart.GLUTE)
EVENT_FOCUS = (Region(BodyPart.CALF), Region(BodyPart.QUAD), Region(BodyPart.HAMSTRING))
PERIODIC_GROUPS = frozenset({"deep", "sports", "flush"})
ALL_GROUPS = PERIODIC_GROUPS | {"post"}


@dataclass(frozen=True)
class PlanRequest:
    season: Season  # races, workouts, logged and booked sessions, check-ins
    profile: Profile
    start: dt.date
    end: dt.date | None = None  # default: the day after the last race, 12 weeks at least
    previous: tuple[PlannedSession, ...] = ()
    # No professional session before this day: a therapist needs notice to fit one in.
    earliest_booking: dt.date | None = None
    # The days and times the therapist works; none given: any day.
    therapist_hours: WeeklyHours = field(default_factory=WeeklyHours)
    # Professional sessions the runner put on a day themselves: kept as they are (and marked
    # ``pinned`` in the plan), and the rest is planned around them.
    pinned: tuple[PlannedSession, ...] = ()
    # How fast fitness (CTL) was rising in the week before the plan starts, in points per week;
    # None when there is no training history to say.
    fitness_ramp_per_week: float | None = None


@dataclass(frozen=True)
class _Option:
    """A candidate with what the planner needs to describe it once chosen."""

    candidate: Candidate
    kind: SessionKind
    regions: tuple[Region, ...]
    reason: str
    rules: tuple[str, ...]
    period: Period | None = None
    race: Race | None = None


@dataclass
class _Context:
    request: PlanRequest
    kb: KnowledgeBase
    policy: Policy
    index: SeasonIndex
    start: dt.date
    end: dt.date
    bookable: dt.date
    focus: tuple[Region, ...]
    deep_kind_rules: tuple[str, ...]
    frequency: Frequency
    previous: dict[str, PlannedSession]
    # The months the optimiser gave a deep session, so a lighter session can say why it is not
    # deep work truthfully (filled in once the placement is known).
    deep_months: set[tuple[int, int]] = field(default_factory=set)

    @property
    def profile(self) -> Profile:
        return self.request.profile


def default_end(season: Season, start: dt.date) -> dt.date:
    last_race = max((r.day for r in season.races if r.day >= start), default=start)
    end = max(last_race + dt.timedelta(days=1), start + dt.timedelta(days=MIN_HORIZON_DAYS - 1))
    end = min(end, start + dt.timedelta(days=MAX_DEFAULT_HORIZON_DAYS))
    # A plan stores its sessions: none may fall after the last day every way in accepts.
    return max(min(end, LAST_DAY), start)


def build_plan(request: PlanRequest, kb: KnowledgeBase, solver: Solver) -> Plan:
    season, left_out = within_years(request.season)
    request = replace(request, season=season)
    profile, start = request.profile, request.start
    end = request.end or default_end(request.season, start)
    policy = kb.policy(profile.policy)
    pinned = tuple(replace(p, pinned=True) for p in request.pinned if start <= p.day <= end)
    season = _with_pins(request.season, pinned)
    index = SeasonIndex(season)
    warnings: list[Warning] = [_flag_warning(index, start)] if index.flags(start) else []
    warnings += left_out
    frequency, note = _affordable_frequency(profile)
    if note is not None:
        warnings.append(note)
    focus, condition_rules = _focus_regions(profile, kb)
    ctx = _Context(
        request=request,
        kb=kb,
        policy=policy,
        index=index,
        start=start,
        end=end,
        bookable=max(start, request.earliest_booking or start),
        focus=focus,
        deep_kind_rules=condition_rules,
        frequency=frequency,
        previous={s.key: s for s in request.previous},
    )
    periods = periods_between(frequency, start, end)
    options = _best_options(_post_event_options(ctx) + _periodic_options(ctx, periods))
    # Only a day the therapist works can be booked: the other days' options go, and a slot
    # left with none is named in a warning of its own rather than blamed on the rules.
    hours = request.therapist_hours
    closed = {o.candidate.slot for o in options if not hours.open_on(o.candidate.day)}
    options = [o for o in options if hours.open_on(o.candidate.day)]
    closed -= {o.candidate.slot for o in options}
    windows = (
        Window(PERIODIC_GROUPS, min_gap_days(frequency)),
        Window(frozenset({"deep"}), DEEP_SPACING_DAYS),
        Window(ALL_GROUPS, ANY_SPACING_DAYS),
    )
    options = [o for o in options if not _blocked_by_pins(o.candidate, pinned, windows)]
    problem = PlacementProblem(
        candidates=tuple(o.candidate for o in options),
        windows=windows,
        monthly_cap_cents=_monthly_caps(season, profile, start, end),
        monthly_group_caps=_deep_caps(season, start, end),
    )
    placement = solver.solve(problem)
    chosen = [options[i] for i in placement.chosen]

    ctx.deep_months = {
        (o.candidate.day.year, o.candidate.day.month)
        for o in chosen
        if o.kind.family is Family.DEEP
    } | {(s.day.year, s.day.month) for s in season.sessions if s.kind.family is Family.DEEP}
    sessions = [within_hours(_to_session(o, ctx), hours) for o in chosen]
    sessions += _pre_event_sessions(ctx)
    sessions = [s for s in sessions if s.key not in {p.key for p in pinned}] + list(pinned)
    sessions += _self_vigorous_sessions(ctx, sessions)
    sessions.sort(key=lambda s: (s.day, s.kind.is_professional is False, s.key))

    warnings += _missed_deep_warnings(ctx, chosen)
    warnings += _missed_period_warnings(ctx, periods, chosen, problem, closed)
    warnings += _missed_post_event_warnings(ctx, chosen, closed)
    warnings += _kept_session_warnings(ctx, pinned)
    warnings += _after_window_warnings(ctx, sessions)
    notes = [
        Warning(
            f"The sources disagree on how long before a race deep work should stop: 1-2 days "
            f"(T1), 48 hours (T2), a week (T3). This plan follows the {policy.name} policy: "
            f"{policy.summary}.",
            ("T1", "T2", "T3"),
        )
    ]
    notes += _heavy_training_notes(ctx)
    notes += _later_race_notes(season, end, request.end is None)
    notes += _booked_notes(ctx)
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


def within_years(season: Season) -> tuple[Season, list[Warning]]:
    """The season without what falls outside the accepted years (``domain.dates``), and a
    warning naming what was left out. Every way in refuses such dates now, but an older
    rubdown stored them, and a plan looks days and weeks either side of each date: year 9999
    has no day after it, year 1 none before."""
    races, far_races = split_by_years(season.races, lambda r: r.day)
    workouts, far_workouts = split_by_years(season.workouts, lambda w: w.day)
    sessions, far_sessions = split_by_years(season.sessions, lambda s: s.day)
    checkins, far_checkins = split_by_years(season.checkins, lambda c: c.day)
    weeks, far_weeks = split_by_years(season.recovery_weeks, lambda monday: monday)
    named = [
        *(f"the race {r.name!r} on {r.day.isoformat()}" for r in far_races),
        *(f"a {w.kind} workout on {w.day.isoformat()}" for w in far_workouts),
        *(f"a {s.kind} session on {s.day.isoformat()}" for s in far_sessions),
        *(f"a check-in on {c.day.isoformat()}" for c in far_checkins),
        *(f"a recovery week from {monday.isoformat()}" for monday in sorted(far_weeks)),
    ]
    if not named:
        return season, []
    kept = replace(
        season,
        races=tuple(races),
        workouts=tuple(workouts),
        sessions=tuple(sessions),
        checkins=tuple(checkins),
        recovery_weeks=frozenset(weeks),
    )
    warning = Warning(
        f"{LEFT_OUT}{YEARS} (stored by an older rubdown; move or remove them): {'; '.join(named)}."
    )
    return kept, [warning]


# -- budget and focus -------------------------------------------------------------------------


def _affordable_frequency(profile: Profile) -> tuple[Frequency, Warning | None]:
    """Fall back to a sparser cadence when the budget cannot pay for the wanted one (F4): a
    month holds one deep session and, for a denser target, the cheapest lighter sessions."""
    cheapest = min(profile.sports_price, profile.flush_price)
    lightest = min(profile.session_price, cheapest)
    if lightest > 0 and profile.budget_per_month < lightest:
        return profile.frequency, Warning(
            f"A budget of {profile.budget_per_month:g} a month does not cover one session (a "
            f"flush costs {profile.flush_price:g}, deep work {profile.session_price:g}): no "
            "professional sessions are planned.",
            ("F4",),
        )

    def cost(frequency: Frequency) -> float:
        return profile.session_price + (SESSIONS_A_MONTH[frequency] - 1) * cheapest

    wanted = profile.frequency
    if profile.budget_per_month + 1e-9 >= cost(wanted):
        return wanted, None
    for fallback in (Frequency.BIWEEKLY, Frequency.MONTHLY):
        if SESSIONS_A_MONTH[fallback] < SESSIONS_A_MONTH[wanted] and (
            profile.budget_per_month + 1e-9 >= cost(fallback) or fallback is Frequency.MONTHLY
        ):
            return fallback, Warning(
                f"{wanted.capitalize()} sessions need about {cost(wanted):g} a month (one deep "
                f"session at {profile.session_price:g} and the rest at {cheapest:g}); a budget "
                f"of {profile.budget_per_month:g} does not cover that, so the plan is "
                f"{fallback} instead.",
                ("F4", *FREQUENCY_RULES[wanted]),
            )
    return wanted, None


def _focus_regions(
    profile: Profile, kb: KnowledgeBase
) -> tuple[tuple[Region, ...], tuple[str, ...]]:
    protocols = kb.protocols()
    parts: dict[BodyPart, None] = {}
    rules: list[str] = []
    for condition in sorted(profile.conditions):
        rule = protocols.get(condition)
        if rule is not None and rule.protocol is not None:
            parts.update(dict.fromkeys(rule.protocol.focus))
            rules.append(rule.id)
    regions = tuple(Region(part) for part in (parts or dict.fromkeys(GENERAL_FOCUS)))
    return regions, tuple(rules)


def _monthly_caps(
    season: Season, profile: Profile, start: dt.date, end: dt.date
) -> dict[tuple[int, int], int]:
    budget = round(profile.budget_per_month * 100)
    caps = dict.fromkeys(_months(start, end), budget)
    for session in season.sessions:  # what was spent or booked counts against the month
        key = (session.day.year, session.day.month)
        if key in caps:
            caps[key] = max(0, caps[key] - round(session.price * 100))
    return caps


def _deep_caps(
    season: Season, start: dt.date, end: dt.date
) -> dict[tuple[str, tuple[int, int]], int]:
    """One deep session a month (F3); none more in a month that already had one."""
    served = {(s.day.year, s.day.month) for s in season.sessions if s.kind.family is Family.DEEP}
    return {("deep", month): 0 if month in served else 1 for month in _months(start, end)}


def _months(start: dt.date, end: dt.date) -> list[tuple[int, int]]:
    months = []
    day = start.replace(day=1)
    while day <= end:
        months.append((day.year, day.month))
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return months


# -- options ----------------------------------------------------------------------------------


def _periodic_options(ctx: _Context, periods: list[Period]) -> list[_Option]:
    """For each period of the target, every day's allowed kinds: deep work, sports, a flush."""
    served = _served_periods(ctx.index.season, ctx.frequency)
    profile = ctx.profile
    # When the budget pays for the target at sports-massage prices, a flush is never the
    # better pick, so it is offered only on the days deep work or sports massage cannot take.
    # A month can hold more periods than the target's average (three fortnights, five weeks).
    tight = profile.budget_per_month + 1e-9 < profile.session_price + (
        sessions_per_month(ctx.frequency) - 1
    ) * max(profile.sports_price, profile.flush_price)
    options: list[_Option] = []
    for period in periods:
        if period.key in served:
            continue  # the runner already had (or booked, or pinned) this period's session
        slot = f"pro:{period.key}"
        half = max(1, period.length_days // 2)
        deep_kind = _deep_kind(ctx, period)
        for day in period.days(ctx.bookable, ctx.end):
            spacing = round(MAX_SPACING_PENALTY * abs((day - period.middle).days) / half)
            # Every allowed kind: a deep day is also a sports day, for the periods between the
            # month's deep session (one deep session a month takes only one such day).
            sports_fits = False
            for kind in (deep_kind, SessionKind.SPORTS, SessionKind.FLUSH):
                if kind is SessionKind.FLUSH and sports_fits and not tight:
                    continue
                option = _option(ctx, period, slot, day, kind, spacing)
                if option is not None:
                    options.append(option)
                    sports_fits = sports_fits or kind is SessionKind.SPORTS
    return options


def _session_regions(
    ctx: _Context, day: dt.date, *, light: bool, index: SeasonIndex | None = None
) -> tuple[Region, ...]:
    """The runner's focus regions less what the day's flags keep off; when a flag takes all of
    them (a heel flag for a calf-and-heel focus), the general running muscles less the same,
    so a flag narrows the work instead of cancelling the session."""
    index = index or ctx.index
    regions = safe_regions(index, day, ctx.focus, light=light)
    if regions or not index.flags(day):
        return regions
    general = tuple(Region(part) for part in GENERAL_FOCUS)
    return safe_regions(index, day, general, light=light)


def _best_options(options: list[_Option]) -> list[_Option]:
    """The best few days of each kind in each slot and month, the rest left out: the optimiser then
    solves a season in milliseconds, and a day beyond the best few of its kind in its period
    would only be chosen if all of those were crowded out by spacing, which a few cover."""
    ranked = sorted(options, key=lambda o: (-o.candidate.value, o.candidate.day))
    kept: list[_Option] = []
    seen: dict[tuple[str, SessionKind, int, int], int] = {}
    for option in ranked:
        # Per calendar month too: the budget and the one deep session a month are counted by
        # month, so a period across two months keeps its best days in each.
        day = option.candidate.day
        key = (option.candidate.slot, option.kind, day.year, day.month)
        if seen.get(key, 0) < DAYS_PER_KIND_AND_SLOT:
            seen[key] = seen.get(key, 0) + 1
            kept.append(option)
    return sorted(kept, key=lambda o: (o.candidate.day, o.candidate.slot, o.kind))


def _option(
    ctx: _Context, period: Period, slot: str, day: dt.date, kind: SessionKind, spacing: int
) -> _Option | None:
    price = ctx.profile.price_of(kind)
    if price > ctx.profile.budget_per_month:
        return None
    regions = _session_regions(ctx, day, light=kind is SessionKind.FLUSH)
    if not regions or not check(ctx.index, ctx.policy, day, kind, regions, explain=False).allowed:
        return None
    bonus, why, rules = _window_bonus(ctx, day, kind)
    previous = ctx.previous.get(slot)
    # Staying means the same day and the same kind: a flush kept on its day must not lend its
    # bonus to deep work there, or a re-plan could swap deep work between two slots.
    same = previous is not None and previous.day == day and previous.kind is kind
    stay = STAY_BONUS if same else 0
    value = WORTH[kind.family] + bonus - spacing + stay
    group = {Family.DEEP: "deep", Family.SPORTS: "sports"}.get(kind.family, "flush")
    return _Option(
        Candidate(slot, day, group, value, round(price * 100)),
        kind,
        regions,
        why,
        rules,
        period=period,
    )


def _window_bonus(
    ctx: _Context, day: dt.date, kind: SessionKind
) -> tuple[int, str, tuple[str, ...]]:
    """The good windows the sources name, best first; (0, "", ()) when none applies."""
    index, policy = ctx.index, ctx.policy
    deep = kind.family is Family.DEEP
    if deep and _in_recovery_week(index, day):
        return 80, "in a recovery week, when deep work costs the least training", ("F3", "T2")
    for race in index.races_between(day + dt.timedelta(days=2), day + dt.timedelta(days=8)):
        gap = before_race(kind, race)
        weekend = race.day.weekday() >= 5
        if gap is None or not weekend or day.weekday() not in (1, 2) or not is_major(race):
            continue
        return (
            70,
            f"{show_day(day)}: the Tuesday or Wednesday before {race.name}",
            policy.rules(gap),
        )
    for race in index.races_between(day - dt.timedelta(days=8), day - dt.timedelta(days=1)):
        gap = after_race(kind, race)
        if gap is None or not is_major(race):
            continue
        apart = (day - race.day).days
        if apart <= policy.days(gap) + 1:
            return 60, f"recovery {apart} days after {race.name}", policy.rules(gap)
    two_days_ago = day - dt.timedelta(days=2)
    for hard in index.hard_days_between(two_days_ago, two_days_ago):
        return 40, f"two days after {hard.what}, so soreness does not stack", ("T5",)
    yesterday = day - dt.timedelta(days=1)
    for hard in index.hard_days_between(yesterday, yesterday):
        return 20, f"the easy day after {hard.what}, with room before the next", ("T5", "T7")
    return 0, "", ()


def _in_recovery_week(index: SeasonIndex, day: dt.date) -> bool:
    monday = day - dt.timedelta(days=day.weekday())
    if monday in index.season.recovery_weeks:
        return True
    hard = {h.day for h in index.hard_days_between(monday, monday + dt.timedelta(days=6))}
    return len(hard) <= 1


def _post_event_options(ctx: _Context) -> list[_Option]:
    options: list[_Option] = []
    price = ctx.profile.post_event_price
    if price > ctx.profile.budget_per_month:
        return options
    for race in ctx.index.season.races:
        if not is_major(race) or _post_event_logged(ctx.index.season, race):
            continue
        slot = f"post-event:{_race_key(race)}"
        for offset in POST_EVENT_DAYS:
            day = race.day + dt.timedelta(days=offset)
            if not ctx.bookable <= day <= ctx.end:
                continue
            regions = safe_regions(ctx.index, day, EVENT_FOCUS, light=True)
            if not regions:
                continue
            if not check(ctx.index, ctx.policy, day, SessionKind.POST_EVENT, regions).allowed:
                continue
            previous = ctx.previous.get(slot)
            stay = STAY_BONUS if previous is not None and previous.day == day else 0
            worth = POST_EVENT_WORTH - 1_000 * (offset - 1) + stay
            options.append(
                _Option(
                    Candidate(slot, day, "post", worth, round(price * 100)),
                    SessionKind.POST_EVENT,
                    regions,
                    f"light flush {'the day' if offset == 1 else f'{offset} days'} after "
                    f"{race.name} to help recovery",
                    ("T6", "M7"),
                    race=race,
                )
            )
    return options


def _served_periods(season: Season, frequency: Frequency) -> set[str]:
    """Periods whose professional session the runner already had or booked (it counts toward
    F1-F3), or pinned; a pinned session's own period needs no other session."""
    served = {
        period_of(frequency, s.day).key
        for s in season.sessions
        if s.kind.is_professional and s.kind not in (SessionKind.PRE_EVENT, SessionKind.POST_EVENT)
    }
    first = f"{PIN_ID}pro:"
    return served | {s.id.removeprefix(first) for s in season.sessions if s.id.startswith(first)}


def _post_event_logged(season: Season, race: Race) -> bool:
    return any(
        (s.kind is SessionKind.POST_EVENT and 0 <= (s.day - race.day).days <= POST_EVENT_DAYS[-1])
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


def _group_of(kind: SessionKind) -> str:
    if kind.family is Family.DEEP:
        return "deep"
    if kind is SessionKind.SPORTS:
        return "sports"
    if kind is SessionKind.FLUSH:
        return "flush"
    return "post"


def _blocked_by_pins(
    candidate: Candidate, pinned: tuple[PlannedSession, ...], windows: tuple[Window, ...]
) -> bool:
    """A candidate for a pinned session's slot, or too close to a pinned session for one of
    the spacing windows (the optimiser only spaces the candidates it chooses)."""
    for pin in pinned:
        if candidate.slot == pin.key:
            return True
        group = _group_of(pin.kind)
        for window in windows:
            close = abs((candidate.day - pin.day).days) < window.days
            if close and group in window.groups and candidate.group in window.groups:
                return True
    return False


def _race_key(race: Race) -> str:
    """A race's sessions are keyed by the race, so they keep their identity when it moves."""
    return race.id or f"{race.name}@{race.day}"


def _deep_kind(ctx: _Context, period: Period) -> SessionKind:
    """The kind of deep work the runner's conditions call for, alternating between them."""
    protocols = ctx.kb.protocols()
    kinds: list[SessionKind] = []
    for condition in sorted(ctx.profile.conditions):
        rule = protocols.get(condition)
        if rule is None or rule.protocol is None:
            continue
        kinds += [k for k in rule.protocol.professional if k in DEEP_FAMILY and k not in kinds]
    if not kinds:
        kinds = [SessionKind.DEEP_TISSUE]
    # A stable turn per month, so a re-plan does not swap the kinds of untouched sessions.
    first = period.first
    return kinds[(first.year * 12 + first.month) % len(kinds)]


def _modality_rule(kb: KnowledgeBase, kind: SessionKind) -> tuple[str, ...]:
    if kind is SessionKind.FLUSH:
        return ("R6",)
    return tuple(r.id for r in kb.rules.values() if r.kind is kind)[:1]


def _to_session(option: _Option, ctx: _Context) -> PlannedSession:
    candidate, kind, profile = option.candidate, option.kind, ctx.profile
    price = candidate.price_cents / 100
    if kind is SessionKind.POST_EVENT:
        return PlannedSession(
            key=candidate.slot,
            day=candidate.day,
            kind=kind,
            regions=option.regions,
            price=price,
            reason=option.reason,
            rules=(*option.rules, "F4"),
            start_time=profile.session_time,
            duration_min=profile.minutes_of(kind),
        )
    frequency = ctx.frequency
    conditions = ", ".join(c.replace("-", " ") for c in sorted(profile.conditions))
    if kind.family is Family.DEEP:
        reason = f"this month's {kind.label}" + (f" for {conditions}" if conditions else "")
        rules: tuple[str, ...] = ("F3", *ctx.deep_kind_rules)
    elif kind is SessionKind.SPORTS:
        reason = f"your {frequency} sports massage"
        rules = ()
    else:
        reason = f"your {frequency} session as a light recovery flush"
        rules = ()
    if kind.family is not Family.DEEP:
        reason += _why_not_deep(ctx, candidate.day)
    if option.reason:
        reason += f"; {option.reason}"
    rules = (*_modality_rule(ctx.kb, kind), *FREQUENCY_RULES[frequency], *rules, *option.rules)
    return PlannedSession(
        key=candidate.slot,
        day=candidate.day,
        kind=kind,
        regions=option.regions,
        price=price,
        reason=reason,
        rules=tuple(dict.fromkeys((*rules, "F4"))),
        start_time=profile.session_time,
        duration_min=profile.minutes_of(kind),
    )


def _why_not_deep(ctx: _Context, day: dt.date) -> str:
    deep_kind = SessionKind.DEEP_TISSUE
    verdict = check(ctx.index, ctx.policy, day, deep_kind, ctx.focus)
    if verdict.allowed:
        if ctx.profile.session_price > ctx.profile.budget_per_month:
            return f" (not deep work: it costs {ctx.profile.session_price:g}, over the budget)"
        if (day.year, day.month) in ctx.deep_months:
            return ": the month's deep work has its own day"
        return " (not deep work: the month's budget or the spacing between sessions left no room)"
    first = next(f for f in verdict.findings if f.forbids)
    return f" (not deep work: {first.reason.split('; ')[0].replace('deep tissue on ', '')})"


def _pre_event_sessions(ctx: _Context) -> list[PlannedSession]:
    sessions = []
    for race in ctx.index.season.races:
        if not is_major(race) or not ctx.start <= race.day <= ctx.end:
            continue
        regions = safe_regions(ctx.index, race.day, EVENT_FOCUS, light=True)
        kind = SessionKind.PRE_EVENT
        if not regions or not check(ctx.index, ctx.policy, race.day, kind, regions).allowed:
            continue
        race_start = race.start_time or DEFAULT_RACE_START
        begin = dt.datetime.combine(race.day, race_start) - dt.timedelta(minutes=45)
        sessions.append(
            PlannedSession(
                key=f"pre-event:{_race_key(race)}",
                day=race.day,
                kind=kind,
                regions=regions,
                price=0.0,
                reason=f"optional: a short warming massage at the start of {race.name}, if the "
                "race offers one; nothing deep",
                rules=("T4", "M6"),
                start_time=begin.time(),
                duration_min=ctx.profile.minutes_of(kind),
            )
        )
    return sessions


def _self_vigorous_sessions(ctx: _Context, planned: list[PlannedSession]) -> list[PlannedSession]:
    """Post-run point work on hard days where ``check`` allows vigorous self-massage (T10,
    T8): the same question today's routines ask, against the logged, booked and planned
    sessions, in date order."""
    index = SeasonIndex(
        ctx.index.season.with_sessions(
            (
                *ctx.index.season.sessions,
                *(
                    MassageSession(s.day, s.kind, s.regions, s.price)
                    for s in planned
                    if not s.pinned  # pinned sessions are in the season already
                ),
            )
        )
    )
    sessions: list[PlannedSession] = []
    hard_days = sorted({h.day for h in index.hard_days_between(ctx.start, ctx.end)})
    for day in hard_days:
        if not vigorous_allowed(index, ctx.policy, day):
            continue
        regions = safe_regions(index, day, ctx.focus, light=False)
        what = next(iter(index.hard_days_between(day, day))).what
        sessions.append(
            PlannedSession(
                key=f"self-vigorous:{day}",
                day=day,
                kind=SessionKind.SELF_VIGOROUS,
                regions=regions,
                price=0.0,
                reason=f"after {what}, while the muscles are warm: broad strokes, then firmer "
                "point work on the sore spots",
                rules=("T10", "S6", "T8"),
                duration_min=10,
            )
        )
        index.add_session(MassageSession(day, SessionKind.SELF_VIGOROUS, regions))
    return sessions


def vigorous_allowed(index: SeasonIndex, policy: Policy, day: dt.date) -> bool:
    """Whether vigorous self-massage may follow the day's hard run: the plan and today's
    routines both decide with this."""
    return check(index, policy, day, SessionKind.SELF_VIGOROUS).allowed


# -- what the plan says -----------------------------------------------------------------------


def _flag_warning(index: SeasonIndex, start: dt.date) -> Warning:
    flags = sorted(index.flags(start), key=lambda f: not f.urgent)
    rules = tuple(dict.fromkeys(r for f in flags for r in f.rules))
    text = " ".join(f.message() for f in flags)
    return Warning(f"{text} The plan keeps every session off what these flags block.", rules)


def _missed_deep_warnings(ctx: _Context, chosen: list[_Option]) -> list[Warning]:
    """Months with no deep session: why, grouped, and which moved hard session would open a
    deep window."""
    profile = ctx.profile
    if profile.session_price > profile.budget_per_month:
        if profile.budget_per_month < min(profile.sports_price, profile.flush_price):
            return []  # already said once: the budget covers no session at all
        return [
            Warning(
                f"Deep work costs {profile.session_price:g}, over the monthly budget of "
                f"{profile.budget_per_month:g}: the plan books sports massage or a flush "
                "instead, though F3 suggests deep work about once a month.",
                ("F4", "F3"),
            )
        ]
    served = {
        (s.day.year, s.day.month) for s in ctx.index.season.sessions if s.kind.family is Family.DEEP
    }
    placed = {
        (o.candidate.day.year, o.candidate.day.month)
        for o in chosen
        if o.kind.family is Family.DEEP
    }
    no_window: list[tuple[str, str]] = []
    crowded: dict[str, list[str]] = {}  # month -> races whose post-event flush took the budget
    for year, month in _months(ctx.start, ctx.end):
        first = max(dt.date(year, month, 1), ctx.bookable)
        last = min(
            (dt.date(year, month, 1) + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1),
            ctx.end,
        )
        if (year, month) in served | placed or (last - first).days < 13:
            continue
        days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
        label = f"{dt.date(year, month, 1):%B %Y}"
        if any(_deep_open(ctx.index, ctx, day) for day in days):
            # A deep day existed: the spacing took it, or a post-event flush took the budget.
            races = _crowding_races(ctx, chosen, (year, month))
            if races:
                crowded[label] = races
            continue
        if not any(_session_regions(ctx, day, light=False) for day in days):
            continue  # a flag, not the training, keeps deep work off: the flag warning says so
        # Options for the first few months only: the warning names no more than that.
        hint = _move_hint(ctx, days) if len(no_window) < MAX_HINT_MONTHS else ""
        no_window.append((label, hint))
    warnings = []
    if crowded:
        names = _join(list(dict.fromkeys(r for found in crowded.values() for r in found)))
        warnings.append(
            Warning(
                f"No deep session in {_join(list(crowded))}: the monthly budget of "
                f"{profile.budget_per_month:g} does not cover deep work "
                f"({profile.session_price:g}) beside the post-event flush after {names}, which "
                "the plan put first; the month gets a lighter session instead.",
                ("F4", "F3", "T6"),
            )
        )
    if not no_window:
        return warnings
    labels = _join([label for label, _ in no_window])
    hints = [f"{hint} ({label})" for label, hint in no_window if hint]
    rules = ctx.policy.rules(Gap.DEEP_BEFORE_HARD) + ctx.policy.rules(Gap.DEEP_AFTER_HARD)
    message = (
        f"No day allows deep work in {labels} under the {ctx.policy.name} policy: every day is "
        "a race or hard day, right after one, or too close before one. The plan books the "
        "deepest kind that fits there instead (sports massage or a flush)."
    )
    if hints:
        message += " To open a deep window: " + "; ".join(hints) + "."
    return [*warnings, Warning(message, tuple(dict.fromkeys((*rules, "F3"))))]


def _crowding_races(ctx: _Context, chosen: list[_Option], month: tuple[int, int]) -> list[str]:
    """The races whose post-event flush in ``month`` left too little budget for deep work."""
    post = [o for o in chosen if o.race is not None and _month_of(o.candidate.day) == month]
    if not post:
        return []
    spent = sum(s.price for s in ctx.index.season.sessions if _month_of(s.day) == month)
    spent += sum(o.candidate.price_cents for o in post) / 100
    if ctx.profile.budget_per_month - spent + 1e-9 >= ctx.profile.session_price:
        return []
    return [o.race.name for o in post if o.race is not None]


def _month_of(day: dt.date) -> tuple[int, int]:
    return (day.year, day.month)


def _deep_open(index: SeasonIndex, ctx: _Context, day: dt.date) -> bool:
    regions = _session_regions(ctx, day, light=False, index=index)
    deep = SessionKind.DEEP_TISSUE
    return bool(regions) and check(index, ctx.policy, day, deep, regions, explain=False).allowed


def _move_hint(ctx: _Context, days: list[dt.date]) -> str:
    """The smallest move of one hard session that opens a day of ``days`` for deep work."""
    season = ctx.index.season
    hard = [w for w in season.workouts if w.is_hard and days[0] <= w.day <= days[-1]]
    taken = {w.day for w in season.workouts if w.is_hard} | {r.day for r in season.races}
    # Only the calendar near the month bears on its days: a smaller season to re-index per try.
    near_first = days[0] - dt.timedelta(days=ctx.policy.longest + 3)
    near_last = days[-1] + dt.timedelta(days=ctx.policy.longest + 3)
    local = Season(
        races=tuple(r for r in season.races if near_first <= r.day <= near_last),
        workouts=tuple(w for w in season.workouts if near_first <= w.day <= near_last),
        sessions=tuple(s for s in season.sessions if near_first <= s.day <= near_last),
        checkins=season.checkins,
        recovery_weeks=season.recovery_weeks,
    )
    # Moves that keep an easy day between hard ones first, then any move.
    for back_to_back in (False, True):
        hint = _first_opening_move(ctx, local, days, hard, taken, back_to_back)
        if hint:
            return hint
    return ""


def _first_opening_move(
    ctx: _Context,
    season: Season,
    days: list[dt.date],
    hard: list[Workout],
    taken: set[dt.date],
    back_to_back: bool,
) -> str:
    for shift in MOVE_TRIES:
        for workout in hard:
            target = workout.day + dt.timedelta(days=shift)
            if target in taken or not ctx.start <= target <= ctx.end:
                continue
            neighbours = {target - dt.timedelta(days=1), target + dt.timedelta(days=1)}
            if not back_to_back and neighbours & (taken - {workout.day}):
                continue
            moved = tuple(replace(w, day=target) if w is workout else w for w in season.workouts)
            index = SeasonIndex(replace(season, workouts=moved))
            near = [workout.day + dt.timedelta(days=d) for d in range(-4, 5)]
            for day in near:
                if day in days and day >= ctx.bookable and _deep_open(index, ctx, day):
                    return (
                        f"moving {describe_workout(workout)} on "
                        f"{show_day(workout.day)} to {show_day(target)} opens {show_day(day)}"
                    )
    return ""


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _missed_period_warnings(
    ctx: _Context,
    periods: list[Period],
    chosen: list[_Option],
    problem: PlacementProblem,
    closed: set[str],
) -> list[Warning]:
    """Periods of the target left without a session, grouped by cause."""
    if ctx.profile.budget_per_month < min(
        ctx.profile.session_price, ctx.profile.sports_price, ctx.profile.flush_price
    ):
        return []  # already said once: the budget covers no session at all
    filled = {o.candidate.slot for o in chosen}
    served = _served_periods(ctx.index.season, ctx.frequency)
    offered = {c.slot for c in problem.candidates}
    spent: dict[tuple[int, int], int] = {}
    for option in chosen:
        key = problem.month(option.candidate)
        spent[key] = spent.get(key, 0) + option.candidate.price_cents
    cheapest = round(min(ctx.profile.flush_price, ctx.profile.sports_price) * 100)
    causes: dict[str, list[str]] = {}
    for period in periods:
        days = period.days(ctx.start, ctx.end)
        slot = f"pro:{period.key}"
        if slot in filled or period.key in served or len(days) * 2 < period.length_days:
            continue  # done, or too little of the period lies inside the plan to expect one
        if slot in closed:
            cause = "closed"
        elif slot not in offered:
            cause = "rules"
        elif any(
            problem.monthly_cap_cents.get(m, 0) - spent.get(m, 0) < cheapest
            for m in {(d.year, d.month) for d in days}
        ):
            cause = "budget"
        else:
            cause = "spacing"
        causes.setdefault(cause, []).append(period.label())
    frequency = ctx.frequency
    says = {
        "closed": (
            f"the days the rules allow there are not days your therapist works "
            f"({ctx.request.therapist_hours.days_label()})",
            FREQUENCY_RULES[frequency],
        ),
        "rules": (
            "no day there allows even a flush (a race or hard day every day, or a flag)",
            ("T5", "T7"),
        ),
        "budget": (
            f"the monthly budget of {ctx.profile.budget_per_month:g} is already spent there "
            "(the month's deep session and any post-event flush come first)",
            ("F4",),
        ),
        "spacing": (
            "the allowed days are too close to the neighbouring sessions",
            FREQUENCY_RULES[frequency],
        ),
    }
    warnings = []
    for cause, labels in causes.items():
        text, rules = says[cause]
        warnings.append(
            Warning(f"No {frequency} session in {_join(labels)}: {text}.", tuple(rules))
        )
    return warnings


def _missed_post_event_warnings(
    ctx: _Context, chosen: list[_Option], closed: set[str]
) -> list[Warning]:
    placed = {_race_key(o.race) for o in chosen if o.race is not None}
    warnings = []
    for race in ctx.index.season.races:
        day_after = race.day + dt.timedelta(days=1)
        if not is_major(race) or not ctx.start <= day_after <= ctx.end:
            continue
        if _race_key(race) in placed or _post_event_logged(ctx.index.season, race):
            continue
        if f"post-event:{_race_key(race)}" in closed:
            hours = ctx.request.therapist_hours.days_label()
            why = f"your therapist does not work the days after it ({hours})"
        elif ctx.profile.post_event_price > ctx.profile.budget_per_month:
            why = f"it costs {ctx.profile.post_event_price:g}, over the monthly budget"
        elif ctx.index.flags(day_after):
            why = "a standing flag keeps massage off the legs"
        else:
            why = (
                f"the budget of {ctx.profile.budget_per_month:g} for that month went to the "
                "month's deep session, which is worth more"
            )
        warnings.append(
            Warning(
                f"No post-event session after {race.name} ({show_day(race.day)}): {why}.",
                ("T6", "F4"),
            )
        )
    return warnings


def _kept_session_warnings(ctx: _Context, pinned: tuple[PlannedSession, ...]) -> list[Warning]:
    """A pinned or booked session stays where the runner put it, even where the rules (now)
    say no: the plan says so instead of moving it."""
    kept: list[tuple[str, dt.date, SessionKind, tuple[Region, ...], str]] = [
        ("You put the", p.day, p.kind, p.regions, "") for p in pinned
    ]
    kept += [
        ("Your booked", s.day, s.kind, s.regions, s.booked_with)
        for s in ctx.index.season.sessions
        if ctx.start <= s.day and s.kind.is_professional and not s.id.startswith(PIN_ID)
    ]
    warnings = []
    for who, day, kind, regions, therapist in kept:
        verdict = check(ctx.index, ctx.policy, day, kind, regions)
        if verdict.allowed:
            continue
        reasons = "; ".join(f.reason for f in verdict.findings if f.forbids)
        where = " yourself" if who == "You put the" else ""
        # A therapist's booking is theirs to move: the plan cannot, and the runner asks them.
        with_whom = f" with {therapist}" if therapist else ""
        ask = f" Ask {therapist} to move or cancel it." if therapist else ""
        warnings.append(
            Warning(
                f"{who} {kind.label} on {show_day(day)}{where}{with_whom}, but the rules now "
                f"advise against it there: {reasons}.{ask}",
                tuple(dict.fromkeys(r for f in verdict.findings if f.forbids for r in f.rules)),
            )
        )
    return warnings


def _after_window_warnings(ctx: _Context, sessions: list[PlannedSession]) -> list[Warning]:
    """Hard days inside the recovery window of a logged, booked, pinned or planned session."""
    index = SeasonIndex(
        ctx.index.season.with_sessions(
            (
                *ctx.index.season.sessions,
                *(
                    MassageSession(s.day, s.kind, s.regions)
                    for s in sessions
                    if s.kind.is_professional and not s.pinned
                ),
            )
        )
    )
    warnings = []
    days = sorted({h.day for h in index.hard_days_between(ctx.start, ctx.end)})
    for day in days:
        for finding in after_window_findings(index, ctx.policy, day):
            warnings.append(
                Warning(finding.reason[0].upper() + finding.reason[1:] + ".", finding.rules)
            )
    return warnings


def _later_race_notes(season: Season, end: dt.date, by_default: bool) -> list[Warning]:
    """Races after a plan that stopped short of them by default (three years at most)."""
    later = sorted((r for r in season.races if r.day > end), key=lambda r: r.day)
    if not by_default or not later:
        return []
    names = "; ".join(f"{r.name!r} on {r.day.isoformat()}" for r in later[:3])
    more = f" and {len(later) - 3} more" if len(later) > 3 else ""
    return [
        Warning(
            f"The plan covers three years at most, to {end.isoformat()}: {names}{more} "
            f"{'comes' if len(later) == 1 else 'come'} later; plan again nearer the time."
        )
    ]


def _heavy_training_notes(ctx: _Context) -> list[Warning]:
    if ctx.request.profile.frequency is Frequency.WEEKLY:
        return []
    hard = {h.day for h in ctx.index.hard_days_between(ctx.start, ctx.end)}
    weeks = max(1.0, ((ctx.end - ctx.start).days + 1) / 7)
    per_week = len(hard) / weeks
    ramp = ctx.request.fitness_ramp_per_week
    if per_week >= HEAVY_HARD_DAYS_A_WEEK:
        why = f"You train hard about {per_week:.1f} days a week"
    elif ramp is not None and ramp >= RISING_RAMP_PER_WEEK:
        why = f"Your fitness is rising fast ({ramp:.1f} CTL points in the last week)"
    else:
        return []
    profile = ctx.profile
    cheapest = min(profile.sports_price, profile.flush_price)
    cost = profile.session_price + 3 * cheapest
    return [
        Warning(
            f"{why}: F1 and F2 suggest a session every "
            f"week at that load. Weekly would cost about {cost:g} a month (one deep session at "
            f"{profile.session_price:g} and three lighter ones at {cheapest:g}); your plan is "
            f"{ctx.frequency} within {profile.budget_per_month:g}.",
            ("F1", "F2", "F4"),
        )
    ]


def _booked_notes(ctx: _Context) -> list[Warning]:
    booked = sorted(
        (
            s
            for s in ctx.index.season.sessions
            if s.day >= ctx.start and s.kind.is_professional and not s.id.startswith(PIN_ID)
        ),
        key=lambda s: s.day,
    )
    if not booked:
        return []
    names = _join(
        [
            f"{s.kind.label} on {show_day(s.day)}"
            + (f" with {s.booked_with}" if s.booked_with else "")
            for s in booked
        ]
    )
    return [
        Warning(
            f"Booked already, and kept: {names}. The plan counts them toward the target and "
            "the budget, and plans around them.",
            ("F4",),
        )
    ]
