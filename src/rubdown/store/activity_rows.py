"""Activities, their sources and streams, imported files and daily wellness in the store.

One imported file is one transaction (``record_file``): its activities, the row saying the
file was seen, and its wellness days are stored together or not at all, so an import killed
at any moment can simply be run again. The same transaction marks the runner's loads as
pending (``runners.loads_pending``) and the load refresh clears the mark in its own, so loads
killed before they were recomputed are recomputed by the next command that reads them.

Two imports at once (two processes, or the web app and the command line) store one file at
a time per runner: ``record_file`` holds the runner's row from its first statement, so the
second looks for an earlier copy of an activity only after the first has committed it
(SQLite's write transaction already excludes the other writer).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Connection

from rubdown.domain.activity import (
    SAME_START_S,
    Activity,
    DailyWellness,
    Sport,
    same_sport,
)
from rubdown.domain.records import (
    ActivityRow,
    FileOutcome,
    FileStatus,
    IncomingActivity,
    IncomingFile,
    StoredLoad,
    StoredSource,
)
from rubdown.store import mapping
from rubdown.store import schema as tables
from rubdown.store.rows_base import NOTHING_WRITTEN, RowsBase

# PostgreSQL's dialect loads only where a store on PostgreSQL needs it: importing it costs
# every command on SQLite about 0.04 s of CPU.
if TYPE_CHECKING:
    from sqlalchemy.dialects import postgresql

# The status of a file row whose activities ``forget_imports`` dropped: not seen any more.
FORGOTTEN = FileStatus.FORGOTTEN

__all__ = [
    "FORGOTTEN",
    "ActivityRow",
    "ActivityRows",
    "FileOutcome",
    "IncomingActivity",
    "IncomingFile",
    "StoredLoad",
    "StoredSource",
]


class ActivityRows(RowsBase):
    """The activity half of ``Store``; it relies on the store's transaction helpers."""

    # -- files --------------------------------------------------------------------------------

    def file_statuses(self, owner: str) -> dict[str, FileStatus]:
        """Every file seen so far, by content hash: one query instead of one per file."""
        table = tables.imported_files
        with self._reading("the imported files") as connection:
            rows = connection.execute(
                sa.select(table.c.sha256, table.c.status).where(table.c.owner_id == owner)
            )
            return {row.sha256: FileStatus(row.status) for row in rows}

    def record_file(
        self, owner: str, incoming: IncomingFile, *, first_time: bool = False
    ) -> FileOutcome:
        """Store one file's activities and wellness with the row that marks it seen.

        ``first_time`` says the caller knows this content was never seen (it read
        ``file_statuses``), which spares looking for an earlier row of it.
        """
        return self._record(owner, [(incoming, first_time)], f"the import of {incoming.shown}")[0]

    def record_files(
        self, owner: str, batch: Sequence[tuple[IncomingFile, bool]]
    ) -> list[FileOutcome]:
        """``record_file`` for several files (each with its ``first_time``) in one
        transaction: all of them are stored, or none (the caller may then store them one by
        one to learn which file failed). One transaction instead of one per file is most of
        what storing an export of thousands of small files costs."""
        if not batch:
            return []
        return self._record(owner, batch, f"the import of {len(batch)} files")

    def _record(
        self, owner: str, batch: Sequence[tuple[IncomingFile, bool]], what: str
    ) -> list[FileOutcome]:
        now = self._clock()
        outcomes = []
        with self._writing(owner, what) as connection:
            _hold_runner(connection, owner)
            stale = wrote_any = False
            # SQLite counts the rows of one statement run for many (psycopg's many-row insert
            # gives no count, so on PostgreSQL each file's row goes in on its own).
            at_end = len(batch) > 1 and connection.dialect.name == "sqlite"
            later = _Later(nearby=_nearby(connection, owner, batch), files_at_end=at_end)
            if at_end:
                later.seen_files = _seen_files(connection, owner, batch)
            for incoming, first_time in batch:
                outcome, changed, wrote = _record_one(
                    connection, owner, incoming, first_time, now, later
                )
                outcomes.append(outcome)
                stale = stale or changed
                wrote_any = wrote_any or wrote or bool(incoming.activities)
            later.write(connection)
            if stale:
                # What loads and kinds are computed from changed (resting heart rates
                # from wellness days included): they are stale until the next refresh.
                connection.execute(_MARK_LOADS_PENDING, {"owner": owner})
            elif not wrote_any:
                connection.info[NOTHING_WRITTEN] = True
        return outcomes

    def loads_pending(self, owner: str) -> int:
        """Non-zero while stored activities or wellness changed after the last load refresh;
        pass the value to ``save_loads`` to clear it."""
        table = tables.runners
        with self._reading("the runner's load mark") as connection:
            found = connection.execute(
                sa.select(table.c.loads_pending).where(table.c.id == owner)
            ).scalar()
            return int(found or 0)

    # -- reading ------------------------------------------------------------------------------

    def list_activities(
        self, owner: str, start: dt.date | None = None, end: dt.date | None = None
    ) -> list[ActivityRow]:
        """Activities without their streams, oldest first; days are the runner's days."""
        table = tables.activities
        query = sa.select(table).where(table.c.owner_id == owner)
        if start is not None:
            query = query.where(table.c.local_day >= start)
        if end is not None:
            query = query.where(table.c.local_day <= end)
        with self._reading("the activities") as connection:
            rows = connection.execute(query.order_by(table.c.start_utc, table.c.id)).mappings()
            return [
                ActivityRow(mapping.activity_from_row(row), row["local_day"], row["kind"])
                for row in rows
            ]

    def activity_days(self, owner: str) -> list[tuple[str, dt.date, str, float]]:
        """(id, local day, kind, duration) of every activity: what the rules engine needs."""
        table = tables.activities
        with self._reading("the activities") as connection:
            rows = connection.execute(
                sa.select(table.c.id, table.c.local_day, table.c.kind, table.c.duration_s)
                .where(table.c.owner_id == owner)
                .order_by(table.c.local_day, table.c.id)
            )
            return [(r[0], r[1], r[2], r[3]) for r in rows]

    def activity_streams(self, owner: str, activity_id: str) -> bytes | None:
        table = tables.activity_streams
        with self._reading("the activity streams") as connection:
            return connection.execute(
                sa.select(table.c.data).where(
                    table.c.owner_id == owner, table.c.activity_id == activity_id
                )
            ).scalar()

    def activity_sources(self, owner: str, activity_id: str) -> list[dict[str, Any]]:
        table = tables.activity_sources
        with self._reading("the activity sources") as connection:
            rows = connection.execute(
                sa.select(table.c.format, table.c.shown, table.c.sha256, table.c.source_ref)
                .where(table.c.owner_id == owner, table.c.activity_id == activity_id)
                .order_by(table.c.imported_at, table.c.id)
            ).mappings()
            return [dict(row) for row in rows]

    def stored_loads(self, owner: str) -> list[StoredLoad]:
        table = tables.activities
        with self._reading("the activity loads") as connection:
            rows = connection.execute(
                sa.select(
                    table.c.id,
                    table.c.local_day,
                    table.c.sport,
                    table.c.duration_s,
                    table.c.max_hr_bpm,
                    table.c.load_basis,
                )
                .where(table.c.owner_id == owner)
                .order_by(table.c.local_day, table.c.id)
            ).mappings()
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

    def save_loads(
        self, owner: str, loads: Iterable[tuple[str, float, str, str]], *, settles: int = 0
    ) -> None:
        """Write recomputed (id, load, method, kind) in one transaction.

        ``settles`` is what ``loads_pending`` said before the loads were computed: the mark is
        cleared with them unless a file was stored in between (then it stays, and the loads
        are recomputed again the next time they are read)."""
        table = tables.activities
        rows = [
            {"b_id": i, "b_load": load, "b_method": method, "b_kind": kind}
            for i, load, method, kind in loads
        ]
        if not rows and not settles:
            return
        statement = (
            table.update()
            .where(table.c.owner_id == owner, table.c.id == sa.bindparam("b_id"))
            .values(
                load=sa.bindparam("b_load"),
                load_method=sa.bindparam("b_method"),
                kind=sa.bindparam("b_kind"),
            )
        )
        runners = tables.runners
        with self._writing(owner, "the activity loads") as connection:
            _hold_runner(connection, owner)  # the runner's row first, as record_file does
            if rows:
                connection.execute(statement, rows)
            if settles:
                connection.execute(
                    runners.update()
                    .where(runners.c.id == owner, runners.c.loads_pending == settles)
                    .values(loads_pending=0)
                )

    def raw_sources(self, owner: str) -> list[StoredSource]:
        """Every file seen, for ``reimport``: the raw bytes are kept under their hash."""
        table = tables.imported_files
        with self._reading("the imported files") as connection:
            rows = connection.execute(
                sa.select(
                    table.c.sha256,
                    table.c.format,
                    table.c.shown,
                    table.c.export,
                    table.c.container,
                    table.c.inner,
                )
                .where(table.c.owner_id == owner)
                .order_by(table.c.imported_at, table.c.shown)
            )
            return [StoredSource(*row) for row in rows]

    def forget_imports(self, owner: str) -> None:
        """Drop every imported activity, its sources and streams (``reimport``), but keep the
        runs logged by hand: no file can bring them back.

        The imported-file rows stay, marked ``FORGOTTEN`` until the file is stored again: a
        reimport killed half-way still finds every kept original next time, and a plain
        import of a file not stored again yet brings its activities back."""
        activities = tables.activities
        with self._writing(owner, "the activities") as connection:
            _hold_runner(connection, owner)
            for table in (tables.activity_sources, tables.activity_streams):
                connection.execute(table.delete().where(table.c.owner_id == owner))
            connection.execute(
                activities.delete().where(
                    activities.c.owner_id == owner, activities.c.manual_kind.is_(None)
                )
            )
            files = tables.imported_files
            connection.execute(
                files.update().where(files.c.owner_id == owner).values(status=FORGOTTEN.value)
            )
            # The runs logged by hand that stay are classified against a changed history.
            connection.execute(_MARK_LOADS_PENDING, {"owner": owner})

    def list_wellness(self, owner: str) -> list[DailyWellness]:
        table = tables.wellness
        with self._reading("the wellness days") as connection:
            rows = connection.execute(
                sa.select(table)
                .where(table.c.owner_id == owner)
                .order_by(table.c.day, table.c.source)
            ).mappings()
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


