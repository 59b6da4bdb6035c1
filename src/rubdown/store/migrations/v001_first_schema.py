"""Migration 1: create the first schema."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from rubdown.store.columns import JsonList, UtcDateTime
from rubdown.store.migrations.step import Migration, owner_column
from rubdown.store.schema import NAMING_CONVENTION


def apply(connection: Connection) -> None:
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
            owner_column(),
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
        owner_column(),
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
        owner_column(),
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
        owner_column(),
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
        owner_column(),
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


MIGRATION = Migration(1, "create the first schema", apply)
