"""Pinned sessions: the planner keeps them where the runner put them and plans around them;
a pin is the session's ``pinned`` flag, its reason stays the first one (the calendar says it
was moved); the Plan page reads months as YYYY-MM."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from tests.support.seasons import SAMPLE_HALF, sample_season

from rubdown.calendar.ics_export import session_description
from rubdown.domain.model import (
    CheckIn,
    Family,
    Frequency,
    PainQuality,
    Profile,
    Season,
    SessionKind,
)
from rubdown.domain.plan import Plan, PlannedSession
from rubdown.domain.planner import PlanRequest, build_plan
from rubdown.domain.regions import parse_region
from rubdown.errors import InvalidDate
from rubdown.knowledge import load_knowledge_base
from rubdown.services import pins
from rubdown.solver.cpsat import CpSatSolver
from rubdown.web.presenters.plan_month import parse_month

KB = load_knowledge_base()
START = dt.date(2027, 1, 4)  # a Monday
HALF = SAMPLE_HALF
PROFILE = Profile(frequency=Frequency.MONTHLY, budget_per_month=200, session_price=80)
SEASON = sample_season(weeks=14, race_day_runs=True)


def plan_for(pinned: tuple[PlannedSession, ...] = (), season: Season = SEASON) -> Plan:
    request = PlanRequest(season, PROFILE, START, pinned=pinned)
    return build_plan(request, KB, CpSatSolver())


def deep(plan: Plan) -> dict[str, PlannedSession]:
    return {s.key: s for s in plan.sessions if s.kind.family is Family.DEEP}


def test_a_pinned_session_stays_on_its_day_and_keeps_its_key() -> None:
    first = deep(plan_for())["pro:2027-01"]
    pinned = pins.pin(first, dt.date(2027, 1, 12))
    plan = plan_for((pinned,))
    assert deep(plan)["pro:2027-01"] == pinned
    assert [s.key for s in plan.sessions].count("pro:2027-01") == 1


def test_a_pinned_session_pushes_a_neighbour_out_of_the_spacing_window() -> None:
    plan = plan_for()
    early_february = replace(deep(plan)["pro:2027-02"], day=dt.date(2027, 2, 2))
    kept = build_plan(
        PlanRequest(SEASON, PROFILE, START, previous=(early_february,)), KB, CpSatSolver()
    )
    assert deep(kept)["pro:2027-02"].day == early_february.day  # it would stay put
    pinned = pins.pin(deep(plan)["pro:2027-01"], dt.date(2027, 1, 26))
    request = PlanRequest(
        SEASON, PROFILE, START, previous=(early_february, pinned), pinned=(pinned,)
    )
    moved = deep(build_plan(request, KB, CpSatSolver()))["pro:2027-02"]
    assert (moved.day - pinned.day).days >= 14  # monthly sessions stay two weeks apart


def test_a_session_pinned_into_the_next_month_serves_that_month_instead_of_a_second_one() -> None:
    plan = plan_for()
    pinned = pins.pin(deep(plan)["pro:2027-01"], deep(plan)["pro:2027-02"].day)
    replanned = deep(plan_for((pinned,)))
    assert "pro:2027-02" not in replanned  # February has its session: the moved one
    assert replanned["pro:2027-01"].day == pinned.day
    # January needs no replacement, and no warning says it lacks a session.
    assert not any("January 2027" in w.message for w in plan_for((pinned,)).warnings)


def test_a_pinned_session_counts_against_its_months_budget() -> None:
    plan = plan_for()
    assert any(s.key == "post-event:h" and s.day.month == 3 for s in plan.sessions)
    # A pricey session pinned in March leaves too little of March's 200 for the post-event one.
    pricey = replace(pins.pin(deep(plan)["pro:2027-03"], dt.date(2027, 3, 16)), price=190.0)
    replanned = plan_for((pricey,))
    march = [s for s in replanned.sessions if s.day.month == 3 and s.price]
    assert march == [pricey]
    assert any("No post-event session after Winter Half" in w.message for w in replanned.warnings)


def test_a_pinned_session_on_a_day_the_rules_forbid_stays_and_the_plan_warns() -> None:
    plan = plan_for()
    race_eve = HALF.day - dt.timedelta(days=1)
    pinned = pins.pin(deep(plan)["pro:2027-02"], race_eve)
    replanned = plan_for((pinned,))
    assert deep(replanned)["pro:2027-02"].day == race_eve
    warning = next(w for w in replanned.warnings if "yourself" in w.message)
    assert "Winter Half" in warning.message
    assert warning.rules


def test_a_pinned_post_event_session_is_not_planned_twice_nor_reported_missing() -> None:
    plan = plan_for()
    post = next(s for s in plan.sessions if s.kind is SessionKind.POST_EVENT)
    pinned = pins.pin(post, HALF.day + dt.timedelta(days=3))
    replanned = plan_for((pinned,))
    posts = [s for s in replanned.sessions if s.kind is SessionKind.POST_EVENT]
    assert [s.day for s in posts if s.key == post.key] == [pinned.day]
    assert not any(
        "No post-event session after Winter Half" in w.message for w in replanned.warnings
    )


def test_pins_outside_the_plan_range_are_left_out() -> None:
    plan = plan_for()
    past = pins.pin(deep(plan)["pro:2027-01"], START - dt.timedelta(days=3))
    replanned = plan_for((past,))
    assert all(s.day >= START for s in replanned.sessions)


def test_a_red_flag_on_a_pinned_day_is_named_with_x1() -> None:
    plan = plan_for()
    pinned = pins.pin(deep(plan)["pro:2027-01"], dt.date(2027, 1, 20))
    flagged = replace(
        SEASON,
        checkins=(CheckIn(dt.date(2027, 1, 18), pain={parse_region("calf"): PainQuality.SHARP}),),
    )
    replanned = plan_for((pinned,), flagged)
    assert any("X1" in w.rules and "yourself" in w.message for w in replanned.warnings)


def test_pinning_sets_the_flag_and_unpinning_clears_it_each_a_new_version() -> None:
    session = deep(plan_for())["pro:2027-01"]
    pinned = pins.pin(session, dt.date(2027, 1, 12))
    assert pinned.pinned
    assert not session.pinned
    assert (pinned.day, pinned.reason) == (dt.date(2027, 1, 12), session.reason)
    assert pinned.sequence == session.sequence + 1
    unpinned = pins.unpin(pinned)
    assert not unpinned.pinned
    assert unpinned.reason == session.reason
    assert unpinned.sequence == pinned.sequence + 1
    assert pins.pinned_in([session, pinned]) == (pinned,)


def test_a_pin_is_part_of_the_fingerprint_so_the_calendar_sees_it() -> None:
    session = deep(plan_for())["pro:2027-01"]
    assert replace(session, pinned=True).fingerprint != session.fingerprint
    description = session_description(replace(session, pinned=True), KB)
    assert description.startswith("You moved this session to this day")
    assert session.reason in description
    assert "You moved" not in session_description(session, KB)


def test_the_planner_marks_every_session_it_was_given_as_pinned() -> None:
    session = deep(plan_for())["pro:2027-01"]
    moved = replace(session, day=dt.date(2027, 1, 12))  # not flagged by the caller
    kept = deep(plan_for((moved,)))["pro:2027-01"]
    assert kept == replace(moved, pinned=True)


def test_a_month_is_read_as_its_first_day_and_defaults_to_this_month() -> None:
    today = dt.date(2027, 1, 5)
    assert parse_month("2027-03", today) == dt.date(2027, 3, 1)
    assert parse_month(None, today) == dt.date(2027, 1, 1)
    assert parse_month(" ", today) == dt.date(2027, 1, 1)


@pytest.mark.parametrize("text", ["2027-13", "2027-00", "2027", "27-01", "2027-1a", "jan"])
def test_a_month_that_is_not_yyyy_mm_is_an_invalid_date(text: str) -> None:
    with pytest.raises(InvalidDate):
        parse_month(text, dt.date(2027, 1, 5))
