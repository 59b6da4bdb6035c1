"""A therapist's bookings in the runner's season, on the in-memory port: the planner keeps
them where they are, counts them, names the therapist, and says when the rules now dislike
one (``domain.booked``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from tests.support.fake_store import FakeRunnerData, fake_runner

from rubdown.domain.booked import (
    BOOKING_ID,
    OTHER_THERAPIST,
    BookedSession,
    upcoming_bookings,
)
from rubdown.domain.consent import Grant, GrantedRunnerData, Level
from rubdown.domain.model import Frequency, Priority, Profile, SessionKind
from rubdown.knowledge import load_knowledge_base
from rubdown.services import planning, season
from rubdown.services.runner import Runner
from rubdown.solver.cpsat import CpSatSolver

KB = load_knowledge_base()
MON = dt.date(2027, 3, 1)
NOON = dt.datetime.combine(MON, dt.time(12), tzinfo=dt.UTC)
BOOKED_DAY = MON + dt.timedelta(days=16)  # a Wednesday
THERAPIST = "dana@clinic.example"


def _booking(day: dt.date = BOOKED_DAY, *, cancelled: bool = False) -> BookedSession:
    return BookedSession(
        id="b1",
        therapist=THERAPIST,
        kind=SessionKind.DEEP_TISSUE,
        start_at=dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC),
        length_min=60,
        price=80.0,
        cancelled=cancelled,
    )


@pytest.fixture
def runner() -> Runner:
    app = fake_runner(KB, CpSatSolver(), lambda: NOON)
    app.data.save_profile(Profile(frequency=Frequency.MONTHLY, budget_per_month=200.0))
    return app


def _data(app: Runner) -> FakeRunnerData:
    assert isinstance(app.data, FakeRunnerData)
    return app.data


def test_a_booking_is_a_session_of_the_season_named_by_its_therapist(runner: Runner) -> None:
    _data(runner).bookings.append(_booking())
    sessions = runner.season().sessions
    assert [(s.day, s.kind, s.booked_with, s.id) for s in sessions] == [
        (BOOKED_DAY, SessionKind.DEEP_TISSUE, THERAPIST, f"{BOOKING_ID}b1")
    ]


def test_a_cancelled_booking_is_not_in_the_season(runner: Runner) -> None:
    _data(runner).bookings.append(_booking(cancelled=True))
    assert runner.season().sessions == ()


def test_the_plan_keeps_a_booking_and_plans_no_other_deep_session_that_month(
    runner: Runner,
) -> None:
    _data(runner).bookings.append(_booking())
    plan = planning.make_plan(runner, MON, MON + dt.timedelta(days=60), save=False)
    deep_in_march = [s for s in plan.sessions if s.kind.family.name == "DEEP" and s.day.month == 3]
    assert deep_in_march == []
    kept = [n.message for n in plan.notes if "Booked already" in n.message]
    assert len(kept) == 1
    assert f"with {THERAPIST}" in kept[0]


def test_a_booking_the_rules_now_dislike_warns_and_says_whom_to_ask(runner: Runner) -> None:
    _data(runner).bookings.append(_booking())
    # An A race two days after the booking: deep work that close is advised against.
    season.add_race(runner, "Spring 10K", BOOKED_DAY + dt.timedelta(days=2), Priority.A, 10.0)
    plan = planning.make_plan(runner, MON, MON + dt.timedelta(days=60), save=False)
    warned = [w.message for w in plan.warnings if w.message.startswith("Your booked")]
    assert len(warned) == 1
    assert f"with {THERAPIST}" in warned[0]
    assert f"Ask {THERAPIST}" in warned[0]
    # Kept where it is: the plan puts no session of its own on the booked day.
    assert all(s.day != BOOKED_DAY for s in plan.sessions)


def test_a_hard_day_inside_a_bookings_recovery_window_is_told(runner: Runner) -> None:
    _data(runner).bookings.append(_booking())
    season.add_race(runner, "Spring 10K", BOOKED_DAY + dt.timedelta(days=1), Priority.A, 10.0)
    assert planning.after_window_warnings(runner, BOOKED_DAY + dt.timedelta(days=1))


def test_the_port_lists_bookings_of_only_this_runner() -> None:
    app = fake_runner(KB, CpSatSolver(), lambda: NOON)
    other = fake_runner(KB, CpSatSolver(), lambda: NOON, owner_id="other")
    _data(other).bookings.append(_booking())
    assert app.data.list_bookings() == []
    assert [b.id for b in other.data.list_bookings()] == ["b1"]


def test_today_names_the_bookings_of_the_coming_week_only() -> None:
    near = _booking(MON + dt.timedelta(days=3))
    far = replace(_booking(MON + dt.timedelta(days=9)), id="far")
    gone = replace(_booking(MON + dt.timedelta(days=1), cancelled=True), id="gone")
    assert upcoming_bookings([far, gone, near], MON) == [near]


def test_a_therapist_reading_through_a_grant_sees_no_other_therapists_name() -> None:
    data = FakeRunnerData("ana")
    other = replace(_booking(), id="b2", therapist="someone@else.example")
    data.bookings.extend([_booking(), other])
    grant = Grant(
        "g1", "ana", "theo", frozenset({Level.CALENDAR}), NOON, NOON, therapist_email=THERAPIST
    )
    seen = GrantedRunnerData(data, grant, lambda _level: None).list_bookings()
    assert [b.therapist for b in seen] == [THERAPIST, OTHER_THERAPIST]
