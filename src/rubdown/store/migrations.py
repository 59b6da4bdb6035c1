"""Schema versions, from the first release on.

The table ``rubdown_schema`` holds one row: the version the database is at. ``MIGRATIONS``
lists every step in order; opening a store applies the ones still pending, each in its own
transaction together with the version bump, so a failed step leaves the previous version
intact. A database from a newer rubdown is refused rather than half understood.

Rules for writing a migration:
- never edit one that has been released; add the next version instead;
- describe tables inside the migration (as ``_create_v1_tables`` does), never import them
  from ``schema.py``, which follows the latest version;
- use SQLAlchemy Core or ``add_column`` so the step runs on SQLite and PostgreSQL alike,
  and update ``schema.py`` to match.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.schema import CreateColumn

from rubdown.errors import StoreError
from rubdown.store.columns import JsonList, UtcDateTime
from rubdown.store.engine import WRITE_OPTION
from rubdown.store.schema import NAMING_CONVENTION

VERSION_TABLE = "rubdown_schema"

# Two processes opening a fresh PostgreSQL database at once must not both run migration 1;
# the transaction-scoped advisory lock makes the second wait and then find nothing to do.
# (SQLite gets the same from BEGIN IMMEDIATE.) The number is arbitrary but fixed: "rubd".
_POSTGRES_MIGRATION_LOCK = 0x72756264


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    apply: Callable[[Connection], None]


def _version_table(metadata: sa.MetaData) -> sa.Table:
    return sa.Table(
        VERSION_TABLE,
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),  # always 1
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("migrated_at", UtcDateTime, nullable=False),
    )


_version = _version_table(sa.MetaData())


def add_column(connection: Connection, table: str, column: sa.Column[Any]) -> None:
    """``ALTER TABLE table ADD COLUMN``, with the column's type spelled for the database in
    use. A NOT NULL column needs a ``server_default`` for the rows already there."""
    sa.Table(table, sa.MetaData(), column)  # CreateColumn needs the column in a table
    quote = connection.dialect.identifier_preparer.quote
    column_sql = CreateColumn(column).compile(dialect=connection.dialect)
    connection.exec_driver_sql(f"ALTER TABLE {quote(table)} ADD COLUMN {column_sql}")


def _owner() -> sa.Column[str]:
    """The owner column every personal table has had since migration 1; it never changes."""
    return sa.Column(
        "owner_id", sa.Text, sa.ForeignKey("runners.id", ondelete="CASCADE"), nullable=False
    )


def _create_v1_tables(connection: Connection) -> None:
    """The first schema: runners, their profile, races, workouts, logged massage sessions,
    check-ins with per-region soreness and pain, and the saved plan."""
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)

    sa.Table(
        "runners",
        metadata,
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
    )
    sa.Table(
        "profiles",
        metadata,
        sa.Column(
            "owner_id",
            sa.Text,
            sa.ForeignKey("runners.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("policy", sa.Text, nullable=False),
        sa.Column("frequency", sa.Text, nullable=False),
        sa.Column("budget_per_month", sa.Double, nullable=False),
        sa.Column("session_price", sa.Double, nullable=False),
        sa.Column("owns", JsonList, nullable=False),
        sa.Column("conditions", JsonList, nullable=False),
        sa.Column("desk_job", sa.Boolean, nullable=False),
        sa.Column("timezone", sa.Text, nullable=False),
        sa.Column("session_time", sa.Time, nullable=False),
        sa.Column("session_minutes", sa.Integer, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
    )
    imported: tuple[tuple[str, list[sa.Column[Any]]], ...] = (
        (
            "races",
            [
                sa.Column("name", sa.Text, nullable=False),
                sa.Column("day", sa.Date, nullable=False),
                sa.Column("priority", sa.Text, nullable=False),
                sa.Column("distance_km", sa.Double),
                sa.Column("start_time", sa.Time),
            ],
        ),
        (
            "workouts",
            [
                sa.Column("day", sa.Date, nullable=False),
                sa.Column("kind", sa.Text, nullable=False),
                sa.Column("duration_min", sa.Double),
            ],
        ),
    )
    for name, columns in imported:
        sa.Table(
            name,
            metadata,
            sa.Column("id", sa.Text, primary_key=True),
            _owner(),
            *columns,
            sa.Column("source", sa.Text, nullable=False),
            sa.Column("source_uid", sa.Text),
            sa.Column("created_at", UtcDateTime, nullable=False),
            sa.UniqueConstraint("owner_id", "source_uid"),
            sa.Index(None, "owner_id", "day"),
        )
    sa.Table(
        "massage_sessions",
        metadata,
        sa.Column("id", sa.Text, primary_key=True),
        _owner(),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("regions", JsonList, nullable=False),
        sa.Column("price", sa.Double, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Index(None, "owner_id", "day"),
    )
    sa.Table(
        "checkins",
        metadata,
        sa.Column("id", sa.Text, primary_key=True),
        _owner(),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.UniqueConstraint("id", "owner_id"),
        sa.Index(None, "owner_id", "day"),
    )
    sa.Table(
        "checkin_regions",
        metadata,
        sa.Column("checkin_id", sa.Text, primary_key=True),
        _owner(),
        sa.Column("region", sa.Text, primary_key=True),
        sa.Column("soreness", sa.Integer),
        sa.Column("pain", sa.Text),
        sa.ForeignKeyConstraint(
            ["checkin_id", "owner_id"], ["checkins.id", "checkins.owner_id"], ondelete="CASCADE"
        ),
        sa.CheckConstraint("soreness IS NULL OR soreness BETWEEN 0 AND 10", name="soreness_range"),
        sa.CheckConstraint("soreness IS NOT NULL OR pain IS NOT NULL", name="says_something"),
    )
    sa.Table(
        "planned_sessions",
        metadata,
        _owner(),
        sa.Column("key", sa.Text, nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("regions", JsonList, nullable=False),
        sa.Column("price", sa.Double, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("rules", JsonList, nullable=False),
        sa.Column("start_time", sa.Time),
        sa.Column("duration_min", sa.Integer, nullable=False),
        sa.Column("sequence", sa.Integer, nullable=False),
        sa.Column("fingerprint", sa.Text, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("owner_id", "key"),
    )
    metadata.create_all(connection, checkfirst=False)


def _create_v2_tables(connection: Connection) -> None:
    """What the runner did: activities with their streams and sources, the files imported,
    and daily wellness from device exports."""
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    # The tables referenced by foreign keys, as migration 1 left them.
    sa.Table("runners", metadata, sa.Column("id", sa.Text, primary_key=True))

    sa.Table(
        "activities",
        metadata,
        sa.Column("id", sa.Text, primary_key=True),
        _owner(),
        sa.Column("sport", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("start_utc", UtcDateTime, nullable=False),
        sa.Column("utc_offset_s", sa.Integer),
        sa.Column("local_day", sa.Date, nullable=False),  # the runner's day, decided at import
        sa.Column("duration_s", sa.Double, nullable=False),
        sa.Column("moving_s", sa.Double),
        sa.Column("distance_m", sa.Double),
        sa.Column("elevation_gain_m", sa.Double),
        sa.Column("avg_hr_bpm", sa.Double),
        sa.Column("max_hr_bpm", sa.Double),
        sa.Column("laps", sa.Text, nullable=False),  # JSON list of objects
        sa.Column("records", sa.Integer, nullable=False),
        sa.Column("partial", sa.Boolean, nullable=False),
        sa.Column("richness", sa.Integer, nullable=False),  # which source the fields came from
        sa.Column("load", sa.Double),
        sa.Column("load_method", sa.Text, nullable=False),
        sa.Column("load_basis", sa.Text),  # JSON: what a load is recomputed from
        sa.Column("kind", sa.Text, nullable=False),  # easy, long, tempo (hard by load) ...
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
        sa.Index(None, "owner_id", "start_utc"),
        sa.Index(None, "owner_id", "local_day"),
    )

    sa.Table(
        "activity_streams",
        metadata,
        sa.Column(
            "activity_id",
            sa.Text,
            sa.ForeignKey("activities.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        _owner(),
        sa.Column("samples", sa.Integer, nullable=False),
        sa.Column("encoding", sa.Text, nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
    )

    sa.Table(
        "activity_sources",
        metadata,
        sa.Column("id", sa.Text, primary_key=True),
        _owner(),
        sa.Column(
            "activity_id",
            sa.Text,
            sa.ForeignKey("activities.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("format", sa.Text, nullable=False),
        sa.Column("sha256", sa.Text, nullable=False),  # the raw file, kept content-addressed
        sa.Column("shown", sa.Text, nullable=False),  # the path as given, archive!member
        sa.Column("source_ref", sa.Text, nullable=False),  # "" or the source's own id
        sa.Column("imported_at", UtcDateTime, nullable=False),
        sa.UniqueConstraint("owner_id", "activity_id", "sha256", "source_ref"),
        sa.Index(None, "activity_id"),
    )

    sa.Table(
        "imported_files",
        metadata,
        _owner(),
        sa.Column("sha256", sa.Text, nullable=False),
        sa.Column("format", sa.Text, nullable=False),
        sa.Column("shown", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("activities", sa.Integer, nullable=False),
        sa.Column("records", sa.Integer, nullable=False),
        sa.Column("error", sa.Text),
        sa.Column("export", sa.Text, nullable=False),  # strava, garmin, apple-health or ""
        sa.Column("container", sa.Text, nullable=False),  # the export's root as shown
        sa.Column("inner", sa.Text, nullable=False),  # the path inside that export
        sa.Column("imported_at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("owner_id", "sha256"),
    )

    sa.Table(
        "wellness",
        metadata,
        _owner(),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("resting_hr_bpm", sa.Double),
        sa.Column("hrv_ms", sa.Double),
        sa.Column("sleep_s", sa.Double),
        sa.Column("sleep_score", sa.Double),
        sa.Column("updated_at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("owner_id", "day", "source"),
    )
    names = ["activities", "activity_streams", "activity_sources", "imported_files", "wellness"]
    metadata.create_all(connection, tables=[metadata.tables[n] for n in names], checkfirst=False)


def _add_v3_daily(connection: Connection) -> None:
    """How the runner is doing: the profile's load values, fatigue and sleep in check-ins
    (one check-in a day from now on), runs logged by hand, injury episodes, routine logs."""
    for name in ("max_hr_bpm", "resting_hr_bpm", "threshold_hr_bpm", "threshold_pace_s_per_km"):
        add_column(connection, "profiles", sa.Column(name, sa.Double))
    add_column(connection, "profiles", sa.Column("sex", sa.Text))
    for name in ("fatigue", "sleep"):
        # Named as schema.py's naming convention names them, so a later step can find them.
        check = sa.CheckConstraint(f"{name} BETWEEN 1 AND 4", name=f"ck_checkins_{name}_range")
        add_column(connection, "checkins", sa.Column(name, sa.Integer, check))
    _one_checkin_a_day(connection)
    rpe_check = sa.CheckConstraint("rpe BETWEEN 0 AND 10", name="ck_activities_rpe_range")
    add_column(connection, "activities", sa.Column("rpe", sa.Double, rpe_check))
    add_column(connection, "activities", sa.Column("manual_kind", sa.Text))

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    sa.Table("runners", metadata, sa.Column("id", sa.Text, primary_key=True))

    sa.Table(
        "injuries",
        metadata,
        sa.Column("id", sa.Text, primary_key=True),
        _owner(),
        sa.Column("region", sa.Text, nullable=False),
        sa.Column("condition", sa.Text, nullable=False),
        sa.Column("start", sa.Date, nullable=False),
        sa.Column("end", sa.Date),
        sa.Column("helped", sa.Text, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.CheckConstraint('"end" IS NULL OR "end" >= start', name="ends_after_start"),
        sa.Index(None, "owner_id", "start"),
    )
    sa.Table(
        "routine_logs",
        metadata,
        sa.Column("id", sa.Text, primary_key=True),
        _owner(),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("when", sa.Text, nullable=False),
        sa.Column("started_at", UtcDateTime, nullable=False),
        sa.Column("steps_done", sa.Integer, nullable=False),
        sa.Column("steps_skipped", sa.Integer, nullable=False),
        sa.Column("seconds", sa.Double, nullable=False),
        sa.Column("completed", sa.Boolean, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Index(None, "owner_id", "day"),
    )
    names = ["injuries", "routine_logs"]
    metadata.create_all(connection, tables=[metadata.tables[n] for n in names], checkfirst=False)


def _one_checkin_a_day(connection: Connection) -> None:
    """Fold each day's check-ins into its latest one (a later one now replaces the day's) and
    let a unique index hold that from here on.

    Nothing the runner wrote is dropped: a region only an earlier check-in named moves to the
    latest one, and earlier notes are kept in front of the latest note. Where both name a
    region, the later reading is the day's.
    """
    checkins = sa.table(
        "checkins",
        sa.column("id"),
        sa.column("owner_id"),
        sa.column("day"),
        sa.column("note"),
        sa.column("created_at"),
    )
    regions = sa.table("checkin_regions", sa.column("checkin_id"), sa.column("region"))
    rows = connection.execute(
        sa.select(checkins.c.id, checkins.c.owner_id, checkins.c.day, checkins.c.note).order_by(
            checkins.c.owner_id, checkins.c.day, checkins.c.created_at, checkins.c.id
        )
    ).all()
    days: dict[tuple[str, Any], list[Any]] = {}
    for row in rows:
        days.setdefault((row.owner_id, row.day), []).append(row)
    for group in days.values():
        if len(group) < 2:
            continue
        *earlier, latest = group
        named = set(
            connection.execute(
                sa.select(regions.c.region).where(regions.c.checkin_id == latest.id)
            ).scalars()
        )
        for old in reversed(earlier):  # the later of two earlier readings wins a region
            moved = connection.execute(
                sa.select(regions.c.region).where(regions.c.checkin_id == old.id)
            ).scalars()
            for region in [r for r in moved if r not in named]:
                connection.execute(
                    regions.update()
                    .where(regions.c.checkin_id == old.id, regions.c.region == region)
                    .values(checkin_id=latest.id)
                )
                named.add(region)
        notes = [row.note for row in group if row.note]
        connection.execute(
            checkins.update().where(checkins.c.id == latest.id).values(note=" / ".join(notes))
        )
        # Their remaining region rows repeat the latest's and go with them (ON DELETE CASCADE).
        connection.execute(checkins.delete().where(checkins.c.id.in_([r.id for r in earlier])))
    connection.exec_driver_sql("DROP INDEX ix_checkins_owner_id_day")
    table = sa.Table(
        "checkins", sa.MetaData(), sa.Column("owner_id", sa.Text), sa.Column("day", sa.Date)
    )
    sa.Index("uq_checkins_owner_id_day", table.c.owner_id, table.c.day, unique=True).create(
        connection
    )


def _create_v4_feed_secrets(connection: Connection) -> None:
    """The calendar subscription: the hash of each runner's feed secret."""
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    sa.Table("runners", metadata, sa.Column("id", sa.Text, primary_key=True))
    table = sa.Table(
        "feed_secrets",
        metadata,
        sa.Column(
            "owner_id", sa.Text, sa.ForeignKey("runners.id", ondelete="CASCADE"), primary_key=True
        ),
        # Unique: a feed request finds its owner by this column alone.
        sa.Column("secret_hash", sa.Text, nullable=False, unique=True),
        sa.Column("created_at", UtcDateTime, nullable=False),
    )
    table.create(connection, checkfirst=False)


