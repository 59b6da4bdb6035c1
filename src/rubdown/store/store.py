"""The store: one runner's season in SQLite or PostgreSQL, behind owner-scoped methods.

Every method takes the owner first and every query filters on it, so one runner never reads
or changes another's rows. Every write runs in one transaction: it is stored whole or not at
all. Database failures come out as ``StoreError`` (or ``NotFound``) with one line to show.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Literal, Self

import sqlalchemy as sa
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from rubdown.domain.model import CheckIn, MassageSession, Profile, Race, Workout
from rubdown.domain.plan import PlannedSession
from rubdown.domain.records import VersionStamp
from rubdown.errors import NotFound, RubdownError, StoreError
from rubdown.store import mapping
from rubdown.store import schema as tables
from rubdown.store.activity_rows import _MARK_LOADS_PENDING, ActivityRows
from rubdown.store.daily_rows import DailyRows
from rubdown.store.driver_query import DriverQuery
from rubdown.store.engine import reason
from rubdown.store.feed_rows import FeedRows
from rubdown.store.hours_rows import HoursRows
from rubdown.store.migrations import read_version
from rubdown.store.rows_base import NOTHING_WRITTEN
from rubdown.store.runner_data import StoredRunnerData
from rubdown.store.training_rows import TrainingRows
from rubdown.store.transactions import reading, writing

# PostgreSQL's dialect loads only where a store on PostgreSQL needs it: importing it costs
# every command on SQLite about 0.04 s of CPU.
if TYPE_CHECKING:
    from sqlalchemy.dialects import postgresql

_TABLES_WITH_SOURCE_UID = {"races": tables.races, "workouts": tables.workouts}


_BUMP_DATA_VERSION = (
    tables.runners.update()
    .where(tables.runners.c.id == sa.bindparam("owner"))
    .values(data_version=tables.runners.c.data_version + 1)
)

_VERSION_STAMP = (
    sa.select(tables.runners.c.data_version, tables.profiles.c.timezone)
    .select_from(
        tables.runners.outerjoin(tables.profiles, tables.profiles.c.owner_id == tables.runners.c.id)
    )
    .where(tables.runners.c.id == sa.bindparam("owner"))
)


def new_id() -> str:
    return uuid.uuid4().hex


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Store(DailyRows, ActivityRows, FeedRows, HoursRows, TrainingRows):
    """Owner-scoped access to the database; build it with ``open_store``."""

    def __init__(
        self, engine: Engine, shown_url: str, *, clock: Callable[[], dt.datetime] = utc_now
    ) -> None:
        self._engine = engine
        self._clock = clock
        self.shown_url = shown_url  # the URL without its password, for messages
        # SQLite: a file this process reads itself, where a one-row read takes microseconds
        # and never waits on a network; the web app may then read on its event loop.
        self.is_local = engine.dialect.name == "sqlite"
        # Runners known to exist, each looked up once (deleting an account forgets its own).
        self._known_runners: set[str] = set()
        # Locally the one runner is made when first asked for; a server makes each runner
        # with their account, and asking for anyone else's data must not make one.
        self.creates_runners = True
        self._version_stamp = DriverQuery(_VERSION_STAMP, engine)

    # -- lifecycle ---------------------------------------------------------------------------

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def schema_version(self) -> int:
        with self._reading("the schema version") as connection:
            return read_version(connection)

    # -- runners and profiles ----------------------------------------------------------------

    def ensure_runner(self, owner_id: str, name: str = "runner") -> None:
        """Create the runner unless it exists; an existing runner is left as it is.

        Every ``Runner`` calls this (``for_owner``), the web app's once per request: it reads before
        it writes (a write takes SQLite's one write lock) and asks once per store at all.
        """
        if owner_id in self._known_runners:
            return
        if not self._runner_exists(owner_id):
            with self._writing(owner_id, "the runner", owner_must_exist=False) as connection:
                row = {"id": owner_id, "name": name, "created_at": self._clock()}
                statement = self._insert(connection, tables.runners).on_conflict_do_nothing()
                connection.execute(statement, row)
        self._known_runners.add(owner_id)

    def for_owner(self, owner_id: str) -> StoredRunnerData:
        """The runner's data (``domain.ports.RunnerData``), the runner created first if new
        and this store ``creates_runners``."""
        if self.creates_runners:
            self.ensure_runner(owner_id)
        return StoredRunnerData(self, owner_id)

    def version_stamp(self, owner: str) -> VersionStamp:
        """The runner's data version and profile time zone, in one query: what a cache of
        things made from the runner's data checks before it answers (see ``VersionStamp``).

        The web app asks this on every plan read, so it runs on the driver's own cursor
        (``DriverQuery``), at a tenth of the cost of a read through SQLAlchemy."""
        query = self._version_stamp
        try:
            row = query.first(owner=owner)
        except (SQLAlchemyError, query.driver_error) as error:
            raise StoreError(
                f"cannot read the data version from the database at {self.shown_url}:"
                f" {reason(error)}"
            ) from None
        if row is None:
            return VersionStamp(0, None)
        data_version, timezone = row
        return VersionStamp(int(data_version), timezone)

    def get_profile(self, owner: str) -> Profile | None:
        with self._reading("the profile") as connection:
            row = (
                connection.execute(
                    sa.select(tables.profiles).where(tables.profiles.c.owner_id == owner)
                )
                .mappings()
                .first()
            )
        return mapping.profile_from_row(row) if row is not None else None

    def save_profile(self, owner: str, profile: Profile) -> None:
        """Store ``profile`` as it is, whatever was stored before."""
        self.update_profile(owner, lambda _stored: profile)

    def update_profile(
        self,
        owner: str,
        change: Callable[[Profile | None], Profile],
        *,
        loads_depend_on: Iterable[str] = (),
    ) -> Profile:
        """Read the runner's profile, store what ``change`` makes of it and return that, in one
        write transaction that holds the runner: two changes at once both count, as neither
        reads the profile before the other has saved. ``change`` gets None before a profile
        is saved; what it raises rolls everything back and comes out as it is.

        When a field named in ``loads_depend_on`` changes, the same transaction marks the
        runner's loads pending (see ``loads_pending``): a command killed before it refreshed
        them leaves them to be recomputed by the next one that reads them, not stale."""
        profiles = tables.profiles
        with self._writing(owner, "the profile") as connection:
            # The runner's row, not the profile's: it exists before the first profile does,
            # and every write ends by bumping it, so the lock order is the same everywhere
            # (PostgreSQL; SQLite's write transaction already excludes other writers).
            connection.execute(
                sa.select(tables.runners.c.id).where(tables.runners.c.id == owner).with_for_update()
            )
            row = (
                connection.execute(sa.select(profiles).where(profiles.c.owner_id == owner))
                .mappings()
                .first()
            )
            stored = mapping.profile_from_row(row) if row is not None else None
            profile = change(stored)
            before = stored or Profile()
            if any(getattr(before, name) != getattr(profile, name) for name in loads_depend_on):
                connection.execute(_MARK_LOADS_PENDING, {"owner": owner})
            values = mapping.profile_to_row(owner, profile, self._clock())
            changes = {name: value for name, value in values.items() if name != "owner_id"}
            statement = self._insert(connection, profiles).on_conflict_do_update(
                index_elements=[profiles.c.owner_id], set_=changes
            )
            connection.execute(statement, values)
        return profile

    # -- races -------------------------------------------------------------------------------

    def add_race(
        self, owner: str, race: Race, *, source: str = "cli", source_uid: str | None = None
    ) -> Race:
        """Store ``race`` under a new ID and return it with that ID."""
        with self._writing(owner, "the race") as connection:
            (stored,) = self._insert_races(connection, owner, [(race, source, source_uid)])
        return stored

    def list_races(self, owner: str) -> list[Race]:
        table = tables.races
        with self._reading("the races") as connection:
            rows = connection.execute(
                sa.select(table)
                .where(table.c.owner_id == owner)
                .order_by(table.c.day, table.c.created_at, table.c.id)
            ).mappings()
            return [mapping.race_from_row(row) for row in rows]

    def update_race(self, owner: str, race: Race) -> Race:
        """Replace the stored fields of the race with ``race.id`` and return it as stored;
        NotFound if absent.

        The store keeps the race's SEQUENCE (``race.sequence`` is not read): a change of
        anything the calendar shows of it moves it on, so a client that has the event
        updates it (RFC 5545); saving the race unchanged leaves it as it was."""
        table = tables.races
        where = (table.c.owner_id == owner, table.c.id == race.id)
        with self._writing(owner, "the race") as connection:
            # Locked until the write commits: two changes at once both count (PostgreSQL;
            # SQLite's write transaction already excludes the other writer).
            row = (
                connection.execute(sa.select(table).where(*where).with_for_update())
                .mappings()
                .first()
            )
            if row is None:
                raise NotFound(f"no race with ID {race.id!r}")
            stored = mapping.race_from_row(row)
            if replace(race, sequence=stored.sequence) == stored:
                return stored
            changed = replace(race, sequence=stored.sequence + 1)
            connection.execute(
                table.update()
                .where(*where)
                .values(**mapping.race_fields(changed), sequence=changed.sequence)
            )
        return changed

    def remove_race(self, owner: str, race_id: str) -> None:
        table = tables.races
        with self._writing(owner, "the race") as connection:
            removed = connection.execute(
                table.delete().where(table.c.owner_id == owner, table.c.id == race_id)
            )
            if removed.rowcount == 0:
                raise NotFound(f"no race with ID {race_id!r}")

    # -- workouts ----------------------------------------------------------------------------

    def add_workout(
        self, owner: str, workout: Workout, *, source_uid: str | None = None
    ) -> Workout:
        with self._writing(owner, "the workout") as connection:
            (stored,) = self._insert_workouts(connection, owner, [(workout, source_uid)])
        return stored

    def list_workouts(self, owner: str) -> list[Workout]:
        table = tables.workouts
        with self._reading("the workouts") as connection:
            rows = connection.execute(
                sa.select(table)
                .where(table.c.owner_id == owner)
                .order_by(table.c.day, table.c.created_at, table.c.id)
            ).mappings()
            return [mapping.workout_from_row(row) for row in rows]

    def remove_workout(self, owner: str, workout_id: str) -> None:
        table = tables.workouts
        with self._writing(owner, "the workout") as connection:
            removed = connection.execute(
                table.delete().where(table.c.owner_id == owner, table.c.id == workout_id)
            )
            if removed.rowcount == 0:
                raise NotFound(f"no workout with ID {workout_id!r}")

    # -- calendar and activity imports -------------------------------------------------------

    def has_source_uid(self, owner: str, table: Literal["races", "workouts"], uid: str) -> bool:
        """Whether an imported race or workout with this UID is already stored."""
        target = _TABLES_WITH_SOURCE_UID[table]
        with self._reading(f"the {table}") as connection:
            found = connection.execute(
                sa.select(target.c.id)
                .where(target.c.owner_id == owner, target.c.source_uid == uid)
                .limit(1)
            ).first()
        return found is not None

    def import_batch(
        self,
        owner: str,
        races: Iterable[tuple[Race, str | None]],
        workouts: Iterable[tuple[Workout, str | None]],
        *,
        source: str = "calendar",
    ) -> tuple[list[Race], list[Workout]]:
        """Store many (race, source UID) and (workout, source UID) pairs in one transaction,
        all or nothing; returns them with their new IDs.

        The races are stored as coming from ``source``; a workout names its source itself
        (``Workout.source``). A UID already stored for the owner fails the whole batch.
        An empty batch writes nothing: the data version stays, and so do caches made from it.
        """
        race_items = [(race, source, uid) for race, uid in races]
        workouts = list(workouts)
        if not race_items and not workouts:
            return [], []
        with self._writing(owner, "the import") as connection:
            stored_races = self._insert_races(connection, owner, race_items)
            stored_workouts = self._insert_workouts(connection, owner, workouts)
        return stored_races, stored_workouts

    # -- logged massage sessions -------------------------------------------------------------

    def add_session(self, owner: str, session: MassageSession, *, note: str = "") -> MassageSession:
        stored = replace(session, id=new_id())
        row = {
            "id": stored.id,
            "owner_id": owner,
            "note": note,
            "created_at": self._clock(),
            **mapping.session_fields(stored),
        }
        with self._writing(owner, "the massage session") as connection:
            connection.execute(tables.massage_sessions.insert(), row)
        return stored

    def list_sessions(self, owner: str) -> list[MassageSession]:
        table = tables.massage_sessions
        with self._reading("the massage sessions") as connection:
            rows = connection.execute(
                sa.select(table)
                .where(table.c.owner_id == owner)
                .order_by(table.c.day, table.c.created_at, table.c.id)
            ).mappings()
            return [mapping.session_from_row(row) for row in rows]

    # -- check-ins ---------------------------------------------------------------------------

    def add_checkin(self, owner: str, checkin: CheckIn) -> bool:
        """Store the day's check-in, replacing one stored for the same day before (one a
        day); returns whether one was replaced. ``update_checkin`` merges instead."""
        _stored, replaced = self.update_checkin(owner, checkin.day, lambda _earlier: checkin)
        return replaced

    def update_checkin(
        self, owner: str, day: dt.date, change: Callable[[CheckIn | None], CheckIn]
    ) -> tuple[CheckIn, bool]:
        """Read the check-in stored for ``day``, store what ``change`` makes of it in its
        place and return that and whether one was there, in one write transaction that holds
        the runner: two check-ins at once both count, as neither reads the day before the
        other has saved. ``change`` gets None when the day has none; what it raises rolls
        everything back and comes out as it is."""
        table = tables.checkins
        with self._writing(owner, "the check-in") as connection:
            # The runner's row, as update_profile does: one lock order for every write.
            connection.execute(
                sa.select(tables.runners.c.id).where(tables.runners.c.id == owner).with_for_update()
            )
            earlier = self._checkin_on(connection, owner, day)
            checkin = change(earlier)
            if checkin.day != day:
                raise ValueError(f"a change of the check-in of {day} made one of {checkin.day}")
            checkin_id = new_id()
            row = {
                "id": checkin_id,
                "owner_id": owner,
                "day": checkin.day,
                "note": checkin.note,
                "fatigue": checkin.fatigue,
                "sleep": checkin.sleep,
                "created_at": self._clock(),
            }
            # The region and sign rows of the old one go with it (ON DELETE CASCADE).
            connection.execute(table.delete().where(table.c.owner_id == owner, table.c.day == day))
            connection.execute(table.insert(), row)
            region_rows = mapping.checkin_region_rows(owner, checkin_id, checkin)
            if region_rows:
                connection.execute(tables.checkin_regions.insert(), region_rows)
            sign_rows = mapping.checkin_sign_rows(owner, checkin_id, checkin)
            if sign_rows:
                connection.execute(tables.checkin_signs.insert(), sign_rows)
        return checkin, earlier is not None

    def checkin_on(self, owner: str, day: dt.date) -> CheckIn | None:
        """The day's check-in, or None: there is one at most, a second is merged into it."""
        with self._reading("the check-in") as connection:
            return self._checkin_on(connection, owner, day)

    @staticmethod
    def _checkin_on(connection: Connection, owner: str, day: dt.date) -> CheckIn | None:
        table = tables.checkins
        row = (
            connection.execute(
                sa.select(table)
                .where(table.c.owner_id == owner, table.c.day == day)
                .order_by(table.c.created_at.desc(), table.c.id.desc())
            )
            .mappings()
            .first()
        )
        if row is None:
            return None
        region_table, sign_table = tables.checkin_regions, tables.checkin_signs
        region_rows = connection.execute(
            sa.select(region_table).where(
                region_table.c.owner_id == owner, region_table.c.checkin_id == row["id"]
            )
        ).mappings()
        sign_rows = connection.execute(
            sa.select(sign_table).where(
                sign_table.c.owner_id == owner, sign_table.c.checkin_id == row["id"]
            )
        ).mappings()
        return mapping.checkin_from_rows(row, list(region_rows), list(sign_rows))

    def list_checkins(self, owner: str) -> list[CheckIn]:
        table, region_table = tables.checkins, tables.checkin_regions
        sign_table = tables.checkin_signs
        with self._reading("the check-ins") as connection:
            regions_by_checkin: dict[str, list[sa.RowMapping]] = defaultdict(list)
            for region_row in connection.execute(
                sa.select(region_table).where(region_table.c.owner_id == owner)
            ).mappings():
                regions_by_checkin[region_row["checkin_id"]].append(region_row)
            signs_by_checkin: dict[str, list[sa.RowMapping]] = defaultdict(list)
            for sign_row in connection.execute(
                sa.select(sign_table).where(sign_table.c.owner_id == owner)
            ).mappings():
                signs_by_checkin[sign_row["checkin_id"]].append(sign_row)
            rows = connection.execute(
                sa.select(table)
                .where(table.c.owner_id == owner)
                .order_by(table.c.day, table.c.created_at, table.c.id)
            ).mappings()
            return [
                mapping.checkin_from_rows(
                    row, regions_by_checkin[row["id"]], signs_by_checkin[row["id"]]
                )
                for row in rows
            ]

    # -- imports ---------------------------------------------------------------------------

    # -- the saved plan ----------------------------------------------------------------------

    def load_plan(self, owner: str) -> list[PlannedSession]:
        table = tables.planned_sessions
        with self._reading("the plan") as connection:
            rows = connection.execute(
                sa.select(table).where(table.c.owner_id == owner).order_by(table.c.day, table.c.key)
            ).mappings()
            return [mapping.planned_from_row(row) for row in rows]

    def save_plan(self, owner: str, sessions: Sequence[PlannedSession]) -> None:
        """Replace the owner's planned sessions with ``sessions``, as given (``sequence``
        included: deciding when it changes is the planner's job)."""
        now = self._clock()
        rows = [mapping.planned_to_row(owner, session, now) for session in sessions]
        table = tables.planned_sessions
        with self._writing(owner, "the plan") as connection:
            connection.execute(table.delete().where(table.c.owner_id == owner))
            if rows:
                connection.execute(table.insert(), rows)

    # -- helpers -----------------------------------------------------------------------------

    def _insert_races(
        self, connection: Connection, owner: str, items: Iterable[tuple[Race, str, str | None]]
    ) -> list[Race]:
        now = self._clock()
        stored: list[Race] = []
        rows: list[dict[str, Any]] = []
        for race, source, source_uid in items:
            with_id = replace(race, id=new_id())
            stored.append(with_id)
            rows.append(
                {
                    "id": with_id.id,
                    "owner_id": owner,
                    "source": source,
                    "source_uid": source_uid,
                    "created_at": now,
                    "sequence": with_id.sequence,
                    **mapping.race_fields(with_id),
                }
            )
        if rows:
            connection.execute(tables.races.insert(), rows)
        return stored

    def _insert_workouts(
        self, connection: Connection, owner: str, items: Iterable[tuple[Workout, str | None]]
    ) -> list[Workout]:
        now = self._clock()
        stored: list[Workout] = []
        rows: list[dict[str, Any]] = []
        for workout, source_uid in items:
            with_id = replace(workout, id=new_id())
            stored.append(with_id)
            rows.append(
                {
                    "id": with_id.id,
                    "owner_id": owner,
                    "source_uid": source_uid,
                    "created_at": now,
                    **mapping.workout_fields(with_id),
                }
            )
        if rows:
            connection.execute(tables.workouts.insert(), rows)
        return stored

    @staticmethod
    def _insert(connection: Connection, table: sa.Table) -> postgresql.Insert | sqlite.Insert:
        """An INSERT that knows ON CONFLICT (the same spelling on both databases)."""
        if connection.dialect.name == "postgresql":
            from sqlalchemy.dialects import postgresql  # see the import block

            return postgresql.insert(table)
        return sqlite.insert(table)

    def _reading(self, what: str) -> AbstractContextManager[Connection]:
        return reading(self._engine, self.shown_url, what)

    @contextmanager
    def _writing(
        self, owner: str, what: str, *, owner_must_exist: bool = True
    ) -> Iterator[Connection]:
        """A connection inside one write transaction: committed if the block ends normally,
        rolled back (nothing stored) if it raises."""

        def refused(_error: IntegrityError) -> RubdownError | None:
            # A missing runner fails the foreign key; say that rather than "constraint".
            if owner_must_exist and not self._runner_exists(owner):
                return NotFound(f"no runner {owner!r}: create the runner first")
            return None

        with writing(self._engine, self.shown_url, what, refused=refused) as connection:
            connection.info.pop(NOTHING_WRITTEN, None)  # a mark left by a failed block
            yield connection
            # In the same transaction as the write: readers see both or neither. A block
            # that found nothing to change says so, and the version stays.
            if not connection.info.pop(NOTHING_WRITTEN, False):
                connection.execute(_BUMP_DATA_VERSION, {"owner": owner})

    def _runner_exists(self, owner: str) -> bool:
        with self._reading("the runner") as connection:
            found = connection.execute(
                sa.select(tables.runners.c.id).where(tables.runners.c.id == owner)
            ).first()
        return found is not None
