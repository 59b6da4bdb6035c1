"""Migration 4: add calendar feed secrets (stored as hashes)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from rubdown.store.columns import UtcDateTime
from rubdown.store.migrations.step import Migration
from rubdown.store.schema import NAMING_CONVENTION


def apply(connection: Connection) -> None:
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


MIGRATION = Migration(4, "add calendar feed secrets (stored as hashes)", apply)
