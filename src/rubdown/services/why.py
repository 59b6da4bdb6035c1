"""``rubdown why DATE``: everything behind one day's advice, gathered in one place.

The training of the day and why it counts as hard or easy (the day's load against the 28
days before it), fitness, fatigue and form, the check-in and the red flags standing, what the
rules engine says about professional massage that day, the day's self-massage routines, and
the planned sessions on and around the day with their reasons. Each part names its rules; the
view adds their sources.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from typing_extensions import TypedDict

from rubdown.domain.fitness import (
    HARD_HISTORY_DAYS,
    HARD_LOAD_FALLBACK,
    HARD_LOAD_RATIO,
    LONG_RUN_S,
    MIN_HISTORY_DAYS,
    DayLoad,
)
from rubdown.domain.knowledge import Intensity
from rubdown.domain.model import CheckIn, PainQuality, PolicyName, SessionKind, WorkoutKind
from rubdown.domain.plan import PlannedSession
from rubdown.domain.records import ActivityRow
from rubdown.domain.regions import Region
from rubdown.domain.routine_builder import post_run_intensity
from rubdown.domain.routines import DayRoutines
from rubdown.domain.rules import Finding, SeasonIndex, Verdict, show_day
from rubdown.domain.safety import Flag
from rubdown.services.load_series import daily_series
from rubdown.services.planning import after_window_warnings, check_session
from rubdown.services.routine_view import advice_view, routine_view
from rubdown.services.runner import Runner
from rubdown.services.today import day_context, day_routines
from rubdown.services.views import DISCLAIMER, WhyView, cite, session_view, verdict_view

# The professional kinds whose verdicts explain the day: the two a runner most often books.
EXPLAINED_KINDS = (SessionKind.DEEP_TISSUE, SessionKind.SPORTS, SessionKind.FLUSH)
PLAN_AROUND_DAYS = 7  # planned sessions this many days either side are shown as context
HARD_DAY_RULES = ("T5", "T7")  # no professional session on a hard day; deep work waits


@dataclass(frozen=True)
class TrainingItem:
    """Something run (or planned) on the day, as the rules see it."""

    source: str  # "activity", "planned", "calendar", "race"
    kind: str  # a workout kind (easy, long, tempo ...), or "race"
    name: str
    hard: bool
    duration_min: float | None = None
    load: float | None = None


@dataclass(frozen=True)
class LoadComparison:
    """The day's recorded load beside the runner's usual day: the numbers behind "hard"."""

    load: float
    history_days: int  # days with some load in the 28 before
    history_mean: float | None  # their mean; None when there were none
    threshold: float  # above this the day is hard by load
    by_ratio: bool  # True: 1.5 x the usual day; False: the fixed fallback (too little history)
    longest_run_min: float  # a run of 90 minutes or more is long whatever its load
    hard_by_load: bool
    long_run: bool

    @property
    def explanation(self) -> str:
        if self.by_ratio:
            basis = (
                f"{HARD_LOAD_RATIO:g} × your usual day ({self.history_mean:.0f}, the mean of "
                f"{self.history_days} training days in the {HARD_HISTORY_DAYS} before)"
            )
        else:
            basis = (
                f"a fixed {HARD_LOAD_FALLBACK:g}: only {self.history_days} training days in the "
                f"{HARD_HISTORY_DAYS} before (fewer than {MIN_HISTORY_DAYS} say too little)"
            )
        verdict = "above" if self.hard_by_load else "not above"
        text = f"load {self.load:.0f} is {verdict} {self.threshold:.0f} = {basis}"
        if self.long_run:
            text += f"; a run of {self.longest_run_min:.0f} min (90 or more) is a long run"
        return text


@dataclass(frozen=True)
class DayExplanation:
    day: dt.date
    policy: PolicyName
    training: tuple[TrainingItem, ...]
    load: LoadComparison | None  # None when nothing was recorded that day
    fitness: DayLoad | None
    checkin: CheckIn | None
    red_flags: tuple[tuple[Region, PainQuality, dt.date], ...]
    flags: tuple[Flag, ...]  # every red flag and warning sign standing on the day
    after_window: tuple[Finding, ...]  # the day's hard session inside a session's window
    verdicts: tuple[Verdict, ...]
    routines: DayRoutines
    # On a run day: how hard post-run work may go, and the rules that held it back (if any).
    post_run: tuple[Intensity, tuple[str, ...]] | None
    planned_on_day: tuple[PlannedSession, ...]
    planned_around: tuple[PlannedSession, ...]

    @property
    def hard(self) -> bool:
        return any(item.hard for item in self.training)


def explain_day(app: Runner, day: dt.date) -> DayExplanation:
    season = app.season()
    training: list[TrainingItem] = [
        TrainingItem("race", "race", f"{race.priority} race {race.name}", True, None, None)
        for race in season.races
        if race.day == day
    ]
    training += [
        TrainingItem(w.source, str(w.kind), f"{w.kind} workout", w.is_hard, w.duration_min)
        for w in app.data.list_workouts()
        if w.day == day
    ]
    history_start = day - dt.timedelta(days=HARD_HISTORY_DAYS)
    rows = app.data.list_activities(history_start, day)
    for row in rows:
        if row.local_day != day:
            continue
        activity = row.activity
        training.append(
            TrainingItem(
                "activity",
                row.kind,
                activity.name or str(activity.sport),
                _is_hard(row.kind),
                round(activity.duration_s / 60, 1),
                round(activity.load, 1) if activity.load is not None else None,
            )
        )
    load = _compare_load(day, rows)
    index = SeasonIndex(season)
    flags = tuple(
        (region, quality, since)
        for region, (quality, since) in sorted(
            index.red_flags(day).items(), key=lambda item: str(item[0])
        )
    )
    checkin = next((c for c in season.checkins if c.day == day), None)
    series = daily_series(app, day, day)
    # With nothing recorded up to the day, CTL, ATL and form are zeros that say nothing.
    fitness = None
    if series.first_activity is not None:
        fitness = next((entry for entry in series.days if entry.date == day), None)
    context = day_context(app, day)
    plan = app.data.load_plan()
    around = dt.timedelta(days=PLAN_AROUND_DAYS)
    return DayExplanation(
        day=day,
        policy=app.profile().policy,
        training=tuple(training),
        load=load,
        fitness=fitness,
        checkin=checkin,
        red_flags=flags,
        flags=index.flags(day),
        after_window=tuple(after_window_warnings(app, day)),
        verdicts=tuple(check_session(app, day, kind) for kind in EXPLAINED_KINDS),
        routines=day_routines(app, day),
        post_run=post_run_intensity(context) if context.runs_today else None,
        planned_on_day=tuple(s for s in plan if s.day == day),
        planned_around=tuple(s for s in plan if s.day != day and abs(s.day - day) <= around),
    )


def _is_hard(kind: str) -> bool:
    try:
        return WorkoutKind(kind).is_hard
    except ValueError:
        return False  # a kind this version does not know says nothing about hardness


def _compare_load(day: dt.date, rows: list[ActivityRow]) -> LoadComparison | None:
    """The same comparison ``domain.fitness.classify_day`` makes, with its numbers kept."""
    today = [row for row in rows if row.local_day == day]
    if not today:
        return None
    daily: dict[dt.date, float] = {}
    for row in rows:
        daily[row.local_day] = daily.get(row.local_day, 0.0) + (row.activity.load or 0.0)
    trained = [
        daily[d]
        for back in range(1, HARD_HISTORY_DAYS + 1)
        if daily.get(d := day - dt.timedelta(days=back), 0.0) > 0.0
    ]
    by_ratio = len(trained) >= MIN_HISTORY_DAYS
    mean = sum(trained) / len(trained) if trained else None
    threshold = HARD_LOAD_RATIO * mean if by_ratio and mean is not None else HARD_LOAD_FALLBACK
    runs = [row.activity.duration_s for row in today if row.activity.sport.is_run]
    longest = max(runs, default=0.0)
    return LoadComparison(
        load=daily.get(day, 0.0),
        history_days=len(trained),
        history_mean=mean,
        threshold=threshold,
        by_ratio=by_ratio,
        longest_run_min=longest / 60,
        hard_by_load=daily.get(day, 0.0) > threshold,
        long_run=longest >= LONG_RUN_S,
    )


def hard_day_reason(explanation: DayExplanation) -> str:
    """One sentence: why the day counts as hard or easy for the massage rules."""
    hard = [item for item in explanation.training if item.hard]
    if hard:
        names = ", ".join(f"{item.name} ({item.source})" for item in hard)
        return f"{show_day(explanation.day)} is a hard day: {names}"
    if explanation.training:
        return f"{show_day(explanation.day)} is an easy day: nothing on it is hard"
    return f"{show_day(explanation.day)} has no training: a rest day"


class Consequence(TypedDict):
    message: str
    rules: list[str]  # rule IDs


def consequences(explanation: DayExplanation) -> list[Consequence]:
    """What the advice did because of the day's facts, each with the rules behind it."""
    done: list[Consequence] = []
    if explanation.hard:
        done.append(
            {
                "message": "no professional session today, and deep work waits a day or more "
                "after it: two sources of soreness should not stack",
                "rules": list(HARD_DAY_RULES),
            }
        )
    for finding in explanation.after_window:
        done.append({"message": finding.reason, "rules": list(finding.rules)})
    if explanation.post_run is not None:
        level, rules = explanation.post_run
        if level is Intensity.VIGOROUS:
            message = "post-run point work may go vigorous after this hard run"
        elif rules:
            message = "post-run work stays moderate, not vigorous"
        else:
            message = "post-run work stays moderate: vigorous work follows only a hard run"
        done.append({"message": message, "rules": list(rules)})
    for verdict in explanation.verdicts:
        state = "allowed" if verdict.allowed else "not allowed"
        done.append(
            {
                "message": f"{verdict.kind.label} on this day: {state}",
                "rules": list(verdict.rule_ids),
            }
        )
    for advice in explanation.routines.warnings:
        flag = next((f for f in explanation.flags if advice.message.startswith(f.message())), None)
        # A flag is said first, above everything; here only what the routines did about it.
        message = (
            advice.message
            if flag is None
            else f"today's routines keep off what the flag in the {flag.region.label} blocks"
        )
        done.append({"message": message, "rules": list(advice.rules)})
    for session in explanation.planned_on_day:
        done.append(
            {
                "message": f"planned {session.kind.label}: {session.reason}",
                "rules": list(session.rules),
            }
        )
    return done


