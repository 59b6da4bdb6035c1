"""Today's routines as plain data (the ``today --json`` shape), picking one routine, and
recording a routine the runner went through with the guided timer."""

from __future__ import annotations

import datetime as dt

from rubdown.domain.knowledge import KnowledgeBase
from rubdown.domain.model import RoutineLog
from rubdown.domain.routines import DayAdvice, DayRoutines, Routine, RoutineWhen, Step
from rubdown.errors import NotFound
from rubdown.services.daily import log_routine
from rubdown.services.runner import Runner
from rubdown.services.views import (
    DISCLAIMER,
    DayRoutinesView,
    RoutineView,
    StepView,
    WarningView,
    cite,
)


def clock_text(seconds: float) -> str:
    """``75`` -> ``"1:15"``: how a runner reads a step's time. Rounds up, so a countdown shows
    ``0:01`` until the very end rather than ``0:00`` for most of the last second."""
    whole = max(0, int(-(-seconds // 1)))
    return f"{whole // 60}:{whole % 60:02d}"


def step_view(step: Step, kb: KnowledgeBase) -> StepView:
    return {
        "kind": str(step.kind),
        "move": step.move,
        "region": str(step.region) if step.region is not None else None,
        "tool": str(step.tool),
        "seconds": step.seconds,
        "time": clock_text(step.seconds),
        "intensity": str(step.intensity),
        "cue": step.cue,
        "rules": [cite(kb, rule_id) for rule_id in step.rules],
        # Every region the step massages or loads: what the safety checks keep it to.
        "works": [str(region) for region in step.works],
    }


def routine_view(routine: Routine, kb: KnowledgeBase) -> RoutineView:
    return {
        "when": str(routine.when),
        "total_s": routine.total_s,
        "total": clock_text(routine.total_s),
        "steps": [step_view(step, kb) for step in routine.steps],
    }


def advice_view(advice: DayAdvice, kb: KnowledgeBase) -> WarningView:
    return {"message": advice.message, "rules": [cite(kb, rule_id) for rule_id in advice.rules]}


def day_routines_view(day: DayRoutines, kb: KnowledgeBase) -> DayRoutinesView:
    return {
        "date": day.day.isoformat(),
        "routines": [routine_view(routine, kb) for routine in day.routines],
        "warnings": [advice_view(advice, kb) for advice in day.warnings],
        "disclaimer": DISCLAIMER,
    }


def pick_routine(day: DayRoutines, when: RoutineWhen | None) -> Routine:
    """The routine the runner asked for, or the day's first one when they did not say."""
    if not day.routines:
        raise NotFound(f"there is no self-massage routine for {day.day}")
    if when is None:
        return day.routines[0]
    for routine in day.routines:
        if routine.when is when:
            return routine
    offered = ", ".join(str(r.when) for r in day.routines)
    raise NotFound(f"there is no {when} routine for {day.day}; that day has: {offered}")


def record_routine_run(
    app: Runner,
    day: dt.date,
    when: RoutineWhen,
    started_at: dt.datetime,
    *,
    steps_done: int,
    steps_skipped: int,
    seconds: float,
    completed: bool,
) -> RoutineLog:
    """Keep what the guided timer saw, for ``rubdown log`` to list. ``day`` is the day the
    runner went through it (a routine shown for another date is still done today)."""
    log = RoutineLog(
        day=day,
        when=str(when),
        started_at=started_at,
        steps_done=steps_done,
        steps_skipped=steps_skipped,
        seconds=round(seconds, 1),
        completed=completed,
    )
    return log_routine(app, log)
