"""Today's self-massage routines, built from the facts of one day and the rules.

``build_day`` is pure and deterministic: the same ``DayContext`` and knowledge base always give
the same routines, in the same order. Which rule decides what:

- pre-run (T9): at least 10 minutes of dynamic warm-up first (without jumping while a flag
  stands in a leg), then the light moves S1-S3;
- post-run (T10): broad strokes first (S6, one step per worked muscle), then point work (S4,
  S5 and the moves the open conditions name), aimed first at the sore regions of the check-in,
  then at the focus regions of the open conditions (C1-C5, C8, C9); a pre-run move done after
  a run takes its firmer after-run form (the IT band roll, C4);
- rest day (T11): one short bout of 5-10 minutes that ends with the stair heel drop (C8, as
  source 000 gives it: 3 x 30 s each way, three times a day); a runner with tight feet gets the
  drill after runs too;
- desk job (C7): a movement break, to repeat every 30 minutes of sitting;
- vigorous work only after a hard run, and never the day after another vigorous bout (T8), in
  the last two days before an A or B race (T1, X2), right after professional deep work (M1,
  X2) or while a flag that blocks a region stands (X1, R3, R5);
- safety wins over everything (``domain.safety``): no step massages or loads a region a
  standing flag blocks (a red flag's region and its neighbours, X1; the whole leg with a clot
  sign, R5; a fresh injury, R3), steps next to a fresh injury are light, and the day's advice
  lists every flag, the urgent ones first; with a possible clot there is no run to prepare for;
- conditions that need strength or stretching work are referred on (X3, with C6), and runner's
  knee activation work is the massage therapist's to teach (C3, source 003).

Every step names the tool the runner owns (hands when they own none of the move's tools, with
G1 or G2 saying what would help), a cue written for that tool, the body regions it massages or
loads, and the rule IDs that put it there: the move's S* ID, the routine's T* rule, and the C*,
X*, R* or T* rules that chose its region or its intensity.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from rubdown.domain.knowledge import Intensity, KnowledgeBase, Move, MoveTiming, Rule
from rubdown.domain.model import CheckIn, Condition, Tool, WorkoutKind
from rubdown.domain.policy import SELF_VIGOROUS_CLEAR_DAYS_BEFORE_A_RACE
from rubdown.domain.regions import BodyPart, Region, Side
from rubdown.domain.routines import (
    DayAdvice,
    DayRoutines,
    Routine,
    RoutineWhen,
    Step,
    StepKind,
)
from rubdown.domain.safety import Flag, FlagKind, blocked, light_only
from rubdown.errors import KnowledgeBaseError

WARM_UP_S = 600  # T9: at least 10 minutes of dynamic warm-up before any pre-run massage
BOUT_MIN_S = 300  # T11: a self-massage bout lasts 5 ...
BOUT_MAX_S = 600  # ... to 10 minutes (the warm-up is not massage and does not count)
SORE_LEVEL = 3  # soreness 0-10 from which a region gets work of its own
RACE_CLEAR_DAYS = SELF_VIGOROUS_CLEAR_DAYS_BEFORE_A_RACE  # T1, X2: nothing vigorous this close
DESK_BREAK_EVERY_MIN = 30  # C7: move every 30 minutes of sitting
DESK_BREAK_S = 60  # our choice: the source gives how often, not how long
HEEL_DROP_HOLD_S = 30  # C8 (source 000): 30 s a drop ...
HEEL_DROP_ROUNDS = 3  # ... three of them with the knee straight, three with it bent ...
HEEL_DROP_TIMES_A_DAY = 3  # ... three times a day
# The heel drop hangs body weight off the heel: it loads the sole, the heel, the Achilles and
# the calf (C8), so a flag on any of them keeps that leg off the stair.
HEEL_DROP_LOADS = (BodyPart.PLANTAR_FASCIA, BodyPart.HEEL, BodyPart.ACHILLES, BodyPart.CALF)
BROAD_MOVE = "S6"  # T10's broad strokes: it sweeps each worked muscle in turn

_BOTH: frozenset[Side | None] = frozenset({Side.LEFT, Side.RIGHT})
_CENTRAL: frozenset[Side | None] = frozenset({None})
_EVERY_SIDE = _BOTH | _CENTRAL


@dataclass(frozen=True)
class DayContext:
    """What the routines of one day depend on; the services gather it from the store.

    ``run`` is the day's planned or done run (None or REST: a rest day) and ``hard_today``
    whether it is a hard one (a long run, tempo, intervals, hills or a race, or an activity
    the load model classed as hard). ``load_yesterday`` is carried for display: the builder
    reads ``hard_yesterday``, which the load model already derived from the loads.
    ``checkin`` is the day's check-in or the latest of the two days before; ``flags`` the red
    flags and warning signs standing on the day (``safety.standing_flags`` over every check-in);
    ``conditions`` the profile's plus the open injury episodes'; ``owns`` the runner's tools
    (hands are always there); ``days_to_race`` the days until the next A or B race (0 on race
    day); ``deep_massage_near`` whether professional deep work was on this day or the day
    before (logged or planned).
    """

    day: dt.date
    run: WorkoutKind | None = None
    hard_today: bool = False
    hard_yesterday: bool = False
    load_yesterday: float | None = None
    vigorous_yesterday: bool = False
    checkin: CheckIn | None = None
    flags: tuple[Flag, ...] = ()
    conditions: frozenset[Condition] = frozenset()
    owns: frozenset[Tool] = frozenset()
    desk_job: bool = False
    days_to_race: int | None = None
    deep_massage_near: bool = False
    # The rules engine's answer to "vigorous self-massage today?" (allowed, and the rules that
    # refused it), the same question the season plan asks before it books a vigorous bout;
    # None: decide from the fields above (the builder's own reading, for a day out of context).
    vigorous_verdict: tuple[bool, tuple[str, ...]] | None = None

    @property
    def runs_today(self) -> bool:
        return self.run is not None and self.run is not WorkoutKind.REST

    @property
    def race_near(self) -> bool:
        return self.days_to_race is not None and 0 <= self.days_to_race <= RACE_CLEAR_DAYS

    @property
    def blocked(self) -> tuple[Region, ...]:
        """Regions (one side each) no step may massage or load."""
        return blocked(self.flags)

    @property
    def light_only(self) -> tuple[Region, ...]:
        """Regions only light steps may touch (around a fresh injury)."""
        return light_only(self.flags)

    @property
    def see_a_doctor(self) -> bool:
        """A possible clot (R5) stands: a doctor today comes before any run or massage."""
        return any(flag.urgent for flag in self.flags)


def post_run_intensity(ctx: DayContext) -> tuple[Intensity, tuple[str, ...]]:
    """How hard today's post-run work may go, and the rules that decided it.

    Vigorous point work belongs after a hard run (as in the season plan's self-vigorous
    sessions); anything that forbids it leaves the work moderate and names the rule.
    """
    if not (ctx.runs_today and ctx.hard_today):
        return Intensity.MODERATE, ()
    if ctx.vigorous_verdict is not None:
        allowed, refused_by = ctx.vigorous_verdict
        if allowed:
            return Intensity.VIGOROUS, ("T8",)
        return Intensity.MODERATE, refused_by
    blockers: list[str] = []
    if ctx.vigorous_yesterday:
        blockers.append("T8")  # the muscles get a day off after a vigorous bout
    if ctx.race_near:
        blockers += ["T1", "X2"]
    if ctx.deep_massage_near:
        blockers += ["M1", "X2"]  # deep work takes days to absorb; no hard tools on top
    for flag in ctx.flags:
        if flag.blocks:
            blockers += flag.rules  # while a flag keeps work off a region, nothing goes hard
    if blockers:
        return Intensity.MODERATE, _unique(blockers)
    return Intensity.VIGOROUS, ("T8",)  # T8: tomorrow these muscles rest from it


def build_day(ctx: DayContext, kb: KnowledgeBase) -> DayRoutines:
    """The day's routines and the advice to read before any of them."""
    routines: list[Routine] = []
    if ctx.runs_today and not ctx.see_a_doctor:
        routines += [_pre_run(ctx, kb), _post_run(ctx, kb)]
    else:
        routines.append(_rest_day(ctx, kb))
    if ctx.desk_job and ctx.run is not WorkoutKind.RACE:
        routines.append(_desk())
    return DayRoutines(
        day=ctx.day,
        routines=tuple(r for r in routines if r.steps),
        warnings=_advice(ctx),
    )


