"""Which sessions of the saved plan the runner pinned to a day by moving them there.

A pinned session stays on its day through every later re-plan (``rubdown plan``, the API, the
page), and the planner fits the rest of the season around it (``PlanRequest.pinned``).

The saved plan has no column that says "pinned", and the store is not changed for it: a
pinned session is marked by the start of its reason, a fixed sentence the planner never
writes, followed by the reason it was first planned for. The reason is what the runner and
their calendar see, so the mark also tells them why the session is where it is; and the
session keeps its key, so its calendar event keeps its UID and moves (SEQUENCE + 1) instead
of being replaced by another one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import replace

from rubdown.domain.plan import PlannedSession

PINNED_NOTE = (
    "You moved this session to this day, so the plan keeps it here and fits the rest around "
    "it. First planned as: "
)


def is_pinned_reason(reason: str) -> bool:
    return reason.startswith(PINNED_NOTE)


def is_pinned(session: PlannedSession) -> bool:
    return is_pinned_reason(session.reason)


def pinned_in(sessions: Iterable[PlannedSession]) -> tuple[PlannedSession, ...]:
    return tuple(s for s in sessions if is_pinned(s))


def first_reason(reason: str) -> str:
    """The reason the planner gave before the session was pinned."""
    return reason.removeprefix(PINNED_NOTE)


def pin(session: PlannedSession, day: dt.date) -> PlannedSession:
    """The session pinned to ``day``; a calendar that showed it sees a new version of it."""
    return replace(
        session,
        day=day,
        reason=PINNED_NOTE + first_reason(session.reason),
        sequence=session.sequence + 1,
    )


def unpin(session: PlannedSession) -> PlannedSession:
    """The session back in the planner's hands, free to move when the next plan is made."""
    return replace(session, reason=first_reason(session.reason), sequence=session.sequence + 1)
