"""Results as plain data (dicts of str, numbers, lists): the one JSON shape for CLI and web.

Each view is a ``TypedDict``: ``mypy`` checks what the views build, and the API's response
models are these types, so ``/openapi.json`` documents every answer. They come from
``typing_extensions``, the ``TypedDict`` Pydantic reads on Python 3.11. A response model lists
its keys in the order the view builds them, as Pydantic writes them in the model's order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NotRequired

from typing_extensions import TypedDict

from rubdown.domain.activity import DailyWellness
from rubdown.domain.availability import WEEKDAY_NAMES, WEEKDAYS, WeeklyHours, clock_text
from rubdown.domain.knowledge import KnowledgeBase, Rule
from rubdown.domain.load import LoadParams
from rubdown.domain.model import (
    CheckIn,
    InjuryEpisode,
    MassageSession,
    Profile,
    Race,
    RoutineLog,
    Workout,
)
from rubdown.domain.plan import Plan, PlannedSession, RhythmItem, Warning
from rubdown.domain.policy import Gap
from rubdown.domain.records import ActivityRow, FileStatus, ManualRun
from rubdown.domain.rules import Verdict

if TYPE_CHECKING:
    from rubdown.services.importing import ImportReport

DISCLAIMER = "rubdown is not medical advice; sharp pain, numbness or tingling: see a professional."

# A number that stays an integer when it is one ("42", not "42.0"), as the answers have
# always printed it: a response model typed ``float`` would write every one as a float.
Number = int | float


class Citation(TypedDict):
    id: str
    source: str  # the first source document's file
    sources: list[str]


class RuleRef(TypedDict):
    id: str
    title: str
    sources: list[str]  # the source documents' titles


def cite(kb: KnowledgeBase, rule_id: str) -> Citation:
    citation = kb.cite(rule_id)
    return {
        "id": rule_id,
        "source": citation.source_files[0],
        "sources": list(citation.source_files),
    }


def rule_ref(kb: KnowledgeBase, rule_id: str) -> RuleRef:
    """A rule as a page cites it: its ID, its title and its source documents' titles."""
    citation = kb.cite(rule_id)
    return {
        "id": citation.rule_id,
        "title": citation.title,
        "sources": list(citation.source_titles),
    }


class FindingCitation(Citation):
    reason: str
    forbids: bool


class AlternativeView(TypedDict):
    date: str
    kind: str
    note: str


class VerdictView(TypedDict):
    allowed: bool
    kind: str
    date: str
    regions: list[str]
    policy: str
    rules: list[FindingCitation]
    alternatives: list[AlternativeView]


def verdict_view(verdict: Verdict, kb: KnowledgeBase) -> VerdictView:
    rules: list[FindingCitation] = []
    for finding in verdict.findings:
        for rule_id in finding.rules:
            rules.append(
                {**cite(kb, rule_id), "reason": finding.reason, "forbids": finding.forbids}
            )
    return {
        "allowed": verdict.allowed,
        "kind": str(verdict.kind),
        "date": verdict.day.isoformat(),
        "regions": [str(r) for r in verdict.regions],
        "policy": str(verdict.policy.name),
        "rules": rules,
        "alternatives": [
            {"date": a.day.isoformat(), "kind": str(a.kind), "note": a.note}
            for a in verdict.alternatives
        ],
    }


class SessionView(TypedDict):
    key: str
    date: str
    kind: str
    professional: bool
    regions: list[str]
    price: Number
    start_time: str | None
    duration_min: Number
    reason: str
    rules: list[Citation]
    sequence: int
    pinned: bool


def session_view(session: PlannedSession, kb: KnowledgeBase) -> SessionView:
    return {
        "key": session.key,
        "date": session.day.isoformat(),
        "kind": str(session.kind),
        "professional": session.kind.is_professional,
        "regions": [str(r) for r in session.regions],
        "price": session.price,
        "start_time": session.start_time.isoformat("minutes") if session.start_time else None,
        "duration_min": session.duration_min,
        "reason": session.reason,
        "rules": [cite(kb, rule_id) for rule_id in session.rules],
        "sequence": session.sequence,
        "pinned": session.pinned,  # the runner moved it there; re-plans keep it
    }


class WarningView(TypedDict):
    message: str
    rules: list[Citation]


def warning_view(warning: Warning, kb: KnowledgeBase) -> WarningView:
    return {"message": warning.message, "rules": [cite(kb, r) for r in warning.rules]}


