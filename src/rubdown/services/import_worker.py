"""The part of an import that runs on every core: decompress, detect, parse, summarise.

A job carries the raw bytes of one file and comes back as rows ready to store; nothing here
touches the database, so jobs can run in other processes. The original bytes are kept under
their hash here too, before the file's transaction commits (see ``store.raw``).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from zoneinfo import ZoneInfo

from rubdown.domain.activity import Activity, DailyWellness, Parsed
from rubdown.domain.dates import out_of_range
from rubdown.domain.load import load_basis
from rubdown.domain.names import printable
from rubdown.importers import apple_health, fit, garmin, gpx, strava, tcx
from rubdown.importers.archive import Limits
from rubdown.importers.base import Format, ImportProblem
from rubdown.importers.sniff import unwrap
from rubdown.store.activity_rows import IncomingActivity
from rubdown.store.blobs import encode_streams
from rubdown.store.raw import RawFiles, content_hash

# How much each source is trusted for an activity's numbers: a CRC-checked device file over
# an XML export of it, over a summary without samples. The richer copy's numbers win.
RICHNESS = {
    Format.FIT: 50,
    Format.TCX: 40,
    Format.GPX: 30,
    Format.APPLE_HEALTH: 25,
    Format.GARMIN_SUMMARIES: 20,
    Format.STRAVA_CSV: 10,
}

_PARSERS = {
    Format.FIT: fit.parse,
    Format.GPX: gpx.parse,
    Format.TCX: tcx.parse,
    Format.GARMIN_SUMMARIES: garmin.parse,
    Format.APPLE_HEALTH: apple_health.parse,
    Format.STRAVA_CSV: strava.parse,
}


@dataclass(frozen=True)
class Job:
    shown: str
    name: str
    inner: str
    raw: bytes
    salvage: bool
    timezone: str
    raw_root: Path
    limits: Limits


@dataclass
class JobResult:
    shown: str
    sha256: str
    format: str
    status: str  # imported, skipped, failed, partial
    records: int = 0
    error: str | None = None
    activities: list[IncomingActivity] = field(default_factory=list)
    wellness: list[DailyWellness] = field(default_factory=list)


def run_job(job: Job) -> JobResult:
    try:
        return _run(job)
    except ImportProblem as problem:
        return JobResult(job.shown, content_hash(job.raw), "unknown", "failed", error=str(problem))
    except Exception as error:  # a parser bug must cost one file, never the whole import
        message = f"could not be read ({type(error).__name__}: {error})"
        return JobResult(job.shown, content_hash(job.raw), "unknown", "failed", error=message)


def _run(job: Job) -> JobResult:
    sha = content_hash(job.raw)
    try:
        unwrapped = unwrap(job.raw, job.name, job.limits)
    except ImportProblem as problem:
        return JobResult(job.shown, sha, Format.UNKNOWN.value, "failed", error=str(problem))
    kind = unwrapped.format
    if kind is Format.UNKNOWN and garmin.is_wellness_name(job.inner or job.name):
        kind = Format.GARMIN_WELLNESS
    if kind is Format.GARMIN_WELLNESS:
        parsed = garmin.parse_wellness(job.inner or job.name, unwrapped.payload)
    elif kind in _PARSERS:
        parsed = _PARSERS[kind](unwrapped.payload, salvage=job.salvage)
    else:
        return JobResult(job.shown, sha, kind.value, "skipped", error="not an activity file")
    RawFiles(job.raw_root).put(job.raw, sha)
    return result_from_parsed(job.shown, sha, kind, parsed, job.timezone)


def result_from_parsed(
    shown: str, sha: str, kind: Format, parsed: Parsed, timezone: str
) -> JobResult:
    """Turn a parser's answer into the status line and the rows to store.

    Every format comes through here, so this is where activity files meet the date policy
    (``domain.dates``): an activity or wellness day outside the accepted years is refused
    with the policy's one line, and the file fails when nothing else in it is left.
    """
    usable = parsed.activities or parsed.wellness
    if parsed.problem and not parsed.partial and not usable:
        return JobResult(shown, sha, kind.value, "failed", parsed.records, parsed.problem)
    # A summary file with one unreadable row still gives the others; the row is named.
    if not parsed.activities and not parsed.wellness:
        reason = parsed.skipped or parsed.problem or "nothing to import"
        return JobResult(shown, sha, kind.value, "skipped", parsed.records, reason)
    zone = ZoneInfo(timezone)
    richness = RICHNESS.get(kind, 10)
    activities: list[IncomingActivity] = []
    refused: list[str] = []
    for activity in parsed.activities:
        try:
            activities.append(prepare(activity, zone, richness))
        except OutOfRange as error:
            refused.append(str(error))
    wellness = []
    for day in parsed.wellness:
        refusal = out_of_range(day.day, "wellness day")
        if refusal is None:
            wellness.append(day)
        else:
            refused.append(refusal)
    problem = "; ".join(_first(refused) + ([parsed.problem] if parsed.problem else [])) or None
    if not activities and not wellness:
        return JobResult(shown, sha, kind.value, "failed", parsed.records, problem)
    status = "partial" if parsed.partial else "imported"
    return JobResult(shown, sha, kind.value, status, parsed.records, problem, activities, wellness)


class OutOfRange(ValueError):
    """An activity whose dates rubdown does not store; the message is the policy's line."""


def _first(refusals: list[str], shown: int = 3) -> list[str]:
    """The first few refusals, and how many more: a year of bad rows is not one line each."""
    if len(refusals) <= shown:
        return refusals
    return [*refusals[:shown], f"and {len(refusals) - shown} more"]


def _local_day(activity: Activity, zone: dt.tzinfo) -> dt.date:
    """The activity's day in the runner's zone, after checking its start is storable: a
    start in year 1 or 9999 overflows on the way to a zone, or a week's arithmetic later."""
    refusal = out_of_range(activity.start, "activity start")
    if refusal is not None:
        raise OutOfRange(refusal)
    day = activity.local_day(zone)
    refusal = out_of_range(day, "activity day")
    if refusal is not None:
        raise OutOfRange(refusal)
    return day


def prepare(activity: Activity, zone: dt.tzinfo, richness: int) -> IncomingActivity:
    """Summarise an activity for storage: its day, its load basis and its packed streams.

    Raises OutOfRange, with the date policy's line, for a start outside the accepted years.
    """
    local_day = _local_day(activity, zone)
    basis = load_basis(activity)
    blob = None
    samples = 0
    if activity.streams is not None and len(activity.streams):
        blob = encode_streams(activity.streams)
        samples = len(activity.streams)
    # A name inside a file (a Strava CSV row, say) is stored and shown like a file name.
    light = replace(activity, streams=None, name=printable(activity.name))
    return IncomingActivity(
        activity=light,
        local_day=local_day,
        kind="easy",  # decided with the runner's history once the import is stored
        richness=richness - (5 if activity.partial else 0),
        streams_blob=blob,
        samples=samples,
        load_basis=_finite(basis.to_dict()),
    )


def _finite(data: dict[str, object]) -> dict[str, object]:
    """JSON has no NaN: a missing number is stored as null."""
    return {
        key: None if isinstance(value, float) and not math.isfinite(value) else value
        for key, value in data.items()
    }
