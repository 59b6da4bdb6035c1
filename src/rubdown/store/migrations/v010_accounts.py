"""Migration 10: accounts for server mode (users, sessions, invitations, login attempts), and
the oldest code version that can still run on the schema."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from rubdown.store.columns import UtcDateTime
from rubdown.store.migrations.step import Migration, add_column
from rubdown.store.schema import NAMING_CONVENTION

# Code that knows schema 9 runs unchanged on schema 10: this step only adds.
OLDEST_CODE_AFTER = 9


def apply(connection: Connection) -> None:
    """Users and their sessions live apart from ``runners``: a runner user's id is also their
    runner id (the service creates both in one transaction), while a therapist or an admin
    owns no runner data. Secrets (session and invitation tokens) are kept only as SHA-256
    digests, like the feed secret: a copy of the database logs nobody in."""
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    users = sa.Table(
        "users",
        metadata,
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("email", sa.Text, nullable=False, unique=True),  # lower-cased
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("disabled_at", UtcDateTime),
        sa.CheckConstraint("role IN ('runner', 'therapist', 'admin')", name="role_known"),
    )
    sessions = sa.Table(
        "user_sessions",
        metadata,
        sa.Column("token_hash", sa.Text, primary_key=True),
        sa.Column(
            "user_id", sa.Text, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("csrf_token", sa.Text, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("expires_at", UtcDateTime, nullable=False),
        sa.Column("last_seen_at", UtcDateTime, nullable=False),
        sa.Column("revoked_at", UtcDateTime),
        sa.Column("address", sa.Text),
        sa.Index(None, "user_id"),
    )
    invitations = sa.Table(
        "invitations",
        metadata,
        sa.Column("token_hash", sa.Text, primary_key=True),
        sa.Column("email", sa.Text, nullable=False),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("created_by", sa.Text, sa.ForeignKey("users.id", ondelete="SET NULL")),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("expires_at", UtcDateTime, nullable=False),
        sa.Column("used_at", UtcDateTime),
        sa.CheckConstraint("role IN ('runner', 'therapist', 'admin')", name="role_known"),
    )
    attempts = sa.Table(
        "login_attempts",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("email", sa.Text, nullable=False),
        sa.Column("address", sa.Text),
        sa.Column("at", UtcDateTime, nullable=False),
        sa.Column("ok", sa.Boolean, nullable=False),
        sa.Index(None, "email", "at"),
        sa.Index(None, "address", "at"),
    )
    for table in (users, sessions, invitations, attempts):
        table.create(connection, checkfirst=False)
    add_column(
        connection,
        "rubdown_schema",
        sa.Column(
            "oldest_code_version",
            sa.Integer,
            nullable=False,
            server_default=sa.text(str(OLDEST_CODE_AFTER)),
        ),
    )


MIGRATION = Migration(
    10,
    "add accounts: users, sessions, invitations, login attempts",
    apply,
    additive=True,
)
