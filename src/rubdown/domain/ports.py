"""What a use case needs from the world outside the domain: a runner's stored data and a clock.

``RunnerData`` is bound to one runner when it is made (``Storage.for_owner``), so no use
case passes an owner around and none can reach another runner's rows by mistake. The store
implements it on SQLite and PostgreSQL; the tests have an in-memory one. ``Storage`` is the
whole database, every runner: what opens a runner's data, plus the few questions that are
not any one runner's (whose feed a secret opens).

Every write is whole or not at all, and moves the runner's data version on unless it found
nothing to change (``version_stamp``), which is what kept answers are checked against.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Literal, Protocol

from rubdown.domain.activity import DailyWellness
from rubdown.domain.availability import WeeklyHours
from rubdown.domain.booked import BookedSession
from rubdown.domain.model import (
    CheckIn,
    InjuryEpisode,
    MassageSession,
    Profile,
    Race,
    RoutineLog,
    Workout,
)
from rubdown.domain.patterns import WorkoutPattern
from rubdown.domain.plan import PlannedSession
from rubdown.domain.records import (
    ActivityMarks,
    ActivityRow,
    FileOutcome,
    FileStatus,
    IncomingFile,
    ManualRun,
    StoredLoad,
    StoredPattern,
    StoredSource,
    VersionStamp,
)


class Clock(Protocol):
    """Now, aware (UTC): pinned in demos and tests, so "today" does not depend on the day."""

    def __call__(self) -> dt.datetime: ...


class RunnerData(Protocol):
    """One runner's stored data; every read and write is that runner's only."""

    @property
    def owner_id(self) -> str: ...

    def version_stamp(self) -> VersionStamp: ...

    # -- profile -------------------------------------------------------------------------------

    def get_profile(self) -> Profile | None: ...

    def save_profile(self, profile: Profile) -> None: ...

    def update_profile(
        self, change: Callable[[Profile | None], Profile], *, loads_depend_on: Iterable[str] = ()
    ) -> Profile: ...

    # -- races and workouts --------------------------------------------------------------------

    def add_race(
        self, race: Race, *, source: str = "cli", source_uid: str | None = None
    ) -> Race: ...

    def list_races(self) -> list[Race]: ...

    def update_race(self, race: Race) -> Race: ...

    def remove_race(self, race_id: str) -> None: ...

    def add_workout(self, workout: Workout, *, source_uid: str | None = None) -> Workout: ...

    def list_workouts(self) -> list[Workout]: ...

    def update_workout(self, workout: Workout) -> Workout: ...

    def remove_workout(self, workout_id: str) -> None: ...

    def has_source_uid(self, table: Literal["races", "workouts"], uid: str) -> bool: ...

    def import_batch(
        self,
        races: Iterable[tuple[Race, str | None]],
        workouts: Iterable[tuple[Workout, str | None]],
        *,
        source: str = "calendar",
    ) -> tuple[list[Race], list[Workout]]: ...

    # -- weekly patterns and recovery weeks ----------------------------------------------------

    def add_pattern(
        self,
        pattern: WorkoutPattern,
        workouts: Sequence[Workout],
        mondays: Sequence[dt.date],
        *,
        replacing: str | None = None,
    ) -> StoredPattern: ...

    def list_patterns(self) -> list[WorkoutPattern]: ...

    def remove_pattern(self, pattern_id: str) -> StoredPattern: ...

    def recovery_weeks(self) -> frozenset[dt.date]: ...

    def mark_recovery_week(self, monday: dt.date) -> bool: ...

    def unmark_recovery_week(self, monday: dt.date) -> bool: ...

    # -- massage sessions, the plan and the therapist's hours ----------------------------------

    def add_session(self, session: MassageSession, *, note: str = "") -> MassageSession: ...

    def list_sessions(self) -> list[MassageSession]: ...

    def load_plan(self) -> list[PlannedSession]: ...

    def save_plan(self, sessions: Sequence[PlannedSession]) -> None: ...

    def therapist_hours(self) -> WeeklyHours: ...

    def save_therapist_hours(self, hours: WeeklyHours) -> None: ...

    def list_bookings(self) -> list[BookedSession]:
        """Sessions therapists booked for this runner in their clinics, cancelled ones too
        (a calendar is told of a cancellation), by start. Every therapist's, whatever the
        grant says now: a booking is the runner's appointment, so a revoked grant does not
        hide it; only the therapist changes it."""
        ...

    # -- check-ins, injuries, routines, runs logged by hand ------------------------------------

    def add_checkin(self, checkin: CheckIn) -> bool: ...

    def update_checkin(
        self, day: dt.date, change: Callable[[CheckIn | None], CheckIn]
    ) -> tuple[CheckIn, bool]: ...

    def checkin_on(self, day: dt.date) -> CheckIn | None: ...

    def list_checkins(self) -> list[CheckIn]: ...

    def add_injury(self, episode: InjuryEpisode) -> InjuryEpisode: ...

    def list_injuries(self) -> list[InjuryEpisode]: ...

    def end_injury(self, injury_id: str, end: dt.date, helped: str = "") -> InjuryEpisode: ...

    def log_routine(self, log: RoutineLog) -> RoutineLog: ...

    def list_routine_logs(self) -> list[RoutineLog]: ...

    def add_manual_run(self, run: ManualRun, *, load_basis: Mapping[str, Any]) -> ManualRun: ...

    def list_manual_runs(self) -> list[ManualRun]: ...

    def activity_marks(self) -> dict[str, ActivityMarks]: ...

    # -- imported activities, wellness and loads -----------------------------------------------

    def file_statuses(self) -> dict[str, FileStatus]: ...

    def record_file(self, incoming: IncomingFile, *, first_time: bool = False) -> FileOutcome: ...

    def record_files(self, batch: Sequence[tuple[IncomingFile, bool]]) -> list[FileOutcome]: ...

    def raw_sources(self) -> list[StoredSource]: ...

    def forget_imports(self) -> None: ...

    def list_activities(
        self, start: dt.date | None = None, end: dt.date | None = None
    ) -> list[ActivityRow]: ...

    def activity_days(self) -> list[tuple[str, dt.date, str, float]]: ...

    def activity_sources(self, activity_id: str) -> list[dict[str, Any]]: ...

    def list_wellness(self) -> list[DailyWellness]: ...

    def stored_loads(self) -> list[StoredLoad]: ...

    def loads_pending(self) -> int: ...

    def save_loads(
        self, loads: Iterable[tuple[str, float, str, str]], *, settles: int = 0
    ) -> None: ...

    # -- the calendar feed ---------------------------------------------------------------------

    def feed_secret_hash(self) -> str | None: ...

    def set_feed_secret_hash(self, secret_hash: str) -> None: ...

    def remove_feed_secret_hash(self) -> bool: ...


class Storage(Protocol):
    """Where every runner's data is kept; one per process or command."""

    @property
    def shown_url(self) -> str:
        """Where it is, without a password: for messages, and to key what is kept from it."""
        ...

    @property
    def is_local(self) -> bool:
        """Whether a one-row read is a local file's (microseconds, never a network wait), so
        the web app may read on its event loop rather than in a worker thread."""
        ...

    def for_owner(self, owner_id: str) -> RunnerData:
        """The runner's data, the runner created first if new."""
        ...

    def owner_for_feed_hash(self, secret_hash: str) -> str | None:
        """Whose feed secret hashes to ``secret_hash``: a feed request carries no login."""
        ...

    def close(self) -> None: ...
