"""The smaller advice fixes found in review (issue section 6), each against its source: IT band
work after runs (C4, S2, source 004), the seated glute move with body weight first (S3, 004),
the stair heel drop as source 000 gives it (C8), runner's knee activation work taught by the
massage therapist (C3, 003), cues that fit the tool in hand (G1, G2), and post-run work after
a run that was done but never planned."""

from __future__ import annotations

import datetime as dt
from itertools import combinations

import pytest

from rubdown.domain.knowledge import Intensity
from rubdown.domain.model import CheckIn, Condition, Tool, WorkoutKind
from rubdown.domain.regions import parse_region
from rubdown.domain.routine_builder import DayContext, build_day
from rubdown.domain.routines import DayRoutines, RoutineWhen, Step, StepKind
from rubdown.knowledge import load_knowledge_base

KB = load_knowledge_base()
DAY = dt.date(2027, 6, 9)
IT_BAND = frozenset({Condition.IT_BAND})
ROLLER = frozenset({Tool.ROLLER})


def routine_steps(day: DayRoutines, when: RoutineWhen) -> tuple[Step, ...]:
    (found,) = [r for r in day.routines if r.when is when]
    return found.steps


def step_of(steps: tuple[Step, ...], move_id: str) -> Step:
    (found,) = [s for s in steps if s.rules[0] == move_id]
    return found


# --- C4: IT band work after runs -------------------------------------------------------------


def test_a_runner_who_rolls_the_it_band_rolls_it_firmer_after_the_run() -> None:
    day = build_day(DayContext(DAY, WorkoutKind.EASY, conditions=IT_BAND, owns=ROLLER), KB)
    before = step_of(routine_steps(day, RoutineWhen.PRE_RUN), "S2")
    after = step_of(routine_steps(day, RoutineWhen.POST_RUN), "S2")
    assert (before.intensity, after.intensity) == (Intensity.LIGHT, Intensity.MODERATE)
    assert "gently" in before.cue
    assert "firmer than before a run" in after.cue
    assert after.rules[:3] == ("S2", "T10", "C4")
    assert str(after.region) == "it-band"


def test_after_a_hard_run_the_it_band_roll_may_go_vigorous_like_the_rest() -> None:
    ctx = DayContext(DAY, WorkoutKind.LONG, hard_today=True, conditions=IT_BAND, owns=ROLLER)
    after = step_of(routine_steps(build_day(ctx, KB), RoutineWhen.POST_RUN), "S2")
    assert after.intensity is Intensity.VIGOROUS
    assert "T8" in after.rules


def test_a_sore_it_band_without_the_condition_gets_the_after_run_roll_too() -> None:
    sore = CheckIn(DAY, soreness={parse_region("left-it-band"): 6})
    ctx = DayContext(DAY, WorkoutKind.EASY, checkin=sore, owns=ROLLER)
    after = step_of(routine_steps(build_day(ctx, KB), RoutineWhen.POST_RUN), "S2")
    assert (str(after.region), after.intensity) == ("left-it-band", Intensity.MODERATE)


# --- S3: body weight first ---------------------------------------------------------------


@pytest.mark.parametrize("owns", [frozenset(), ROLLER, frozenset({Tool.STICK})])
def test_the_seated_glute_move_starts_with_body_weight_whatever_the_runner_owns(
    owns: frozenset[Tool],
) -> None:
    s3 = step_of(
        routine_steps(build_day(DayContext(DAY, owns=owns), KB), RoutineWhen.REST_DAY), "S3"
    )
    assert s3.tool is Tool.HANDS
    assert "body weight alone" in s3.cue
    assert "G1" not in s3.rules  # no gear is missing: body weight is the first choice
    if owns:
        (tool,) = owns
        assert s3.cue.endswith(
            f"Only if body weight finds no tight spot, do the same sitting on your {tool}."
        )
    else:
        assert "roller" not in s3.cue
        assert "stick" not in s3.cue


# --- C8: the stair heel drop as source 000 gives it -------------------------------------------


