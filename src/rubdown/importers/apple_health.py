"""Apple Health's ``export.xml``: workouts with their heart rate, and daily recovery signals.

The file runs to gigabytes, so it is read as a stream: fixed-size chunks go to a pull parser,
each top-level element is handled when it closes and then dropped. What grows with the file is
only the heart-rate samples, kept as two ``array('d')`` columns (16 bytes a sample), and small
per-day totals.

Known damage in real exports, handled before the parser sees the bytes:

* Since iOS 16 the internal DTD (``<!DOCTYPE HealthData [ ... ]>``) has an ATTLIST missing
  its closing ``>``, which makes every strict XML parser stop in the prologue. Nothing in the
  document needs the DTD (no entities, no defaults rubdown reads), so the whole internal
  subset is cut out, keeping its line breaks so that error positions still match the file.
* Some exports contain control characters that XML 1.0 forbids (``\\x0b`` has been seen);
  they are dropped. They are single bytes in UTF-8 and never part of a multi-byte character,
  so dropping them chunk by chunk is safe.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import xml.etree.ElementTree as ET
from array import array
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import BinaryIO

from rubdown.domain.activity import Activity, DailyWellness, Parsed, Sport, Streams
from rubdown.importers.xml_common import MAX_TOKEN_BYTES

CHUNK_BYTES = 1 << 20
# The parser is fed in slices so that the elements one feed produces stay few; a slice of a
# real export holds a few hundred records.
_FEED_BYTES = 64 << 10
# A real internal subset is about 10 kB; past this the prologue is not Apple's and is passed on
# untouched for the parser to judge.
_PROLOGUE_LIMIT = 4 << 20

_FORBIDDEN = bytes(b for b in range(0x20) if b not in (0x09, 0x0A, 0x0D))
_ELEMENT_START = re.compile(rb"<[A-Za-z_]")
_SUBSET_END = re.compile(rb"\]\s*>")
_LOOSE_TIME = re.compile(
    r"^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2}(?:\.\d+)?)\s*([+-]\d{2}:?\d{2}|Z)$"
)

_HEART_RATE = "HKQuantityTypeIdentifierHeartRate"
_RESTING = "HKQuantityTypeIdentifierRestingHeartRate"
_HRV = "HKQuantityTypeIdentifierHeartRateVariabilitySDNN"
_SLEEP = "HKCategoryTypeIdentifierSleepAnalysis"
# Asleep (before iOS 16), AsleepUnspecified, AsleepCore, AsleepDeep, AsleepREM; InBed and
# Awake are time in bed, not sleep.
_ASLEEP_PREFIX = "HKCategoryValueSleepAnalysisAsleep"

_SPORTS = {
    "Running": Sport.RUNNING,
    "Walking": Sport.WALKING,
    "Hiking": Sport.HIKING,
    "Cycling": Sport.CYCLING,
    "HandCycling": Sport.CYCLING,
    "Swimming": Sport.SWIMMING,
    "Rowing": Sport.ROWING,
    "TraditionalStrengthTraining": Sport.STRENGTH,
    "FunctionalStrengthTraining": Sport.STRENGTH,
    "CrossCountrySkiing": Sport.SKIING,
    "DownhillSkiing": Sport.SKIING,
    "Snowboarding": Sport.SKIING,
    "PaddleSports": Sport.PADDLING,
    "Paddling": Sport.PADDLING,
    "SwimBikeRun": Sport.MULTISPORT,
}

_METRES = {"m": 1.0, "km": 1000.0, "mi": 1609.344, "ft": 0.3048, "yd": 0.9144, "cm": 0.01}
_SECONDS = {"s": 1.0, "sec": 1.0, "min": 60.0, "hr": 3600.0, "h": 3600.0}

_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()


@lru_cache(maxsize=4096)
def _epoch_day(text: str) -> int:
    return dt.date.fromisoformat(text).toordinal() - _EPOCH_ORDINAL


def _instant(text: str | None) -> tuple[float, int] | None:
    """Epoch seconds and UTC offset of Apple's "2023-04-01 07:00:12 +0200"."""
    if not text:
        return None
    if len(text) == 25 and text[10] == " " and text[19] == " " and text[20] in "+-":
        try:
            offset = int(text[21:23]) * 3600 + int(text[23:25]) * 60
            if text[20] == "-":
                offset = -offset
            seconds = (
                _epoch_day(text[:10]) * 86400
                + int(text[11:13]) * 3600
                + int(text[14:16]) * 60
                + int(text[17:19])
            )
            return float(seconds - offset), offset
        except ValueError:
            return None
    match = _LOOSE_TIME.match(text.strip())
    if match is None:
        return None
    zone = "+00:00" if match[3] == "Z" else match[3]
    try:
        moment = dt.datetime.fromisoformat(f"{match[1]}T{match[2]}{zone}")
    except ValueError:
        return None
    utcoffset = moment.utcoffset()
    offset = int(utcoffset.total_seconds()) if utcoffset is not None else 0
    return moment.timestamp(), offset


