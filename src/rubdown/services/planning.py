"""Use cases that answer: may I have this massage then? what is my season plan? (and export it)"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from rubdown.domain.model import MassageSession, SessionKind
from rubdown.domain.plan import Plan, PlannedSession
from rubdown.domain.planner import PlanRequest, build_plan
from rubdown.domain.regions import Region
from rubdown.domain.rules import (
    Finding,
    SeasonIndex,
    Verdict,
    after_window_findings,
    check_with_alternatives,
)
from rubdown.errors import InvalidDate, InvalidValue
from rubdown.services.daily import open_conditions
from rubdown.services.load_series import daily_series
from rubdown.services.pins import pinned_in
from rubdown.services.runner import Runner

MAX_PLAN_DAYS = 3 * 366
BOOKING_NOTICE_DAYS = 2  # a plan made today books nothing for today or tomorrow


def check_session(
    app: Runner, day: dt.date, kind: SessionKind, regions: tuple[Region, ...] = ()
) -> Verdict:
    """Judge one session against the runner's races, workouts, log and check-ins."""
    policy = app.kb.policy(app.profile().policy)
    index = SeasonIndex(app.season())
    return check_with_alternatives(index, policy, day, kind, regions, earliest=app.today())


def after_window_warnings(app: Runner, day: dt.date) -> list[Finding]:
    """A race or hard workout on ``day`` inside the recovery window of a logged, booked or
    planned professional session (the table's rows before a race or hard workout): where the
    runner meets the hard day, they are told, with the rule."""
    policy = app.kb.policy(app.profile().policy)
    season = app.season()
    planned = tuple(
        MassageSession(s.day, s.kind, s.regions)
        for s in app.data.load_plan()
        if s.kind.is_professional
    )
    index = SeasonIndex(season.with_sessions((*season.sessions, *planned)))
    return after_window_findings(index, policy, day)


def make_plan(
    app: Runner,
    start: dt.date | None = None,
    end: dt.date | None = None,
    *,
    save: bool = True,
    ics_path: Path | None = None,
    saved: Sequence[PlannedSession] | None = None,
) -> Plan:
    """Plan from ``start`` (today) to ``end``; saving keeps each session's calendar identity.

    With ``ics_path`` the calendar is written first, so a file that cannot be written leaves
    the stored plan as it was. ``saved`` plans as if it were the stored plan (moving a session
    pins it there and re-plans in one write); sessions pinned in it stay put (``services.pins``).
    """
    start = start or app.today()
    if end is not None:
        if end < start:
            raise InvalidDate(f"the plan cannot end ({end}) before it starts ({start})")
        if (end - start).days > MAX_PLAN_DAYS:
            raise InvalidValue("a plan covers at most three years; choose a nearer --to date")
    previous = tuple(app.data.load_plan() if saved is None else saved)
    earliest = app.today() + dt.timedelta(days=BOOKING_NOTICE_DAYS)
    # An injury episode open when the plan starts steers it like a standing condition (C1-C9).
    profile = replace(app.profile(), conditions=open_conditions(app, start))
    hours = app.data.therapist_hours()  # professional sessions only inside these
    request = PlanRequest(app.season(), profile, start, end, previous, earliest, hours)
    request = replace(request, pinned=pinned_in(previous), fitness_ramp_per_week=_ramp(app, start))
    plan = build_plan(request, app.kb, app.solver)
    sessions = _carry_sequences(plan.sessions, previous)
    plan = replace(plan, sessions=sessions)
    if ics_path is not None:
        write_ics(app, plan, ics_path, alarms=True)
    if save:
        app.data.save_plan(sessions)
    return plan


def _ramp(app: Runner, start: dt.date) -> float | None:
    """CTL points gained in the week before ``start``; None without any training history."""
    series = daily_series(app, start - dt.timedelta(days=1), start - dt.timedelta(days=1))
    if series.first_activity is None or not series.days:
        return None
    return series.days[-1].ramp


def _carry_sequences(
    sessions: tuple[PlannedSession, ...], previous: tuple[PlannedSession, ...]
) -> tuple[PlannedSession, ...]:
    """Same slot, same look: same SEQUENCE; same slot, changed: SEQUENCE + 1 (RFC 5545)."""
    before = {s.key: s for s in previous}
    carried = []
    for session in sessions:
        old = before.get(session.key)
        if old is None:
            carried.append(session)
        elif old.fingerprint == session.fingerprint:
            carried.append(replace(session, sequence=old.sequence))
        else:
            carried.append(replace(session, sequence=old.sequence + 1))
    return tuple(carried)


def export_plan(app: Runner, path: Path, *, alarms: bool = True) -> Plan:
    """Re-plan from today and write the plan, races and rest days to ``path``."""
    plan = make_plan(app, save=False)
    write_ics(app, plan, path, alarms=alarms)
    app.data.save_plan(plan.sessions)
    return plan


def write_ics(app: Runner, plan: Plan, path: Path, *, alarms: bool = True) -> Path:
    """Write the plan, the races and the rest days as an .ics file."""
    # Here, not at the top: icalendar costs a check or a plan without --ics a tenth of a second,
    # and rubdown.files (secrets, hashlib) a few milliseconds more.
    from rubdown.calendar import export_ics
    from rubdown.files import write_user_file

    data = export_ics(
        plan,
        races=app.data.list_races(),
        workouts=app.data.list_workouts(),
        profile=app.profile(),
        kb=app.kb,
        owner_id=app.owner_id,
        stamp=app.clock(),
        alarms=alarms,
        bookings=app.data.list_bookings(),
    )
    # A regular file is replaced whole (never half-written); a FIFO or /dev/stdout is written.
    write_user_file(path, data)
    return path
