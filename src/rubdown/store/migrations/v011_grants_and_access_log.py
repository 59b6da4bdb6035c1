"""Migration 11: grants (what a runner shares with a therapist) and the access log."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from rubdown.store.columns import UtcDateTime
from rubdown.store.migrations.step import Migration
from rubdown.store.schema import NAMING_CONVENTION


def apply(connection: Connection) -> None:
    """A grant joins a runner (``runners.id``) to a therapist's account (``users.id``) at the
    levels the runner chose; revoking keeps the row, so the access log can still name it.
    Deleting either side's row deletes their grants and log entries with it.

    At most one active grant per runner and therapist: a partial unique index (SQLite and
    PostgreSQL both have them), so two requests sharing at once cannot make two."""
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    sa.Table("runners", metadata, sa.Column("id", sa.Text, primary_key=True))
    sa.Table("users", metadata, sa.Column("id", sa.Text, primary_key=True))
    active = sa.text("revoked_at IS NULL")
    grants = sa.Table(
        "grants",
        metadata,
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column(
            "runner_id", sa.Text, sa.ForeignKey("runners.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "therapist_id", sa.Text, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("calendar", sa.Boolean, nullable=False),
        sa.Column("wellness", sa.Boolean, nullable=False),
        sa.Column("training", sa.Boolean, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
        sa.Column("revoked_at", UtcDateTime),
        sa.Index(
            "uq_grants_active_runner_id_therapist_id",
            "runner_id",
            "therapist_id",
            unique=True,
            sqlite_where=active,
            postgresql_where=active,
        ),
        sa.Index(None, "therapist_id"),
    )
    access_log = sa.Table(
        "access_log",
        metadata,
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column(
            "runner_id", sa.Text, sa.ForeignKey("runners.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "viewer_id", sa.Text, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "grant_id", sa.Text, sa.ForeignKey("grants.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("level", sa.Text, nullable=False),
        sa.Column("what", sa.Text, nullable=False),
        sa.Column("at", UtcDateTime, nullable=False),
        sa.CheckConstraint("level IN ('calendar', 'wellness', 'training')", name="level_known"),
        sa.Index(None, "runner_id", "at"),
    )
    grants.create(connection, checkfirst=False)
    access_log.create(connection, checkfirst=False)


MIGRATION = Migration(
    11, "add grants (a runner's consent to a therapist) and the access log", apply, additive=True
)
