"""The calendar subscription: a private URL a calendar app polls for the current plan.

The URL carries a random secret and is the only key to the feed, so it is treated like a
password: it is shown once, when made, and the store keeps only its SHA-256 (a 256-bit
random token needs no salt or slow hash: there is nothing to guess from). Making a new one
replaces the stored hash, so the old URL stops working at once.

A feed shows the plan as last saved; reading it never re-plans, so a calendar app polling
it changes nothing. Events keep the UIDs and SEQUENCE numbers of ``export ics``, so a
client that imported the file and then subscribes sees the same events. Feeds carry no
VALARM (subscribed calendars ignore or strip them) and no cancelled events: a session that
is no longer planned simply disappears, which is what clients expect of a feed.

A feed's bytes are kept (``response_cache``) until the runner's data or day moves on: any
write, a new secret or a revoked one included, moves the runner's data version. So the
DTSTAMP of every event is the time the feed was made, not the time of the request: it stays
put while nothing changed, which is what it means (when the event data was last written), and
a client comparing events sees no change where there is none. A feed is kept under the hash
of its secret, and only when the secret still opened it at the data version it was made at
(it is checked again inside the version window), so a hit needs no secret lookup: the
secret's owner is remembered (``_OWNERS``) and one query reads the owner's data version.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from typing import TypedDict

from rubdown.calendar import export_ics
from rubdown.domain.model import Profile
from rubdown.domain.plan import Plan
from rubdown.services.context import App
from rubdown.services.response_cache import LRU, answer, cached_answer

FULL_SUFFIX = ".ics"
BUSY_SUFFIX = "-busy.ics"

# What clients are told to poll at; Google ignores it and fetches every 8-24 hours anyway.
FEED_REFRESH = dt.timedelta(hours=1)

# token_urlsafe(32) gives 43 characters of this alphabet; anything else cannot be a secret,
# and is turned away before it is hashed or reaches the database.
_SECRET_SHAPE = re.compile(r"[A-Za-z0-9_-]{32,128}")

FULL_FEED = "feed-full"  # the kinds of answer kept in ``response_cache``
BUSY_FEED = "feed-busy"

# (database, secret hash) -> the runner it opened. Only a hint for finding a kept feed: a
# kept feed is the answer only at the data version it was checked at, and replacing or
# revoking the secret moves that version, so a stale hint finds nothing.
_OWNERS: LRU[tuple[str, str], str] = LRU(max_entries=256)


class FeedUrls(TypedDict):
    full: str  # everything: sessions with their reasons, races, rest days
    busy: str  # neutral "Busy" blocks, for a work or shared calendar


def new_feed_secret(app: App) -> str:
    """Make the runner a new feed secret and return it: the only time it is shown.

    Any earlier secret stops working as this one is stored.
    """
    secret = secrets.token_urlsafe(32)
    while secret.endswith(BUSY_SUFFIX.removesuffix(FULL_SUFFIX)):
        # "<secret>.ics" would read as the busy feed of a shorter secret; about one token in
        # a billion ends so, and drawing again costs nothing.
        secret = secrets.token_urlsafe(32)
    app.store.set_feed_secret_hash(app.owner_id, hash_secret(secret))
    return secret


def revoke_feed(app: App) -> bool:
    """Turn the runner's feed off; returns whether there was one."""
    return app.store.remove_feed_secret_hash(app.owner_id)


def has_feed(app: App) -> bool:
    """Whether the runner has a feed (its URL cannot be shown again, only replaced)."""
    return app.store.feed_secret_hash(app.owner_id) is not None


def feed_urls(base_url: str, secret: str) -> FeedUrls:
    """The two subscription URLs under ``base_url`` (scheme, host and any path prefix)."""
    base = base_url.rstrip("/")
    return FeedUrls(
        full=f"{base}/feeds/{secret}{FULL_SUFFIX}",
        busy=f"{base}/feeds/{secret}{BUSY_SUFFIX}",
    )


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def feed_owner(app: App, secret: str) -> str | None:
    """The runner whose feed ``secret`` opens, or None; says nothing about why not."""
    if not _SECRET_SHAPE.fullmatch(secret):
        return None
    wanted = hash_secret(secret)
    owner = app.store.owner_for_feed_hash(wanted)
    if owner is None:
        return None
    stored = app.store.feed_secret_hash(owner)
    # Constant time, so that how long a refusal takes says nothing about the stored hash.
    if stored is None or not hmac.compare_digest(stored, wanted):
        return None
    return owner


def feed_ics(app: App, secret: str, *, busy_only: bool) -> bytes | None:
    """The feed ``secret`` opens, as iCalendar bytes; None when it opens none. Kept until
    the owner's data or day moves on.

    The owner comes from the secret, not from ``app.owner_id``: on a server with many
    runners the request carries no login, only the URL.
    """
    kept = cached_feed_ics(app, secret, busy_only=busy_only)
    if kept is not None:
        return kept
    owner = feed_owner(app, secret)
    if owner is None:
        return None
    wanted = hash_secret(secret)

    def make(made_with: App) -> bytes | None:
        # Asked again now that the data version is read: the feed is kept under that
        # version only if the secret opened it then (a revoke meanwhile moves the version).
        if feed_owner(made_with, secret) != owner:
            return None
        return _calendar(made_with, owner, busy_only=busy_only)

    data = answer(app, _kind(busy_only), (wanted,), make, owner=owner)
    if data is not None:
        _OWNERS.put((app.store.shown_url, wanted), owner)
    return data


def cached_feed_ics(app: App, secret: str, *, busy_only: bool) -> bytes | None:
    """The kept feed ``secret`` opens if nothing moved since it was made, else None (also
    for a secret that opens nothing): one query, never the plan. For a caller that must
    not wait, with ``feed_ics`` as its fallback."""
    if not _SECRET_SHAPE.fullmatch(secret):
        return None
    wanted = hash_secret(secret)
    owner = _OWNERS.get((app.store.shown_url, wanted))
    if owner is None:
        return None
    return cached_answer(app, _kind(busy_only), (wanted,), owner=owner)


def _kind(busy_only: bool) -> str:
    return BUSY_FEED if busy_only else FULL_FEED


def _calendar(app: App, owner: str, *, busy_only: bool) -> bytes:
    """The owner's saved plan, races and workouts as a feed."""
    stored = app.store.get_profile(owner)
    profile = stored if stored is not None else Profile(timezone=app.default_timezone)
    sessions = tuple(app.store.load_plan(owner))
    stamp = app.clock()
    today = stamp.date()
    plan = Plan(
        policy=profile.policy,
        start=min((s.day for s in sessions), default=today),
        end=max((s.day for s in sessions), default=today),
        sessions=sessions,
        warnings=(),
        rhythm=(),
    )
    return export_ics(
        plan,
        races=app.store.list_races(owner),
        workouts=app.store.list_workouts(owner),
        profile=profile,
        kb=app.kb,
        owner_id=owner,
        stamp=stamp,
        alarms=False,
        busy_only=busy_only,
        refresh=FEED_REFRESH,
    )
