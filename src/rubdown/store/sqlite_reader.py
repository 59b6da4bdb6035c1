"""A runner's home read with the standard library's ``sqlite3``, for commands that mostly read.

``rubdown check`` and ``rubdown today`` answer in a few hundredths of a second of work, but
loading SQLAlchemy alone costs about a quarter of a second of CPU. On a local SQLite home
already at this rubdown's schema (nothing to migrate) whose loads are up to date (nothing to
repair on the first read), ``open_reader`` gives a ``Storage`` whose reads run the same
SELECTs, in the same order, mapped by the same ``store.mapping`` functions, on a read-only
``sqlite3`` connection. Every write but one goes to the full store (``store.open_store``),
opened on the first write, so what is written is written exactly as it always was; a read
after it sees it, as every read begins afresh. The one is saving the plan, which ``rubdown
plan`` does on every run: it is written here, in one transaction with the data version's bump,
in the values SQLAlchemy's SQLite dialect writes (a test compares the rows byte for byte).

Values come back from SQLite as text, numbers and blobs; ``_TYPES`` turns the columns that
SQLAlchemy reads as something else (dates, times, UTC moments, booleans, JSON lists) into
those, as ``store.columns`` and SQLAlchemy's SQLite dialect do. A test checks ``_TYPES``
against ``store.schema`` and every read against the store's own answer.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from rubdown.domain.activity import DailyWellness, Sport
from rubdown.domain.availability import OpeningWindow, WeeklyHours
from rubdown.domain.booked import BookedSession
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
from rubdown.errors import StoreError
from rubdown.store import mapping
from rubdown.store.local import SQLITE_FILE_NAME

if TYPE_CHECKING:
    from rubdown.store.store import Store

# The schema this reader's SELECTs are written for: ``store.migrations.LATEST_VERSION``, which
# a test holds it to (reading it here would load the migrations, and SQLAlchemy with them).
SCHEMA_VERSION = 15

# As ``store.engine``'s SQLite connections wait for a writer: an import holds the write lock
# for a moment per batch of files, and WAL lets a reader go on meanwhile anyway.
SQLITE_BUSY_TIMEOUT_MS = 5_000


def _utc(text: str) -> dt.datetime:
    # Stored as the UTC wall clock without an offset (``columns.UtcDateTime``).
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


def _json_list(text: str) -> list[str]:
    loaded = json.loads(text)
    if not isinstance(loaded, list) or not all(isinstance(item, str) for item in loaded):
        raise ValueError(f"expected a JSON list of strings, found {text!r}")
    return loaded


_DATE = dt.date.fromisoformat
_TIME = dt.time.fromisoformat

# Per table, the columns whose stored value is not what the store hands out; every other
# column (text, integers, floats) is read as SQLite gives it, as SQLAlchemy does.
_TYPES: dict[str, dict[str, Callable[[Any], Any]]] = {
    "runners": {"created_at": _utc},
    "profiles": {
        "owns": _json_list,
        "conditions": _json_list,
        "desk_job": bool,
        "session_time": _TIME,
        "updated_at": _utc,
    },
    "races": {"day": _DATE, "start_time": _TIME, "created_at": _utc},
    "workouts": {"day": _DATE, "created_at": _utc},
    "workout_patterns": {"first_day": _DATE, "last_day": _DATE, "created_at": _utc},
    "recovery_weeks": {"first_day": _DATE, "created_at": _utc},
    "massage_sessions": {"day": _DATE, "regions": _json_list, "created_at": _utc},
    "checkins": {"day": _DATE, "created_at": _utc},
    "checkin_regions": {},
    "checkin_signs": {},
    "planned_sessions": {
        "day": _DATE,
        "regions": _json_list,
        "rules": _json_list,
        "start_time": _TIME,
        "updated_at": _utc,
        "pinned": bool,
    },
    "activities": {
        "start_utc": _utc,
        "local_day": _DATE,
        "partial": bool,
        "created_at": _utc,
        "updated_at": _utc,
    },
    "activity_streams": {},
    "activity_sources": {"imported_at": _utc},
    "imported_files": {"imported_at": _utc},
    "wellness": {"day": _DATE, "updated_at": _utc},
    "injuries": {"start": _DATE, "end": _DATE, "created_at": _utc},
    "routine_logs": {"day": _DATE, "started_at": _utc, "completed": bool, "created_at": _utc},
    "feed_secrets": {"created_at": _utc},
    "therapist_hours": {"updated_at": _utc},
    # Accounts (server mode): never read through this reader, listed for the schema check.
    "users": {"created_at": _utc, "disabled_at": _utc},
    "user_sessions": {
        "created_at": _utc,
        "expires_at": _utc,
        "last_seen_at": _utc,
        "revoked_at": _utc,
    },
    "invitations": {"created_at": _utc, "expires_at": _utc, "used_at": _utc},
    "login_attempts": {"at": _utc, "ok": bool},
    # Consent (server mode): never read through this reader, listed for the schema check.
    "grants": {
        "calendar": bool,
        "wellness": bool,
        "training": bool,
        "created_at": _utc,
        "updated_at": _utc,
        "revoked_at": _utc,
    },
    "access_log": {"at": _utc},
    # A server's import jobs and kept originals: never read through this reader either.
    "import_jobs": {
        "salvage": bool,
        "created_at": _utc,
        "importing_since": _utc,
        "finished_at": _utc,
    },
    "import_upload_chunks": {},
    "kept_originals": {"compressed": bool, "kept_at": _utc},
    "kept_original_chunks": {},
    # A therapist's clinic: read by the store only.
    "clinic_clients": {"conditions": _json_list, "created_at": _utc},
    "clinic_client_races": {"day": _DATE},
    "clinic_services": {"created_at": _utc},
    "clinic_rules": {"hours": _json_list, "days_off": _json_list, "updated_at": _utc},
    "clinic_bookings": {
        "start_at": _utc,
        "regions": _json_list,
        "booked_at": _utc,
        "overridden_at": _utc,
        "override_refused": _json_list,
        "cancelled_at": _utc,
    },
    "clinic_waitlist": {"day": _DATE, "added_at": _utc},
    "clinic_intakes": {"signed_at": _utc, "consent": bool},
    "clinic_intake_answers": {"yes": bool, "regions": _json_list},
    "clinic_notes": {"written_at": _utc},
    "clinic_note_amendments": {"written_at": _utc},
    "clinic_note_sharing": {"allowed": bool, "changed_at": _utc},
    "clinic_team_members": {"invited_at": _utc, "accepted_at": _utc},
    "clinic_client_preferences": {"preferences": _json_list, "changed_at": _utc},
    "clinic_feed_secrets": {"created_at": _utc},
}

_SOURCE_UID_TABLES = frozenset({"races", "workouts"})


def open_reader(home: Path, url: str, owner_id: str) -> SqliteReadStorage | None:
    """The home's database read with ``sqlite3``, or None when the full store must open it:
    no database yet, a schema older or newer than this rubdown's (to migrate, or to refuse),
    a runner not created yet, loads left pending by an interrupted import (the first read
    repairs them, a write), or a file SQLite cannot read."""
    path = (home / SQLITE_FILE_NAME).absolute()
    if not path.is_file():
        return None
    try:
        connection = _connect(path)
    except sqlite3.Error:
        return None
    try:
        fit = _fit_to_read(connection, owner_id)
    except sqlite3.Error:
        fit = False
    if not fit:
        connection.close()
        return None
    return SqliteReadStorage(connection, url, path)


def _connect(path: Path) -> sqlite3.Connection:
    # Read-only: this connection never creates the file nor writes; WAL lets it read while
    # another process imports. ``isolation_level=None``: no implicit BEGIN, each SELECT sees
    # the latest commit, and reads of several statements open their own transaction.
    connection = sqlite3.connect(
        f"{path.as_uri()}?mode=ro",
        uri=True,
        isolation_level=None,
        check_same_thread=False,
        timeout=SQLITE_BUSY_TIMEOUT_MS / 1000,
    )
    connection.row_factory = sqlite3.Row
    connection.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    return connection


def _fit_to_read(connection: sqlite3.Connection, owner_id: str) -> bool:
    has_version = connection.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'rubdown_schema'"
    ).fetchone()
    if has_version is None:
        return False
    (version,) = connection.execute("SELECT max(version) FROM rubdown_schema").fetchone()
    if version != SCHEMA_VERSION:
        return False
    runner = connection.execute(
        "SELECT loads_pending FROM runners WHERE id = ?", (owner_id,)
    ).fetchone()
    return runner is not None and not runner[0]


def _reason(error: sqlite3.Error) -> str:
    lines = [part.strip() for part in str(error).splitlines() if part.strip()]
    return lines[0] if lines else type(error).__name__


class SqliteReadStorage:
    """``domain.ports.Storage`` over a read-only ``sqlite3`` connection, writes delegated to
    the full store at the same URL, opened when first needed."""

    is_local = True

    def __init__(self, connection: sqlite3.Connection, url: str, path: Path | None = None) -> None:
        self._connection = connection
        self._url = url
        self._path = path
        self._writer: sqlite3.Connection | None = None
        # What ``urls.show_url`` makes of a SQLite URL: the URL itself (no password in it).
        self.shown_url = url
        self._store: Store | None = None

    def full_store(self) -> Store:
        """The SQLAlchemy store on the same file, for writes: opened (and SQLAlchemy loaded)
        the first time one is made."""
        if self._store is None:
            from rubdown.store.connect import open_store

            self._store = open_store(self._url)
        return self._store

    def for_owner(self, owner_id: str) -> RunnerData:
        if self.runner_exists(owner_id):
            return SqliteRunnerData(self, owner_id)
        return self.full_store().for_owner(owner_id)  # creates the runner: a write

    def owner_for_feed_hash(self, secret_hash: str) -> str | None:
        row = self.one(
            "the calendar feed",
            "SELECT owner_id FROM feed_secrets WHERE secret_hash = ?",
            (secret_hash,),
        )
        return None if row is None else str(row[0])

    def runner_exists(self, owner_id: str) -> bool:
        return (
            self.one("the runner", "SELECT id FROM runners WHERE id = ?", (owner_id,)) is not None
        )

    def close(self) -> None:
        self._connection.close()
        if self._writer is not None:
            self._writer.close()
        if self._store is not None:
            self._store.close()

    # -- writing the plan --------------------------------------------------------------------

    def replace_rows(
        self, what: str, owner_id: str, table: str, rows: Sequence[Mapping[str, Any]]
    ) -> None:
        """Replace ``owner_id``'s rows of ``table`` with ``rows`` (already in the values the
        store writes) and bump the runner's data version, in one ``BEGIN IMMEDIATE``
        transaction, as ``Store._writing`` does; a failure stores nothing."""
        if table not in _TYPES:
            raise ValueError(f"not a table of the store: {table!r}")
        connection = self._writable(what)
        try:
            connection.execute("BEGIN IMMEDIATE")
            try:
                connection.execute(f"DELETE FROM {table} WHERE owner_id = ?", (owner_id,))
                if rows:
                    names = list(rows[0])
                    columns = ", ".join(f'"{name}"' for name in names)
                    marks = ", ".join("?" for _ in names)
                    connection.executemany(
                        f"INSERT INTO {table} ({columns}) VALUES ({marks})",
                        [tuple(row[name] for name in names) for row in rows],
                    )
                connection.execute(
                    "UPDATE runners SET data_version = data_version + 1 WHERE id = ?", (owner_id,)
                )
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")
        except sqlite3.IntegrityError as error:
            raise StoreError(
                f"cannot save {what}: the database refused it ({_reason(error)})"
            ) from None
        except sqlite3.Error as error:
            raise StoreError(
                f"cannot save {what} in the database at {self.shown_url}: {_reason(error)}"
            ) from None

    def _writable(self, what: str) -> sqlite3.Connection:
        # The store's own SQLite settings (``store.engine``): wait for a writer, keep foreign
        # keys, and NORMAL sync under WAL, which the home already is in (the store made it).
        if self._writer is None:
            if self._path is None:
                raise StoreError(f"cannot save {what}: this reader has no database file to write")
            try:
                writer = sqlite3.connect(
                    self._path,
                    isolation_level=None,
                    check_same_thread=False,
                    timeout=SQLITE_BUSY_TIMEOUT_MS / 1000,
                )
                writer.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
                writer.execute("PRAGMA foreign_keys = ON")
                writer.execute("PRAGMA synchronous = NORMAL")
            except sqlite3.Error as error:
                raise StoreError(
                    f"cannot save {what} in the database at {self.shown_url}: {_reason(error)}"
                ) from None
            self._writer = writer
        return self._writer

    # -- reading -----------------------------------------------------------------------------

    def rows(
        self, what: str, table: str | None, sql: str, params: Sequence[Any] = ()
    ) -> list[dict[str, Any]]:
        """Every row of ``sql`` by column name, ``table``'s columns turned into the types the
        store hands out."""
        try:
            found = self._connection.execute(sql, params).fetchall()
        except sqlite3.Error as error:
            raise self._failed(what, error) from None
        return [_typed(table, row) for row in found]

    def one(self, what: str, sql: str, params: Sequence[Any] = ()) -> sqlite3.Row | None:
        try:
            row: sqlite3.Row | None = self._connection.execute(sql, params).fetchone()
        except sqlite3.Error as error:
            raise self._failed(what, error) from None
        return row

    @contextmanager
    def together(self, what: str) -> Iterator[None]:
        """A read transaction, for a read of several SELECTs that must agree with each other
        (a check-in and its regions), as the store's one connection per read gives."""
        try:
            self._connection.execute("BEGIN")
        except sqlite3.Error as error:
            raise self._failed(what, error) from None
        try:
            yield
        finally:
            if self._connection.in_transaction:
                self._connection.execute("ROLLBACK")  # it only read: nothing to keep

    def _failed(self, what: str, error: sqlite3.Error) -> StoreError:
        return StoreError(
            f"cannot read {what} from the database at {self.shown_url}: {_reason(error)}"
        )


