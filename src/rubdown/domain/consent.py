"""Consent: what a runner shares with a therapist, and the only way a therapist reads it.

A runner owns their data. They grant a named therapist access at the levels they choose:

- ``calendar``: races, workouts, weekly patterns and recovery weeks, massage sessions
  (bookings), the plan and the therapist's hours;
- ``wellness``: check-ins (soreness, pain and its red flags, warning signs), injuries and
  the self-massage log;
- ``training``: activities, runs logged by hand, the training load made from them, and the
  daily values the watch recorded with them (sleep, resting heart rate, HRV): the load's
  heart-rate parameters are estimated from those, so they go with it.

A therapist never gets the runner's ``RunnerData`` itself: they get a ``GrantedRunnerData``
around it, made for one request from a grant read from the database on that request (a
revoke holds on the next request; nothing is cached). It answers the granted levels' reads,
records the first read of each level in the runner's access log, and answers everything
else -- another level, any write, the imported files, the feed secret -- with ``NotFound``,
which the web app turns into 404: to the therapist, what is not shared is not there.

The profile (time zone, units, load parameters) frames every level's answers -- "today",
a day's loads -- so any grant reads it; no route shows it to a therapist as such.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any, Literal, Protocol

from rubdown.domain.activity import DailyWellness
from rubdown.domain.availability import WeeklyHours
from rubdown.domain.booked import OTHER_THERAPIST, BookedSession
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
from rubdown.errors import NotFound


class Level(StrEnum):
    """What a grant shares; a grant holds one or more."""

    CALENDAR = "calendar"
    WELLNESS = "wellness"
    TRAINING = "training"


@dataclass(frozen=True)
class Grant:
    """A runner's consent that one therapist reads the given levels of their data.

    Active until ``revoked_at``; a revoked grant is kept (the access log names it) but
    opens nothing. The e-mail addresses are the accounts', for showing who is who."""

    id: str
    runner_id: str
    therapist_id: str
    levels: frozenset[Level]
    created_at: dt.datetime
    updated_at: dt.datetime
    revoked_at: dt.datetime | None = None
    runner_email: str | None = None
    therapist_email: str | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def allows(self, level: Level) -> bool:
        return self.active and level in self.levels


@dataclass(frozen=True)
class AccessEntry:
    """One request in which someone other than the runner read the runner's data."""

    id: str
    runner_id: str
    viewer_id: str
    grant_id: str
    level: Level
    what: str  # the route or resource read, e.g. "GET /api/clients/{runner_id}/wellness"
    at: dt.datetime
    viewer_email: str | None = None


def levels_from(calendar: bool, wellness: bool, training: bool) -> frozenset[Level]:
    chosen = {Level.CALENDAR: calendar, Level.WELLNESS: wellness, Level.TRAINING: training}
    return frozenset(level for level, on in chosen.items() if on)


class Consents(Protocol):
    """The grants and the access log, as the use cases need them (the store implements it).

    Every method is scoped: a runner's side by the runner's ID, a therapist's by theirs. A
    grant ID that is not the runner's (or not active, where that is asked) is not there."""

    def therapist_for_email(self, email: str) -> str | None:
        """The ID of the enabled therapist account with this e-mail address; None for none
        (no account, or one that is not a therapist's)."""
        ...

    def add_grant(self, runner_id: str, therapist_id: str, levels: frozenset[Level]) -> Grant:
        """A new active grant; ``InvalidValue`` when one to that therapist is active already."""
        ...

    def active_grants_of(self, runner_id: str) -> list[Grant]:
        """The runner's active grants, oldest first."""
        ...

    def change_levels(self, runner_id: str, grant_id: str, levels: frozenset[Level]) -> Grant:
        """Set an active grant's levels; ``NotFound`` unless it is the runner's and active."""
        ...

    def revoke(self, runner_id: str, grant_id: str) -> Grant:
        """End an active grant; ``NotFound`` unless it is the runner's and active."""
        ...

    def active_grants_to(self, therapist_id: str) -> list[Grant]:
        """The active grants a therapist holds (their clients), oldest first."""
        ...

    def active_grant(self, runner_id: str, therapist_id: str) -> Grant | None:
        """The active grant from this runner to this therapist, read afresh."""
        ...

    def log_access(
        self, runner_id: str, viewer_id: str, grant_id: str, level: Level, what: str
    ) -> AccessEntry: ...

    def access_log(self, runner_id: str, *, limit: int) -> list[AccessEntry]:
        """The runner's access log, newest first, at most ``limit`` entries."""
        ...


