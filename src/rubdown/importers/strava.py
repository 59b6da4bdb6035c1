"""The ``activities.csv`` of a Strava bulk export: one summary row per activity, and the only
link between an activity and its uploaded file (the ``Filename`` column).

Layout facts this module relies on (see the research note on the Strava bulk export):

* Five header names appear twice (``Elapsed Time``, ``Distance``, ``Max Heart Rate``,
  ``Relative Effort``, ``Commute``): columns 1-15 are a display block in the athlete's own
  units, the rest an SI block. A dict-based reader would silently keep only one of each, so
  rows are read as lists and the SI copy is picked by position.
* Columns are only ever appended, so their order is stable across export generations, and
  exports of non-English accounts translate the header names but keep the order. A translated
  header is recognised by that order (the duplicated names sit at the same places) and read by
  position.
* Non-English exports also localise dates (``6. 9. 2026 11:18:40``) and decimal separators
  (``"33,22"``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from rubdown.domain.activity import Activity, Parsed, Sport

# Where each column rubdown reads sits in the export's layout (0-based). For the duplicated
# names the SI-block copy comes first in the tuple; the display copy is only a fallback and
# only where it holds the same unit (heart rate, whole seconds), never for distance.
_LAYOUT: dict[str, tuple[int, ...]] = {
    "Activity ID": (0,),
    "Activity Date": (1,),
    "Activity Name": (2,),
    "Activity Type": (3,),
    "Elapsed Time": (15, 5),
    "Max Heart Rate": (30, 7),
    "Filename": (12,),
    "Moving Time": (16,),
    "Distance": (17,),
    "Elevation Gain": (20,),
    "Average Heart Rate": (31,),
}

# For a header read by name: which occurrence of a duplicated name to read, best first. An
# export with a single Distance column predates the SI block, and its unit is the athlete's
# display preference, which the file does not state, so that column is not read at all.
_OCCURRENCES: dict[str, tuple[int, ...]] = {
    "Elapsed Time": (1, 0),
    "Max Heart Rate": (1, 0),
    "Distance": (1,),
}

# Pairs of positions that carry the same (translated or not) name in every known layout.
_DUPLICATED = ((5, 15), (6, 17))

# Strava's display names for activity types, keyed without case, spaces or dashes so that the
# API spellings ("TrailRun", "WeightTraining") match too. The German names come from public
# importers of translated exports and are unverified; anything unknown becomes OTHER, and the
# activity file's own sport wins over this one whenever it is known.
_SPORTS: dict[str, Sport] = {
    "run": Sport.RUNNING,
    "trailrun": Sport.TRAIL_RUNNING,
    "virtualrun": Sport.TREADMILL,  # Strava files treadmill runs with Zwift & co. here
    "walk": Sport.WALKING,
    "hike": Sport.HIKING,
    "snowshoe": Sport.HIKING,
    "ride": Sport.CYCLING,
    "virtualride": Sport.CYCLING,
    "ebikeride": Sport.CYCLING,
    "mountainbikeride": Sport.CYCLING,
    "emountainbikeride": Sport.CYCLING,
    "gravelride": Sport.CYCLING,
    "handcycle": Sport.CYCLING,
    "velomobile": Sport.CYCLING,
    "swim": Sport.SWIMMING,
    "rowing": Sport.ROWING,
    "virtualrow": Sport.ROWING,
    "alpineski": Sport.SKIING,
    "backcountryski": Sport.SKIING,
    "nordicski": Sport.SKIING,
    "rollerski": Sport.SKIING,
    "snowboard": Sport.SKIING,
    "kayaking": Sport.PADDLING,
    "canoeing": Sport.PADDLING,
    "canoe": Sport.PADDLING,
    "standuppaddling": Sport.PADDLING,
    "weighttraining": Sport.STRENGTH,
    "crossfit": Sport.STRENGTH,
    # German
    "lauf": Sport.RUNNING,
    "traillauf": Sport.TRAIL_RUNNING,
    "virtuellerlauf": Sport.TREADMILL,
    "spaziergang": Sport.WALKING,
    "wanderung": Sport.HIKING,
    "radfahrt": Sport.CYCLING,
    "virtuelleradfahrt": Sport.CYCLING,
    "ebikefahrt": Sport.CYCLING,
    "mountainbikefahrt": Sport.CYCLING,
    "schwimmen": Sport.SWIMMING,
    "rudern": Sport.ROWING,
    "krafttraining": Sport.STRENGTH,
}

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january", "januar"),
            ("feb", "february", "februar"),
            ("mar", "march", "mär", "märz", "mrz"),
            ("apr", "april"),
            ("may", "mai"),
            ("jun", "june", "juni"),
            ("jul", "july", "juli"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october", "okt", "oktober"),
            ("nov", "november"),
            ("dec", "december", "dez", "dezember"),
        ),
        start=1,
    )
    for name in names
}

_TIME = r"(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?\s*(?P<ampm>[AaPp]\.?\s?[Mm]\.?)?"
# English "Oct 6, 2022, 11:19:20 PM"; numeric day-first "6. 9. 2026 11:18:40" and
# "06.09.2026, 11:18:40"; ISO "2026-09-06 11:18:40". Slash dates are left out on purpose:
# 06/09/2026 reads both ways and a wrong guess would be worse than a reported problem.
_DATES = (
    re.compile(rf"^(?P<mon>[^\W\d_]{{3,9}})\.? (?P<d>\d{{1,2}}),? (?P<y>\d{{4}}),?\s+{_TIME}$"),
    re.compile(rf"^(?P<d>\d{{1,2}})\.? (?P<mon>[^\W\d_]{{3,9}})\.? (?P<y>\d{{4}}),?\s+{_TIME}$"),
    re.compile(rf"^(?P<d>\d{{1,2}})\.\s*(?P<m>\d{{1,2}})\.\s*(?P<y>\d{{4}}),?\s+{_TIME}$"),
    re.compile(rf"^(?P<y>\d{{4}})-(?P<m>\d{{1,2}})-(?P<d>\d{{1,2}})[ T]{_TIME}$"),
)

_SPACES = str.maketrans("", "", " \u00a0\u202f'")


@dataclass(frozen=True)
class StravaRow:
    """One row of ``activities.csv``, in SI units."""

    activity_id: str
    # "Activity Date" carries no zone. Public importers read it as UTC, and so does rubdown;
    # this is not confirmed on a real export, where the FIT start time would settle it.
    start: dt.datetime
    name: str
    sport: Sport
    elapsed_s: float | None = None
    moving_s: float | None = None
    distance_m: float | None = None  # the SI block's Distance, never the display one
    elevation_gain_m: float | None = None
    avg_hr_bpm: float | None = None
    max_hr_bpm: float | None = None
    filename: str = ""  # "" for an activity entered by hand
    activity_type: str = ""  # as written, for messages

    def to_activity(self) -> Activity:
        """The row on its own: a summary without streams, for manual entries and for
        files that cannot be read."""
        duration = self.elapsed_s if self.elapsed_s is not None else self.moving_s
        return Activity(
            sport=self.sport,
            start=self.start,
            duration_s=duration if duration is not None else 0.0,
            moving_s=self.moving_s,
            distance_m=self.distance_m,
            elevation_gain_m=self.elevation_gain_m,
            avg_hr_bpm=self.avg_hr_bpm,
            max_hr_bpm=self.max_hr_bpm,
            name=self.name,
            source_ref=self.activity_id,
            records=0,
        )


def enrich(activity: Activity, row: StravaRow) -> Activity:
    """What the CSV adds to the activity decoded from the row's own file.

    The file knows the measurements better; the CSV knows the title the runner gave, Strava's
    id, and the sport when the file leaves it open (a TCX "Other", a GPX without a type).
    """
    changes: dict[str, object] = {"source_ref": row.activity_id}
    if row.name:
        changes["name"] = row.name
    if activity.sport is Sport.OTHER and row.sport is not Sport.OTHER:
        changes["sport"] = row.sport
    return activity.with_changes(**changes)


def _normalise_path(path: str) -> str:
    path = path.strip().replace("\\", "/")
    while path.startswith("./"):
        path = path[2:]
    return posixpath.normpath(path) if path else ""


@dataclass(frozen=True)
class StravaIndex:
    """Every readable row, and one line per row that could not be read."""

    rows: tuple[StravaRow, ...] = ()
    problems: tuple[str, ...] = ()
    _by_file: dict[str, StravaRow] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        for row in self.rows:
            key = _normalise_path(row.filename)
            if key:
                self._by_file.setdefault(key, row)

    def for_file(self, inner: str) -> StravaRow | None:
        """The row whose ``Filename`` is this export-relative path (``activities/1.fit.gz``)."""
        key = _normalise_path(inner)
        return self._by_file.get(key) if key else None


def _first_line(head: bytes) -> list[str] | None:
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    try:
        return next(csv.reader(io.StringIO(text, newline="")))
    except (StopIteration, csv.Error):
        return None


def _is_english(header: Sequence[str]) -> bool:
    return bool(header) and header[0].strip() == "Activity ID" and "Filename" in header


def _is_translated_layout(header: Sequence[str]) -> bool:
    """A header in another language, recognised by the export's column order."""
    if len(header) < 21 or "id" not in header[0].lower():
        return False
    return all(header[a].strip() == header[b].strip() != "" for a, b in _DUPLICATED)


