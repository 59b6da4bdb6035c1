"""Migration 9: mark runners whose loads must be recomputed after their activities changed."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from rubdown.store.migrations.step import Migration, add_column


def apply(connection: Connection) -> None:
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


MIGRATION = Migration(
    9, "mark runners whose loads must be recomputed after their activities changed", apply
)
