"""An in-memory ``Storage`` and ``RunnerData``: the use cases run on it with no database.

It keeps what the store keeps, in lists, and answers as the store does where a use case can
tell the difference: new IDs on every add, lists in the store's order (by day, then in the
order stored), NotFound for a missing ID, a race's SEQUENCE moved on when it changes, one
check-in a day, the data version moved on by every write that changed something, and the
loads marked pending by what changes them. What it does not do: transactions (a change that
raises part-way leaves what it did; the use cases under test never rely on a rollback), and
an imported file's activity is merged into an earlier copy only when it has the same sport
and start (the store's richer matching is tested against the database).

``tests/unit/test_services_on_fake.py`` checks that its methods match the port's.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from rubdown.domain.activity import Activity, DailyWellness, Sport, same_sport
from rubdown.domain.availability import WeeklyHours
from rubdown.domain.booked import BookedSession
from rubdown.domain.knowledge import KnowledgeBase
from rubdown.domain.model import (
    CheckIn,
    InjuryEpisode,
    MassageSession,
    Profile,
    Race,
    RoutineLog,
    Workout,
    WorkoutKind,
)
from rubdown.domain.patterns import WorkoutPattern, recovery_mondays
from rubdown.domain.placement import Solver
from rubdown.domain.plan import PlannedSession
from rubdown.domain.ports import Clock, RunnerData, Storage
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
from rubdown.errors import NotFound
from rubdown.services.runner import Runner

MANUAL_RUN_NAME = "run logged by hand"


@dataclass
class _Activity:
    row: ActivityRow
    richness: int
    basis: dict[str, Any] | None = None
    rpe: float | None = None
    manual_kind: str | None = None  # None: imported; "" logged by hand without a kind
    sources: list[dict[str, Any]] = field(default_factory=list)


class FakeRunnerData:
    """One runner's data, in memory."""

    def __init__(self, owner_id: str = "runner", ids: Iterable[int] | None = None) -> None:
        self._owner_id = owner_id
        self._ids = iter(ids) if ids is not None else itertools.count(1)
        self.data_version = 0
        self.profile: Profile | None = None
        self.races: list[Race] = []
        self.race_sources: dict[str, tuple[str, str | None]] = {}  # id -> (source, uid)
        self.workouts: list[Workout] = []
        self.workout_uids: dict[str, str | None] = {}
        self.patterns: list[WorkoutPattern] = []
        self.weeks: set[dt.date] = set()
        self.sessions: list[MassageSession] = []
        self.session_notes: dict[str, str] = {}
        self.plan: list[PlannedSession] = []
        self.hours = WeeklyHours(())
        self.checkins: dict[dt.date, CheckIn] = {}
        self.injuries: list[InjuryEpisode] = []
        self.routines: list[RoutineLog] = []
        self.activities: list[_Activity] = []
        self.files: dict[str, tuple[FileStatus, StoredSource]] = {}
        self.wellness: dict[tuple[dt.date, str], DailyWellness] = {}
        self.pending = 0
        self.feed_hash: str | None = None
        # What therapists booked for this runner: a test puts them here, as a clinic would.
        self.bookings: list[BookedSession] = []

    @property
    def owner_id(self) -> str:
        return self._owner_id

    def _new_id(self) -> str:
        return f"{self._owner_id}-{next(self._ids)}"

    def _wrote(self) -> None:
        self.data_version += 1

    def _mark_loads_pending(self) -> None:
        self.pending += 1

    def version_stamp(self) -> VersionStamp:
        timezone = self.profile.timezone if self.profile is not None else None
        return VersionStamp(self.data_version, timezone)

    # -- profile -------------------------------------------------------------------------------

    def get_profile(self) -> Profile | None:
        return self.profile

    def save_profile(self, profile: Profile) -> None:
        self.update_profile(lambda _stored: profile)

    def update_profile(
        self, change: Callable[[Profile | None], Profile], *, loads_depend_on: Iterable[str] = ()
    ) -> Profile:
        profile = change(self.profile)
        before = self.profile or Profile()
        if any(getattr(before, name) != getattr(profile, name) for name in loads_depend_on):
            self._mark_loads_pending()
        self.profile = profile
        self._wrote()
        return profile

    # -- races and workouts --------------------------------------------------------------------

    def add_race(self, race: Race, *, source: str = "cli", source_uid: str | None = None) -> Race:
        stored = replace(race, id=self._new_id())
        self.races.append(stored)
        self.race_sources[stored.id] = (source, source_uid)
        self._wrote()
        return stored

    def list_races(self) -> list[Race]:
        return sorted(self.races, key=lambda race: race.day)

    def update_race(self, race: Race) -> Race:
        index = _index(self.races, race.id, "race")
        stored = self.races[index]
        if replace(race, sequence=stored.sequence) == stored:
            return stored
        changed = replace(race, sequence=stored.sequence + 1)
        self.races[index] = changed
        self._wrote()
        return changed

    def remove_race(self, race_id: str) -> None:
        del self.races[_index(self.races, race_id, "race")]
        self._wrote()

    def add_workout(self, workout: Workout, *, source_uid: str | None = None) -> Workout:
        stored = replace(workout, id=self._new_id())
        self.workouts.append(stored)
        self.workout_uids[stored.id] = source_uid
        self._wrote()
        return stored

    def list_workouts(self) -> list[Workout]:
        return sorted(self.workouts, key=lambda workout: workout.day)

    def update_workout(self, workout: Workout) -> Workout:
        index = _index(self.workouts, workout.id, "workout")
        stored = self.workouts[index]
        changed = replace(workout, source=stored.source, pattern_id=stored.pattern_id)
        if changed != stored:
            self.workouts[index] = changed
            self._wrote()
        return changed

    def remove_workout(self, workout_id: str) -> None:
        del self.workouts[_index(self.workouts, workout_id, "workout")]
        self._wrote()

    def has_source_uid(self, table: Literal["races", "workouts"], uid: str) -> bool:
        if table == "races":
            return any(found == uid for _source, found in self.race_sources.values())
        return uid in self.workout_uids.values()

    def import_batch(
        self,
        races: Iterable[tuple[Race, str | None]],
        workouts: Iterable[tuple[Workout, str | None]],
        *,
        source: str = "calendar",
    ) -> tuple[list[Race], list[Workout]]:
        stored_races = [self.add_race(r, source=source, source_uid=uid) for r, uid in races]
        stored_workouts = [self.add_workout(w, source_uid=uid) for w, uid in workouts]
        return stored_races, stored_workouts

    # -- weekly patterns and recovery weeks ----------------------------------------------------

    def add_pattern(
        self,
        pattern: WorkoutPattern,
        workouts: Sequence[Workout],
        mondays: Sequence[dt.date],
        *,
        replacing: str | None = None,
    ) -> StoredPattern:
        if replacing is not None:
            self.remove_pattern(replacing)
        stored = replace(pattern, id=self._new_id())
        made = [replace(w, id=self._new_id(), pattern_id=stored.id) for w in workouts]
        self.patterns.append(stored)
        self.workouts.extend(made)
        self.weeks |= set(mondays)
        self._wrote()
        return StoredPattern(stored, tuple(made), tuple(mondays))

    def list_patterns(self) -> list[WorkoutPattern]:
        return sorted(self.patterns, key=lambda pattern: pattern.first_day)

    def remove_pattern(self, pattern_id: str) -> StoredPattern:
        pattern = self.patterns.pop(_index(self.patterns, pattern_id, "workout pattern"))
        removed = tuple(w for w in self.workouts if w.pattern_id == pattern_id)
        self.workouts = [w for w in self.workouts if w.pattern_id != pattern_id]
        mondays = recovery_mondays(pattern)
        self.weeks -= set(mondays)
        self._wrote()
        return StoredPattern(pattern, removed, mondays)

    def recovery_weeks(self) -> frozenset[dt.date]:
        return frozenset(self.weeks)

    def mark_recovery_week(self, monday: dt.date) -> bool:
        if monday in self.weeks:
            return False
        self.weeks.add(monday)
        self._wrote()
        return True

    def unmark_recovery_week(self, monday: dt.date) -> bool:
        if monday not in self.weeks:
            return False
        self.weeks.discard(monday)
        self._wrote()
        return True

    # -- massage sessions, the plan and the therapist's hours ----------------------------------

    def add_session(self, session: MassageSession, *, note: str = "") -> MassageSession:
        stored = replace(session, id=self._new_id())
        self.sessions.append(stored)
        self.session_notes[stored.id] = note
        self._wrote()
        return stored

    def list_sessions(self) -> list[MassageSession]:
        return sorted(self.sessions, key=lambda session: session.day)

    def load_plan(self) -> list[PlannedSession]:
        return sorted(self.plan, key=lambda session: (session.day, session.key))

    def save_plan(self, sessions: Sequence[PlannedSession]) -> None:
        self.plan = list(sessions)
        self._wrote()

    def list_bookings(self) -> list[BookedSession]:
        return sorted(self.bookings, key=lambda booking: (booking.start_at, booking.id))

    def therapist_hours(self) -> WeeklyHours:
        return self.hours

    def save_therapist_hours(self, hours: WeeklyHours) -> None:
        self.hours = hours
        self._wrote()

    # -- check-ins, injuries, routines, runs logged by hand ------------------------------------

    def add_checkin(self, checkin: CheckIn) -> bool:
        _stored, replaced = self.update_checkin(checkin.day, lambda _earlier: checkin)
        return replaced

    def update_checkin(
        self, day: dt.date, change: Callable[[CheckIn | None], CheckIn]
    ) -> tuple[CheckIn, bool]:
        earlier = self.checkins.get(day)
        checkin = change(earlier)
        if checkin.day != day:
            raise ValueError(f"a change of the check-in of {day} made one of {checkin.day}")
        self.checkins[day] = checkin
        self._wrote()
        return checkin, earlier is not None

    def checkin_on(self, day: dt.date) -> CheckIn | None:
        return self.checkins.get(day)

    def list_checkins(self) -> list[CheckIn]:
        return [self.checkins[day] for day in sorted(self.checkins)]

    def add_injury(self, episode: InjuryEpisode) -> InjuryEpisode:
        stored = replace(episode, id=self._new_id())
        self.injuries.append(stored)
        self._wrote()
        return stored

    def list_injuries(self) -> list[InjuryEpisode]:
        return sorted(self.injuries, key=lambda episode: episode.start)

    def end_injury(self, injury_id: str, end: dt.date, helped: str = "") -> InjuryEpisode:
        found = [i for i, e in enumerate(self.injuries) if e.id == injury_id and e.end is None]
        if not found:
            raise NotFound(f"no open injury episode with ID {injury_id!r}")
        ended = replace(self.injuries[found[0]], end=end, helped=helped)
        self.injuries[found[0]] = ended
        self._wrote()
        return ended

    def log_routine(self, log: RoutineLog) -> RoutineLog:
        stored = replace(log, id=self._new_id())
        self.routines.append(stored)
        self._wrote()
        return stored

    def list_routine_logs(self) -> list[RoutineLog]:
        return sorted(self.routines, key=lambda log: (log.day, log.started_at))

    def add_manual_run(self, run: ManualRun, *, load_basis: Mapping[str, Any]) -> ManualRun:
        stored = replace(run, id=self._new_id())
        offset = run.start.utcoffset()
        activity = Activity(
            Sport.RUNNING,
            run.start.astimezone(dt.UTC),
            run.duration_s,
            utc_offset_s=int(offset.total_seconds()) if offset is not None else None,
            moving_s=run.duration_s,
            name=MANUAL_RUN_NAME,
            load=run.load,
            load_method=run.load_method,
            id=stored.id,
        )
        given = run.given_kind.value if run.given_kind is not None else ""
        self.activities.append(
            _Activity(
                ActivityRow(activity, run.day, run.kind.value),
                richness=0,
                basis=dict(load_basis),
                rpe=run.rpe,
                manual_kind=given,
            )
        )
        self._mark_loads_pending()
        self._wrote()
        return stored

    def list_manual_runs(self) -> list[ManualRun]:
        runs = [a for a in self._in_day_order() if a.manual_kind is not None]
        return [_manual_run(a) for a in runs]

    def activity_marks(self) -> dict[str, ActivityMarks]:
        return {
            a.row.activity.id: ActivityMarks(
                a.rpe, WorkoutKind(a.manual_kind) if a.manual_kind else None
            )
            for a in self.activities
            if a.rpe is not None or a.manual_kind
        }

    # -- imported activities, wellness and loads -----------------------------------------------

    def file_statuses(self) -> dict[str, FileStatus]:
        return {sha: status for sha, (status, _source) in self.files.items()}

    def record_file(self, incoming: IncomingFile, *, first_time: bool = False) -> FileOutcome:
        outcome = FileOutcome()
        for item in incoming.activities:
            earlier = self._same(item.activity)
            source = {"format": incoming.format, "shown": incoming.shown, "sha256": incoming.sha256}
            if earlier is None:
                activity = replace(item.activity, streams=None, id=self._new_id())
                row = ActivityRow(activity, item.local_day, item.kind)
                self.activities.append(_Activity(row, item.richness, item.load_basis))
                self.activities[-1].sources.append(source)
                outcome.added.append(activity.id)
            else:
                if item.richness > earlier.richness:
                    activity = replace(item.activity, streams=None, id=earlier.row.activity.id)
                    earlier.row = ActivityRow(activity, item.local_day, item.kind)
                    earlier.richness, earlier.basis = item.richness, item.load_basis
                earlier.sources.append(source)
                outcome.merged.append(earlier.row.activity.id)
        for day in incoming.wellness:
            self.wellness[(day.day, day.source)] = day
            outcome.wellness_days += 1
        status = incoming.status
        imported = (FileStatus.IMPORTED, FileStatus.PARTIAL)
        all_there = bool(incoming.activities) and not outcome.added
        stored_before = self.files.get(incoming.sha256, (None,))[0] in imported
        if (status is FileStatus.IMPORTED and all_there) or (status in imported and stored_before):
            status = FileStatus.DUPLICATE
        kept = StoredSource(
            incoming.sha256,
            incoming.format,
            incoming.shown,
            incoming.export,
            incoming.container,
            incoming.inner,
        )
        self.files[incoming.sha256] = (status, kept)
        if outcome.added or outcome.merged or incoming.wellness:
            self._mark_loads_pending()
        self._wrote()
        outcome.status = status
        return outcome

    def record_files(self, batch: Sequence[tuple[IncomingFile, bool]]) -> list[FileOutcome]:
        return [self.record_file(incoming, first_time=first) for incoming, first in batch]

    def raw_sources(self) -> list[StoredSource]:
        return [source for _status, source in self.files.values()]

    def forget_imports(self) -> None:
        self.activities = [a for a in self.activities if a.manual_kind is not None]
        self.files = {
            sha: (FileStatus.FORGOTTEN, source) for sha, (_status, source) in self.files.items()
        }
        self._mark_loads_pending()
        self._wrote()

    def list_activities(
        self, start: dt.date | None = None, end: dt.date | None = None
    ) -> list[ActivityRow]:
        rows = [a.row for a in self.activities]
        return sorted(
            (
                row
                for row in rows
                if (start is None or start <= row.local_day)
                and (end is None or row.local_day <= end)
            ),
            key=lambda row: (row.activity.start, row.activity.id),
        )

    def activity_days(self) -> list[tuple[str, dt.date, str, float]]:
        return [
            (a.row.activity.id, a.row.local_day, a.row.kind, a.row.activity.duration_s)
            for a in self._in_day_order()
        ]

    def activity_sources(self, activity_id: str) -> list[dict[str, Any]]:
        found = [a for a in self.activities if a.row.activity.id == activity_id]
        return list(found[0].sources) if found else []

    def list_wellness(self) -> list[DailyWellness]:
        return [self.wellness[key] for key in sorted(self.wellness)]

    def stored_loads(self) -> list[StoredLoad]:
        return [
            StoredLoad(
                a.row.activity.id,
                a.row.local_day,
                a.row.activity.sport,
                a.row.activity.duration_s,
                a.row.activity.max_hr_bpm,
                a.basis,
            )
            for a in self._in_day_order()
        ]

    def loads_pending(self) -> int:
        return self.pending

    def save_loads(self, loads: Iterable[tuple[str, float, str, str]], *, settles: int = 0) -> None:
        by_id = {a.row.activity.id: a for a in self.activities}
        for activity_id, load, method, kind in loads:
            kept = by_id[activity_id]
            activity = replace(kept.row.activity, load=load, load_method=method)
            kept.row = ActivityRow(activity, kept.row.local_day, kind)
        if settles and self.pending == settles:
            self.pending = 0
        self._wrote()

    # -- the calendar feed ---------------------------------------------------------------------

    def feed_secret_hash(self) -> str | None:
        return self.feed_hash

    def set_feed_secret_hash(self, secret_hash: str) -> None:
        self.feed_hash = secret_hash
        self._wrote()

    def remove_feed_secret_hash(self) -> bool:
        had = self.feed_hash is not None
        self.feed_hash = None
        self._wrote()
        return had

    # -- helpers -------------------------------------------------------------------------------

    def _in_day_order(self) -> list[_Activity]:
        return sorted(self.activities, key=lambda a: (a.row.local_day, a.row.activity.id))

    def _same(self, activity: Activity) -> _Activity | None:
        for kept in self.activities:
            stored = kept.row.activity
            if stored.start == activity.start and same_sport(stored.sport, activity.sport):
                return kept
        return None


