"""The calendar feed's secret in the store, kept only as a hash.

A subscription URL works like a password, so the store never sees the secret itself: the
service hashes it, and a feed request is matched by hashing the secret in its URL again.
Each runner has at most one: setting a new hash replaces the old one in the same statement,
so the old URL stops working the moment the new one is stored.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Connection

from rubdown.store import schema as tables
from rubdown.store.rows_base import RowsBase

# PostgreSQL's dialect loads only where a store on PostgreSQL needs it: importing it costs
# every command on SQLite about 0.04 s of CPU.
if TYPE_CHECKING:
    from sqlalchemy.dialects import postgresql


class FeedRows(RowsBase):
    """The feed half of ``Store``; it relies on the store's transaction helpers."""

    def feed_secret_hash(self, owner: str) -> str | None:
        """The hash of the owner's feed secret, or None when they have none."""
        table = tables.feed_secrets
        with self._reading("the calendar feed") as connection:
            found = connection.execute(
                sa.select(table.c.secret_hash).where(table.c.owner_id == owner)
            ).scalar_one_or_none()
        return found

    def set_feed_secret_hash(self, owner: str, secret_hash: str) -> None:
        """Store ``secret_hash`` as the owner's only feed secret, replacing any earlier one."""
        table = tables.feed_secrets
        row = {"owner_id": owner, "secret_hash": secret_hash, "created_at": self._clock()}
        with self._writing(owner, "the calendar feed") as connection:
            # One upsert rather than delete-then-insert: there is no moment with two valid
            # secrets, nor one with none, whatever another connection reads meanwhile.
            statement = _insert(connection, table).on_conflict_do_update(
                index_elements=[table.c.owner_id],
                set_={"secret_hash": row["secret_hash"], "created_at": row["created_at"]},
            )
            connection.execute(statement, row)

    def remove_feed_secret_hash(self, owner: str) -> bool:
        """Turn the owner's feed off; returns whether there was one."""
        table = tables.feed_secrets
        with self._writing(owner, "the calendar feed") as connection:
            removed = connection.execute(table.delete().where(table.c.owner_id == owner))
        return removed.rowcount > 0

    def owner_for_feed_hash(self, secret_hash: str) -> str | None:
        """Whose feed secret hashes to ``secret_hash``; None when nobody's does.

        The one store method that is not scoped to an owner: a feed request carries no
        login, so the secret is what names the owner.
        """
        table = tables.feed_secrets
        with self._reading("the calendar feed") as connection:
            found = connection.execute(
                sa.select(table.c.owner_id).where(table.c.secret_hash == secret_hash)
            ).scalar_one_or_none()
        return found


def _insert(connection: Connection, table: sa.Table) -> postgresql.Insert | sqlite.Insert:
    # Both dialects spell ON CONFLICT the same way, but only through their own insert().
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql  # see the import block

        return postgresql.insert(table)
    return sqlite.insert(table)
