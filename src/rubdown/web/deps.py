"""A ``Runner`` per request, around one store the whole server shares.

Opening a store builds an SQLAlchemy engine, connects and checks the schema version:
milliseconds that a request should not pay, and an engine per request also means no
connection is ever reused. So the server opens one ``SharedServices`` (store, knowledge base,
solver, clock) on its first request and hands each request a cheap ``Runner`` around it. The
engine's pool gives each thread its own connection for the length of a query: on SQLite
(WAL) readers and the writer do not block each other, and writers queue on SQLite's lock
with a busy timeout; on PostgreSQL the pool keeps a few connections open.

The dependency is ``async``: making a ``Runner`` does no I/O once the services are open, so it
runs on the event loop instead of taking a worker thread for it. Opening (the first request,
or the first after opening failed) runs in a worker thread, so an unreachable database never
stalls the loop. ``lifespan`` closes the store when the server stops and bounds the worker
threads (``WORKER_THREADS``).

In server mode the ``Runner`` is the logged-in user's: the guard (``web.guard``) found the
session and put it on ``request.state.logged_in``, and a runner user's id is the owner id of
their data. A therapist or an admin owns no runner data, so the runner routes answer them
404, as they answer anyone for data that is not theirs: an admin manages accounts
(``/api/admin/users``) and sees no runner's season. (Consent to see another runner's data
is granted per therapist and read through its own routes, never through this one.)
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

import anyio.to_thread
from fastapi import Depends, FastAPI, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import State

from rubdown.bootstrap import Settings, SharedServices
from rubdown.domain.accounts import LoggedIn
from rubdown.errors import NotFound, NotLoggedIn
from rubdown.services.runner import Runner
from rubdown.web.guard import FEED_PREFIX

# Sync routes run in anyio's worker threads (40 by default). Under load, dozens of threads
# take turns at the GIL and every request gets slower; with a few, the requests beyond them
# wait their turn in order. Measured with bench/web.py at 50 clients: a trivial sync route's
# p99 was 40 ms with 4 threads and 83 ms with 40; 1 thread was worse than either (180 ms).
WORKER_THREADS = 4

_OPENING = threading.Lock()


def shared_services(state: State) -> SharedServices:
    """The server's shared services, opened on first use from the settings ``create_app``
    stored. A failure to open is raised to the request and tried again by the next one."""
    services: SharedServices | None = getattr(state, "services", None)
    if services is not None:
        return services
    with _OPENING:
        services = getattr(state, "services", None)
        if services is None:
            settings: Settings = state.settings
            services = SharedServices(settings)
            state.services = services
        return services


def close_shared_services(state: State) -> None:
    with _OPENING:
        services: SharedServices | None = getattr(state, "services", None)
        state.services = None
    if services is not None:
        services.close()


@asynccontextmanager
async def lifespan(web: FastAPI) -> AsyncIterator[None]:
    anyio.to_thread.current_default_thread_limiter().total_tokens = WORKER_THREADS
    try:
        yield
    finally:
        close_shared_services(web.state)


async def current_app(request: Request) -> Runner:
    state = request.app.state
    services: SharedServices | None = getattr(state, "services", None)
    if services is None:
        services = await run_in_threadpool(shared_services, state)
    if not services.settings.server:
        return services.app()
    if request.url.path.startswith(FEED_PREFIX):
        # A feed request carries no login: its secret names the owner (``web.cache.feeds``),
        # and the runner it is served through is the settings' placeholder, which no
        # account can be (account ids are random).
        return services.app()
    owner = logged_in(request).user.runner_id
    if owner is None:
        raise NotFound("this account has no runner data of its own")
    return services.app(owner)


def logged_in(request: Request) -> LoggedIn:
    """Server mode: who the guard let in (never None there; raised as 401 if it were)."""
    found: LoggedIn | None = getattr(request.state, "logged_in", None)
    if found is None:
        raise NotLoggedIn("log in first")
    return found


AppDep = Annotated[Runner, Depends(current_app)]
LoggedInDep = Annotated[LoggedIn, Depends(logged_in)]