def sniff(head: bytes) -> bool:
    header = _first_line(head)
    if header is None:
        return False
    header = [name.strip() for name in header]
    return _is_english(header) or _is_translated_layout(header)


def _column_map(header: Sequence[str]) -> dict[str, tuple[int, ...]] | None:
    names = [name.strip() for name in header]
    if _is_english(names):
        places: dict[str, list[int]] = {}
        for index, name in enumerate(names):
            places.setdefault(name, []).append(index)
        return {
            name: tuple(
                places[name][n]
                for n in _OCCURRENCES.get(name, (0,))
                if n < len(places.get(name, ()))
            )
            for name in _LAYOUT
        }
    if _is_translated_layout(names):
        return {
            name: tuple(i for i in layout if i < len(names)) for name, layout in _LAYOUT.items()
        }
    return None


def _cell(row: Sequence[str], places: tuple[int, ...]) -> str:
    for index in places:
        if index < len(row) and row[index].strip():
            return row[index].strip()
    return ""


def _number(text: str) -> float | None:
    text = text.translate(_SPACES)
    if not text:
        return None
    if "," in text and "." in text:
        # Whichever comes last is the decimal separator; the other groups thousands.
        if text.rfind(",") > text.rfind("."):
            text = text.replace(".", "").replace(",", ".")
        else:
            text = text.replace(",", "")
    elif "," in text:
        text = text.replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None


