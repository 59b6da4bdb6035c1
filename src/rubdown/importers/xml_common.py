"""What the GPX and TCX importers share: streaming XML, tolerant values, and turning points
into an ``Activity``.

Both formats are read with ``XMLPullParser`` on "end" events only and matched by local name,
because the namespaces and prefixes vary from writer to writer (``gpxtpx``, ``ns3``, ``tp1``,
Cluetrust ``gpxdata``, extensions with no namespace at all). The hot loops in ``gpx.py`` and
``tcx.py`` only collect the text of each point into a tuple; conversion to numbers happens
here, a whole column at a time, so that a clean column costs one C-level ``map``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, cast
from xml.etree.ElementTree import Element, ParseError, XMLPullParser
from xml.parsers.expat import errors as expat_errors

from rubdown.domain.activity import Activity, Lap, Sport, Streams
from rubdown.importers import caps
from rubdown.importers.base import ImportProblem

# Feeding the parser in pieces keeps memory flat: elements are cleared as soon as they end.
CHUNK_BYTES = 1 << 16

# A leg with more timed points than this is thinned: every second point is dropped whenever
# the count reaches it, so a leg keeps at most this many, evenly spaced (one every 2, 4, ...
# points), and the last point always. 2**16 points are 18 hours at one a second (most
# watches record every few seconds, so a day-long ultra stays whole), while a 500 MB file of
# millions of points costs the same bounded memory as one long run: each kept point takes
# about 1 kB on its way to the streams, so a leg costs at most some 70 MB.
MAX_POINTS = 1 << 16
# All the legs of one file keep at most about this many points together (some 70 MB once
# built into activities); the legs that start after that keep none, and the file says so. An
# honest file of many activities (a year exported as one GPX) stays under it.
MAX_FILE_POINTS = 1 << 20

# Stand-in text for a value a point lacks; ``float("nan")`` turns it into NaN for free.
MISSING = "nan"

# Moving time counts an interval between two samples only when it is shorter than this (a
# longer gap is a pause, or the device lost the signal) ...
MOVING_MAX_GAP_S = 30.0
# ... and when the speed over it is above a slow walk; below that the runner is standing
# and the position only wanders with GPS noise.
MOVING_MIN_SPEED_M_S = 0.5

# Elevation gain passes the altitude through a dead band of this half-width: the filtered
# altitude moves only when the raw one leaves the band around it, so GPS and barometer jitter
# of up to about +-2 m adds nothing, while a real climb counts in full, less up to 2 m.
GAIN_DEAD_BAND_M = 2.0

# Legs of a multisport session further apart than this are separate outings, not one race
# with a transition: the GoldenCheetah corpus holds a "MultiSportSession" whose four legs lie
# on four different days.
MULTISPORT_MAX_GAP_S = 3600.0

EARTH_RADIUS_M = 6_371_008.8  # mean radius (IUGG)

# Plausibility bounds, the same for every format (``caps``); a value outside is a sensor
# glitch or placeholder, kept as missing.
_HR_RANGE = caps.HEART_RATE_BPM
_CADENCE_MAX = caps.CADENCE_MAX_SPM
_ALTITUDE_RANGE = caps.ALTITUDE_M
_SPEED_MAX_M_S = caps.SPEED_MAX_M_S
_DISTANCE_MAX_M = caps.DISTANCE_MAX_M


# --- reading XML --------------------------------------------------------------------------

_PROLOG = re.compile(
    rb"(?:\s+|<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>\[]*(?:\[.*?\])?\s*>)*<(?:[\w.-]+:)?([\w.-]+)",
    re.DOTALL,
)


def root_name(head: bytes) -> str | None:
    """The local name of the root element, judging by the first bytes of a document."""
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    elif head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", "ignore").encode("utf-8")
    match = _PROLOG.match(head)
    return match.group(1).decode("ascii", "replace") if match else None


def local_name(tag: str) -> str:
    """``{uri}hr`` and ``hr`` are the same field to us; ElementTree has resolved prefixes."""
    return tag[tag.rfind("}") + 1 :]


def event_batches(
    data: bytes | IO[bytes], containers: frozenset[str] = frozenset()
) -> Iterator[Iterator[tuple[str, Element]]]:
    """The "end" events of ``data`` (bytes, or a binary stream read a chunk at a time), one
    batch per fed chunk; a ``ParseError`` escapes from the batch that reaches the damage,
    after the events before it.

    ``containers`` names (local names) the elements that hold the points: after each batch
    their children are dropped, so the emptied shells of millions of cleared points do not
    pile up under them (which also slows the collector down as they grow).

    Memory stays bounded however large the document: the parser holds one token at a time
    (a tag, a comment, a text), so a document with more than ``MAX_TOKEN_BYTES`` between two
    elements is refused (:class:`ImportProblem`) before that token is read whole.
    """
    parser: XMLPullParser[Element] = XMLPullParser(events=("start", "end"))
    state = _Batches(containers)
    for chunk in _chunks(data):
        parser.feed(chunk)
        yield state.ends(_events(parser))
        state.after(len(chunk))
    parser.close()
    yield state.ends(_events(parser))


# No honest GPX or TCX element holds more than a few kilobytes of text.
MAX_TOKEN_BYTES = 1 << 20


class _Batches:
    """What ``event_batches`` keeps between chunks."""

    def __init__(self, containers: frozenset[str]) -> None:
        self.containers = containers
        self.known: dict[str, bool] = {}
        self.opened: list[Element] = []
        self.events = 0
        self.events_before = 0
        self.quiet_bytes = 0  # fed since the last element started or ended

    def ends(self, events: Iterator[tuple[str, Element]]) -> Iterator[tuple[str, Element]]:
        for event in events:
            self.events += 1
            if event[0] == "end":
                yield event
                continue
            tag = event[1].tag
            is_container = self.known.get(tag)
            if is_container is None:
                is_container = self.known[tag] = local_name(tag) in self.containers
            if is_container:
                self.opened.append(event[1])

    def after(self, fed: int) -> None:
        # Only the newest container can still be open; an older one has ended, and its
        # parent (a track, a lap) is cleared when it ends.
        if self.opened:
            del self.opened[-1][:]
            del self.opened[:-1]
        self.quiet_bytes = self.quiet_bytes + fed if self.events == self.events_before else 0
        self.events_before = self.events
        if self.quiet_bytes > MAX_TOKEN_BYTES:
            limit = MAX_TOKEN_BYTES >> 20
            raise ImportProblem(
                f"more than {limit} MiB of text, comment or attributes in one place: "
                "not an activity file (refused, not read further)"
            )


def _events(parser: XMLPullParser[Element]) -> Iterator[tuple[str, Element]]:
    # Only "start" and "end" are asked for: each comes with its element.
    return cast("Iterator[tuple[str, Element]]", parser.read_events())


def _chunks(data: bytes | IO[bytes]) -> Iterator[bytes]:
    if isinstance(data, bytes):
        for start in range(0, len(data), CHUNK_BYTES):
            yield data[start : start + CHUNK_BYTES]
        return
    while chunk := data.read(CHUNK_BYTES):
        yield chunk


class PointBudget:
    """How many points the legs of one file have kept (``MAX_FILE_POINTS``)."""

    def __init__(self) -> None:
        self.kept = 0
        self.left_out = 0  # legs with points that started after the budget was spent

    def points(self) -> Points:
        """The points of a new leg: kept while the file's budget lasts."""
        return Points(keep=self.kept < MAX_FILE_POINTS)

    def spend(self, points: Points) -> None:
        """Count a leg that ended."""
        if points.keep:
            self.kept += points.kept
        elif points.seen:
            self.left_out += 1

    def problem(self) -> str | None:
        if not self.left_out:
            return None
        return (
            f"more than {MAX_FILE_POINTS:,} track points in one file: the points of the "
            f"{self.left_out} tracks after that are not read"
        )


