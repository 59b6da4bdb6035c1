"""Feeds kept as bytes until the owner's data or day moves on (``web.cache.answers``).

Any write, a new secret or a revoked one included, moves the runner's data version. So the
DTSTAMP of every event is the time the feed was made, not the time of the request: it stays
put while nothing changed, which is what it means (when the event data was last written), and
a client comparing events sees no change where there is none. A feed is kept under the hash
of its secret, and only when the secret still opened it at the data version it was made at
(it is checked again inside the version window), so a hit needs no secret lookup: the
secret's owner is remembered (``_OWNERS``) and one query reads the owner's data version.
"""

from __future__ import annotations

from rubdown.services import feeds
from rubdown.services.runner import Runner
from rubdown.web.cache.answers import LRU, answer, cached_answer

FULL_FEED = "feed-full"  # the kinds of answer kept in ``web.cache.answers``
BUSY_FEED = "feed-busy"

# (database, secret hash) -> the runner it opened. Only a hint for finding a kept feed: a
# kept feed is the answer only at the data version it was checked at, and replacing or
# revoking the secret moves that version, so a stale hint finds nothing.
_OWNERS: LRU[tuple[str, str], str] = LRU(max_entries=256)


def feed_ics(app: Runner, secret: str, *, busy_only: bool) -> bytes | None:
    """The feed ``secret`` opens, as iCalendar bytes; None when it opens none. Kept until
    the owner's data or day moves on.

    The owner comes from the secret, not from ``app.owner_id``: on a server with many
    runners the request carries no login, only the URL.
    """
    kept = cached_feed_ics(app, secret, busy_only=busy_only)
    if kept is not None:
        return kept
    owner = feeds.feed_owner(app, secret)
    if owner is None:
        return None
    wanted = feeds.hash_secret(secret)

    def make(made_with: Runner) -> bytes | None:
        # Asked again now that the data version is read: the feed is kept under that
        # version only if the secret opened it then (a revoke meanwhile moves the version).
        if feeds.feed_owner(made_with, secret) != owner:
            return None
        return feeds.feed_calendar(made_with, owner, busy_only=busy_only)

    data = answer(app, _kind(busy_only), (wanted,), make, owner=owner)
    if data is not None:
        _OWNERS.put((app.store.shown_url, wanted), owner)
    return data


def cached_feed_ics(app: Runner, secret: str, *, busy_only: bool) -> bytes | None:
    """The kept feed ``secret`` opens if nothing moved since it was made, else None (also
    for a secret that opens nothing): one query, never the plan. For a caller that must
    not wait, with ``feed_ics`` as its fallback."""
    if not feeds.secret_shaped(secret):
        return None
    wanted = feeds.hash_secret(secret)
    owner = _OWNERS.get((app.store.shown_url, wanted))
    if owner is None:
        return None
    return cached_answer(app, _kind(busy_only), (wanted,), owner=owner)


def _kind(busy_only: bool) -> str:
    return BUSY_FEED if busy_only else FULL_FEED