# --- the routines ------------------------------------------------------------------------


def _pre_run(ctx: DayContext, kb: KnowledgeBase) -> Routine:
    # T9: warm up first, then light moves for blood flow only, whatever is sore.
    bout = _Bout(kb, ctx, BOUT_MAX_S, "T9", Intensity.LIGHT, ())
    race_day = ("T4",) if ctx.run is WorkoutKind.RACE else ()  # warming work on race day is fine
    for rule in _moves(kb, MoveTiming.PRE_RUN):
        move = _move(rule)
        why = (*_conditions_naming(ctx, kb, rule.id, desk=True), *race_day)
        bout.offer(_Want(rule.id, move.regions[0], _sides(move.regions[0]), why))
    return Routine(RoutineWhen.PRE_RUN, (_warm_up(ctx), *bout.steps()))


def _post_run(ctx: DayContext, kb: KnowledgeBase) -> Routine:
    level, level_rules = post_run_intensity(ctx)
    # C8 asks for the heel drop three times a day: a runner with tight feet gets it on run days
    # too (not on race day, when the legs only get light work).
    daily_drill = Condition.TIGHT_FEET in ctx.conditions and ctx.run is not WorkoutKind.RACE
    drill = _heel_drop(ctx, "T10") if daily_drill else None
    budget = BOUT_MAX_S - (drill.seconds if drill is not None else 0)
    bout = _Bout(kb, ctx, budget, "T10", level, level_rules, after_run=True)
    for want in _sore_wants(ctx, kb):
        bout.offer(want)
    for want in _condition_wants(ctx, kb, desk=False):
        bout.offer(want)
    for want in _post_run_fillers(kb):
        bout.offer(want)
    steps = bout.steps()
    return Routine(RoutineWhen.POST_RUN, (*steps, drill) if drill is not None else steps)


