"""Invariants of the race week over random small teams and clients (Hypothesis).

Every schedule CP-SAT returns passes the independent checker, and on instances small enough
to enumerate, it serves as many clients whole (and then places as many sessions) as the best
of every possible choice found by brute force.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rubdown.domain.availability import parse_hours
from rubdown.domain.clinic.raceweek import (
    Choices,
    Client,
    DayPart,
    Need,
    Phase,
    Preference,
    RaceWeekProblem,
    ServiceLength,
    Therapist,
    choices_for,
    plan_from,
    week_of,
)
from rubdown.domain.clinic.raceweek_check import check_plan
from rubdown.domain.model import (
    PolicyName,
    Priority,
    Race,
    Season,
    SessionKind,
    Workout,
    WorkoutKind,
)
from rubdown.knowledge import load_knowledge_base
from rubdown.solver.raceweek_cpsat import CpSatRaceWeekSolver

KB = load_knowledge_base()
MONDAY = dt.date(2027, 3, 8)
DAYS = 10
HOURS = (
    "tue 09:00-11:00",
    "thu 11:00-13:30",
    "fri 16:00-18:00",
    "sat 09:00-10:30, mon 09:00-10:00",
    "wed 10:00-12:00, sun 17:00-18:30",
)
PAIRS = (
    (SessionKind.SPORTS, SessionKind.FLUSH),
    (SessionKind.FLUSH,),
    (SessionKind.POST_EVENT, SessionKind.FLUSH),
    (SessionKind.POST_EVENT,),
)


@st.composite
def clients(draw: st.DrawFn, n: int) -> Client:
    race_day = MONDAY + dt.timedelta(days=draw(st.integers(2, DAYS - 2)))
    race = Race(
        "Spring 10",
        race_day,
        draw(st.sampled_from(list(Priority))),
        draw(st.sampled_from([10.0, 42.2])),
    )
    workouts: tuple[Workout, ...] = ()
    if draw(st.booleans()):
        workouts = (Workout(race_day - dt.timedelta(days=3), WorkoutKind.TEMPO),)
    pre = Need(Phase.PRE_RACE, draw(st.sampled_from(PAIRS[:2])))
    post = Need(Phase.POST_RACE, draw(st.sampled_from(PAIRS[2:])))
    needs = draw(st.sampled_from([(pre,), (post,), (pre, post)]))
    preferences = tuple(
        Preference(part, weight)
        for part, weight in draw(
            st.lists(st.tuples(st.sampled_from(list(DayPart)), st.integers(1, 10)), max_size=2)
        )
    )
    return Client(
        id=f"c{n}",
        name=f"Client {n}",
        policy=KB.policy(draw(st.sampled_from(list(PolicyName)))),
        race=race,
        season=Season(races=(race,), workouts=workouts),
        needs=needs,
        preferences=preferences,
    )


@st.composite
def problems(draw: st.DrawFn) -> RaceWeekProblem:
    team = tuple(
        Therapist(
            id=f"t{n}",
            name=f"T{n}",
            hours=parse_hours(draw(st.sampled_from(HOURS))),
            max_hands_on_min_per_day=draw(st.sampled_from([30, 60, 120, 360])),
            max_sessions_per_week=draw(st.integers(1, 2)),
        )
        for n in range(draw(st.integers(1, 2)))
    )
    people = tuple(draw(clients(n)) for n in range(draw(st.integers(1, 4))))
    services = (
        ServiceLength(
            SessionKind.SPORTS, draw(st.sampled_from([45, 60])), draw(st.sampled_from([0, 15]))
        ),
        ServiceLength(SessionKind.FLUSH, 30, draw(st.sampled_from([0, 15]))),
        ServiceLength(SessionKind.POST_EVENT, draw(st.sampled_from([30, 45])), 15),
    )
    return RaceWeekProblem(people, team, MONDAY, MONDAY + dt.timedelta(days=DAYS - 1), services)


def best_by_brute_force(choices: Choices) -> tuple[int, int]:
    """The most clients served whole, then sessions placed, over every choice of a candidate
    and a block (or none) per need, judged by the limits written out again here."""
    problem = choices.problem
    seats = [
        [
            (i, b)
            for i, c in enumerate(choices.candidates)
            if (c.client, c.need) == key
            for b in choices.blocks_by_slot.get(c.slot, ())
        ]
        for key in choices.needs()
    ]
    needs = choices.needs()
    best = (0, 0)
    block_min: dict[int, int] = defaultdict(int)
    hands_on: dict[tuple[int, dt.date], int] = defaultdict(int)
    week: dict[tuple[int, dt.date], int] = defaultdict(int)
    placed: list[bool] = []

    def fits(i: int, b: int) -> bool:
        block = choices.blocks[b]
        service = problem.service(choices.candidates[i].kind)
        assert service is not None
        therapist = problem.therapists[block.therapist]
        return (
            block_min[b] + service.length_min + service.buffer_min <= block.minutes
            and hands_on[(block.therapist, block.day)] + service.length_min
            <= therapist.max_hands_on_min_per_day
            and week[(block.therapist, week_of(block.day))] < therapist.max_sessions_per_week
        )

    def take(i: int, b: int, sign: int) -> None:
        block = choices.blocks[b]
        service = problem.service(choices.candidates[i].kind)
        assert service is not None
        block_min[b] += sign * (service.length_min + service.buffer_min)
        hands_on[(block.therapist, block.day)] += sign * service.length_min
        week[(block.therapist, week_of(block.day))] += sign

    def score() -> tuple[int, int]:
        whole: dict[int, bool] = {}
        for (c, _), done in zip(needs, placed, strict=True):
            whole[c] = whole.get(c, True) and done
        return (sum(whole.values()), sum(placed))

    def walk(k: int) -> None:
        nonlocal best
        if k == len(needs):
            best = max(best, score())
            return
        placed.append(False)
        walk(k + 1)
        placed.pop()
        for i, b in seats[k]:
            if fits(i, b):
                take(i, b, +1)
                placed.append(True)
                walk(k + 1)
                placed.pop()
                take(i, b, -1)

    walk(0)
    return best


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_every_schedule_passes_the_checker_and_serves_as_many_as_brute_force(
    problem: RaceWeekProblem,
) -> None:
    choices = choices_for(problem)
    selection = CpSatRaceWeekSolver().solve(choices)
    plan = plan_from(choices, selection)
    assert check_plan(problem, plan) == []
    assert selection.status == "optimal"
    assert (plan.served_clients, len(plan.assignments)) == best_by_brute_force(choices)
