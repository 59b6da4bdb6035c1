"""Migration 8: add prices per kind, units, weekly patterns, recovery weeks and check-in
warning signs."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from rubdown.store.columns import UtcDateTime
from rubdown.store.migrations.step import Migration, add_column, owner_column
from rubdown.store.schema import NAMING_CONVENTION


def apply(connection: Connection) -> None:
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
        owner_column(),
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
        owner_column(),
        sa.Column("first_day", sa.Date, nullable=False),  # the week's Monday
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("owner_id", "first_day"),
    ).create(connection, checkfirst=False)
    sa.Table(
        "checkin_signs",
        metadata,
        sa.Column("checkin_id", sa.Text, primary_key=True),
        owner_column(),
        sa.Column("region", sa.Text, primary_key=True),
        sa.Column("sign", sa.Text, primary_key=True),
        sa.ForeignKeyConstraint(
            ["checkin_id", "owner_id"], ["checkins.id", "checkins.owner_id"], ondelete="CASCADE"
        ),
    ).create(connection, checkfirst=False)


MIGRATION = Migration(
    8,
    "add prices per kind, units, weekly patterns, recovery weeks and check-in warning signs",
    apply,
)
