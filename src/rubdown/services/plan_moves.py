"""Moving a planned session to another day: check it there, pin it, re-plan the rest around it.

The session is found in the plan as it stands now (what ``GET /api/plan`` and the Plan page
show), checked on the new day with the same rules as ``rubdown check``, then pinned there
(``services.pins``) and the season is planned again with it fixed (``PlanRequest.pinned``):
its slot, its period and its price are taken and the spacing windows keep the other sessions
away from it. The pin and the new plan are one write (``save_plan`` replaces the plan in one
transaction), made only after everything has been checked and planned, so a failure leaves
the stored plan as it was.

When the rules say no, the session is not moved unless the runner confirms: the rules are
advice the runner may overrule for a reason rubdown cannot see (a booking already made, an
adapted body), and the plan then keeps warning about it. A red flag (X1) cannot be overruled:
sharp pain, numbness or tingling mean no massage until a professional has looked at it.

Only professional sessions move: a vigorous self-massage bout belongs to the hard workout it
follows (T10), so it moves when the workout does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from rubdown.domain.plan import Plan, PlannedSession
from rubdown.domain.rules import Verdict, show_day
from rubdown.errors import InvalidDate, InvalidValue, NotFound
from rubdown.services import pins, views
from rubdown.services.planning import check_session, make_plan
from rubdown.services.runner import Runner

# Red flags and warning signs (X1, R3, R5) cannot be overruled: they mean no massage there
# until a professional has looked at it.
SAFETY_RULES = frozenset({"X1", "R3", "R5"})


@dataclass(frozen=True)
class MoveResult:
    session: PlannedSession  # where it is now: on the new day when moved, else where it was
    verdict: Verdict  # the rules on the day asked for
    moved: bool
    can_confirm: bool  # refused, but the runner may insist (not when a red flag speaks)
    message: str
    plan: Plan | None = None  # the new plan, when moved


def current_plan(app: Runner) -> Plan:
    """The plan as it would be made now, not saved: the sessions the runner sees."""
    return make_plan(app, save=False)


def find_session(plan: Plan, session_id: str) -> PlannedSession:
    for session in plan.sessions:
        if session.key == session_id:
            return session
    raise NotFound(f"no planned session {session_id!r}: the plan may have changed; reload it")


def move_session(
    app: Runner, session_id: str, day: dt.date, *, confirm: bool = False
) -> MoveResult:
    """Move the planned session ``session_id`` to ``day`` and re-plan around it."""
    plan = current_plan(app)
    session = find_session(plan, session_id)
    if not session.kind.is_professional:
        raise InvalidValue(
            f"a {session.kind.label} follows the hard workout before it (T10): move the "
            "workout instead, and the bout moves with it"
        )
    today = app.today()
    if day < today:
        raise InvalidDate(f"{day} has passed: a session can move to today or a later day")
    if day > plan.end:
        raise InvalidDate(f"{day} is after the plan's last day ({plan.end})")
    # The session's own regions are checked, as the planner placed them: they already leave
    # out what a standing flag blocks, so a flag elsewhere does not stop the move.
    verdict = check_session(app, day, session.kind, session.regions)
    red_flag = any(SAFETY_RULES & set(f.rules) for f in verdict.findings if f.forbids)
    what = f"{session.kind.label} on {show_day(day)}"
    if not verdict.allowed and (red_flag or not confirm):
        message = (
            f"Not moved: a red flag stands against the {what}; see a professional first."
            if red_flag
            else f"Not moved: the rules advise against the {what}. Move it anyway only if you "
            "have a reason the rules cannot see; the plan will keep warning about it."
        )
        return MoveResult(session, verdict, moved=False, can_confirm=not red_flag, message=message)

    stored = app.data.load_plan()
    # One version past the published one (a calendar that has it sees it move).
    published = max((s.sequence for s in stored if s.key == session.key), default=0)
    pinned = pins.pin(replace(session, sequence=max(session.sequence, published)), day)
    saved = [s for s in stored if s.key != session.key] + [pinned]
    new_plan = make_plan(app, save=True, saved=saved)  # the one write: pin and plan together
    moved = find_session(new_plan, session.key)
    message = f"Moved: {what}. The rest of the plan was fitted around it."
    if not verdict.allowed:
        message = f"Moved against the rules' advice: {what}. The plan warns about it."
    return MoveResult(moved, verdict, moved=True, can_confirm=False, message=message, plan=new_plan)


def release_session(app: Runner, session_id: str) -> Plan:
    """Unpin a session the runner moved: the planner places it again from now on."""
    stored = app.data.load_plan()
    session = next((s for s in stored if s.key == session_id), None)
    if session is None:
        raise NotFound(f"no saved planned session {session_id!r}")
    if not session.pinned:
        raise InvalidValue("that session was placed by the planner: there is no pin to remove")
    saved = [pins.unpin(s) if s.key == session_id else s for s in stored]
    return make_plan(app, save=True, saved=saved)


def move_view(result: MoveResult, app: Runner) -> views.SessionMoveView:
    """The JSON answer to a move: what happened, the verdict, and the new plan if moved."""
    session = views.session_view(result.session, app.kb)
    return {
        "moved": result.moved,
        "can_confirm": result.can_confirm,
        "message": result.message,
        "session": {**session, "id": result.session.key},
        "verdict": views.verdict_view(result.verdict, app.kb),
        "plan": views.plan_view(result.plan, app.kb) if result.plan is not None else None,
    }