# -- helpers ----------------------------------------------------------------------------------

_MARK_LOADS_PENDING = (
    tables.runners.update()
    .where(tables.runners.c.id == sa.bindparam("owner"))
    .values(loads_pending=tables.runners.c.loads_pending + 1)
)

# The statements an import runs for every file, built once: building one costs more than
# SQLite takes to run it.
_HOLD_RUNNER = (
    sa.select(tables.runners.c.id)
    .where(tables.runners.c.id == sa.bindparam("owner"))
    .with_for_update()
)
_FIND_SAME = (
    sa.select(
        tables.activities.c.id,
        tables.activities.c.sport,
        tables.activities.c.start_utc,
        tables.activities.c.richness,
        tables.activities.c.name,
    )
    .where(
        tables.activities.c.owner_id == sa.bindparam("owner"),
        tables.activities.c.start_utc >= sa.bindparam("low"),
        tables.activities.c.start_utc <= sa.bindparam("high"),
    )
    .order_by(tables.activities.c.start_utc)
)
_INSERT_ACTIVITY = tables.activities.insert()
_INSERT_STREAMS = tables.activity_streams.insert()
_INSERT_SOURCE = tables.activity_sources.insert()
_INSERT_FILE: dict[str, postgresql.Insert | sqlite.Insert] = {}
# A stored activity replaced by a richer copy: the columns set are the parameters' own.
_UPDATE_ACTIVITY = tables.activities.update().where(
    tables.activities.c.owner_id == sa.bindparam("b_owner"),
    tables.activities.c.id == sa.bindparam("b_id"),
)
_DELETE_STREAMS = tables.activity_streams.delete().where(
    tables.activity_streams.c.owner_id == sa.bindparam("b_owner"),
    tables.activity_streams.c.activity_id == sa.bindparam("b_id"),
)
_SOURCE_SEEN = sa.select(tables.activity_sources.c.id).where(
    tables.activity_sources.c.owner_id == sa.bindparam("owner"),
    tables.activity_sources.c.activity_id == sa.bindparam("activity"),
    tables.activity_sources.c.sha256 == sa.bindparam("sha"),
    tables.activity_sources.c.source_ref == sa.bindparam("ref"),
)
_SOURCES_OF = sa.select(
    tables.activity_sources.c.activity_id,
    tables.activity_sources.c.sha256,
    tables.activity_sources.c.source_ref,
).where(
    tables.activity_sources.c.owner_id == sa.bindparam("owner"),
    tables.activity_sources.c.activity_id.in_(sa.bindparam("ids", expanding=True)),
)
_FILE_KEY = (
    tables.imported_files.c.owner_id == sa.bindparam("owner"),
    tables.imported_files.c.sha256 == sa.bindparam("sha"),
)
# What a file seen before said: storing it again writes its row only if that changed.
_FILE_SAID = (
    tables.imported_files.c.status,
    tables.imported_files.c.error,
    tables.imported_files.c.records,
)
_FILE_SEEN = sa.select(*_FILE_SAID).where(*_FILE_KEY)
_FILES_SEEN = sa.select(tables.imported_files.c.sha256, *_FILE_SAID).where(
    tables.imported_files.c.owner_id == sa.bindparam("owner"),
    tables.imported_files.c.sha256.in_(sa.bindparam("shas", expanding=True)),
)
_DELETE_FILE = tables.imported_files.delete().where(*_FILE_KEY)
# A day of wellness is merged into the stored one, if any: only whether it is there matters.
_WELLNESS_DAY = sa.select(tables.wellness.c.day).where(
    tables.wellness.c.owner_id == sa.bindparam("owner"),
    tables.wellness.c.day == sa.bindparam("day"),
    tables.wellness.c.source == sa.bindparam("source"),
)
_INSERT_WELLNESS = tables.wellness.insert()


