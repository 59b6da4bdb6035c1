"""Training the runner changes in place: workout edits, weekly patterns and recovery weeks
(tables ``workouts``, ``workout_patterns`` and ``recovery_weeks``, migration 8).

A pattern is stored with the workouts it made (``workouts.pattern_id``) and the Mondays of
its recovery weeks in one transaction, and goes (or is replaced) with them in one too: a
reader never sees a pattern without its workouts, or half of an old pattern and half of a
new one. Every query filters on the owner.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import replace

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from rubdown.domain.model import Workout
from rubdown.domain.patterns import WorkoutPattern, recovery_mondays
from rubdown.domain.records import StoredPattern
from rubdown.errors import NotFound
from rubdown.store import mapping
from rubdown.store import schema as tables
from rubdown.store.rows_base import NOTHING_WRITTEN, RowsBase


class TrainingRows(RowsBase):
    """The training half of ``Store``; it relies on the store's transaction helpers."""

    # -- one workout -------------------------------------------------------------------------

    def update_workout(self, owner: str, workout: Workout) -> Workout:
        """Replace the stored fields of the workout with ``workout.id``; NotFound if absent.

        Its source and pattern stay as stored: an edited pattern workout still goes with its
        pattern."""
        table = tables.workouts
        where = (table.c.owner_id == owner, table.c.id == workout.id)
        with self._writing(owner, "the workout") as connection:
            row = connection.execute(sa.select(table).where(*where)).mappings().first()
            if row is None:
                raise NotFound(f"no workout with ID {workout.id!r}")
            stored = mapping.workout_from_row(row)
            changed = replace(workout, source=stored.source, pattern_id=stored.pattern_id)
            if changed == stored:
                connection.info[NOTHING_WRITTEN] = True
                return stored
            connection.execute(
                table.update()
                .where(*where)
                .values(day=changed.day, kind=changed.kind.value, duration_min=changed.duration_min)
            )
        return changed

    # -- weekly patterns ---------------------------------------------------------------------

    def add_pattern(
        self,
        owner: str,
        pattern: WorkoutPattern,
        workouts: Sequence[Workout],
        mondays: Sequence[dt.date],
        *,
        replacing: str | None = None,
    ) -> StoredPattern:
        """Store ``pattern`` under a new ID with its workouts and recovery-week marks; with
        ``replacing``, the pattern of that ID goes in the same transaction (NotFound if it is
        not the owner's: then nothing is stored)."""
        pattern_id = uuid.uuid4().hex
        stored_pattern = replace(pattern, id=pattern_id)
        now = self._clock()
        workout_rows = []
        stored_workouts = []
        for workout in workouts:
            with_id = replace(workout, id=uuid.uuid4().hex, pattern_id=pattern_id)
            stored_workouts.append(with_id)
            workout_rows.append(
                {
                    "id": with_id.id,
                    "owner_id": owner,
                    "source_uid": None,
                    "created_at": now,
                    **mapping.workout_fields(with_id),
                }
            )
        with self._writing(owner, "the pattern") as connection:
            if replacing is not None:
                self._delete_pattern(connection, owner, replacing)
            connection.execute(
                tables.workout_patterns.insert(),
                {
                    "id": pattern_id,
                    "owner_id": owner,
                    "first_day": pattern.first_day,
                    "last_day": pattern.last_day,
                    "spec": pattern.spec,
                    "recovery_every": pattern.recovery_every,
                    "created_at": now,
                },
            )
            if workout_rows:
                connection.execute(tables.workouts.insert(), workout_rows)
            self._mark_weeks(connection, owner, mondays)
        return StoredPattern(stored_pattern, tuple(stored_workouts), tuple(mondays))

    def list_patterns(self, owner: str) -> list[WorkoutPattern]:
        table = tables.workout_patterns
        with self._reading("the workout patterns") as connection:
            rows = connection.execute(
                sa.select(table)
                .where(table.c.owner_id == owner)
                .order_by(table.c.first_day, table.c.created_at, table.c.id)
            ).mappings()
            return [mapping.pattern_from_row(row) for row in rows]

    def remove_pattern(self, owner: str, pattern_id: str) -> StoredPattern:
        """Remove the pattern, its workouts and its recovery-week marks, all or nothing."""
        with self._writing(owner, "the pattern") as connection:
            return self._delete_pattern(connection, owner, pattern_id)

    # -- recovery weeks ----------------------------------------------------------------------

    def recovery_weeks(self, owner: str) -> frozenset[dt.date]:
        """The Mondays of the weeks marked as recovery weeks (by hand or by a pattern)."""
        table = tables.recovery_weeks
        with self._reading("the recovery weeks") as connection:
            days = connection.execute(
                sa.select(table.c.first_day).where(table.c.owner_id == owner)
            ).scalars()
            return frozenset(days)

    def mark_recovery_week(self, owner: str, monday: dt.date) -> bool:
        """Mark the week starting ``monday``; False (and nothing written) if it was marked."""
        with self._writing(owner, "the recovery week") as connection:
            added = self._mark_weeks(connection, owner, [monday])
            if not added:
                connection.info[NOTHING_WRITTEN] = True
        return bool(added)

    def unmark_recovery_week(self, owner: str, monday: dt.date) -> bool:
        """Take the mark off; False (and nothing written) if the week was not marked."""
        table = tables.recovery_weeks
        with self._writing(owner, "the recovery week") as connection:
            removed = connection.execute(
                table.delete().where(table.c.owner_id == owner, table.c.first_day == monday)
            )
            if removed.rowcount == 0:
                connection.info[NOTHING_WRITTEN] = True
        return removed.rowcount > 0

    # -- helpers -----------------------------------------------------------------------------

    def _mark_weeks(
        self, connection: Connection, owner: str, mondays: Sequence[dt.date]
    ) -> list[dt.date]:
        """Insert the marks not there yet (a week may already be marked by hand)."""
        table = tables.recovery_weeks
        wanted = sorted(set(mondays))
        if not wanted:
            return []
        present = set(
            connection.execute(
                sa.select(table.c.first_day).where(
                    table.c.owner_id == owner, table.c.first_day.in_(wanted)
                )
            ).scalars()
        )
        new = [monday for monday in wanted if monday not in present]
        if new:
            now = self._clock()
            connection.execute(
                table.insert(),
                [{"owner_id": owner, "first_day": day, "created_at": now} for day in new],
            )
        return new

    def _delete_pattern(self, connection: Connection, owner: str, pattern_id: str) -> StoredPattern:
        patterns, workouts, weeks = tables.workout_patterns, tables.workouts, tables.recovery_weeks
        row = (
            connection.execute(
                sa.select(patterns).where(patterns.c.owner_id == owner, patterns.c.id == pattern_id)
            )
            .mappings()
            .first()
        )
        if row is None:
            raise NotFound(f"no workout pattern with ID {pattern_id!r}")
        pattern = mapping.pattern_from_row(row)
        in_pattern = (workouts.c.owner_id == owner, workouts.c.pattern_id == pattern_id)
        removed = [
            mapping.workout_from_row(r)
            for r in connection.execute(sa.select(workouts).where(*in_pattern)).mappings()
        ]
        connection.execute(workouts.delete().where(*in_pattern))
        # The marks are not tied to a pattern by a column: the pattern's own recovery weeks
        # follow from its span and rhythm, so those are the ones that go with it.
        mondays = recovery_mondays(pattern)
        if mondays:
            connection.execute(
                weeks.delete().where(weeks.c.owner_id == owner, weeks.c.first_day.in_(mondays))
            )
        connection.execute(
            patterns.delete().where(patterns.c.owner_id == owner, patterns.c.id == pattern_id)
        )
        return StoredPattern(pattern, tuple(removed), mondays)