class FakeStorage:
    """Every runner's data in memory; ``for_owner`` makes a runner on first use."""

    shown_url = "memory://"
    is_local = True

    def __init__(self) -> None:
        self.runners: dict[str, FakeRunnerData] = {}
        self.closed = False

    def for_owner(self, owner_id: str) -> FakeRunnerData:
        if owner_id not in self.runners:
            self.runners[owner_id] = FakeRunnerData(owner_id)
        return self.runners[owner_id]

    def owner_for_feed_hash(self, secret_hash: str) -> str | None:
        owners = [o for o, data in self.runners.items() if data.feed_hash == secret_hash]
        return owners[0] if owners else None

    def close(self) -> None:
        self.closed = True


def fake_runner(
    kb: KnowledgeBase,
    solver: Solver,
    clock: Clock,
    owner_id: str = "runner",
    storage: FakeStorage | None = None,
) -> Runner:
    """A ``Runner`` on in-memory storage (a new one unless given)."""
    return Runner(storage or FakeStorage(), kb, solver, owner_id, clock)


def _index(items: Sequence[Race | Workout | WorkoutPattern], wanted: str, what: str) -> int:
    for index, item in enumerate(items):
        if item.id == wanted:
            return index
    raise NotFound(f"no {what} with ID {wanted!r}")


def _manual_run(kept: _Activity) -> ManualRun:
    activity = kept.row.activity
    offset = activity.utc_offset_s
    zone = dt.timezone(dt.timedelta(seconds=offset)) if offset is not None else dt.UTC
    return ManualRun(
        day=kept.row.local_day,
        start=activity.start.astimezone(zone),
        duration_s=activity.duration_s,
        rpe=kept.rpe if kept.rpe is not None else 0.0,
        given_kind=WorkoutKind(kept.manual_kind) if kept.manual_kind else None,
        kind=WorkoutKind(kept.row.kind),
        load=activity.load,
        load_method=activity.load_method,
        id=activity.id,
    )


# What mypy checks (``mypy tests/support/fake_store.py``): the fakes are the ports.
_DATA: RunnerData = FakeRunnerData()
_STORAGE: Storage = FakeStorage()