class RhythmView(TypedDict):
    when: str
    kind: str
    minutes: str  # "5-10"
    what: str
    rules: list[Citation]


def rhythm_view(item: RhythmItem, kb: KnowledgeBase) -> RhythmView:
    return {
        "when": item.when,
        "kind": str(item.kind),
        "minutes": item.minutes,
        "what": item.what,
        "rules": [cite(kb, r) for r in item.rules],
    }


# "from" is a keyword, hence the functional form.
PlanView = TypedDict(
    "PlanView",
    {
        "policy": str,
        "from": str,
        "to": str,
        "sessions": list[SessionView],
        "warnings": list[WarningView],
        "notes": list[WarningView],
        "rhythm": list[RhythmView],
        "spend_by_month": dict[str, float],  # "2027-03" -> the month's session prices
        "solver_status": str,
        "disclaimer": str,
    },
)


def plan_view(plan: Plan, kb: KnowledgeBase) -> PlanView:
    return {
        "policy": str(plan.policy),
        "from": plan.start.isoformat(),
        "to": plan.end.isoformat(),
        "sessions": [session_view(s, kb) for s in plan.sessions],
        "warnings": [warning_view(w, kb) for w in plan.warnings],
        "notes": [warning_view(n, kb) for n in plan.notes],
        "rhythm": [rhythm_view(r, kb) for r in plan.rhythm],
        "spend_by_month": spend_by_month(plan),
        "solver_status": plan.solver_status,
        "disclaimer": DISCLAIMER,
    }


def spend_by_month(plan: Plan) -> dict[str, float]:
    spend: dict[str, float] = {}
    for session in plan.sessions:
        if session.price:
            key = f"{session.day:%Y-%m}"
            spend[key] = round(spend.get(key, 0.0) + session.price, 2)
    return spend


class SourceView(TypedDict):
    key: str
    file: str
    title: str
    url: str | None


class MoveView(TypedDict):
    name: str
    when: str
    regions: list[str]
    tools: list[str]
    seconds: int
    intensity: str
    cue: str


class ProtocolView(TypedDict):
    condition: str
    focus: list[str]
    professional: list[str]
    moves: list[str]
    advice: str


class RuleView(TypedDict):
    id: str
    group: str
    title: str
    text: str
    sources: list[SourceView]
    # Only rules of that sort carry these: a session kind, a self-massage move, a protocol.
    kind: NotRequired[str]
    move: NotRequired[MoveView]
    protocol: NotRequired[ProtocolView]


def rule_view(rule: Rule, kb: KnowledgeBase) -> RuleView:
    view: RuleView = {
        "id": rule.id,
        "group": str(rule.group),
        "title": rule.title,
        "text": rule.text,
        "sources": [
            {
                "key": key,
                "file": kb.sources[key].file,
                "title": kb.sources[key].title,
                "url": kb.sources[key].url or None,
            }
            for key in rule.sources
        ],
    }
    if rule.kind is not None:
        view["kind"] = str(rule.kind)
    if rule.move is not None:
        move = rule.move
        view["move"] = {
            "name": move.name,
            "when": str(move.when),
            "regions": [str(r) for r in move.regions],
            "tools": [str(t) for t in move.tools],
            "seconds": move.seconds,
            "intensity": str(move.intensity),
            "cue": move.cue,
        }
    if rule.protocol is not None:
        protocol = rule.protocol
        view["protocol"] = {
            "condition": str(protocol.condition) if protocol.condition else "desk-job",
            "focus": [str(r) for r in protocol.focus],
            "professional": [str(k) for k in protocol.professional],
            "moves": list(protocol.moves),
            "advice": protocol.advice,
        }
    return view


class PolicyCell(TypedDict):
    gap: str
    says: str
    measure: str
    days: int
    rules: list[str]


class PolicyView(TypedDict):
    name: str
    summary: str
    race_window_rules: list[str]
    cells: list[PolicyCell]


def policies_view(kb: KnowledgeBase) -> list[PolicyView]:
    """Each policy with its summary and its column of the timing table (none for a knowledge
    base without a table, as a test may load)."""
    if kb.table is None:
        return []
    views: list[PolicyView] = []
    for policy in kb.policies.values():
        cells: list[PolicyCell] = [
            {
                "gap": str(row.gap),
                "says": row.says,
                "measure": row.measure,
                "days": policy.days(row.gap),
                "rules": list(policy.rules(row.gap)),
            }
            for row in kb.table.rows
        ]
        views.append(
            {
                "name": str(policy.name),
                "summary": policy.summary,
                "race_window_rules": list(policy.rules(Gap.DEEP_BEFORE_MAJOR_RACE)),
                "cells": cells,
            }
        )
    return views


