"""The plan as ``GET /api/plan`` shows it, made once for each state of its inputs.

Making a season plan costs tens of milliseconds of CPU (rules engine, CP-SAT), too much to
repeat on every read. A plan is a function of: the season (races, workouts, the kinds of
imported activities, logged sessions, check-ins), the open injury episodes, the profile, the
range asked for, the runner's "today" and the stored plan (which keeps sessions in place and
numbers their calendar versions). Each read lists those inputs from the store and hashes
them into a fingerprint; the last plan views are kept in a small process-wide LRU keyed by
(database, runner, fingerprint), so a read with unchanged inputs reuses the view and any
change, by the API, the command line or another process, makes a new key. Nothing needs to
be told to forget: a stale entry is only ever unreachable, and the LRU drops it in time.

Listing the inputs costs a few queries per read, far less than planning; how much is
measured by ``bench/web.py``. The knowledge base is the process's own (loaded once), so it
is not part of the key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import pickle
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rubdown.services import views
from rubdown.services.context import App
from rubdown.services.planning import make_plan

MAX_ENTRIES = 64

CacheKey = tuple[str, str, str]  # (database, owner, fingerprint)


@dataclass(frozen=True)
class PlanDocument:
    """A plan view and its JSON, encoded once: the body without its closing brace, so a
    caller can add per-request keys after it without encoding the plan again."""

    view: dict[str, Any]
    json_head: bytes

    def with_extra(self, **extra: Any) -> bytes:
        tail = b"".join(
            b"," + json.dumps(key).encode() + b":" + _encode(value) for key, value in extra.items()
        )
        return self.json_head + tail + b"}"


def _encode(value: Any) -> bytes:
    # The same encoding as FastAPI's JSONResponse.
    return json.dumps(
        value, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")
    ).encode("utf-8")


def document(view: dict[str, Any]) -> PlanDocument:
    body = _encode(view)
    return PlanDocument(view, body[:-1])


class PlanCache:
    """A thread-safe LRU of plan documents; one plan is made at a time, so many readers
    arriving together with the same new inputs wait for one plan instead of each making it."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[CacheKey, PlanDocument] = OrderedDict()
        self._lock = threading.Lock()  # guards _entries
        self._making = threading.Lock()  # one plan at a time
        self.hits = 0
        self.misses = 0

    def get(self, key: CacheKey) -> PlanDocument | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                self.hits += 1
            return found

    def get_or_make(
        self, key: CacheKey, make: Callable[[], tuple[PlanDocument, bool]]
    ) -> PlanDocument:
        """The document under ``key``, or the one ``make`` makes (kept if it says so)."""
        found = self.get(key)
        if found is not None:
            return found
        with self._making:
            found = self.get(key)  # made by another reader while this one waited
            if found is not None:
                return found
            self.misses += 1
            made, keep = make()
            if keep:
                self.put(key, made)
            return made

    def make_alone(self, make: Callable[[], PlanDocument]) -> PlanDocument:
        """Run ``make`` while no other plan is being made."""
        with self._making:
            return make()

    def put(self, key: CacheKey, doc: PlanDocument) -> None:
        with self._lock:
            self._entries[key] = doc
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def forget_owner(self, database: str, owner: str) -> None:
        with self._lock:
            for key in [k for k in self._entries if k[:2] == (database, owner)]:
                del self._entries[key]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.hits = self.misses = 0

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)


CACHE = PlanCache()


def plan_fingerprint(app: App, start: dt.date | None, end: dt.date | None) -> str:
    """A hash of everything the plan of ``start``-``end`` is made from, read now."""
    owner, store = app.owner_id, app.store
    inputs = (
        start,
        end,
        app.today(),
        app.profile(),
        store.list_races(owner),
        store.list_workouts(owner),
        store.activity_days(owner),
        store.list_sessions(owner),
        store.list_checkins(owner),
        store.list_injuries(owner),
        store.load_plan(owner),
    )
    # Pickling writes out every field's value, a little faster than repr does. Two
    # equal inputs could only come out differently through a set's order or shared objects,
    # which costs a miss, never a wrong plan.
    return hashlib.blake2b(pickle.dumps(inputs, protocol=5), digest_size=20).hexdigest()


def _key(app: App, fingerprint: str) -> CacheKey:
    return (app.store.shown_url, app.owner_id, fingerprint)


def _make(app: App, start: dt.date | None, end: dt.date | None, *, save: bool) -> PlanDocument:
    return document(views.plan_view(make_plan(app, start, end, save=save), app.kb))


def plan_document(app: App, start: dt.date | None, end: dt.date | None) -> PlanDocument:
    """The plan view as it would be made now, not saved: from the cache when its inputs have
    not changed since it was made."""
    fingerprint = plan_fingerprint(app, start, end)

    def make() -> tuple[PlanDocument, bool]:
        made = _make(app, start, end, save=False)
        # Kept only if nothing changed while it was made: it must be the plan of these inputs.
        return made, plan_fingerprint(app, start, end) == fingerprint

    return CACHE.get_or_make(_key(app, fingerprint), make)


def replan(app: App, start: dt.date | None, end: dt.date | None) -> PlanDocument:
    """Make the plan and save it; the runner's cached views are dropped and the view a read
    would now get is made again, so the next read finds it.

    The view is made again rather than taken from the saved plan: a read plans with the saved
    plan as the one before it (sessions prefer to stay put), and only planning tells whether
    that gives the same plan.
    """
    saved = CACHE.make_alone(lambda: _make(app, start, end, save=True))
    CACHE.forget_owner(app.store.shown_url, app.owner_id)
    plan_document(app, start, end)
    return saved
