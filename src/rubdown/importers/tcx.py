"""Garmin Training Center (TCX) activities.

Each ``Activity`` element is one activity; the legs of a ``MultiSportSession`` make one
multisport activity whose laps carry each leg's sport. Speed and run cadence come from the
ActivityExtension ``TPX`` element under whatever prefix (``ns3``, ``ext``, none). Courses are
plans, not activities, and are skipped.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import replace
from typing import IO
from xml.etree.ElementTree import Element, ParseError

from rubdown.domain.activity import Activity, Lap, Parsed, Sport
from rubdown.importers.xml_common import (
    MISSING,
    MULTISPORT_MAX_GAP_S,
    Leg,
    PointBudget,
    build_activity,
    damage_offset,
    event_batches,
    first_line,
    fixable,
    local_name,
    parse_time,
    root_name,
    size_of,
    sport_from_text,
    xml_problem,
)

_POINT, _LAP, _ACTIVITY, _SESSION, _COURSE = 1, 2, 3, 4, 5
# What holds the points, emptied as they are read (see ``xml_common.event_batches``).
_CONTAINERS = frozenset({"Track"})
_CODES = {
    "Trackpoint": _POINT,
    "Lap": _LAP,
    "Activity": _ACTIVITY,
    "MultiSportSession": _SESSION,
    "Course": _COURSE,
}
# A trackpoint's children, by their place in the row. HeartRateBpm holds its number in a
# "Value" child; inside a Trackpoint nothing else is called that.
_TIME, _LAT, _LON, _ALT, _HR, _CAD, _DIST, _SPEED = range(8)
_SLOTS = {
    "Time": _TIME,
    "LatitudeDegrees": _LAT,
    "LongitudeDegrees": _LON,
    "AltitudeMeters": _ALT,
    "Value": _HR,
    "Cadence": _CAD,
    "RunCadence": _CAD,
    "DistanceMeters": _DIST,
    "Speed": _SPEED,
}
# TCX knows only these three; swims, skis and paddles all come as "Other".
_SPORTS = {"running": Sport.RUNNING, "biking": Sport.CYCLING, "other": Sport.OTHER}


def sniff(head: bytes) -> bool:
    return root_name(head) == "TrainingCenterDatabase"


def parse(data: bytes | IO[bytes], *, salvage: bool = False) -> Parsed:
    """Read a TCX document from bytes, or from a binary stream with bounded memory."""
    return _parse(data, salvage, retry=True)


def _sport(value: str | None) -> Sport:
    if value is None:
        return Sport.OTHER
    return _SPORTS.get(value.strip().casefold()) or sport_from_text(value) or Sport.OTHER


class _Reader:
    """State of one pass over a TCX document."""

    def __init__(self) -> None:
        self.codes: dict[str, int] = {}
        self.slots: dict[str, int] = {}
        self.legs: list[Leg] = []
        self.session_of: list[int | None] = []  # per leg: which MultiSportSession holds it
        self.sessions = 0
        self.records = 0
        self.budget = PointBudget()
        self._new_leg()

    def _new_leg(self) -> None:
        self.points = self.budget.points()
        self.laps: list[Lap] = []
        self.lap_first_point = 0
        self.leg_records = 0

    def code(self, tag: str) -> int:
        found = self.codes.get(tag)
        if found is None:
            found = self.codes[tag] = _CODES.get(local_name(tag), 0)
        return found

    def children(self, elem: Element) -> dict[str, Element]:
        return {local_name(child.tag): child for child in elem}

    def end_lap(self, lap: Element) -> None:
        own = self.children(lap)
        start = parse_time(lap.get("StartTime"))
        rows = self.points.since(self.lap_first_point)
        self.lap_first_point = self.points.seen
        if start is None and rows:
            start = parse_time(rows[0][_TIME])
        if start is None:
            return
        duration = _number(own.get("TotalTimeSeconds"))
        if duration is None:
            end = parse_time(rows[-1][_TIME]) if rows else None
            duration = (end - start).total_seconds() if end is not None else 0.0
        self.laps.append(
            Lap(
                start=start.astimezone(dt.UTC),
                duration_s=max(0.0, duration),
                distance_m=_number(own.get("DistanceMeters")),
                avg_hr_bpm=_hr(own.get("AverageHeartRateBpm")),
                max_hr_bpm=_hr(own.get("MaximumHeartRateBpm")),
            )
        )

    def end_activity(self, activity: Element | None, sport: Sport, partial: bool) -> None:
        own = self.children(activity) if activity is not None else {}
        ids = own.get("Id")
        start_hint = parse_time(ids.text if ids is not None else None)
        if start_hint is None and self.laps:
            start_hint = self.laps[0].start
        notes = own.get("Notes")
        self.budget.spend(self.points)
        leg = Leg(
            sport,
            self.points.rows(),
            self.leg_records,
            laps=self.laps,
            start_hint=start_hint,
            name=first_line(notes.text if notes is not None else None),
            partial=partial,
        )
        self.legs.append(leg)
        self.session_of.append(None)
        self._new_leg()

    def end_session(self, session: Element) -> None:
        # The session's Activity elements have ended (and been cleared) already: they are
        # the last legs read, one per FirstSport/NextSport that holds one.
        held = sum(1 for part in session for child in part if self.code(child.tag) == _ACTIVITY)
        for index in range(len(self.legs) - held, len(self.legs)):
            self.session_of[index] = self.sessions
        self.sessions += 1

    def drop_course(self) -> None:
        self.records -= self.leg_records
        self._new_leg()

    def activities(self) -> list[Activity]:
        built: list[Activity | None] = []
        index = 0
        while index < len(self.legs):
            session = self.session_of[index]
            end = index + 1
            while session is not None and end < len(self.legs) and self.session_of[end] == session:
                end += 1
            for outing in _outings(self.legs[index:end]):
                built.append(_activity(outing))
            index = end
        return [activity for activity in built if activity is not None]


def _number(elem: Element | None) -> float | None:
    if elem is None or elem.text is None:
        return None
    try:
        value = float(elem.text)
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None


def _hr(elem: Element | None) -> float | None:
    if elem is None:
        return None
    for child in elem:
        if local_name(child.tag) == "Value":
            value = _number(child)
            return value if value is not None and value > 0 else None
    return None


def _leg_span(leg: Leg) -> tuple[dt.datetime, dt.datetime] | None:
    times = [parse_time(row[_TIME]) for row in (leg.rows[:1] + leg.rows[-1:])]
    found = [t for t in times if t is not None]
    if found:
        return found[0], found[-1]
    if leg.start_hint is not None:
        seconds = sum(lap.duration_s for lap in leg.laps)
        return leg.start_hint, leg.start_hint + dt.timedelta(seconds=seconds)
    return None


def _outings(legs: Sequence[Leg]) -> list[list[Leg]]:
    """Split a session's legs where one starts long after the previous one ended."""
    outings: list[list[Leg]] = []
    previous_end: dt.datetime | None = None
    for leg in legs:
        span = _leg_span(leg)
        gap = (
            (span[0] - previous_end).total_seconds()
            if span is not None and previous_end is not None
            else 0.0
        )
        if not outings or gap > MULTISPORT_MAX_GAP_S:
            outings.append([])
        outings[-1].append(leg)
        if span is not None:
            previous_end = span[1]
    return outings


