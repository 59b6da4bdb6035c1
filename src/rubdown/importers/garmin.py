"""Garmin Connect's "Export Your Data" archive: the activity summaries and the daily wellness
files of its ``DI_CONNECT`` tree.

The field names and units here follow public tools that read these archives (distances and
elevation in centimetres, durations in milliseconds, times in epoch milliseconds). They have
not been checked against a real archive in this project, so every conversion sits in one
place below and a wrong guess is a one-line fix.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from rubdown.domain.activity import Activity, DailyWellness, Parsed, Sport

_CM_PER_M = 100.0
_MS_PER_S = 1000.0
# Real offsets run from -12:00 to +14:00; anything wider is a broken local time.
_MAX_OFFSET_S = 14 * 3600

# Garmin's activity type keys. Exact keys first; `_sport_of` falls back to word stems for
# the long tail (there are well over a hundred keys, and new ones appear).
_SPORTS: dict[str, Sport] = {
    "running": Sport.RUNNING,
    "street_running": Sport.RUNNING,
    "track_running": Sport.RUNNING,
    "ultra_run": Sport.RUNNING,
    "obstacle_run": Sport.RUNNING,
    "trail_running": Sport.TRAIL_RUNNING,
    "treadmill_running": Sport.TREADMILL,
    "indoor_running": Sport.TREADMILL,
    "virtual_run": Sport.TREADMILL,
    "walking": Sport.WALKING,
    "casual_walking": Sport.WALKING,
    "speed_walking": Sport.WALKING,
    "hiking": Sport.HIKING,
    "mountaineering": Sport.HIKING,
    "lap_swimming": Sport.SWIMMING,
    "open_water_swimming": Sport.SWIMMING,
    "indoor_rowing": Sport.ROWING,
    "strength_training": Sport.STRENGTH,
    "multi_sport": Sport.MULTISPORT,
    "multisport": Sport.MULTISPORT,
    "triathlon": Sport.MULTISPORT,
    "duathlon": Sport.MULTISPORT,
    "resort_skiing_snowboarding_ws": Sport.SKIING,
    "stand_up_paddleboarding": Sport.PADDLING,
    "whitewater_rafting_kayaking": Sport.PADDLING,
}

_STEMS: tuple[tuple[str, Sport], ...] = (
    ("run", Sport.RUNNING),
    ("cycl", Sport.CYCLING),
    ("bik", Sport.CYCLING),
    ("ride", Sport.CYCLING),
    ("swim", Sport.SWIMMING),
    ("row", Sport.ROWING),
    ("ski", Sport.SKIING),
    ("snowboard", Sport.SKIING),
    ("paddl", Sport.PADDLING),
    ("kayak", Sport.PADDLING),
    ("canoe", Sport.PADDLING),
    ("walk", Sport.WALKING),
    ("hik", Sport.HIKING),
)

_WELLNESS_SUFFIXES = ("_sleepData.json", "_healthStatusData.json")
_UDS_NAME = re.compile(r"^UDSFile_.*\.json$")


def sniff_summaries(head: bytes) -> bool:
    """A summarizedActivities JSON file: the export's wrapper key within the first bytes."""
    text = head[:1024].decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    return text[:1] in ("[", "{") and "summarizedActivitiesExport" in text[:512]


def is_wellness_name(inner: str) -> bool:
    """A wellness file worth reading, judged by its path inside the export."""
    parts = inner.replace("\\", "/").split("/")
    folders, name = parts[:-1], parts[-1]
    if "DI-Connect-Wellness" in folders:
        return name.endswith(_WELLNESS_SUFFIXES)
    return "DI-Connect-Aggregator" in folders and _UDS_NAME.match(name) is not None


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if number == number and abs(number) != float("inf") else None


def _type_key(value: object) -> str:
    if isinstance(value, Mapping):
        value = value.get("typeKey")
    return value.strip().lower() if isinstance(value, str) else ""


