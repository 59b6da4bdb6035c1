"""The Plan page's data: a month of the season, one session's reasons, a date checked.

The month shows the plan as ``GET /api/plan`` makes it (the same cached view, so the page and
the API never disagree), with what the plan is made around: races, hard days (hard workouts
and imported hard activities), logged sessions, and the days the self-massage rhythm applies
to. Every rule a reason names comes with its title and the titles of its source documents,
as ``rubdown plan`` and ``rubdown rules`` name them.

A checked date gets one word: "no" when the runner's policy forbids it, "caution" when the
policy allows it but the cautious reading of the sources would not (they disagree on how long
before a race deep work should stop, T1-T3), and "ok" otherwise.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from rubdown.domain.dates import YEARS, in_range
from rubdown.domain.knowledge import KnowledgeBase
from rubdown.domain.model import PolicyName, Priority, SessionKind, Workout, WorkoutKind
from rubdown.domain.regions import Region, parse_region
from rubdown.domain.rules import Finding, SeasonIndex, Verdict, check, show_day
from rubdown.errors import InvalidDate, NotFound
from rubdown.services.planning import check_session
from rubdown.services.runner import Runner
from rubdown.services.views import RuleRef, rule_ref
from rubdown.web.cache.plan import plan_document
from rubdown.web.presenters.training_month import month_training, race_distance_text

WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
RHYTHM_LABELS = {"pre-run": "before a run", "post-run": "after a run", "daily": "daily"}
PRIORITY_WORDS = {Priority.A: "goal race", Priority.B: "important race", Priority.C: "tune-up"}


def parse_month(text: str | None, today: dt.date) -> dt.date:
    """``YYYY-MM`` (default: this month) as the month's first day."""
    if text is None or not text.strip():
        return today.replace(day=1)
    parts = text.strip().split("-")
    if len(parts) != 2 or not all(p.isdigit() for p in parts) or [len(p) for p in parts] != [4, 2]:
        raise InvalidDate(f"month: invalid month {text!r}: expected YYYY-MM")
    year, month = int(parts[0]), int(parts[1])
    if not 1 <= month <= 12 or year < 1:
        raise InvalidDate(f"month: invalid month {text!r}: months run from 01 to 12")
    first = dt.date(year, month, 1)
    if not in_range(first):
        # The month's view links the months either side: year 9999 has none after it.
        raise InvalidDate(f"month: {text.strip()!r} is outside the years {YEARS}")
    return first


def rule_refs(kb: KnowledgeBase, rule_ids: Iterable[str]) -> list[RuleRef]:
    return [rule_ref(kb, rule_id) for rule_id in dict.fromkeys(rule_ids)]


# -- the month ---------------------------------------------------------------------------------


