"""Safety in today's routines (issue section 3): red flags with their neighbours (X1), a
possible clot (R5), a fresh injury (R3) and stale flags, as the runner meets them; and a
property over random check-ins and days that no step ever massages or loads a blocked region."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st
from tests.support.checkin_strategies import checkins, clear, flags_on, pain, signs

from rubdown.domain.knowledge import Intensity
from rubdown.domain.model import CheckIn, Condition, PainQuality, Sign, Tool, WorkoutKind
from rubdown.domain.regions import BodyPart, Region, Side, parse_region
from rubdown.domain.routine_builder import DayContext, build_day
from rubdown.domain.routines import DayRoutines, RoutineWhen, Step, StepKind
from rubdown.domain.safety import Flag, blocked, light_only, standing_flags, touches
from rubdown.knowledge import load_knowledge_base

KB = load_knowledge_base()
DAY = dt.date(2027, 5, 12)
EVERY_TOOL = frozenset(Tool)
FOOT_AND_CALF = frozenset({"calf", "achilles", "plantar-fascia", "heel"})


def rest_day(flags: tuple[Flag, ...], **changes: object) -> DayContext:
    ctx = DayContext(DAY, flags=flags, owns=EVERY_TOOL)
    return replace(ctx, **changes)  # type: ignore[arg-type]


def run_day(flags: tuple[Flag, ...], **changes: object) -> DayContext:
    ctx = DayContext(DAY, WorkoutKind.TEMPO, hard_today=True, flags=flags, owns=EVERY_TOOL)
    return replace(ctx, **changes)  # type: ignore[arg-type]


def steps(day: DayRoutines) -> list[Step]:
    return [step for routine in day.routines for step in routine.steps]


def reached(day: DayRoutines) -> list[Region]:
    """Every region a step of the day massages or loads."""
    found: list[Region] = []
    for step in steps(day):
        found += [step.region] if step.region is not None else []
        found += step.works
    return found


def reaches(day: DayRoutines, name: str) -> bool:
    region = parse_region(name)
    return any(region.overlaps(other) for other in reached(day))


def drill(day: DayRoutines) -> Step | None:
    return next((s for s in steps(day) if s.kind is StepKind.DRILL), None)


CALF_AND_SOLE_WORK = frozenset({Condition.TIGHT_CALVES, Condition.PLANTAR_FASCIITIS})


def test_sharp_heel_pain_keeps_the_heel_drop_and_all_calf_and_foot_work_off_that_leg() -> None:
    flags = flags_on(DAY, pain(DAY, "left-heel"))
    for ctx in (
        rest_day(flags, conditions=CALF_AND_SOLE_WORK),
        run_day(flags, conditions=CALF_AND_SOLE_WORK | {Condition.TIGHT_FEET}),
    ):
        day = build_day(ctx, KB)
        heel_drop = drill(day)
        assert heel_drop is not None
        assert heel_drop.region == Region(BodyPart.CALF, Side.RIGHT)
        assert "right foot only" in heel_drop.cue
        for part in FOOT_AND_CALF:
            assert not reaches(day, f"left-{part}"), part
        # The other leg still gets its calf and sole work.
        assert reaches(day, "right-calf")
        assert reaches(day, "right-plantar-fascia")


def test_numbness_in_a_heel_leaves_out_the_calf_above_it_and_the_sole() -> None:
    flags = flags_on(DAY, pain(DAY, "heel", quality=PainQuality.NUMBNESS))
    for ctx in (rest_day(flags, conditions=CALF_AND_SOLE_WORK), run_day(flags)):
        day = build_day(ctx, KB)
        for part in FOOT_AND_CALF:
            assert not reaches(day, part), part
        assert drill(day) is None  # both legs are out: no heel drop at all
        (first, *_rest) = day.warnings
        assert first.rules == ("X1",)
        assert "Numbness in the heel" in first.message


def test_swelling_in_a_calf_keeps_massage_off_that_leg_and_puts_the_doctor_first() -> None:
    flags = flags_on(DAY, signs(DAY, "left-calf", Sign.SWELLING, Sign.WARMTH))
    day = build_day(run_day(flags, checkin=CheckIn(DAY, soreness={parse_region("quad"): 6})), KB)
    first = day.warnings[0]
    assert first.rules == ("R5",)
    assert "see a doctor today" in first.message
    # No run to warm up for or recover from until a doctor has looked at it.
    assert [r.when for r in day.routines] == [RoutineWhen.REST_DAY]
    assert any("Leave today's run" in a.message for a in day.warnings)
    for part in BodyPart:
        if part.paired:
            assert not reaches(day, f"left-{part}"), part
    assert reaches(day, "right-quad")  # the other leg is not part of it


def test_the_doctor_comes_first_even_with_other_flags_standing() -> None:
    flags = flags_on(
        DAY,
        CheckIn(
            DAY,
            pain={parse_region("left-heel"): PainQuality.SHARP},
            signs={parse_region("right-calf"): frozenset({Sign.REDNESS})},
        ),
    )
    day = build_day(rest_day(flags), KB)
    assert [a.rules for a in day.warnings][:2] == [("R5",), ("X1",)]


def test_a_fresh_strain_leaves_its_region_out_and_keeps_the_work_around_it_light() -> None:
    flags = flags_on(DAY, signs(DAY - dt.timedelta(days=1), "left-hamstring", Sign.STRAIN))
    sore = CheckIn(DAY, soreness={parse_region("hamstring"): 7, parse_region("glute"): 6})
    ctx = run_day(flags, checkin=sore)
    day = build_day(ctx, KB)
    assert not reaches(day, "left-hamstring")
    assert reaches(day, "right-hamstring")
    around = light_only(flags)
    assert Region(BodyPart.GLUTE, Side.LEFT) in around
    near = [s for s in steps(day) if any(touches(r, around) for r in (s.region, *s.works) if r)]
    assert near, "the glute next to the strain still gets light work"
    for step in near:
        assert step.intensity is Intensity.LIGHT
        assert step.kind is StepKind.WARM_UP or "R3" in step.rules
    (advice, *_) = day.warnings
    assert advice.rules == ("R3",)
    # Three days on the strain no longer stands (72 hours) and the hamstring is back.
    later = replace(ctx, day=DAY + dt.timedelta(days=3), flags=())
    assert reaches(build_day(later, KB), "left-hamstring")


def test_a_red_flag_older_than_two_weeks_still_blocks_and_asks_whether_it_settled() -> None:
    old = DAY - dt.timedelta(days=20)
    flags = flags_on(DAY, pain(old, "left-calf"))
    day = build_day(rest_day(flags, conditions=frozenset({Condition.TIGHT_CALVES})), KB)
    assert not reaches(day, "left-calf")
    assert not reaches(day, "left-achilles")
    (flag_advice, *_) = day.warnings
    assert flag_advice.rules == ("X1",)
    assert "has it settled?" in flag_advice.message


def test_a_sideless_calf_flag_cleared_by_a_left_calf_check_in_still_stands_on_the_right() -> None:
    flags = flags_on(
        DAY,
        pain(DAY - dt.timedelta(days=3), "calf"),
        clear(DAY - dt.timedelta(days=1), "left-calf"),
    )
    assert [str(f.region) for f in flags] == ["right-calf"]
    day = build_day(rest_day(flags, conditions=frozenset({Condition.TIGHT_CALVES})), KB)
    assert reaches(day, "left-calf")
    assert not reaches(day, "right-calf")
    heel_drop = drill(day)
    assert heel_drop is not None
    assert heel_drop.region == Region(BodyPart.CALF, Side.LEFT)


def test_a_flag_in_a_leg_leaves_the_jumping_out_of_the_warm_up() -> None:
    calm = build_day(run_day(()), KB).routines[0].steps[0]
    assert "jumping jacks" in calm.cue
    warm_up = build_day(run_day(flags_on(DAY, pain(DAY, "left-heel"))), KB).routines[0].steps[0]
    assert warm_up.kind is StepKind.WARM_UP
    assert "jumping jacks" not in warm_up.cue
    assert "no jumping or bounding" in warm_up.cue
    assert warm_up.rules == ("T9", "X1")


def test_soreness_named_without_a_side_never_clears_a_red_flag_of_the_same_check_in() -> None:
    # "calf 4, left calf sharp" in one check-in: the left calf is flagged, whatever order
    # the names come in (they are a set).
    both = CheckIn(
        DAY,
        soreness={parse_region("calf"): 4},
        pain={parse_region("left-calf"): PainQuality.SHARP},
    )
    assert [str(f.region) for f in flags_on(DAY, both)] == ["left-calf"]
    sharp_both = CheckIn(
        DAY,
        soreness={parse_region("left-calf"): 2},
        pain={parse_region("calf"): PainQuality.SHARP},
    )
    assert [str(f.region) for f in flags_on(DAY, sharp_both)] == ["calf"]


def test_a_blocking_flag_keeps_post_run_work_moderate_and_names_its_rule() -> None:
    strain = flags_on(DAY, signs(DAY, "right-quad", Sign.KNOCK))
    day = build_day(run_day(strain), KB)
    assert all(s.intensity is not Intensity.VIGOROUS for s in steps(day))
    # Heel pain for two weeks (R4) refers on but blocks nothing: vigorous work may follow.
    heel = flags_on(
        DAY,
        *(
            pain(DAY - dt.timedelta(days=n), "left-heel", quality=PainQuality.DULL)
            for n in range(15)
        ),
    )
    assert [f.rules for f in heel] == [("R4",)]
    assert any(s.intensity is Intensity.VIGOROUS for s in steps(build_day(run_day(heel), KB)))


# --- the property over random check-ins --------------------------------------------------


def loaded(step: Step) -> list[Region]:
    """What a step's move loads beyond what it massages, on the step's side, as the knowledge
    base (or C8, for the heel drop) says; a central or side-less step loads both sides."""
    if step.kind is StepKind.DRILL:
        parts: tuple[BodyPart, ...] = (
            BodyPart.HEEL,
            BodyPart.PLANTAR_FASCIA,
            BodyPart.ACHILLES,
            BodyPart.CALF,
        )
    elif step.kind is StepKind.MASSAGE:
        move = KB.rule(step.rules[0]).move
        assert move is not None
        parts = (*move.loads, *([] if step.rules[0] == "S6" else move.regions))
    else:
        return []
    side = step.region.side if step.region is not None else None
    return [Region(part, side if part.paired else None) for part in parts]


FIRST = dt.date(2027, 4, 1)
DAYS = 40


def contexts() -> st.SearchStrategy[tuple[DayContext, tuple[CheckIn, ...]]]:
    def build(
        history: list[CheckIn],
        offset: int,
        run: WorkoutKind | None,
        hard: bool,
        conditions: frozenset[Condition],
        owns: frozenset[Tool],
        days_to_race: int | None,
    ) -> tuple[DayContext, tuple[CheckIn, ...]]:
        day = FIRST + dt.timedelta(days=offset)
        ctx = DayContext(
            day,
            run=run,
            hard_today=hard,
            hard_yesterday=hard,
            checkin=next((c for c in reversed(history) if c.day == day), None),
            flags=standing_flags(history, day),
            conditions=conditions,
            owns=owns,
            days_to_race=days_to_race,
        )
        return ctx, tuple(history)

    return st.builds(
        build,
        st.lists(checkins(FIRST, DAYS), max_size=6),
        st.integers(0, DAYS + 20),
        st.none() | st.sampled_from(WorkoutKind),
        st.booleans(),
        st.frozensets(st.sampled_from(Condition)),
        st.frozensets(st.sampled_from(Tool)),
        st.none() | st.integers(0, 10),
    )


@settings(max_examples=400)
@given(contexts())
def test_property_no_step_massages_or_loads_a_blocked_region_and_light_means_light(
    case: tuple[DayContext, tuple[CheckIn, ...]],
) -> None:
    ctx, _history = case
    day = build_day(ctx, KB)
    hard_stop = blocked(ctx.flags)
    soft = light_only(ctx.flags)
    for step in steps(day):
        places = [r for r in (step.region, *step.works) if r is not None]
        for region in places:
            assert not touches(region, hard_stop), (step.move, region, hard_stop)
        for region in loaded(step):  # read from the knowledge base, not from the step
            assert not touches(region, hard_stop), (step.move, region, hard_stop)
        if any(touches(region, soft) for region in places):
            assert step.intensity is Intensity.LIGHT, (step.move, places, soft)
    urgent = [f for f in ctx.flags if f.urgent]
    if urgent:
        assert day.warnings[0].rules == ("R5",)
        assert not any(r.when in (RoutineWhen.PRE_RUN, RoutineWhen.POST_RUN) for r in day.routines)
    flagged = [a for a in day.warnings if a.rules in {f.rules for f in ctx.flags}]
    assert len(flagged) >= len(ctx.flags)