def _sport_of(key: str) -> Sport:
    if key in _SPORTS:
        return _SPORTS[key]
    for stem, sport in _STEMS:
        if stem in key:
            return sport
    return Sport.OTHER


def _summaries(document: object) -> Iterator[object]:
    """The summaries, whether the wrapper is the usual one-element list or a bare object."""
    wrappers = document if isinstance(document, list) else [document]
    for wrapper in wrappers:
        if isinstance(wrapper, Mapping):
            items = wrapper.get("summarizedActivitiesExport")
            if isinstance(items, list):
                yield from items


def _children_of(summary: Mapping[str, Any]) -> Iterator[str]:
    """Ids of a multisport parent's legs, under the names public readers have seen."""
    for key in ("childIds", "childActivityIds"):
        ids = summary.get(key)
        if isinstance(ids, list):
            yield from (str(i) for i in ids)
    legs = summary.get("childActivities") or summary.get("multisportChildren")
    if isinstance(legs, list):
        for leg in legs:
            if isinstance(leg, Mapping) and leg.get("activityId") is not None:
                yield str(leg["activityId"])


def _activity(summary: Mapping[str, Any]) -> Activity | None:
    start_ms = _number(summary.get("startTimeGmt"))
    if start_ms is None:
        start_ms = _number(summary.get("beginTimestamp"))
    if start_ms is None:
        return None
    start = dt.datetime.fromtimestamp(start_ms / _MS_PER_S, tz=dt.UTC)
    offset: int | None = None
    local_ms = _number(summary.get("startTimeLocal"))
    if local_ms is not None:
        # The local wall time is written as if it were UTC, so the difference is the offset.
        offset = round((local_ms - start_ms) / 60_000) * 60
        if abs(offset) > _MAX_OFFSET_S:
            offset = None

    def ms(key: str) -> float | None:
        value = _number(summary.get(key))
        return value / _MS_PER_S if value is not None else None

    def cm(key: str) -> float | None:
        value = _number(summary.get(key))
        return value / _CM_PER_M if value is not None else None

    elapsed = ms("elapsedDuration")
    if elapsed is None:
        elapsed = ms("duration")
    activity_id = summary.get("activityId")
    name = summary.get("name")
    return Activity(
        sport=_sport_of(_type_key(summary.get("activityType"))),
        start=start,
        duration_s=elapsed if elapsed is not None else 0.0,
        utc_offset_s=offset,
        moving_s=ms("movingDuration"),
        distance_m=cm("distance"),
        elevation_gain_m=cm("elevationGain"),
        avg_hr_bpm=_number(summary.get("avgHr")),
        max_hr_bpm=_number(summary.get("maxHr")),
        name=name if isinstance(name, str) else "",
        source_ref=str(activity_id) if activity_id is not None else "",
    )


def _load(data: bytes) -> tuple[object, str | None]:
    try:
        return json.loads(data.decode("utf-8-sig")), None
    except UnicodeDecodeError as error:
        return None, f"not UTF-8 text at byte {error.start}"
    except json.JSONDecodeError as error:
        return None, f"not valid JSON at line {error.lineno}, column {error.colno}"
    except RecursionError:
        return None, "JSON nested too deeply to read"


def parse_summaries(data: bytes) -> Parsed:
    """One activity per summary. A multisport session is its parent summary; its legs, which
    the export lists as summaries of their own, are left out so the session counts once."""
    document, problem = _load(data)
    if problem is not None:
        return Parsed(problem=problem)
    summaries = [s for s in _summaries(document) if isinstance(s, Mapping)]
    if not summaries:
        return Parsed(skipped="no summarizedActivitiesExport entries")
    legs = {leg for summary in summaries for leg in _children_of(summary)}
    activities: list[Activity] = []
    problems: list[str] = []
    skipped_legs = 0
    for index, summary in enumerate(summaries):
        activity_id = summary.get("activityId")
        if summary.get("parentId") is not None or str(activity_id) in legs:
            skipped_legs += 1
            continue
        try:
            activity = _activity(summary)
        except (ValueError, OverflowError, OSError):
            # A start millions of years away: the row is damaged, the others are not.
            activity = None
        if activity is None:
            problems.append(f"summary {index + 1} (activityId {activity_id}): no start time")
            continue
        activities.append(activity)
    problem = None
    if problems:
        more = len(problems) - 1
        problem = problems[0] + (f" (and {more} more)" if more else "")
    return Parsed(
        activities=tuple(activities),
        records=len(summaries),
        problem=problem,
        extra={"problems": tuple(problems), "multisport_legs": skipped_legs},
    )