def _add_v5_data_version(connection: Connection) -> None:
    """A counter on each runner that every write of the runner's data moves on (the store
    bumps it inside the write's own transaction), so a reader in any process can tell with
    one query whether what it made from that data is still current."""
    column = sa.Column("data_version", sa.BigInteger, nullable=False, server_default=sa.text("0"))
    add_column(connection, "runners", column)


def _create_v6_therapist_hours(connection: Connection) -> None:
    """The therapist's weekly hours: when the runner's therapist takes appointments."""
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    sa.Table("runners", metadata, sa.Column("id", sa.Text, primary_key=True))
    table = sa.Table(
        "therapist_hours",
        metadata,
        _owner(),
        sa.Column("weekday", sa.Integer, nullable=False),  # 0 Monday .. 6 Sunday
        sa.Column("start_minute", sa.Integer, nullable=False),  # after local midnight
        sa.Column("end_minute", sa.Integer, nullable=False),  # up to 1440, the day's end
        sa.Column("updated_at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("owner_id", "weekday", "start_minute"),
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        sa.CheckConstraint(
            "start_minute >= 0 AND end_minute > start_minute AND end_minute <= 1440",
            name="minutes_range",
        ),
    )
    table.create(connection, checkfirst=False)


# The sentence rubdown put in front of a pinned session's reason before migration 7 gave pins
# a column of their own. Kept here as it was written then: never change it.
_V6_PINNED_NOTE = (
    "You moved this session to this day, so the plan keeps it here and fits the rest around "
    "it. First planned as: "
)


def _add_v7_pins_and_race_sequences(connection: Connection) -> None:
    """A column for a pinned planned session, which its reason used to mark (the old mark is
    turned into the flag, and the reason is the first one again), and an iCalendar SEQUENCE
    for each race, so a moved or renamed race updates in the runner's calendar."""
    pinned = sa.Column("pinned", sa.Boolean, nullable=False, server_default=sa.false())
    add_column(connection, "planned_sessions", pinned)
    sequence = sa.Column("sequence", sa.Integer, nullable=False, server_default=sa.text("0"))
    add_column(connection, "races", sequence)

    planned = sa.table(
        "planned_sessions",
        sa.column("owner_id"),
        sa.column("key"),
        sa.column("reason"),
        sa.column("pinned", sa.Boolean),
    )
    # Filtered here, not with LIKE: SQLite's LIKE ignores case, and the mark is exact text.
    # The SEQUENCE stays: the calendar tells the same story from the flag (``ics_export``).
    # The stored fingerprint is not read back; the next save of the plan rewrites it.
    rows = connection.execute(sa.select(planned.c.owner_id, planned.c.key, planned.c.reason))
    for row in [r for r in rows if r.reason.startswith(_V6_PINNED_NOTE)]:
        connection.execute(
            planned.update()
            .where(planned.c.owner_id == row.owner_id, planned.c.key == row.key)
            .values(pinned=True, reason=row.reason.removeprefix(_V6_PINNED_NOTE))
        )


def _add_v8_training_and_signs(connection: Connection) -> None:
    """What issue 10's advice needs: the price of each kind of session and the runner's units
    on the profile; weekly training patterns (their workouts name them, so a pattern can be
    replaced or removed as one); weeks the runner marks as recovery weeks; and warning signs
    per region in a check-in (swelling, warmth, redness, a fresh strain, bruise or knock)."""
    for name, default in (
        ("sports_price", "70"),
        ("flush_price", "45"),
        ("post_event_price", "45"),
    ):
        column = sa.Column(name, sa.Double, nullable=False, server_default=sa.text(default))
        add_column(connection, "profiles", column)
    units = sa.Column("units", sa.Text, nullable=False, server_default=sa.text("'km'"))
    add_column(connection, "profiles", units)
    add_column(connection, "workouts", sa.Column("pattern_id", sa.Text))

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    sa.Table("runners", metadata, sa.Column("id", sa.Text, primary_key=True))
    sa.Table(
        "checkins",
        metadata,
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("owner_id", sa.Text),
        sa.UniqueConstraint("id", "owner_id"),
    )
    sa.Table(
        "workout_patterns",
        metadata,
        sa.Column("id", sa.Text, primary_key=True),
        _owner(),
        sa.Column("first_day", sa.Date, nullable=False),
        sa.Column("last_day", sa.Date, nullable=False),
        sa.Column("spec", sa.Text, nullable=False),  # "tue:tempo thu:intervals sun:long"
        sa.Column("recovery_every", sa.Integer),  # every Nth week is a recovery week
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Index(None, "owner_id"),
    ).create(connection, checkfirst=False)
    sa.Table(
        "recovery_weeks",
        metadata,
        _owner(),
        sa.Column("first_day", sa.Date, nullable=False),  # the week's Monday
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("owner_id", "first_day"),
    ).create(connection, checkfirst=False)
    sa.Table(
        "checkin_signs",
        metadata,
        sa.Column("checkin_id", sa.Text, primary_key=True),
        _owner(),
        sa.Column("region", sa.Text, primary_key=True),
        sa.Column("sign", sa.Text, primary_key=True),
        sa.ForeignKeyConstraint(
            ["checkin_id", "owner_id"], ["checkins.id", "checkins.owner_id"], ondelete="CASCADE"
        ),
    ).create(connection, checkfirst=False)


def _add_v9_loads_pending(connection: Connection) -> None:
    """A mark on each runner that stored activities changed since their loads and kinds were
    last recomputed. An import sets it in the transaction that stores a file and the load
    refresh clears it in its own, so an import killed between the two leaves the mark, and
    the next command that reads loads repairs them instead of trusting stale kinds.

    Every runner with activities starts marked: a database an import was killed in before
    this version may hold activities that never got a load, and one refresh settles it."""
    column = sa.Column("loads_pending", sa.BigInteger, nullable=False, server_default=sa.text("0"))
    add_column(connection, "runners", column)
    runners = sa.table("runners", sa.column("id"), sa.column("loads_pending"))
    activities = sa.table("activities", sa.column("owner_id"))
    with_activities = sa.select(activities.c.owner_id).where(activities.c.owner_id == runners.c.id)
    connection.execute(runners.update().where(with_activities.exists()).values(loads_pending=1))


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "create the first schema", _create_v1_tables),
    Migration(
        2, "add activities, their sources and streams, and daily wellness", _create_v2_tables
    ),
    Migration(
        3,
        "add load values, fatigue and sleep, runs logged by hand, injuries and routine logs",
        _add_v3_daily,
    ),
    Migration(4, "add calendar feed secrets (stored as hashes)", _create_v4_feed_secrets),
    Migration(5, "add a data version to each runner", _add_v5_data_version),
    Migration(6, "add the therapist's weekly hours", _create_v6_therapist_hours),
    Migration(
        7,
        "mark pinned planned sessions in a column and give races a calendar SEQUENCE",
        _add_v7_pins_and_race_sequences,
    ),
    Migration(
        8,
        "add prices per kind, units, weekly patterns, recovery weeks and check-in warning signs",
        _add_v8_training_and_signs,
    ),
    Migration(
        9,
        "mark runners whose loads must be recomputed after their activities changed",
        _add_v9_loads_pending,
    ),
)