def month_view(app: Runner, month: dt.date) -> dict[str, Any]:
    """Everything the month calendar shows, day by day, Monday first."""
    plan = plan_document(app, None, None).view
    kb, today = app.kb, app.today()
    first = month.replace(day=1)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    plan_from, plan_to = dt.date.fromisoformat(plan["from"]), dt.date.fromisoformat(plan["to"])

    races = defaultdict(list)
    units = app.profile().units
    for race in app.data.list_races():
        if first <= race.day <= last:
            races[race.day].append(
                {
                    "id": race.id,
                    "name": race.name,
                    "priority": str(race.priority),
                    "what": PRIORITY_WORDS[race.priority],
                    "distance_km": race.distance_km,
                    "distance": race_distance_text(units, race.distance_km),
                    "start_time": race.start_time.isoformat("minutes") if race.start_time else None,
                }
            )
    workouts = [w for w in app.season().workouts if first <= w.day <= last]
    hard: dict[dt.date, list[str]] = defaultdict(list)
    runs: set[dt.date] = set(races)
    for workout in workouts:
        if workout.kind is not WorkoutKind.REST:
            runs.add(workout.day)
        if workout.is_hard:
            hard[workout.day].append(_hard_label(workout))
    sessions = defaultdict(list)
    for session in plan["sessions"]:
        day = dt.date.fromisoformat(session["date"])
        if first <= day <= last:
            sessions[day].append(_session_chip(session))
    logged = defaultdict(list)
    for done in app.data.list_sessions():
        if first <= done.day <= last:
            logged[done.day].append(
                {"kind": str(done.kind), "label": done.kind.label, "price": done.price}
            )
    booked = defaultdict(list)
    for booking in app.data.list_bookings():
        if not booking.cancelled and first <= booking.day <= last:
            booked[booking.day].append(
                {
                    "id": booking.id,
                    "kind": str(booking.kind),
                    "label": booking.kind.label,
                    "time": booking.start_at.strftime("%H:%M"),
                    "length_min": booking.length_min,
                    "therapist": booking.therapist,
                }
            )
    rhythm_whens = [item["when"] for item in plan["rhythm"]]

    days = []
    for offset in range((last - first).days + 1):
        day = first + dt.timedelta(days=offset)
        rhythm = []
        if plan_from <= day <= plan_to and day >= today:
            rhythm = _rhythm_on(day, rhythm_whens, run=day in runs)
        cell = {
            "date": day.isoformat(),
            "number": day.day,
            "weekday": WEEKDAY_NAMES[day.weekday()],
            "label": show_day(day),
            "today": day == today,
            "past": day < today,
            "races": races.get(day, []),
            "hard": bool(races.get(day) or hard.get(day)),  # a race is a hard day too (T5)
            "hard_what": hard.get(day, []),
            "sessions": sessions.get(day, []),
            "logged": logged.get(day, []),
            "booked": booked.get(day, []),
            "rhythm": rhythm,
        }
        cell["empty"] = not (
            cell["races"] or cell["hard"] or cell["sessions"] or cell["logged"] or cell["booked"]
        )
        days.append(cell)

    prev_month = (first - dt.timedelta(days=1)).replace(day=1)
    next_month = last + dt.timedelta(days=1)
    return {
        "month": f"{first:%Y-%m}",
        "label": f"{first:%B %Y}",
        "prev": f"{prev_month:%Y-%m}",
        "prev_label": f"{prev_month:%B %Y}",
        "next": f"{next_month:%Y-%m}",
        "next_label": f"{next_month:%B %Y}",
        "this_month": f"{today:%Y-%m}",
        "lead": first.weekday(),  # empty cells before the 1st in a Monday-first grid
        "trail": (6 - last.weekday()),
        "weekdays": WEEKDAY_NAMES,
        "days": days,
        "plan": {
            "from": plan["from"],
            "to": plan["to"],
            "from_label": f"{show_day(plan_from)} {plan_from.year}",
            "to_label": f"{show_day(plan_to)} {plan_to.year}",
            "policy": plan["policy"],
        },
        "in_plan": first <= plan_to and last >= plan_from,
        "warnings": [_cited(kb, w) for w in plan["warnings"]],
        "notes": [_cited(kb, n) for n in plan["notes"]],
        "rhythm": [
            {
                "when": item["when"],
                "label": RHYTHM_LABELS.get(item["when"], "at the desk"),
                "minutes": item["minutes"],
                "what": item["what"],
                "rules": rule_refs(kb, (r["id"] for r in item["rules"])),
            }
            for item in plan["rhythm"]
        ],
        "spend": _spend(app, plan, first, last, logged),
        "training": month_training(app, first, last),
    }


def _hard_label(workout: Workout) -> str:
    names = {WorkoutKind.LONG: "long run", WorkoutKind.RACE: "race effort"}
    name = names.get(workout.kind, f"{workout.kind.value} workout")
    return f"{name} (imported)" if workout.source == "activity" else name


def _session_chip(session: dict[str, Any]) -> dict[str, Any]:
    kind = SessionKind(session["kind"])
    return {
        "id": session["key"],
        "kind": session["kind"],
        "label": kind.label,
        "family": str(kind.family),
        "professional": session["professional"],
        "pinned": session["pinned"],
        "time": session["start_time"],
        "price": session["price"],
    }


def _rhythm_on(day: dt.date, whens: list[str], *, run: bool) -> list[str]:
    """Which rhythm habits apply on ``day``: daily ones, the desk ones on weekdays, and the
    pre- and post-run ones on days with a run or race."""
    applies = {
        "daily": True,
        "desk": day.weekday() < 5,
        "pre-run": run,
        "post-run": run,
    }
    return [when for when in dict.fromkeys(whens) if applies.get(when, False)]


def _cited(kb: KnowledgeBase, warning: dict[str, Any]) -> dict[str, Any]:
    return {
        "message": warning["message"],
        "rules": rule_refs(kb, (r["id"] for r in warning["rules"])),
    }