def test_the_heel_drop_is_three_times_thirty_seconds_each_way_three_times_a_day() -> None:
    drill = routine_steps(build_day(DayContext(DAY), KB), RoutineWhen.REST_DAY)[-1]
    assert (drill.kind, drill.move, drill.rules) == (
        StepKind.DRILL,
        "Stair heel drop",
        ("C8", "T11"),
    )
    assert drill.seconds == 2 * 3 * 30
    assert "3 x 30 s with the knee straight, then 3 x 30 s with it bent" in drill.cue
    assert "3 times over the day" in drill.cue


def test_a_runner_with_tight_feet_gets_the_heel_drop_on_run_days_too_but_not_on_race_day() -> None:
    feet = frozenset({Condition.TIGHT_FEET})
    run_day = build_day(DayContext(DAY, WorkoutKind.EASY, conditions=feet), KB)
    post = routine_steps(run_day, RoutineWhen.POST_RUN)
    assert (post[-1].move, post[-1].rules) == ("Stair heel drop", ("C8", "T10"))
    assert sum(s.seconds for s in post) <= 600  # the drill comes out of the bout's time
    race = DayContext(DAY, WorkoutKind.RACE, hard_today=True, conditions=feet, days_to_race=0)
    race_post = routine_steps(build_day(race, KB), RoutineWhen.POST_RUN)
    assert all(s.kind is not StepKind.DRILL for s in race_post)
    plain = build_day(DayContext(DAY, WorkoutKind.EASY), KB)
    assert all(s.kind is not StepKind.DRILL for s in routine_steps(plain, RoutineWhen.POST_RUN))


# --- C3: runner's knee ---------------------------------------------------------------------


def test_runners_knee_activation_work_is_taught_by_the_massage_therapist() -> None:
    ctx = DayContext(DAY, WorkoutKind.EASY, conditions=frozenset({Condition.RUNNERS_KNEE}))
    (advice,) = build_day(ctx, KB).warnings
    assert "C3" in advice.rules
    assert "massage therapist to teach you" in advice.message
    assert "source 003" in advice.message
    assert "must come from a physiotherapist" not in advice.message


# --- cues that fit the tool in hand ----------------------------------------------------------

GEAR_WORDS = {
    Tool.ROLLER: "roller",
    Tool.BOLSTER: "bolster",
    Tool.STICK: "stick",
    Tool.LACROSSE_BALL: "lacrosse ball",
    Tool.GOLF_BALL: "golf ball",
    Tool.MASSAGE_GUN: "gun",
}
GEAR = sorted(GEAR_WORDS)


def days_for(owns: frozenset[Tool]) -> list[DayRoutines]:
    sore = CheckIn(DAY, soreness={parse_region(name): 6 for name in ("adductor", "glute")})
    conditions = frozenset({Condition.PLANTAR_FASCIITIS, Condition.GLUTE_SCAR_TISSUE})
    return [
        build_day(DayContext(DAY, WorkoutKind.EASY, owns=owns, conditions=conditions), KB),
        build_day(DayContext(DAY, WorkoutKind.EASY, owns=owns, checkin=sore), KB),
        build_day(DayContext(DAY, owns=owns, desk_job=True), KB),
    ]


@pytest.mark.parametrize(
    "owns",
    [frozenset(pair) for size in (0, 1, 2) for pair in combinations(GEAR, size)],
    ids=lambda owns: ",".join(sorted(owns)) or "nothing",
)
def test_a_cue_never_sends_the_runner_to_gear_they_do_not_own(owns: frozenset[Tool]) -> None:
    for day in days_for(owns):
        for routine in day.routines:
            for step in routine.steps:
                if step.kind is not StepKind.MASSAGE:
                    continue
                # The note after the cue may say which gear would help; the cue itself is
                # written for the tool in hand.
                cue = step.cue.split(" (The hands version")[0]
                for tool, word in GEAR_WORDS.items():
                    if tool not in owns:
                        assert word not in cue, (step.rules[0], step.tool, cue)
                assert "use your hands instead" not in step.cue
