"""The tent's web app: the desk, each table, the board and the lead on the tent's own network.

No internet is needed: every page, script and style is served from this package. The main
app's posture holds here too (``web.guard``, ``web.security``):

- **Host.** Only this server's names and the address a connection came in on (DNS rebinding).
- **Who.** Every ``/api`` call but joining needs a device: the HttpOnly, SameSite=Strict cookie
  joining sets, or ``Authorization: Bearer <token>`` for a program. A device's token is kept
  only as its SHA-256 in the day file, so a restart keeps devices joined.
- **Changes.** A request that changes something is refused when the browser says it is
  cross-site, and a cookie device must send its CSRF token (``X-Tent-CSRF``, from
  ``/api/me``). Every action carries an ``Idempotency-Key``: the same key twice is one action.
- **Script.** A strict CSP with no inline script; bodies are limited to 64 KiB.

Errors have the API's shape ``{"error": {"code", "message"}}``: bad input 422, a refused
action 409, no device 401, a role's limit 403, someone else's runner or an unknown bib 404.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from typing import Any, NoReturn

from fastapi import Body, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.responses import StreamingResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rubdown.domain.tent.day import Device
from rubdown.domain.tent.triage import SIGNS
from rubdown.errors import (
    InvalidValue,
    NotLoggedIn,
    RoleRefused,
    RubdownError,
    StoreError,
    TentRefused,
)
from rubdown.services.tent_day import TentDay
from rubdown.tentday.api_models import (
    ACTION_ERRORS,
    ERRORS,
    JOIN_ERRORS,
    NOT_FOUND,
    ActionAnswer,
    BoardAnswer,
    DeviceAnswer,
    JoinAnswer,
    LookupAnswer,
    QueueAnswer,
    SnapshotAnswer,
    TableAnswer,
    TriageAnswer,
)
from rubdown.tentday.board import BoardFeed
from rubdown.web.errors import error_response, http_error, status_for, validation_error
from rubdown.web.guard import SAFE_METHODS, SAME_SITE_FETCHES, HostPolicy, allowed_hosts
from rubdown.web.security import SecurityHeaders

COOKIE = "rubdown_tent"
CSRF_HEADER = "X-Tent-CSRF"
MAX_BODY_BYTES = 64 * 1024
COOKIE_SECONDS = 24 * 3600  # a race day
PAGES = {"desk": "desk.html", "table": "table.html", "board": "board.html", "lead": "lead.html"}
# The pages a role may open: the lead opens them all (to stand in at a desk or a table).
ROLE_PAGES = {
    "desk": {"desk"},
    "table": {"table"},
    "board": {"board"},
    "lead": {"desk", "table", "board", "lead"},
}


def create_tent_app(day: TentDay, *, host: str = "127.0.0.1") -> ASGIApp:
    feed = BoardFeed(day)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        feed.start(asyncio.get_running_loop())
        try:
            yield
        finally:
            feed.close()

    app = FastAPI(
        title="rubdown tent",
        docs_url=None,
        redoc_url=None,
        # The API is for the tent's own pages and the bench; its description is served for
        # programs and for the schema test (tests/integration/test_tent_api_schema.py).
        openapi_url="/openapi.json",
        lifespan=lifespan,
    )
    app.add_exception_handler(RubdownError, _rubdown_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(HTTPException, http_error)
    app.mount("/static", StaticFiles(packages=[("rubdown.tentday", "static")]), name="static")

    def device_of(request: Request) -> tuple[Device, bool]:
        """The calling device, and whether it came by cookie (a browser, so CSRF applies)."""
        bearer = _bearer(request.headers)
        token = bearer or request.cookies.get(COOKIE)
        device = day.device(token)
        if device is None:
            raise NotLoggedIn("this device has not joined the tent: open / and give a PIN")
        return device, bearer is None

    def changing(request: Request) -> Device:
        device, by_cookie = device_of(request)
        if by_cookie and request.headers.get(CSRF_HEADER, "") != device.csrf:
            raise NotLoggedIn(f"a change needs the {CSRF_HEADER} header from GET /api/me")
        return device

    def reading(request: Request, *roles: str) -> Device:
        device, _ = device_of(request)
        if roles and device.role not in roles:
            raise RoleRefused(f"a {device.role} device does not see this")
        return device

    # -- pages ----------------------------------------------------------------------------

    @app.get("/", include_in_schema=False)
    def join_page(request: Request) -> Response:
        device = day.device(request.cookies.get(COOKIE))
        if device is not None:
            return RedirectResponse(f"/{device.role}", status_code=303)
        return _page("join.html")

    @app.get("/join/{code}", include_in_schema=False)
    def join_link(code: str) -> Response:
        token, device = day.join_with_link(code)
        # A page, not a redirect: the next request then starts on this site, and the
        # SameSite=Strict cookie goes with it even when the link came from elsewhere.
        response = HTMLResponse(
            '<!doctype html><html lang="en"><head><meta charset="utf-8">'
            f'<meta http-equiv="refresh" content="0; url=/{device.role}">'
            "<title>rubdown tent</title></head>"
            f'<body><p>Joined as {device.role}. <a href="/{device.role}">Go on</a>.</p>'
            "</body></html>",
            headers={"Cache-Control": "no-store"},
        )
        _set_cookie(response, token)
        return response

    for role, file in PAGES.items():

        def page(request: Request, role: str = role, file: str = file) -> Response:
            device = day.device(request.cookies.get(COOKIE))
            if device is None:
                return RedirectResponse("/", status_code=303)
            if role not in ROLE_PAGES[device.role]:
                return RedirectResponse(f"/{device.role}", status_code=303)
            return _page(file)

        app.add_api_route(f"/{role}", page, methods=["GET"], include_in_schema=False)

    # -- joining and who am I -------------------------------------------------------------

    @app.post("/api/join", response_model=JoinAnswer, responses=JOIN_ERRORS)
    def join(request: Request, body: dict[str, Any] = Body(...)) -> JSONResponse:  # noqa: B008
        pin = body.get("pin")
        table = body.get("table")
        if not isinstance(pin, str) or (table is not None and not isinstance(table, int)):
            raise_invalid("join with {'pin': '123456'} and, for a table, {'table': 3}")
        address = request.client.host if request.client else ""
        token, device = day.join_with_pin(pin.strip(), table, address)
        # A page's script never sees the token (the cookie is HttpOnly); a program that
        # asks for it uses it as a Bearer token.
        shown = {"token": token} if body.get("want_token") is True else {}
        response = JSONResponse({**_device_view(device), **shown})
        _set_cookie(response, token)
        return response

    @app.get("/api/me", response_model=DeviceAnswer, responses=ERRORS)
    def me(request: Request) -> dict[str, Any]:
        device, _ = device_of(request)
        return _device_view(device)

    @app.get("/api/triage", response_model=TriageAnswer, responses=ERRORS)
    def questions(request: Request) -> dict[str, Any]:
        reading(request)
        return {"signs": [{"key": s.key, "question": s.question, "rule": s.rule_id} for s in SIGNS]}

    # -- reading --------------------------------------------------------------------------

    @app.get("/api/board", response_model=BoardAnswer, responses=ERRORS)
    def board(request: Request) -> dict[str, Any]:
        reading(request)
        return day.board()

    @app.get(
        "/api/board/events",
        response_class=StreamingResponse,
        responses={
            **ERRORS,
            200: {
                "description": "Server-sent events: each `board` event's data is a board",
                "content": {"text/event-stream": {"schema": {"type": "string"}}},
            },
        },
    )
    def board_events(request: Request) -> StreamingResponse:
        reading(request)
        return StreamingResponse(
            feed.stream(),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )

    @app.get("/api/table", response_model=TableAnswer, responses=ERRORS)
    def table(request: Request, number: int | None = None) -> dict[str, Any]:
        device = reading(request, "table", "lead")
        return day.table(device, number)

    @app.get("/api/entries/{bib}", response_model=LookupAnswer, responses=ERRORS | NOT_FOUND)
    def lookup(request: Request, bib: str) -> dict[str, Any]:
        reading(request, "desk", "lead")
        return day.lookup(bib)

    @app.get("/api/queue", response_model=QueueAnswer, responses=ERRORS)
    def queue(request: Request) -> dict[str, Any]:
        reading(request, "lead")
        return day.queue_list()

    @app.get("/api/snapshot", response_model=SnapshotAnswer, responses=ERRORS)
    def snapshot(request: Request) -> dict[str, Any]:
        reading(request, "lead")
        return day.snapshot()

    # -- acting ---------------------------------------------------------------------------

    @app.post(
        "/api/actions/{kind}",
        response_model=ActionAnswer,
        responses=ACTION_ERRORS,
        openapi_extra={
            "parameters": [
                {
                    "name": "Idempotency-Key",
                    "in": "header",
                    "required": True,
                    "schema": {"type": "string", "pattern": "^[A-Za-z0-9_-]{8,100}$"},
                }
            ],
            "requestBody": {
                "required": False,
                "content": {"application/json": {"schema": {"type": "object"}}},
            },
        },
    )
    async def act(request: Request, kind: str) -> JSONResponse:
        device = changing(request)
        try:
            body = json.loads(await request.body() or b"{}")
        except ValueError:
            raise InvalidValue("the body is not JSON") from None
        if not isinstance(body, dict):
            raise_invalid("the body is a JSON object")
        key = request.headers.get("idempotency-key", "")
        began = time.perf_counter()
        # In a worker thread: the action waits for its group commit's fsync (TentDay.act),
        # and the other requests go on meanwhile, gathering the next group.
        acted = await run_in_threadpool(day.act, device, kind, body, key)
        # How long the server held the action (queued for the lock, applied, on disk): the
        # bench sets it beside what the client saw.
        headers = {"Server-Timing": f"act;dur={(time.perf_counter() - began) * 1000:.2f}"}
        if acted.replayed:
            headers["Idempotent-Replayed"] = "true"
        return JSONResponse(
            {"seq": acted.seq, "replayed": acted.replayed, **acted.result}, headers=headers
        )

    return SecurityHeaders(TentGuard(app, allowed_hosts(host)))


def raise_invalid(message: str) -> NoReturn:
    raise InvalidValue(message)


async def _rubdown_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RubdownError)
    if isinstance(error, TentRefused):
        status = 409
    elif isinstance(error, StoreError):
        status = 503  # the disk failed: the device retries with the same key
    else:
        status = status_for(error)
    return error_response(status, error.code, str(error))


def _page(file: str) -> HTMLResponse:
    html = resources.files("rubdown.tentday").joinpath("static", file).read_text("utf-8")
    return HTMLResponse(html, headers={"Cache-Control": "no-store"})


def _set_cookie(response: Response, token: str) -> None:
    response.set_cookie(
        COOKIE, token, max_age=COOKIE_SECONDS, path="/", httponly=True, samesite="strict"
    )


def _device_view(device: Device) -> dict[str, Any]:
    return {"role": device.role, "table": device.table, "csrf": device.csrf, "device": device.id}


def _bearer(headers: Headers) -> str | None:
    scheme, _, value = headers.get("authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


class TentGuard:
    """Host check, cross-site refusal for changes, and the body limit, before any route."""

    def __init__(self, app: ASGIApp, hosts: HostPolicy) -> None:
        self.app = app
        self.hosts = hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        server = scope.get("server")
        host = headers.get("host", "")
        refusal: tuple[int, str, str] | None = None
        if not self.hosts.admits(host, server[0] if server else None):
            refusal = 400, "bad_host", f"this server does not answer to the host {host!r}"
        elif scope["method"] not in SAFE_METHODS:
            site = headers.get("sec-fetch-site")
            origin = headers.get("origin")
            if site is not None and site.lower() not in SAME_SITE_FETCHES:
                refusal = 403, "cross_site", f"refused a {site} request that would change data"
            elif origin is not None and origin.split("//", 1)[-1].lower() != host.lower():
                refusal = 403, "cross_site", f"refused a request from {origin!r}"
        length = headers.get("content-length", "")
        if refusal is None and length.isdigit() and int(length) > MAX_BODY_BYTES:
            refusal = 413, "too_large", f"the tent takes bodies up to {MAX_BODY_BYTES:,} bytes"
        if refusal is not None:
            status, code, message = refusal
            await error_response(status, code, message)(scope, receive, send)
            return
        await self.app(scope, _bounded(receive), send)


def _bounded(receive: Receive) -> Receive:
    """A body sent without a length (chunked) is cut off at the limit, too."""
    seen = 0

    async def counting() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > MAX_BODY_BYTES:
                raise HTTPException(413, f"the tent takes bodies up to {MAX_BODY_BYTES:,} bytes")
        return message

    return counting
