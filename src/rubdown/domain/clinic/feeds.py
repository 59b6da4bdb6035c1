"""A therapist's calendar feeds of their bookings: what they show, and the port they read.

Two views, each opened by its own secret URL: ``full`` names the client, the service and the
kind (the therapist's own calendar); ``busy`` shows only that the time is taken, so it can be
shared with a front desk or a family calendar without a word about any client.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from rubdown.domain.model import SessionKind


class FeedView(StrEnum):
    FULL = "full"
    BUSY = "busy"


@dataclass(frozen=True)
class FeedBooking:
    """One booking as the full feed shows it (the busy feed uses only the times and id)."""

    id: str
    client_name: str
    service_name: str
    kind: SessionKind
    start_at: dt.datetime  # aware
    length_min: int


class ClinicFeeds(Protocol):
    """The feed secrets of every therapist (a feed request carries no login, only the
    secret), and the bookings of the therapist a secret opens."""

    def feed_views(self, therapist_id: str) -> frozenset[FeedView]: ...

    def set_feed_hash(self, therapist_id: str, view: FeedView, secret_hash: str) -> None: ...

    def remove_feed_hash(self, therapist_id: str, view: FeedView) -> bool: ...

    def feed_for_hash(self, secret_hash: str) -> tuple[str, FeedView] | None: ...

    def feed_bookings(
        self, therapist_id: str, start: dt.datetime, end: dt.datetime
    ) -> list[FeedBooking]:
        """The therapist's bookings that stand (not cancelled) starting in [start, end)."""
        ...
