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
from rubdown.domain.load import load_basis
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
    """Turn a parser's answer into the status line and the rows to store."""
    usable = parsed.activities or parsed.wellness
    if parsed.problem and not parsed.partial and not usable:
        return JobResult(shown, sha, kind.value, "failed", parsed.records, parsed.problem)
    # A summary file with one unreadable row still gives the others; the row is named.
    if not parsed.activities and not parsed.wellness:
        reason = parsed.skipped or parsed.problem or "nothing to import"
        return JobResult(shown, sha, kind.value, "skipped", parsed.records, reason)
    zone = ZoneInfo(timezone)
    richness = RICHNESS.get(kind, 10)
    activities = [prepare(activity, zone, richness) for activity in parsed.activities]
    status = "partial" if parsed.partial else "imported"
    return JobResult(
        shown,
        sha,
        kind.value,
        status,
        parsed.records,
        parsed.problem,
        activities,
        list(parsed.wellness),
    )


def prepare(activity: Activity, zone: dt.tzinfo, richness: int) -> IncomingActivity:
    """Summarise an activity for storage: its day, its load basis and its packed streams."""
    basis = load_basis(activity)
    blob = None
    samples = 0
    if activity.streams is not None and len(activity.streams):
        blob = encode_streams(activity.streams)
        samples = len(activity.streams)
    light = replace(activity, streams=None)
    return IncomingActivity(
        activity=light,
        local_day=activity.local_day(zone),
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
