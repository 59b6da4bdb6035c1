"""The plan as ``GET /api/plan`` shows it, made once for each state of the runner's data.

Making a season plan costs tens of milliseconds of CPU (rules engine, CP-SAT), too much to
repeat on every read. A plan is a function of the runner's data (the season: races, workouts,
the kinds of imported activities, logged sessions, check-ins; the open injury episodes, the
profile, the therapist's weekly hours and the stored plan, which keeps sessions in place and
numbers their calendar versions), of the range asked for and of the runner's "today". The
load values shown beside it (``estimated_load_values``) come from the same data.

Every write of a runner's rows moves the runner's data version on, in the write's own
transaction (``Store.version_stamp``; the store does it for every write, so no write path
can forget). A read asks the database for that version and the profile's time zone in one
query, and the last plan documents are kept in a small process-wide LRU keyed by
(database, runner, data version, time zone, today, range): a read with nothing changed
reuses the document, already encoded as JSON, and any change, by the API, the command line
or another process, makes a new key. Nothing needs to be told to forget: a stale entry is
only ever unreachable, and the LRU drops it in time. The knowledge base and the solver are
the process's own (loaded once), so they are not part of the key. (``web.cache.answers`` keeps
other answers, the Today page and the feeds, the same way.)

A write that changes nothing the plan reads (a routine log, a feed secret) also moves the
version on and costs one plan: a miss, never a wrong plan.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

from rubdown.services import views
from rubdown.services.alerts import alerts_view, standing_alerts
from rubdown.services.loads import estimated_values
from rubdown.services.planning import make_plan
from rubdown.services.runner import Runner
from rubdown.web.cache.answers import LRU, encode_json

MAX_ENTRIES = 64


class CacheKey(NamedTuple):
    """What a plan document is the plan of."""

    database: str
    owner: str
    data_version: int
    timezone: str  # the profile's, or the machine's while there is no profile
    today: dt.date
    start: dt.date | None
    end: dt.date | None


@dataclass(frozen=True)
class PlanDocument:
    """A plan view and the response body, encoded once when the plan is made: ``body`` is
    the view's JSON with the extra keys it was made with (the load values) after it."""

    view: dict[str, Any]
    body: bytes


def document(view: dict[str, Any], **extra: Any) -> PlanDocument:
    """The document of ``view``; its body has the ``extra`` keys after the view's own."""
    return PlanDocument(view, encode_json({**view, **extra}))


class PlanCache(LRU[CacheKey, PlanDocument]):
    """A thread-safe LRU of plan documents; one plan is made at a time, so many readers
    arriving together with the same new inputs wait for one plan instead of each making it
    (and CP-SAT runs are not made to share the two cores)."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        super().__init__(max_entries)
        self._making = threading.Lock()  # one plan at a time

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

    def forget_owner(self, database: str, owner: str) -> None:
        self.forget(lambda key: (key.database, key.owner) == (database, owner))


CACHE = PlanCache()


def plan_key(app: Runner, start: dt.date | None, end: dt.date | None) -> CacheKey:
    """What the plan of ``start``-``end`` would be made from now: one query."""
    stamp = app.data.version_stamp()
    timezone = stamp.timezone or app.default_timezone  # as ``Runner.profile`` falls back
    return CacheKey(
        app.store.shown_url,
        app.owner_id,
        stamp.data_version,
        timezone,
        app.date_in(timezone),
        start,
        end,
    )


def _make(app: Runner, start: dt.date | None, end: dt.date | None, *, save: bool) -> PlanDocument:
    # Red flags and warning signs first (services.alerts); check-ins move the data version,
    # so a kept document never carries alerts that no longer stand.
    alerts = alerts_view(standing_alerts(app, start))
    view = {"alerts": alerts, **views.plan_view(make_plan(app, start, end, save=save), app.kb)}
    return document(view, estimated_load_values=estimated_values(app))


def cached_plan_document(
    app: Runner, start: dt.date | None, end: dt.date | None
) -> PlanDocument | None:
    """The plan document from the cache if the runner's data has not changed since it was
    made, else None: one query and a dictionary lookup, never the planner. For a caller that
    must not wait (the web app's event loop), with ``plan_document`` as its fallback."""
    return CACHE.get(plan_key(app, start, end))


def plan_document(app: Runner, start: dt.date | None, end: dt.date | None) -> PlanDocument:
    """The plan view as it would be made now, not saved: from the cache when the runner's
    data has not changed since it was made."""
    key = plan_key(app, start, end)

    def make() -> tuple[PlanDocument, bool]:
        made = _make(app.snapshot(), start, end, save=False)
        # Kept only if nothing was written while it was made: it must be the plan of ``key``.
        return made, plan_key(app, start, end) == key

    return CACHE.get_or_make(key, make)


def replan(app: Runner, start: dt.date | None, end: dt.date | None) -> PlanDocument:
    """Make the plan and save it; the runner's cached views are dropped and the view a read
    would now get is made again, so the next read finds it.

    The view is made again rather than taken from the saved plan: a read plans with the saved
    plan as the one before it (sessions prefer to stay put), and only planning tells whether
    that gives the same plan.
    """
    saved = CACHE.make_alone(lambda: _make(app.snapshot(), start, end, save=True))
    CACHE.forget_owner(app.store.shown_url, app.owner_id)
    plan_document(app, start, end)
    return saved