def _rest_day(ctx: DayContext, kb: KnowledgeBase) -> Routine:
    # T11: one short bout; the heel drop (C8) closes it, and its time comes off the budget.
    drill = _heel_drop(ctx, "T11")
    budget = BOUT_MAX_S - (drill.seconds if drill is not None else 0)
    bout = _Bout(kb, ctx, budget, "T11", Intensity.MODERATE, ())
    for want in _sore_wants(ctx, kb):
        bout.offer(want)
    for want in _condition_wants(ctx, kb, desk=True):
        bout.offer(want)
    # The day after a hard session the legs that worked get the broad flush first; otherwise
    # the gentle hip and back moves come first.
    if not ctx.hard_yesterday:
        for want in _whole_move_wants(kb, MoveTiming.PRE_RUN):
            bout.offer(want)
    for want in _post_run_fillers(kb):
        bout.offer(want)
    steps = bout.steps()
    return Routine(RoutineWhen.REST_DAY, (*steps, drill) if drill is not None else steps)


def _desk() -> Routine:
    step = Step(
        kind=StepKind.BREAK,
        move="Movement break",
        region=None,
        tool=Tool.HANDS,
        seconds=DESK_BREAK_S,
        intensity=Intensity.LIGHT,
        cue=f"After every {DESK_BREAK_EVERY_MIN} minutes of sitting, get up and walk about for "
        "a minute, swinging the legs and circling the hips; a timer makes sure you do.",
        rules=("C7",),
    )
    return Routine(RoutineWhen.DESK, (step,))


def _warm_up(ctx: DayContext) -> Step:
    # While a flag keeps work off part of a leg, the warm-up leaves out the jumping and
    # bounding drills that would load it hardest (X1, R3); the run itself is the runner's call.
    leg_flags = [f for f in ctx.flags if any(r.part.paired for r in f.blocks)]
    if leg_flags:
        return Step(
            kind=StepKind.WARM_UP,
            move="Gentle warm-up",
            region=None,
            tool=Tool.HANDS,
            seconds=WARM_UP_S,
            intensity=Intensity.LIGHT,
            cue="Ten minutes on the move before any massage: brisk walking, then very easy "
            "jogging; no jumping or bounding drills while a flag stands in a leg.",
            rules=_unique(["T9", *(rule for f in leg_flags for rule in f.rules)]),
        )
    return Step(
        kind=StepKind.WARM_UP,
        move="Dynamic warm-up",
        region=None,
        tool=Tool.HANDS,
        seconds=WARM_UP_S,
        intensity=Intensity.LIGHT,
        cue="Ten minutes on the move before any massage: very easy jogging, high knees, butt "
        "kicks and jumping jacks.",
        rules=("T9",),
    )


