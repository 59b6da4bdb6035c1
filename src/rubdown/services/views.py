"""Results as plain data (dicts of str, numbers, lists): the one JSON shape for CLI and web."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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
from rubdown.domain.records import ActivityRow, ManualRun
from rubdown.domain.rules import Verdict

if TYPE_CHECKING:
    from rubdown.services.importing import ImportReport

DISCLAIMER = "rubdown is not medical advice; sharp pain, numbness or tingling: see a professional."


def cite(kb: KnowledgeBase, rule_id: str) -> dict[str, Any]:
    citation = kb.cite(rule_id)
    return {
        "id": rule_id,
        "source": citation.source_files[0],
        "sources": list(citation.source_files),
    }


def rule_ref(kb: KnowledgeBase, rule_id: str) -> dict[str, Any]:
    """A rule as a page cites it: its ID, its title and its source documents' titles."""
    rule = kb.rule(rule_id)
    return {
        "id": rule.id,
        "title": rule.title,
        "sources": [kb.sources[key].title for key in rule.sources],
    }


def verdict_view(verdict: Verdict, kb: KnowledgeBase) -> dict[str, Any]:
    rules = []
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


def session_view(session: PlannedSession, kb: KnowledgeBase) -> dict[str, Any]:
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


def warning_view(warning: Warning, kb: KnowledgeBase) -> dict[str, Any]:
    return {"message": warning.message, "rules": [cite(kb, r) for r in warning.rules]}


def rhythm_view(item: RhythmItem, kb: KnowledgeBase) -> dict[str, Any]:
    return {
        "when": item.when,
        "kind": str(item.kind),
        "minutes": item.minutes,
        "what": item.what,
        "rules": [cite(kb, r) for r in item.rules],
    }


def plan_view(plan: Plan, kb: KnowledgeBase) -> dict[str, Any]:
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


def rule_view(rule: Rule, kb: KnowledgeBase) -> dict[str, Any]:
    view: dict[str, Any] = {
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


def policies_view(kb: KnowledgeBase) -> list[dict[str, Any]]:
    """Each policy with its summary and its column of the timing table (none for a knowledge
    base without a table, as a test may load)."""
    if kb.table is None:
        return []
    views = []
    for policy in kb.policies.values():
        cells = [
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


def timing_table_view(kb: KnowledgeBase) -> dict[str, Any]:
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


def logged_session_view(session: MassageSession) -> dict[str, Any]:
    return {
        "id": session.id,
        "date": session.day.isoformat(),
        "kind": str(session.kind),
        "regions": [str(r) for r in session.regions],
        "price": session.price,
    }


def race_view(race: Race) -> dict[str, Any]:
    return {
        "id": race.id,
        "name": race.name,
        "date": race.day.isoformat(),
        "priority": str(race.priority),
        "distance_km": race.distance_km,
        "start_time": race.start_time.isoformat("minutes") if race.start_time else None,
    }


def workout_view(workout: Workout) -> dict[str, Any]:
    return {
        "id": workout.id,
        "date": workout.day.isoformat(),
        "kind": str(workout.kind),
        "hard": workout.is_hard,
        "duration_min": workout.duration_min,
        "source": workout.source,
        "pattern_id": workout.pattern_id or None,
    }


def activity_view(row: ActivityRow) -> dict[str, Any]:
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


def import_view(report: ImportReport) -> dict[str, Any]:
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


def wellness_view(day: DailyWellness) -> dict[str, Any]:
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


def load_view(series: LoadSeries) -> dict[str, Any]:
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


def profile_view(profile: Profile, params: LoadParams | None = None) -> dict[str, Any]:
    """The profile as stored (a load value the runner did not give is null) and, with
    ``params``, the values loads are computed with and which of them are estimated."""
    view: dict[str, Any] = {
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
            **{name: round(getattr(params, name), 1) for name in LOAD_VALUES},
            "sex": params.sex,
            "estimated": sorted(params.estimated),
        }
    return view


def availability_view(hours: WeeklyHours) -> dict[str, Any]:
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


def checkin_view(checkin: CheckIn, *, replaced: bool = False) -> dict[str, Any]:
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


def injury_view(episode: InjuryEpisode) -> dict[str, Any]:
    return {
        "id": episode.id,
        "region": str(episode.region),
        "condition": str(episode.condition),
        "start": episode.start.isoformat(),
        "end": episode.end.isoformat() if episode.end else None,
        "open": episode.end is None,
        "helped": episode.helped,
    }


def manual_run_view(run: ManualRun) -> dict[str, Any]:
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


def routine_log_view(log: RoutineLog) -> dict[str, Any]:
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