def _spend(
    app: Runner,
    plan: dict[str, Any],
    first: dt.date,
    last: dt.date,
    logged: dict[dt.date, list[dict[str, Any]]],
) -> dict[str, Any]:
    """Planned and logged spending in the month against the monthly budget (F4)."""
    budget = app.profile().budget_per_month
    planned = float(plan["spend_by_month"].get(f"{first:%Y-%m}", 0.0))
    spent = round(sum(s["price"] for day in logged.values() for s in day), 2)
    total = round(planned + spent, 2)
    return {
        "planned": planned,
        "logged": spent,
        "total": total,
        "budget": budget,
        "over": total > budget,
        "share": min(100, round(100 * total / budget)) if budget > 0 else 100,
        "rules": rule_refs(app.kb, ("F4",)),
    }


# -- one session -------------------------------------------------------------------------------


def session_detail_view(app: Runner, session_id: str) -> dict[str, Any]:
    """Why a planned session is where it is: its reason with each rule and its sources, what
    the rules say about its day now, and the days it may move to."""
    plan = plan_document(app, None, None).view
    session = next((s for s in plan["sessions"] if s["key"] == session_id), None)
    if session is None:
        raise NotFound(f"no planned session {session_id!r}: the plan may have changed; reload it")
    kind = SessionKind(session["kind"])
    day = dt.date.fromisoformat(session["date"])
    today = app.today()
    view: dict[str, Any] = {
        "id": session["key"],
        "kind": session["kind"],
        "label": kind.label,
        "date": session["date"],
        "date_label": f"{show_day(day)} {day.year}",
        "time": session["start_time"],
        "duration_min": session["duration_min"],
        "regions": [parse_region(r).label for r in session["regions"]],
        "price": session["price"],
        "professional": session["professional"],
        "pinned": session["pinned"],
        "reason": session["reason"],
        "rules": rule_refs(app.kb, (r["id"] for r in session["rules"])),
        "movable": session["professional"],
        "move": {
            "min": max(today, dt.date.fromisoformat(plan["from"])).isoformat(),
            "max": plan["to"],
        },
        "check": None,
    }
    if session["professional"]:
        view["check"] = check_view(app, check_session(app, day, kind))
    return view


# -- a date checked ------------------------------------------------------------------------------


def check_view(app: Runner, verdict: Verdict) -> dict[str, Any]:
    """A verdict as the page shows it: one word, each reason with its rules, what instead."""
    cautions: list[Finding] = []
    if verdict.allowed and verdict.policy.name is not PolicyName.CAUTIOUS:
        strict = check(
            SeasonIndex(app.season()),
            app.kb.policy(PolicyName.CAUTIOUS),
            verdict.day,
            verdict.kind,
            verdict.regions,
        )
        cautions = [f for f in strict.findings if f.forbids]
    word = "no" if not verdict.allowed else "caution" if cautions else "ok"
    kb = app.kb
    return {
        "word": word,
        "allowed": verdict.allowed,
        "date": verdict.day.isoformat(),
        "date_label": f"{show_day(verdict.day)} {verdict.day.year}",
        "kind": str(verdict.kind),
        "kind_label": verdict.kind.label,
        "regions": [r.label for r in verdict.regions],
        "policy": str(verdict.policy.name),
        "findings": [_finding(kb, f) for f in verdict.findings],
        "cautions": [_finding(kb, f) for f in cautions],
        "alternatives": [
            {"date": a.day.isoformat(), "kind": str(a.kind), "note": a.note}
            for a in verdict.alternatives
        ],
    }


def check_date(
    app: Runner, day: dt.date, kind: SessionKind, regions: tuple[Region, ...] = ()
) -> dict[str, Any]:
    """``rubdown check`` for the page: the same service as ``POST /api/check``."""
    return check_view(app, check_session(app, day, kind, regions))


def _finding(kb: KnowledgeBase, finding: Finding) -> dict[str, Any]:
    return {
        "reason": finding.reason,
        "forbids": finding.forbids,
        "rules": rule_refs(kb, finding.rules),
    }


def session_kinds() -> list[dict[str, str]]:
    """The kinds a date can be checked for, as the form offers them."""
    return [{"value": str(kind), "label": kind.label} for kind in SessionKind]