class Points:
    """The timed points of one leg as raw text rows, thinned to at most ``MAX_POINTS``.

    Point number ``n`` (counting every timed point added, from 0) is kept while ``n`` is a
    multiple of ``stride``; kept row ``k`` is therefore point ``k * stride``.
    """

    __slots__ = ("_last", "_rows", "keep", "seen", "stride")

    def __init__(self, keep: bool = True) -> None:
        self._rows: list[tuple[str, ...]] = []
        self._last: tuple[str, ...] | None = None
        self.keep = keep  # False: only counted (the file's budget is spent)
        self.seen = 0
        self.stride = 1

    @property
    def kept(self) -> int:
        return len(self._rows)

    def add(self, row: tuple[str, ...]) -> None:
        if not self.keep:
            self.seen += 1
            return
        if self.seen % self.stride == 0:
            self._rows.append(row)
            if len(self._rows) >= MAX_POINTS:
                self._rows = self._rows[::2]
                self.stride *= 2
        self.seen += 1
        self._last = row

    def since(self, first_seen: int) -> list[tuple[str, ...]]:
        """The kept rows from point number ``first_seen`` on (the last point included)."""
        if first_seen >= self.seen:
            return []
        return self._finished(self._rows[-(-first_seen // self.stride) :])

    def rows(self) -> list[tuple[str, ...]]:
        """Every kept row, the last point included."""
        return self._finished(self._rows)

    def _finished(self, rows: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
        if self.keep and self.seen and (self.seen - 1) % self.stride:
            return [*rows, cast("tuple[str, ...]", self._last)]
        return rows


# What expat says when the input simply stops: "no element found" (also for a document
# element that never closes), an unclosed token, a character cut in half.
_CUT_OFF_CODES = frozenset(
    expat_errors.codes[message]
    for message in (
        expat_errors.XML_ERROR_NO_ELEMENTS,
        expat_errors.XML_ERROR_UNCLOSED_TOKEN,
        expat_errors.XML_ERROR_PARTIAL_CHAR,
    )
)
_UNBOUND_PREFIX_CODE = expat_errors.codes[expat_errors.XML_ERROR_UNBOUND_PREFIX]


def xml_problem(err: ParseError, size: int) -> str:
    """One line for the report, naming where the XML goes wrong."""
    line, column = err.position
    if size == 0:
        return "empty file"
    if err.code in _CUT_OFF_CODES:
        return f"XML breaks off at line {line}, column {column} (file cut short?)"
    reason = str(err).split(":", 1)[0]  # expat's words, before its own position
    if reason.startswith("not well-formed"):
        return f"not well-formed XML{reason[15:]} at line {line}, column {column}"
    return f"bad XML ({reason}) at line {line}, column {column}"


def is_unbound_prefix(err: ParseError) -> bool:
    return err.code == _UNBOUND_PREFIX_CODE


_USED_PREFIX = re.compile(rb"</?([A-Za-z_][\w.-]*):[\w.-]+|\s([A-Za-z_][\w.-]*):[\w.-]+\s*=")
_DECLARED_PREFIX = re.compile(rb"xmlns:([\w.-]+)\s*=")


def declare_missing_prefixes(data: bytes) -> bytes | None:
    """``data`` with a dummy namespace declared for each prefix used but never declared.

    Some writers emit ``<gpxtpx:hr>`` without binding ``gpxtpx``; expat refuses the whole
    file for that, but we match on local names anyway. None when nothing can be added.
    """
    used = {a or b for a, b in _USED_PREFIX.findall(data)} - {b"xml", b"xmlns"}
    missing = sorted(used - set(_DECLARED_PREFIX.findall(data)))
    root = _PROLOG.match(data, 3 if data.startswith(b"\xef\xbb\xbf") else 0)
    if not missing or root is None:
        return None
    declarations = b"".join(b' xmlns:%s="urn:rubdown:undeclared:%s"' % (p, p) for p in missing)
    return data[: root.end()] + declarations + data[root.end() :]


def fixable(data: bytes | IO[bytes], err: ParseError, retry: bool) -> bytes | None:
    """The document again with its undeclared prefixes declared, when that is what broke it.

    Only for a document held in memory: a file large enough to be streamed gives its problem
    as it is rather than being read whole for a second pass.
    """
    if not retry or not isinstance(data, bytes) or not is_unbound_prefix(err):
        return None
    return declare_missing_prefixes(data)


def size_of(data: bytes | IO[bytes]) -> int:
    """How large a document is, for ``xml_problem``; a stream is never empty here (the
    importer refuses an empty file before parsing it)."""
    return len(data) if isinstance(data, bytes) else 1


def damage_offset(data: bytes, err: ParseError) -> int:
    """The byte offset of a parse error (expat counts lines from 1, columns from 0)."""
    line, column = err.position
    offset = 0
    for _ in range(line - 1):
        offset = data.find(b"\n", offset) + 1
        if offset == 0:
            return len(data)
    return min(len(data), offset + column)


# --- values --------------------------------------------------------------------------------


def floats(texts: Sequence[str | None]) -> list[float]:
    """Numbers from element texts; NaN where a text is missing or not a number. Infinities
    pass; ``_within`` bounds every column afterwards."""
    try:
        return list(map(float, cast("Sequence[str]", texts)))
    except (TypeError, ValueError):
        return [_float_or_nan(text) for text in texts]


def _float_or_nan(text: str | None) -> float:
    if text is None:
        return math.nan
    try:
        return float(text)
    except ValueError:
        return math.nan


def _within(values: list[float], low: float, high: float) -> list[float]:
    # NaN fails both comparisons, so it stays NaN.
    return [v if low <= v <= high else math.nan for v in values]


def parse_time(text: str | None) -> dt.datetime | None:
    """An aware instant from an ISO 8601 text; a time without offset is taken as UTC (GPX
    says so, and TCX writers that omit it mean it)."""
    if text is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        try:
            moment = dt.datetime.fromisoformat(text.strip().upper())
        except ValueError:
            return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def _epoch_seconds(texts: Sequence[str]) -> list[float | None]:
    try:
        moments = list(map(dt.datetime.fromisoformat, texts))
    except (TypeError, ValueError):
        parsed = [parse_time(text) for text in texts]
        return [None if m is None else m.timestamp() for m in parsed]
    if any(m.tzinfo is None for m in moments):
        moments = [m if m.tzinfo is not None else m.replace(tzinfo=dt.UTC) for m in moments]
    return [m.timestamp() for m in moments]


def utc_offset_s(text: str | None) -> int | None:
    """The local offset a timestamp states, or None for ``Z``, ``+00:00`` and no offset.

    A zero offset is what UTC serialisers write (MapMyRide: ``+00:00`` on a ride in North
    Carolina), so it says nothing about the runner's local zone.
    """
    moment = parse_time(text)
    offset = moment.utcoffset() if moment is not None else None
    if offset is None or not offset:
        return None
    return int(offset.total_seconds())


# --- sports --------------------------------------------------------------------------------

# Strava writes <type> either as a word or as its own numeric code.
_STRAVA_CODES = {
    "1": Sport.CYCLING,
    "4": Sport.HIKING,
    "9": Sport.RUNNING,
    "10": Sport.WALKING,
    "16": Sport.SWIMMING,
}
_WORDS: tuple[tuple[frozenset[str], Sport], ...] = (
    (frozenset({"treadmill"}), Sport.TREADMILL),
    (frozenset({"triathlon", "duathlon", "multisport"}), Sport.MULTISPORT),
    (frozenset({"run", "running", "jog", "jogging", "lauf", "laufen", "footing"}), Sport.RUNNING),
    (
        frozenset({"ride", "cycling", "biking", "bike", "mtb", "cycle", "rad", "radfahren"}),
        Sport.CYCLING,
    ),
    (frozenset({"hike", "hiking", "wandern", "wanderung", "mountaineering"}), Sport.HIKING),
    (frozenset({"walk", "walking", "spaziergang"}), Sport.WALKING),
    (frozenset({"swim", "swimming", "schwimmen"}), Sport.SWIMMING),
    (frozenset({"row", "rowing", "rudern"}), Sport.ROWING),
    (frozenset({"ski", "skiing", "langlauf", "snowboarding"}), Sport.SKIING),
    (
        frozenset(
            {
                "kayak",
                "kayaking",
                "canoe",
                "canoeing",
                "paddle",
                "paddling",
                "paddleboarding",
                "sup",
            }
        ),
        Sport.PADDLING,
    ),
    (frozenset({"strength", "weight", "weights", "weighttraining"}), Sport.STRENGTH),
)
_WORD = re.compile(r"[^\W\d_]+")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")


def sport_from_text(text: str | None, *, codes: bool = True) -> Sport | None:
    """A sport named in free text (a GPX ``<type>``, a track name), or None.

    ``codes`` accepts Strava's numeric types; off for names, where "Lap 9" is not a run.
    """
    if not text:
        return None
    folded = text.strip().casefold()
    if codes and folded in _STRAVA_CODES:
        return _STRAVA_CODES[folded]
    # "TrailRun", "trail_running" and "Trail Run" are the same words.
    spaced = _CAMEL.sub(" ", text.strip()).casefold().replace("_", " ")
    words = set(_WORD.findall(spaced))
    if any(word.endswith("langlauf") for word in words):  # cross-country skiing, not a run
        return Sport.SKIING
    if "trail" in words and words & {"run", "running", "lauf"}:
        return Sport.TRAIL_RUNNING
    for vocabulary, sport in _WORDS:
        if words & vocabulary:
            return sport
    # German compounds: Waldlauf, Dauerlauf, Berglauf.
    if any(word.endswith("lauf") for word in words):
        return Sport.RUNNING
    return None


# --- points to activities ------------------------------------------------------------------


@dataclass
class Leg:
    """The points of one stretch of one sport: a GPX track, one TCX Activity element.

    ``rows`` hold raw texts per timed point, in the order (time, lat, lon, altitude, heart
    rate, cadence) and for TCX also (distance, speed).
    """

    sport: Sport
    rows: list[tuple[str, ...]]
    records: int
    laps: list[Lap] = field(default_factory=list)
    start_hint: dt.datetime | None = None  # TCX Id / first Lap StartTime
    name: str = ""
    partial: bool = False


@dataclass
class _Series:
    """A leg converted to numbers, only the points whose time could be read."""

    t: list[float]
    hr: list[float]
    cad: list[float]
    alt: list[float]
    dist: list[float]  # cumulative from the leg's start, NaN where unknown
    speed: list[float]
    total_m: float | None
    measured: bool  # the distance is the device's own, not summed from positions
    offset_s: int | None


def _series(leg: Leg) -> _Series | None:
    if not leg.rows:
        return None
    columns: list[Sequence[str]] = list(zip(*leg.rows, strict=True))
    times = _epoch_seconds(columns[0])
    if None in times:
        keep = [i for i, t in enumerate(times) if t is not None]
        if not keep:
            return None
        columns = [[column[i] for i in keep] for column in columns]
        times = [times[i] for i in keep]
    t = cast("list[float]", times)
    first_text = next(text for text in columns[0] if parse_time(text) is not None)
    lat = _within(floats(columns[1]), -90.0, 90.0)
    lon = _within(floats(columns[2]), -180.0, 180.0)
    alt = _within(floats(columns[3]), *_ALTITUDE_RANGE)
    hr = _within(floats(columns[4]), *_HR_RANGE)
    cad = _within(floats(columns[5]), 0.0, _CADENCE_MAX)
    if leg.sport.is_run:
        # Devices write a runner's cadence per leg, strides a minute (85 for 170 steps), in
        # gpxtpx:cad and TPX RunCadence alike; we keep steps a minute. Other sports keep the
        # device's value (a bike's crank rpm).
        cad = [2.0 * c for c in cad]
    recorded = _within(floats(columns[6]), 0.0, _DISTANCE_MAX_M) if len(columns) > 6 else []
    speed = _within(floats(columns[7]), 0.0, _SPEED_MAX_M_S) if len(columns) > 7 else []

    # A distance column of zeros comes from a device without GPS or wheel sensor: unknown.
    total: float | None = max((d for d in recorded if d == d), default=0.0)
    if total:
        dist = recorded
    else:
        dist, total = _path_distance(lat, lon)
    if not any(not math.isnan(s) for s in speed):
        speed = _derived_speed(t, dist)
    return _Series(t, hr, cad, alt, dist, speed, total, dist is recorded, utc_offset_s(first_text))


def _path_distance(lat: list[float], lon: list[float]) -> tuple[list[float], float | None]:
    """Cumulative great-circle distance over the valid positions, NaN at the others."""
    cumulative: list[float] = []
    total = 0.0
    seen = False
    prev_phi = prev_lambda = prev_cos = 0.0
    sin, cos, asin, sqrt, radians = math.sin, math.cos, math.asin, math.sqrt, math.radians
    for la, lo in zip(lat, lon, strict=True):
        # NaN or the (0, 0) placeholder some writers put where they have no fix.
        if la != la or lo != lo or (la == 0.0 and lo == 0.0):
            cumulative.append(math.nan)
            continue
        phi, lam = radians(la), radians(lo)
        cos_phi = cos(phi)
        if seen:
            h = (
                sin((phi - prev_phi) / 2) ** 2
                + prev_cos * cos_phi * sin((lam - prev_lambda) / 2) ** 2
            )
            total += 2 * EARTH_RADIUS_M * asin(sqrt(min(1.0, h)))
        seen = True
        prev_phi, prev_lambda, prev_cos = phi, lam, cos_phi
        cumulative.append(total)
    return cumulative, (total if seen else None)


def _derived_speed(t: list[float], dist: list[float]) -> list[float]:
    """Speed over the stretch back to the previous point with a known distance."""
    speed: list[float] = []
    prev_t = prev_d = math.nan
    for ti, di in zip(t, dist, strict=True):
        if di != di:
            speed.append(math.nan)
            continue
        elapsed = ti - prev_t
        speed.append((di - prev_d) / elapsed if elapsed > 0 else math.nan)
        prev_t, prev_d = ti, di
    return speed


def moving_seconds(t: list[float], speed: list[float]) -> float | None:
    """Time spent moving (thresholds above); None when no interval has a known speed."""
    moving = 0.0
    known = False
    for i in range(1, len(t)):
        s = speed[i]
        if s != s:
            continue
        known = True
        gap = t[i] - t[i - 1]
        if 0.0 < gap < MOVING_MAX_GAP_S and s > MOVING_MIN_SPEED_M_S:
            moving += gap
    return moving if known else None


def elevation_gain(altitudes: list[float]) -> float | None:
    """Sum of rises after the dead-band filter described at ``GAIN_DEAD_BAND_M``."""
    level = math.nan
    gain = 0.0
    for a in altitudes:
        if a != a:
            continue
        if level != level:
            level = a
        elif a > level + GAIN_DEAD_BAND_M:
            gain += a - GAIN_DEAD_BAND_M - level
            level = a - GAIN_DEAD_BAND_M
        elif a < level - GAIN_DEAD_BAND_M:
            level = a + GAIN_DEAD_BAND_M
    return gain if level == level else None


def _lap_heart_rates(laps: Sequence[Lap]) -> tuple[float | None, float | None]:
    weighted = [(lap.avg_hr_bpm, lap.duration_s) for lap in laps if lap.avg_hr_bpm is not None]
    seconds = sum(w for _, w in weighted)
    average = None
    if weighted:
        average = (
            sum(hr * w for hr, w in weighted) / seconds
            if seconds > 0
            else sum(hr for hr, _ in weighted) / len(weighted)
        )
    maxima = [lap.max_hr_bpm for lap in laps if lap.max_hr_bpm is not None]
    return average, (max(maxima) if maxima else None)


def build_activity(legs: Sequence[Leg], sport: Sport, name: str = "") -> Activity | None:
    """One activity from one or more legs (several only for a multisport session).

    None when the legs hold neither a timed point nor a lap with a start.
    """
    series = [_series(leg) for leg in legs]
    laps = [lap for leg in legs for lap in leg.laps]
    timed = [(leg, s) for leg, s in zip(legs, series, strict=True) if s is not None]
    records = sum(leg.records for leg in legs)
    partial = any(leg.partial for leg in legs)
    if not timed:
        return _activity_from_laps(legs, sport, name, laps, records, partial)

    origin = timed[0][1].t[0]
    columns: dict[str, list[float]] = {
        "time_s": [],
        "heart_rate_bpm": [],
        "speed_m_s": [],
        "distance_m": [],
        "cadence_spm": [],
        "altitude_m": [],
    }
    distance: float | None = None
    moving: float | None = None
    gain: float | None = None
    for _, s in timed:
        base = distance or 0.0
        columns["time_s"].extend([t - origin for t in s.t])
        columns["heart_rate_bpm"].extend(s.hr)
        columns["speed_m_s"].extend(s.speed)
        columns["distance_m"].extend([d + base for d in s.dist] if base else s.dist)
        columns["cadence_spm"].extend(s.cad)
        columns["altitude_m"].extend(s.alt)
        if s.total_m is not None:
            distance = base + s.total_m
        leg_moving = moving_seconds(s.t, s.speed)
        if leg_moving is not None:
            moving = (moving or 0.0) + leg_moving
        leg_gain = elevation_gain(s.alt)
        if leg_gain is not None:
            gain = (gain or 0.0) + leg_gain

    # The device's lap totals beat a sum over GPS positions, which grows with every wobble.
    lap_distance = sum(lap.distance_m or 0.0 for lap in laps)
    if lap_distance > 0 and not any(s.measured for _, s in timed):
        distance = lap_distance
    heart = [h for h in columns["heart_rate_bpm"] if h == h]
    if heart:
        avg_hr: float | None = sum(heart) / len(heart)
        max_hr: float | None = max(heart)
    else:
        avg_hr, max_hr = _lap_heart_rates(laps)
    last = timed[-1][1].t[-1]
    return Activity(
        sport=sport,
        start=dt.datetime.fromtimestamp(origin, dt.UTC),
        duration_s=max(0.0, last - origin),
        utc_offset_s=timed[0][1].offset_s,
        moving_s=moving,
        distance_m=distance,
        elevation_gain_m=gain,
        avg_hr_bpm=avg_hr,
        max_hr_bpm=max_hr,
        laps=tuple(laps),
        streams=Streams.from_lists(columns),
        name=name,
        partial=partial,
        records=records,
    )


def _activity_from_laps(
    legs: Sequence[Leg], sport: Sport, name: str, laps: list[Lap], records: int, partial: bool
) -> Activity | None:
    starts = [leg.start_hint for leg in legs if leg.start_hint is not None]
    starts += [lap.start for lap in laps]
    if not starts:
        return None
    start = min(starts)
    end = max((lap.start + dt.timedelta(seconds=lap.duration_s) for lap in laps), default=start)
    lap_distance = sum(lap.distance_m or 0.0 for lap in laps)
    avg_hr, max_hr = _lap_heart_rates(laps)
    return Activity(
        sport=sport,
        start=start.astimezone(dt.UTC),
        duration_s=(end - start).total_seconds(),
        distance_m=lap_distance if lap_distance > 0 else None,
        avg_hr_bpm=avg_hr,
        max_hr_bpm=max_hr,
        laps=tuple(laps),
        name=name,
        partial=partial,
        records=records,
    )


def first_line(text: str | None, limit: int = 200) -> str:
    """A name from free text: its first non-empty line, trimmed."""
    for line in (text or "").splitlines():
        if line.strip():
            return line.strip()[:limit]
    return ""
