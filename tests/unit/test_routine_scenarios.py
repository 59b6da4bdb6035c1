"""The issue's scenarios for today's routines: each names the steps, the regions, the tools,
the seconds and the rule IDs it expects; the last ones gather the day from stored data (in
memory: the store's own behaviour is tested against the databases)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest
from tests.support.checkin_strategies import red_flags
from tests.support.fake_store import fake_runner

from rubdown.domain.knowledge import Intensity
from rubdown.domain.model import (
    CheckIn,
    Condition,
    InjuryEpisode,
    MassageSession,
    PainQuality,
    Priority,
    Profile,
    Race,
    SessionKind,
    Tool,
    Workout,
    WorkoutKind,
)
from rubdown.domain.placement import Placement, PlacementProblem
from rubdown.domain.plan import PlannedSession
from rubdown.domain.regions import BodyPart, Region, Side, parse_region
from rubdown.domain.routine_builder import DayContext, build_day
from rubdown.domain.routines import DayRoutines, RoutineWhen, StepKind
from rubdown.domain.safety import FlagKind
from rubdown.knowledge import load_knowledge_base
from rubdown.services.daily import log_run
from rubdown.services.importing import import_paths
from rubdown.services.runner import Runner
from rubdown.services.today import day_context, day_routines

KB = load_knowledge_base()
SAT = dt.date(2027, 4, 17)  # the day before a Sunday race

# A step as the scenarios spell it: (kind or S* ID, region, tool, seconds, intensity, rules).
Row = tuple[str, str | None, Tool, int, Intensity, tuple[str, ...]]

HANDS = Tool.HANDS
ROLLER = Tool.ROLLER
LIGHT, MODERATE, VIGOROUS = Intensity.LIGHT, Intensity.MODERATE, Intensity.VIGOROUS
WARM_UP: Row = ("warm-up", None, HANDS, 600, LIGHT, ("T9",))


def rows(day: DayRoutines, when: RoutineWhen) -> list[Row]:
    (routine,) = [r for r in day.routines if r.when is when]
    return [
        (
            s.rules[0] if s.kind is StepKind.MASSAGE else s.kind.value,
            None if s.region is None else str(s.region),
            s.tool,
            s.seconds,
            s.intensity,
            s.rules,
        )
        for s in routine.steps
    ]


def total(day: DayRoutines, when: RoutineWhen) -> int:
    (routine,) = [r for r in day.routines if r.when is when]
    return routine.total_s


def whens(day: DayRoutines) -> list[RoutineWhen]:
    return [r.when for r in day.routines]


def test_an_easy_day_before_a_race_warms_up_stays_moderate_and_warns_off_vigorous_work() -> None:
    ctx = DayContext(
        SAT, WorkoutKind.EASY, days_to_race=1, owns=frozenset({Tool.ROLLER, Tool.STICK})
    )
    day = build_day(ctx, KB)
    assert whens(day) == [RoutineWhen.PRE_RUN, RoutineWhen.POST_RUN]
    assert rows(day, RoutineWhen.PRE_RUN) == [
        WARM_UP,
        ("S1", "low-back", ROLLER, 120, LIGHT, ("S1", "T9")),
        ("S2", "it-band", ROLLER, 120, LIGHT, ("S2", "T9")),
        ("S3", "glute", HANDS, 120, LIGHT, ("S3", "T9")),  # body weight first (S3)
    ]
    assert rows(day, RoutineWhen.POST_RUN) == [
        ("S6", "calf", ROLLER, 240, MODERATE, ("S6", "T10")),
        ("S6", "hamstring", ROLLER, 240, MODERATE, ("S6", "T10")),
    ]
    assert total(day, RoutineWhen.PRE_RUN) == 960
    assert total(day, RoutineWhen.POST_RUN) == 480
    (advice,) = day.warnings
    assert advice.rules == ("T1", "X2")
    assert "tomorrow" in advice.message


def test_a_hard_session_two_days_before_a_race_stays_moderate_and_says_why() -> None:
    ctx = DayContext(
        SAT, WorkoutKind.TEMPO, hard_today=True, days_to_race=2, owns=frozenset({ROLLER})
    )
    assert rows(build_day(ctx, KB), RoutineWhen.POST_RUN) == [
        ("S6", "calf", ROLLER, 240, MODERATE, ("S6", "T10", "T1", "X2")),
        ("S6", "hamstring", ROLLER, 240, MODERATE, ("S6", "T10", "T1", "X2")),
    ]


def test_the_day_after_a_long_run_with_sore_calves_works_each_sore_side_then_the_drill() -> None:
    checkin = CheckIn(
        SAT,
        soreness={
            parse_region("left-calf"): 6,
            parse_region("right-calf"): 4,
            parse_region("hamstring"): 2,  # below 3: not worth its own step
        },
    )
    ctx = DayContext(
        SAT,
        run=None,
        hard_yesterday=True,
        load_yesterday=162.0,
        checkin=checkin,
        owns=frozenset({ROLLER}),
    )
    day = build_day(ctx, KB)
    assert whens(day) == [RoutineWhen.REST_DAY]
    assert rows(day, RoutineWhen.REST_DAY) == [
        ("S6", "left-calf", ROLLER, 120, MODERATE, ("S6", "T11")),
        ("S6", "right-calf", ROLLER, 120, MODERATE, ("S6", "T11")),
        ("S4", "shin", HANDS, 180, MODERATE, ("S4", "T11")),
        ("drill", "calf", HANDS, 180, LIGHT, ("C8", "T11")),
    ]
    assert total(day, RoutineWhen.REST_DAY) == 600
    assert day.warnings == ()


def test_an_open_plantar_fasciitis_episode_puts_the_calves_and_the_sole_into_post_run_work() -> (
    None
):
    ctx = DayContext(
        SAT,
        WorkoutKind.EASY,
        conditions=frozenset({Condition.PLANTAR_FASCIITIS}),
        owns=frozenset({Tool.GOLF_BALL, ROLLER}),
    )
    day = build_day(ctx, KB)
    assert rows(day, RoutineWhen.POST_RUN) == [
        ("S6", "calf", ROLLER, 240, MODERATE, ("S6", "T10", "C2")),
        ("S6", "hamstring", ROLLER, 240, MODERATE, ("S6", "T10")),
        ("S7", "plantar-fascia", Tool.GOLF_BALL, 120, LIGHT, ("S7", "T10", "C2")),
    ]
    assert total(day, RoutineWhen.POST_RUN) == 600
    # Before the run nothing changes: light hip and back moves only (T9).
    assert [r[0] for r in rows(day, RoutineWhen.PRE_RUN)] == ["warm-up", "S1", "S2", "S3"]


def test_a_red_flag_pain_keeps_its_side_out_stops_vigorous_work_and_says_see_someone() -> None:
    ctx = DayContext(
        SAT,
        WorkoutKind.TEMPO,
        hard_today=True,
        checkin=CheckIn(SAT, soreness={parse_region("calf"): 5}),
        flags=red_flags(SAT, "left-calf"),
        conditions=frozenset({Condition.TIGHT_CALVES}),
        owns=frozenset({ROLLER}),
    )
    day = build_day(ctx, KB)
    # The left calf's neighbours (the left shin, and the Achilles the ankle circles load) are
    # out too: the shin grip works the right leg only.
    assert rows(day, RoutineWhen.POST_RUN) == [
        ("S6", "right-calf", ROLLER, 120, MODERATE, ("S6", "T10", "C1", "X1")),
        ("S6", "hamstring", ROLLER, 240, MODERATE, ("S6", "T10", "X1")),
        ("S4", "right-shin", HANDS, 90, MODERATE, ("S4", "T10", "C1", "X1")),
    ]
    assert total(day, RoutineWhen.POST_RUN) == 450
    regions = [s.region for r in day.routines for s in r.steps if s.region is not None]
    assert not any(r.overlaps(Region(BodyPart.CALF, Side.LEFT)) for r in regions)
    (flag,) = day.warnings
    assert flag.rules == ("X1",)
    assert "left calf" in flag.message
    assert "see a professional" in flag.message
    assert "stop, or go on only much more gently" in flag.message


def test_a_rest_day_with_a_desk_job_gives_a_short_bout_and_movement_breaks() -> None:
    ctx = DayContext(SAT, run=None, desk_job=True, owns=frozenset({Tool.BOLSTER}))
    day = build_day(ctx, KB)
    assert whens(day) == [RoutineWhen.REST_DAY, RoutineWhen.DESK]
    assert rows(day, RoutineWhen.REST_DAY) == [
        ("S1", "low-back", Tool.BOLSTER, 120, LIGHT, ("S1", "T11", "C7")),
        ("S2", "it-band", HANDS, 120, LIGHT, ("S2", "T11", "G1")),
        ("S3", "glute", HANDS, 120, LIGHT, ("S3", "T11")),
        ("drill", "calf", HANDS, 180, LIGHT, ("C8", "T11")),
    ]
    assert total(day, RoutineWhen.REST_DAY) == 540
    assert rows(day, RoutineWhen.DESK) == [("break", None, HANDS, 60, LIGHT, ("C7",))]
    (desk,) = [r for r in day.routines if r.when is RoutineWhen.DESK]
    assert "every 30 minutes" in desk.steps[0].cue


def test_a_runner_with_no_tools_gets_hands_everywhere_and_the_gear_rule_that_would_help() -> None:
    ctx = DayContext(SAT, WorkoutKind.EASY, conditions=frozenset({Condition.GLUTE_SCAR_TISSUE}))
    day = build_day(ctx, KB)
    assert rows(day, RoutineWhen.PRE_RUN) == [
        WARM_UP,
        ("S1", "low-back", HANDS, 120, LIGHT, ("S1", "T9", "G1")),
        ("S2", "it-band", HANDS, 120, LIGHT, ("S2", "T9", "G1")),
        ("S3", "glute", HANDS, 120, LIGHT, ("S3", "T9")),
    ]
    assert rows(day, RoutineWhen.POST_RUN) == [
        ("S6", "calf", HANDS, 240, MODERATE, ("S6", "T10", "G1")),
        ("S6", "hamstring", HANDS, 240, MODERATE, ("S6", "T10", "G1")),
        ("S8", "glute", HANDS, 120, MODERATE, ("S8", "T10", "C5", "G2")),
    ]
    steps = [s for r in day.routines for s in r.steps if s.kind is StepKind.MASSAGE]
    # Each cue is the hands version, and says which gear would help; S3 needs none.
    assert all("would let you work deeper" in s.cue for s in steps if s.rules[0] != "S3")


@pytest.mark.parametrize(
    ("vigorous_yesterday", "intensity"),
    [pytest.param(True, MODERATE, id="after-a-vigorous-bout"), pytest.param(False, VIGOROUS)],
)
def test_a_vigorous_bout_the_day_before_keeps_todays_hard_day_work_moderate(
    vigorous_yesterday: bool, intensity: Intensity
) -> None:
    ctx = DayContext(
        SAT,
        WorkoutKind.INTERVALS,
        hard_today=True,
        vigorous_yesterday=vigorous_yesterday,
        owns=frozenset({ROLLER, Tool.LACROSSE_BALL}),
        checkin=CheckIn(SAT, soreness={parse_region("adductor"): 4}),
    )
    day = build_day(ctx, KB)
    # Either way T8 is named: it kept the work moderate, or it gives tomorrow a day off.
    assert rows(day, RoutineWhen.POST_RUN) == [
        ("S6", "calf", ROLLER, 240, intensity, ("S6", "T10", "T8")),
        ("S5", "adductor", Tool.LACROSSE_BALL, 180, intensity, ("S5", "T10", "T8")),
        ("S4", "shin", HANDS, 180, intensity, ("S4", "T10", "T8")),
    ]
    assert total(day, RoutineWhen.POST_RUN) == 600


# --- gathering the day from stored data ------------------------------------------------

WED = dt.date(2027, 4, 14)
OWNER = "runner-1"
IMPORTED_RUN = Path(__file__).parents[1] / "data" / "activities" / "python-tcxparser" / "test.tcx"
IMPORTED_RUN_DAY = dt.date(2012, 12, 26)  # a 33-minute run


class NoSolver:
    """Routines never place professional sessions; a call here is a bug."""

    def solve(self, problem: PlacementProblem) -> Placement:
        raise AssertionError("the routines must not run the optimiser")


@pytest.fixture
def app() -> Runner:
    noon = dt.datetime.combine(WED, dt.time(12), tzinfo=dt.UTC)
    return fake_runner(KB, NoSolver(), lambda: noon, OWNER)


def add_hard_day(app: Runner, day: dt.date, kind: WorkoutKind = WorkoutKind.LONG) -> None:
    app.data.add_workout(Workout(day, kind))


def test_day_context_gathers_the_day_from_stored_data(app: Runner) -> None:
    app.data.save_profile(
        Profile(
            owns=frozenset({ROLLER}),
            conditions=frozenset({Condition.TIGHT_CALVES}),
            desk_job=True,
        ),
    )
    app.data.add_race(Race("Harbour Half", WED + dt.timedelta(days=2), Priority.B))
    app.data.add_race(Race("Park 5K", WED + dt.timedelta(days=1), Priority.C))
    app.data.add_workout(Workout(WED, WorkoutKind.TEMPO))
    yesterday = WED - dt.timedelta(days=1)
    add_hard_day(app, yesterday)
    checkin = CheckIn(
        yesterday,
        soreness={parse_region("calf"): 5},
        pain={parse_region("left-heel"): PainQuality.SHARP},
    )
    app.data.add_checkin(checkin)
    app.data.add_session(MassageSession(yesterday, SessionKind.DEEP_TISSUE))

    ctx = day_context(app, WED)

    assert ctx.day == WED
    assert (ctx.run, ctx.hard_today, ctx.hard_yesterday) == (WorkoutKind.TEMPO, True, True)
    assert ctx.load_yesterday is None  # nothing imported
    assert ctx.checkin is not None
    assert ctx.checkin.day == yesterday
    assert ctx.checkin.soreness == {Region(BodyPart.CALF): 5}
    assert [(f.kind, f.region) for f in ctx.flags] == [
        (FlagKind.RED_FLAG, Region(BodyPart.HEEL, Side.LEFT))
    ]
    assert ctx.conditions == frozenset({Condition.TIGHT_CALVES})
    assert ctx.owns == frozenset({ROLLER})
    assert ctx.desk_job is True
    assert ctx.days_to_race == 2  # the B race counts, the C race tomorrow does not
    assert ctx.deep_massage_near is True
    # Yesterday the deep session (X2) and the heel's red flag (X1) ruled out a vigorous bout.
    assert ctx.vigorous_yesterday is False


def test_an_open_injury_episode_adds_its_condition_and_its_protocol_work(app: Runner) -> None:
    heel = parse_region("left-heel")
    start = WED - dt.timedelta(days=5)
    app.data.add_injury(InjuryEpisode(heel, Condition.PLANTAR_FASCIITIS, start))
    app.data.add_injury(
        InjuryEpisode(
            heel, Condition.OVERUSE, start - dt.timedelta(days=30), start - dt.timedelta(days=10)
        ),
    )
    app.data.add_workout(Workout(WED, WorkoutKind.EASY))
    assert day_context(app, WED).conditions == frozenset({Condition.PLANTAR_FASCIITIS})
    post = rows(day_routines(app, WED), RoutineWhen.POST_RUN)
    assert ("S7", "plantar-fascia", HANDS, 120, LIGHT, ("S7", "T10", "C2", "G2")) in post


def test_a_check_in_older_than_two_days_is_left_out_but_its_red_flag_stands(app: Runner) -> None:
    old = WED - dt.timedelta(days=3)
    app.data.add_checkin(CheckIn(old, pain={parse_region("shin"): PainQuality.TINGLING}))
    ctx = day_context(app, WED)
    assert ctx.checkin is None
    assert [(f.kind, f.region) for f in ctx.flags] == [(FlagKind.RED_FLAG, Region(BodyPart.SHIN))]


def test_yesterdays_vigorous_bout_is_read_from_the_log_or_the_stored_plan(app: Runner) -> None:
    yesterday = WED - dt.timedelta(days=1)
    assert day_context(app, WED).vigorous_yesterday is False
    planned = PlannedSession(
        key=f"self-vigorous:{yesterday}",
        day=yesterday,
        kind=SessionKind.SELF_VIGOROUS,
        regions=(),
        price=0.0,
        reason="after your long run",
        rules=("T10", "S6", "T8"),
    )
    app.data.save_plan([planned])
    assert day_context(app, WED).vigorous_yesterday is True
    app.data.save_plan([])
    app.data.add_session(MassageSession(yesterday, SessionKind.SELF_VIGOROUS))
    assert day_context(app, WED).vigorous_yesterday is True


def test_without_a_record_the_t8_rule_is_replayed_over_the_hard_days_before(app: Runner) -> None:
    # Monday hard -> vigorous; Tuesday hard -> not (T8); so Wednesday may go vigorous again.
    add_hard_day(app, WED - dt.timedelta(days=1))
    assert day_context(app, WED).vigorous_yesterday is True
    add_hard_day(app, WED - dt.timedelta(days=2))
    assert day_context(app, WED).vigorous_yesterday is False


def test_day_routines_builds_the_runners_today_by_default(app: Runner) -> None:
    app.data.add_workout(Workout(WED, WorkoutKind.EASY))
    day = day_routines(app)
    assert day.day == WED
    assert whens(day) == [RoutineWhen.PRE_RUN, RoutineWhen.POST_RUN]
    assert day_routines(app, WED + dt.timedelta(days=1)).routines[0].when is RoutineWhen.REST_DAY


def test_a_run_logged_by_hand_without_a_planned_workout_gets_its_post_run_routine(
    app: Runner,
) -> None:
    log_run(app, WED, 45, 5)  # `rubdown log run`: no workout was planned that day
    assert whens(day_routines(app, WED)) == [RoutineWhen.PRE_RUN, RoutineWhen.POST_RUN]


def test_an_imported_run_without_a_planned_workout_gets_its_post_run_routine(
    app: Runner, tmp_path: Path
) -> None:
    importer = replace(app, home=tmp_path / "home", owns_store=False)  # keeps the raw file
    import_paths(importer, [IMPORTED_RUN], workers=1)
    assert whens(day_routines(app, IMPORTED_RUN_DAY)) == [
        RoutineWhen.PRE_RUN,
        RoutineWhen.POST_RUN,
    ]


def test_a_red_flag_weeks_old_still_stands_in_todays_context_and_asks_if_it_settled(
    app: Runner,
) -> None:
    old = WED - dt.timedelta(days=20)
    app.data.add_checkin(CheckIn(old, pain={parse_region("left-calf"): PainQuality.SHARP}))
    (flag,) = day_context(app, WED).flags
    assert (str(flag.region), flag.stale) == ("left-calf", True)
    day = day_routines(app, WED)
    assert "has it settled?" in day.warnings[0].message
    assert not any(
        r.part is BodyPart.CALF and r.side is not Side.RIGHT
        for routine in day.routines
        for step in routine.steps
        for r in step.works
    )
