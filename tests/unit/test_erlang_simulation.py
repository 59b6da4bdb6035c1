"""The tent's queue simulation (SimPy) against Erlang C at a steady arrival rate.

Poisson arrivals, exponential sessions (a gamma with a coefficient of variation of 1), no
time cap, nobody giving up and a constant number of therapists make the M/M/c queue, whose
mean wait and probability of waiting Erlang C gives in closed form. Each case runs three
seeded days of 15,000 runners and drops each day's first tenth as warm-up. The tolerances
are about twice the spread seen between single seeds, so a change of seeds does not flip
the test, while a queue that served out of order or lost a therapist would.
"""

from __future__ import annotations

import random

import pytest

from rubdown.domain.tent import erlang
from rubdown.domain.tent.model import ServiceTimes
from rubdown.tent.simulation import SimpyTentSimulator

RUNNERS = 15_000
DAYS = 3
WARM_UP_SHARE = 0.1


def steady_day(rate_per_s: float, mean_service_s: float, servers: int, seed: int) -> list:
    # The arrivals' generator differs from the simulation's (seeded with ``seed``): with one
    # seed for both, an exponential gap and an exponential session draw the same uniforms,
    # and sessions would be a fixed multiple of the gaps before them.
    rng = random.Random(f"steady-arrivals-{seed}")
    clock_s, arrivals = 0.0, []
    for _ in range(RUNNERS):
        clock_s += rng.expovariate(rate_per_s)
        arrivals.append(clock_s)
    outcomes = SimpyTentSimulator().run(
        arrivals,
        [servers],
        slot_s=clock_s + 1,
        service=ServiceTimes(mean_s=mean_service_s, cv=1.0),
        patience_s=None,
        seed=seed,
        until_s=clock_s * 2,
    )
    assert len(outcomes) == RUNNERS, "every runner is served when nobody gives up"
    outcomes.sort(key=lambda o: o.arrival_s)
    return outcomes[int(RUNNERS * WARM_UP_SHARE) :]


@pytest.mark.parametrize(
    ("rate_per_s", "mean_service_s", "servers"),
    [
        pytest.param(1 / 60, 45.0, 1, id="one-table-rho-0.75"),
        pytest.param(1 / 60, 240.0, 5, id="five-tables-rho-0.8"),
        pytest.param(2 / 60, 300.0, 12, id="twelve-tables-rho-0.83"),
    ],
)
def test_the_simulated_wait_matches_erlang_c(
    rate_per_s: float, mean_service_s: float, servers: int
) -> None:
    outcomes = [
        o for seed in range(DAYS) for o in steady_day(rate_per_s, mean_service_s, servers, seed)
    ]
    mean_wait_s = sum(o.wait_s for o in outcomes) / len(outcomes)
    waited_share = sum(o.wait_s > 0 for o in outcomes) / len(outcomes)

    load = rate_per_s * mean_service_s
    assert mean_wait_s == pytest.approx(
        erlang.mean_wait_s(rate_per_s, mean_service_s, servers), rel=0.15
    )
    assert waited_share == pytest.approx(erlang.erlang_c(servers, load), abs=0.03)
    assert all(o.served for o in outcomes)