# Which level each read of ``RunnerData`` belongs to. A read missing here is shared at no
# level; ``tests/unit/test_consent_view.py`` checks every read of the port is in one place.
READS: Mapping[str, Level] = {
    "list_races": Level.CALENDAR,
    "list_workouts": Level.CALENDAR,
    "list_patterns": Level.CALENDAR,
    "recovery_weeks": Level.CALENDAR,
    "list_sessions": Level.CALENDAR,
    "load_plan": Level.CALENDAR,
    "list_bookings": Level.CALENDAR,
    "therapist_hours": Level.CALENDAR,
    "list_checkins": Level.WELLNESS,
    "checkin_on": Level.WELLNESS,
    "list_injuries": Level.WELLNESS,
    "list_routine_logs": Level.WELLNESS,
    "list_activities": Level.TRAINING,
    "list_wellness": Level.TRAINING,
    "activity_days": Level.TRAINING,
    "activity_sources": Level.TRAINING,
    "list_manual_runs": Level.TRAINING,
    "activity_marks": Level.TRAINING,
    "stored_loads": Level.TRAINING,
    "loads_pending": Level.TRAINING,
}
# Read with any grant: who the runner is and what frames every answer (see the docstring).
FRAMING = frozenset({"owner_id", "version_stamp", "get_profile"})
# Never shared: what was imported from where, and the calendar feed's secret.
NEVER = frozenset({"file_statuses", "raw_sources", "feed_secret_hash", "has_source_uid"})