def _activity(legs: list[Leg]) -> Activity | None:
    if len(legs) == 1:
        return build_activity(legs, legs[0].sport, legs[0].name)
    tagged = [
        replace(leg, laps=[replace(lap, sport=leg.sport) for lap in leg.laps]) for leg in legs
    ]
    name = next((leg.name for leg in legs if leg.name), "")
    return build_activity(tagged, Sport.MULTISPORT, name)


_ACTIVITY_START = re.compile(rb"<(?:[\w.-]+:)?Activity\s[^>]*?Sport\s*=\s*[\"']([^\"']*)")


def _sport_before(data: bytes, offset: int) -> Sport:
    """The sport of the Activity a damaged file breaks off in: its start tag is before the
    damage, but the parser only reports an element when it ends."""
    starts = _ACTIVITY_START.findall(data, 0, offset)
    return _sport(starts[-1].decode("utf-8", "replace") if starts else None)


def _parse(data: bytes | IO[bytes], salvage: bool, retry: bool) -> Parsed:
    reader = _Reader()
    codes = reader.codes
    slots = reader.slots
    elem: Element | None = None
    try:
        for batch in event_batches(data, _CONTAINERS):
            for _, elem in batch:
                tag = elem.tag
                code = codes.get(tag)
                if code is None:
                    code = reader.code(tag)
                if not code:
                    continue
                if code == _POINT:
                    reader.records += 1
                    reader.leg_records += 1
                    row = [MISSING] * 8
                    for child in elem.iter():
                        slot = slots.get(child.tag)
                        if slot is None:
                            slot = slots[child.tag] = _SLOTS.get(local_name(child.tag), -1)
                        if slot >= 0:
                            row[slot] = child.text or MISSING
                    if row[_TIME] is not MISSING:
                        reader.points.add(tuple(row))
                    elem.clear()
                elif code == _LAP:
                    reader.end_lap(elem)
                    elem.clear()
                elif code == _ACTIVITY:
                    reader.end_activity(elem, _sport(elem.get("Sport")), partial=False)
                    elem.clear()
                elif code == _SESSION:
                    reader.end_session(elem)
                    elem.clear()
                else:
                    reader.drop_course()
                    elem.clear()
    except (LookupError, ValueError) as err:  # expat on an encoding it cannot read
        return Parsed(records=reader.records, problem=f"unreadable XML: {err}")
    except ParseError as err:
        fixed = fixable(data, err, retry)
        if fixed is not None:
            return _parse(fixed, salvage, retry=False)
        problem = xml_problem(err, size_of(data))
        if not salvage:
            return Parsed(records=reader.records, problem=problem)
        if reader.leg_records or reader.laps:
            # A streamed file is not read again for the sport: its legs so far tell it.
            sport = (
                _sport_before(data, damage_offset(data, err))
                if isinstance(data, bytes)
                else _sport(None)
            )
            reader.end_activity(None, sport, partial=True)
        return Parsed(
            activities=tuple(reader.activities()),
            records=reader.records,
            problem=problem,
            partial=True,
        )
    # The document element ends last, so the loop leaves it behind.
    root = local_name(elem.tag) if elem is not None else ""
    if root != "TrainingCenterDatabase":
        return Parsed(
            problem=f"the root element is <{root}>, not <TrainingCenterDatabase>",
            records=reader.records,
        )
    activities = reader.activities()
    if not activities:
        why = "no track point has a readable time" if reader.records else "no track points"
        return Parsed(records=reader.records, skipped=why)
    return Parsed(
        activities=tuple(activities), records=reader.records, problem=reader.budget.problem()
    )
