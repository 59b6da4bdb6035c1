"""A therapist's booking feeds in the store (``domain.clinic.feeds.ClinicFeeds``): the secrets'
hashes (migration 15) and the bookings a feed shows.

Every read of bookings is scoped by the therapist the secret belongs to. A client is named
as the therapist knows them: a managed client by the name the therapist entered, a runner
client by their account's email (as the sharing pages name people).
"""

from __future__ import annotations

import datetime as dt
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from rubdown.domain.clinic.feeds import FeedBooking, FeedView
from rubdown.domain.model import SessionKind
from rubdown.store import schema as tables
from rubdown.store.transactions import writing

if TYPE_CHECKING:
    from rubdown.store.store import Store

_feeds = tables.clinic_feed_secrets
_bookings = tables.clinic_bookings


class StoredClinicFeeds:
    def __init__(self, store: Store) -> None:
        self._store = store

    def _writing(self, what: str) -> AbstractContextManager[Connection]:
        """One write transaction that moves no runner's data version: a feed secret is the
        therapist's, and no runner's answer depends on it."""
        store = self._store
        return writing(store._engine, store.shown_url, what)

    def feed_views(self, therapist_id: str) -> frozenset[FeedView]:
        query = sa.select(_feeds.c.view).where(_feeds.c.therapist_id == therapist_id)
        with self._store._reading("the booking feeds") as connection:
            return frozenset(FeedView(v) for v in connection.execute(query).scalars())

    def set_feed_hash(self, therapist_id: str, view: FeedView, secret_hash: str) -> None:
        values = {"secret_hash": secret_hash, "created_at": self._store._clock()}
        with self._writing("the booking feed") as connection:
            statement = self._store._insert(connection, _feeds).on_conflict_do_update(
                index_elements=[_feeds.c.therapist_id, _feeds.c.view], set_=values
            )
            connection.execute(
                statement, {"therapist_id": therapist_id, "view": str(view), **values}
            )

    def remove_feed_hash(self, therapist_id: str, view: FeedView) -> bool:
        mine = sa.and_(_feeds.c.therapist_id == therapist_id, _feeds.c.view == str(view))
        with self._writing("the booking feed") as connection:
            return connection.execute(_feeds.delete().where(mine)).rowcount > 0

    def feed_for_hash(self, secret_hash: str) -> tuple[str, FeedView] | None:
        query = sa.select(_feeds.c.therapist_id, _feeds.c.view).where(
            _feeds.c.secret_hash == secret_hash
        )
        with self._store._reading("the booking feed") as connection:
            row = connection.execute(query).first()
        return None if row is None else (row[0], FeedView(row[1]))

    def feed_bookings(
        self, therapist_id: str, start: dt.datetime, end: dt.datetime
    ) -> list[FeedBooking]:
        clients, services, users = tables.clinic_clients, tables.clinic_services, tables.users
        managed_name = (
            sa.select(clients.c.name)
            .where(
                clients.c.id == _bookings.c.client_id,
                clients.c.therapist_id == therapist_id,
            )
            .scalar_subquery()
        )
        runner_email = (
            sa.select(users.c.email).where(users.c.id == _bookings.c.client_id).scalar_subquery()
        )
        query = (
            sa.select(
                _bookings.c.id,
                _bookings.c.client_kind,
                managed_name.label("managed_name"),
                runner_email.label("runner_email"),
                services.c.name.label("service_name"),
                _bookings.c.kind,
                _bookings.c.start_at,
                _bookings.c.length_min,
            )
            .select_from(
                _bookings.outerjoin(
                    services,
                    sa.and_(
                        services.c.id == _bookings.c.service_id,
                        services.c.therapist_id == therapist_id,
                    ),
                )
            )
            .where(
                _bookings.c.therapist_id == therapist_id,
                _bookings.c.cancelled_at.is_(None),
                _bookings.c.start_at >= start,
                _bookings.c.start_at < end,
            )
            .order_by(_bookings.c.start_at, _bookings.c.id)
        )
        with self._store._reading("the bookings") as connection:
            rows = connection.execute(query).mappings().all()
        return [
            FeedBooking(
                id=row["id"],
                client_name=(
                    row["managed_name"] if row["client_kind"] == "managed" else row["runner_email"]
                )
                or "a client",
                service_name=row["service_name"] or "",
                kind=SessionKind(row["kind"]),
                start_at=row["start_at"],
                length_min=int(row["length_min"]),
            )
            for row in rows
        ]
