"""Migration 7: mark pinned planned sessions in a column and give races a calendar SEQUENCE."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from rubdown.store.migrations.step import Migration, add_column

# The sentence rubdown put in front of a pinned session's reason before migration 7 gave pins
# a column of their own. Kept here as it was written then: never change it.
_V6_PINNED_NOTE = (
    "You moved this session to this day, so the plan keeps it here and fits the rest around "
    "it. First planned as: "
)


def apply(connection: Connection) -> None:
    """A column for a pinned planned session, which its reason used to mark (the old mark is
    turned into the flag, and the reason is the first one again), and an iCalendar SEQUENCE
    for each race, so a moved or renamed race updates in the runner's calendar."""
    pinned = sa.Column("pinned", sa.Boolean, nullable=False, server_default=sa.false())
    add_column(connection, "planned_sessions", pinned)
    sequence = sa.Column("sequence", sa.Integer, nullable=False, server_default=sa.text("0"))
    add_column(connection, "races", sequence)

    planned = sa.table(
        "planned_sessions",
        sa.column("owner_id"),
        sa.column("key"),
        sa.column("reason"),
        sa.column("pinned", sa.Boolean),
    )
    # Filtered here, not with LIKE: SQLite's LIKE ignores case, and the mark is exact text.
    # The SEQUENCE stays: the calendar tells the same story from the flag (``ics_export``).
    # The stored fingerprint is not read back; the next save of the plan rewrites it.
    rows = connection.execute(sa.select(planned.c.owner_id, planned.c.key, planned.c.reason))
    for row in [r for r in rows if r.reason.startswith(_V6_PINNED_NOTE)]:
        connection.execute(
            planned.update()
            .where(planned.c.owner_id == row.owner_id, planned.c.key == row.key)
            .values(pinned=True, reason=row.reason.removeprefix(_V6_PINNED_NOTE))
        )


MIGRATION = Migration(
    7, "mark pinned planned sessions in a column and give races a calendar SEQUENCE", apply
)
