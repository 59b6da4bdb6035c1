"""The part of an import that runs on every core: decompress, detect, parse, summarise.

A job names one file already kept in the raw store (``keeping.raw``) by its hash, and comes
back as rows ready to store; nothing here touches the database, so jobs can run in other
processes. The file is read from the store as a stream, never whole: XML beyond a few MiB is
parsed as it is read, and the formats that can only be read whole (FIT, JSON, CSV) are
refused beyond ``MAX_WHOLE_BYTES`` with one line, so a file costs bounded memory whatever its
size. Every parser's activities then meet the same plausibility bounds (``importers.caps``).
"""

from __future__ import annotations

import ctypes
import datetime as dt
import io
import math
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from zoneinfo import ZoneInfo

from rubdown.domain.activity import Activity, Parsed
from rubdown.domain.dates import out_of_range
from rubdown.domain.load import load_basis
from rubdown.domain.names import printable
from rubdown.domain.records import FileStatus, IncomingActivity, IncomingFile
from rubdown.importers import caps, registry
from rubdown.importers.archive import Limits
from rubdown.importers.base import Format, ImportProblem
from rubdown.importers.sniff import open_payload
from rubdown.keeping.raw import RawFiles
from rubdown.keeping.streams import encode_streams
from rubdown.services.heart_walk import fast_hr_mean_and_max, fast_walk_heart, fast_walk_speed


@dataclass(frozen=True)
class Job:
    """One file to decode: the original kept in ``raw_root`` under ``sha256``, or, for a small
    file not kept yet, its bytes in ``data`` (the import keeps it once it proves to be an
    activity file: no round trip through the disk). ``fresh`` says this import put it in the
    store, so the worker removes it again if it is no activity file."""

    shown: str
    name: str
    inner: str
    sha256: str
    salvage: bool
    timezone: str
    raw_root: Path
    limits: Limits
    fresh: bool = False
    data: bytes | None = None


def run_job(job: Job) -> IncomingFile:
    try:
        result = _run(job)
    except ImportProblem as problem:
        result = IncomingFile(
            job.shown, job.sha256, "unknown", FileStatus.FAILED, error=str(problem)
        )
    except Exception as error:  # a parser bug must cost one file, never the whole import
        message = f"could not be read ({type(error).__name__}: {error})"
        result = IncomingFile(job.shown, job.sha256, "unknown", FileStatus.FAILED, error=message)
    if job.fresh and result.format == Format.UNKNOWN.value:
        # Not kept when nothing could be made of it, as before files were spooled first.
        RawFiles(job.raw_root).forget(job.sha256)
    return result


def _run(job: Job) -> IncomingFile:
    sha = job.sha256
    kept = RawFiles(job.raw_root)
    with io.BytesIO(job.data) if job.data is not None else kept.open(sha) as source:
        try:
            opened = open_payload(source, job.name, job.limits)
        except ImportProblem as problem:
            return IncomingFile(
                job.shown, sha, Format.UNKNOWN.value, FileStatus.FAILED, error=str(problem)
            )
        path = job.inner or job.name
        kind = registry.format_of(opened, path)
        if kind is None:
            error = "not an activity file"
            return IncomingFile(
                job.shown, sha, Format.UNKNOWN.value, FileStatus.SKIPPED, error=error
            )
        parsed = registry.parse(kind, opened, path, salvage=job.salvage)
    return result_from_parsed(job.shown, sha, kind, caps.checked(parsed), job.timezone)


def result_from_parsed(
    shown: str, sha: str, kind: Format, parsed: Parsed, timezone: str
) -> IncomingFile:
    """Turn a parser's answer into the status line and the rows to store.

    Every format comes through here, so this is where activity files meet the date policy
    (``domain.dates``): an activity or wellness day outside the accepted years is refused
    with the policy's one line, and the file fails when nothing else in it is left.
    """
    usable = parsed.activities or parsed.wellness
    # Damaged with nothing kept (salvage found nothing before the damage, too): a failure,
    # so the exit status says so, not a well-formed file with nothing in it.
    if parsed.problem and not usable:
        return IncomingFile(
            shown, sha, kind.value, FileStatus.FAILED, parsed.records, parsed.problem
        )
    # A summary file with one unreadable row still gives the others; the row is named.
    if not parsed.activities and not parsed.wellness:
        reason = parsed.skipped or parsed.problem or "nothing to import"
        return IncomingFile(shown, sha, kind.value, FileStatus.SKIPPED, parsed.records, reason)
    zone = ZoneInfo(timezone)
    richness = registry.richness(kind)
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
        return IncomingFile(shown, sha, kind.value, FileStatus.FAILED, parsed.records, problem)
    status = FileStatus.PARTIAL if parsed.partial else FileStatus.IMPORTED
    return IncomingFile(
        shown, sha, kind.value, status, parsed.records, problem, activities, wellness
    )


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
    basis = load_basis(activity, fast_walk_heart, fast_hr_mean_and_max, fast_walk_speed)
    blob = None
    samples = 0
    if activity.streams is not None and len(activity.streams):
        blob = encode_streams(activity.streams)
        samples = len(activity.streams)
    # A name inside a file (a Strava CSV row, say) is stored and shown like a file name.
    name = printable(activity.name)
    light = activity
    if activity.streams is not None or name is not activity.name:
        light = replace(activity, streams=None, name=name)
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
    """JSON has no NaN: a missing number is stored as null. ``data`` itself when every
    number is finite (nearly always), else a copy."""
    missing = [
        key for key, value in data.items() if isinstance(value, float) and not math.isfinite(value)
    ]
    return {**data, **dict.fromkeys(missing)} if missing else data


def run_jobs(run: Callable[[Job], IncomingFile], jobs: Sequence[Job]) -> list[IncomingFile]:
    """A batch of jobs in a pool worker, in order. It lives here, with ``watch_parent``, so
    that a worker imports what decoding needs and not the import service around it."""
    return [run(job) for job in jobs]


# How often a worker looks whether the import that started it is still there.
PARENT_CHECK_S = 0.5


def watch_parent(parent_pid: int) -> None:
    """Make a pool worker end with the process that started it.

    On Linux the kernel kills the worker when its parent dies (``PR_SET_PDEATHSIG``); a
    thread that checks ``os.getppid()`` covers other systems, and a parent that died before
    the request was made.
    SIGINT is ignored (and unblocked, see ``_sigint_held``): a Ctrl-C reaches the whole
    process group, and the import alone decides what it means; its workers end with it.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass  # the thread below still does the work

    # A worker forked by a fork server is that server's child, not the import's: it ends
    # when either goes (the server ends with the import that started it).
    started_under = os.getppid()

    def watch() -> None:
        while os.getppid() == started_under and _alive(parent_pid):
            time.sleep(PARENT_CHECK_S)
        os._exit(1)

    threading.Thread(target=watch, name="rubdown-parent-watch", daemon=True).start()


_PR_SET_PDEATHSIG = 1


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # there, but another user's: not ours, yet not gone
    return True
