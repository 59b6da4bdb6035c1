"""Today's routines, rule by rule: warm-up first (T9), broad before point work (T10), bout
limits (T11), no vigorous bout after another (T8), red flags (X1), referrals (X3), tools.
The safety cases in depth are in test_routine_safety.py."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import TypeVar

from hypothesis import given, settings
from hypothesis import strategies as st
from tests.support.checkin_strategies import red_flags, regions

from rubdown.domain.knowledge import Intensity
from rubdown.domain.model import CheckIn, Condition, Tool, WorkoutKind
from rubdown.domain.regions import BodyPart, Region, Side, parse_region
from rubdown.domain.routine_builder import (
    BOUT_MAX_S,
    BOUT_MIN_S,
    WARM_UP_S,
    DayContext,
    build_day,
    post_run_intensity,
)
from rubdown.domain.routines import DayRoutines, Routine, RoutineWhen, Step, StepKind
from rubdown.domain.safety import Flag, touches
from rubdown.knowledge import load_knowledge_base

KB = load_knowledge_base()
T = TypeVar("T")
DAY = dt.date(2027, 3, 10)
ROUTINE_RULE = {
    RoutineWhen.PRE_RUN: "T9",
    RoutineWhen.POST_RUN: "T10",
    RoutineWhen.REST_DAY: "T11",
}


def sore(**levels: int) -> CheckIn:
    return CheckIn(DAY, soreness={parse_region(k.replace("_", "-")): v for k, v in levels.items()})


def flags(*names: str) -> tuple[Flag, ...]:
    """Sharp pain reported today in each region (X1)."""
    return red_flags(DAY, *names)


def easy_run(**changes: object) -> DayContext:
    return replace(DayContext(DAY, WorkoutKind.EASY), **changes)  # type: ignore[arg-type]


def tempo(**changes: object) -> DayContext:
    return replace(DayContext(DAY, WorkoutKind.TEMPO, hard_today=True), **changes)  # type: ignore[arg-type]


def rest_day(**changes: object) -> DayContext:
    return replace(DayContext(DAY), **changes)  # type: ignore[arg-type]


def routine(day: DayRoutines, when: RoutineWhen) -> Routine:
    (found,) = [r for r in day.routines if r.when is when]
    return found


def massage_s(routine: Routine) -> int:
    return sum(s.seconds for s in routine.steps if s.kind is not StepKind.WARM_UP)


def moves(routine: Routine) -> list[tuple[str, str]]:
    """(S* ID, region) of each massage step, in order."""
    return [(s.rules[0], str(s.region)) for s in routine.steps if s.kind is StepKind.MASSAGE]


def all_steps(day: DayRoutines) -> list[Step]:
    return [step for r in day.routines for step in r.steps]


# --- pre-run (T9) --------------------------------------------------------------------------


def test_pre_run_starts_with_ten_minutes_of_dynamic_warm_up() -> None:
    pre = routine(build_day(easy_run(), KB), RoutineWhen.PRE_RUN)
    first = pre.steps[0]
    assert first.kind is StepKind.WARM_UP
    assert first.seconds >= WARM_UP_S == 600
    assert first.rules == ("T9",)
    assert all(s.kind is not StepKind.WARM_UP for s in pre.steps[1:])


def test_pre_run_massage_is_light_s1_to_s3_even_when_a_muscle_is_sore() -> None:
    pre = routine(build_day(easy_run(checkin=sore(calf=8)), KB), RoutineWhen.PRE_RUN)
    assert moves(pre) == [("S1", "low-back"), ("S2", "it-band"), ("S3", "glute")]
    assert {s.intensity for s in pre.steps} == {Intensity.LIGHT}
    assert all("T9" in s.rules for s in pre.steps)


def test_race_day_pre_run_work_names_the_pre_event_rule() -> None:
    day = build_day(DayContext(DAY, WorkoutKind.RACE, hard_today=True, days_to_race=0), KB)
    pre = routine(day, RoutineWhen.PRE_RUN)
    assert all("T4" in s.rules for s in pre.steps if s.kind is StepKind.MASSAGE)


def test_a_red_flag_on_the_low_back_drops_the_low_back_move_and_the_glutes_beside_it() -> None:
    pre = routine(build_day(easy_run(flags=flags("low-back")), KB), RoutineWhen.PRE_RUN)
    assert [m for m, _ in moves(pre)] == ["S2"]


def test_with_every_pre_run_move_flagged_the_warm_up_still_comes_before_the_run() -> None:
    day = build_day(easy_run(flags=flags("hip-flexor", "quad", "glute")), KB)
    pre = routine(day, RoutineWhen.PRE_RUN)
    assert [s.kind for s in pre.steps] == [StepKind.WARM_UP]


# --- post-run (T10) ------------------------------------------------------------------------


def test_post_run_puts_broad_strokes_before_point_work() -> None:
    # The shin is the sorest, yet S4 comes after the S6 sweep; S5 fills the last minutes.
    post = routine(build_day(easy_run(checkin=sore(shin=7, calf=4)), KB), RoutineWhen.POST_RUN)
    assert moves(post) == [("S6", "calf"), ("S4", "shin"), ("S5", "glute")]
    assert all("T10" in s.rules for s in post.steps)


def test_a_region_needs_soreness_three_to_get_its_own_work() -> None:
    mild = routine(build_day(easy_run(checkin=sore(shin=2)), KB), RoutineWhen.POST_RUN)
    real = routine(build_day(easy_run(checkin=sore(shin=3)), KB), RoutineWhen.POST_RUN)
    assert ("S4", "shin") not in moves(mild)
    assert ("S4", "shin") in moves(real)


def test_a_sore_side_named_in_the_check_in_is_worked_on_its_own_first() -> None:
    post = routine(build_day(easy_run(checkin=sore(left_calf=6)), KB), RoutineWhen.POST_RUN)
    assert moves(post)[:2] == [("S6", "left-calf"), ("S6", "right-calf")]
    assert [s.seconds for s in post.steps[:2]] == [120, 120]


def test_condition_focus_regions_get_the_protocol_moves_and_its_rule_id() -> None:
    day = build_day(easy_run(conditions=frozenset({Condition.RUNNERS_KNEE})), KB)
    post = routine(day, RoutineWhen.POST_RUN)
    assert moves(post) == [("S6", "hamstring"), ("S8", "glute"), ("S2", "quad")]
    assert all("C3" in s.rules for s in post.steps)


def test_a_move_that_is_light_by_nature_stays_light_after_a_hard_run() -> None:
    day = build_day(tempo(conditions=frozenset({Condition.PLANTAR_FASCIITIS})), KB)
    by_move = {s.rules[0]: s for s in routine(day, RoutineWhen.POST_RUN).steps}
    assert by_move["S6"].intensity is Intensity.VIGOROUS
    assert by_move["S7"].intensity is Intensity.LIGHT


# --- intensity (T8, T1, X2, M1, X1) --------------------------------------------------------


def test_vigorous_work_follows_only_a_hard_run() -> None:
    assert post_run_intensity(tempo()) == (Intensity.VIGOROUS, ("T8",))
    assert post_run_intensity(easy_run()) == (Intensity.MODERATE, ())
    assert post_run_intensity(rest_day(hard_today=True)) == (Intensity.MODERATE, ())


def test_no_vigorous_bout_the_day_after_another() -> None:
    day = build_day(tempo(vigorous_yesterday=True), KB)
    assert post_run_intensity(tempo(vigorous_yesterday=True)) == (Intensity.MODERATE, ("T8",))
    assert all(s.intensity is not Intensity.VIGOROUS for s in all_steps(day))
    assert all("T8" in s.rules for s in routine(day, RoutineWhen.POST_RUN).steps)


def test_nothing_vigorous_in_the_last_two_days_before_an_a_or_b_race() -> None:
    for days in (0, 1, 2):
        assert post_run_intensity(tempo(days_to_race=days)) == (Intensity.MODERATE, ("T1", "X2"))
    assert post_run_intensity(tempo(days_to_race=3))[0] is Intensity.VIGOROUS


def test_nothing_vigorous_right_after_professional_deep_work_or_under_a_red_flag() -> None:
    assert post_run_intensity(tempo(deep_massage_near=True)) == (
        Intensity.MODERATE,
        ("M1", "X2"),
    )
    assert post_run_intensity(tempo(flags=flags("left-heel"))) == (
        Intensity.MODERATE,
        ("X1",),
    )


# --- rest days and desk days (T11, C8, C7) -------------------------------------------------


def test_a_rest_day_is_one_five_to_ten_minute_bout_ending_with_the_heel_drop() -> None:
    day = build_day(rest_day(), KB)
    assert [r.when for r in day.routines] == [RoutineWhen.REST_DAY]
    rest = day.routines[0]
    assert BOUT_MIN_S <= rest.total_s <= BOUT_MAX_S
    drill = rest.steps[-1]
    assert (drill.kind, drill.move, drill.seconds, drill.rules) == (
        StepKind.DRILL,
        "Stair heel drop",
        180,
        ("C8", "T11"),
    )


def test_the_day_after_a_hard_session_the_rest_day_flushes_the_legs() -> None:
    after_hard = routine(build_day(rest_day(hard_yesterday=True), KB), RoutineWhen.REST_DAY)
    after_easy = routine(build_day(rest_day(), KB), RoutineWhen.REST_DAY)
    assert moves(after_hard) == [("S6", "calf"), ("S4", "shin")]
    assert moves(after_easy) == [("S1", "low-back"), ("S2", "it-band"), ("S3", "glute")]


def test_a_one_sided_red_flag_turns_the_heel_drop_into_a_one_leg_drill() -> None:
    rest = routine(build_day(rest_day(flags=flags("left-achilles")), KB), RoutineWhen.REST_DAY)
    drill = rest.steps[-1]
    assert drill.region == Region(BodyPart.CALF, Side.RIGHT)
    assert "right foot only" in drill.cue


def test_a_desk_job_adds_a_movement_break_every_30_minutes_but_not_on_race_day() -> None:
    day = build_day(easy_run(desk_job=True), KB)
    desk = routine(day, RoutineWhen.DESK)
    assert [(s.kind, s.rules) for s in desk.steps] == [(StepKind.BREAK, ("C7",))]
    assert "30 minutes" in desk.steps[0].cue
    race_day = build_day(
        DayContext(DAY, WorkoutKind.RACE, hard_today=True, desk_job=True, days_to_race=0), KB
    )
    assert RoutineWhen.DESK not in {r.when for r in race_day.routines}


def test_a_desk_job_puts_c7_on_the_low_back_move() -> None:
    ctx = easy_run(desk_job=True, owns=frozenset({Tool.ROLLER}))
    pre = routine(build_day(ctx, KB), RoutineWhen.PRE_RUN)
    assert pre.steps[1].rules == ("S1", "T9", "C7")


# --- red flags and referrals (X1, X3, X4) --------------------------------------------------


def test_a_red_flag_region_is_in_no_step_and_the_day_says_stop() -> None:
    day = build_day(easy_run(checkin=sore(calf=6), flags=flags("calf")), KB)
    assert all(s.region is None or s.region.part is not BodyPart.CALF for s in all_steps(day))
    (flag,) = day.warnings
    assert flag.rules == ("X1",)
    assert "calf" in flag.message
    assert "see a professional" in flag.message
    assert "stop" in flag.message
    assert "gently" in flag.message


def test_a_red_flag_on_one_heel_keeps_that_foot_out_of_the_foot_roll() -> None:
    ctx = easy_run(conditions=frozenset({Condition.PLANTAR_FASCIITIS}), flags=flags("left-heel"))
    post = routine(build_day(ctx, KB), RoutineWhen.POST_RUN)
    assert ("S7", "right-plantar-fascia") in moves(post)


def test_overuse_and_runners_knee_are_referred_on() -> None:
    ctx = rest_day(conditions=frozenset({Condition.OVERUSE, Condition.RUNNERS_KNEE}))
    assert [a.rules for a in build_day(ctx, KB).warnings] == [("X3", "C3"), ("X3", "C6")]
    calves = rest_day(conditions=frozenset({Condition.TIGHT_CALVES}))
    assert build_day(calves, KB).warnings == ()


def test_sore_feet_on_a_run_day_say_stop_running_if_a_foot_hurts() -> None:
    run_day = build_day(easy_run(conditions=frozenset({Condition.SORE_FEET})), KB)
    assert [a.rules for a in run_day.warnings] == [("X4", "C9")]
    assert build_day(rest_day(conditions=frozenset({Condition.SORE_FEET})), KB).warnings == ()


# --- tools (G1, G2) ------------------------------------------------------------------------


def test_the_first_owned_tool_of_the_preference_list_is_used_with_its_own_cue() -> None:
    pre = routine(build_day(easy_run(owns=frozenset({Tool.BOLSTER})), KB), RoutineWhen.PRE_RUN)
    s1 = pre.steps[1]
    assert (s1.rules[0], s1.tool) == ("S1", Tool.BOLSTER)
    assert "bolster" in s1.cue
    assert "roller" not in s1.cue
    assert "hands" not in s1.cue


def test_hands_stand_in_for_a_missing_tool_with_a_hands_cue_and_the_gear_rule() -> None:
    pre = routine(build_day(easy_run(), KB), RoutineWhen.PRE_RUN)
    s1 = pre.steps[1]
    assert s1.tool is Tool.HANDS
    assert s1.rules == ("S1", "T9", "G1")
    cue, note = s1.cue.split(" (The hands version")
    assert "roller" not in cue  # no "lie on the roller ... use your hands instead"
    assert "bolster" not in cue
    assert note == ": a roller or bolster would let you work deeper.)"


# --- properties over random days -----------------------------------------------------------


def contexts() -> st.SearchStrategy[DayContext]:
    checkins = st.builds(
        CheckIn,
        day=st.just(DAY),
        soreness=st.dictionaries(regions(), st.integers(0, 10), max_size=5),
    )
    return st.builds(
        DayContext,
        day=st.just(DAY),
        run=st.none() | st.sampled_from(WorkoutKind),
        hard_today=st.booleans(),
        hard_yesterday=st.booleans(),
        load_yesterday=st.none() | st.floats(0, 400),
        vigorous_yesterday=st.booleans(),
        checkin=st.none() | checkins,
        flags=st.lists(regions(), max_size=3).map(lambda names: flags(*map(str, names))),
        conditions=st.frozensets(st.sampled_from(Condition)),
        owns=st.frozensets(st.sampled_from(Tool)),
        desk_job=st.booleans(),
        days_to_race=st.none() | st.integers(0, 30),
        deep_massage_near=st.booleans(),
    )


@settings(max_examples=300)
@given(contexts())
def test_property_pre_run_is_a_warm_up_then_light_s1_to_s3(ctx: DayContext) -> None:
    day = build_day(ctx, KB)
    pre = [r for r in day.routines if r.when is RoutineWhen.PRE_RUN]
    assert len(pre) == (1 if ctx.runs_today else 0)
    for routine_ in pre:
        assert routine_.steps[0].kind is StepKind.WARM_UP
        assert routine_.steps[0].seconds >= 600
        for step in routine_.steps[1:]:
            assert step.rules[0] in {"S1", "S2", "S3"}
            assert step.intensity is Intensity.LIGHT


@settings(max_examples=300)
@given(contexts())
def test_property_no_step_touches_a_red_flag_region(ctx: DayContext) -> None:
    day = build_day(ctx, KB)
    for step in all_steps(day):
        assert step.region is None or not touches(step.region, ctx.blocked)
    flagged = [a for a in day.warnings if a.rules == ("X1",)]
    assert len(flagged) == len(ctx.flags)  # one line for each standing red flag


@settings(max_examples=300)
@given(contexts())
def test_property_tools_are_owned_or_hands(ctx: DayContext) -> None:
    for step in all_steps(build_day(ctx, KB)):
        assert step.tool in ctx.owns | {Tool.HANDS}


@settings(max_examples=300)
@given(contexts())
def test_property_every_routine_keeps_to_the_bout_limits(ctx: DayContext) -> None:
    for routine_ in build_day(ctx, KB).routines:
        assert massage_s(routine_) <= BOUT_MAX_S
        if routine_.when in (RoutineWhen.POST_RUN, RoutineWhen.REST_DAY) and not ctx.flags:
            assert massage_s(routine_) >= BOUT_MIN_S


@settings(max_examples=300)
@given(contexts())
def test_property_vigorous_only_after_a_hard_run_with_nothing_against_it(
    ctx: DayContext,
) -> None:
    vigorous = [s for s in all_steps(build_day(ctx, KB)) if s.intensity is Intensity.VIGOROUS]
    allowed = (
        ctx.runs_today
        and ctx.hard_today
        and not ctx.vigorous_yesterday  # T8
        and not ctx.race_near  # T1, X2
        and not ctx.deep_massage_near
        and not ctx.flags
    )
    if not allowed:
        assert vigorous == []
    for step in vigorous:
        assert "T8" in step.rules


@settings(max_examples=300)
@given(contexts())
def test_property_every_step_names_its_move_and_routine_rules(ctx: DayContext) -> None:
    day = build_day(ctx, KB)
    for routine_ in day.routines:
        for step in routine_.steps:
            assert step.rules
            assert all(rule_id in KB.rules for rule_id in step.rules)
            if step.kind is StepKind.MASSAGE:
                move = KB.rule(step.rules[0]).move
                assert move is not None
                assert move.name == step.move
                assert step.region is not None
                assert step.region.part in move.regions
                assert ROUTINE_RULE[routine_.when] in step.rules
    for advice in day.warnings:
        assert all(rule_id in KB.rules for rule_id in advice.rules)


def backwards(items: frozenset[T]) -> frozenset[T]:
    """The same set, built by adding its members in reverse order."""
    return frozenset(sorted(items, key=str, reverse=True))


@settings(max_examples=100)
@given(contexts())
def test_property_the_same_day_gives_the_same_routines(ctx: DayContext) -> None:
    # The same facts handed over in another order (sets and the soreness map rebuilt
    # backwards) must not change a single step.
    soreness = ctx.checkin.soreness if ctx.checkin is not None else {}
    shuffled = replace(
        ctx,
        flags=tuple(reversed(ctx.flags)),
        conditions=backwards(ctx.conditions),
        owns=backwards(ctx.owns),
        checkin=None
        if ctx.checkin is None
        else replace(ctx.checkin, soreness=dict(reversed(list(soreness.items())))),
    )
    assert build_day(ctx, KB) == build_day(shuffled, KB)


def test_a_stand_in_tool_gets_the_cue_written_for_it() -> None:
    day = dt.date(2027, 3, 3)
    sore_adductors = CheckIn(day, soreness={parse_region("adductor"): 5})
    ctx = DayContext(
        day, run=WorkoutKind.EASY, checkin=sore_adductors, owns=frozenset({Tool.ROLLER})
    )
    post = routine(build_day(ctx, KB), RoutineWhen.POST_RUN)
    (s5,) = [step for step in post.steps if step.rules[0] == "S5"]
    assert s5.tool is Tool.ROLLER
    assert s5.cue.startswith("Sit on the roller")
    assert "ball" not in s5.cue