LATEST_VERSION = MIGRATIONS[-1].version


def migrate(
    engine: Engine,
    migrations: Sequence[Migration] = MIGRATIONS,
    *,
    clock: Callable[[], dt.datetime] | None = None,
) -> int:
    """Bring the database to the last version in ``migrations``; returns that version.

    Raises StoreError if the database is newer than ``migrations`` know, and
    MigrationFailed (naming the step) if a step raises; that step is rolled back whole.
    """
    latest = migrations[-1].version if migrations else 0
    now = clock or (lambda: dt.datetime.now(dt.UTC))
    with engine.connect() as connection:
        current = read_version(connection)
    _refuse_newer(current, latest)
    while current < latest:
        with engine.connect() as connection:
            connection.execution_options(**{WRITE_OPTION: True})
            with connection.begin():
                _lock(connection)
                # Re-read under the lock: another process may have migrated meanwhile.
                current = read_version(connection)
                _refuse_newer(current, latest)
                step = next((m for m in migrations if m.version > current), None)
                if step is None:
                    break
                try:
                    step.apply(connection)
                    _write_version(connection, step.version, now())
                except Exception as error:
                    raise MigrationFailed(step, error) from error
                current = step.version
    return current


class MigrationFailed(Exception):
    """A migration step raised; carries the step so the message can name it."""

    def __init__(self, step: Migration, error: Exception) -> None:
        super().__init__(f"migration {step.version} ({step.description}) failed: {error}")
        self.step = step
        self.error = error


def read_version(connection: Connection) -> int:
    """The schema version of the database; 0 for an empty one."""
    if not sa.inspect(connection).has_table(VERSION_TABLE):
        return 0
    version = connection.execute(sa.select(sa.func.max(_version.c.version))).scalar_one()
    return int(version or 0)


def _refuse_newer(current: int, latest: int) -> None:
    if current > latest:
        raise StoreError(
            f"database schema version {current} is newer than this rubdown supports"
            f" ({latest}); upgrade rubdown"
        )


def _lock(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(
            sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _POSTGRES_MIGRATION_LOCK}
        )


def _write_version(connection: Connection, version: int, now: dt.datetime) -> None:
    _version.create(connection, checkfirst=True)
    updated = connection.execute(
        _version.update().where(_version.c.id == 1).values(version=version, migrated_at=now)
    )
    if updated.rowcount == 0:
        connection.execute(_version.insert().values(id=1, version=version, migrated_at=now))