class TimingCell(TypedDict):
    days: int
    rules: list[str]


class TimingRow(TypedDict):
    gap: str
    says: str
    measure: str
    cells: dict[str, TimingCell]  # policy name -> its cell


class FixedRuleView(TypedDict):
    id: str
    says: str
    rules: list[str]


class TimingTableView(TypedDict):
    rows: list[TimingRow]
    fixed: list[FixedRuleView]


def timing_table_view(kb: KnowledgeBase) -> TimingTableView:
    """The timing table as the README prints it: a row per gap, a cell per policy, and the
    rules that hold under every policy."""
    if kb.table is None:
        return {"rows": [], "fixed": []}
    return {
        "rows": [
            {
                "gap": str(row.gap),
                "says": row.says,
                "measure": row.measure,
                "cells": {
                    str(name): {"days": cell.days, "rules": list(cell.rules)}
                    for name, cell in row.cells.items()
                },
            }
            for row in kb.table.rows
        ],
        "fixed": [
            {"id": fixed.id, "says": fixed.says, "rules": list(fixed.rules)}
            for fixed in kb.table.fixed
        ],
    }


class LoggedSessionView(TypedDict):
    id: str
    date: str
    kind: str
    regions: list[str]
    price: Number


def logged_session_view(session: MassageSession) -> LoggedSessionView:
    return {
        "id": session.id,
        "date": session.day.isoformat(),
        "kind": str(session.kind),
        "regions": [str(r) for r in session.regions],
        "price": session.price,
    }


class RaceView(TypedDict):
    id: str
    name: str
    date: str
    priority: str
    distance_km: Number | None
    start_time: str | None


def race_view(race: Race) -> RaceView:
    return {
        "id": race.id,
        "name": race.name,
        "date": race.day.isoformat(),
        "priority": str(race.priority),
        "distance_km": race.distance_km,
        "start_time": race.start_time.isoformat("minutes") if race.start_time else None,
    }


class WorkoutView(TypedDict):
    id: str
    date: str
    kind: str
    hard: bool
    duration_min: Number | None
    source: str
    pattern_id: str | None


def workout_view(workout: Workout) -> WorkoutView:
    return {
        "id": workout.id,
        "date": workout.day.isoformat(),
        "kind": str(workout.kind),
        "hard": workout.is_hard,
        "duration_min": workout.duration_min,
        "source": workout.source,
        "pattern_id": workout.pattern_id or None,
    }


class ActivityView(TypedDict):
    id: str
    date: str
    start: str
    utc_offset_s: int | None
    sport: str
    name: str
    duration_s: Number
    moving_s: Number | None
    distance_m: Number | None
    elevation_gain_m: Number | None
    avg_hr_bpm: Number | None
    max_hr_bpm: Number | None
    laps: int
    records: int
    partial: bool
    load: Number | None
    load_method: str
    kind: str


def activity_view(row: ActivityRow) -> ActivityView:
    a = row.activity
    return {
        "id": a.id,
        "date": row.local_day.isoformat(),
        "start": a.start.isoformat(),
        "utc_offset_s": a.utc_offset_s,
        "sport": a.sport.value,
        "name": a.name,
        "duration_s": a.duration_s,
        "moving_s": a.moving_s,
        "distance_m": a.distance_m,
        "elevation_gain_m": a.elevation_gain_m,
        "avg_hr_bpm": a.avg_hr_bpm,
        "max_hr_bpm": a.max_hr_bpm,
        "laps": len(a.laps),
        "records": a.records,
        "partial": a.partial,
        "load": a.load,
        "load_method": a.load_method,
        "kind": row.kind,
    }


class FileView(TypedDict):
    path: str
    format: str
    status: FileStatus  # the schema lists the words
    activities: int
    records: int
    error: str | None


class SkippedEventView(TypedDict):
    file: str
    event: str
    date: str | None
    reason: str


class ImportView(TypedDict):
    files: list[FileView]
    summary: dict[str, int]  # files per status
    races: list[RaceView]
    workouts: list[WorkoutView]
    duplicates: int
    skipped_events: list[SkippedEventView]