class GrantedRunnerData:
    """A runner's data as one grant lets its therapist read it, for one request.

    ``record(level)`` is called before the first read of each level, so a request leaves one
    access-log entry per level it read (each route reads one). Writes answer ``NotFound``,
    but for the load refresh a training read may need (``save_loads``): it recomputes what
    the runner's own next read would, from their own data, and changes nothing they gave."""

    def __init__(self, data: RunnerData, grant: Grant, record: Callable[[Level], None]) -> None:
        if data.owner_id != grant.runner_id:
            raise ValueError("a grant opens only its own runner's data")
        self._data = data
        self._grant = grant
        self._record = record
        self._recorded: set[Level] = set()

    @property
    def grant(self) -> Grant:
        return self._grant

    @property
    def owner_id(self) -> str:
        return self._data.owner_id

    def _read(self, level: Level) -> RunnerData:
        if not self._grant.allows(level):
            raise NotFound(f"this client has not shared their {level} with you")
        if level not in self._recorded:
            self._record(level)
            self._recorded.add(level)
        return self._data

    def _refuse(self, what: str) -> NotFound:
        return NotFound(f"{what} is not shared with you")

    # -- read with any grant -------------------------------------------------------------------

    def version_stamp(self) -> VersionStamp:
        return self._data.version_stamp()

    def get_profile(self) -> Profile | None:
        return self._data.get_profile()

    # -- calendar ------------------------------------------------------------------------------

    def list_races(self) -> list[Race]:
        return self._read(Level.CALENDAR).list_races()

    def list_workouts(self) -> list[Workout]:
        return self._read(Level.CALENDAR).list_workouts()

    def list_patterns(self) -> list[WorkoutPattern]:
        return self._read(Level.CALENDAR).list_patterns()

    def recovery_weeks(self) -> frozenset[dt.date]:
        return self._read(Level.CALENDAR).recovery_weeks()

    def list_sessions(self) -> list[MassageSession]:
        return self._read(Level.CALENDAR).list_sessions()

    def load_plan(self) -> list[PlannedSession]:
        return self._read(Level.CALENDAR).load_plan()

    def list_bookings(self) -> list[BookedSession]:
        """Part of the calendar: the runner's sessions booked with any therapist. Another
        therapist is not named to this one (who the runner sees is theirs to tell)."""
        mine = self._grant.therapist_email
        return [
            b if b.therapist == mine else replace(b, therapist=OTHER_THERAPIST)
            for b in self._read(Level.CALENDAR).list_bookings()
        ]

    def therapist_hours(self) -> WeeklyHours:
        return self._read(Level.CALENDAR).therapist_hours()

    # -- wellness ------------------------------------------------------------------------------

    def list_checkins(self) -> list[CheckIn]:
        return self._read(Level.WELLNESS).list_checkins()

    def checkin_on(self, day: dt.date) -> CheckIn | None:
        return self._read(Level.WELLNESS).checkin_on(day)

    def list_injuries(self) -> list[InjuryEpisode]:
        return self._read(Level.WELLNESS).list_injuries()

    def list_routine_logs(self) -> list[RoutineLog]:
        return self._read(Level.WELLNESS).list_routine_logs()

    # -- training ------------------------------------------------------------------------------

    def list_activities(
        self, start: dt.date | None = None, end: dt.date | None = None
    ) -> list[ActivityRow]:
        return self._read(Level.TRAINING).list_activities(start, end)

    def list_wellness(self) -> list[DailyWellness]:
        return self._read(Level.TRAINING).list_wellness()

    def activity_days(self) -> list[tuple[str, dt.date, str, float]]:
        return self._read(Level.TRAINING).activity_days()

    def activity_sources(self, activity_id: str) -> list[dict[str, Any]]:
        return self._read(Level.TRAINING).activity_sources(activity_id)

    def list_manual_runs(self) -> list[ManualRun]:
        return self._read(Level.TRAINING).list_manual_runs()

    def activity_marks(self) -> dict[str, ActivityMarks]:
        return self._read(Level.TRAINING).activity_marks()

    def stored_loads(self) -> list[StoredLoad]:
        return self._read(Level.TRAINING).stored_loads()

    def loads_pending(self) -> int:
        return self._read(Level.TRAINING).loads_pending()

    def save_loads(self, loads: Iterable[tuple[str, float, str, str]], *, settles: int = 0) -> None:
        self._read(Level.TRAINING).save_loads(loads, settles=settles)

    # -- never shared --------------------------------------------------------------------------

    def file_statuses(self) -> dict[str, FileStatus]:
        raise self._refuse("the import history")

    def raw_sources(self) -> list[StoredSource]:
        raise self._refuse("the imported files")

    def feed_secret_hash(self) -> str | None:
        raise self._refuse("the calendar feed")

    def has_source_uid(self, table: Literal["races", "workouts"], uid: str) -> bool:
        raise self._refuse("the calendar's sources")

    # -- writes: the runner's own ----------------------------------------------------------------

    def save_profile(self, profile: Profile) -> None:
        raise self._refuse("changing the profile")

    def update_profile(
        self, change: Callable[[Profile | None], Profile], *, loads_depend_on: Iterable[str] = ()
    ) -> Profile:
        raise self._refuse("changing the profile")

    def add_race(self, race: Race, *, source: str = "cli", source_uid: str | None = None) -> Race:
        raise self._refuse("changing races")

    def update_race(self, race: Race) -> Race:
        raise self._refuse("changing races")

    def remove_race(self, race_id: str) -> None:
        raise self._refuse("changing races")

    def add_workout(self, workout: Workout, *, source_uid: str | None = None) -> Workout:
        raise self._refuse("changing workouts")

    def update_workout(self, workout: Workout) -> Workout:
        raise self._refuse("changing workouts")

    def remove_workout(self, workout_id: str) -> None:
        raise self._refuse("changing workouts")

    def import_batch(
        self,
        races: Iterable[tuple[Race, str | None]],
        workouts: Iterable[tuple[Workout, str | None]],
        *,
        source: str = "calendar",
    ) -> tuple[list[Race], list[Workout]]:
        raise self._refuse("importing a calendar")

    def add_pattern(
        self,
        pattern: WorkoutPattern,
        workouts: Sequence[Workout],
        mondays: Sequence[dt.date],
        *,
        replacing: str | None = None,
    ) -> StoredPattern:
        raise self._refuse("changing patterns")

    def remove_pattern(self, pattern_id: str) -> StoredPattern:
        raise self._refuse("changing patterns")

    def mark_recovery_week(self, monday: dt.date) -> bool:
        raise self._refuse("changing recovery weeks")

    def unmark_recovery_week(self, monday: dt.date) -> bool:
        raise self._refuse("changing recovery weeks")

    def add_session(self, session: MassageSession, *, note: str = "") -> MassageSession:
        raise self._refuse("logging a session")

    def save_plan(self, sessions: Sequence[PlannedSession]) -> None:
        raise self._refuse("changing the plan")

    def save_therapist_hours(self, hours: WeeklyHours) -> None:
        raise self._refuse("changing the therapist's hours")

    def add_checkin(self, checkin: CheckIn) -> bool:
        raise self._refuse("checking in")

    def update_checkin(
        self, day: dt.date, change: Callable[[CheckIn | None], CheckIn]
    ) -> tuple[CheckIn, bool]:
        raise self._refuse("checking in")

    def add_injury(self, episode: InjuryEpisode) -> InjuryEpisode:
        raise self._refuse("changing injuries")

    def end_injury(self, injury_id: str, end: dt.date, helped: str = "") -> InjuryEpisode:
        raise self._refuse("changing injuries")

    def log_routine(self, log: RoutineLog) -> RoutineLog:
        raise self._refuse("logging a routine")

    def add_manual_run(self, run: ManualRun, *, load_basis: Mapping[str, Any]) -> ManualRun:
        raise self._refuse("logging a run")

    def record_file(self, incoming: IncomingFile, *, first_time: bool = False) -> FileOutcome:
        raise self._refuse("importing")

    def record_files(self, batch: Sequence[tuple[IncomingFile, bool]]) -> list[FileOutcome]:
        raise self._refuse("importing")

    def forget_imports(self) -> None:
        raise self._refuse("importing")

    def set_feed_secret_hash(self, secret_hash: str) -> None:
        raise self._refuse("the calendar feed")

    def remove_feed_secret_hash(self) -> bool:
        raise self._refuse("the calendar feed")


# What mypy checks: the granted view is a ``RunnerData``, so any use case can read through it.
def _is_runner_data(view: GrantedRunnerData) -> RunnerData:
    return view