def _hold_runner(connection: Connection, owner: str) -> None:
    """Lock the runner's row until the transaction ends (PostgreSQL): the dedupe and insert
    of one file runs alone per runner, so the same activity arriving in two files imported
    at once is stored once. SQLite needs nothing: its write transaction (BEGIN IMMEDIATE)
    already excludes every other writer. It is the row every write ends by updating (the
    data version), so every writer of activities takes it first (``save_loads`` too): one
    lock order, where a refresh locking activity rows before the runner's would deadlock
    with an import holding the runner's row and replacing one of those activities."""
    connection.execute(_HOLD_RUNNER, {"owner": owner})


@dataclass
class _Later:
    """Rows inserted together at a batch's end, one statement per table instead of one per
    activity: new activities, streams, sources, and on SQLite the files' rows (the stored rows
    they replace are deleted just before). What the batch reads back is kept here too: a new
    activity is found by the next file's dedupe among ``activities``, the stored activities
    near the batch's starts were read in one query (``nearby``), and so were the stored rows
    of its files seen before (``seen_files``). A stream replaced within the batch replaces
    the one waiting here; a source already waiting is not added twice."""

    activities: dict[str, dict[str, Any]] = field(default_factory=dict)  # by activity id
    files: dict[str, dict[str, Any]] = field(default_factory=dict)  # files' rows, by hash
    # Whether files' rows wait here: in a batch of several, whose caller stores them one by
    # one when it fails; a file alone learns at once that another import stored it.
    files_at_end: bool = False
    streams: dict[str, dict[str, Any]] = field(default_factory=dict)  # by activity id
    sources: list[dict[str, Any]] = field(default_factory=list)
    source_keys: set[tuple[str, str, str]] = field(default_factory=set)
    # The stored activities around the batch's starts, oldest first; None: not read ahead.
    nearby: list[dict[str, Any]] | None = None
    # Their stored sources, as (activity id, hash, source ref); None: not read yet.
    nearby_sources: set[tuple[str, str, str]] | None = None
    # What the stored rows of the batch's files not known to be new say, by hash (read in
    # one query when ``files_at_end``), and the keys of those replaced, deleted at the end.
    seen_files: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    replaced_files: list[dict[str, str]] = field(default_factory=list)

    def write(self, connection: Connection) -> None:
        if self.activities:
            connection.execute(_INSERT_ACTIVITY, list(self.activities.values()))
        if self.streams:
            connection.execute(_INSERT_STREAMS, list(self.streams.values()))
        if self.sources:
            connection.execute(_INSERT_SOURCE, self.sources)
        if self.replaced_files:
            connection.execute(_DELETE_FILE, self.replaced_files)
        if self.files:
            rows = list(self.files.values())
            written = connection.execute(_insert_file(connection.dialect.name), rows)
            if written.rowcount != len(self.files):
                # Another import stored one of these files meanwhile: the batch is rolled
                # back, and its caller stores its files one by one, each finding out alone.
                raise _FileStoredMeanwhile(f"{len(self.files) - written.rowcount} files")


