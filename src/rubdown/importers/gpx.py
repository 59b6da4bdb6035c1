"""GPX 1.0 and 1.1 tracks: one activity per ``trk``, its segments joined.

Heart rate and cadence come from whatever extension carries them (Garmin TrackPointExtension
v1/v2 under any prefix, Cluetrust ``gpxdata``, bare elements), matched by local name. A
garbage value (``lat="undefined"``) spoils that value only. Routes and waypoints are plans,
not activities, and are skipped.
"""

from __future__ import annotations

from typing import IO
from xml.etree.ElementTree import Element, ParseError

from rubdown.domain.activity import Activity, Parsed, Sport
from rubdown.importers.xml_common import (
    MISSING,
    Leg,
    PointBudget,
    build_activity,
    event_batches,
    first_line,
    fixable,
    local_name,
    root_name,
    size_of,
    sport_from_text,
    xml_problem,
)

# What an element's end means to the main loop; anything else is passed over.
_POINT, _TRACK, _NAME, _TYPE, _FORGET = 1, 2, 3, 4, 5
_CODES = {
    "trkpt": _POINT,
    "trk": _TRACK,
    "name": _NAME,
    "type": _TYPE,
    # Containers that are not tracks: their names and values must not leak into one.
    "metadata": _FORGET,
    "wpt": _FORGET,
    "rte": _FORGET,
}
# What holds the points, emptied as they are read (see ``event_batches``).
_CONTAINERS = frozenset({"trkseg"})
# Where a point's child goes in its row.
_TIME, _ELE, _HR, _CAD = 0, 1, 2, 3
_SLOTS = {
    "time": _TIME,
    "ele": _ELE,
    "hr": _HR,
    "heartrate": _HR,
    "cad": _CAD,
    "cadence": _CAD,
}


def sniff(head: bytes) -> bool:
    return root_name(head) == "gpx"


def parse(data: bytes | IO[bytes], *, salvage: bool = False) -> Parsed:
    """Read a GPX document from bytes, or from a binary stream with bounded memory."""
    return _parse(data, salvage, retry=True)


class _Reader:
    """State of one pass over a GPX document."""

    def __init__(self) -> None:
        self.codes: dict[str, int] = {}
        self.slots: dict[str, int] = {}
        self.activities: list[Activity] = []
        self.records = 0
        self.budget = PointBudget()
        self._new_track()

    def _new_track(self) -> None:
        self.points = self.budget.points()
        self.track_records = 0
        # Names and types seen before the track's first point: the track's own, or the first
        # point's (told apart when that point ends); only needed if the file breaks off.
        self.early: list[tuple[int, Element]] = []
        self.name: str | None = None
        self.type: str | None = None

    def code(self, tag: str) -> int:
        found = self.codes.get(tag)
        if found is None:
            found = self.codes[tag] = _CODES.get(local_name(tag), 0)
        return found

    def first_point(self, point: Element) -> None:
        own = list(point)
        for code, elem in self.early:
            if not any(elem is child for child in own):
                if code == _NAME:
                    self.name = elem.text
                else:
                    self.type = elem.text
        self.early = []

    def end_track(self, track: Element | None, partial: bool) -> None:
        if track is not None:
            self.name = self.type = None
            for child in track:
                code = self.code(child.tag)
                if code == _NAME:
                    self.name = child.text
                elif code == _TYPE:
                    self.type = child.text
        name = first_line(self.name)
        sport = sport_from_text(self.type) or sport_from_text(name, codes=False) or Sport.OTHER
        self.budget.spend(self.points)
        leg = Leg(sport, self.points.rows(), self.track_records, name=name, partial=partial)
        activity = build_activity([leg], sport, name)
        if activity is not None:
            self.activities.append(activity)
        self._new_track()


def _parse(data: bytes | IO[bytes], salvage: bool, retry: bool) -> Parsed:
    reader = _Reader()
    elem: Element | None = None
    codes = reader.codes
    slots = reader.slots
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
                    reader.track_records += 1
                    attrib = elem.attrib
                    time: str | None = None
                    ele = hr = cad = MISSING
                    for child in elem.iter():
                        slot = slots.get(child.tag)
                        if slot is None:
                            slot = slots[child.tag] = _SLOTS.get(local_name(child.tag), -1)
                        if slot < 0:
                            continue
                        if slot == _TIME:
                            time = child.text
                        elif slot == _HR:
                            hr = child.text or MISSING
                        elif slot == _ELE:
                            ele = child.text or MISSING
                        else:
                            cad = child.text or MISSING
                    if time is not None:
                        reader.points.add(
                            (
                                time,
                                attrib.get("lat", MISSING),
                                attrib.get("lon", MISSING),
                                ele,
                                hr,
                                cad,
                            )
                        )
                    if reader.track_records == 1:
                        reader.first_point(elem)
                    elem.clear()
                elif code in (_NAME, _TYPE):
                    if reader.track_records == 0:
                        reader.early.append((code, elem))
                elif code == _TRACK:
                    reader.end_track(elem, partial=False)
                    elem.clear()
                else:
                    reader.early = []
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
        if reader.track_records:
            reader.end_track(None, partial=True)
        return Parsed(
            activities=tuple(reader.activities),
            records=reader.records,
            problem=problem,
            partial=True,
        )
    # The document element ends last, so the loop leaves it behind.
    root = local_name(elem.tag) if elem is not None else ""
    if root != "gpx":
        return Parsed(problem=f"the root element is <{root}>, not <gpx>", records=reader.records)
    if not reader.records:
        return Parsed(skipped="no track points")
    if not reader.activities:
        return Parsed(records=reader.records, skipped="no track point has a readable time")
    return Parsed(
        activities=tuple(reader.activities),
        records=reader.records,
        problem=reader.budget.problem(),
    )
