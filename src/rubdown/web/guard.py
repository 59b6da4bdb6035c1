"""Who may change the runner's data: a guard in front of every request.

The app listens on loopback, so the danger is not other machines but other web pages open in
the runner's browser. Three checks, each cheap, before any route runs or any body is read:

1. **Host.** The ``Host`` header must name this server (``127.0.0.1``, ``localhost``, ``::1``,
   or the host ``rubdown serve`` was given). This stops DNS rebinding: a page on evil.example
   whose name is made to resolve to 127.0.0.1 still sends ``Host: evil.example``. When serving
   on every interface (``0.0.0.0``), any host is let through; ``rubdown serve`` warns then.
2. **Where a change comes from.** A request that may change something (anything but GET, HEAD
   and OPTIONS) is refused when the browser says it is cross-site: ``Sec-Fetch-Site`` other
   than ``same-origin`` or ``none``, or an ``Origin`` whose host and port are not this
   server's.
3. **A token only our own pages can read.** Such a request must also carry the header
   ``X-Rubdown-CSRF`` with the token ``GET /api/session`` hands out (a fresh random one per
   process). A custom header cannot be sent cross-origin without a CORS preflight, which this
   app never grants, and another origin cannot read the token. This check holds even for
   older browsers that send neither ``Origin`` nor ``Sec-Fetch-Site``; tools like curl just
   fetch the token first.

It also bounds request bodies: ``/api/import`` and ``/api/import/jobs`` to the upload limit
(512 MiB by default), everything else to 1 MiB. A declared ``Content-Length`` over the limit
is refused at once with 413; a body without one (chunked) is counted as it arrives and
refused when it passes the limit, before the importer sees any of it.

Refusals use the API's error shape: ``{"error": {"code": ..., "message": ...}}``.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSRF_HEADER = "X-Rubdown-CSRF"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
SAME_SITE_FETCHES = frozenset({"same-origin", "none"})  # "none": typed in the address bar
ANY_HOST = frozenset({"0.0.0.0", "::", ""})
UPLOAD_PATH = "/api/import"
UPLOAD_PATHS = frozenset({UPLOAD_PATH, "/api/import/jobs"})  # both take uploaded files
MAX_JSON_BYTES = 1024 * 1024


def new_token() -> str:
    return secrets.token_urlsafe(32)


def allowed_hosts(serve_host: str, extra: Iterable[str] = ()) -> frozenset[str] | None:
    """The names the ``Host`` header may carry; None when serving on every interface."""
    if serve_host in ANY_HOST:
        return None
    return LOOPBACK_HOSTS | {serve_host.strip("[]").lower()} | {h.lower() for h in extra}


def host_name(host_header: str) -> str:
    """``127.0.0.1:8765`` -> ``127.0.0.1``; ``[::1]:8765`` -> ``::1``."""
    parsed = urlsplit(f"//{host_header}")
    return (parsed.hostname or "").lower()


class Guard:
    """Pure ASGI middleware: it answers a refused request itself and never reads a body."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        token: str,
        hosts: frozenset[str] | None,
        max_upload_bytes: int,
        max_json_bytes: int = MAX_JSON_BYTES,
    ) -> None:
        self.app = app
        self.token = token
        self.hosts = hosts
        self.max_upload_bytes = max_upload_bytes
        self.max_json_bytes = max_json_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        refusal = self.refusal(scope["method"], headers)
        limit = self.max_upload_bytes if scope["path"] in UPLOAD_PATHS else self.max_json_bytes
        if refusal is None and _declared_length(headers) > limit:
            refusal = "too_large", too_large(limit)
        if refusal is not None:
            code, message = refusal
            status = {"bad_host": 400, "too_large": 413}.get(code, 403)
            body = {"error": {"code": code, "message": message}}
            await JSONResponse(body, status_code=status)(scope, receive, send)
            return
        await self.app(scope, _counted(receive, limit), send)

    def refusal(self, method: str, headers: Headers) -> tuple[str, str] | None:
        host = headers.get("host", "")
        if self.hosts is not None and host_name(host) not in self.hosts:
            return "bad_host", f"this server does not answer to the host {host!r}"
        if method.upper() in SAFE_METHODS:
            return None
        fetch_site = headers.get("sec-fetch-site")
        if fetch_site is not None and fetch_site.lower() not in SAME_SITE_FETCHES:
            return "cross_site", f"refused a {fetch_site} request that would change data"
        origin = headers.get("origin")
        if origin is not None and urlsplit(origin).netloc.lower() != host.lower():
            return "cross_site", f"refused a request from {origin!r} that would change data"
        given = headers.get(CSRF_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.token.encode()):
            return (
                "csrf",
                f"a request that changes data needs the {CSRF_HEADER} header"
                " with the token from GET /api/session",
            )
        return None


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