def _sqlite_values(row: Mapping[str, Any]) -> dict[str, Any]:
    """A row's values as SQLAlchemy's SQLite dialect and ``store.columns`` write them."""
    return {name: _sqlite_value(value) for name, value in row.items()}


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, dt.datetime):  # before date: a datetime is a date too
        if value.tzinfo is None:
            raise ValueError("timestamps must be timezone-aware")
        return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.isoformat("microseconds")
    if isinstance(value, list | tuple):
        return json.dumps(list(value), ensure_ascii=False)
    return value


def _typed(table: str | None, row: sqlite3.Row) -> dict[str, Any]:
    types = _TYPES[table] if table is not None else {}
    values: dict[str, Any] = {}
    for name in row.keys():  # noqa: SIM118 -- iterating a sqlite3.Row gives its values
        value = row[name]
        convert = types.get(name)
        values[name] = convert(value) if convert is not None and value is not None else value
    return values


class SqliteRunnerData:
    """One runner's rows, read with ``sqlite3``; written through the full store."""

    def __init__(self, storage: SqliteReadStorage, owner_id: str) -> None:
        self._storage = storage
        self._owner_id = owner_id
        self._writer: RunnerData | None = None

    @property
    def owner_id(self) -> str:
        return self._owner_id

    def _write(self) -> RunnerData:
        if self._writer is None:
            self._writer = self._storage.full_store().for_owner(self._owner_id)
        return self._writer

    def _rows(self, what: str, table: str | None, sql: str, *params: Any) -> list[dict[str, Any]]:
        return self._storage.rows(what, table, sql, (self._owner_id, *params))

    # -- reads, each the store's SELECT ------------------------------------------------------

    def version_stamp(self) -> VersionStamp:
        row = self._storage.one(
            "the data version",
            "SELECT runners.data_version, profiles.timezone FROM runners"
            " LEFT OUTER JOIN profiles ON profiles.owner_id = runners.id WHERE runners.id = ?",
            (self._owner_id,),
        )
        if row is None:
            return VersionStamp(0, None)
        return VersionStamp(int(row[0]), row[1])

    def get_profile(self) -> Profile | None:
        rows = self._rows("the profile", "profiles", "SELECT * FROM profiles WHERE owner_id = ?")
        return mapping.profile_from_row(rows[0]) if rows else None

    def list_races(self) -> list[Race]:
        rows = self._rows(
            "the races",
            "races",
            "SELECT * FROM races WHERE owner_id = ? ORDER BY day, created_at, id",
        )
        return [mapping.race_from_row(row) for row in rows]

    def list_workouts(self) -> list[Workout]:
        rows = self._rows(
            "the workouts",
            "workouts",
            "SELECT * FROM workouts WHERE owner_id = ? ORDER BY day, created_at, id",
        )
        return [mapping.workout_from_row(row) for row in rows]

    def has_source_uid(self, table: Literal["races", "workouts"], uid: str) -> bool:
        if table not in _SOURCE_UID_TABLES:  # a table name is never a parameter: check it
            raise KeyError(table)
        rows = self._rows(
            f"the {table}",
            None,
            f"SELECT id FROM {table} WHERE owner_id = ? AND source_uid = ? LIMIT 1",
            uid,
        )
        return bool(rows)

    def list_patterns(self) -> list[WorkoutPattern]:
        rows = self._rows(
            "the workout patterns",
            "workout_patterns",
            "SELECT * FROM workout_patterns WHERE owner_id = ? ORDER BY first_day, created_at, id",
        )
        return [mapping.pattern_from_row(row) for row in rows]

    def recovery_weeks(self) -> frozenset[dt.date]:
        rows = self._rows(
            "the recovery weeks",
            "recovery_weeks",
            "SELECT first_day FROM recovery_weeks WHERE owner_id = ?",
        )
        return frozenset(row["first_day"] for row in rows)

    def list_sessions(self) -> list[MassageSession]:
        rows = self._rows(
            "the massage sessions",
            "massage_sessions",
            "SELECT * FROM massage_sessions WHERE owner_id = ? ORDER BY day, created_at, id",
        )
        return [mapping.session_from_row(row) for row in rows]

    def list_bookings(self) -> list[BookedSession]:
        from rubdown.store.booked_rows import RUNNER_BOOKINGS_SQL, booked_from_row

        rows = self._rows("the bookings", "clinic_bookings", RUNNER_BOOKINGS_SQL)
        return [booked_from_row(row) for row in rows]

    def load_plan(self) -> list[PlannedSession]:
        rows = self._rows(
            "the plan",
            "planned_sessions",
            'SELECT * FROM planned_sessions WHERE owner_id = ? ORDER BY day, "key"',
        )
        return [mapping.planned_from_row(row) for row in rows]

    def therapist_hours(self) -> WeeklyHours:
        rows = self._rows(
            "the therapist's hours",
            "therapist_hours",
            "SELECT weekday, start_minute, end_minute FROM therapist_hours WHERE owner_id = ?"
            " ORDER BY weekday, start_minute",
        )
        return WeeklyHours(
            tuple(
                OpeningWindow(int(row["weekday"]), int(row["start_minute"]), int(row["end_minute"]))
                for row in rows
            )
        )

    def checkin_on(self, day: dt.date) -> CheckIn | None:
        with self._storage.together("the check-in"):
            rows = self._rows(
                "the check-in",
                "checkins",
                "SELECT * FROM checkins WHERE owner_id = ? AND day = ?"
                " ORDER BY created_at DESC, id DESC LIMIT 1",
                day.isoformat(),
            )
            if not rows:
                return None
            row = rows[0]
            regions = self._rows(
                "the check-in",
                "checkin_regions",
                "SELECT * FROM checkin_regions WHERE owner_id = ? AND checkin_id = ?",
                row["id"],
            )
            signs = self._rows(
                "the check-in",
                "checkin_signs",
                "SELECT * FROM checkin_signs WHERE owner_id = ? AND checkin_id = ?",
                row["id"],
            )
        return mapping.checkin_from_rows(row, regions, signs)

    def list_checkins(self) -> list[CheckIn]:
        what = "the check-ins"
        with self._storage.together(what):
            regions: dict[str, list[dict[str, Any]]] = {}
            for region in self._rows(
                what, "checkin_regions", "SELECT * FROM checkin_regions WHERE owner_id = ?"
            ):
                regions.setdefault(region["checkin_id"], []).append(region)
            signs: dict[str, list[dict[str, Any]]] = {}
            for sign in self._rows(
                what, "checkin_signs", "SELECT * FROM checkin_signs WHERE owner_id = ?"
            ):
                signs.setdefault(sign["checkin_id"], []).append(sign)
            rows = self._rows(
                what,
                "checkins",
                "SELECT * FROM checkins WHERE owner_id = ? ORDER BY day, created_at, id",
            )
        return [
            mapping.checkin_from_rows(row, regions.get(row["id"], ()), signs.get(row["id"], ()))
            for row in rows
        ]

    def list_injuries(self) -> list[InjuryEpisode]:
        rows = self._rows(
            "the injury episodes",
            "injuries",
            "SELECT * FROM injuries WHERE owner_id = ? ORDER BY start, created_at, id",
        )
        return [mapping.injury_from_row(row) for row in rows]

    def list_routine_logs(self) -> list[RoutineLog]:
        rows = self._rows(
            "the routine logs",
            "routine_logs",
            "SELECT * FROM routine_logs WHERE owner_id = ? ORDER BY day, started_at, id",
        )
        return [mapping.routine_log_from_row(row) for row in rows]

    def list_manual_runs(self) -> list[ManualRun]:
        rows = self._rows(
            "the runs logged by hand",
            "activities",
            "SELECT * FROM activities WHERE owner_id = ? AND manual_kind IS NOT NULL"
            " ORDER BY local_day, start_utc, id",
        )
        return [mapping.manual_run_from_row(row) for row in rows]

    def activity_marks(self) -> dict[str, ActivityMarks]:
        rows = self._rows(
            "the activities",
            "activities",
            "SELECT id, rpe, manual_kind FROM activities WHERE owner_id = ?"
            " AND (rpe IS NOT NULL OR manual_kind IS NOT NULL)",
        )
        return {
            row["id"]: ActivityMarks(
                None if row["rpe"] is None else float(row["rpe"]),
                WorkoutKind(row["manual_kind"]) if row["manual_kind"] else None,
            )
            for row in rows
        }

    def file_statuses(self) -> dict[str, FileStatus]:
        rows = self._rows(
            "the imported files",
            "imported_files",
            "SELECT sha256, status FROM imported_files WHERE owner_id = ?",
        )
        return {row["sha256"]: FileStatus(row["status"]) for row in rows}

    def raw_sources(self) -> list[StoredSource]:
        rows = self._rows(
            "the imported files",
            "imported_files",
            'SELECT sha256, format, shown, export, container, "inner" FROM imported_files'
            " WHERE owner_id = ? ORDER BY imported_at, shown",
        )
        return [StoredSource(*row.values()) for row in rows]

    def list_activities(
        self, start: dt.date | None = None, end: dt.date | None = None
    ) -> list[ActivityRow]:
        sql = "SELECT * FROM activities WHERE owner_id = ?"
        params: list[Any] = []
        if start is not None:
            sql += " AND local_day >= ?"
            params.append(start.isoformat())
        if end is not None:
            sql += " AND local_day <= ?"
            params.append(end.isoformat())
        rows = self._rows("the activities", "activities", sql + " ORDER BY start_utc, id", *params)
        return [
            ActivityRow(mapping.activity_from_row(row), row["local_day"], row["kind"])
            for row in rows
        ]

    def activity_days(self) -> list[tuple[str, dt.date, str, float]]:
        rows = self._rows(
            "the activities",
            "activities",
            "SELECT id, local_day, kind, duration_s FROM activities WHERE owner_id = ?"
            " ORDER BY local_day, id",
        )
        return [(row["id"], row["local_day"], row["kind"], row["duration_s"]) for row in rows]

    def activity_sources(self, activity_id: str) -> list[dict[str, Any]]:
        return self._rows(
            "the activity sources",
            "activity_sources",
            "SELECT format, shown, sha256, source_ref FROM activity_sources"
            " WHERE owner_id = ? AND activity_id = ? ORDER BY imported_at, id",
            activity_id,
        )

    def list_wellness(self) -> list[DailyWellness]:
        rows = self._rows(
            "the wellness days",
            "wellness",
            "SELECT * FROM wellness WHERE owner_id = ? ORDER BY day, source",
        )
        return [
            DailyWellness(
                row["day"],
                row["source"],
                row["resting_hr_bpm"],
                row["hrv_ms"],
                row["sleep_s"],
                row["sleep_score"],
            )
            for row in rows
        ]

    def stored_loads(self) -> list[StoredLoad]:
        rows = self._rows(
            "the activity loads",
            "activities",
            "SELECT id, local_day, sport, duration_s, max_hr_bpm, load_basis FROM activities"
            " WHERE owner_id = ? ORDER BY local_day, id",
        )
        return [
            StoredLoad(
                row["id"],
                row["local_day"],
                Sport(row["sport"]),
                row["duration_s"],
                row["max_hr_bpm"],
                json.loads(row["load_basis"]) if row["load_basis"] else None,
            )
            for row in rows
        ]

    def loads_pending(self) -> int:
        row = self._storage.one(
            "the runner's load mark",
            "SELECT loads_pending FROM runners WHERE id = ?",
            (self._owner_id,),
        )
        return int((row[0] if row is not None else 0) or 0)

    def feed_secret_hash(self) -> str | None:
        row = self._storage.one(
            "the calendar feed",
            "SELECT secret_hash FROM feed_secrets WHERE owner_id = ?",
            (self._owner_id,),
        )
        return None if row is None else str(row[0])

    # -- writes, through the full store ------------------------------------------------------

    def save_profile(self, profile: Profile) -> None:
        self._write().save_profile(profile)

    def update_profile(
        self, change: Callable[[Profile | None], Profile], *, loads_depend_on: Iterable[str] = ()
    ) -> Profile:
        return self._write().update_profile(change, loads_depend_on=loads_depend_on)

    def add_race(self, race: Race, *, source: str = "cli", source_uid: str | None = None) -> Race:
        return self._write().add_race(race, source=source, source_uid=source_uid)

    def update_race(self, race: Race) -> Race:
        return self._write().update_race(race)

    def remove_race(self, race_id: str) -> None:
        self._write().remove_race(race_id)

    def add_workout(self, workout: Workout, *, source_uid: str | None = None) -> Workout:
        return self._write().add_workout(workout, source_uid=source_uid)

    def update_workout(self, workout: Workout) -> Workout:
        return self._write().update_workout(workout)

    def remove_workout(self, workout_id: str) -> None:
        self._write().remove_workout(workout_id)

    def import_batch(
        self,
        races: Iterable[tuple[Race, str | None]],
        workouts: Iterable[tuple[Workout, str | None]],
        *,
        source: str = "calendar",
    ) -> tuple[list[Race], list[Workout]]:
        return self._write().import_batch(races, workouts, source=source)

    def add_pattern(
        self,
        pattern: WorkoutPattern,
        workouts: Sequence[Workout],
        mondays: Sequence[dt.date],
        *,
        replacing: str | None = None,
    ) -> StoredPattern:
        return self._write().add_pattern(pattern, workouts, mondays, replacing=replacing)

    def remove_pattern(self, pattern_id: str) -> StoredPattern:
        return self._write().remove_pattern(pattern_id)

    def mark_recovery_week(self, monday: dt.date) -> bool:
        return self._write().mark_recovery_week(monday)

    def unmark_recovery_week(self, monday: dt.date) -> bool:
        return self._write().unmark_recovery_week(monday)

    def add_session(self, session: MassageSession, *, note: str = "") -> MassageSession:
        return self._write().add_session(session, note=note)

    def save_plan(self, sessions: Sequence[PlannedSession]) -> None:
        # Written here with sqlite3, not through the full store: ``rubdown plan`` saves its
        # plan on every run, and loading SQLAlchemy for that one statement would double its
        # time. The values are the ones SQLAlchemy's SQLite dialect writes for
        # ``store.mapping.planned_to_row`` (a test compares the stored rows byte for byte).
        now = dt.datetime.now(dt.UTC)
        rows = [_sqlite_values(mapping.planned_to_row(self._owner_id, s, now)) for s in sessions]
        self._storage.replace_rows("the plan", self._owner_id, "planned_sessions", rows)

    def save_therapist_hours(self, hours: WeeklyHours) -> None:
        self._write().save_therapist_hours(hours)

    def add_checkin(self, checkin: CheckIn) -> bool:
        return self._write().add_checkin(checkin)

    def update_checkin(
        self, day: dt.date, change: Callable[[CheckIn | None], CheckIn]
    ) -> tuple[CheckIn, bool]:
        return self._write().update_checkin(day, change)

    def add_injury(self, episode: InjuryEpisode) -> InjuryEpisode:
        return self._write().add_injury(episode)

    def end_injury(self, injury_id: str, end: dt.date, helped: str = "") -> InjuryEpisode:
        return self._write().end_injury(injury_id, end, helped)

    def log_routine(self, log: RoutineLog) -> RoutineLog:
        return self._write().log_routine(log)

    def add_manual_run(self, run: ManualRun, *, load_basis: Mapping[str, Any]) -> ManualRun:
        return self._write().add_manual_run(run, load_basis=load_basis)

    def record_file(self, incoming: IncomingFile, *, first_time: bool = False) -> FileOutcome:
        return self._write().record_file(incoming, first_time=first_time)

    def record_files(self, batch: Sequence[tuple[IncomingFile, bool]]) -> list[FileOutcome]:
        return self._write().record_files(batch)

    def forget_imports(self) -> None:
        self._write().forget_imports()

    def save_loads(self, loads: Iterable[tuple[str, float, str, str]], *, settles: int = 0) -> None:
        self._write().save_loads(loads, settles=settles)

    def set_feed_secret_hash(self, secret_hash: str) -> None:
        self._write().set_feed_secret_hash(secret_hash)

    def remove_feed_secret_hash(self) -> bool:
        return self._write().remove_feed_secret_hash()
