"""A runner's bookings, read from the clinics that made them (``RunnerData.list_bookings``).

The rows are the therapists' (``clinic_bookings``); this is the one read a runner makes of
them: only rows whose client is ``runner:<this runner>``, whatever therapist wrote them, and
whatever grant stands now (a booking is the runner's appointment; see ``domain.booked``).
The therapist is named by their account's email, as the sharing page names them.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from rubdown.domain.booked import BookedSession
from rubdown.domain.model import SessionKind
from rubdown.domain.regions import parse_region

if TYPE_CHECKING:
    from rubdown.store.store import Store

# The same SELECT in SQL for ``store.sqlite_reader`` (which reads without SQLAlchemy).
RUNNER_BOOKINGS_SQL = (
    "SELECT clinic_bookings.id, clinic_bookings.kind, clinic_bookings.start_at,"
    " clinic_bookings.length_min, clinic_bookings.price, clinic_bookings.regions,"
    " clinic_bookings.cancelled_at, users.email AS therapist, clinic_rules.timezone"
    " FROM clinic_bookings JOIN users ON users.id = clinic_bookings.therapist_id"
    " LEFT OUTER JOIN clinic_rules ON clinic_rules.therapist_id = clinic_bookings.therapist_id"
    " WHERE clinic_bookings.client_kind = 'runner' AND clinic_bookings.client_id = ?"
    " ORDER BY clinic_bookings.start_at, clinic_bookings.id"
)


def runner_bookings(store: Store, owner_id: str) -> list[BookedSession]:
    # Here, not at the top: ``store.sqlite_reader`` maps its rows with this module and must
    # not load SQLAlchemy to do so.
    import sqlalchemy as sa

    from rubdown.store import schema as tables

    _bookings, _users, _rules = tables.clinic_bookings, tables.users, tables.clinic_rules
    query = (
        sa.select(
            _bookings.c.id,
            _bookings.c.kind,
            _bookings.c.start_at,
            _bookings.c.length_min,
            _bookings.c.price,
            _bookings.c.regions,
            _bookings.c.cancelled_at,
            _users.c.email.label("therapist"),
            _rules.c.timezone,
        )
        .select_from(
            _bookings.join(_users, _users.c.id == _bookings.c.therapist_id).outerjoin(
                _rules, _rules.c.therapist_id == _bookings.c.therapist_id
            )
        )
        .where(_bookings.c.client_kind == "runner", _bookings.c.client_id == owner_id)
        .order_by(_bookings.c.start_at, _bookings.c.id)
    )
    with store._reading("the bookings") as connection:
        rows = connection.execute(query).mappings().all()
    return [booked_from_row(dict(row)) for row in rows]


def booked_from_row(row: Mapping[str, Any]) -> BookedSession:
    """A row of either read; SQLite's raw rows carry text where SQLAlchemy's carry values."""
    start = row["start_at"]
    if isinstance(start, str):  # the UTC wall clock, as ``columns.UtcDateTime`` keeps it
        start = dt.datetime.fromisoformat(start)
    if start.tzinfo is None:
        start = start.replace(tzinfo=dt.UTC)
    regions = row["regions"]
    if isinstance(regions, str):
        regions = json.loads(regions)
    return BookedSession(
        id=row["id"],
        therapist=row["therapist"],
        kind=SessionKind(row["kind"]),
        start_at=start.astimezone(_zone(row["timezone"])),
        length_min=int(row["length_min"]),
        price=float(row["price"]),
        regions=tuple(parse_region(r) for r in regions),
        cancelled=row["cancelled_at"] is not None,
    )


def _zone(name: str | None) -> ZoneInfo:
    """The therapist's time zone (where the session happens); UTC before they set one."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")
