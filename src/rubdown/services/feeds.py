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

How long a feed's bytes are kept is the web's business (``web.cache.feeds``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets

from typing_extensions import TypedDict

from rubdown.calendar import export_ics
from rubdown.domain.model import Profile
from rubdown.domain.plan import Plan
from rubdown.services.runner import Runner

FULL_SUFFIX = ".ics"
BUSY_SUFFIX = "-busy.ics"

# What clients are told to poll at; Google ignores it and fetches every 8-24 hours anyway.
FEED_REFRESH = dt.timedelta(hours=1)

# token_urlsafe(32) gives 43 characters of this alphabet; anything else cannot be a secret,
# and is turned away before it is hashed or reaches the database.
_SECRET_SHAPE = re.compile(r"[A-Za-z0-9_-]{32,128}")


class FeedUrls(TypedDict):
    full: str  # everything: sessions with their reasons, races, rest days
    busy: str  # neutral "Busy" blocks, for a work or shared calendar


def new_feed_secret(app: Runner) -> str:
    """Make the runner a new feed secret and return it: the only time it is shown.

    Any earlier secret stops working as this one is stored.
    """
    secret = secrets.token_urlsafe(32)
    while secret.endswith(BUSY_SUFFIX.removesuffix(FULL_SUFFIX)):
        # "<secret>.ics" would read as the busy feed of a shorter secret; about one token in
        # a billion ends so, and drawing again costs nothing.
        secret = secrets.token_urlsafe(32)
    app.data.set_feed_secret_hash(hash_secret(secret))
    return secret


def revoke_feed(app: Runner) -> bool:
    """Turn the runner's feed off; returns whether there was one."""
    return app.data.remove_feed_secret_hash()


def has_feed(app: Runner) -> bool:
    """Whether the runner has a feed (its URL cannot be shown again, only replaced)."""
    return app.data.feed_secret_hash() is not None


def feed_urls(base_url: str, secret: str) -> FeedUrls:
    """The two subscription URLs under ``base_url`` (scheme, host and any path prefix)."""
    base = base_url.rstrip("/")
    return FeedUrls(
        full=f"{base}/feeds/{secret}{FULL_SUFFIX}",
        busy=f"{base}/feeds/{secret}{BUSY_SUFFIX}",
    )


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def secret_shaped(secret: str) -> bool:
    """Whether ``secret`` could be a feed secret at all (checked before any hashing)."""
    return _SECRET_SHAPE.fullmatch(secret) is not None


def feed_owner(app: Runner, secret: str) -> str | None:
    """The runner whose feed ``secret`` opens, or None; says nothing about why not."""
    if not secret_shaped(secret):
        return None
    wanted = hash_secret(secret)
    owner = app.store.owner_for_feed_hash(wanted)
    if owner is None:
        return None
    stored = app.store.for_owner(owner).feed_secret_hash()
    # Constant time, so that how long a refusal takes says nothing about the stored hash.
    if stored is None or not hmac.compare_digest(stored, wanted):
        return None
    return owner


def feed_calendar(app: Runner, owner: str, *, busy_only: bool) -> bytes:
    """The owner's saved plan, races and workouts as a feed."""
    theirs = app.store.for_owner(owner)
    stored = theirs.get_profile()
    profile = stored if stored is not None else Profile(timezone=app.default_timezone)
    sessions = tuple(theirs.load_plan())
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
        races=theirs.list_races(),
        workouts=theirs.list_workouts(),
        profile=profile,
        kb=app.kb,
        owner_id=owner,
        stamp=stamp,
        alarms=False,
        busy_only=busy_only,
        refresh=FEED_REFRESH,
        bookings=theirs.list_bookings(),
    )
