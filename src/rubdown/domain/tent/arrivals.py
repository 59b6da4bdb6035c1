"""Who comes to the tent, and when: a share of the finishers, after their walk from the line."""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass

from rubdown.errors import InvalidValue

_RANGE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*-\s*(\d+(?:\.\d+)?)\s*$")


def parse_share(text: str, what: str = "uptake") -> float:
    """A share written as 0.1 or 10%, more than 0 and at most 1."""
    value = text.strip()
    try:
        share = float(value[:-1]) / 100 if value.endswith("%") else float(value)
    except ValueError:
        raise InvalidValue(f'{what} "{text}" is not a share (0.1 or 10%)') from None
    if not 0 < share <= 1:
        raise InvalidValue(f'{what} "{text}" must be more than 0 and at most 1 (100%)')
    return share


def parse_minutes_range(text: str, what: str = "walk") -> tuple[float, float]:
    """ "5-15" (minutes, shortest first) as seconds."""
    match = _RANGE.match(text)
    if match is None or float(match[1]) > float(match[2]):
        raise InvalidValue(f'{what} "{text}" is not a range of minutes, e.g. 5-15')
    return float(match[1]) * 60, float(match[2]) * 60


@dataclass(frozen=True)
class ArrivalSettings:
    """``uptake``: the share of finishers who come for a massage (0-1). The walk from the
    finish line (medal, water, bag) takes between ``walk_min_s`` and ``walk_max_s``.
    ``start_spread_s``: wave starts spread runners' own starts over this long after the gun
    (chip times count from a runner's own start)."""

    uptake: float
    walk_min_s: float = 5 * 60
    walk_max_s: float = 15 * 60
    start_spread_s: float = 0.0

    def __post_init__(self) -> None:
        if not 0 < self.uptake <= 1:
            raise InvalidValue(
                f"the share who come to the tent must be in (0, 1], not {self.uptake}"
            )
        if not 0 <= self.walk_min_s <= self.walk_max_s:
            raise InvalidValue("the walk to the tent must be a range from short to long")
        if self.start_spread_s < 0:
            raise InvalidValue("the start spread cannot be negative")


def tent_arrivals(
    finish_times_s: Sequence[float],
    gun_s: float,
    settings: ArrivalSettings,
    rng: random.Random,
) -> list[float]:
    """Arrival times at the tent (seconds on the plan's clock, where the gun is ``gun_s``),
    sorted: each finisher comes with probability ``uptake``, after their own start, finish
    time and walk."""
    arrivals = []
    for finish_s in finish_times_s:
        if rng.random() >= settings.uptake:
            continue
        own_start_s = rng.uniform(0.0, settings.start_spread_s)
        walk_s = rng.uniform(settings.walk_min_s, settings.walk_max_s)
        arrivals.append(gun_s + own_start_s + finish_s + walk_s)
    arrivals.sort()
    return arrivals