def _heel_drop(ctx: DayContext, routine_rule: str) -> Step | None:
    """C8's stair heel drop, as source 000 gives it: 3 x 30 s with the knee straight, then
    3 x 30 s with it bent, three times a day. A leg on which a flag blocks anything the drill
    loads stays off the stair; with both legs out there is no drill."""
    sides = _BOTH - _blocked(BodyPart.CALF, HEEL_DROP_LOADS, ctx.blocked)
    region = _region(BodyPart.CALF, sides)
    if region is None:
        return None
    hold, rounds = HEEL_DROP_HOLD_S, HEEL_DROP_ROUNDS
    if region.side is None:
        stance = "Stand on a stair with both heels over the edge and let them sink"
        which = ""
    else:
        stance = (
            f"Stand on a stair on your {region.side} foot only, holding the rail, with the heel "
            "over the edge, and let it sink; the other foot stays off the step"
        )
        which = f" {region.side.value.capitalize()} leg only today: the other leg sits it out."
    return Step(
        kind=StepKind.DRILL,
        move="Stair heel drop",
        region=region,
        tool=Tool.HANDS,
        seconds=rounds * 2 * hold,
        intensity=Intensity.LIGHT,
        cue=f"{stance}: {rounds} x {hold} s with the knee straight, then {rounds} x {hold} s with "
        f"it bent. Do it {HEEL_DROP_TIMES_A_DAY} times over the day.{which}",
        rules=("C8", routine_rule),
        works=_works(HEEL_DROP_LOADS, sides),
    )


# --- what the runner must read first ------------------------------------------------------

# Conditions whose cause massage cannot fix: they need strength or stretching work (X3).
_REFERRALS: dict[Condition, tuple[str, str]] = {
    Condition.OVERUSE: (
        "C6",
        "Overuse injury: self-massage can calm the first soreness, but it will not fix what "
        "caused it. See a physiotherapist or sports doctor for a strength and stretching plan.",
    ),
    Condition.RUNNERS_KNEE: (
        "C3",
        "Runner's knee: the routines loosen the glutes, quads and hamstrings that pull on the "
        "knee. The muscle activation exercises for before and after your runs are for your "
        "massage therapist to teach you (C3, source 003): ask at your next session. If the "
        "knee keeps hurting, see a physiotherapist or sports doctor (X3).",
    ),
}


def _advice(ctx: DayContext) -> tuple[DayAdvice, ...]:
    # Safety first, the urgent flags (a possible clot: a doctor today) before the rest; a red
    # flag also says what to do if a step brings the feeling back (X1).
    advice = [
        DayAdvice(_flag_advice(flag), flag.rules) for flag in sorted(ctx.flags, key=_flag_order)
    ]
    if ctx.see_a_doctor and ctx.runs_today:
        advice.append(
            DayAdvice(
                "Leave today's run until a doctor has looked at it: there is no warm-up or "
                "post-run routine today.",
                ("R5",),
            )
        )
    if ctx.race_near and ctx.days_to_race is not None:
        when = {0: "today", 1: "tomorrow"}.get(ctx.days_to_race, f"in {ctx.days_to_race} days")
        advice.append(
            DayAdvice(
                f"Your next A or B race is {when}: keep self-massage light to moderate and "
                "familiar, nothing vigorous.",
                ("T1", "X2"),
            )
        )
    referrals = [_REFERRALS[c] for c in ctx.conditions if c in _REFERRALS]
    for rule_id, message in sorted(referrals, key=lambda item: _rule_order(item[0])):
        advice.append(DayAdvice(message, ("X3", rule_id)))
    if Condition.SORE_FEET in ctx.conditions and ctx.runs_today:
        advice.append(
            DayAdvice("If a foot starts to hurt during today's run, stop running.", ("X4", "C9"))
        )
    return tuple(advice)


