"""A therapist's calendar feeds of their bookings: made, replaced, turned off, and read.

As the runner's feed (``services.feeds``): the secret is shown once, only its SHA-256 is
kept, a new one replaces the old at once, and an unknown secret answers nothing at all. The
secret says which view it opens (``full`` or ``busy``), so the URL carries no view of its
own that could be changed by hand into the other one.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable

from rubdown.calendar.ics_bookings import therapist_calendar
from rubdown.domain.clinic.feeds import ClinicFeeds, FeedView
from rubdown.errors import InvalidValue
from rubdown.services.feeds import FEED_REFRESH, hash_secret, secret_shaped

FEED_SUFFIX = ".ics"
# What a feed shows: the recent past (what was done this month) and a year ahead.
FEED_PAST = dt.timedelta(days=31)
FEED_AHEAD = dt.timedelta(days=366)


def parse_view(text: str) -> FeedView:
    try:
        return FeedView(text)
    except ValueError:
        raise InvalidValue(f"no feed view {text[:20]!r}: full or busy") from None


def feed_views(feeds: ClinicFeeds, therapist_id: str) -> dict[str, bool]:
    """Which feeds the therapist has (their URLs cannot be shown again, only replaced)."""
    have = feeds.feed_views(therapist_id)
    return {str(view): view in have for view in FeedView}


def new_clinic_feed(feeds: ClinicFeeds, therapist_id: str, view: FeedView) -> str:
    """A new secret for the view, replacing any earlier one; the only time it is shown."""
    secret = secrets.token_urlsafe(32)
    feeds.set_feed_hash(therapist_id, view, hash_secret(secret))
    return secret


def revoke_clinic_feed(feeds: ClinicFeeds, therapist_id: str, view: FeedView) -> bool:
    return feeds.remove_feed_hash(therapist_id, view)


def clinic_feed_url(base_url: str, secret: str) -> str:
    return f"{base_url.rstrip('/')}/feeds/clinic/{secret}{FEED_SUFFIX}"


def clinic_feed_ics(
    feeds: ClinicFeeds, secret: str, clock: Callable[[], dt.datetime]
) -> bytes | None:
    """The feed ``secret`` opens, or None; says nothing about why not."""
    if not secret_shaped(secret):
        return None
    wanted = hash_secret(secret)
    found = feeds.feed_for_hash(wanted)
    if found is None:
        return None
    therapist_id, view = found
    now = clock()
    bookings = feeds.feed_bookings(therapist_id, now - FEED_PAST, now + FEED_AHEAD)
    return therapist_calendar(
        bookings, busy_only=view is FeedView.BUSY, stamp=now, refresh=FEED_REFRESH
    )
