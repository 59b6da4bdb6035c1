"""The queue's outcomes over replications: waits, who gave up, and each 15-minute slot.

A runner who gave up counts in the wait figures with the time they waited before leaving:
leaving out the runners the queue drove away would make a long queue look short.
Counts per slot are means over the replications; wait quantiles pool every replication's
runners, so a slot with a few runners per day still gets a stable figure.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from rubdown.domain.tent.model import RunnerOutcome


def percentile(values: Sequence[float], share: float) -> float:
    """The ``share`` quantile (0-1) by linear interpolation between order statistics."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    position = share * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass(frozen=True)
class SlotStats:
    """One 15-minute slot, from ``start_s``: arrivals, the mean number waiting and tables
    busy over the slot, the wait quantile of its arrivals (None with none) and who gave up."""

    index: int
    start_s: float
    arrivals: float
    tables: int
    queue: float
    tables_in_use: float
    wait_quantile_s: float | None
    gave_up: float


@dataclass(frozen=True)
class QueueSummary:
    runners: float
    served: float
    gave_up: float
    wait_mean_s: float
    wait_p50_s: float
    wait_p90_s: float
    wait_p99_s: float
    slots: tuple[SlotStats, ...]


def _spread(totals: list[float], start_s: float, end_s: float, slot_s: float) -> None:
    """Adds the interval's time in each slot (in slots' worth) to ``totals``."""
    if end_s <= start_s:
        return
    first = int(start_s // slot_s)
    last = min(int(end_s // slot_s), len(totals) - 1)
    for k in range(max(first, 0), last + 1):
        overlap = min(end_s, (k + 1) * slot_s) - max(start_s, k * slot_s)
        if overlap > 0:
            totals[k] += overlap / slot_s


def slot_wait_quantiles(
    replications: Sequence[Sequence[RunnerOutcome]], slots: int, slot_s: float, share: float
) -> list[float | None]:
    """The ``share`` quantile of the wait of the runners who arrived in each slot."""
    waits: list[list[float]] = [[] for _ in range(slots)]
    for outcomes in replications:
        for o in outcomes:
            k = min(int(o.arrival_s // slot_s), slots - 1)
            waits[k].append(o.wait_s)
    return [percentile(w, share) if w else None for w in waits]


@dataclass(frozen=True)
class SlotCheck:
    """A slot against the wait target: its arrivals' wait quantile (None with none) and
    ``short_slot``, the slot in which most of its runners who waited past the target were
    still waiting when they reached it: where one more therapist would have helped them."""

    wait_quantile_s: float | None
    short_slot: int


def slot_checks(
    replications: Sequence[Sequence[RunnerOutcome]],
    slots: int,
    slot_s: float,
    share: float,
    target_wait_s: float,
) -> list[SlotCheck]:
    quantiles = slot_wait_quantiles(replications, slots, slot_s, share)
    short: list[Counter[int]] = [Counter() for _ in range(slots)]
    for outcomes in replications:
        for o in outcomes:
            if o.wait_s > target_wait_s:
                k = min(int(o.arrival_s // slot_s), slots - 1)
                short[k][min(int((o.arrival_s + target_wait_s) // slot_s), slots - 1)] += 1
    return [
        SlotCheck(quantiles[k], short[k].most_common(1)[0][0] if short[k] else k)
        for k in range(slots)
    ]


def summarise(
    replications: Sequence[Sequence[RunnerOutcome]],
    tables_per_slot: Sequence[int],
    slot_s: float,
    share: float = 0.9,
) -> QueueSummary:
    slots = len(tables_per_slot)
    count = max(len(replications), 1)
    arrivals = [0.0] * slots
    queue = [0.0] * slots
    busy = [0.0] * slots
    gave_up = [0.0] * slots
    waits: list[float] = []
    served = 0
    for outcomes in replications:
        for o in outcomes:
            k = min(int(o.arrival_s // slot_s), slots - 1)
            arrivals[k] += 1
            waits.append(o.wait_s)
            _spread(queue, o.arrival_s, o.arrival_s + o.wait_s, slot_s)
            if o.served:
                served += 1
                _spread(busy, o.arrival_s + o.wait_s, o.done_s, slot_s)
            else:
                gave_up[k] += 1
    quantiles = slot_wait_quantiles(replications, slots, slot_s, share)
    stats = tuple(
        SlotStats(
            index=k,
            start_s=k * slot_s,
            arrivals=arrivals[k] / count,
            tables=tables_per_slot[k],
            queue=queue[k] / count,
            tables_in_use=busy[k] / count,
            wait_quantile_s=quantiles[k],
            gave_up=gave_up[k] / count,
        )
        for k in range(slots)
    )
    return QueueSummary(
        runners=len(waits) / count,
        served=served / count,
        gave_up=sum(gave_up) / count,
        wait_mean_s=sum(waits) / len(waits) if waits else 0.0,
        wait_p50_s=percentile(waits, 0.5) if waits else 0.0,
        wait_p90_s=percentile(waits, 0.9) if waits else 0.0,
        wait_p99_s=percentile(waits, 0.99) if waits else 0.0,
        slots=stats,
    )
