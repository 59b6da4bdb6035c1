"""When training is heavy, the plan says that F1 and F2 suggest weekly sessions, and what they
would cost: three or more hard days a week, or fitness rising 5 CTL points a week or more."""

from __future__ import annotations

import datetime as dt

from rubdown.domain.model import Frequency, Profile, Season, Workout, WorkoutKind
from rubdown.domain.plan import Plan
from rubdown.domain.planner import PlanRequest, build_plan
from rubdown.knowledge import load_knowledge_base
from rubdown.solver.cpsat import CpSatSolver

KB = load_knowledge_base()
START = dt.date(2027, 1, 4)  # a Monday
PROFILE = Profile(frequency=Frequency.MONTHLY, budget_per_month=150)


def week_of(*weekdays: int) -> Season:
    return Season(
        workouts=tuple(
            Workout(START + dt.timedelta(days=7 * w + d), WorkoutKind.TEMPO)
            for w in range(12)
            for d in weekdays
        )
    )


def plan(season: Season, profile: Profile = PROFILE, ramp: float | None = None) -> Plan:
    request = PlanRequest(season, profile, START, fitness_ramp_per_week=ramp)
    return build_plan(request, KB, CpSatSolver())


def heavy_notes(made: Plan) -> list[str]:
    return [n.message for n in made.notes if "F1 and F2 suggest a session every week" in n.message]


def test_three_hard_days_a_week_bring_the_weekly_suggestion_with_its_cost() -> None:
    [note] = heavy_notes(plan(week_of(1, 3, 6)))
    assert "about 3.0 days a week" in note
    assert "about 215 a month" in note  # one deep session at 80, three lighter at 45


def test_fitness_rising_fast_brings_it_too() -> None:
    [note] = heavy_notes(plan(week_of(6), ramp=6.5))
    assert "rising fast (6.5 CTL points in the last week)" in note


def test_a_light_week_and_a_steady_fitness_bring_no_suggestion() -> None:
    assert heavy_notes(plan(week_of(6), ramp=2.0)) == []
    assert heavy_notes(plan(week_of(6))) == []


def test_a_runner_already_weekly_is_not_told_to_go_weekly() -> None:
    weekly = Profile(frequency=Frequency.WEEKLY, budget_per_month=400)
    assert heavy_notes(plan(week_of(1, 3, 6), weekly)) == []
