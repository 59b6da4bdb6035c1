"""The staffing search: the Erlang C start on the offered load, then the greedy rounds, on
fake evaluations whose answers are known."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest

from rubdown.domain.tent.model import RunnerOutcome
from rubdown.domain.tent.outcomes import SlotCheck, percentile, slot_checks
from rubdown.domain.tent.staffing import (
    offered_load,
    period_staffing,
    search_staffing,
)

TARGET_S = 600.0
LATE = SlotCheck(wait_quantile_s=2 * TARGET_S, short_slot=0)


def test_offered_load_spreads_each_session_over_the_slots_it_covers() -> None:
    assert offered_load([0.0], 2, 900.0, 450.0) == [0.5, 0.0]
    assert offered_load([600.0], 2, 900.0, 600.0) == pytest.approx([1 / 3, 1 / 3])
    assert offered_load([1700.0], 2, 900.0, 600.0) == pytest.approx([0.0, 100 / 900])


def test_period_staffing_needs_nobody_for_no_load_and_more_for_more() -> None:
    staffing = period_staffing([0.0, 5.0, 50.0], 720.0, TARGET_S)
    assert staffing[0] == 0
    assert 5 < staffing[1] < staffing[2]


def fake(
    need: Sequence[int], carry: bool = False
) -> tuple[Callable[[Sequence[int]], list[SlotCheck]], list[list[int]]]:
    """Slot k meets the target when it has ``need[k]`` tables (and, with ``carry``, when
    every slot before it does too: a short slot hands its queue on)."""
    calls: list[list[int]] = []

    def evaluate(tables: Sequence[int]) -> list[SlotCheck]:
        calls.append(list(tables))
        checks = []
        for k, wanted in enumerate(need):
            short = tables[k] < wanted or (carry and any(tables[j] < need[j] for j in range(k)))
            checks.append(SlotCheck(2 * TARGET_S, k) if short else SlotCheck(TARGET_S / 2, k))
        return checks

    return evaluate, calls


def test_the_search_adds_therapists_until_every_slot_meets_the_target() -> None:
    evaluate, _ = fake([2, 0, 3])
    found = search_staffing([1, 0, 1], evaluate, TARGET_S)
    assert found.tables_per_slot == (2, 0, 3)
    assert found.met
    assert found.failing_slot is None


def test_a_slot_short_only_of_the_queue_before_it_gets_nobody_extra() -> None:
    evaluate, _ = fake([3, 1, 1], carry=True)
    found = search_staffing([0, 1, 1], evaluate, TARGET_S)
    assert found.tables_per_slot == (3, 1, 1)


def test_runs_of_failing_slots_apart_are_mended_in_the_same_rounds() -> None:
    evaluate, calls = fake([2, 0, 2])
    search_staffing([0, 0, 0], evaluate, TARGET_S)
    assert calls[1] == [1, 0, 1]


def test_the_therapist_goes_where_the_late_runners_were_still_waiting() -> None:
    def evaluate(tables: Sequence[int]) -> list[SlotCheck]:
        # Slot 0's runners pass the target in slot 1: only slot 1's tables help them.
        late = tables[1] < 2
        return [
            SlotCheck(2 * TARGET_S if late else 0.0, 1),
            SlotCheck(None, 1),
        ]

    assert search_staffing([1, 0], evaluate, TARGET_S).tables_per_slot == (1, 2)


def test_the_search_says_when_it_stopped_short() -> None:
    found = search_staffing([0], lambda tables: [LATE], TARGET_S, max_rounds=3)
    assert not found.met
    assert found.failing_slot == 0
    assert found.rounds == 3
    with pytest.raises(ValueError, match="round"):
        search_staffing([0], lambda tables: [LATE], TARGET_S, max_rounds=0)


def test_slot_checks_pool_waits_and_count_who_gave_up_with_their_wait() -> None:
    day = [
        RunnerOutcome(arrival_s=100.0, wait_s=0.0, served=True, done_s=800.0),
        RunnerOutcome(arrival_s=850.0, wait_s=1800.0, served=False, done_s=2650.0),
    ]
    checks = slot_checks([day, day], 2, 900.0, 0.9, TARGET_S)
    assert checks[0].wait_quantile_s == pytest.approx(percentile([0, 0, 1800, 1800], 0.9))
    assert checks[0].short_slot == 1  # 850 s + the 600 s target falls in slot 1
    assert checks[1] == SlotCheck(None, 1)


def test_percentile_interpolates_between_order_statistics() -> None:
    assert percentile([4.0, 1.0, 3.0, 2.0], 0.5) == 2.5
    assert percentile([5.0], 0.99) == 5.0
