"""The therapist's weekly hours in the store (table ``therapist_hours``, migration 6).

The runner edits the week as a whole (a form with a row per stretch of a day), so the store
replaces it as a whole too: one transaction deletes the old rows and inserts the new ones,
and a reader sees either the old week or the new one, never half of each.
"""

from __future__ import annotations

import sqlalchemy as sa

from rubdown.domain.availability import OpeningWindow, WeeklyHours
from rubdown.store import schema as tables
from rubdown.store.rows_base import RowsBase


class HoursRows(RowsBase):
    """The weekly-hours half of ``Store``; it relies on the store's transaction helpers."""

    def therapist_hours(self, owner: str) -> WeeklyHours:
        """The owner's therapist hours; empty (any day) when none were given."""
        table = tables.therapist_hours
        with self._reading("the therapist's hours") as connection:
            rows = connection.execute(
                sa.select(table.c.weekday, table.c.start_minute, table.c.end_minute)
                .where(table.c.owner_id == owner)
                .order_by(table.c.weekday, table.c.start_minute)
            ).all()
        return WeeklyHours(
            tuple(
                OpeningWindow(int(row.weekday), int(row.start_minute), int(row.end_minute))
                for row in rows
            )
        )

    def save_therapist_hours(self, owner: str, hours: WeeklyHours) -> None:
        """Replace the owner's therapist hours with ``hours`` (empty: none, any day)."""
        table = tables.therapist_hours
        now = self._clock()
        rows = [
            {
                "owner_id": owner,
                "weekday": window.weekday,
                "start_minute": window.start_minute,
                "end_minute": window.end_minute,
                "updated_at": now,
            }
            for window in hours.windows
        ]
        with self._writing(owner, "the therapist's hours") as connection:
            connection.execute(table.delete().where(table.c.owner_id == owner))
            if rows:
                connection.execute(table.insert(), rows)
