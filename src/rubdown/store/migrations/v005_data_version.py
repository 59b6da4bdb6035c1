"""Migration 5: add a data version to each runner."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from rubdown.store.migrations.step import Migration, add_column


def apply(connection: Connection) -> None:
    """A counter on each runner that every write of the runner's data moves on (the store
    bumps it inside the write's own transaction), so a reader in any process can tell with
    one query whether what it made from that data is still current."""
    column = sa.Column("data_version", sa.BigInteger, nullable=False, server_default=sa.text("0"))
    add_column(connection, "runners", column)


MIGRATION = Migration(5, "add a data version to each runner", apply)
