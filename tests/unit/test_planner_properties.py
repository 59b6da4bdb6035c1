"""Invariants of the planner over random calendars and profiles (Hypothesis).

Whatever the season: no planned session is one the rules engine forbids, no month goes over
the budget, and every session carries at least one rule ID.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.support.checker import plan_problems

from rubdown.domain.model import (
    CheckIn,
    Condition,
    Frequency,
    MassageSession,
    PainQuality,
    PolicyName,
    Priority,
    Profile,
    Race,
    Season,
    SessionKind,
    Workout,
    WorkoutKind,
)
from rubdown.domain.planner import PlanRequest, build_plan
from rubdown.domain.regions import BodyPart, Region, Side
from rubdown.knowledge import load_knowledge_base
from rubdown.solver.cpsat import CpSatSolver

KB = load_knowledge_base()
SOLVER = CpSatSolver()
START = dt.date(2027, 1, 1)

offsets = st.integers(min_value=-20, max_value=200)


def on(offset: int) -> dt.date:
    return START + dt.timedelta(days=offset)


races = st.builds(
    lambda i, offset, priority: Race(f"Race {i}", on(offset), priority, id=f"r{i}"),
    st.integers(0, 10**6),
    offsets,
    st.sampled_from(Priority),
)
workouts = st.builds(
    lambda offset, kind: Workout(on(offset), kind), offsets, st.sampled_from(WorkoutKind)
)
logged = st.builds(
    lambda offset, kind, price: MassageSession(on(offset), kind, price=price),
    st.integers(-40, 0),
    st.sampled_from(SessionKind),
    st.sampled_from([0.0, 60.0, 80.0]),
)
regions = st.builds(
    Region, st.sampled_from([BodyPart.HEEL, BodyPart.CALF]), st.sampled_from([None, Side.LEFT])
)
checkins = st.builds(
    lambda offset, region, quality: CheckIn(on(offset), pain={region: quality}),
    st.integers(-10, 60),
    regions,
    st.sampled_from(PainQuality),
)
profiles = st.builds(
    Profile,
    policy=st.sampled_from(PolicyName),
    frequency=st.sampled_from(Frequency),
    budget_per_month=st.sampled_from([0.0, 50.0, 100.0, 150.0, 250.0, 400.0]),
    session_price=st.sampled_from([45.0, 60.0, 80.0, 100.0]),
    conditions=st.frozensets(st.sampled_from(Condition), max_size=3),
    desk_job=st.booleans(),
)
seasons = st.builds(
    lambda r, w, s, c: Season(
        races=tuple(r), workouts=tuple(w), sessions=tuple(s), checkins=tuple(c)
    ),
    st.lists(races, max_size=6),
    st.lists(workouts, max_size=80),
    st.lists(logged, max_size=4),
    st.lists(checkins, max_size=2),
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(season=seasons, profile=profiles, previous_shift=st.booleans())
def test_no_plan_breaks_a_rule_or_the_budget_and_every_session_cites_a_rule(
    season: Season, profile: Profile, previous_shift: bool
) -> None:
    plan = build_plan(PlanRequest(season, profile, START), KB, SOLVER)
    assert plan_problems(plan, season, profile, KB) == []
    if previous_shift:
        # A re-plan that starts from the first plan obeys the same rules.
        again = build_plan(PlanRequest(season, profile, START, previous=plan.sessions), KB, SOLVER)
        assert plan_problems(again, season, profile, KB) == []
        assert again.sessions == plan.sessions
