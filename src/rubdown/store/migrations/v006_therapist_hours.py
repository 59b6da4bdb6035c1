"""Migration 6: add the therapist's weekly hours."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from rubdown.store.columns import UtcDateTime
from rubdown.store.migrations.step import Migration, owner_column
from rubdown.store.schema import NAMING_CONVENTION


def apply(connection: Connection) -> None:
    """The therapist's weekly hours: when the runner's therapist takes appointments."""
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    sa.Table("runners", metadata, sa.Column("id", sa.Text, primary_key=True))
    table = sa.Table(
        "therapist_hours",
        metadata,
        owner_column(),
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


MIGRATION = Migration(6, "add the therapist's weekly hours", apply)
