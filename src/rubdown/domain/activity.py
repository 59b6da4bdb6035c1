"""What a runner did: the project's own activity record, whatever file or export it came from.

Every importer turns its format into these records. Position is deliberately absent: recovery
needs time, heart rate, speed and distance, and the raw file keeps the rest.
"""

from __future__ import annotations

import datetime as dt
import math
from array import array
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum


class Sport(StrEnum):
    RUNNING = "running"
    TRAIL_RUNNING = "trail-running"
    TREADMILL = "treadmill"
    WALKING = "walking"
    HIKING = "hiking"
    CYCLING = "cycling"
    SWIMMING = "swimming"
    ROWING = "rowing"
    SKIING = "skiing"
    PADDLING = "paddling"
    STRENGTH = "strength"
    MULTISPORT = "multisport"
    OTHER = "other"

    @property
    def is_run(self) -> bool:
        return self in _RUNS

    @property
    def family(self) -> str:
        """Sports that two sources may name differently but that are the same activity."""
        return "run" if self.is_run else self.value


_RUNS = frozenset({Sport.RUNNING, Sport.TRAIL_RUNNING, Sport.TREADMILL})

# The channels a load model can use, in SI units; ``time_s`` counts from the activity's start.
STREAM_CHANNELS = (
    "time_s",
    "heart_rate_bpm",
    "speed_m_s",
    "distance_m",
    "cadence_spm",
    "altitude_m",
)


@dataclass(frozen=True)
class Streams:
    """Sample-by-sample channels as recorded (no resampling), NaN where a sample lacks a value.

    Every channel has the same length as ``time_s``; a channel the source never recorded is
    absent from ``channels`` rather than all NaN.
    """

    channels: Mapping[str, array[float]]

    def __post_init__(self) -> None:
        unknown = set(self.channels) - set(STREAM_CHANNELS)
        if unknown:
            raise ValueError(f"unknown stream channels: {sorted(unknown)}")
        if "time_s" not in self.channels and self.channels:
            raise ValueError("streams need a time_s channel")
        lengths = {len(values) for values in self.channels.values()}
        if len(lengths) > 1:
            raise ValueError(f"stream channels differ in length: {sorted(lengths)}")

    def __len__(self) -> int:
        return len(self.channels.get("time_s", ()))

    def get(self, name: str) -> array[float] | None:
        return self.channels.get(name)

    @classmethod
    def from_lists(cls, columns: Mapping[str, Iterable[float | None]]) -> Streams:
        """Build from plain sequences; ``None`` becomes NaN, empty channels are dropped."""
        built: dict[str, array[float]] = {}
        for name, values in columns.items():
            column = array("d", (math.nan if v is None else float(v) for v in values))
            if name == "time_s" or any(not math.isnan(v) for v in column):
                built[name] = column
        return cls(built)


@dataclass(frozen=True)
class Lap:
    start: dt.datetime  # aware, UTC
    duration_s: float
    distance_m: float | None = None
    avg_hr_bpm: float | None = None
    max_hr_bpm: float | None = None
    sport: Sport | None = None  # set on the legs of a multisport activity


@dataclass(frozen=True)
class Activity:
    """One activity. ``start`` is an aware UTC instant; ``utc_offset_s`` is the local offset
    at the start when the source knows it, which decides the runner's day."""

    sport: Sport
    start: dt.datetime
    duration_s: float  # elapsed, pauses included
    utc_offset_s: int | None = None
    moving_s: float | None = None
    distance_m: float | None = None
    elevation_gain_m: float | None = None
    avg_hr_bpm: float | None = None
    max_hr_bpm: float | None = None
    laps: tuple[Lap, ...] = ()
    streams: Streams | None = None
    name: str = ""
    source_ref: str = ""  # the source's own id: a Strava or Garmin activity id
    partial: bool = False  # salvaged from a damaged file: the records before the damage
    records: int = 0  # records or track points decoded, before any resampling
    load: float | None = None
    load_method: str = ""
    id: str = ""

    def __post_init__(self) -> None:
        if self.start.tzinfo is None:
            raise ValueError("an activity's start must be an aware datetime")

    def local_day(self, fallback: dt.tzinfo = dt.UTC) -> dt.date:
        """The runner's calendar day of the start, in the activity's own offset if known."""
        if self.utc_offset_s is not None:
            zone: dt.tzinfo = dt.timezone(dt.timedelta(seconds=self.utc_offset_s))
        else:
            zone = fallback
        return self.start.astimezone(zone).date()

    def with_changes(self, **changes: object) -> Activity:
        return replace(self, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True)
class DailyWellness:
    """Recovery signals for one local day from a device export."""

    day: dt.date
    source: str  # "garmin", "apple-health"
    resting_hr_bpm: float | None = None
    hrv_ms: float | None = None
    sleep_s: float | None = None
    sleep_score: float | None = None

    def is_empty(self) -> bool:
        values = (self.resting_hr_bpm, self.hrv_ms, self.sleep_s, self.sleep_score)
        return all(v is None for v in values)


@dataclass(frozen=True)
class Parsed:
    """What one file gave: its activities and wellness days, or why it gave less.

    ``problem`` names what is wrong with the file ("CRC mismatch at byte 771"); with
    ``partial`` the activities hold what came before the damage.
    """

    activities: tuple[Activity, ...] = ()
    wellness: tuple[DailyWellness, ...] = ()
    records: int = 0
    problem: str | None = None
    partial: bool = False
    skipped: str | None = None  # a well-formed file with nothing to import, and why
    extra: Mapping[str, object] = field(default_factory=dict)


# Two sources of one activity start within this many seconds of each other.
SAME_START_S = 10.0


def same_sport(a: Sport, b: Sport) -> bool:
    """Two sources name one activity's sport: the same family, or one of them cannot tell
    (a TCX "Other", a GPX without a type)."""
    return a.family == b.family or Sport.OTHER in (a, b)


def same_activity(a: Activity, b: Activity, tolerance_s: float = SAME_START_S) -> bool:
    """The watch's file and the Strava export of one run: same sport, starts within seconds."""
    return same_sport(a.sport, b.sport) and abs((a.start - b.start).total_seconds()) <= tolerance_s
