"""The therapist's weekly hours: what is accepted, and how the planner keeps to them."""

from __future__ import annotations

import datetime as dt

import pytest
from tests.support.checker import plan_problems
from tests.support.seasons import sample_season

from rubdown.domain.availability import (
    MINUTES_PER_DAY,
    OpeningWindow,
    WeeklyHours,
    parse_hours,
    parse_minute,
    parse_weekday,
    parse_window,
)
from rubdown.domain.model import Frequency, Profile, SessionKind
from rubdown.domain.plan import Plan
from rubdown.domain.planner import PlanRequest, build_plan
from rubdown.errors import InvalidValue, UnknownName
from rubdown.knowledge import load_knowledge_base
from rubdown.solver.cpsat import CpSatSolver

KB = load_knowledge_base()
START = dt.date(2027, 1, 4)  # a Monday
SEASON = sample_season()
PROFILE = Profile(frequency=Frequency.BIWEEKLY, budget_per_month=300, session_price=80)
TUE, THU, SAT, SUN = 1, 3, 5, 6
CLINIC = "tue 09:00-17:00, thu 12:00-20:00, sat 09:00-13:00"


def plan_with(hours: WeeklyHours) -> Plan:
    request = PlanRequest(SEASON, PROFILE, START, therapist_hours=hours)
    return build_plan(request, KB, CpSatSolver())


def booked(plan: Plan) -> list[tuple[dt.date, SessionKind, dt.time | None]]:
    """The sessions a therapist gives (the optional pre-event warm-up is the race's own)."""
    return [
        (s.day, s.kind, s.start_time)
        for s in plan.sessions
        if s.kind.is_professional and s.kind is not SessionKind.PRE_EVENT
    ]


# -- what the runner may give ----------------------------------------------------------------


def test_typed_hours_become_one_window_per_day_and_range() -> None:
    hours = parse_hours(CLINIC)
    assert hours.windows == (
        OpeningWindow(TUE, 9 * 60, 17 * 60),
        OpeningWindow(THU, 12 * 60, 20 * 60),
        OpeningWindow(SAT, 9 * 60, 13 * 60),
    )
    assert hours.days_label() == "Tue, Thu and Sat"


def test_a_day_may_list_several_ranges_and_windows_come_out_sorted() -> None:
    hours = parse_hours("sat 14:00-16:00 09:00-12:00, mon 08:00-10:00")
    assert [w.label for w in hours.windows] == [
        "Mon 08:00-10:00",
        "Sat 09:00-12:00",
        "Sat 14:00-16:00",
    ]


def test_the_label_reads_back_as_the_same_hours() -> None:
    hours = parse_hours(CLINIC)
    assert parse_hours(hours.label()) == hours
    assert parse_hours(WeeklyHours().label()) == WeeklyHours()


@pytest.mark.parametrize("text", ["none", "", "  ", "any", "NONE"])
def test_none_or_nothing_clears_the_hours(text: str) -> None:
    assert parse_hours(text) == WeeklyHours()
    assert not parse_hours(text).is_set


@pytest.mark.parametrize("text", ["tue", "Tuesday", "TUES", "tue."])
def test_weekdays_are_read_by_name_or_three_letter_start(text: str) -> None:
    assert parse_weekday(text) == TUE


@pytest.mark.parametrize("text", ["tu", "xyz", "", "day"])
def test_an_unknown_weekday_names_the_weekdays(text: str) -> None:
    with pytest.raises(UnknownName, match="mon, tue, wed, thu, fri, sat, sun"):
        parse_weekday(text)


def test_the_end_must_be_after_the_start() -> None:
    with pytest.raises(InvalidValue, match="the end must be after the start"):
        parse_hours("tue 17:00-09:00")
    with pytest.raises(InvalidValue, match="the end must be after the start"):
        parse_window("tue", "09:00", "09:00")


def test_overlapping_windows_on_one_day_are_refused() -> None:
    with pytest.raises(InvalidValue, match="overlap"):
        parse_hours("tue 09:00-13:00, tue 12:00-17:00")


def test_windows_that_only_touch_or_fall_on_other_days_are_allowed() -> None:
    assert len(parse_hours("tue 09:00-12:00 12:00-14:00").windows) == 2
    assert len(parse_hours("tue 09:00-17:00, wed 09:00-17:00").windows) == 2


