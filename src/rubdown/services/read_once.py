"""``RunnerData`` that reads each thing once, for the length of one answer (``Runner.snapshot``).

An answer (the Today page, a plan) asks for the profile, the races or the plan from several
places; each is read from storage the first time and kept for the rest of the answer. A write
through it forgets everything kept, so what the answer reads after its own write is what was
written. The data version is always read afresh: it is how a kept answer is checked, and a
write made meanwhile by another request moves it on, so that answer is not kept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from typing import Any, Literal, TypeVar, cast

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
from rubdown.domain.ports import RunnerData
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

T = TypeVar("T")


class ReadOnce:
    """``data``, with every read kept until the next write through it."""

    def __init__(self, data: RunnerData) -> None:
        self._data = data
        self._kept: dict[tuple[Hashable, ...], object] = {}

    @property
    def owner_id(self) -> str:
        return self._data.owner_id

    def _once(self, key: tuple[Hashable, ...], read: Callable[[], T]) -> T:
        if key not in self._kept:
            self._kept[key] = read()
        return cast(T, self._kept[key])

    def version_stamp(self) -> VersionStamp:
        return self._data.version_stamp()  # always read: what kept answers are checked by

    def get_profile(self) -> Profile | None:
        return self._once(("get_profile",), self._data.get_profile)

    def save_profile(self, profile: Profile) -> None:
        self._kept.clear()
        return self._data.save_profile(profile)

    def update_profile(
        self, change: Callable[[Profile | None], Profile], *, loads_depend_on: Iterable[str] = ()
    ) -> Profile:
        self._kept.clear()
        return self._data.update_profile(change, loads_depend_on=loads_depend_on)

    def add_race(self, race: Race, *, source: str = "cli", source_uid: str | None = None) -> Race:
        self._kept.clear()
        return self._data.add_race(race, source=source, source_uid=source_uid)

    def list_races(self) -> list[Race]:
        return list(self._once(("list_races",), self._data.list_races))

    def update_race(self, race: Race) -> Race:
        self._kept.clear()
        return self._data.update_race(race)

    def remove_race(self, race_id: str) -> None:
        self._kept.clear()
        return self._data.remove_race(race_id)

    def add_workout(self, workout: Workout, *, source_uid: str | None = None) -> Workout:
        self._kept.clear()
        return self._data.add_workout(workout, source_uid=source_uid)

    def list_workouts(self) -> list[Workout]:
        return list(self._once(("list_workouts",), self._data.list_workouts))

    def update_workout(self, workout: Workout) -> Workout:
        self._kept.clear()
        return self._data.update_workout(workout)

    def remove_workout(self, workout_id: str) -> None:
        self._kept.clear()
        return self._data.remove_workout(workout_id)

    def has_source_uid(self, table: Literal["races", "workouts"], uid: str) -> bool:
        return self._once(
            ("has_source_uid", table, uid), lambda: self._data.has_source_uid(table, uid)
        )

    def import_batch(
        self,
        races: Iterable[tuple[Race, str | None]],
        workouts: Iterable[tuple[Workout, str | None]],
        *,
        source: str = "calendar",
    ) -> tuple[list[Race], list[Workout]]:
        self._kept.clear()
        return self._data.import_batch(races, workouts, source=source)

    def add_pattern(
        self,
        pattern: WorkoutPattern,
        workouts: Sequence[Workout],
        mondays: Sequence[dt.date],
        *,
        replacing: str | None = None,
    ) -> StoredPattern:
        self._kept.clear()
        return self._data.add_pattern(pattern, workouts, mondays, replacing=replacing)

    def list_patterns(self) -> list[WorkoutPattern]:
        return list(self._once(("list_patterns",), self._data.list_patterns))

    def remove_pattern(self, pattern_id: str) -> StoredPattern:
        self._kept.clear()
        return self._data.remove_pattern(pattern_id)

    def recovery_weeks(self) -> frozenset[dt.date]:
        return self._once(("recovery_weeks",), self._data.recovery_weeks)

    def mark_recovery_week(self, monday: dt.date) -> bool:
        self._kept.clear()
        return self._data.mark_recovery_week(monday)

    def unmark_recovery_week(self, monday: dt.date) -> bool:
        self._kept.clear()
        return self._data.unmark_recovery_week(monday)

    def add_session(self, session: MassageSession, *, note: str = "") -> MassageSession:
        self._kept.clear()
        return self._data.add_session(session, note=note)

    def list_sessions(self) -> list[MassageSession]:
        return list(self._once(("list_sessions",), self._data.list_sessions))

    def load_plan(self) -> list[PlannedSession]:
        return list(self._once(("load_plan",), self._data.load_plan))

    def save_plan(self, sessions: Sequence[PlannedSession]) -> None:
        self._kept.clear()
        return self._data.save_plan(sessions)

    def therapist_hours(self) -> WeeklyHours:
        return self._once(("therapist_hours",), self._data.therapist_hours)

    def save_therapist_hours(self, hours: WeeklyHours) -> None:
        self._kept.clear()
        return self._data.save_therapist_hours(hours)

    def list_bookings(self) -> list[BookedSession]:
        return list(self._once(("list_bookings",), self._data.list_bookings))

    def add_checkin(self, checkin: CheckIn) -> bool:
        self._kept.clear()
        return self._data.add_checkin(checkin)

    def update_checkin(
        self, day: dt.date, change: Callable[[CheckIn | None], CheckIn]
    ) -> tuple[CheckIn, bool]:
        self._kept.clear()
        return self._data.update_checkin(day, change)

    def checkin_on(self, day: dt.date) -> CheckIn | None:
        return self._once(("checkin_on", day), lambda: self._data.checkin_on(day))

    def list_checkins(self) -> list[CheckIn]:
        return list(self._once(("list_checkins",), self._data.list_checkins))

    def add_injury(self, episode: InjuryEpisode) -> InjuryEpisode:
        self._kept.clear()
        return self._data.add_injury(episode)

    def list_injuries(self) -> list[InjuryEpisode]:
        return list(self._once(("list_injuries",), self._data.list_injuries))

    def end_injury(self, injury_id: str, end: dt.date, helped: str = "") -> InjuryEpisode:
        self._kept.clear()
        return self._data.end_injury(injury_id, end, helped)

    def log_routine(self, log: RoutineLog) -> RoutineLog:
        self._kept.clear()
        return self._data.log_routine(log)

    def list_routine_logs(self) -> list[RoutineLog]:
        return list(self._once(("list_routine_logs",), self._data.list_routine_logs))

    def add_manual_run(self, run: ManualRun, *, load_basis: Mapping[str, Any]) -> ManualRun:
        self._kept.clear()
        return self._data.add_manual_run(run, load_basis=load_basis)

    def list_manual_runs(self) -> list[ManualRun]:
        return list(self._once(("list_manual_runs",), self._data.list_manual_runs))

    def activity_marks(self) -> dict[str, ActivityMarks]:
        return dict(self._once(("activity_marks",), self._data.activity_marks))

    def file_statuses(self) -> dict[str, FileStatus]:
        return dict(self._once(("file_statuses",), self._data.file_statuses))

    def record_file(self, incoming: IncomingFile, *, first_time: bool = False) -> FileOutcome:
        self._kept.clear()
        return self._data.record_file(incoming, first_time=first_time)

    def record_files(self, batch: Sequence[tuple[IncomingFile, bool]]) -> list[FileOutcome]:
        self._kept.clear()
        return self._data.record_files(batch)

    def raw_sources(self) -> list[StoredSource]:
        return list(self._once(("raw_sources",), self._data.raw_sources))

    def forget_imports(self) -> None:
        self._kept.clear()
        return self._data.forget_imports()

    def list_activities(
        self, start: dt.date | None = None, end: dt.date | None = None
    ) -> list[ActivityRow]:
        return list(
            self._once(
                ("list_activities", start, end), lambda: self._data.list_activities(start, end)
            )
        )

    def activity_days(self) -> list[tuple[str, dt.date, str, float]]:
        return list(self._once(("activity_days",), self._data.activity_days))

    def activity_sources(self, activity_id: str) -> list[dict[str, Any]]:
        return list(
            self._once(
                ("activity_sources", activity_id), lambda: self._data.activity_sources(activity_id)
            )
        )

    def list_wellness(self) -> list[DailyWellness]:
        return list(self._once(("list_wellness",), self._data.list_wellness))

    def stored_loads(self) -> list[StoredLoad]:
        return list(self._once(("stored_loads",), self._data.stored_loads))

    def loads_pending(self) -> int:
        return self._once(("loads_pending",), self._data.loads_pending)

    def save_loads(self, loads: Iterable[tuple[str, float, str, str]], *, settles: int = 0) -> None:
        self._kept.clear()
        return self._data.save_loads(loads, settles=settles)

    def feed_secret_hash(self) -> str | None:
        return self._once(("feed_secret_hash",), self._data.feed_secret_hash)

    def set_feed_secret_hash(self, secret_hash: str) -> None:
        self._kept.clear()
        return self._data.set_feed_secret_hash(secret_hash)

    def remove_feed_secret_hash(self) -> bool:
        self._kept.clear()
        return self._data.remove_feed_secret_hash()
