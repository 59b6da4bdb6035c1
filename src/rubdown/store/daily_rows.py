"""Injury episodes, routine logs and runs logged by hand in the store.

A run logged by hand is an activity like any imported one (table ``activities``), so the load
model, the hard-day rules and ``rubdown activities`` see it without a special case. What
marks it is ``manual_kind`` (NULL for imports): the kind the runner gave, or "" when they
gave none. Its RPE is kept in ``rpe`` because the load is recomputed from it.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import sqlalchemy as sa

from rubdown.domain.activity import Sport
from rubdown.domain.model import InjuryEpisode, RoutineLog, WorkoutKind
from rubdown.domain.records import ActivityMarks, ManualRun
from rubdown.errors import NotFound
from rubdown.store import mapping
from rubdown.store import schema as tables
from rubdown.store.activity_rows import _MARK_LOADS_PENDING
from rubdown.store.rows_base import RowsBase

MANUAL_RUN_NAME = "run logged by hand"


class DailyRows(RowsBase):
    """The daily half of ``Store``; it relies on the store's transaction helpers."""

    # -- injury episodes ----------------------------------------------------------------------

    def add_injury(self, owner: str, episode: InjuryEpisode) -> InjuryEpisode:
        """Store ``episode`` under a new ID and return it with that ID."""
        stored = replace(episode, id=uuid.uuid4().hex)
        row = mapping.injury_to_row(owner, stored, self._clock())
        with self._writing(owner, "the injury episode") as connection:
            connection.execute(tables.injuries.insert(), row)
        return stored

    def list_injuries(self, owner: str) -> list[InjuryEpisode]:
        """Every episode, open or ended, oldest start first."""
        table = tables.injuries
        with self._reading("the injury episodes") as connection:
            rows = connection.execute(
                sa.select(table)
                .where(table.c.owner_id == owner)
                .order_by(table.c.start, table.c.created_at, table.c.id)
            ).mappings()
            return [mapping.injury_from_row(row) for row in rows]

    def end_injury(
        self, owner: str, injury_id: str, end: dt.date, helped: str = ""
    ) -> InjuryEpisode:
        """Close the open episode ``injury_id`` on ``end``; NotFound unless it is there and
        open. The database refuses an end before the start (a StoreError)."""
        table = tables.injuries
        key = (table.c.owner_id == owner, table.c.id == injury_id)
        with self._writing(owner, "the injury episode") as connection:
            # "Still open" is part of the WHERE: two runs ending one episode cannot both win.
            updated = connection.execute(
                table.update().where(*key, table.c.end.is_(None)).values(end=end, helped=helped)
            )
            if updated.rowcount == 0:
                raise NotFound(f"no open injury episode with ID {injury_id!r}")
            row = connection.execute(sa.select(table).where(*key)).mappings().one()
        return mapping.injury_from_row(row)

    # -- routine logs -------------------------------------------------------------------------

    def log_routine(self, owner: str, log: RoutineLog) -> RoutineLog:
        stored = replace(log, id=uuid.uuid4().hex)
        row = mapping.routine_log_to_row(owner, stored, self._clock())
        with self._writing(owner, "the routine log") as connection:
            connection.execute(tables.routine_logs.insert(), row)
        return stored

    def list_routine_logs(self, owner: str) -> list[RoutineLog]:
        table = tables.routine_logs
        with self._reading("the routine logs") as connection:
            rows = connection.execute(
                sa.select(table)
                .where(table.c.owner_id == owner)
                .order_by(table.c.day, table.c.started_at, table.c.id)
            ).mappings()
            return [mapping.routine_log_from_row(row) for row in rows]

    # -- runs logged by hand ------------------------------------------------------------------

    def add_manual_run(
        self, owner: str, run: ManualRun, *, load_basis: Mapping[str, Any]
    ) -> ManualRun:
        """Store the run as a running activity with its load basis and RPE; returns it with
        its new ID. ``load_basis`` is ``LoadBasis.to_dict()`` (plain JSON values)."""
        stored = replace(run, id=uuid.uuid4().hex)
        offset = run.start.utcoffset()
        now = self._clock()
        row = {
            "id": stored.id,
            "owner_id": owner,
            "sport": Sport.RUNNING.value,
            "name": MANUAL_RUN_NAME,
            "start_utc": run.start.astimezone(dt.UTC),
            "utc_offset_s": int(offset.total_seconds()) if offset is not None else None,
            "local_day": run.day,
            "duration_s": run.duration_s,
            "moving_s": run.duration_s,
            "distance_m": None,
            "elevation_gain_m": None,
            "avg_hr_bpm": None,
            "max_hr_bpm": None,
            "laps": "[]",
            "records": 0,
            "partial": False,
            "richness": 0,  # any file of the same run knows more
            "load": run.load,
            "load_method": run.load_method,
            "load_basis": json.dumps(dict(load_basis)),
            "kind": run.kind.value,
            "rpe": run.rpe,
            "manual_kind": run.given_kind.value if run.given_kind is not None else "",
            "created_at": now,
            "updated_at": now,
        }
        with self._writing(owner, "the run") as connection:
            connection.execute(tables.activities.insert(), row)
            # A new run changes the usual day every kind is judged against: marked in the
            # run's own transaction, so a command killed before its refresh leaves the loads
            # to be repaired (``services.loads.repair_loads``), not stale.
            connection.execute(_MARK_LOADS_PENDING, {"owner": owner})
        return stored

    def list_manual_runs(self, owner: str) -> list[ManualRun]:
        """The runs logged by hand, oldest first, with their current load and kind."""
        table = tables.activities
        with self._reading("the runs logged by hand") as connection:
            rows = connection.execute(
                sa.select(table)
                .where(table.c.owner_id == owner, table.c.manual_kind.is_not(None))
                .order_by(table.c.local_day, table.c.start_utc, table.c.id)
            ).mappings()
            return [mapping.manual_run_from_row(row) for row in rows]

    def activity_marks(self, owner: str) -> dict[str, ActivityMarks]:
        """By activity ID, the RPE and kind the runner gave, for activities that have one."""
        table = tables.activities
        with self._reading("the activities") as connection:
            rows = connection.execute(
                sa.select(table.c.id, table.c.rpe, table.c.manual_kind).where(
                    table.c.owner_id == owner,
                    sa.or_(table.c.rpe.is_not(None), table.c.manual_kind.is_not(None)),
                )
            )
            return {
                row.id: ActivityMarks(
                    None if row.rpe is None else float(row.rpe),
                    WorkoutKind(row.manual_kind) if row.manual_kind else None,
                )
                for row in rows
            }
