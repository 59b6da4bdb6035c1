"""From decoded FIT content to the project's activity record."""

from __future__ import annotations

import datetime as dt
import math
from array import array
from typing import Any

import numpy as np

from rubdown.domain.activity import Activity, Lap, Parsed, Sport, Streams
from rubdown.importers.fit import profile as P
from rubdown.importers.fit.decoder import FitContent, Summary

# Watches whose clock was never set count from 1989-12-31; nothing a runner logs is that old.
EARLIEST_PLAUSIBLE = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)

_FILE_TYPE_NAMES = {
    1: "device",
    2: "settings",
    3: "sport settings",
    5: "workout",
    6: "course",
    7: "schedule",
    9: "weight",
    10: "totals",
    11: "goals",
    14: "blood pressure",
    15: "monitoring",
    20: "activity summary",
    28: "daily monitoring",
    32: "monitoring",
    34: "segment",
    49: "sleep",
}

# Channels copied from record columns into streams: (column, stream channel).
_CHANNELS = (
    ("heart_rate", "heart_rate_bpm"),
    ("speed", "speed_m_s"),
    ("distance", "distance_m"),
    ("altitude", "altitude_m"),
)


def to_parsed(content: FitContent, *, salvage: bool) -> Parsed:
    records = content.record_count
    if content.problem and not salvage:
        return Parsed(records=records, problem=content.problem)
    kinds = [t for t in content.file_types if t is not None]
    if kinds and P.FILE_TYPE_ACTIVITY not in kinds:
        what = _FILE_TYPE_NAMES.get(kinds[0], f"type {kinds[0]}")
        return Parsed(records=records, skipped=f"not an activity file ({what})")
    activity = _activity(content)
    if activity is None:
        return Parsed(
            records=records,
            skipped="no activity data (no sessions or records)",
            problem=content.problem,
            partial=content.problem is not None,
        )
    if activity.start < EARLIEST_PLAUSIBLE:
        return Parsed(
            records=records,
            skipped=f"the device clock was never set (the activity starts {activity.start:%Y})",
        )
    partial = content.problem is not None
    if partial:
        activity = activity.with_changes(partial=True)
    return Parsed(activities=(activity,), records=records, problem=content.problem, partial=partial)


def _activity(content: FitContent) -> Activity | None:
    sessions = content.summaries.get(P.SESSION, [])
    columns = content.columns
    times = columns.get("timestamp")
    valid_times = times[~np.isnan(times)] if times is not None else np.empty(0)
    if not sessions and len(valid_times) == 0:
        return None
    sport = _sport(content, sessions)
    start_fit = _start(sessions, valid_times)
    if start_fit is None:
        return None
    start = _instant(start_fit)
    end_fit = float(valid_times.max()) if len(valid_times) else start_fit
    duration = _sum(sessions, "total_elapsed_time")
    if duration is None:
        duration = max(0.0, end_fit - start_fit)
    laps = tuple(_laps(content.summaries.get(P.LAP, []), sport))
    streams = _streams(columns, start_fit, sport)
    hr = columns.get("heart_rate")
    return Activity(
        sport=sport,
        start=start,
        duration_s=duration,
        utc_offset_s=_utc_offset(content.summaries.get(P.ACTIVITY, [])),
        moving_s=_sum(sessions, "total_moving_time") or _sum(sessions, "total_timer_time"),
        distance_m=_sum(sessions, "total_distance") or _peak(columns.get("distance")),
        elevation_gain_m=_sum(sessions, "total_ascent"),
        # A zero average or peak is a strap that sent nothing, not a heart rate.
        avg_hr_bpm=_weighted_hr(sessions) or _mean(hr) or None,
        max_hr_bpm=_max(sessions, "max_heart_rate") or _peak(hr) or None,
        laps=laps,
        streams=streams,
        records=content.record_count,
    )


def _sport(content: FitContent, sessions: list[Summary]) -> Sport:
    found = [P.sport_from(_int(s.get("sport")), _int(s.get("sub_sport"))) for s in sessions]
    found = [s for s in found if s is not Sport.OTHER] or found
    if not found:
        found = [
            P.sport_from(_int(s.get("sport")), _int(s.get("sub_sport")))
            for s in content.summaries.get(P.SPORT, [])
        ]
    distinct = set(found)
    if len(distinct) > 1:
        # A triathlon's legs: one activity, the legs kept as laps with their sport.
        return Sport.MULTISPORT
    return found[0] if found else Sport.OTHER


