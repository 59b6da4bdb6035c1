"""The calendar subscription over HTTP: ``/feeds/<secret>.ics`` and ``/feeds/<secret>-busy.ics``.

Calendar apps fetch these without a login or cookies, so the secret in the path is the
whole of the access check. An unknown secret gets a bare 404, the same whether no runner,
an old secret or a mistyped one is behind it, so the answer tells a guesser nothing.
Making or replacing the secret changes data and lives with the CSRF-guarded API instead
(``rubdown.services.feeds.new_feed_secret``).

The URLs handed out are built on the configured public URL (``rubdown serve --public-url``),
or else on the address and port the server's socket listens on: never on the request's
``Host`` header, which the client writes, so a forged one cannot plant a stranger's address
in the runner's calendar app.

A feed is made once for each state of the runner's data (``web.cache.feeds``); as for the
plan API, on SQLite a kept feed is served on the event loop and only a miss goes to a
worker thread.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from rubdown.services.feeds import BUSY_SUFFIX, FULL_SUFFIX, FeedUrls, feed_urls
from rubdown.services.runner import Runner
from rubdown.web.cache.feeds import cached_feed_ics, feed_ics
from rubdown.web.deps import current_app

CALENDAR_TYPE = "text/calendar; charset=utf-8"

# Private: a shared cache must never keep one runner's calendar. Five minutes spares the
# database a client that polls hard, and is still far below Google's own 8-24 hours.
_FEED_HEADERS = {
    "Cache-Control": "private, max-age=300",
    "X-Content-Type-Options": "nosniff",
}
# A refusal must not be cached: the URL may start working (or stop) at any moment.
_NOT_FOUND_HEADERS = {"Cache-Control": "no-store"}


def feed_base_url(request: Request) -> str:
    """Where calendar apps will fetch the feed: the public URL, or the listening socket."""
    public: str | None = getattr(request.app.state, "public_url", None)
    if public:
        return public
    host, port = request.scope.get("server") or ("127.0.0.1", 8765)
    if host in ("0.0.0.0", "::", ""):
        host = "127.0.0.1"
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def new_feed_urls(request: Request, secret: str) -> FeedUrls:
    return feed_urls(feed_base_url(request), secret)


def _feed_in_own_context(
    make_app: Callable[[], Runner], secret: str, busy_only: bool
) -> bytes | None:
    app = make_app()
    try:
        return feed_ics(app, secret, busy_only=busy_only)
    finally:
        app.close()


def feeds_router(make_app: Callable[[], Runner] | None = None) -> APIRouter:
    """The feed routes, on the server's shared services (``web.deps``); or, with
    ``make_app``, on a ``Runner`` it opens for each request and is closed after it."""
    router = APIRouter()

    async def serve(request: Request, secret: str, *, busy_only: bool) -> Response:
        if make_app is not None:
            data = await run_in_threadpool(_feed_in_own_context, make_app, secret, busy_only)
        else:
            app = await current_app(request)
            data = (
                cached_feed_ics(app, secret, busy_only=busy_only) if app.reads_are_local else None
            )
            if data is None:
                data = await run_in_threadpool(feed_ics, app, secret, busy_only=busy_only)
        if data is None:
            return Response(status_code=404, headers=_NOT_FOUND_HEADERS)
        return Response(content=data, media_type=CALENDAR_TYPE, headers=_FEED_HEADERS)

    # The busy route comes first: "/feeds/{secret}.ics" alone would also match "x-busy.ics".
    # HEAD too, since some calendar clients check a URL with it before subscribing.
    @router.api_route(
        "/feeds/{secret}" + BUSY_SUFFIX, methods=["GET", "HEAD"], include_in_schema=False
    )
    async def busy_feed(request: Request, secret: str) -> Response:
        return await serve(request, secret, busy_only=True)

    @router.api_route(
        "/feeds/{secret}" + FULL_SUFFIX, methods=["GET", "HEAD"], include_in_schema=False
    )
    async def full_feed(request: Request, secret: str) -> Response:
        return await serve(request, secret, busy_only=False)

    return router