def test_midnight_as_an_end_is_the_end_of_the_day() -> None:
    assert parse_minute("24:00", end=True) == MINUTES_PER_DAY
    assert parse_minute("00:00", end=True) == MINUTES_PER_DAY
    assert parse_hours("fri 20:00-00:00").windows[0].times == "20:00-24:00"


@pytest.mark.parametrize(
    ("start", "end"),
    [("24:00", "24:00"), ("25:00", "26:00"), ("09:60", "10:00"), ("9", "17"), ("nine", "five")],
)
def test_times_outside_the_day_or_badly_written_are_refused(start: str, end: str) -> None:
    with pytest.raises(InvalidValue):
        parse_window("tue", start, end)


@pytest.mark.parametrize(
    ("weekday", "start", "end"), [(7, 540, 600), (-1, 540, 600), (1, -5, 600), (1, 540, 1441)]
)
def test_windows_are_checked_however_they_are_made(weekday: int, start: int, end: int) -> None:
    with pytest.raises(InvalidValue):
        OpeningWindow(weekday, start, end)


def test_without_hours_every_day_is_open_and_with_hours_only_their_weekdays() -> None:
    week = [START + dt.timedelta(days=i) for i in range(7)]
    assert all(WeeklyHours().open_on(day) for day in week)
    hours = parse_hours(CLINIC)
    assert [day.weekday() for day in week if hours.open_on(day)] == [TUE, THU, SAT]


def test_a_session_starts_at_the_usual_time_when_it_fits_else_at_the_nearest_that_does() -> None:
    hours = parse_hours("tue 09:00-17:00, thu 12:00-20:00, sat 09:00-09:30")
    tuesday, thursday, saturday = (START + dt.timedelta(days=d) for d in (TUE, THU, SAT))
    assert hours.start_on(thursday, dt.time(18, 0), 60) == dt.time(18, 0)
    assert hours.start_on(tuesday, dt.time(18, 0), 60) == dt.time(16, 0)
    assert hours.start_on(tuesday, dt.time(7, 0), 60) == dt.time(9, 0)
    # Shorter than the session: its start, rather than a time the therapist does not work.
    assert hours.start_on(saturday, dt.time(18, 0), 60) == dt.time(9, 0)
    assert hours.start_on(START, dt.time(18, 0), 60) is None  # a Monday: not a working day


# -- the planner -----------------------------------------------------------------------------


def test_without_hours_the_plan_is_the_same_as_before_hours_existed() -> None:
    before = build_plan(PlanRequest(SEASON, PROFILE, START), KB, CpSatSolver())
    assert plan_with(WeeklyHours()) == before


def test_professional_sessions_are_planned_only_on_the_therapists_days() -> None:
    anywhere = booked(plan_with(WeeklyHours()))
    assert {day.weekday() for day, _, _ in anywhere} - {TUE, THU, SAT}, (
        "the season must have sessions off those days for this test to mean anything"
    )
    hours = parse_hours(CLINIC)
    plan = plan_with(hours)
    sessions = booked(plan)
    assert sessions
    assert {day.weekday() for day, _, _ in sessions} <= {TUE, THU, SAT}
    assert plan_problems(plan, SEASON, PROFILE, KB) == []


def test_a_planned_session_starts_inside_the_hours_and_says_it_was_chosen_within_them() -> None:
    hours = parse_hours(CLINIC)
    plan = plan_with(hours)
    for session in plan.sessions:
        if not session.kind.is_professional or session.kind is SessionKind.PRE_EVENT:
            continue
        assert session.start_time is not None
        (window,) = hours.on(session.day)
        start = session.start_time.hour * 60 + session.start_time.minute
        assert window.start_minute <= start
        assert start + session.duration_min <= window.end_minute
        assert f"within your therapist's hours ({window.times})" in session.reason
        assert session.rules  # the rules that placed it are still cited


def test_when_the_therapist_works_no_allowed_day_the_warnings_say_so() -> None:
    # Sundays are long-run or race days: deep work is never allowed on them (T5).
    plan = plan_with(parse_hours("sun 09:00-12:00"))
    assert booked(plan) == []
    messages = [w.message for w in plan.warnings]
    assert any("not days your therapist works (Sun)" in m for m in messages)
    assert any(
        m.startswith("No post-event session after Winter Half") and "therapist" in m
        for m in messages
    )
    # The rules are not blamed for what the hours ruled out.
    assert not any("every day there is a race or hard day" in m for m in messages)
