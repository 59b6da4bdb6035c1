"""The records the use cases pass between the importers, the store and the answers.

They belong to no adapter: the store reads and writes them, the import builds them, the
answers read them. Standard library only, like the rest of the domain.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from rubdown.domain.activity import Activity, DailyWellness, Sport
from rubdown.domain.model import Workout, WorkoutKind
from rubdown.domain.patterns import WorkoutPattern


class FileStatus(StrEnum):
    """What became of one imported file: the word its report line and its stored row say."""

    IMPORTED = "imported"
    # All it holds was there already, or the same content was seen before.
    DUPLICATE = "duplicate"
    SKIPPED = "skipped"  # no activity file, or nothing in it to import
    FAILED = "failed"
    PARTIAL = "partial"  # damaged: what came before the damage was imported
    # A stored row whose activities ``reimport`` dropped: not seen any more until it is
    # stored again.
    FORGOTTEN = "forgotten"


@dataclass(frozen=True)
class IncomingActivity:
    """An activity ready to store: the record, its encoded streams and its load basis."""

    activity: Activity  # streams are not read from here: see ``streams_blob``
    local_day: dt.date
    kind: str
    richness: int
    streams_blob: bytes | None = None
    samples: int = 0
    load_basis: dict[str, Any] | None = None


@dataclass(frozen=True)
class IncomingFile:
    """One decoded file, as the decoder hands it over and the store records it.

    ``status`` is the decoder's word (imported, skipped, failed, partial); the store decides
    whether it is a duplicate (see ``FileOutcome.status``)."""

    shown: str
    sha256: str
    format: str
    status: FileStatus
    records: int = 0
    error: str | None = None
    activities: Sequence[IncomingActivity] = ()
    wellness: Sequence[DailyWellness] = ()
    export: str = ""  # which export the file came in, for ``reimport`` to rebuild the links
    container: str = ""
    inner: str = ""


@dataclass
class FileOutcome:
    added: list[str] = field(default_factory=list)  # ids of new activities
    merged: list[str] = field(default_factory=list)  # ids of activities it was another source of
    wellness_days: int = 0
    # The file's status as stored: DUPLICATE when all it holds was there already, or when
    # another import stored the same file while this one was reading it.
    status: FileStatus = FileStatus.IMPORTED


@dataclass(frozen=True)
class StoredLoad:
    """What the load of a stored activity is recomputed from."""

    id: str
    local_day: dt.date
    sport: Sport
    duration_s: float
    max_hr_bpm: float | None
    basis: dict[str, Any] | None


@dataclass(frozen=True)
class ActivityRow:
    """A stored activity (without streams) with the day and kind the import decided."""

    activity: Activity
    local_day: dt.date
    kind: str


@dataclass(frozen=True)
class StoredSource:
    """A file seen before, with where it sat: what ``reimport`` reads its kept original by."""

    sha256: str
    format: str
    shown: str
    export: str = ""
    container: str = ""
    inner: str = ""


@dataclass(frozen=True)
class ManualRun:
    """A run the runner told rubdown about: a day, a duration and a CR-10 RPE, no file."""

    day: dt.date  # the runner's day
    start: dt.datetime  # aware: the day at the runner's usual time, in their zone
    duration_s: float
    rpe: float
    given_kind: WorkoutKind | None = None  # what the runner marked it; None: the load decides
    kind: WorkoutKind = WorkoutKind.EASY  # what the rules see (``given_kind`` when given)
    load: float | None = None
    load_method: str = ""
    id: str = ""


@dataclass(frozen=True)
class ActivityMarks:
    """What the runner said about one activity, which a load refresh must not overwrite."""

    rpe: float | None
    manual_kind: WorkoutKind | None  # None: imported, or logged by hand without a kind


@dataclass(frozen=True)
class StoredPattern:
    """A pattern as stored, with the workouts it made and the recovery weeks it marked."""

    pattern: WorkoutPattern
    workouts: tuple[Workout, ...]
    recovery_mondays: tuple[dt.date, ...]


@dataclass(frozen=True)
class VersionStamp:
    """Where a runner's data stands: ``data_version`` moves on with every committed write of
    the runner's rows (in the write's own transaction, so no write path can forget it, and a
    write from another process counts as much as one from this). ``timezone`` is the stored
    profile's (None before a profile is saved): with the clock it gives the runner's "today"."""

    data_version: int
    timezone: str | None