def why_view(explanation: DayExplanation, app: Runner) -> WhyView:
    kb = app.kb
    load = explanation.load
    fitness = explanation.fitness
    checkin = explanation.checkin
    return {
        "date": explanation.day.isoformat(),
        "policy": str(explanation.policy),
        "hard": explanation.hard,
        "hard_reason": hard_day_reason(explanation),
        "training": [
            {
                "source": item.source,
                "kind": item.kind,
                "name": item.name,
                "hard": item.hard,
                "duration_min": item.duration_min,
                "load": item.load,
            }
            for item in explanation.training
        ],
        "load": None
        if load is None
        else {
            "load": round(load.load, 1),
            "history_days": load.history_days,
            "history_mean": round(load.history_mean, 1) if load.history_mean is not None else None,
            "ratio": HARD_LOAD_RATIO,
            "threshold": round(load.threshold, 1),
            "basis": "ratio" if load.by_ratio else "fallback",
            "hard_by_load": load.hard_by_load,
            "long_run": load.long_run,
            "explanation": load.explanation,
        },
        "fitness": None
        if fitness is None
        else {
            "load": round(fitness.load, 1),
            "ctl": round(fitness.ctl, 1),
            "atl": round(fitness.atl, 1),
            "tsb": round(fitness.tsb, 1),
        },
        "checkin": None
        if checkin is None
        else {
            "soreness": {str(r): v for r, v in checkin.soreness.items()},
            "pain": {str(r): str(q) for r, q in checkin.pain.items()},
            "fatigue": checkin.fatigue,
            "sleep": checkin.sleep,
            "note": checkin.note,
        },
        "red_flags": [
            {
                "region": str(region),
                "quality": str(quality),
                "since": since.isoformat(),
                "rules": [cite(kb, "X1")],
            }
            for region, quality, since in explanation.red_flags
        ],
        "flags": [
            {
                "kind": str(flag.kind),
                "region": str(flag.region),
                "what": flag.what,
                "since": flag.since.isoformat(),
                "urgent": flag.urgent,
                "stale": flag.stale,
                "message": flag.message(),
                "rules": [cite(kb, r) for r in flag.rules],
            }
            for flag in explanation.flags
        ],
        "after_window": [
            {"message": f.reason, "rules": [cite(kb, r) for r in f.rules]}
            for f in explanation.after_window
        ],
        "verdicts": [verdict_view(v, kb) for v in explanation.verdicts],
        "routines": [routine_view(r, kb) for r in explanation.routines.routines],
        "post_run_intensity": None
        if explanation.post_run is None
        else {
            "intensity": str(explanation.post_run[0]),
            "rules": [cite(kb, r) for r in explanation.post_run[1]],
        },
        "warnings": [advice_view(a, kb) for a in explanation.routines.warnings],
        "plan": {
            "on_day": [session_view(s, kb) for s in explanation.planned_on_day],
            "around": [session_view(s, kb) for s in explanation.planned_around],
        },
        "consequences": [
            {"message": item["message"], "rules": [cite(kb, r) for r in item["rules"]]}
            for item in consequences(explanation)
        ],
        "disclaimer": DISCLAIMER,
    }
