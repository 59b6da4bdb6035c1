"""The tent's queue on SimPy keeps to the shifts, the time cap and the runners' patience."""

from __future__ import annotations

import pytest

from rubdown.domain.tent.model import RunnerOutcome, ServiceTimes
from rubdown.tent.simulation import SimpyTentSimulator

SLOT_S = 900.0
SERVICE = ServiceTimes(mean_s=600.0, cv=0.4, cap_s=900.0, reset_s=120.0)


def busy_at(outcomes: list[RunnerOutcome], at_s: float) -> int:
    return sum(1 for o in outcomes if o.served and o.arrival_s + o.wait_s <= at_s < o.done_s)


def crowd(count: int, every_s: float = 10.0) -> list[float]:
    return [i * every_s for i in range(count)]


def test_no_more_tables_are_busy_than_therapists_on_shift() -> None:
    outcomes = SimpyTentSimulator().run(
        crowd(300), [3, 1, 1, 1, 1, 1], SLOT_S, SERVICE, 1800.0, seed=4, until_s=20_000.0
    )
    assert max(busy_at(outcomes, t) for t in range(0, 900, 5)) == 3
    # A shift's end lets the busy therapists finish their runner, then they leave.
    longest_s = SERVICE.cap_s + SERVICE.reset_s  # type: ignore[operator]
    assert max(busy_at(outcomes, t) for t in range(int(SLOT_S + longest_s), 5400, 5)) == 1


def test_no_session_runs_past_the_cap_and_the_reset() -> None:
    outcomes = SimpyTentSimulator().run(
        crowd(200, 60.0), [20], SLOT_S, SERVICE, None, seed=5, until_s=50_000.0
    )
    lengths = [o.done_s - o.arrival_s - o.wait_s for o in outcomes]
    assert len(outcomes) == 200
    assert max(lengths) <= 900.0 + 120.0 + 1e-9
    assert min(lengths) >= 120.0


def test_runners_give_up_after_their_patience_when_nobody_is_on_shift() -> None:
    outcomes = SimpyTentSimulator().run(
        crowd(10), [0], SLOT_S, SERVICE, 1200.0, seed=6, until_s=10_000.0
    )
    assert len(outcomes) == 10
    assert not any(o.served for o in outcomes)
    assert all(o.wait_s == pytest.approx(1200.0) for o in outcomes)


def test_the_same_seed_gives_the_same_day() -> None:
    def day(seed: int) -> list[RunnerOutcome]:
        return SimpyTentSimulator().run(
            crowd(100, 20.0), [4, 6], SLOT_S, SERVICE, 900.0, seed=seed, until_s=20_000.0
        )

    assert day(7) == day(7)
    assert day(7) != day(8)
