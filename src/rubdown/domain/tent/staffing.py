"""How many therapists each 15-minute slot needs to keep the 90th-percentile wait under a
target.

Two steps. First each slot on its own by Erlang C, with the slot's offered load taken as the
mean number of runners who would be on a table in it if nobody ever waited (the "modified
offered load" of time-varying queues: sessions that started in the slot before count too, so
the staffing lags the arrivals as the tent's work does). That is cheap and close where the
arrival rate changes slowly against a session's length, but it misses the queue one slot
hands to the next at the peak. So then a greedy search by simulation: simulate the day, and
for the first slot of each run of slots whose arrivals wait too long, give one more therapist
to the slot where those runners were still queueing when their wait passed the target (that
slot or the next); again, until every slot meets the target. A slot's waits depend on its own
tables and the queue it inherits from earlier slots (and on the next slot for the runners
still waiting at its end), so fixing the first slot of a run often fixes the rest of it:
adding only there keeps the plan from staffing slots that were only short of what came
before.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rubdown.domain.tent.erlang import servers_for_wait
from rubdown.domain.tent.outcomes import SlotCheck


def offered_load(
    arrivals_s: Sequence[float], slots: int, slot_s: float, mean_session_s: float
) -> list[float]:
    """Mean runners on a table per slot if every runner started at once on arrival (the
    infinite-server queue), with each session its mean length."""
    load = [0.0] * slots
    for at in arrivals_s:
        end = at + mean_session_s
        k = int(at // slot_s)
        while k < slots and k * slot_s < end:
            overlap = min(end, (k + 1) * slot_s) - max(at, k * slot_s)
            if overlap > 0:
                load[k] += overlap / slot_s
            k += 1
    return load


def period_staffing(
    load_per_slot: Sequence[float],
    mean_session_s: float,
    target_wait_s: float,
    share: float = 0.9,
    session_cv: float = 1.0,
) -> list[int]:
    """Erlang C's therapists per slot for each slot's offered load (in erlangs), with waits
    scaled for sessions of coefficient of variation ``session_cv``."""
    return [
        servers_for_wait(load / mean_session_s, mean_session_s, target_wait_s, share, session_cv)
        for load in load_per_slot
    ]


@dataclass(frozen=True)
class StaffingResult:
    """The therapists per slot found; ``met`` is False when the search stopped at its round
    limit with ``failing_slot`` still over the target."""

    tables_per_slot: tuple[int, ...]
    rounds: int
    met: bool
    failing_slot: int | None


def failing_slots(checks: Sequence[SlotCheck], target_wait_s: float) -> list[int]:
    return [
        k
        for k, check in enumerate(checks)
        if check.wait_quantile_s is not None and check.wait_quantile_s > target_wait_s
    ]


def search_staffing(
    initial: Sequence[int],
    evaluate: Callable[[Sequence[int]], Sequence[SlotCheck]],
    target_wait_s: float,
    max_rounds: int = 200,
) -> StaffingResult:
    """The greedy search from ``initial``. ``evaluate`` checks each slot of a staffing
    against the target (:func:`rubdown.domain.tent.outcomes.slot_checks`), once per round."""
    if max_rounds < 1:
        raise ValueError("the search needs at least one round")
    tables = list(initial)
    for rounds in range(1, max_rounds + 1):
        checks = evaluate(tables)
        failing = failing_slots(checks, target_wait_s)
        if not failing:
            return StaffingResult(tuple(tables), rounds, met=True, failing_slot=None)
        if rounds == max_rounds:
            return StaffingResult(tuple(tables), rounds, met=False, failing_slot=failing[0])
        for k in failing:
            if k - 1 not in failing:  # the first slot of a run
                tables[max(k, min(checks[k].short_slot, len(tables) - 1))] += 1
    raise AssertionError("unreachable")  # max_rounds ≥ 1 returns inside the loop
