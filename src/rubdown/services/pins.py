"""Which sessions of the saved plan the runner pinned to a day by moving them there.

A pinned session stays on its day through every later re-plan (``rubdown plan``, the API, the
page), and the planner fits the rest of the season around it (``PlanRequest.pinned``). The
pin is the session's ``pinned`` flag, stored with the saved plan (migration 7); the session
keeps its key, so its calendar event keeps its UID and moves (SEQUENCE + 1) instead of being
replaced by another one. Its reason stays the one it was first planned for: the views and the
calendar say it was moved from the flag.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import replace

from rubdown.domain.plan import PlannedSession


def pinned_in(sessions: Iterable[PlannedSession]) -> tuple[PlannedSession, ...]:
    return tuple(s for s in sessions if s.pinned)


def pin(session: PlannedSession, day: dt.date) -> PlannedSession:
    """The session pinned to ``day``; a calendar that showed it sees a new version of it."""
    return replace(session, day=day, pinned=True, sequence=session.sequence + 1)


def unpin(session: PlannedSession) -> PlannedSession:
    """The session back in the planner's hands, free to move when the next plan is made."""
    return replace(session, pinned=False, sequence=session.sequence + 1)