def _flag_advice(flag: Flag) -> str:
    if flag.kind is not FlagKind.RED_FLAG:
        return flag.message()
    return (
        f"{flag.message()} Today's routines leave that area out; if any step brings back "
        "sharp pain, numbness or tingling, stop, or go on only much more gently."
    )


def _flag_order(flag: Flag) -> tuple[bool, int, str, str]:
    """Urgent first, then by kind (red flags before fresh injuries and referrals) and place."""
    return (not flag.urgent, list(FlagKind).index(flag.kind), str(flag.region), flag.what)


# --- choosing the work ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Want:
    """A wish for one move on one region, with the rules that wish it."""

    move_id: str
    part: BodyPart
    sides: frozenset[Side | None]
    why: tuple[str, ...]


@dataclass
class _Draft:
    move_id: str
    move: Move
    region: Region
    seconds: int
    why: list[str] = field(default_factory=list)


class _Bout:
    """The steps of one routine, chosen in order of wish within a time budget.

    S6 sweeps one muscle per step, so its steps are told apart by region; any other move is
    one place on the body, so a second wish for it only adds its reasons (or the other side).
    A side is left out when a standing flag blocks any part the move massages or loads there.
    """

    def __init__(
        self,
        kb: KnowledgeBase,
        ctx: DayContext,
        budget_s: int,
        routine_rule: str,
        level: Intensity,
        level_rules: tuple[str, ...],
        *,
        after_run: bool = False,
    ) -> None:
        self._kb = kb
        self._ctx = ctx
        self._budget_s = budget_s
        self._routine_rule = routine_rule
        self._level = level
        self._level_rules = level_rules
        self._after_run = after_run
        self._blocked = ctx.blocked
        self._light_only = ctx.light_only
        self._drafts: list[_Draft] = []
        self._used_s = 0

    def offer(self, want: _Want) -> None:
        move = _move(self._kb.rule(want.move_id))
        broad = want.move_id == BROAD_MOVE
        same = [
            d
            for d in self._drafts
            if d.move_id == want.move_id and (not broad or d.region.part is want.part)
        ]
        covered: set[Side | None] = set()
        for draft in same:
            # A central region (the low back) is the whole place the move works on.
            done = (
                _sides(draft.region.part, draft.region.side)
                if draft.region.part.paired
                else _EVERY_SIDE
            )
            covered |= done
            if done & want.sides:
                draft.why.extend(want.why)
        parts = _parts(want.part, move, broad=broad)
        open_sides = want.sides - covered - _blocked(want.part, parts, self._blocked)
        region = _region(want.part, open_sides)
        if region is None:
            return
        seconds = move.seconds * max(1, len(open_sides - _CENTRAL))
        if self._used_s + seconds > self._budget_s:
            return
        self._used_s += seconds
        self._drafts.append(_Draft(want.move_id, move, region, seconds, list(want.why)))

    def steps(self) -> tuple[Step, ...]:
        # T10: the broad strokes come before any point work (a stable sort keeps the order of
        # wishes within each group).
        ordered = sorted(self._drafts, key=lambda d: d.move_id != BROAD_MOVE)
        return tuple(self._step(d) for d in ordered)

    def _step(self, draft: _Draft) -> Step:
        move = draft.move
        tool, note, tool_rules = _tool(move, self._ctx.owns)
        parts = _parts(draft.region.part, move, broad=draft.move_id == BROAD_MOVE)
        sides = _sides(draft.region.part, draft.region.side)
        # Next to a fresh injury only light work (R3): the step goes light and says why.
        near_injury = [
            f.rules
            for f in self._ctx.flags
            if sides & _blocked(draft.region.part, parts, f.light_only)
        ]
        # A move that is light by nature (lying still, a cold ball) stays light.
        natural = move.intensity_for(after_run=self._after_run)
        light = natural is Intensity.LIGHT or self._level is Intensity.LIGHT or bool(near_injury)
        intensity = Intensity.LIGHT if light else self._level
        level_rules = () if light else self._level_rules
        cue = move.cue_for(tool, after_run=self._after_run)
        if draft.region.part.paired and draft.region.side is None:
            cue += f" {move.seconds} s a side."
        if note:
            cue += f" {note}"
        cue += _then_tools(move, self._ctx.owns)
        if near_injury:
            cue += " Keep it light, stroking only: a fresh injury is close by."
        return Step(
            kind=StepKind.MASSAGE,
            move=move.name,
            region=draft.region,
            tool=tool,
            seconds=draft.seconds,
            intensity=intensity,
            cue=cue,
            rules=_unique(
                [
                    draft.move_id,
                    self._routine_rule,
                    *draft.why,
                    *level_rules,
                    *(rule for rules in near_injury for rule in rules),
                    *tool_rules,
                ]
            ),
            works=_works(parts, sides),
        )