def import_view(report: ImportReport) -> ImportView:
    return {
        "files": [
            {
                "path": f.path,
                "format": f.format,
                "status": f.status,
                "activities": f.activities,
                "records": f.records,
                "error": f.error,
            }
            for f in report.files
        ],
        "summary": report.summary,
        "races": [race_view(r) for r in report.races],
        "workouts": [workout_view(w) for w in report.workouts],
        "duplicates": report.calendar_duplicates,
        "skipped_events": [
            {
                "file": path,
                "event": event.name,
                "date": event.day.isoformat() if event.day else None,
                "reason": event.reason,
            }
            for path, event in report.calendar_skipped
        ],
    }


class WellnessView(TypedDict):
    date: str
    source: str
    sleep_s: Number | None
    sleep_score: Number | None
    resting_hr_bpm: Number | None
    hrv_ms: Number | None


def wellness_view(day: DailyWellness) -> WellnessView:
    return {
        "date": day.day.isoformat(),
        "source": day.source,
        "sleep_s": day.sleep_s,
        "sleep_score": day.sleep_score,
        "resting_hr_bpm": day.resting_hr_bpm,
        "hrv_ms": day.hrv_ms,
    }


if TYPE_CHECKING:
    from rubdown.services.load_series import LoadSeries


def _two_places(value: float) -> float:
    # ``+ 0.0`` turns the -0.0 that rounding a tiny negative gives into 0.0 for JSON.
    return round(value, 2) + 0.0


class DayLoadView(TypedDict):
    date: str
    load: float
    ctl: float
    atl: float
    tsb: float


class LoadConvention(TypedDict):
    decay: str
    ctl_days: Number
    atl_days: Number
    form: str
    text: str


class HardDay(TypedDict):
    date: str
    kinds: list[str]


LoadView = TypedDict(
    "LoadView",
    {
        "days": list[DayLoadView],
        "from": str,
        "to": str,
        "convention": LoadConvention,
        "estimated": list[str],
        "hard_days": list[HardDay],
        "unscored_activities": int,
        "first_activity": str | None,
    },
)


def load_view(series: LoadSeries) -> LoadView:
    """Fitness, fatigue and form per day; ``tsb`` is form that morning (yesterday's values)."""
    return {
        "days": [
            {
                "date": day.date.isoformat(),
                "load": _two_places(day.load),
                "ctl": _two_places(day.ctl),
                "atl": _two_places(day.atl),
                "tsb": _two_places(day.tsb),
            }
            for day in series.days
        ],
        "from": series.start.isoformat(),
        "to": series.end.isoformat(),
        "convention": {
            "decay": str(series.decay),
            "ctl_days": series.ctl_days,
            "atl_days": series.atl_days,
            "form": str(series.form),
            "text": load_convention_text(series),
        },
        "estimated": sorted(series.estimated),
        "hard_days": [
            {"date": day.isoformat(), "kinds": [str(kind) for kind in kinds]}
            for day, kinds in series.hard.items()
        ],
        "unscored_activities": series.unscored,
        "first_activity": series.first_activity.isoformat() if series.first_activity else None,
    }


def load_convention_text(series: LoadSeries) -> str:
    """The convention in one line: which day's values make form, the formula of k, and N."""
    return (
        f"{series.form.formula}; {series.decay.formula}, "
        f"N = {series.ctl_days:g} and {series.atl_days:g}"
    )


# -- the runner and their days ----------------------------------------------------------------

LOAD_VALUES = ("max_hr_bpm", "resting_hr_bpm", "threshold_hr_bpm", "threshold_pace_s_per_km")


class LoadValues(TypedDict):
    max_hr_bpm: Number
    resting_hr_bpm: Number
    threshold_hr_bpm: Number
    threshold_pace_s_per_km: Number
    sex: str | None
    estimated: list[str]


class ProfileView(TypedDict):
    name: str
    policy: str
    frequency: str
    budget_per_month: Number
    session_price: Number
    sports_price: Number
    flush_price: Number
    post_event_price: Number
    units: str
    owns: list[str]
    conditions: list[str]
    desk_job: bool
    timezone: str
    session_time: str
    session_minutes: int
    max_hr_bpm: Number | None
    resting_hr_bpm: Number | None
    threshold_hr_bpm: Number | None
    threshold_pace_s_per_km: Number | None
    sex: str | None
    load_values: NotRequired[LoadValues]  # what loads are computed with, when asked


