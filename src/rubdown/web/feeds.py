"""The calendar subscription over HTTP: ``/feeds/<secret>.ics`` and ``/feeds/<secret>-busy.ics``.

Calendar apps fetch these without a login or cookies, so the secret in the path is the
whole of the access check. An unknown secret gets a bare 404, the same whether no runner,
an old secret or a mistyped one is behind it, so the answer tells a guesser nothing.
Making or replacing the secret changes data and lives with the CSRF-guarded API instead
(``rubdown.services.feeds.new_feed_secret``).
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Response

from rubdown.services.context import App
from rubdown.services.feeds import BUSY_SUFFIX, FULL_SUFFIX, feed_ics

CALENDAR_TYPE = "text/calendar; charset=utf-8"

# Private: a shared cache must never keep one runner's calendar. Five minutes spares the
# database a client that polls hard, and is still far below Google's own 8-24 hours.
_FEED_HEADERS = {
    "Cache-Control": "private, max-age=300",
    "X-Content-Type-Options": "nosniff",
}
# A refusal must not be cached: the URL may start working (or stop) at any moment.
_NOT_FOUND_HEADERS = {"Cache-Control": "no-store"}


def feeds_router(make_app: Callable[[], App]) -> APIRouter:
    """The feed routes; ``make_app`` opens a services context, closed after each request."""
    router = APIRouter()

    def serve(secret: str, *, busy_only: bool) -> Response:
        app = make_app()
        try:
            data = feed_ics(app, secret, busy_only=busy_only)
        finally:
            app.close()
        if data is None:
            return Response(status_code=404, headers=_NOT_FOUND_HEADERS)
        return Response(content=data, media_type=CALENDAR_TYPE, headers=_FEED_HEADERS)

    # The busy route comes first: "/feeds/{secret}.ics" alone would also match "x-busy.ics".
    # HEAD too, since some calendar clients check a URL with it before subscribing.
    @router.api_route(
        "/feeds/{secret}" + BUSY_SUFFIX, methods=["GET", "HEAD"], include_in_schema=False
    )
    def busy_feed(secret: str) -> Response:
        return serve(secret, busy_only=True)

    @router.api_route(
        "/feeds/{secret}" + FULL_SUFFIX, methods=["GET", "HEAD"], include_in_schema=False
    )
    def full_feed(secret: str) -> Response:
        return serve(secret, busy_only=False)

    return router
