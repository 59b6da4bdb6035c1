"""The FastAPI application behind ``rubdown serve``.

``create_app`` wires the parts: a ``Runner`` per request (``web.deps``), the guard
against other hosts, requests without the access token and cross-site requests
(``web.guard``, its docstring has the design), the security headers (``web.security``), the
error shape (``web.errors``), the API documentation served from local files (``web.docs``)
and the routes, which only read input, call the services the command line calls and return
the same JSON views.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import SplitResult, urlsplit

from fastapi import Depends, FastAPI
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from rubdown import __version__
from rubdown.bootstrap import Settings
from rubdown.domain.accounts import LoggedIn
from rubdown.errors import InvalidValue
from rubdown.web import (
    docs,
    errors,
    pages,
    routes_account,
    routes_answers,
    routes_checkin,
    routes_clients,
    routes_clinic,
    routes_clinic_bookings,
    routes_clinic_feeds,
    routes_clinic_week,
    routes_consent,
    routes_feeds,
    routes_import,
    routes_my_notes,
    routes_plan,
    routes_rights,
    routes_season,
    routes_settings,
    routes_today,
    routes_training,
)
from rubdown.web.deps import lifespan, shared_services
from rubdown.web.feeds import feeds_router
from rubdown.web.fields import url_and_form
from rubdown.web.guard import CSRF_HEADER, AccessToken, Guard, allowed_hosts, new_token
from rubdown.web.pages import account_home, clinic_calendar, clinic_clients, clinic_week, sharing
from rubdown.web.pages import tent_plan as tent_plan_page
from rubdown.web.responses import ERRORS, SessionToken
from rubdown.web.security import SecurityHeaders

MAX_UPLOAD_BYTES = 512 * 1024 * 1024

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


def create_app(
    settings: Settings,
    *,
    host: str = DEFAULT_HOST,
    max_upload_bytes: int = MAX_UPLOAD_BYTES,
    csrf_token: str | None = None,
    access_token: str | None = None,
    public_url: str | None = None,
) -> FastAPI:
    """The app for one data home; ``host`` is the address served on (for the Host check).

    With ``access_token`` every request but a calendar feed's must carry it (``web.guard``).
    ``public_url`` (``https://runs.example.org``) is where others reach the server: its host
    is let through the Host check, and feed URLs are built on it (``web.feeds``).
    """
    web = FastAPI(
        # Every route's path, query and posted form are checked for text no store can keep.
        dependencies=[Depends(url_and_form)],
        title="rubdown",
        version=__version__,
        description="A massage and recovery planner for runners: the local JSON API.",
        lifespan=lifespan,
        docs_url=None,  # web.docs serves both pages from local files
        redoc_url=None,
    )
    token = csrf_token or new_token()
    public = parse_public_url(public_url) if public_url else None
    web.state.settings = settings
    web.state.csrf_token = token
    web.state.csrf_header = CSRF_HEADER
    web.state.public_url = public.geturl().rstrip("/") if public else None
    web.state.secure_cookie = public is not None and public.scheme == "https"
    errors.install(web)
    web.add_middleware(
        Guard,
        token=token,
        hosts=allowed_hosts(host, [public.hostname or ""] if public else []),
        max_upload_bytes=max_upload_bytes,
        access=AccessToken(access_token) if access_token is not None else None,
        secure_cookie=public is not None and public.scheme == "https",
        # Server mode: sessions from the database instead of the access token (web.guard).
        sessions=session_lookup(web) if settings.server else None,
    )
    # Outside the guard, so that its refusals carry the headers too.
    web.add_middleware(SecurityHeaders)

    if settings.server:
        web.include_router(routes_account.router)  # its /api/session names the user too
        # Sharing needs accounts: a runner's grants and access log, a therapist's clients.
        for module in (routes_consent, routes_clients, sharing, account_home):
            web.include_router(module.router)
        # The therapist's workspace: their clinic's API and pages.
        for module in (routes_clinic, routes_clinic_bookings, routes_clinic_week):
            web.include_router(module.router)
        # The therapist's booking feeds, and the notes a runner's therapists share with them.
        for module in (routes_clinic_feeds, routes_my_notes):
            web.include_router(module.router)
        web.include_router(routes_clinic_feeds.feed_router)
        for module in (clinic_clients, clinic_calendar, clinic_week):
            web.include_router(module.router)
    else:

        @web.get("/api/session", tags=["session"], responses=ERRORS)
        def session() -> SessionToken:
            """The token that requests changing data must carry in the header it names."""
            return {"csrf_token": token, "csrf_header": CSRF_HEADER, "version": __version__}

    web.include_router(docs.router)
    web.include_router(routes_season.router)
    web.include_router(routes_training.router)
    web.include_router(routes_answers.router)
    web.include_router(routes_import.router)
    web.include_router(routes_feeds.router)
    for module in (routes_today, routes_checkin, routes_plan, routes_settings):
        web.include_router(module.router)
    web.include_router(routes_rights.router)
    web.include_router(routes_rights.pages)
    # Calendar apps poll the feed: on the shared services, as the API (``web.deps``).
    web.include_router(feeds_router())
    for router in pages.routers():
        web.include_router(router)
    # The race-day tent's plan: a page for the tent lead, no runner data.
    web.include_router(tent_plan_page.router)

    @web.get("/", include_in_schema=False)
    def front() -> RedirectResponse:
        return RedirectResponse("/today", status_code=303)

    @web.get("/favicon.ico", include_in_schema=False)
    def favicon() -> RedirectResponse:
        # Browsers ask for this path whatever the pages' <link rel="icon"> says.
        return RedirectResponse("/static/favicon.svg", status_code=301)

    # The page scripts and styles, vendored libraries included: nothing comes from a CDN.
    web.mount("/static", StaticFiles(packages=[("rubdown.web", "static")]), name="static")
    web.mount(docs.ASSETS_PATH, docs.assets(), name="docs-assets")
    return web


def session_lookup(web: FastAPI) -> Callable[[str], LoggedIn | None]:
    """Who a session cookie belongs to, asked of the database on every request."""

    def lookup(token: str) -> LoggedIn | None:
        accounts = shared_services(web.state).accounts
        return accounts.session(token) if accounts is not None else None

    return lookup


def parse_public_url(text: str) -> SplitResult:
    """``https://runs.example.org[:port][/prefix]``: where others reach this server."""
    try:
        parts = urlsplit(text.strip())
        parts.port  # noqa: B018 -- reading it checks it: a port that is no number raises
    except ValueError:
        raise InvalidValue(f"public URL {text!r} is not a URL") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidValue(
            f"public URL {text!r}: expected http:// or https:// and a host name,"
            " e.g. https://runs.example.org"
        )
    if parts.query or parts.fragment or parts.username or parts.password:
        raise InvalidValue(f"public URL {text!r}: give scheme, host, port and path only")
    return parts