def _float(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None


def _quantity(text: str | None, unit: str | None, scale: dict[str, float]) -> float | None:
    value = _float(text)
    factor = scale.get((unit or "").strip())
    return value * factor if value is not None and factor is not None else None


def _metadata_length(text: str | None) -> float | None:
    """A metadata length such as "4544 cm" (the unit is part of the value) in metres."""
    number, _, unit = (text or "").strip().partition(" ")
    return _quantity(number, unit, _METRES)


def sniff(head: bytes) -> bool:
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    text = re.sub(r"^<\?xml[^>]*\?>\s*", "", text)
    text = re.sub(r"^(<!--.*?-->\s*)+", "", text, flags=re.DOTALL)
    return re.match(r"<(!DOCTYPE\s+)?HealthData[\s>\[/]", text) is not None


def _strip_subset(head: bytes) -> bytes | None:
    """The prologue without the DOCTYPE's internal subset, or None while more is needed."""
    doctype = head.find(b"<!DOCTYPE")
    first = _ELEMENT_START.search(head)
    if first is not None and (doctype < 0 or first.start() < doctype):
        return head  # no DOCTYPE before the root element
    if doctype < 0:
        return None
    bracket, close = head.find(b"[", doctype), head.find(b">", doctype)
    if close >= 0 and (bracket < 0 or close < bracket):
        return head  # a DOCTYPE without an internal subset
    if bracket < 0:
        return None
    end = _SUBSET_END.search(head, bracket)
    if end is None:
        return None
    lines = head.count(b"\n", bracket, end.end())
    return head[:bracket] + b"\n" * lines + b">" + head[end.end() :]


def _clean_chunks(stream: BinaryIO) -> Iterator[bytes]:
    prologue: bytes | None = b""
    while chunk := stream.read(CHUNK_BYTES):
        chunk = chunk.translate(None, _FORBIDDEN)
        if prologue is None:
            yield chunk
            continue
        prologue += chunk
        stripped = _strip_subset(prologue)
        if stripped is not None or len(prologue) > _PROLOGUE_LIMIT:
            yield stripped if stripped is not None else prologue
            prologue = None
    if prologue:
        yield prologue


@dataclass
class _Workout:
    sport: Sport
    start: float
    end: float
    offset: int
    duration_s: float
    distance_m: float | None
    elevation_gain_m: float | None
    avg_hr_bpm: float | None
    max_hr_bpm: float | None


def _workout(element: ET.Element) -> _Workout | None:
    attrib = element.attrib
    start = _instant(attrib.get("startDate"))
    if start is None:
        return None
    end = _instant(attrib.get("endDate"))
    duration = _quantity(attrib.get("duration"), attrib.get("durationUnit") or "min", _SECONDS)
    if duration is None:
        duration = end[0] - start[0] if end is not None else 0.0
    own = [child for child in element if child.tag in ("WorkoutStatistics", "MetadataEntry")]
    parts = [child for child in element if child.tag == "WorkoutActivity"]
    # iOS 16 repeats statistics and metadata inside <WorkoutActivity>; the workout's own copy
    # is the total, and a lone activity's copy only stands in when the workout has none.
    details = own or (list(parts[0]) if len(parts) == 1 else [])
    distance = avg_hr = max_hr = elevation = None
    indoor = False
    for child in details:
        kind = child.get("type", "")
        if child.tag == "WorkoutStatistics":
            if kind == _HEART_RATE:
                avg_hr, max_hr = _float(child.get("average")), _float(child.get("maximum"))
            elif kind.startswith("HKQuantityTypeIdentifierDistance") and distance is None:
                distance = _quantity(child.get("sum"), child.get("unit"), _METRES)
        elif child.tag == "MetadataEntry":
            key = child.get("key")
            if key == "HKElevationAscended":
                elevation = _metadata_length(child.get("value"))
            elif key == "HKIndoorWorkout":
                indoor = child.get("value") == "1"
    if distance is None:  # before iOS 16 the totals were attributes of the workout
        distance = _quantity(attrib.get("totalDistance"), attrib.get("totalDistanceUnit"), _METRES)
    kind = attrib.get("workoutActivityType", "").removeprefix("HKWorkoutActivityType")
    sport = _SPORTS.get(kind, Sport.OTHER)
    if sport is Sport.RUNNING and indoor:
        sport = Sport.TREADMILL
    return _Workout(
        sport=sport,
        start=start[0],
        end=end[0] if end is not None else start[0] + duration,
        offset=start[1],
        duration_s=duration,
        distance_m=distance,
        elevation_gain_m=elevation,
        avg_hr_bpm=avg_hr,
        max_hr_bpm=max_hr,
    )


@dataclass
class _Reading:
    hr_time: array[float] = field(default_factory=lambda: array("d"))
    hr_bpm: array[float] = field(default_factory=lambda: array("d"))
    resting: dict[str, list[float]] = field(default_factory=dict)
    hrv: dict[str, list[float]] = field(default_factory=dict)
    sleep: dict[tuple[str, str], float] = field(default_factory=dict)
    workouts: list[_Workout] = field(default_factory=list)
    records: int = 0
    unreadable: int = 0
    depth: int = 0
    root: ET.Element | None = None
    events: int = 0

    def record(self, attrib: dict[str, str]) -> None:
        self.records += 1
        kind = attrib.get("type")
        if kind == _HEART_RATE:
            when = _instant(attrib.get("startDate"))
            bpm = _float(attrib.get("value"))
            if when is None or bpm is None:
                self.unreadable += 1
                return
            self.hr_time.append(when[0])
            self.hr_bpm.append(bpm)
        elif kind in (_RESTING, _HRV):
            day, value = attrib.get("startDate", "")[:10], _float(attrib.get("value"))
            if len(day) != 10 or value is None:
                self.unreadable += 1
                return
            total = (self.resting if kind == _RESTING else self.hrv).setdefault(day, [0.0, 0])
            total[0] += value
            total[1] += 1
        elif kind == _SLEEP and attrib.get("value", "").startswith(_ASLEEP_PREFIX):
            start, end = _instant(attrib.get("startDate")), attrib.get("endDate", "")
            stop = _instant(end)
            if start is None or stop is None:
                self.unreadable += 1
                return
            # A night belongs to the morning it ends; sources are kept apart because a watch
            # and a sleep app record the same night, and adding them would double it.
            key = (end[:10], attrib.get("sourceName", ""))
            self.sleep[key] = self.sleep.get(key, 0.0) + max(0.0, stop[0] - start[0])

    def drain(self, parser: ET.XMLPullParser[ET.Element]) -> None:
        for event in parser.read_events():
            self.events += 1
            element = event[-1]
            if not isinstance(element, ET.Element):
                continue  # only start and end events are asked for
            if event[0] == "start":
                self.depth += 1
                if self.depth == 1:
                    self.root = element
                continue
            self.depth -= 1
            if self.depth != 1 or self.root is None:
                continue
            if element.tag == "Record":
                self.record(element.attrib)
            elif element.tag == "Workout":
                workout = _workout(element)
                if workout is None:
                    self.unreadable += 1
                else:
                    self.workouts.append(workout)
            self.root.clear()  # the element is handled; let it and its children go


def _heart_rate_by_workout(reading: _Reading) -> list[tuple[array[float], array[float]]]:
    """Each workout's samples, in time order. One pass over all samples, in whatever order
    the file had them, with a binary search over the workouts (sorted by start)."""
    workouts = reading.workouts
    starts = [w.start for w in workouts]
    reach: list[float] = []  # latest end among workouts[0..i]; workouts may overlap
    for w in workouts:
        reach.append(max(w.end, reach[-1]) if reach else w.end)
    found: list[tuple[array[float], array[float]]] = [(array("d"), array("d")) for _ in workouts]
    for when, bpm in zip(reading.hr_time, reading.hr_bpm, strict=True):
        i = bisect_right(starts, when) - 1
        while i >= 0 and reach[i] >= when:
            if workouts[i].end >= when:
                found[i][0].append(when)
                found[i][1].append(bpm)
            i -= 1
    ordered: list[tuple[array[float], array[float]]] = []
    for (times, values), workout in zip(found, workouts, strict=True):
        order = sorted(range(len(times)), key=times.__getitem__)
        time_s, bpm_s = array("d"), array("d")
        for k in order:
            # The same instant from two sources (watch and strap) is kept once.
            if time_s and times[k] - workout.start == time_s[-1]:
                continue
            time_s.append(times[k] - workout.start)
            bpm_s.append(values[k])
        ordered.append((time_s, bpm_s))
    return ordered


def _activities(reading: _Reading) -> tuple[Activity, ...]:
    reading.workouts.sort(key=lambda w: w.start)
    activities = []
    for workout, (time_s, bpm) in zip(
        reading.workouts, _heart_rate_by_workout(reading), strict=True
    ):
        avg_hr, max_hr = workout.avg_hr_bpm, workout.max_hr_bpm
        if bpm and avg_hr is None:  # older workouts carry no statistics: use the samples
            avg_hr = sum(bpm) / len(bpm)
        if bpm and max_hr is None:
            max_hr = max(bpm)
        activities.append(
            Activity(
                sport=workout.sport,
                start=dt.datetime.fromtimestamp(workout.start, tz=dt.UTC),
                duration_s=workout.duration_s,
                utc_offset_s=workout.offset,
                distance_m=workout.distance_m,
                elevation_gain_m=workout.elevation_gain_m,
                avg_hr_bpm=avg_hr,
                max_hr_bpm=max_hr,
                streams=Streams({"time_s": time_s, "heart_rate_bpm": bpm}) if bpm else None,
                records=len(bpm),
            )
        )
    return tuple(activities)


def _wellness(reading: _Reading) -> tuple[DailyWellness, ...]:
    sleep: dict[str, float] = {}
    for (day, _source), seconds in reading.sleep.items():
        sleep[day] = max(sleep.get(day, 0.0), seconds)
    days = sorted(set(reading.resting) | set(reading.hrv) | set(sleep))
    wellness = []
    for day in days:
        try:
            date = dt.date.fromisoformat(day)
        except ValueError:
            continue
        resting, hrv = reading.resting.get(day), reading.hrv.get(day)
        wellness.append(
            DailyWellness(
                day=date,
                source="apple-health",
                resting_hr_bpm=resting[0] / resting[1] if resting else None,
                hrv_ms=hrv[0] / hrv[1] if hrv else None,
                sleep_s=sleep.get(day),
            )
        )
    return tuple(wellness)


class _TooLong(Exception):
    """A token longer than ``MAX_TOKEN_BYTES``: the export is not read further."""


def parse_export(stream: BinaryIO, *, salvage: bool = False) -> Parsed:
    """Workouts (with their heart rate) and daily wellness from an ``export.xml`` stream.

    Damage mid-file sets ``problem``; with ``salvage`` the result keeps everything that was
    complete before it and is marked ``partial``.
    """
    parser: ET.XMLPullParser[ET.Element] = ET.XMLPullParser(events=("start", "end"))
    reading = _Reading()
    problem = None
    quiet_bytes = events_before = 0  # fed since the last element started or ended
    try:
        for chunk in _clean_chunks(stream):
            view = memoryview(chunk)
            for at in range(0, len(view), _FEED_BYTES):
                piece = view[at : at + _FEED_BYTES]
                parser.feed(piece)
                reading.drain(parser)
                # The parser holds a token whole until it ends: one longer than any honest
                # element (a giant comment or attribute) is refused before it is held.
                quiet = reading.events == events_before and reading.root is not None
                quiet_bytes = quiet_bytes + len(piece) if quiet else 0
                events_before = reading.events
                if quiet_bytes > MAX_TOKEN_BYTES:
                    raise _TooLong
        parser.close()
        reading.drain(parser)
    except _TooLong:
        limit = MAX_TOKEN_BYTES >> 20
        problem = f"more than {limit} MiB of text, comment or attributes in one place"
    except ET.ParseError as error:
        line, column = error.position
        problem = f"not well-formed XML at line {line}, column {column}"
    except (LookupError, ValueError) as error:  # expat on a declared encoding it cannot read
        problem = f"unreadable XML declaration: {error}"
    extra = {
        "heart_rate_samples": len(reading.hr_time),
        "workouts": len(reading.workouts),
        "unreadable_records": reading.unreadable,
    }
    if problem is not None and not salvage:
        return Parsed(records=reading.records, problem=problem, extra=extra)
    activities, wellness = _activities(reading), _wellness(reading)
    skipped = None
    if problem is None and not activities and not wellness:
        skipped = "no workouts, heart rate, HRV or sleep records"
    return Parsed(
        activities=activities,
        wellness=wellness,
        records=reading.records,
        problem=problem,
        partial=problem is not None,
        skipped=skipped,
        extra=extra,
    )


def parse(data: bytes, *, salvage: bool = False) -> Parsed:
    """For the import protocol of ``importers.base``; large files should go through
    ``parse_export`` with a stream instead."""
    return parse_export(io.BytesIO(data), salvage=salvage)