class _FileStoredMeanwhile(Exception):
    """A file row of a batch was written by another import after the batch began."""


def _record_one(
    connection: Connection,
    owner: str,
    incoming: IncomingFile,
    first_time: bool,
    now: dt.datetime,
    later: _Later,
) -> tuple[FileOutcome, bool, bool]:
    """One file's rows; (outcome, whether loads went stale, whether its file row was
    written)."""
    outcome = FileOutcome()
    replaced = False
    for item in incoming.activities:
        existing = _find_same(connection, owner, item.activity, later)
        if existing is None:
            activity_id = _insert_activity(connection, owner, item, now, later)
            outcome.added.append(activity_id)
        else:
            activity_id = existing["id"]
            if item.richness > existing["richness"]:
                _replace_activity(connection, owner, activity_id, item, existing, now, later)
                replaced = True
            outcome.merged.append(activity_id)
        fresh = existing is None
        _add_source(connection, owner, activity_id, incoming, item, now, later, fresh=fresh)
    for day in incoming.wellness:
        _merge_wellness(connection, owner, day, now)
        outcome.wellness_days += 1
    status = FileStatus(incoming.status)
    if status is FileStatus.IMPORTED and incoming.activities and not outcome.added:
        status = FileStatus.DUPLICATE
    wrote = _upsert_file(
        connection, owner, incoming, status, len(outcome.added), now, first_time, later
    )
    if wrote is None and status in (FileStatus.IMPORTED, FileStatus.PARTIAL):
        status = FileStatus.DUPLICATE  # another import stored this file meanwhile
    outcome.status = status
    stale = bool(outcome.added or replaced or incoming.wellness)
    return outcome, stale, bool(wrote)