def _parts(part: BodyPart, move: Move, *, broad: bool) -> tuple[BodyPart, ...]:
    """What a step of ``move`` aimed at ``part`` massages or loads: S6 sweeps one muscle per
    step; any other move works all its regions, and loads what it loads, wherever it aims."""
    if broad:
        return (part, *(p for p in move.loads if p is not part))
    return (part, *(p for p in move.works if p is not part))


def _works(parts: Iterable[BodyPart], sides: frozenset[Side | None]) -> tuple[Region, ...]:
    """The regions a step on ``sides`` reaches through ``parts``; a step on a central region
    (the low back) reaches both sides of a paired part it also works (the hip flexors)."""
    paired_sides = frozenset(sides - _CENTRAL) or _BOTH
    found: list[Region] = []
    for part in parts:
        region = _region(part, paired_sides) if part.paired else Region(part)
        if region is not None:
            found.append(region)
    return tuple(found)


def _then_tools(move: Move, owns: frozenset[Tool]) -> str:
    """S3: body weight first; an owned roller or stick only when that finds nothing."""
    owned = [tool for tool in move.then_tools if tool in owns]
    if not owned:
        return ""
    name = owned[0].value.replace("-", " ")
    return f" Only if body weight finds no tight spot, do the same sitting on your {name}."


def _sore_wants(ctx: DayContext, kb: KnowledgeBase) -> Iterator[_Want]:
    if ctx.checkin is None:
        return
    sore = [(level, r) for r, level in ctx.checkin.soreness.items() if level >= SORE_LEVEL]
    for _level, region in sorted(sore, key=lambda item: (-item[0], str(item[1]))):
        move_id = _move_for(kb, region.part, ())
        if move_id is not None:
            yield _Want(move_id, region.part, _sides(region.part, region.side), ())


def _condition_wants(ctx: DayContext, kb: KnowledgeBase, *, desk: bool) -> Iterator[_Want]:
    protocols = kb.protocols()
    rules = [protocols[c] for c in ctx.conditions if c in protocols]
    if desk and ctx.desk_job and None in protocols:
        rules.append(protocols[None])  # C7: the low back and hips after a day of sitting
    for rule in sorted(rules, key=lambda r: _rule_order(r.id)):
        protocol = rule.protocol
        if protocol is None:
            continue
        for part in protocol.focus:
            move_id = _move_for(kb, part, protocol.moves)
            if move_id is not None:
                yield _Want(move_id, part, _sides(part), (rule.id,))
        for move_id in protocol.moves:
            move = _move(kb.rule(move_id))
            part = next((p for p in move.regions if p in protocol.focus), move.regions[0])
            yield _Want(move_id, part, _sides(part), (rule.id,))


def _post_run_fillers(kb: KnowledgeBase) -> Iterator[_Want]:
    """The worked muscles under the broad strokes, then the other post-run moves (S4-S6)."""
    broad = _move(kb.rule(BROAD_MOVE))
    for part in broad.regions:
        yield _Want(BROAD_MOVE, part, _sides(part), ())
    for want in _whole_move_wants(kb, MoveTiming.POST_RUN):
        if want.move_id != BROAD_MOVE:
            yield want


def _whole_move_wants(kb: KnowledgeBase, when: MoveTiming) -> Iterator[_Want]:
    for rule in _moves(kb, when):
        part = _move(rule).regions[0]
        yield _Want(rule.id, part, _sides(part), ())