def _day(value: object) -> dt.date | None:
    if isinstance(value, Mapping):  # some readers report {"date": "..."}
        value = value.get("date")
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def _sleep(entry: Mapping[str, Any]) -> dict[str, float]:
    found: dict[str, float] = {}
    stages = [
        _number(entry.get(key))
        for key in ("deepSleepSeconds", "lightSleepSeconds", "remSleepSeconds")
    ]
    if any(stage is not None for stage in stages):
        found["sleep_s"] = sum(stage for stage in stages if stage is not None)
    scores = entry.get("sleepScores")
    score: object = scores.get("overallScore") if isinstance(scores, Mapping) else None
    if score is None:
        score = entry.get("overallScore")
    if isinstance(score, Mapping):  # the Connect API nests it as {"value": 82, ...}
        score = score.get("value")
    number = _number(score)
    if number is not None:
        found["sleep_score"] = number
    return found


def _resting(entry: Mapping[str, Any]) -> dict[str, float]:
    value = _number(entry.get("restingHeartRate"))
    # A day the watch was not worn reports 0 rather than leaving the field out.
    return {"resting_hr_bpm": value} if value else {}


def _health_status(entry: Mapping[str, Any]) -> dict[str, float]:
    metrics = entry.get("metrics")
    if not isinstance(metrics, list):
        return {}
    for metric in metrics:
        if isinstance(metric, Mapping) and str(metric.get("type", "")).upper() == "HRV":
            value = _number(metric.get("value"))
            if value is not None:
                return {"hrv_ms": value}
    return {}


def parse_wellness(inner: str, data: bytes) -> Parsed:
    """The days one wellness file holds. Several files describe the same day (sleep, UDS,
    health status); merging them is left to the caller."""
    name = inner.replace("\\", "/").rsplit("/", 1)[-1]
    if name.endswith("_sleepData.json"):
        read = _sleep
    elif name.endswith("_healthStatusData.json"):
        read = _health_status
    elif _UDS_NAME.match(name):
        read = _resting
    else:
        return Parsed(skipped=f"{name} is not a wellness file rubdown reads")
    document, problem = _load(data)
    if problem is not None:
        return Parsed(problem=problem)
    entries = document if isinstance(document, list) else [document]
    days: dict[dt.date, dict[str, float]] = {}
    for entry in entries:
        if not isinstance(entry, Mapping):
            continue
        day = _day(entry.get("calendarDate"))
        values = read(entry) if day is not None else {}
        if day is not None and values:
            days.setdefault(day, {}).update(values)
    wellness = tuple(
        DailyWellness(
            day=day,
            source="garmin",
            resting_hr_bpm=values.get("resting_hr_bpm"),
            hrv_ms=values.get("hrv_ms"),
            sleep_s=values.get("sleep_s"),
            sleep_score=values.get("sleep_score"),
        )
        for day, values in sorted(days.items())
    )
    if not wellness:
        return Parsed(records=len(entries), skipped="no days with sleep, resting HR or HRV")
    return Parsed(wellness=wellness, records=len(entries))


def parse(data: bytes, *, salvage: bool = False) -> Parsed:
    """The summaries file, for the import protocol of ``importers.base``; ``salvage`` has
    nothing to save in a JSON document that either parses or does not."""
    return parse_summaries(data)