def _find_same(
    connection: Connection, owner: str, activity: Activity, later: _Later | None = None
) -> Any:
    """The stored activity this one is another copy of: same sport family, same start,
    among those stored and those of this batch waiting in ``later``."""
    window = dt.timedelta(seconds=SAME_START_S)
    low, high = activity.start - window, activity.start + window
    if later is not None and later.nearby is not None:
        rows: Iterable[Any] = [row for row in later.nearby if low <= row["start_utc"] <= high]
    else:
        query = {"owner": owner, "low": low, "high": high}
        rows = list(connection.execute(_FIND_SAME, query).mappings())
    if later is not None:
        waiting = [row for row in later.activities.values() if low <= row["start_utc"] <= high]
        # In start order, as the query gives them, the stored ones first at the same start.
        rows = sorted([*rows, *waiting], key=lambda row: row["start_utc"])
    for row in rows:
        if same_sport(Sport(row["sport"]), activity.sport):
            return row
    return None


# A batch whose activities start within this many days per activity of each other reads the
# stored activities around them in one query; a batch spread wider (files of all years mixed)
# asks once per activity, so that it never reads a whole history.
NEARBY_DAYS_PER_ACTIVITY = 3


def _nearby(
    connection: Connection, owner: str, batch: Sequence[tuple[IncomingFile, bool]]
) -> list[dict[str, Any]] | None:
    """The stored activities whose start lies within the dedupe window of the batch's
    earliest and latest starts, oldest first; None when the batch is too spread out."""
    starts = [item.activity.start for incoming, _ in batch for item in incoming.activities]
    if len(starts) < 2:
        return None
    window = dt.timedelta(seconds=SAME_START_S)
    low, high = min(starts) - window, max(starts) + window
    if high - low > dt.timedelta(days=NEARBY_DAYS_PER_ACTIVITY * len(starts)):
        return None
    query = {"owner": owner, "low": low, "high": high}
    return [dict(row) for row in connection.execute(_FIND_SAME, query).mappings()]


