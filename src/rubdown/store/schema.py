"""The tables as the store queries them: the schema at the latest migration.

Migrations build the database; this module only describes the result for SQLAlchemy Core.
A migration that changes a table changes its description here too, and the integration
tests check that a freshly migrated database matches this file column for column.

Every row that belongs to a person carries ``owner_id``: a multi-user server is coming, and
each query filters on it. IDs are text (uuid4 hex made in Python, or the owner's own ID).
Days are SQL DATE (ISO text on SQLite), times of day SQL TIME, lists JSON text.
"""

from __future__ import annotations

import sqlalchemy as sa

from rubdown.store.columns import JsonList, UtcDateTime

# Stable constraint names on both databases, so a later migration can drop or alter them.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


def _owner() -> sa.Column[str]:
    return sa.Column(
        "owner_id", sa.Text, sa.ForeignKey("runners.id", ondelete="CASCADE"), nullable=False
    )


runners = sa.Table(
    "runners",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
)

profiles = sa.Table(
    "profiles",
    metadata,
    sa.Column(
        "owner_id", sa.Text, sa.ForeignKey("runners.id", ondelete="CASCADE"), primary_key=True
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

races = sa.Table(
    "races",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    _owner(),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("day", sa.Date, nullable=False),
    sa.Column("priority", sa.Text, nullable=False),
    sa.Column("distance_km", sa.Double),
    sa.Column("start_time", sa.Time),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("source_uid", sa.Text),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.UniqueConstraint("owner_id", "source_uid"),
    sa.Index(None, "owner_id", "day"),
)

workouts = sa.Table(
    "workouts",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    _owner(),
    sa.Column("day", sa.Date, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("duration_min", sa.Double),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("source_uid", sa.Text),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.UniqueConstraint("owner_id", "source_uid"),
    sa.Index(None, "owner_id", "day"),
)

massage_sessions = sa.Table(
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

checkins = sa.Table(
    "checkins",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    _owner(),
    sa.Column("day", sa.Date, nullable=False),
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    # Lets checkin_regions reference (id, owner_id): a region row cannot change hands.
    sa.UniqueConstraint("id", "owner_id"),
    sa.Index(None, "owner_id", "day"),
)

checkin_regions = sa.Table(
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

planned_sessions = sa.Table(
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
