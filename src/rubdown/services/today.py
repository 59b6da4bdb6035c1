"""Today's self-massage: gather one day's facts from the store and build its routines.

Whether post-run work may go vigorous is one question with one answer: the rules engine's
``check`` of vigorous self-massage on the day (T8, T1, X2, T5, T6, M1 and every standing flag),
asked against the logged sessions and the stored plan, exactly as the planner asks it before it
books a vigorous bout. So the plan and today agree on every day. The bouts of the days before
come, in this order, from a logged vigorous self-massage, from the stored plan's self-vigorous
sessions, and failing both from the same question replayed on the days before; a run of hard
days longer than the look-back counts as vigorous, the safe side of T8.

The day's red flags and warning signs are ``safety.standing_flags`` over every check-in up to
the day: a red flag never lapses, and the routines keep off all it blocks.

The day's run is whatever the season holds for it: a planned workout, an imported activity or a
run logged by hand (``rubdown log run``, an activity too), so a run done without a plan still
gets its pre- and post-run routines.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from rubdown.domain.model import (
    CheckIn,
    Condition,
    Family,
    MassageSession,
    Priority,
    Season,
    SessionKind,
    Tool,
    Workout,
    WorkoutKind,
)
from rubdown.domain.plan import PlannedSession
from rubdown.domain.policy import Policy
from rubdown.domain.routine_builder import DayContext, build_day
from rubdown.domain.routines import DayAdvice, DayRoutines
from rubdown.domain.rules import SeasonIndex, check
from rubdown.domain.safety import Flag, standing_flags
from rubdown.services.daily import open_conditions
from rubdown.services.planning import after_window_warnings
from rubdown.services.runner import Runner

CHECKIN_MAX_AGE_DAYS = 2  # an older check-in says little about how the legs feel today
VIGOROUS_LOOKBACK_DAYS = 7  # how many hard days in a row the T8 replay walks back through
_DONE_FIRST = {"activity": 0, "planned": 1, "calendar": 2}  # what was done beats the plan


def day_routines(app: Runner, day: dt.date | None = None) -> DayRoutines:
    """The routines for ``day`` (the runner's today by default)."""
    chosen = day or app.today()
    routines = build_day(day_context(app, chosen), app.kb)
    # A hard session today inside the recovery window of a massage before it: said with the
    # rule, after the safety warnings (which always come first).
    timing = tuple(
        DayAdvice(finding.reason[0].upper() + finding.reason[1:] + ".", finding.rules)
        for finding in after_window_warnings(app, chosen)
    )
    return replace(routines, warnings=(*routines.warnings, *timing))


def day_context(app: Runner, day: dt.date) -> DayContext:
    """Everything ``build_day`` needs about ``day``, read from the store."""
    profile = app.profile()
    policy = app.kb.policy(profile.policy)
    season = _Season(app.season(), tuple(app.data.load_plan()), policy)
    yesterday = day - dt.timedelta(days=1)
    conditions = open_conditions(app, day)  # the profile's plus the open injury episodes'
    return season.context(
        day,
        vigorous_yesterday=season.vigorous_on(yesterday, VIGOROUS_LOOKBACK_DAYS),
        vigorous_verdict=season.vigorous_verdict(day, VIGOROUS_LOOKBACK_DAYS),
        load_yesterday=_load_on(app, yesterday),
        checkin=season.checkin_for(day),
        conditions=conditions,
        owns=profile.owns,
        desk_job=profile.desk_job,
    )


def vigorous_decision(
    season: Season, plan: tuple[PlannedSession, ...], policy: Policy, day: dt.date
) -> tuple[bool, tuple[str, ...]]:
    """Whether post-run work on ``day`` may go vigorous, and the rules that refused it: what
    ``rubdown today`` says, from the season and the stored plan alone."""
    return _Season(season, plan, policy).vigorous_verdict(day, VIGOROUS_LOOKBACK_DAYS)


def _load_on(app: Runner, day: dt.date) -> float | None:
    loads = [
        row.activity.load
        for row in app.data.list_activities(day, day)
        if row.activity.load is not None
    ]
    return sum(loads) if loads else None


@dataclass
class _Season:
    """The season and the stored plan, asked day by day."""

    season: Season
    plan: tuple[PlannedSession, ...]
    policy: Policy

    def context(
        self,
        day: dt.date,
        *,
        vigorous_yesterday: bool,
        vigorous_verdict: tuple[bool, tuple[str, ...]] | None = None,
        load_yesterday: float | None = None,
        checkin: CheckIn | None = None,
        conditions: frozenset[Condition] = frozenset(),
        owns: frozenset[Tool] = frozenset(),
        desk_job: bool = False,
    ) -> DayContext:
        return DayContext(
            day=day,
            run=self.run_on(day),
            hard_today=self.hard_on(day),
            hard_yesterday=self.hard_on(day - dt.timedelta(days=1)),
            load_yesterday=load_yesterday,
            vigorous_yesterday=vigorous_yesterday,
            checkin=checkin,
            flags=self.flags_on(day),
            conditions=conditions,
            owns=owns,
            desk_job=desk_job,
            days_to_race=self.days_to_race(day),
            deep_massage_near=self.deep_near(day),
            vigorous_verdict=vigorous_verdict,
        )

    def workouts_on(self, day: dt.date) -> list[Workout]:
        return [w for w in self.season.workouts if w.day == day]

    def run_on(self, day: dt.date) -> WorkoutKind | None:
        if any(race.day == day for race in self.season.races):
            return WorkoutKind.RACE
        done = [w for w in self.workouts_on(day) if w.kind is not WorkoutKind.REST]
        if not done:
            return None
        # What was done says more than what was planned; a hard session decides the day.
        done.sort(key=lambda w: (not w.is_hard, _DONE_FIRST.get(w.source, 3)))
        return done[0].kind

    def hard_on(self, day: dt.date) -> bool:
        return any(race.day == day for race in self.season.races) or any(
            w.is_hard for w in self.workouts_on(day)
        )

    def days_to_race(self, day: dt.date) -> int | None:
        gaps = [
            (race.day - day).days
            for race in self.season.races
            if race.priority in (Priority.A, Priority.B) and race.day >= day
        ]
        return min(gaps, default=None)

    def kinds_on(self, day: dt.date) -> set[SessionKind]:
        """The massage kinds logged or planned on ``day``."""
        logged = {s.kind for s in self.season.sessions if s.day == day}
        return logged | {s.kind for s in self.plan if s.day == day}

    def deep_near(self, day: dt.date) -> bool:
        kinds = self.kinds_on(day) | self.kinds_on(day - dt.timedelta(days=1))
        return any(kind.family is Family.DEEP for kind in kinds)

    def flags_on(self, day: dt.date) -> tuple[Flag, ...]:
        return standing_flags(self.season.checkins, day)

    def checkin_for(self, day: dt.date) -> CheckIn | None:
        earliest = day - dt.timedelta(days=CHECKIN_MAX_AGE_DAYS)
        recent = [c for c in self.season.checkins if earliest <= c.day <= day]
        # The latest day wins; on one day, the one stored last.
        return sorted(recent, key=lambda c: c.day)[-1] if recent else None

    def vigorous_on(self, day: dt.date, lookback: int) -> bool:
        """Whether ``day`` held a vigorous bout: logged or planned, else the day's answer."""
        if SessionKind.SELF_VIGOROUS in self.kinds_on(day):
            return True
        if not self.hard_on(day) or self.run_on(day) in (None, WorkoutKind.REST):
            return False  # vigorous work only ever follows a hard run
        if lookback <= 0:
            return True
        allowed, _rules = self.vigorous_verdict(day, lookback)
        return allowed

    def vigorous_verdict(self, day: dt.date, lookback: int) -> tuple[bool, tuple[str, ...]]:
        """The rules engine's answer for vigorous self-massage on ``day``, asked against the
        logged sessions, the plan's sessions on other days, and the bouts replayed on the
        days before when neither the log nor the plan dates them."""
        sessions = list(self.season.sessions)
        sessions += [
            MassageSession(s.day, s.kind, s.regions)
            for s in self.plan
            if s.day != day or s.kind is not SessionKind.SELF_VIGOROUS
        ]
        yesterday = day - dt.timedelta(days=1)
        known = SessionKind.SELF_VIGOROUS in self.kinds_on(yesterday)
        # With a stored plan, its bouts are the record (as the planner saw them when it made
        # them); only without one are the days before replayed.
        if (
            not self.plan
            and not known
            and lookback > 0
            and self.vigorous_on(yesterday, lookback - 1)
        ):
            sessions.append(MassageSession(yesterday, SessionKind.SELF_VIGOROUS))
        index = SeasonIndex(self.season.with_sessions(tuple(sessions)))
        verdict = check(index, self.policy, day, SessionKind.SELF_VIGOROUS)
        refused_by = tuple(dict.fromkeys(r for f in verdict.findings if f.forbids for r in f.rules))
        return verdict.allowed, refused_by
