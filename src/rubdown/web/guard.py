"""Who may read and change the runner's data: a guard in front of every request.

On loopback the danger is not other machines but other web pages open in the runner's
browser; on any other address it is also every device that can reach the port. Four checks,
each cheap, before any route runs or any body is read:

1. **Host.** The ``Host`` header must name this server: ``127.0.0.1``, ``localhost``, ``::1``,
   the address ``rubdown serve`` listens on, and the host of its public URL (``HostPolicy``).
   This stops DNS rebinding: a page on evil.example whose name is made to resolve to this
   server still sends ``Host: evil.example``. Listening on every interface (``0.0.0.0``), the
   bound address is the one the connection came in on (the socket's, never the request's),
   so ``Host: 192.168.1.5`` is let through on a connection to 192.168.1.5 and on no other.
2. **The access token**, when the server has one (``AccessToken``; ``rubdown serve`` insists on
   one beyond loopback): every request must carry it, as ``Authorization: Bearer <token>`` or
   as the HttpOnly, SameSite=Strict cookie that the login link ``/?token=<token>`` sets. Only
   the calendar feeds (``/feeds/...``) do without: calendar apps send no login, and the
   feed's own secret is its key. Only the token's SHA-256 is kept, and compared in constant
   time. A refusal is 401 with the error shape.
3. **Where a change comes from.** A request that may change something (anything but GET, HEAD
   and OPTIONS) is refused when the browser says it is cross-site: ``Sec-Fetch-Site`` other
   than ``same-origin`` or ``none``, or an ``Origin`` whose host and port are not this
   server's.
4. **A token only our own pages can read.** Such a request must also carry the header
   ``X-Rubdown-CSRF`` with the token ``GET /api/session`` hands out (a fresh random one per
   process). A custom header cannot be sent cross-origin without a CORS preflight, which this
   app never grants, and another origin cannot read the token. This check holds even for
   older browsers that send neither ``Origin`` nor ``Sec-Fetch-Site``; tools like curl just
   fetch the token first.

**Server mode** (``rubdown serve --server``, many people on one PostgreSQL) replaces the access
token with accounts (``services.accounts``). Every request but the open ones (``/login``,
``POST /api/login``, ``/invite/...``, ``/static/...``, the calendar feeds) needs the session
cookie ``rubdown_session`` (HttpOnly, SameSite=Lax, Secure over TLS) naming a live session,
which the guard looks up in the database on every request: a logout or a disabled account
through one server process holds in every other, and no process keeps sessions in memory.
Without one an API request (``/api/``, ``/ui/``) or a change gets 401 in the error shape, and
a page is sent to ``/login``. Check 4 then compares the header with the CSRF token stored with
that session (also in the database), so a token fetched through one process is good in all.
The open routes that change something (logging in, setting a password from an invitation)
carry no session yet: they get checks 1 and 3, and a login needs the right password anyway.

It also bounds request bodies: ``/api/import`` and ``/api/import/jobs`` to the upload limit
(512 MiB by default), everything else to 1 MiB. A declared ``Content-Length`` over the limit
is refused at once with 413; a body without one (chunked) is counted as it arrives and
refused when it passes the limit, before the importer sees any of it.

Refusals use the API's error shape: ``{"error": {"code": ..., "message": ...}}``.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import anyio.to_thread
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.requests import cookie_parser
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rubdown.errors import RubdownError
from rubdown.web import errors

CSRF_HEADER = "X-Rubdown-CSRF"
ACCESS_COOKIE = "rubdown_access"
LOGIN_PATH = "/"  # /?token=... : the link ``rubdown serve`` shows once
FEED_PREFIX = "/feeds/"  # calendar feeds: their own secret is the key (``web.feeds``)
ACCESS_COOKIE_SECONDS = 30 * 24 * 3600
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
SAME_SITE_FETCHES = frozenset({"same-origin", "none"})  # "none": typed in the address bar
ANY_HOST = frozenset({"0.0.0.0", "::", ""})
UPLOAD_PATH = "/api/import"
UPLOAD_PATHS = frozenset({UPLOAD_PATH, "/api/import/jobs"})  # both take uploaded files
MAX_JSON_BYTES = 1024 * 1024
STATUS_FOR = {"bad_host": 400, "unauthorized": 401, "too_large": 413}
# Server mode: the session cookie, and what is open without one.
SESSION_COOKIE = "rubdown_session"
LOGIN_PAGE = "/login"
OPEN_PATHS = frozenset({LOGIN_PAGE, "/api/login", "/favicon.ico"})
OPEN_PREFIXES = ("/static/", FEED_PREFIX, "/invite/")
# Answered with 401 rather than sent to the login page: what scripts and tools ask for.
API_PREFIXES = ("/api/", "/ui/", "/openapi.json")
NOT_LOGGED_IN = (
    "log in first: POST /api/login with your e-mail address and password, or open /login"
)
# Looks a session cookie up in the database: who is logged in, with their CSRF token, or
# None. Blocking (a query): the guard runs it in a worker thread.
SessionLookup = Callable[[str], Any]


def new_token() -> str:
    return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class HostPolicy:
    """The names the ``Host`` header may carry; on a wildcard bind also the local address
    the connection arrived at."""

    names: frozenset[str]
    any_address: bool = False

    def admits(self, host_header: str, local_address: str | None = None) -> bool:
        name = host_name(host_header)
        if name in self.names:
            return True
        return self.any_address and local_address is not None and name == _ip(local_address)


def allowed_hosts(serve_host: str, extra: Iterable[str] = ()) -> HostPolicy:
    """This machine's loopback names, the address served on and the public names ``extra``;
    on every interface (``0.0.0.0``, ``::``) the address each connection arrived at."""
    names = LOOPBACK_HOSTS | {h.strip("[]").lower() for h in extra if h}
    if serve_host in ANY_HOST:
        return HostPolicy(names, any_address=True)
    return HostPolicy(names | {serve_host.strip("[]").lower()})


def _ip(address: str) -> str:
    """An address as ``host_name`` gives it: ``::ffff:10.0.0.1`` stays as it is, lower case."""
    try:
        return str(ipaddress.ip_address(address.strip("[]")))
    except ValueError:
        return address.lower()


def host_name(host_header: str) -> str:
    """``127.0.0.1:8765`` -> ``127.0.0.1``; ``[::1]:8765`` -> ``::1``; junk -> ``""``."""
    try:
        parsed = urlsplit(f"//{host_header}")
        return (parsed.hostname or "").lower()
    except ValueError:  # "[::1" and the like: no host this server answers to
        return ""


class AccessToken:
    """The token every request must carry, kept only as its SHA-256: a 256-bit random token
    needs no salt or slow hash, and the digest in memory opens nothing by itself."""

    def __init__(self, token: str) -> None:
        self._digest = _digest(token)

    def admits(self, given: str | None) -> bool:
        # Constant time: how long a refusal takes says nothing about the token.
        return given is not None and hmac.compare_digest(_digest(given), self._digest)


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()


class Guard:
    """Pure ASGI middleware: it answers a refused request itself and never reads a body."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        token: str,
        hosts: HostPolicy,
        max_upload_bytes: int,
        max_json_bytes: int = MAX_JSON_BYTES,
        access: AccessToken | None = None,
        secure_cookie: bool = False,
        sessions: SessionLookup | None = None,
    ) -> None:
        self.app = app
        self.sessions = sessions  # set in server mode only
        self.token = token
        self.hosts = hosts
        self.max_upload_bytes = max_upload_bytes
        self.max_json_bytes = max_json_bytes
        self.access = access
        self.secure_cookie = secure_cookie

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        refusal = self.host_refusal(headers, scope.get("server"))
        if refusal is None and self.access is not None and _login_attempt(scope):
            await self.login(scope)(scope, receive, send)
            return
        csrf_token: str | None = self.token
        if refusal is None and self.sessions is not None:
            if is_open_path(scope["path"]):
                csrf_token = None  # no session yet: the cross-site checks only
            else:
                try:
                    logged_in = await self.logged_in(headers)
                except RubdownError as error:
                    # The database unreachable, say: the error shape, as from any route.
                    status = errors.status_for(error)
                    await errors.error_response(status, error.code, str(error))(
                        scope, receive, send
                    )
                    return
                if logged_in is None:
                    await not_logged_in(scope)(scope, receive, send)
                    return
                # ``request.state.logged_in`` for the routes (``web.deps``).
                scope.setdefault("state", {})["logged_in"] = logged_in
                csrf_token = logged_in.csrf_token
        if refusal is None:
            refusal = self.access_refusal(scope, headers)
        if refusal is None:
            refusal = self.refusal(scope["method"], headers, csrf_token)
        limit = self.max_upload_bytes if scope["path"] in UPLOAD_PATHS else self.max_json_bytes
        if refusal is None and _declared_length(headers) > limit:
            refusal = "too_large", too_large(limit)
        if refusal is not None:
            code, message = refusal
            body = {"error": {"code": code, "message": message}}
            response = JSONResponse(body, status_code=STATUS_FOR.get(code, 403))
            if code == "unauthorized":
                response.headers["WWW-Authenticate"] = 'Bearer realm="rubdown"'
            await response(scope, receive, send)
            return
        await self.app(scope, _counted(receive, limit), send)

    def host_refusal(
        self, headers: Headers, server: tuple[str, int | None] | None
    ) -> tuple[str, str] | None:
        host = headers.get("host", "")
        if not self.hosts.admits(host, server[0] if server else None):
            return "bad_host", f"this server does not answer to the host {host!r}"
        return None

    def access_refusal(self, scope: Scope, headers: Headers) -> tuple[str, str] | None:
        if self.access is None or scope["path"].startswith(FEED_PREFIX):
            return None
        if self.access.admits(_bearer(headers)) or self.access.admits(_cookie(headers)):
            return None
        return (
            "unauthorized",
            "this server needs its access token: an Authorization: Bearer header,"
            " or open the login link rubdown serve showed",
        )

    def login(self, scope: Scope) -> Response:
        """``/?token=...``: the right token gets the cookie and a page that moves on to
        Today; the page, not a redirect, so that the next request starts on this site and
        the SameSite=Strict cookie goes with it even when the link was opened from another."""
        assert self.access is not None
        given = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("token", [""])[0]
        if not self.access.admits(given):
            message = "that access token is not this server's"
            return JSONResponse(
                {"error": {"code": "unauthorized", "message": message}}, status_code=401
            )
        page = HTMLResponse(
            '<!doctype html><html lang="en"><head><meta charset="utf-8">'
            '<meta http-equiv="refresh" content="0; url=/today"><title>rubdown</title></head>'
            '<body><p>Signed in. <a href="/today">Go to today</a>.</p></body></html>',
            headers={"Cache-Control": "no-store"},
        )
        page.set_cookie(
            ACCESS_COOKIE,
            given,
            max_age=ACCESS_COOKIE_SECONDS,
            path="/",
            httponly=True,
            samesite="strict",
            secure=self.secure_cookie,
        )
        return page

    async def logged_in(self, headers: Headers) -> Any:
        assert self.sessions is not None
        token = cookie_parser(headers.get("cookie", "")).get(SESSION_COOKIE)
        if not token:
            return None
        return await anyio.to_thread.run_sync(self.sessions, token)

    def refusal(
        self, method: str, headers: Headers, csrf_token: str | None = None
    ) -> tuple[str, str] | None:
        """Checks 3 and 4; ``csrf_token`` None skips 4 (server mode's open routes)."""
        if method.upper() in SAFE_METHODS:
            return None
        host = headers.get("host", "")
        fetch_site = headers.get("sec-fetch-site")
        if fetch_site is not None and fetch_site.lower() not in SAME_SITE_FETCHES:
            return "cross_site", f"refused a {fetch_site} request that would change data"
        origin = headers.get("origin")
        # Under ``Referrer-Policy: no-referrer`` a browser sends ``Origin: null`` with a form
        # posted to its own origin; its Sec-Fetch-Site (which no page can forge) says where
        # the post came from, and only then is "null" taken as this server's own page.
        vouched = origin == "null" and fetch_site is not None
        if origin is not None and not vouched and _netloc(origin) != host.lower():
            return "cross_site", f"refused a request from {origin!r} that would change data"
        if csrf_token is None:
            return None
        given = headers.get(CSRF_HEADER, "")
        if not hmac.compare_digest(given.encode(), csrf_token.encode()):
            return (
                "csrf",
                f"a request that changes data needs the {CSRF_HEADER} header"
                " with the token from GET /api/session",
            )
        return None


