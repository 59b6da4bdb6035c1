"""The load basis's heart rate walk (``domain.load.walk_heart``) on NumPy arrays, for the import.

The domain's walk is a Python loop over every sample: on a history of thousands of runs it
cost about half as much as decoding the FIT files. This one gives the same numbers, not
nearly the same: it runs only when every moving gap is a whole multiple of 1/1024 s (FIT
records whole seconds; every corpus device does), so that every partial sum of gaps, in any
order, is exact in a float and the order NumPy adds them in cannot change a bit of the
result. Any other stream (GPX at 0.2 s, say) is walked by the domain's loop, as before.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from rubdown.domain.load import MAX_GAP_S, walk_heart

# Gaps are checked to be whole multiples of this, in seconds (a power of two: exact).
_STEP_S = 1.0 / 1024.0
# Heart rates beyond this are binned by the domain's loop (no int64 overflow to think about).
_MAX_BPM = 1e6
# Readings spanning fewer whole bpm than this are summed into one bin per bpm of the span.
_DENSE_BINS = 1024


def fast_walk_heart(
    time: Sequence[float], heart: Sequence[float]
) -> tuple[float, float, int, dict[int, float]]:
    """``walk_heart(time, heart)``, computed on arrays when that is exact (see above)."""
    count = min(len(time) - 1, len(heart))
    if count < 1:
        return walk_heart(time, heart)
    t = np.asarray(time, dtype=np.float64)
    gaps = t[1 : count + 1] - t[:count]
    hr = np.asarray(heart, dtype=np.float64)[:count]
    moving = (gaps > 0.0) & (gaps <= MAX_GAP_S)
    moving_gaps = gaps[moving]
    scaled = moving_gaps / _STEP_S
    if not np.array_equal(scaled, np.floor(scaled)):
        return walk_heart(time, heart)
    with np.errstate(invalid="ignore"):  # NaN and infinite readings are simply not counted
        counted = moving & np.isfinite(hr)
    readings = hr[counted]
    if readings.size and float(np.abs(readings).max()) >= _MAX_BPM:
        return walk_heart(time, heart)
    pauses = int(np.count_nonzero(gaps > MAX_GAP_S))
    counted_gaps = gaps[counted]
    # Whole bpm, half up, as the domain's floor(bpm + 0.5).
    bpm = np.floor(readings + 0.5).astype(np.int64)
    if bpm.size and int(bpm.max()) - int(bpm.min()) < _DENSE_BINS:
        lowest = int(bpm.min())
        seconds = np.bincount(bpm - lowest, weights=counted_gaps)
        keys = np.arange(lowest, lowest + seconds.size)
    else:
        keys, which = np.unique(bpm, return_inverse=True)
        seconds = np.bincount(which, weights=counted_gaps, minlength=keys.size)
    bins = {int(k): float(s) for k, s in zip(keys, seconds, strict=True) if s > 0.0}
    return float(moving_gaps.sum()), float(counted_gaps.sum()), pauses, bins


def fast_hr_mean_and_max(heart: Sequence[float] | None) -> tuple[float | None, float | None]:
    """The domain's ``_hr_mean_and_max``: the same sums in the same order, only the finite
    readings of a stream with gaps are picked out by NumPy rather than a Python loop."""
    if not heart:
        return None, None
    total = sum(heart)
    if total - total == 0.0:  # no NaN or inf anywhere: C-speed sum and max
        return total / len(heart), max(heart)
    values = np.asarray(heart, dtype=np.float64)
    readings = values[np.isfinite(values)].tolist()
    if not readings:
        return None, None
    # Python's sum, left to right as the domain adds, not NumPy's pairwise one.
    return sum(readings) / len(readings), max(readings)