def profile_view(profile: Profile, params: LoadParams | None = None) -> ProfileView:
    """The profile as stored (a load value the runner did not give is null) and, with
    ``params``, the values loads are computed with and which of them are estimated."""
    view: ProfileView = {
        "name": profile.name,
        "policy": str(profile.policy),
        "frequency": str(profile.frequency),
        "budget_per_month": profile.budget_per_month,
        "session_price": profile.session_price,
        "sports_price": profile.sports_price,
        "flush_price": profile.flush_price,
        "post_event_price": profile.post_event_price,
        "units": str(profile.units),
        "owns": sorted(str(t) for t in profile.owns),
        "conditions": sorted(str(c) for c in profile.conditions),
        "desk_job": profile.desk_job,
        "timezone": profile.timezone,
        "session_time": profile.session_time.isoformat("minutes"),
        "session_minutes": profile.session_minutes,
        "max_hr_bpm": profile.max_hr_bpm,
        "resting_hr_bpm": profile.resting_hr_bpm,
        "threshold_hr_bpm": profile.threshold_hr_bpm,
        "threshold_pace_s_per_km": profile.threshold_pace_s_per_km,
        "sex": profile.sex,
    }
    if params is not None:
        view["load_values"] = {
            "max_hr_bpm": round(params.max_hr_bpm, 1),
            "resting_hr_bpm": round(params.resting_hr_bpm, 1),
            "threshold_hr_bpm": round(params.threshold_hr_bpm, 1),
            "threshold_pace_s_per_km": round(params.threshold_pace_s_per_km, 1),
            "sex": params.sex,
            "estimated": sorted(params.estimated),
        }
    return view


class OpeningWindow(TypedDict):
    weekday: str  # "tue"
    day: str  # "Tuesday"
    start: str  # "09:00"
    end: str


class AvailabilityView(TypedDict):
    any_day: bool
    days: str
    text: str
    hours: list[OpeningWindow]


def availability_view(hours: WeeklyHours) -> AvailabilityView:
    """The therapist's weekly hours; ``any_day`` when none are set (no day is ruled out)."""
    return {
        "any_day": not hours.is_set,
        "days": hours.days_label(),
        "text": hours.label() if hours.is_set else "",
        "hours": [
            {
                "weekday": WEEKDAYS[w.weekday],
                "day": WEEKDAY_NAMES[w.weekday],
                "start": clock_text(w.start_minute),
                "end": clock_text(w.end_minute),
            }
            for w in hours.windows
        ],
    }


class CheckInView(TypedDict):
    date: str
    soreness: dict[str, int]  # region -> 0-10
    pain: dict[str, str]  # region -> pain quality
    red_flags: list[str]
    signs: dict[str, list[str]]  # region -> warning signs
    warning_signs: list[str]
    fatigue: int | None
    sleep: int | None
    note: str
    replaced: bool


def checkin_view(checkin: CheckIn, *, replaced: bool = False) -> CheckInView:
    return {
        "date": checkin.day.isoformat(),
        "soreness": {str(r): v for r, v in checkin.soreness.items()},
        "pain": {str(r): str(q) for r, q in checkin.pain.items()},
        "red_flags": [
            f"{region.label} ({quality})"
            for region, quality in checkin.pain.items()
            if quality.is_red_flag
        ],
        # Warning signs (R3, R5), sorted so the same check-in always reads the same.
        "signs": {
            str(region): sorted(sign.value for sign in found)
            for region, found in sorted(checkin.signs.items(), key=lambda item: str(item[0]))
        },
        "warning_signs": [
            f"{region.label} ({', '.join(sorted(sign.value for sign in found))})"
            for region, found in sorted(checkin.signs.items(), key=lambda item: str(item[0]))
        ],
        "fatigue": checkin.fatigue,
        "sleep": checkin.sleep,
        "note": checkin.note,
        "replaced": replaced,
    }


class InjuryView(TypedDict):
    id: str
    region: str
    condition: str
    start: str
    end: str | None
    open: bool
    helped: str


class SavedCheckInView(CheckInView):
    merged: bool  # a later check-in the same day was merged into the day's


def injury_view(episode: InjuryEpisode) -> InjuryView:
    return {
        "id": episode.id,
        "region": str(episode.region),
        "condition": str(episode.condition),
        "start": episode.start.isoformat(),
        "end": episode.end.isoformat() if episode.end else None,
        "open": episode.end is None,
        "helped": episode.helped,
    }


