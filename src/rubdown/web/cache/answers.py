"""Answers made once for each state of a runner's data: the Today page, ``/api/today``, feeds.

What these answers show is a function of the runner's rows, of the runner's "today" and of
the request's own parameters; the process's knowledge base and settings do not change while
it runs. Every committed write of a runner's rows moves the runner's data version on, in the
write's own transaction (``Store.version_stamp``), whichever process or ``Store`` makes it.
So an answer's encoded bytes are kept under an ``AnswerKey`` of (kind, database, runner,
data version, profile time zone, today, parameters): one query tells whether a kept answer
is still the answer, and a change of any of them makes a new key. Nothing is ever told to
forget; a stale entry is only unreachable, and the LRU drops it in time.

An answer is kept only when the key read again after making it is the key read before: a
write that landed meanwhile may or may not be in what was read, so that answer is served to
its own request (as it would have been without a cache) but never to another.

A miss is made with ``Runner.snapshot()``, which reads each thing once for the answer: the
Today page asked for the profile seven times (each "today", the conditions, the banner).

The plan cache (``web.cache.plan``) is the first user of this approach and shares the LRU.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, Generic, NamedTuple, TypeVar, overload

from rubdown.services.runner import Runner

MAX_ENTRIES = 256
MAX_BYTES = 32 * 1024 * 1024  # a Today page is about 21 KiB, a season's feed about 15 KiB

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def encode_json(value: Any) -> bytes:
    """``value`` as FastAPI's ``JSONResponse`` encodes it."""
    return json.dumps(
        value, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")
    ).encode("utf-8")


class LRU(Generic[K, V]):
    """A thread-safe least-recently-used map, bounded in entries and in total weight (the
    bytes of an encoded answer); an entry heavier than the whole bound is not kept."""

    def __init__(
        self,
        max_entries: int,
        max_weight: int | None = None,
        weigh: Callable[[V], int] = lambda _value: 0,
    ) -> None:
        self.max_entries = max_entries
        self.max_weight = max_weight
        self._weigh = weigh
        self._entries: OrderedDict[K, V] = OrderedDict()
        self._weight = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: K) -> V | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                self.hits += 1
            return found

    def put(self, key: K, value: V) -> None:
        weight = self._weigh(value)
        if self.max_weight is not None and weight > self.max_weight:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._weight -= self._weigh(old)
            self._entries[key] = value
            self._weight += weight
            while len(self._entries) > self.max_entries or (
                self.max_weight is not None and self._weight > self.max_weight
            ):
                _key, dropped = self._entries.popitem(last=False)
                self._weight -= self._weigh(dropped)

    def forget(self, matches: Callable[[K], bool]) -> None:
        """Drop every entry whose key ``matches``."""
        with self._lock:
            for key in [k for k in self._entries if matches(k)]:
                self._weight -= self._weigh(self._entries.pop(key))

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._weight = 0
            self.hits = self.misses = 0

    @property
    def weight(self) -> int:
        with self._lock:
            return self._weight

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)


class AnswerKey(NamedTuple):
    """What an answer is the answer to."""

    kind: str  # which answer: "today-page", "today-api", "feed-full", ...
    database: str
    owner: str
    data_version: int
    timezone: str  # the profile's, or the machine's while there is no profile
    today: dt.date
    params: tuple[Hashable, ...]  # the request's own, as the route parsed them


class _Making:
    """The lock of one key being made, and how many requests hold or wait for it."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.users = 0


class ResponseCache(LRU[AnswerKey, bytes]):
    """Encoded answers. Requests that miss on the same key together wait for one of them to
    make it (after a write, fifty clients would otherwise each make the same page); different
    keys are made side by side."""

    def __init__(self, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES) -> None:
        super().__init__(max_entries, max_bytes, len)
        self._making: dict[AnswerKey, _Making] = {}
        self._making_lock = threading.Lock()

    def get_or_make(
        self, key: AnswerKey, make: Callable[[], bytes | None], still: Callable[[], AnswerKey]
    ) -> bytes | None:
        """The answer under ``key``, or the one ``make`` makes, kept when it is not None and
        ``still()`` (the key as it is once made) is ``key``."""
        found = self.get(key)
        if found is not None:
            return found
        with self._making_lock:
            making = self._making.setdefault(key, _Making())
            making.users += 1
        try:
            with making.lock:
                found = self.get(key)  # made by another request while this one waited
                if found is not None:
                    return found
                with self._lock:
                    self.misses += 1
                made = make()
                if made is not None and still() == key:
                    self.put(key, made)
                return made
        finally:
            with self._making_lock:
                making.users -= 1
                if making.users == 0:
                    del self._making[key]


CACHE = ResponseCache()


def answer_key(
    app: Runner, kind: str, params: tuple[Hashable, ...], owner: str | None = None
) -> AnswerKey:
    """The key of the answer ``kind`` to ``params`` for ``owner`` (default: the context's
    runner) as it would be made now: one query."""
    runner = owner if owner is not None else app.owner_id
    data = app.data if runner == app.owner_id else app.store.for_owner(runner)
    stamp = data.version_stamp()
    timezone = stamp.timezone or app.default_timezone  # as ``Runner.profile`` falls back
    return AnswerKey(
        kind,
        app.store.shown_url,
        runner,
        stamp.data_version,
        timezone,
        app.date_in(timezone),
        params,
    )


def cached_answer(
    app: Runner, kind: str, params: tuple[Hashable, ...], owner: str | None = None
) -> bytes | None:
    """The kept answer if the runner's data and day have not moved since it was made, else
    None: one query and a dictionary lookup. For a caller that must not wait (the web app's
    event loop), with ``answer`` as its fallback."""
    return CACHE.get(answer_key(app, kind, params, owner))


@overload
def answer(
    app: Runner,
    kind: str,
    params: tuple[Hashable, ...],
    make: Callable[[Runner], bytes],
    owner: str | None = None,
) -> bytes: ...


@overload
def answer(
    app: Runner,
    kind: str,
    params: tuple[Hashable, ...],
    make: Callable[[Runner], bytes | None],
    owner: str | None = None,
) -> bytes | None: ...


def answer(
    app: Runner,
    kind: str,
    params: tuple[Hashable, ...],
    make: Callable[[Runner], bytes | None],
    owner: str | None = None,
) -> bytes | None:
    """The answer ``kind`` to ``params``: kept, or made by ``make`` (given a snapshot of the
    runner, which reads each thing once) and kept. ``make`` returns None for "no answer" (an
    unknown feed), which is never kept; an exception it raises is raised here and nothing is
    kept."""
    key = answer_key(app, kind, params, owner)
    return CACHE.get_or_make(
        key,
        lambda: make(app.snapshot()),
        lambda: answer_key(app, kind, params, owner),
    )
