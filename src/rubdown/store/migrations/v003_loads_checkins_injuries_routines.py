"""Migration 3: add load values, fatigue and sleep, runs logged by hand, injuries
and routine logs."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from rubdown.store.columns import UtcDateTime
from rubdown.store.migrations.step import Migration, add_column, owner_column
from rubdown.store.schema import NAMING_CONVENTION


def apply(connection: Connection) -> None:
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
        owner_column(),
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
        owner_column(),
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


MIGRATION = Migration(
    3, "add load values, fatigue and sleep, runs logged by hand, injuries and routine logs", apply
)
