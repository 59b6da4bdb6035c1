"""Safety properties over random seasons and check-ins (Hypothesis).

Whatever the races, hard workouts, logged sessions and check-ins (soreness, sharp pain,
numbness, tingling, dull pain and warning signs on random regions and days):

(a) no planned session touches a region a standing flag blocks on its day, and no deep,
    sports or vigorous self-massage session touches a region kept to light work;
(b) every planned session is allowed by ``check`` against the season and the other planned
    sessions (the independent checker);
(c) every alternative ``check_with_alternatives`` offers is itself allowed by ``check`` for
    the same regions, so nothing a flag forbids is ever offered;
(d) while a red flag stands, ``check`` refuses every kind of massage on every region of the
    flag's neighbourhood, naming the flag's rule (X1).
"""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.support.checker import plan_problems
from tests.support.checkin_strategies import checkins, regions

from rubdown.domain.model import (
    CheckIn,
    Family,
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
from rubdown.domain.regions import Region, Side, neighbourhood
from rubdown.domain.rules import SeasonIndex, check, check_with_alternatives
from rubdown.domain.safety import blocked, light_only, standing_flags, touches
from rubdown.knowledge import load_knowledge_base
from rubdown.solver.cpsat import CpSatSolver

KB = load_knowledge_base()
SOLVER = CpSatSolver()
START = dt.date(2027, 3, 1)  # a Monday; plans run 12 weeks from here
PLAN_DAYS = 84
VIGOROUS_KINDS = frozenset({Family.DEEP, Family.SPORTS})


def on(offset: int) -> dt.date:
    return START + dt.timedelta(days=offset)


races = st.builds(
    lambda i, offset, priority, km: Race(f"Race {i}", on(offset), priority, km, id=f"r{i}"),
    st.integers(0, 10**6),
    st.integers(-10, PLAN_DAYS),
    st.sampled_from(Priority),
    st.sampled_from([5.0, 10.0, 21.1, 42.195, 50.0, None]),
)
workouts = st.builds(
    lambda offset, kind: Workout(on(offset), kind),
    st.integers(-10, PLAN_DAYS),
    st.sampled_from(WorkoutKind),
)
# Logged before the plan starts, or booked for a day inside it.
logged = st.builds(
    lambda offset, kind, price: MassageSession(on(offset), kind, price=price, id=f"s{offset}"),
    st.integers(-30, PLAN_DAYS),
    st.sampled_from(SessionKind),
    st.sampled_from([0.0, 45.0, 80.0]),
)
seasons = st.builds(
    lambda r, w, s, c: Season(
        races=tuple(r), workouts=tuple(w), sessions=tuple(s), checkins=tuple(c)
    ),
    st.lists(races, max_size=4),
    st.lists(workouts, max_size=40),
    st.lists(logged, max_size=3),
    st.lists(checkins(START - dt.timedelta(days=20), PLAN_DAYS), max_size=4),
)
profiles = st.builds(
    Profile,
    policy=st.sampled_from(PolicyName),
    frequency=st.sampled_from(Frequency),
    budget_per_month=st.sampled_from([100.0, 250.0, 400.0]),
)


def is_vigorous(kind: SessionKind) -> bool:
    return kind.family in VIGOROUS_KINDS or kind is SessionKind.SELF_VIGOROUS


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(season=seasons, profile=profiles)
def test_no_planned_session_touches_what_a_standing_flag_blocks_on_its_day(
    season: Season, profile: Profile
) -> None:
    plan = build_plan(PlanRequest(season, profile, START), KB, SOLVER)
    for session in plan.sessions:
        flags = standing_flags(season.checkins, session.day)
        off = blocked(flags)
        assert session.regions or not off, f"{session.key}: the whole body, with {off}"
        for region in session.regions:
            assert not touches(region, off), f"{session.key} works {region}, blocked: {off}"
            if is_vigorous(session.kind):
                light = light_only(flags)
                assert not touches(region, light), f"{session.key} works {region} firmly"


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(season=seasons, profile=profiles)
def test_every_planned_session_is_allowed_by_check_against_the_season_and_the_plan(
    season: Season, profile: Profile
) -> None:
    plan = build_plan(PlanRequest(season, profile, START), KB, SOLVER)
    assert plan_problems(plan, season, profile, KB) == []


region_sets = st.lists(regions(), max_size=3, unique=True).map(tuple)


@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow])
@given(
    season=seasons,
    policy=st.sampled_from(PolicyName),
    offset=st.integers(0, PLAN_DAYS),
    kind=st.sampled_from(SessionKind),
    wanted=region_sets,
)
def test_every_alternative_offered_is_allowed_by_check_and_avoids_the_flags(
    season: Season,
    policy: PolicyName,
    offset: int,
    kind: SessionKind,
    wanted: tuple[Region, ...],
) -> None:
    index = SeasonIndex(season)
    rules = KB.policy(policy)
    verdict = check_with_alternatives(index, rules, on(offset), kind, wanted)
    if verdict.allowed:
        assert verdict.alternatives == ()
    for alternative in verdict.alternatives:
        again = check(index, rules, alternative.day, alternative.kind, wanted)
        assert again.allowed, f"offered {alternative}, refused: {again.findings}"
        # Independently of ``check``: the flags of the alternative's day.
        flags = standing_flags(season.checkins, alternative.day)
        off = blocked(flags)
        assert wanted or not off
        assert not any(touches(region, off) for region in wanted)
        if is_vigorous(alternative.kind):
            assert not any(touches(region, light_only(flags)) for region in wanted)


def side_of(region: Region, side: Side | None) -> Region:
    """``region`` narrowed to one side when it is paired and side-less (``side`` given)."""
    if side is None or region.side is not None or not region.part.paired:
        return region
    return Region(region.part, side)


@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow])
@given(
    season=seasons,
    policy=st.sampled_from(PolicyName),
    flagged=regions(),
    quality=st.sampled_from([PainQuality.SHARP, PainQuality.NUMBNESS, PainQuality.TINGLING]),
    later=st.integers(0, 40),
    pick=st.integers(0, 20),
    side=st.none() | st.sampled_from(Side),
    kind=st.sampled_from(SessionKind),
)
def test_a_standing_red_flag_refuses_every_kind_on_its_neighbourhood_with_its_rule(
    season: Season,
    policy: PolicyName,
    flagged: Region,
    quality: PainQuality,
    later: int,
    pick: int,
    side: Side | None,
    kind: SessionKind,
) -> None:
    # The red flag is the last check-in, so nothing after it clears it; it never lapses.
    last = max((c.day for c in season.checkins), default=START)
    reported = last + dt.timedelta(days=1)
    flag = CheckIn(reported, pain={flagged: quality})
    season = Season(
        races=season.races,
        workouts=season.workouts,
        sessions=season.sessions,
        checkins=(*season.checkins, flag),
    )
    near = neighbourhood(flagged)
    region = side_of(near[pick % len(near)], side if flagged.side is None else None)
    day = reported + dt.timedelta(days=later)
    verdict = check(SeasonIndex(season), KB.policy(policy), day, kind, (region,))
    assert not verdict.allowed
    forbidding = [f for f in verdict.findings if f.forbids]
    assert any("X1" in f.rules for f in forbidding), forbidding
    if later >= 14:
        assert any("has it settled?" in f.reason for f in forbidding)