def _move_for(kb: KnowledgeBase, part: BodyPart, preferred: Iterable[str]) -> str | None:
    """The move that treats ``part``: the condition's own first, then the broad strokes, then
    post-run and any-time moves, pre-run moves last; None when no move reaches it (the knee)."""
    for move_id in preferred:
        if part in _move(kb.rule(move_id)).regions:
            return move_id
    if part in _move(kb.rule(BROAD_MOVE)).regions:
        return BROAD_MOVE
    for timings in ((MoveTiming.POST_RUN, MoveTiming.ANY), (MoveTiming.PRE_RUN,)):
        for when in timings:
            for rule in _moves(kb, when):
                if part in _move(rule).regions:
                    return rule.id
    return None


def _conditions_naming(
    ctx: DayContext, kb: KnowledgeBase, move_id: str, *, desk: bool
) -> tuple[str, ...]:
    protocols = kb.protocols()
    keys: list[Condition | None] = [c for c in ctx.conditions if c in protocols]
    if desk and ctx.desk_job and None in protocols:
        keys.append(None)
    ids = [
        protocols[k].id
        for k in keys
        if (p := protocols[k].protocol) is not None and move_id in p.moves
    ]
    return tuple(sorted(ids, key=_rule_order))


# --- small helpers ----------------------------------------------------------------------------


def _tool(move: Move, owns: frozenset[Tool]) -> tuple[Tool, str, tuple[str, ...]]:
    """The first tool of the move's preference list the runner owns, else hands; when hands
    stand in for a tool, say which gear would help and name the gear rule (G1 for a roller or
    stick, else G2). The cue itself is the one written for the tool chosen."""
    missing: list[Tool] = []
    for tool in move.tools:
        if tool is Tool.HANDS:
            break
        if tool in owns:
            if missing and not move.has_cue_for(tool):
                # No cue of its own (a knowledge base without one): say what stands in.
                first, used = (t.value.replace("-", " ") for t in (missing[0], tool))
                return tool, f"No {first} at hand: use the {used}.", ()
            return tool, "", ()
        missing.append(tool)
    if not missing:
        return Tool.HANDS, "", ()
    names = [t.value.replace("-", " ") for t in missing]
    listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
    rule = "G1" if missing[0] in (Tool.ROLLER, Tool.STICK) else "G2"
    if not move.has_cue_for(Tool.HANDS):
        return Tool.HANDS, f"No {listed} at hand: use your hands instead.", (rule,)
    return Tool.HANDS, f"(The hands version: a {listed} would let you work deeper.)", (rule,)


def _sides(part: BodyPart, side: Side | None = None) -> frozenset[Side | None]:
    if not part.paired:
        return _CENTRAL
    return _BOTH if side is None else frozenset({side})


def _blocked(
    target: BodyPart, parts: Iterable[BodyPart], regions: Iterable[Region]
) -> frozenset[Side | None]:
    """The sides of ``target`` that ``regions`` (blocked or light-only ones) reach through any
    of ``parts``: a side-less or central region reaches every side of a step."""
    wanted = set(parts)
    reached: set[Side | None] = set()
    for region in regions:
        if region.part not in wanted:
            continue
        if region.side is None or not target.paired:
            return _EVERY_SIDE
        reached.add(region.side)
    return frozenset(reached)


def _region(part: BodyPart, sides: frozenset[Side | None]) -> Region | None:
    if not sides:
        return None
    if sides in (_BOTH, _CENTRAL):
        return Region(part)
    (side,) = sides
    return Region(part, side)


def _moves(kb: KnowledgeBase, when: MoveTiming) -> list[Rule]:
    found = [r for r in kb.rules.values() if r.move is not None and r.move.when is when]
    return sorted(found, key=lambda r: _rule_order(r.id))


def _move(rule: Rule) -> Move:
    if rule.move is None:
        raise KnowledgeBaseError(f"rule {rule.id} describes no move")
    return rule.move


def _rule_order(rule_id: str) -> tuple[str, int]:
    match = re.fullmatch(r"([A-Z]+)(\d+)", rule_id)
    return (match.group(1), int(match.group(2))) if match else (rule_id, 0)


def _unique(ids: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(ids))