def _activity_values(item: IncomingActivity) -> dict[str, Any]:
    a = item.activity
    return {
        "sport": a.sport.value,
        "name": a.name,
        "start_utc": a.start,
        "utc_offset_s": a.utc_offset_s,
        "local_day": item.local_day,
        "duration_s": a.duration_s,
        "moving_s": a.moving_s,
        "distance_m": a.distance_m,
        "elevation_gain_m": a.elevation_gain_m,
        "avg_hr_bpm": a.avg_hr_bpm,
        "max_hr_bpm": a.max_hr_bpm,
        "laps": json.dumps([mapping.lap_to_json(lap) for lap in a.laps]),
        "records": a.records,
        "partial": a.partial,
        "richness": item.richness,
        "load": a.load,
        "load_method": a.load_method,
        "load_basis": json.dumps(item.load_basis) if item.load_basis is not None else None,
        "kind": item.kind,
    }


def _insert_activity(
    connection: Connection, owner: str, item: IncomingActivity, now: dt.datetime, later: _Later
) -> str:
    activity_id = uuid.uuid4().hex
    values = _activity_values(item)
    row = {"id": activity_id, "owner_id": owner, "created_at": now, "updated_at": now, **values}
    later.activities[activity_id] = row  # inserted at the batch's end, before its streams
    _store_streams(owner, activity_id, item, later)
    return activity_id


def _replace_activity(
    connection: Connection,
    owner: str,
    activity_id: str,
    item: IncomingActivity,
    existing: Any,
    now: dt.datetime,
    later: _Later,
) -> None:
    """A richer copy arrived (the watch's file after Strava's summary): take its values."""
    values = _activity_values(item)
    if not values["name"]:
        values["name"] = existing["name"]
    waiting = later.activities.get(activity_id)
    if waiting is not None:
        # Added by an earlier file of this batch: not stored yet, so replaced where it waits
        # (its streams too, by _store_streams).
        waiting.update(values, updated_at=now)
        _store_streams(owner, activity_id, item, later)
        return
    key = {"b_owner": owner, "b_id": activity_id}
    connection.execute(_UPDATE_ACTIVITY, {**key, "updated_at": now, **values})
    if isinstance(existing, dict):
        # Read ahead for the batch (``_nearby``): the next files of the batch must meet the
        # copy as it is now stored.
        existing.update({key: values[key] for key in ("sport", "start_utc", "richness", "name")})
    if item.streams_blob is not None:
        connection.execute(_DELETE_STREAMS, key)
        _store_streams(owner, activity_id, item, later)


def _store_streams(owner: str, activity_id: str, item: IncomingActivity, later: _Later) -> None:
    if item.streams_blob is None:
        return
    later.streams[activity_id] = {
        "activity_id": activity_id,
        "owner_id": owner,
        "samples": item.samples,
        "encoding": "rubdown-streams-1",
        "data": item.streams_blob,
    }


def _add_source(
    connection: Connection,
    owner: str,
    activity_id: str,
    incoming: IncomingFile,
    item: IncomingActivity,
    now: dt.datetime,
    later: _Later,
    *,
    fresh: bool,
) -> None:
    ref = item.activity.source_ref
    key = (activity_id, incoming.sha256, ref)
    if key in later.source_keys:
        return
    if fresh:
        seen = False
    elif later.nearby is not None:  # then the stored copy is one of them
        seen = key in _nearby_sources(connection, owner, later)
    else:
        query = {"owner": owner, "activity": activity_id, "sha": incoming.sha256, "ref": ref}
        seen = connection.execute(_SOURCE_SEEN, query).first() is not None
    if seen:
        return
    later.source_keys.add(key)
    later.sources.append(
        {
            "id": uuid.uuid4().hex,
            "owner_id": owner,
            "activity_id": activity_id,
            "format": incoming.format,
            "sha256": incoming.sha256,
            "shown": incoming.shown,
            "source_ref": ref,
            "imported_at": now,
        }
    )


def _nearby_sources(connection: Connection, owner: str, later: _Later) -> set[tuple[str, str, str]]:
    """The stored sources of the activities read ahead for the batch (``nearby``), read in
    one query when the batch first meets a copy of one of them."""
    if later.nearby_sources is None:
        ids = [row["id"] for row in later.nearby or ()]
        found: set[tuple[str, str, str]] = set()
        if ids:
            rows = connection.execute(_SOURCES_OF, {"owner": owner, "ids": ids})
            found = {(row[0], row[1], row[2]) for row in rows}
        later.nearby_sources = found
    return later.nearby_sources