def is_open_path(path: str) -> bool:
    """Server mode: what answers without a session."""
    return path in OPEN_PATHS or path.startswith(OPEN_PREFIXES)


def not_logged_in(scope: Scope) -> Response:
    """401 for the API and for changes; a page is sent to the login page, to come back."""
    path = scope["path"]
    if scope["method"] not in ("GET", "HEAD") or path.startswith(API_PREFIXES):
        body = {"error": {"code": "unauthorized", "message": NOT_LOGGED_IN}}
        return JSONResponse(body, status_code=401)
    query = scope.get("query_string", b"").decode("latin-1")
    back = f"{path}?{query}" if query else path
    return RedirectResponse(f"{LOGIN_PAGE}?next={quote(back, safe='/')}", status_code=303)


def _login_attempt(scope: Scope) -> bool:
    return (
        scope["method"] in ("GET", "HEAD")
        and scope["path"] == LOGIN_PATH
        and b"token=" in scope.get("query_string", b"")
    )


def _bearer(headers: Headers) -> str | None:
    scheme, _, value = headers.get("authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def _cookie(headers: Headers) -> str | None:
    return cookie_parser(headers.get("cookie", "")).get(ACCESS_COOKIE)


def _netloc(url: str) -> str:
    try:
        return urlsplit(url).netloc.lower()
    except ValueError:
        return ""


def too_large(limit: int) -> str:
    return f"the request is larger than this server takes here ({limit:,} bytes)"


def _declared_length(headers: Headers) -> int:
    text = headers.get("content-length", "")
    return int(text) if text.isdigit() else 0


def _counted(receive: Receive, limit: int) -> Receive:
    """``receive`` that refuses a body once it passes ``limit`` bytes. The HTTPException it
    raises reaches the app's handler (FastAPI re-raises those from body parsing), so the
    client gets the usual error shape with 413."""
    seen = 0

    async def counting() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise HTTPException(413, too_large(limit))
        return message

    return counting
