"""The tent's queue on SimPy (process-based discrete-event simulation).

Therapists are tokens in a SimPy ``Store``: a runner waits for one first come, first served,
gives up after their patience, and hands the therapist back after the session and the table's
reset. Shifts change the number of therapists at each slot's start: new ones join at once;
when fewer are wanted, idle ones leave at once and busy ones leave as they finish their
runner (nobody is cut short, as in a real tent). Service times come from a gamma
distribution cut at the time cap, drawn from a generator seeded per replication, so one
replication can be run again exactly.
"""

from __future__ import annotations

import random
from collections.abc import Generator, Sequence

import simpy

from rubdown.domain.tent.model import RunnerOutcome, ServiceTimes

_Process = Generator[simpy.Event, object, None]


class _Tent:
    def __init__(
        self,
        env: simpy.Environment,
        service: ServiceTimes,
        patience_s: float | None,
        rng: random.Random,
    ) -> None:
        self.env = env
        self.service = service
        self.patience_s = patience_s
        self.rng = rng
        self.idle = simpy.Store(env)
        self.on_duty = 0  # therapists in the tent, busy or idle
        self.wanted = 0
        self.shape = 1 / service.cv**2
        self.scale = service.mean_s / self.shape
        self.outcomes: list[RunnerOutcome] = []

    def set_therapists(self, count: int) -> None:
        self.wanted = count
        while self.on_duty < count:
            self.on_duty += 1
            self.idle.put(object())
        # Idle therapists leave now; busy ones when they hand back (see ``runner``).
        while self.on_duty > count and self.idle.items:
            self.idle.items.pop()
            self.on_duty -= 1

    def shifts(self, tables_per_slot: Sequence[int], slot_s: float) -> _Process:
        for count in tables_per_slot:
            self.set_therapists(count)
            yield self.env.timeout(slot_s)

    def session_s(self) -> float:
        seconds = self.rng.gammavariate(self.shape, self.scale)
        if self.service.cap_s is not None:
            seconds = min(seconds, self.service.cap_s)
        return seconds + self.service.reset_s

    def runner(self, arrival_s: float) -> _Process:
        claim = self.idle.get()
        if self.patience_s is None:
            yield claim
        else:
            yield claim | self.env.timeout(self.patience_s)
        if not claim.triggered:
            claim.cancel()
            now = self.env.now
            self.outcomes.append(RunnerOutcome(arrival_s, now - arrival_s, False, now))
            return
        therapist = claim.value
        wait_s = self.env.now - arrival_s
        yield self.env.timeout(self.session_s())
        if self.on_duty > self.wanted:
            self.on_duty -= 1  # their shift is over: they leave after this runner
        else:
            self.idle.put(therapist)
        self.outcomes.append(RunnerOutcome(arrival_s, wait_s, True, self.env.now))

    def arrivals(self, arrivals_s: Sequence[float]) -> _Process:
        for at in arrivals_s:
            if at > self.env.now:
                yield self.env.timeout(at - self.env.now)
            self.env.process(self.runner(at))


class SimpyTentSimulator:
    """:class:`rubdown.domain.tent.model.QueueSimulator` on SimPy."""

    def run(
        self,
        arrivals_s: Sequence[float],
        tables_per_slot: Sequence[int],
        slot_s: float,
        service: ServiceTimes,
        patience_s: float | None,
        seed: int,
        until_s: float,
    ) -> list[RunnerOutcome]:
        if service.cv <= 0:
            raise ValueError("the service time's coefficient of variation must be positive")
        env = simpy.Environment()
        tent = _Tent(env, service, patience_s, random.Random(seed))
        env.process(tent.shifts(tables_per_slot, slot_s))
        env.process(tent.arrivals(sorted(arrivals_s)))
        env.run(until=until_s)
        return tent.outcomes