class ManualRunView(TypedDict):
    id: str
    date: str
    start: str
    duration_min: Number
    rpe: Number
    srpe_units: Number
    load: Number | None
    load_method: str
    kind: str
    kind_given: bool


def manual_run_view(run: ManualRun) -> ManualRunView:
    minutes = run.duration_s / 60
    return {
        "id": run.id,
        "date": run.day.isoformat(),
        "start": run.start.isoformat(),
        "duration_min": round(minutes, 2),
        "rpe": run.rpe,
        "srpe_units": round(minutes * run.rpe, 1),  # Foster: minutes times RPE
        "load": round(run.load, 1) if run.load is not None else None,
        "load_method": run.load_method,
        "kind": str(run.kind),
        "kind_given": run.given_kind is not None,
    }


class RoutineLogView(TypedDict):
    id: str
    date: str
    when: str
    started_at: str
    steps_done: int
    steps_skipped: int
    seconds: Number
    completed: bool


def routine_log_view(log: RoutineLog) -> RoutineLogView:
    return {
        "id": log.id,
        "date": log.day.isoformat(),
        "when": log.when,
        "started_at": log.started_at.isoformat(),
        "steps_done": log.steps_done,
        "steps_skipped": log.steps_skipped,
        "seconds": log.seconds,
        "completed": log.completed,
    }


# -- alerts, routines and a day explained (``services.alerts``, ``routine_view``, ``why``) ----


class RuleNoteView(TypedDict):
    id: str
    text: str
    sources: list[str]


class AlertView(TypedDict):
    kind: str
    urgent: bool
    stale: bool
    region: str
    region_label: str
    what: str
    since: str
    seen: str
    message: str
    rule_ids: list[str]
    rules: list[RuleNoteView]
    blocks: list[str]  # no massage and no loading here
    light_only: list[str]  # only light work here


class StepView(TypedDict):
    kind: str
    move: str
    region: str | None
    tool: str
    seconds: int
    time: str  # "1:15"
    intensity: str
    cue: str
    rules: list[Citation]
    works: list[str]


class RoutineView(TypedDict):
    when: str
    total_s: int
    total: str
    steps: list[StepView]


class DayRoutinesView(TypedDict):
    date: str
    routines: list[RoutineView]
    warnings: list[WarningView]
    disclaimer: str


class TrainingItemView(TypedDict):
    source: str
    kind: str
    name: str
    hard: bool
    duration_min: Number | None
    load: Number | None


class LoadComparisonView(TypedDict):
    load: Number
    history_days: int
    history_mean: Number | None
    ratio: Number
    threshold: Number
    basis: str  # "ratio" or "fallback"
    hard_by_load: bool
    long_run: bool
    explanation: str


class FitnessView(TypedDict):
    load: Number
    ctl: Number
    atl: Number
    tsb: Number


class DayCheckInView(TypedDict):
    soreness: dict[str, int]
    pain: dict[str, str]
    fatigue: int | None
    sleep: int | None
    note: str


class RedFlagView(TypedDict):
    region: str
    quality: str
    since: str
    rules: list[Citation]


class FlagView(TypedDict):
    kind: str
    region: str
    what: str
    since: str
    urgent: bool
    stale: bool
    message: str
    rules: list[Citation]


class PostRunView(TypedDict):
    intensity: str
    rules: list[Citation]


class PlanAroundDay(TypedDict):
    on_day: list[SessionView]
    around: list[SessionView]


class WhyView(TypedDict):
    date: str
    policy: str
    hard: bool
    hard_reason: str
    training: list[TrainingItemView]
    load: LoadComparisonView | None
    fitness: FitnessView | None
    checkin: DayCheckInView | None
    red_flags: list[RedFlagView]
    flags: list[FlagView]
    after_window: list[WarningView]
    verdicts: list[VerdictView]
    routines: list[RoutineView]
    post_run_intensity: PostRunView | None
    warnings: list[WarningView]
    plan: PlanAroundDay
    consequences: list[WarningView]
    disclaimer: str


class MovedSession(SessionView):
    id: str  # the session's key, as the Plan page names it


class SessionMoveView(TypedDict):
    """The answer to moving a planned session (``services.plan_moves``)."""

    moved: bool
    can_confirm: bool  # refused, but the runner may insist (not past a red flag)
    message: str
    session: MovedSession
    verdict: VerdictView
    plan: PlanView | None  # the new plan, when moved
