"""Erlang C: the M/M/c queue's waiting figures in closed form.

Poisson arrivals at rate ``λ``, exponential service at rate ``μ`` per server, ``c`` servers and
an unbounded queue served first come first served. With the offered load ``a = λ/μ`` (in
erlangs) and ``a < c``:

- P(wait > 0) = C(c, a), the Erlang C formula;
- mean wait E[W] = C(c, a) / (cμ - λ);
- P(wait > t) = C(c, a) · exp(-(cμ - λ) t).

The tent plan uses these twice: its tests hold the simulation to them at a steady arrival
rate, and the staffing search starts each 15-minute slot from the smallest ``c`` that keeps
that slot's wait quantile under the target as if the slot's rate held for good (the
"stationary independent period by period" approximation), before the simulation corrects it.
"""

from __future__ import annotations

import math


def erlang_c(servers: int, offered_load: float) -> float:
    """The probability that an arrival has to wait; 1.0 when the queue is unstable (a ≥ c)."""
    if servers < 1:
        return 1.0
    if offered_load <= 0:
        return 0.0
    if offered_load >= servers:
        return 1.0
    # Erlang B by its stable recurrence B(k) = a·B(k-1) / (k + a·B(k-1)), then C from B:
    # no factorials, so large c and a do not overflow.
    blocking = 1.0
    for k in range(1, servers + 1):
        blocking = offered_load * blocking / (k + offered_load * blocking)
    utilisation = offered_load / servers
    return blocking / (1 - utilisation * (1 - blocking))


def mean_wait_s(arrival_rate_per_s: float, mean_service_s: float, servers: int) -> float:
    """Mean time in the queue (service not included), in seconds; ``inf`` when unstable."""
    load = arrival_rate_per_s * mean_service_s
    if load >= servers:
        return math.inf
    if load <= 0:
        return 0.0
    return erlang_c(servers, load) * mean_service_s / (servers - load)


def wait_exceeds_probability(
    arrival_rate_per_s: float,
    mean_service_s: float,
    servers: int,
    wait_s: float,
    service_cv: float = 1.0,
) -> float:
    """P(wait > ``wait_s``); 1.0 when the queue is unstable.

    With ``service_cv`` other than 1 (sessions less or more variable than exponential) the
    waits are scaled by the Allen-Cunneen factor (1 + cv²) / 2 for Poisson arrivals: exact
    for one server's mean wait (Pollaczek-Khinchine), an approximation beyond.
    """
    load = arrival_rate_per_s * mean_service_s
    if load >= servers:
        return 1.0
    if load <= 0:
        return 0.0
    scale = (1 + service_cv**2) / 2
    decay_per_s = (servers - load) / (mean_service_s * scale)
    return erlang_c(servers, load) * math.exp(-decay_per_s * wait_s)


def servers_for_wait(
    arrival_rate_per_s: float,
    mean_service_s: float,
    target_wait_s: float,
    quantile: float = 0.9,
    service_cv: float = 1.0,
) -> int:
    """The fewest servers for which the ``quantile`` of the wait stays at or under the target
    (P(wait > target) ≤ 1 - quantile); 0 when nobody arrives."""
    if not 0 < quantile < 1:
        raise ValueError(f"quantile {quantile} is not between 0 and 1")
    load = arrival_rate_per_s * mean_service_s
    if load <= 0:
        return 0
    servers = max(1, math.floor(load) + 1)
    while (
        wait_exceeds_probability(
            arrival_rate_per_s, mean_service_s, servers, target_wait_s, service_cv
        )
        > 1 - quantile
    ):
        servers += 1
    return servers
