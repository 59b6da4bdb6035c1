"""What the tent plan takes and gives, and the port of the queue simulation."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class ServiceTimes:
    """Minutes on the table: a gamma distribution with this mean and coefficient of
    variation (1.0 is the exponential), cut at ``cap_s`` (the tent's time cap, None for
    none), plus ``reset_s`` to clean the table and call the next runner."""

    mean_s: float
    cv: float = 0.25
    cap_s: float | None = None
    reset_s: float = 0.0


@dataclass(frozen=True)
class RunnerOutcome:
    """One runner at the tent: arrived, waited ``wait_s``, then was served (until
    ``done_s``, reset included) or gave up after waiting ``wait_s``."""

    arrival_s: float
    wait_s: float
    served: bool
    done_s: float


class QueueSimulator(Protocol):
    """Runs one replication of the tent's queue (first come, first served).

    ``tables_per_slot[k]`` tables are staffed from ``k * slot_s`` (the last count holds on
    after the last slot); a therapist whose shift ends finishes the runner on the table
    first. Runners leave after waiting ``patience_s`` (None: they never do). Returns one
    outcome per arrival that was served or gave up by ``until_s``.
    """

    def run(
        self,
        arrivals_s: Sequence[float],
        tables_per_slot: Sequence[int],
        slot_s: float,
        service: ServiceTimes,
        patience_s: float | None,
        seed: int,
        until_s: float,
    ) -> list[RunnerOutcome]: ...
