"""The Today page's view: one day's routines as cards, with what the routine player needs.

``GET /api/today`` and the page are answered once for each state of the runner's data and
day (``web.cache.answers``): ``today_api_body`` here, the page's HTML in ``web.pages.today``.

The JSON API keeps ``routine_view``'s shape (``rubdown today --json``); the page needs a little
more, built here on top of it so the two never disagree: a stable key per routine for the page
(``pre_run``, ``post_run``, ``rest``, ``desk``), each step's body part and side apart (the
player flags pain on them), each rule with its title and the titles of its sources, and the
days either side for navigating.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from typing import Any

from rubdown.domain.knowledge import KnowledgeBase
from rubdown.domain.model import PainQuality
from rubdown.domain.regions import BodyPart, Region, Side
from rubdown.domain.routines import DayAdvice, DayRoutines, Routine, RoutineWhen, Step
from rubdown.errors import InvalidDate
from rubdown.services.alerts import RED_FLAG_RULE, alerts_view, beyond_alerts, standing_alerts
from rubdown.services.routine_view import clock_text, day_routines_view, pick_routine, step_view
from rubdown.services.runner import Runner
from rubdown.services.today import day_routines
from rubdown.services.views import DayRoutinesView, rule_ref
from rubdown.services.why import explain_day, why_view
from rubdown.web.cache.answers import answer, cached_answer, encode_json

ROUTINE_KEYS = {
    RoutineWhen.PRE_RUN: "pre_run",
    RoutineWhen.POST_RUN: "post_run",
    RoutineWhen.REST_DAY: "rest",
    RoutineWhen.DESK: "desk",
}
ROUTINE_TITLES = {
    RoutineWhen.PRE_RUN: "Pre-run",
    RoutineWhen.POST_RUN: "Post-run",
    RoutineWhen.REST_DAY: "Rest day",
    RoutineWhen.DESK: "Desk breaks",
}
ROUTINE_BLURBS = {
    RoutineWhen.PRE_RUN: "Before you run: warm up first, then light work for blood flow only.",
    RoutineWhen.POST_RUN: "After the run: broad strokes first, then the spots that need it.",
    RoutineWhen.REST_DAY: "One short bout on a day without a run.",
    RoutineWhen.DESK: "Repeat every half hour of sitting.",
}
TODAY_API = "today-api"  # the kinds of answer kept in ``web.cache.answers``
TODAY_PAGE = "today-page"
PAGE_RANGE_DAYS = 36_525  # about a century either side of today
WHOLE_BODY = "whole-body"  # data-region of a step that works no one region (warm-up, breaks)
NO_SIDE = "none"  # data-side of a central region (the back) or of no region at all
BOTH_SIDES = "both"
PAIN_CHOICES = (
    (PainQuality.DULL, "Dull ache", "an ache or tightness"),
    (PainQuality.SHARP, "Sharp", "a sharp or stabbing pain"),
    (PainQuality.NUMBNESS, "Numb", "numbness, less feeling"),
    (PainQuality.TINGLING, "Tingling", "pins and needles"),
)


def citation(kb: KnowledgeBase, rule_ids: Iterable[str]) -> dict[str, Any]:
    """Rules as one citation: each rule, and the titles of all their sources once each."""
    rules = [rule_ref(kb, rule_id) for rule_id in rule_ids]
    sources = list(dict.fromkeys(title for rule in rules for title in rule["sources"]))
    return {"rules": rules, "sources": sources}


def region_parts(region: Region | None) -> tuple[str, str]:
    """``(data-region, data-side)`` of a step: the body part, and left, right, both or none."""
    if region is None:
        return WHOLE_BODY, NO_SIDE
    if region.side is not None:
        return str(region.part), str(region.side)
    return str(region.part), BOTH_SIDES if region.part.paired else NO_SIDE


def step_card(step: Step, kb: KnowledgeBase) -> dict[str, Any]:
    part, side = region_parts(step.region)
    return {
        **step_view(step, kb),
        "part": part,
        "side": side,
        "paired": step.region is not None and step.region.part.paired,
        "region_label": step.region.label if step.region is not None else "whole body",
        "cited": citation(kb, step.rules),
    }


def routine_card(routine: Routine, kb: KnowledgeBase) -> dict[str, Any]:
    return {
        "key": ROUTINE_KEYS[routine.when],
        "when": str(routine.when),
        "title": ROUTINE_TITLES[routine.when],
        "blurb": ROUTINE_BLURBS[routine.when],
        "total_s": routine.total_s,
        "total": clock_text(routine.total_s),
        "minutes": math.ceil(routine.total_s / 60),
        "steps": [step_card(step, kb) for step in routine.steps],
    }


def advice_card(advice: DayAdvice, kb: KnowledgeBase) -> dict[str, Any]:
    return {
        "message": advice.message,
        "red_flag": RED_FLAG_RULE in advice.rules,
        "cited": citation(kb, advice.rules),
    }


def player_routine(card: dict[str, Any]) -> dict[str, Any]:
    """What player.js needs of one routine: only the facts it shows or sends back."""
    keep = ("move", "kind", "region", "region_label", "part", "side", "paired", "tool", "intensity")
    steps = [
        {**{key: step[key] for key in keep}, "seconds": step["seconds"], "cue": step["cue"]}
        for step in card["steps"]
    ]
    return {"key": card["key"], "when": card["when"], "title": card["title"], "steps": steps}


def region_choices() -> list[dict[str, str]]:
    """Every region a pain flag can name, for a step that works no one region."""
    choices: list[dict[str, str]] = []
    for part in BodyPart:
        sides: tuple[Side | None, ...] = (None, Side.LEFT, Side.RIGHT) if part.paired else (None,)
        for side in sides:
            region = Region(part, side)
            both = side is None and part.paired
            label = f"{region.label} (both sides)" if both else region.label
            choices.append({"value": str(region), "label": label})
    return choices


def check_page_day(day: dt.date, today: dt.date) -> None:
    """The page looks at days within a century of today: the routines of a day read the
    weeks before it, which the calendar's first and last days do not have."""
    if abs((day - today).days) > PAGE_RANGE_DAYS:
        raise InvalidDate(f"{day} is too far from today ({today}): pick a day within 100 years")


