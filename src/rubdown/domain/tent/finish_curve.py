"""When the field finishes: a previous year's results, or a model by distance.

A curve is the finish times (seconds after the gun) of the expected finishers, fastest first.
The model is a log-normal per distance: finish times are skewed to the slow side, and a
log-normal fits the published quantiles of a half marathon to within a minute at its 10th and
90th percentiles (figures and sources below). It leaves out the spikes at round times (4:00,
5:00) that pacers and goals make, which matter little at 15-minute slots.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

from rubdown.errors import InvalidValue, UnknownName


@dataclass(frozen=True)
class CurveModel:
    """A log-normal finish-time curve: ``median_s`` and the spread ``sigma`` of log(time)."""

    distance: str
    median_s: float
    sigma: float
    source: str


# Medians from published results; sigma from the La Crosse half's quantiles, where
# ln(p90 / median) / z(0.9) = ln(153.18 / 122.14) / 1.2816 = 0.177 and the 10th percentile
# gives 0.178. Where no spread is published the sigma is an assumption, and says so.
MODELS: dict[str, CurveModel] = {
    "marathon": CurveModel(
        "marathon",
        median_s=4 * 3600 + 28 * 60,
        sigma=0.18,
        source=(
            "median 4:28 (London Marathon 2010, 36,604 chip times, "
            "https://foot4ward.co.uk/2011/05/03/more-marathon-statistics/); "
            "spread assumed as the half marathon's"
        ),
    ),
    "half": CurveModel(
        "half",
        median_s=2 * 3600 + 2 * 60 + 8,
        sigma=0.177,
        source=(
            "median 2:02:08, 10th percentile 1:37:15, 90th 2:33:11 (La Crosse half marathon "
            "2012, 1,096 finishers, "
            "http://arandomwalk.blogspot.com/2012/09/half-marathon-finish-times.html)"
        ),
    ),
    "10k": CurveModel(
        "10k",
        median_s=56 * 60,
        sigma=0.2,
        source=(
            "about 56 min: mean 53:03 for 4,203 men and 60:38 for 3,166 women in a UK 10K "
            "2012-2013 (https://optimum-fitness.net/how-fast-should-i-be-able-to-run10k), "
            "weighted by count; spread assumed a little wider than the half's"
        ),
    ),
    "5k": CurveModel(
        "5k",
        median_s=30 * 60 + 30,
        sigma=0.22,
        source=(
            "about 30:30: medians 28 min (men) and 33 min (women) of Runkeeper users' 5K "
            "races (https://medium.com/runkeeper-everyone-every-run/"
            "how-long-till-the-finish-line-494361cc901b); spread assumed"
        ),
    ),
}

ALIASES = {
    "42k": "marathon",
    "42.2k": "marathon",
    "full": "marathon",
    "half-marathon": "half",
    "halfmarathon": "half",
    "21k": "half",
    "21.1k": "half",
    "10km": "10k",
    "5km": "5k",
}


def model_for(distance: str) -> CurveModel:
    key = distance.strip().lower()
    key = ALIASES.get(key, key)
    try:
        return MODELS[key]
    except KeyError:
        names = ", ".join(MODELS)
        raise UnknownName(f'distance "{distance}" has no model; one of: {names}') from None


def _check_finishers(finishers: int) -> None:
    if finishers < 1:
        raise InvalidValue(f"finishers must be at least 1, not {finishers}")


def modelled_finish_times(model: CurveModel, finishers: int) -> list[float]:
    """The model's finish times for ``finishers`` runners, at evenly spaced quantiles
    ((i + ½) / n): the same field every time, so a plan changes only with its inputs."""
    _check_finishers(finishers)
    normal = NormalDist()
    log_median = math.log(model.median_s)
    return [
        math.exp(log_median + model.sigma * normal.inv_cdf((i + 0.5) / finishers))
        for i in range(finishers)
    ]


def rescaled_finish_times(times_s: Sequence[float], finishers: int) -> list[float]:
    """A previous year's curve stretched or thinned to ``finishers`` runners: the same
    quantiles, read off the sorted times with linear interpolation."""
    _check_finishers(finishers)
    ordered = sorted(times_s)
    if not ordered:
        raise InvalidValue("a finish curve needs at least one finish time")
    if len(ordered) == 1:
        return [ordered[0]] * finishers
    last = len(ordered) - 1
    out = []
    for i in range(finishers):
        position = (i + 0.5) / finishers * len(ordered) - 0.5
        position = min(max(position, 0.0), float(last))
        low = math.floor(position)
        high = min(low + 1, last)
        share = position - low
        out.append(ordered[low] * (1 - share) + ordered[high] * share)
    return out
