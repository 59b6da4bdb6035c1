"""``RunnerData`` on the store: each method is the store's, with the runner's ID put first.

Made by ``Store.for_owner``, which creates the runner if new, so a use case never passes an
owner and cannot read or change another runner's rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

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

if TYPE_CHECKING:
    from rubdown.store.store import Store


class StoredRunnerData:
    """One runner's rows in ``store``."""

    def __init__(self, store: Store, owner_id: str) -> None:
        self._store = store
        self._owner_id = owner_id

    @property
    def owner_id(self) -> str:
        return self._owner_id

    def version_stamp(self) -> VersionStamp:
        return self._store.version_stamp(self.owner_id)

    def get_profile(self) -> Profile | None:
        return self._store.get_profile(self.owner_id)

    def save_profile(self, profile: Profile) -> None:
        return self._store.save_profile(self.owner_id, profile)

    def update_profile(
        self, change: Callable[[Profile | None], Profile], *, loads_depend_on: Iterable[str] = ()
    ) -> Profile:
        return self._store.update_profile(self.owner_id, change, loads_depend_on=loads_depend_on)

    def add_race(self, race: Race, *, source: str = "cli", source_uid: str | None = None) -> Race:
        return self._store.add_race(self.owner_id, race, source=source, source_uid=source_uid)

    def list_races(self) -> list[Race]:
        return self._store.list_races(self.owner_id)

    def update_race(self, race: Race) -> Race:
        return self._store.update_race(self.owner_id, race)

    def remove_race(self, race_id: str) -> None:
        return self._store.remove_race(self.owner_id, race_id)

    def add_workout(self, workout: Workout, *, source_uid: str | None = None) -> Workout:
        return self._store.add_workout(self.owner_id, workout, source_uid=source_uid)

    def list_workouts(self) -> list[Workout]:
        return self._store.list_workouts(self.owner_id)

    def update_workout(self, workout: Workout) -> Workout:
        return self._store.update_workout(self.owner_id, workout)

    def remove_workout(self, workout_id: str) -> None:
        return self._store.remove_workout(self.owner_id, workout_id)

    def has_source_uid(self, table: Literal["races", "workouts"], uid: str) -> bool:
        return self._store.has_source_uid(self.owner_id, table, uid)

    def import_batch(
        self,
        races: Iterable[tuple[Race, str | None]],
        workouts: Iterable[tuple[Workout, str | None]],
        *,
        source: str = "calendar",
    ) -> tuple[list[Race], list[Workout]]:
        return self._store.import_batch(self.owner_id, races, workouts, source=source)

    def add_pattern(
        self,
        pattern: WorkoutPattern,
        workouts: Sequence[Workout],
        mondays: Sequence[dt.date],
        *,
        replacing: str | None = None,
    ) -> StoredPattern:
        return self._store.add_pattern(
            self.owner_id, pattern, workouts, mondays, replacing=replacing
        )

    def list_patterns(self) -> list[WorkoutPattern]:
        return self._store.list_patterns(self.owner_id)

    def remove_pattern(self, pattern_id: str) -> StoredPattern:
        return self._store.remove_pattern(self.owner_id, pattern_id)

    def recovery_weeks(self) -> frozenset[dt.date]:
        return self._store.recovery_weeks(self.owner_id)

    def mark_recovery_week(self, monday: dt.date) -> bool:
        return self._store.mark_recovery_week(self.owner_id, monday)

    def unmark_recovery_week(self, monday: dt.date) -> bool:
        return self._store.unmark_recovery_week(self.owner_id, monday)

    def add_session(self, session: MassageSession, *, note: str = "") -> MassageSession:
        return self._store.add_session(self.owner_id, session, note=note)

    def list_sessions(self) -> list[MassageSession]:
        return self._store.list_sessions(self.owner_id)

    def load_plan(self) -> list[PlannedSession]:
        return self._store.load_plan(self.owner_id)

    def save_plan(self, sessions: Sequence[PlannedSession]) -> None:
        return self._store.save_plan(self.owner_id, sessions)

    def therapist_hours(self) -> WeeklyHours:
        return self._store.therapist_hours(self.owner_id)

    def save_therapist_hours(self, hours: WeeklyHours) -> None:
        return self._store.save_therapist_hours(self.owner_id, hours)

    def list_bookings(self) -> list[BookedSession]:
        from rubdown.store.booked_rows import runner_bookings

        return runner_bookings(self._store, self.owner_id)

    def add_checkin(self, checkin: CheckIn) -> bool:
        return self._store.add_checkin(self.owner_id, checkin)

    def update_checkin(
        self, day: dt.date, change: Callable[[CheckIn | None], CheckIn]
    ) -> tuple[CheckIn, bool]:
        return self._store.update_checkin(self.owner_id, day, change)

    def checkin_on(self, day: dt.date) -> CheckIn | None:
        return self._store.checkin_on(self.owner_id, day)

    def list_checkins(self) -> list[CheckIn]:
        return self._store.list_checkins(self.owner_id)

    def add_injury(self, episode: InjuryEpisode) -> InjuryEpisode:
        return self._store.add_injury(self.owner_id, episode)

    def list_injuries(self) -> list[InjuryEpisode]:
        return self._store.list_injuries(self.owner_id)

    def end_injury(self, injury_id: str, end: dt.date, helped: str = "") -> InjuryEpisode:
        return self._store.end_injury(self.owner_id, injury_id, end, helped)

    def log_routine(self, log: RoutineLog) -> RoutineLog:
        return self._store.log_routine(self.owner_id, log)

    def list_routine_logs(self) -> list[RoutineLog]:
        return self._store.list_routine_logs(self.owner_id)

    def add_manual_run(self, run: ManualRun, *, load_basis: Mapping[str, Any]) -> ManualRun:
        return self._store.add_manual_run(self.owner_id, run, load_basis=load_basis)

    def list_manual_runs(self) -> list[ManualRun]:
        return self._store.list_manual_runs(self.owner_id)

    def activity_marks(self) -> dict[str, ActivityMarks]:
        return self._store.activity_marks(self.owner_id)

    def file_statuses(self) -> dict[str, FileStatus]:
        return self._store.file_statuses(self.owner_id)

    def record_file(self, incoming: IncomingFile, *, first_time: bool = False) -> FileOutcome:
        return self._store.record_file(self.owner_id, incoming, first_time=first_time)

    def record_files(self, batch: Sequence[tuple[IncomingFile, bool]]) -> list[FileOutcome]:
        return self._store.record_files(self.owner_id, batch)

    def raw_sources(self) -> list[StoredSource]:
        return self._store.raw_sources(self.owner_id)

    def forget_imports(self) -> None:
        return self._store.forget_imports(self.owner_id)

    def list_activities(
        self, start: dt.date | None = None, end: dt.date | None = None
    ) -> list[ActivityRow]:
        return self._store.list_activities(self.owner_id, start, end)

    def activity_days(self) -> list[tuple[str, dt.date, str, float]]:
        return self._store.activity_days(self.owner_id)

    def activity_sources(self, activity_id: str) -> list[dict[str, Any]]:
        return self._store.activity_sources(self.owner_id, activity_id)

    def list_wellness(self) -> list[DailyWellness]:
        return self._store.list_wellness(self.owner_id)

    def stored_loads(self) -> list[StoredLoad]:
        return self._store.stored_loads(self.owner_id)

    def loads_pending(self) -> int:
        return self._store.loads_pending(self.owner_id)

    def save_loads(self, loads: Iterable[tuple[str, float, str, str]], *, settles: int = 0) -> None:
        return self._store.save_loads(self.owner_id, loads, settles=settles)

    def feed_secret_hash(self) -> str | None:
        return self._store.feed_secret_hash(self.owner_id)

    def set_feed_secret_hash(self, secret_hash: str) -> None:
        return self._store.set_feed_secret_hash(self.owner_id, secret_hash)

    def remove_feed_secret_hash(self) -> bool:
        return self._store.remove_feed_secret_hash(self.owner_id)
