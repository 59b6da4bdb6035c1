"""Plan the race-day massage tent: from the finish curve to therapists per 15-minute slot.

The tent lead's use case; it has no owner and stores nothing (the plan is computed). The
queue is simulated by an adapter behind :class:`rubdown.domain.tent.model.QueueSimulator`
over several seeded replications: each draws who comes and their walk, and the session
lengths. Two answers: what the given shifts do (waits, who gives up, table use per slot),
and the therapists each slot needs to keep the 90th-percentile wait under the target.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from rubdown.domain.tent.arrivals import (
    ArrivalSettings,
    parse_minutes_range,
    parse_share,
    tent_arrivals,
)
from rubdown.domain.tent.finish_curve import (
    model_for,
    modelled_finish_times,
    rescaled_finish_times,
)
from rubdown.domain.tent.model import QueueSimulator, RunnerOutcome, ServiceTimes
from rubdown.domain.tent.outcomes import (
    QueueSummary,
    SlotCheck,
    SlotStats,
    slot_checks,
    summarise,
)
from rubdown.domain.tent.results_csv import read_results
from rubdown.domain.tent.shifts import (
    SLOT_S,
    Shift,
    parse_clock,
    parse_shifts,
    show_clock,
    therapists_per_slot,
)
from rubdown.domain.tent.staffing import (
    StaffingResult,
    offered_load,
    period_staffing,
    search_staffing,
)
from rubdown.errors import InvalidValue

# The staffing search simulates the day once per round; a few replications per round keep
# it to seconds, and a last search over every replication then checks (and if need be
# corrects) what the quick rounds found.
SEARCH_REPLICATIONS = 6


@dataclass(frozen=True)
class FinishCurve:
    finish_times_s: tuple[float, ...]
    source: str


def finish_curve(
    finishers: int,
    distance: str | None = None,
    results_text: str | None = None,
    results_name: str = "results",
) -> FinishCurve:
    """The expected finishers' times: a previous year's results rescaled to ``finishers``,
    or the model for ``distance``."""
    if results_text is not None:
        results = read_results(results_text, results_name)
        skipped = f", {results.skipped_rows} rows without a time" if results.skipped_rows else ""
        return FinishCurve(
            tuple(rescaled_finish_times(results.finish_times_s, finishers)),
            f"{results_name}: {len(results.finish_times_s)} finish times from column "
            f'"{results.column}"{skipped}, rescaled to {finishers} finishers',
        )
    if distance is None:
        raise InvalidValue("give a distance (marathon, half, 10k, 5k) or a results CSV")
    model = model_for(distance)
    return FinishCurve(
        tuple(modelled_finish_times(model, finishers)),
        f"{model.distance} model, log-normal: {model.source}",
    )


@dataclass(frozen=True)
class TentRequest:
    """All times in seconds; ``gun_clock_s`` and shift times are after midnight."""

    curve: FinishCurve
    gun_clock_s: int
    arrivals: ArrivalSettings
    service: ServiceTimes
    patience_s: float
    target_wait_s: float
    shifts: tuple[Shift, ...] = ()
    replications: int = 20
    seed: int = 1
    share: float = 0.9

    def __post_init__(self) -> None:
        if self.patience_s <= 0:
            raise InvalidValue("patience must be more than 0 minutes")
        if self.target_wait_s <= 0:
            raise InvalidValue("the target wait must be more than 0 minutes")
        if not 1 <= self.replications <= 1000:
            raise InvalidValue("replications must be between 1 and 1000")
        if self.service.mean_s <= 0:
            raise InvalidValue("the session length must be more than 0 minutes")
        if self.service.cap_s is not None and self.service.cap_s < self.service.mean_s:
            raise InvalidValue("the time cap cannot be shorter than the session length")


@dataclass(frozen=True)
class TentInputs:
    """The plan's inputs as a person types them (minutes, clock times, "10%"), from the
    command line or the page; :func:`request_from_inputs` checks and converts them."""

    finishers: int
    distance: str | None = None
    results_text: str | None = None
    results_name: str = "results"
    gun: str = "09:00"
    start_spread_min: float = 0.0
    uptake: str = "10%"
    walk: str = "5-15"
    session_min: float = 10.0
    cap_min: float = 15.0
    reset_min: float = 2.0
    shifts: str | None = None
    patience_min: float = 30.0
    target_min: float = 10.0
    replications: int = 20
    seed: int = 1


def _minutes_s(value: float, what: str) -> float:
    if not math.isfinite(value) or value < 0:
        raise InvalidValue(f"{what} must be a number of minutes, 0 or more")
    return value * 60


def request_from_inputs(inputs: TentInputs) -> TentRequest:
    walk_min_s, walk_max_s = parse_minutes_range(inputs.walk)
    return TentRequest(
        curve=finish_curve(
            inputs.finishers, inputs.distance, inputs.results_text, inputs.results_name
        ),
        gun_clock_s=parse_clock(inputs.gun),
        arrivals=ArrivalSettings(
            uptake=parse_share(inputs.uptake),
            walk_min_s=walk_min_s,
            walk_max_s=walk_max_s,
            start_spread_s=_minutes_s(inputs.start_spread_min, "the start spread"),
        ),
        service=ServiceTimes(
            mean_s=_minutes_s(inputs.session_min, "the session"),
            cap_s=_minutes_s(inputs.cap_min, "the time cap"),
            reset_s=_minutes_s(inputs.reset_min, "the reset"),
        ),
        patience_s=_minutes_s(inputs.patience_min, "patience"),
        target_wait_s=_minutes_s(inputs.target_min, "the target wait"),
        shifts=parse_shifts(inputs.shifts) if inputs.shifts else (),
        replications=inputs.replications,
        seed=inputs.seed,
    )


@dataclass(frozen=True)
class TentPlan:
    """``first_slot_clock_s``: the quarter hour at or before the gun, where slot 0 starts.
    ``with_shifts`` is None when no shifts were given."""

    request: TentRequest
    first_slot_clock_s: int
    slot_s: int
    with_shifts: QueueSummary | None
    needed: StaffingResult
    with_needed: QueueSummary

    @property
    def shown(self) -> QueueSummary:
        """The outcome to show per slot: the shifts given, else the staffing found."""
        return self.with_shifts if self.with_shifts is not None else self.with_needed


def _seeded_arrivals(request: TentRequest, gun_s: float) -> list[list[float]]:
    return [
        tent_arrivals(
            request.curve.finish_times_s,
            gun_s,
            request.arrivals,
            random.Random(f"tent-arrivals-{request.seed}-{r}"),
        )
        for r in range(request.replications)
    ]


def _slot_count(request: TentRequest, days: Sequence[Sequence[float]], first_clock_s: int) -> int:
    """Slots from the first to the one in which the last runner can be done."""
    last_arrival_s = max((d[-1] for d in days if d), default=0.0)
    longest_session_s = (
        request.service.cap_s if request.service.cap_s is not None else 3 * request.service.mean_s
    )
    end_s = last_arrival_s + request.patience_s + longest_session_s + request.service.reset_s
    shifts_end_s = max((s.end_s - first_clock_s for s in request.shifts), default=0)
    return max(math.ceil(end_s / SLOT_S), math.ceil(shifts_end_s / SLOT_S), 1)


def plan_tent(request: TentRequest, simulator: QueueSimulator) -> TentPlan:
    first_clock_s = request.gun_clock_s - request.gun_clock_s % SLOT_S
    days = _seeded_arrivals(request, float(request.gun_clock_s - first_clock_s))
    slots = _slot_count(request, days, first_clock_s)
    until_s = float(slots * SLOT_S)

    last: dict[tuple[tuple[int, ...], int], list[list[RunnerOutcome]]] = {}

    def simulate(tables: Sequence[int], replications: int) -> list[list[RunnerOutcome]]:
        # The latest run is kept (only it: a big field's runs take memory): the search's last
        # round and the final summary simulate the same staffing.
        key = (tuple(tables), replications)
        if key not in last:
            last.clear()
            last[key] = [
                simulator.run(
                    days[r],
                    tables,
                    SLOT_S,
                    request.service,
                    request.patience_s,
                    seed=request.seed * 100_003 + r,
                    until_s=until_s,
                )
                for r in range(replications)
            ]
        return last[key]

    def checks(replications: int) -> Callable[[Sequence[int]], list[SlotCheck]]:
        def evaluate(tables: Sequence[int]) -> list[SlotCheck]:
            outcomes = simulate(tables, replications)
            return slot_checks(outcomes, slots, SLOT_S, request.share, request.target_wait_s)

        return evaluate

    with_shifts = None
    if request.shifts:
        given = therapists_per_slot(request.shifts, first_clock_s, slots)
        with_shifts = summarise(simulate(given, request.replications), given, SLOT_S, request.share)
    mean_session_s = request.service.mean_s
    if request.service.cap_s is not None:
        mean_session_s = min(mean_session_s, request.service.cap_s)
    mean_session_s += request.service.reset_s
    load = [0.0] * slots
    for day in days:
        for k, erlangs in enumerate(offered_load(day, slots, SLOT_S, mean_session_s)):
            load[k] += erlangs / len(days)
    # The table's time varies as the session does (the reset is fixed), less than Erlang C's
    # exponential sessions assume: their waits are scaled for it (Allen-Cunneen).
    session_cv = request.service.cv * request.service.mean_s / mean_session_s
    initial = period_staffing(
        load, mean_session_s, request.target_wait_s, request.share, session_cv
    )
    quick = search_staffing(
        initial, checks(min(SEARCH_REPLICATIONS, request.replications)), request.target_wait_s
    )
    full = search_staffing(
        quick.tables_per_slot, checks(request.replications), request.target_wait_s
    )
    found = StaffingResult(
        full.tables_per_slot, quick.rounds + full.rounds, full.met, full.failing_slot
    )
    with_needed = summarise(
        simulate(found.tables_per_slot, request.replications),
        found.tables_per_slot,
        SLOT_S,
        request.share,
    )
    return TentPlan(request, first_clock_s, SLOT_S, with_shifts, found, with_needed)


def _minutes(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 60, 1)


# Means over the days below this show as 0.0: a slot with no more is not worth a row.
SHOWN_AT_LEAST = 0.05


def shown_slots(plan: TentPlan) -> range:
    """The slots worth showing: from the first with anyone arriving, busy, queueing, on shift
    or needed, to the last."""
    busy = [
        k
        for k, (slot, needed) in enumerate(
            zip(plan.shown.slots, plan.needed.tables_per_slot, strict=True)
        )
        if max(slot.arrivals, slot.tables_in_use, slot.queue) >= SHOWN_AT_LEAST
        or needed
        or (plan.with_shifts is not None and slot.tables)
    ]
    return range(busy[0], busy[-1] + 1) if busy else range(0)


@dataclass(frozen=True)
class ChartData:
    """What the chart draws (``rubdown.tent.chart.tent_chart_svg``): the slots shown,
    counted from the first, with the therapists needed in each."""

    slots: tuple[SlotStats, ...]
    needed: tuple[int, ...]
    first_slot_clock_s: float
    title: str
    show_shifts: bool


def chart_data(plan: TentPlan) -> ChartData:
    window = shown_slots(plan)
    slots = [plan.shown.slots[k] for k in window]
    offset_s = slots[0].start_s if slots else 0.0
    request = plan.request
    return ChartData(
        slots=tuple(replace(s, start_s=s.start_s - offset_s) for s in slots),
        needed=tuple(plan.needed.tables_per_slot[k] for k in window),
        first_slot_clock_s=plan.first_slot_clock_s + offset_s,
        title=(
            f"Massage tent: {len(request.curve.finish_times_s):,} finishers, "
            f"{request.arrivals.uptake:.0%} come; 90th-percentile wait target "
            f"{request.target_wait_s / 60:g} min"
        ),
        show_shifts=plan.with_shifts is not None,
    )


def _summary_view(summary: QueueSummary) -> dict[str, float]:
    return {
        "runners": round(summary.runners, 1),
        "served": round(summary.served, 1),
        "gave_up": round(summary.gave_up, 1),
        "wait_mean_min": round(summary.wait_mean_s / 60, 1),
        "wait_p50_min": round(summary.wait_p50_s / 60, 1),
        "wait_p90_min": round(summary.wait_p90_s / 60, 1),
        "wait_p99_min": round(summary.wait_p99_s / 60, 1),
    }


def tent_plan_view(plan: TentPlan) -> dict[str, object]:
    """The plan as one JSON document: minutes and clock times, counts as means per day."""
    request = plan.request
    needed = plan.needed.tables_per_slot
    slots = []
    for k in shown_slots(plan):
        slot = plan.shown.slots[k]
        slots.append(
            {
                "start": show_clock(plan.first_slot_clock_s + slot.start_s),
                "arrivals": round(slot.arrivals, 1),
                "therapists_on_shift": slot.tables if plan.with_shifts is not None else None,
                "queue": round(slot.queue, 1),
                "tables_in_use": round(slot.tables_in_use, 1),
                "wait_p90_min": _minutes(slot.wait_quantile_s),
                "gave_up": round(slot.gave_up, 1),
                "therapists_needed": needed[k],
            }
        )
    return {
        "curve": request.curve.source,
        "finishers": len(request.curve.finish_times_s),
        "gun": show_clock(request.gun_clock_s),
        "uptake": request.arrivals.uptake,
        "session_min": round(request.service.mean_s / 60, 1),
        "cap_min": _minutes(request.service.cap_s),
        "reset_min": round(request.service.reset_s / 60, 1),
        "patience_min": round(request.patience_s / 60, 1),
        "target_p90_wait_min": round(request.target_wait_s / 60, 1),
        "replications": request.replications,
        "seed": request.seed,
        "with_shifts": _summary_view(plan.with_shifts) if plan.with_shifts else None,
        "with_needed": _summary_view(plan.with_needed),
        "needed": {
            "peak_therapists": max(needed, default=0),
            "therapist_hours": round(sum(needed) * plan.slot_s / 3600, 1),
            "met": plan.needed.met,
            "search_rounds": plan.needed.rounds,
        },
        "slots": slots,
    }
