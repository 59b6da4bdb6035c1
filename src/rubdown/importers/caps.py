"""One set of plausibility bounds for every format, applied at one point: after parsing.

A device file can be valid (its CRC checks) and still say nonsense: one flipped bit in a FIT
session's distance gives 2,686 km in an hour. Every parser's activities pass through
:func:`checked` before they are stored, so a FIT, GPX, TCX, Garmin, Strava or Apple Health
activity is held to the same bounds. What is out of bounds is treated as GPX and TCX have
always treated a glitching sensor: the value is dropped (kept as unknown), and the activity
stays. Only an activity that cannot be stored without its duration is refused. Either way
the file's report line names what was dropped.
"""

from __future__ import annotations

import math
from array import array
from dataclasses import replace

import numpy as np

from rubdown.domain.activity import Activity, Lap, Parsed, Streams

HEART_RATE_BPM = (20.0, 255.0)
CADENCE_MAX_SPM = 300.0  # steps a minute for a run; crank rpm for a bike
ALTITUDE_M = (-500.0, 9000.0)
# Faster than any human-powered sport (the fastest downhill skiers reach 70 m/s).
SPEED_MAX_M_S = 100.0
# Further than anyone moves in one activity under their own power.
DISTANCE_MAX_M = 1e7
# Longer than any one recording: the longest multi-day races take about twelve days.
DURATION_MAX_S = 21 * 86400.0
ELEVATION_GAIN_MAX_M = 100_000.0

# Per sample: (low, high) of each stream channel; the time channel is not bounded.
STREAM_BOUNDS: dict[str, tuple[float, float]] = {
    "heart_rate_bpm": HEART_RATE_BPM,
    "cadence_spm": (0.0, CADENCE_MAX_SPM),
    "altitude_m": ALTITUDE_M,
    "speed_m_s": (0.0, SPEED_MAX_M_S),
    "distance_m": (0.0, DISTANCE_MAX_M),
}


def within(value: float | None, low: float, high: float) -> float | None:
    """``value`` when it lies in [low, high]; None when it does not or is unknown."""
    if value is None or not low <= value <= high:  # NaN fails both comparisons
        return None
    return value


def checked(parsed: Parsed) -> Parsed:
    """``parsed`` with every activity held to the bounds above; what was dropped or refused
    is named in ``problem`` (after the parser's own problem, if any)."""
    kept: list[Activity] = []
    notes: list[str] = []
    for activity in parsed.activities:
        sane, dropped = sane_activity(activity)
        if sane is None:
            notes.append(dropped[0])
        else:
            kept.append(sane)
            notes.extend(dropped)
    if not notes:
        return parsed
    unique = list(dict.fromkeys(notes))
    problem = "; ".join([*([parsed.problem] if parsed.problem else []), *unique[:3]])
    return replace(parsed, activities=tuple(kept), problem=problem)


def sane_activity(activity: Activity) -> tuple[Activity | None, list[str]]:
    """The activity with its implausible values dropped, and what was dropped; None and the
    reason when its duration itself is implausible (every load and day depends on it)."""
    duration = activity.duration_s
    if not 0.0 <= duration <= DURATION_MAX_S:
        days = duration / 86400.0
        return None, [
            f"an activity lasting {days:.0f} days (over {DURATION_MAX_S / 86400:.0f}) refused"
        ]
    dropped: list[str] = []

    def keep(name: str, value: float | None, low: float, high: float) -> float | None:
        bounded = within(value, low, high)
        if value is not None and not math.isnan(value) and bounded is None:
            dropped.append(name)
        return bounded

    distance = keep("distance", activity.distance_m, 0.0, DISTANCE_MAX_M)
    if distance is not None and duration > 0 and distance / duration > SPEED_MAX_M_S:
        distance = None
        dropped.append("distance")
    changes: dict[str, object] = {
        "distance_m": distance,
        "moving_s": keep("moving time", activity.moving_s, 0.0, DURATION_MAX_S),
        "avg_hr_bpm": keep("heart rate", activity.avg_hr_bpm, *HEART_RATE_BPM),
        "max_hr_bpm": keep("heart rate", activity.max_hr_bpm, *HEART_RATE_BPM),
        "elevation_gain_m": keep(
            "elevation gain", activity.elevation_gain_m, 0.0, ELEVATION_GAIN_MAX_M
        ),
        "laps": tuple(_lap(lap, dropped) for lap in activity.laps),
    }
    if activity.streams is not None:
        streams, samples = _streams(activity.streams)
        changes["streams"] = streams
        dropped += samples
    if not dropped:
        return activity, []
    named = ", ".join(dict.fromkeys(dropped))
    return activity.with_changes(**changes), [f"implausible {named} left out"]


def _lap(lap: Lap, dropped: list[str]) -> Lap:
    duration = lap.duration_s if 0.0 <= lap.duration_s <= DURATION_MAX_S else 0.0
    distance = within(lap.distance_m, 0.0, DISTANCE_MAX_M)
    if distance is not None and duration > 0 and distance / duration > SPEED_MAX_M_S:
        distance = None
    avg_hr = within(lap.avg_hr_bpm, *HEART_RATE_BPM)
    max_hr = within(lap.max_hr_bpm, *HEART_RATE_BPM)
    if (
        duration is lap.duration_s
        and distance is lap.distance_m
        and avg_hr is lap.avg_hr_bpm
        and max_hr is lap.max_hr_bpm
    ):
        return lap  # nothing to drop (the common case): no copy
    before = (lap.distance_m, lap.avg_hr_bpm, lap.max_hr_bpm)
    lost = any(
        _known(old) and new is None
        for old, new in zip(before, (distance, avg_hr, max_hr), strict=True)
    )
    if lost or duration != lap.duration_s:
        dropped.append("lap values")
    return replace(
        lap, duration_s=duration, distance_m=distance, avg_hr_bpm=avg_hr, max_hr_bpm=max_hr
    )


def _known(value: float | None) -> bool:
    return value is not None and not math.isnan(value)


def _streams(streams: Streams) -> tuple[Streams, list[str]]:
    """Samples outside their channel's bounds become NaN, as the XML parsers have always
    done: one glitching sample costs that sample, not the channel."""
    channels = dict(streams.channels)
    dropped: list[str] = []
    for name, (low, high) in STREAM_BOUNDS.items():
        values = channels.get(name)
        if values is None:
            continue
        column = np.frombuffer(values, dtype=np.float64)
        # NaN is unknown, not out of bounds: it is neither counted nor changed.
        bad = (column < low) | (column > high)
        if not bad.any():
            continue
        fixed = np.where(bad, math.nan, column)
        channels[name] = array("d", fixed.tobytes())
        dropped.append(name.rsplit("_", 1)[0].replace("_", " ") + " samples")
    if not dropped:
        return streams, []
    return Streams(channels), dropped
