"""The load basis's walks (``domain.load.walk_heart``, ``walk_speed``) on NumPy arrays, for
the import.

The domain's walks are Python loops over every sample: on a history of thousands of runs the
heart rate walk cost about half as much as decoding the FIT files. These give the same
numbers, not nearly the same: they run only when every moving gap is a whole multiple of
1/1024 s (FIT records whole seconds; every corpus device does), so that every partial sum of
gaps, in any order, is exact in a float and the order NumPy adds them in cannot change a bit
of the result. Any other stream (GPX at 0.2 s, say) is walked by the domain's loop, as before.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from rubdown.domain.load import MAX_GAP_S, MAX_RUN_SPEED_M_S, walk_heart, walk_speed

# Gaps are checked to be whole multiples of this, in seconds (a power of two: exact).
_STEP_S = 1.0 / 1024.0
# Heart rates beyond this are binned by the domain's loop (no int64 overflow to think about).
_MAX_BPM = 1e6
# Readings spanning fewer whole bpm than this are summed into one bin per bpm of the span.
_DENSE_BINS = 1024


_Array = np.ndarray[Any, np.dtype[Any]]


def _steps(
    time: Sequence[float], values: Sequence[float]
) -> tuple[_Array, _Array, _Array, _Array] | None:
    """The gaps between readings, the readings each gap follows, which gaps count as moving
    and their lengths; None when the arrays could not give the domain's exact sums (no gap,
    or a moving gap that is not a whole number of steps)."""
    count = min(len(time) - 1, len(values))
    if count < 1:
        return None
    t = np.asarray(time, dtype=np.float64)
    gaps = t[1 : count + 1] - t[:count]
    readings = np.asarray(values, dtype=np.float64)[:count]
    moving = (gaps > 0.0) & (gaps <= MAX_GAP_S)
    moving_gaps = gaps[moving]
    scaled = moving_gaps / _STEP_S
    if not (scaled == np.floor(scaled)).all():
        return None
    return gaps, readings, moving, moving_gaps


def fast_walk_heart(
    time: Sequence[float], heart: Sequence[float]
) -> tuple[float, float, int, dict[int, float]]:
    """``walk_heart(time, heart)``, computed on arrays when that is exact (see above)."""
    steps = _steps(time, heart)
    if steps is None:
        return walk_heart(time, heart)
    gaps, hr, moving, moving_gaps = steps
    with np.errstate(invalid="ignore"):  # NaN and infinite readings are simply not counted
        counted = moving & np.isfinite(hr)
    readings = hr[counted]
    pauses = int(np.count_nonzero(gaps > MAX_GAP_S))
    counted_gaps = gaps[counted]
    if not readings.size:
        return float(moving_gaps.sum()), float(counted_gaps.sum()), pauses, {}
    low, high = float(readings.min()), float(readings.max())
    if max(high, -low) >= _MAX_BPM:
        return walk_heart(time, heart)
    # Whole bpm, half up, as the domain's floor(bpm + 0.5); rounding keeps the order, so the
    # extreme readings give the extreme bins.
    bpm = np.floor(readings + 0.5).astype(np.int64)
    lowest, highest = math.floor(low + 0.5), math.floor(high + 0.5)
    if highest - lowest < _DENSE_BINS:
        seconds = np.bincount(bpm - lowest, weights=counted_gaps)
        keys = np.arange(lowest, lowest + seconds.size)
    else:
        keys, which = np.unique(bpm, return_inverse=True)
        seconds = np.bincount(which, weights=counted_gaps, minlength=keys.size)
    # Plain ints and floats by ``tolist`` (one C call), not a NumPy scalar at a time.
    bins = {k: s for k, s in zip(keys.tolist(), seconds.tolist(), strict=True) if s > 0.0}
    return float(moving_gaps.sum()), float(counted_gaps.sum()), pauses, bins


def fast_walk_speed(
    time: Sequence[float], speed: Sequence[float]
) -> tuple[float, int, float, float]:
    """``walk_speed(time, speed)``, computed on arrays when that is exact.

    The time sums are exact as in ``fast_walk_heart``. Σ dt · v² is not (its terms are any
    floats), so it is added as the domain adds, left to right: a running sum
    (``np.add.accumulate``) adds each term to the sum of those before it, in order, and each
    term is rounded as Python rounds ``gap * v * v``.
    """
    steps = _steps(time, speed)
    if steps is None:
        return walk_speed(time, speed)
    gaps, v, moving, moving_gaps = steps
    with np.errstate(invalid="ignore"):  # NaN speeds are simply not counted
        counted = moving & (v >= 0.0) & (v <= MAX_RUN_SPEED_M_S)
    counted_gaps = gaps[counted]
    plausible = v[counted]
    terms = counted_gaps * plausible * plausible
    squares = float(np.add.accumulate(terms)[-1]) if terms.size else 0.0
    pauses = int(np.count_nonzero(gaps > MAX_GAP_S))
    return float(moving_gaps.sum()), pauses, float(counted_gaps.sum()), squares


def fast_hr_mean_and_max(heart: Sequence[float] | None) -> tuple[float | None, float | None]:
    """The domain's ``_hr_mean_and_max``, with the same numbers: the mean and maximum of the
    finite readings.

    A stream of whole bpm (every FIT stream) is summed by NumPy: when every reading is a
    whole number and their count times the largest magnitude stays within 2**52, every
    partial sum, in any order, is an exact integer in a float, so NumPy's pairwise sum is
    the domain's left-to-right one bit for bit. A total or maximum of zero is left to the
    domain's way too, for the sign of a zero depends on the order. Any other stream is
    picked out by NumPy and added in Python, left to right, as the domain adds.
    """
    if heart is None or len(heart) == 0:
        return None, None
    values = np.asarray(heart, dtype=np.float64)
    finite = np.isfinite(values)
    if not finite.all():
        values = values[finite]
        if not values.size:
            return None, None
    exact = _exact_sum_and_max(values)
    if exact is not None:
        total, highest = exact
        return total / values.size, highest
    readings = values.tolist()
    # Python's sum, left to right as the domain adds, not NumPy's pairwise one.
    return sum(readings) / len(readings), max(readings)


# Integers up to 2**53 are exact in a float, and so is every sum that stays below that; the
# bound checked is half of it, so that the rounding of the check's own product cannot matter.
_EXACT_INTEGER = float(2**52)


def _exact_sum_and_max(values: np.ndarray[Any, Any]) -> tuple[float, float] | None:
    """The sum and maximum of finite ``values`` when no order of adding can round (see
    ``fast_hr_mean_and_max``), else None."""
    highest = float(values.max())
    lowest = float(values.min())
    if max(highest, -lowest) * values.size > _EXACT_INTEGER:
        return None
    if not np.array_equal(values, np.rint(values)):
        return None
    total = float(values.sum())
    if total == 0.0 or highest == 0.0:
        return None
    return total, highest