def today_api_view(app: Runner, day: dt.date | None, when: RoutineWhen | None) -> DayRoutinesView:
    """``GET /api/today``: the routines of ``day`` (default: today), or only the one asked
    for, in ``rubdown today --json``'s shape."""
    routines = day_routines(app, day or app.today())
    if when is not None:
        chosen = pick_routine(routines, when)
        routines = DayRoutines(routines.day, (chosen,), routines.warnings)
    return day_routines_view(routines, app.kb)


def today_api_body(app: Runner, day: dt.date | None, when: RoutineWhen | None) -> bytes:
    """``today_api_view`` as JSON, made again only when the runner's data or day moved."""

    def make(made_with: Runner) -> bytes:
        # Red flags and warning signs first (services.alerts), as in every answer.
        alerts = alerts_view(standing_alerts(made_with, day))
        return encode_json({"alerts": alerts, **today_api_view(made_with, day, when)})

    return answer(app, TODAY_API, (day, when), make)


def cached_today_api_body(
    app: Runner, day: dt.date | None, when: RoutineWhen | None
) -> bytes | None:
    """``today_api_body`` if it is kept, else None: one query, never the routines."""
    return cached_answer(app, TODAY_API, (day, when))


def today_page_view(app: Runner, day: dt.date) -> dict[str, Any]:
    """Everything the Today page lays out for ``day``."""
    today = app.today()
    check_page_day(day, today)
    routines = day_routines(app, day)
    cards = [routine_card(routine, app.kb) for routine in routines.routines]
    return {
        "date": day.isoformat(),
        "day": day,
        "is_today": day == today,
        "relative": _relative(day, today),
        "prev_day": _shift(day, -1),
        "next_day": _shift(day, 1),
        "today": today.isoformat(),
        "cards": cards,
        # The banner at the top of the page says the flags already.
        "warnings": [
            advice_card(advice, app.kb)
            for advice in beyond_alerts(routines.warnings, standing_alerts(app, day))
        ],
        "player": {
            "routines": {card["key"]: player_routine(card) for card in cards},
            "red_flag_rule": {
                **rule_ref(app.kb, RED_FLAG_RULE),
                "text": app.kb.rule(RED_FLAG_RULE).text,
            },
        },
        "pain_choices": [
            {"value": str(quality), "label": label, "hint": hint}
            for quality, label, hint in PAIN_CHOICES
        ],
        "regions": region_choices(),
    }


def _shift(day: dt.date, days: int) -> dt.date | None:
    try:
        return day + dt.timedelta(days=days)
    except OverflowError:  # the first or last day the calendar has
        return None


def _relative(day: dt.date, today: dt.date) -> str:
    gap = (day - today).days
    names = {0: "today", -1: "yesterday", 1: "tomorrow"}
    if gap in names:
        return names[gap]
    return f"in {gap} days" if gap > 0 else f"{-gap} days ago"


def why_summary(app: Runner, day: dt.date) -> dict[str, Any]:
    """The short form of ``rubdown why DATE`` the page folds out: why the day is hard or easy,
    the check-in behind it, and what the advice did because of them, each with its rules."""
    check_page_day(day, app.today())
    view = why_view(explain_day(app, day), app)
    post_run = view["post_run_intensity"]
    return {
        "date": view["date"],
        "hard_reason": view["hard_reason"],
        "load": view["load"]["explanation"] if view["load"] is not None else None,
        "checkin": view["checkin"],
        "post_run": None
        if post_run is None
        else {
            "intensity": post_run["intensity"],
            "cited": citation(app.kb, (rule["id"] for rule in post_run["rules"])),
        },
        "consequences": [
            {
                "message": item["message"],
                "cited": citation(app.kb, (rule["id"] for rule in item["rules"])),
            }
            for item in view["consequences"]
        ],
    }