def _seconds(text: str) -> float | None:
    if ":" in text:
        parts = text.split(":")
        if len(parts) > 3 or not all(p.strip().isdigit() for p in parts):
            return None
        total = 0.0
        for part in parts:
            total = total * 60 + int(part)
        return total
    return _number(text)


def parse_date(text: str) -> dt.datetime | None:
    """An "Activity Date" in any of the known spellings, as an aware UTC instant."""
    text = " ".join(text.split())
    for pattern in _DATES:
        match = pattern.match(text)
        if match is None:
            continue
        parts = match.groupdict()
        if parts.get("mon") is not None:
            month = _MONTHS.get(parts["mon"].lower())
            if month is None:
                return None
        else:
            month = int(parts["m"])
        hour = int(parts["H"])
        ampm = (parts.get("ampm") or "").lower()
        if ampm:
            if not 1 <= hour <= 12:
                return None
            hour = hour % 12 + (12 if ampm.startswith("p") else 0)
        try:
            return dt.datetime(
                int(parts["y"]),
                month,
                int(parts["d"]),
                hour,
                int(parts["M"]),
                int(parts["S"] or 0),
                tzinfo=dt.UTC,
            )
        except ValueError:
            return None
    return None


def sport_of(activity_type: str) -> Sport:
    key = re.sub(r"[\s\-_]", "", activity_type).lower()
    return _SPORTS.get(key, Sport.OTHER)


def _read_row(row: Sequence[str], columns: dict[str, tuple[int, ...]]) -> StravaRow | str:
    activity_id = _cell(row, columns["Activity ID"])
    if not activity_id:
        return "no Activity ID"
    raw_date = _cell(row, columns["Activity Date"])
    start = parse_date(raw_date)
    if start is None:
        return f"unreadable date {raw_date!r}"
    activity_type = _cell(row, columns["Activity Type"])
    return StravaRow(
        activity_id=activity_id,
        start=start,
        name=_cell(row, columns["Activity Name"]),
        sport=sport_of(activity_type),
        elapsed_s=_seconds(_cell(row, columns["Elapsed Time"])),
        moving_s=_seconds(_cell(row, columns["Moving Time"])),
        distance_m=_number(_cell(row, columns["Distance"])),
        elevation_gain_m=_number(_cell(row, columns["Elevation Gain"])),
        avg_hr_bpm=_number(_cell(row, columns["Average Heart Rate"])),
        max_hr_bpm=_number(_cell(row, columns["Max Heart Rate"])),
        filename=_cell(row, columns["Filename"]),
        activity_type=activity_type,
    )


def parse_activities_csv(data: bytes) -> StravaIndex:
    """Every row of the export's ``activities.csv``. Row numbers in problems count the
    header as row 1, as a spreadsheet shows them."""
    text = data.decode("utf-8", errors="replace").lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
    except csv.Error as error:
        return StravaIndex(problems=(f"row 1: unreadable header ({error})",))
    columns = _column_map(header) if header else None
    if columns is None:
        return StravaIndex(problems=("row 1: not an activities.csv header",))
    rows: list[StravaRow] = []
    problems: list[str] = []
    number = 1
    while True:
        number += 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            problems.append(f"row {number}: unreadable CSV ({error})")
            break
        if not any(cell.strip() for cell in row):
            continue
        read = _read_row(row, columns)
        if isinstance(read, str):
            problems.append(f"row {number}: {read}")
        else:
            rows.append(read)
    return StravaIndex(tuple(rows), tuple(problems))


def parse(data: bytes, *, salvage: bool = False) -> Parsed:
    """The rows as summary activities, for the import protocol of ``importers.base``;
    rows are independent, so ``salvage`` changes nothing."""
    index = parse_activities_csv(data)
    problem = None
    if index.problems:
        more = len(index.problems) - 1
        problem = index.problems[0] + (f" (and {more} more)" if more else "")
    return Parsed(
        activities=tuple(row.to_activity() for row in index.rows),
        records=len(index.rows),
        problem=problem,
        extra={"problems": index.problems},
    )