def _upsert_file(
    connection: Connection,
    owner: str,
    incoming: IncomingFile,
    status: FileStatus,
    added: int,
    now: dt.datetime,
    first_time: bool,
    later: _Later | None = None,
) -> bool | None:
    """Whether the file's row was written (False when it says what it said before); None
    when ``first_time`` was wrong because another import stored the file meanwhile.

    The row waits in ``later`` when its batch says so (``files_at_end``), the stored row it
    replaces deleted there too; ``_Later.write`` then checks that every one was written."""
    said = (status, incoming.error, incoming.records)
    waiting = later.files.get(incoming.sha256) if later is not None else None
    at_end = later is not None and later.files_at_end
    if waiting is not None:
        # The same content earlier in this batch: its row waits to be written.
        if (waiting["status"], waiting["error"], waiting["records"]) == said:
            return False
    elif not first_time:
        key = {"owner": owner, "sha": incoming.sha256}
        if later is not None and at_end:
            seen = later.seen_files.get(incoming.sha256)
        else:
            seen = connection.execute(_FILE_SEEN, key).first()
        if seen is not None:
            if tuple(seen) == said:
                return False  # the same file failing the same way again: nothing new to say
            if later is not None and at_end:
                later.replaced_files.append(key)
            else:
                connection.execute(_DELETE_FILE, key)
    row = {
        "owner_id": owner,
        "sha256": incoming.sha256,
        "format": incoming.format,
        "shown": incoming.shown,
        "status": status.value,
        "activities": added,
        "records": incoming.records,
        "error": incoming.error,
        "export": incoming.export,
        "container": incoming.container,
        "inner": incoming.inner,
        "imported_at": now,
    }
    if later is not None and at_end:
        later.files[incoming.sha256] = row  # in place of a row of the same content waiting
        return True
    written = connection.execute(_insert_file(connection.dialect.name), row)
    return True if written.rowcount else None


def _seen_files(
    connection: Connection, owner: str, batch: Sequence[tuple[IncomingFile, bool]]
) -> dict[str, tuple[Any, ...]]:
    """What the stored rows of the batch's files not known to be new say, in one query."""
    shas = sorted({incoming.sha256 for incoming, first_time in batch if not first_time})
    if not shas:
        return {}
    rows = connection.execute(_FILES_SEEN, {"owner": owner, "shas": shas})
    return {row[0]: tuple(row[1:]) for row in rows}


def _insert_file(dialect: str) -> postgresql.Insert | sqlite.Insert:
    """The file row's insert, which does nothing when another import stored the file
    meanwhile; built once per dialect."""
    found = _INSERT_FILE.get(dialect)
    if found is not None:
        return found
    table = tables.imported_files
    insert: postgresql.Insert | sqlite.Insert
    if dialect == "postgresql":
        from sqlalchemy.dialects import postgresql  # see the import block

        insert = postgresql.insert(table)
    else:
        insert = sqlite.insert(table)
    insert = insert.on_conflict_do_nothing(index_elements=[table.c.owner_id, table.c.sha256])
    _INSERT_FILE[dialect] = insert
    return insert


def _merge_wellness(
    connection: Connection, owner: str, day: DailyWellness, now: dt.datetime
) -> None:
    """Several files describe one day (sleep in one, resting HR in another): merge them."""
    query = {"owner": owner, "day": day.day, "source": day.source}
    row = connection.execute(_WELLNESS_DAY, query).first()
    values = {
        "resting_hr_bpm": day.resting_hr_bpm,
        "hrv_ms": day.hrv_ms,
        "sleep_s": day.sleep_s,
        "sleep_score": day.sleep_score,
    }
    if row is None:
        connection.execute(
            _INSERT_WELLNESS,
            {"owner_id": owner, "day": day.day, "source": day.source, "updated_at": now, **values},
        )
        return
    changes = {name: value for name, value in values.items() if value is not None}
    if changes:
        table = tables.wellness
        key = (table.c.owner_id == owner, table.c.day == day.day, table.c.source == day.source)
        connection.execute(table.update().where(*key).values(updated_at=now, **changes))