def _start(sessions: list[Summary], valid_times: np.ndarray[Any, Any]) -> float | None:
    starts = [
        float(start)
        for s in sessions
        if isinstance(start := s.get("start_time"), int | float) and start >= P.SYSTEM_TIME_LIMIT
    ]
    if starts:
        return min(starts)
    if len(valid_times):
        return float(valid_times.min())
    return None


def _instant(fit_seconds: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(fit_seconds + P.FIT_EPOCH_S, tz=dt.UTC)


def _utc_offset(activities: list[Summary]) -> int | None:
    """The watch's local offset: its local clock minus UTC, to the quarter hour."""
    for message in activities:
        utc, local = message.get("timestamp"), message.get("local_timestamp")
        if isinstance(utc, int | float) and isinstance(local, int | float):
            offset = round((float(local) - float(utc)) / 900) * 900
            if abs(offset) <= 14 * 3600:
                return int(offset)
    return None


def _laps(laps: list[Summary], sport: Sport) -> list[Lap]:
    result = []
    for lap in laps:
        start = lap.get("start_time")
        elapsed = lap.get("total_elapsed_time")
        if not isinstance(start, int | float) or start < P.SYSTEM_TIME_LIMIT:
            continue
        leg_sport = None
        if sport is Sport.MULTISPORT and isinstance(lap.get("sport"), int):
            leg_sport = P.sport_from(_int(lap.get("sport")), None)
        result.append(
            Lap(
                start=_instant(float(start)),
                duration_s=float(elapsed) if isinstance(elapsed, int | float) else 0.0,
                distance_m=_float(lap.get("total_distance")),
                avg_hr_bpm=_float(lap.get("avg_heart_rate")),
                max_hr_bpm=_float(lap.get("max_heart_rate")),
                sport=leg_sport,
            )
        )
    return result


def _streams(
    columns: dict[str, np.ndarray[Any, Any]], start_fit: float, sport: Sport
) -> Streams | None:
    times = columns.get("timestamp")
    if times is None or len(times) == 0:
        return None
    keep = ~np.isnan(times)
    # Most files have a time on every record: their columns are used as they are, not copied.
    every = bool(keep.all())

    def kept(values: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        return values if every else values[keep]

    channels: dict[str, array[float]] = {"time_s": _array(kept(times) - start_fit)}
    for column, channel in _CHANNELS:
        values = columns.get(column)
        if values is not None:
            values = kept(values)
            if not np.isnan(values).all():
                channels[channel] = _array(values)
    cadence = columns.get("cadence")
    if cadence is not None and not np.isnan(kept(cadence)).all():
        fraction = columns.get("fractional_cadence")
        if fraction is not None:
            cadence = cadence + np.nan_to_num(fraction)
        if sport.is_run:
            # Running watches count strides (one foot); runners speak of steps (both feet).
            cadence = cadence * 2
        channels["cadence_spm"] = _array(kept(cadence))
    return Streams(channels)


def _array(values: np.ndarray[Any, Any]) -> array[float]:
    column = array("d")
    # Straight from the array's buffer, as bytes: one copy, not two through ``tobytes``.
    column.frombytes(np.ascontiguousarray(values, dtype="<f8").view(np.uint8).data)
    return column


def _sum(sessions: list[Summary], name: str) -> float | None:
    values = [float(v) for s in sessions if isinstance(v := s.get(name), int | float)]
    return sum(values) if values else None


def _max(sessions: list[Summary], name: str) -> float | None:
    values = [float(v) for s in sessions if isinstance(v := s.get(name), int | float)]
    return max(values) if values else None


def _weighted_hr(sessions: list[Summary]) -> float | None:
    """Average heart rate over all sessions, each weighted by its duration."""
    pairs = [
        (float(hr), float(t))
        for s in sessions
        if isinstance(hr := s.get("avg_heart_rate"), int | float)
        and isinstance(t := s.get("total_elapsed_time"), int | float)
    ]
    total = sum(t for _, t in pairs)
    if not pairs or total <= 0:
        return None
    return sum(hr * t for hr, t in pairs) / total


def _mean(values: np.ndarray[Any, Any] | None) -> float | None:
    if values is None or np.isnan(values).all():
        return None
    return float(np.nanmean(values))


def _peak(values: np.ndarray[Any, Any] | None) -> float | None:
    if values is None or np.isnan(values).all():
        return None
    return float(np.nanmax(values))


def _int(value: object) -> int | None:
    return value if isinstance(value, int) else None


def _float(value: object) -> float | None:
    if isinstance(value, int | float) and not math.isnan(value):
        return float(value)
    return None
