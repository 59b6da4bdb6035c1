"""Server mode's accounts on the web: log in and out, invitations, and the admin's user list.

Registered only in server mode (``create_app``). Logging in, as JSON (``POST /api/login``) or
with the login page's form (``POST /login``), sets the session cookie ``rubdown_session``
(HttpOnly, SameSite=Lax, Secure when the request came over TLS or the public URL is https)
and answers with the session's CSRF token, which every change must carry in
``X-Rubdown-CSRF`` (``web.guard``). Sessions and their CSRF tokens live in the database, so
any server process answers any request.

Roles: a runner sees their own data through the runner routes (``web.deps``); the admin
routes answer admins only, and anyone else 404, as for any route that is not theirs. An admin
has no runner data: the runner routes answer them 404.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from typing_extensions import TypedDict

from rubdown import __version__
from rubdown.bootstrap import SharedServices
from rubdown.domain.accounts import (
    MAX_PASSWORD_CHARACTERS,
    MIN_PASSWORD_CHARACTERS,
    LoggedIn,
    Role,
    User,
    parse_role,
)
from rubdown.errors import AccountError, InputError, InvalidValue, NotFound, RubdownError
from rubdown.services.accounts import Accounts, NewSession
from rubdown.web.deps import LoggedInDep, shared_services
from rubdown.web.errors import status_for
from rubdown.web.guard import CSRF_HEADER, SESSION_COOKIE
from rubdown.web.render import templates
from rubdown.web.responses import ERRORS

router = APIRouter(tags=["account"])

# The error shape for the statuses only these routes answer.
LOGIN_ERRORS = {
    **ERRORS,
    401: {**ERRORS[401], "description": "No session, or a wrong e-mail address or password"},
    429: {**ERRORS[401], "description": "Too many failed logins for the account or address"},
}
ADMIN_ERRORS = {
    **ERRORS,
    404: {**ERRORS[404], "description": "Not an admin, or no such user"},
    409: {**ERRORS[404], "description": "The e-mail address already has an account"},
}

MAX_EMAIL_FIELD = 320


class LoginBody(BaseModel):
    email: str = Field(max_length=MAX_EMAIL_FIELD)
    password: str = Field(max_length=MAX_PASSWORD_CHARACTERS)


class SessionUser(TypedDict):
    email: str
    role: str  # runner, therapist or admin


class ServerSessionToken(TypedDict):
    """``GET /api/session`` in server mode: the local answer's keys, and who is logged in."""

    csrf_token: str
    csrf_header: str  # the header a change must carry it in
    version: str
    user: SessionUser


class LoggedOut(TypedDict):
    sessions_ended: int


class UserView(TypedDict):
    id: str
    email: str
    role: str
    created_at: str  # ISO 8601, UTC
    disabled_at: str | None


class UsersView(TypedDict):
    users: list[UserView]


class NewUserBody(BaseModel):
    email: str = Field(max_length=MAX_EMAIL_FIELD)
    role: str = Field(max_length=20)
    # Without a password the answer carries a single-use invitation link instead.
    password: str | None = Field(default=None, max_length=MAX_PASSWORD_CHARACTERS)


class NewUserView(TypedDict):
    user: UserView | None
    invitation_url: str | None  # valid 7 days, once
    invitation_expires_at: str | None


def accounts_of(request: Request) -> Accounts:
    services: SharedServices = shared_services(request.app.state)
    assert services.accounts is not None, "account routes are registered in server mode only"
    return services.accounts


def _address(request: Request) -> str | None:
    return request.client.host if request.client else None


def session_answer(logged_in: LoggedIn) -> ServerSessionToken:
    return {
        "csrf_token": logged_in.csrf_token,
        "csrf_header": CSRF_HEADER,
        "version": __version__,
        "user": {"email": logged_in.user.email, "role": logged_in.user.role.value},
    }


def _set_cookie(request: Request, response: Response, new: NewSession, accounts: Accounts) -> None:
    secure = request.url.scheme == "https" or bool(request.app.state.secure_cookie)
    response.set_cookie(
        SESSION_COOKIE,
        new.token,
        max_age=int(accounts.policy.absolute.total_seconds()),
        path="/",
        httponly=True,
        samesite="lax",
        secure=secure,
    )


def _clear_cookie(request: Request, response: Response) -> None:
    secure = request.url.scheme == "https" or bool(request.app.state.secure_cookie)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=secure)


def _session_token(request: Request) -> str | None:
    return request.cookies.get(SESSION_COOKIE)


# -- the session -----------------------------------------------------------------------------


@router.get("/api/session", responses=ERRORS)
def session(logged_in: LoggedInDep) -> ServerSessionToken:
    """The session's CSRF token, that requests changing data must carry in the header it
    names, and who is logged in."""
    return session_answer(logged_in)


@router.post("/api/login", responses=LOGIN_ERRORS)
def login(request: Request, response: Response, body: LoginBody) -> ServerSessionToken:
    """Log in: sets the session cookie; the answer carries the session's CSRF token. Five
    failed attempts for an account, or twenty from an address, within 15 minutes refuse
    further ones (429) until the oldest leave the window."""
    accounts = accounts_of(request)
    new = accounts.login(body.email, body.password, _address(request))
    _set_cookie(request, response, new, accounts)
    response.headers["Cache-Control"] = "no-store"
    return session_answer(new.logged_in)


@router.post("/api/logout", responses=ERRORS)
def logout(request: Request, response: Response, _logged_in: LoggedInDep) -> LoggedOut:
    """End this session (in every server process at once) and clear its cookie."""
    accounts_of(request).logout(_session_token(request))
    _clear_cookie(request, response)
    _to_login_page(request, response)
    return {"sessions_ended": 1}


@router.post("/api/logout-everywhere", responses=ERRORS)
def logout_everywhere(request: Request, response: Response, logged_in: LoggedInDep) -> LoggedOut:
    """End every session of this account, on every device, this one included."""
    ended = accounts_of(request).logout_everywhere(logged_in.user.id)
    _clear_cookie(request, response)
    _to_login_page(request, response)
    return {"sessions_ended": ended}


def _to_login_page(request: Request, response: Response) -> None:
    """A page's log-out button (HTMX) goes on to the login page; an API client just gets
    the answer."""
    if request.headers.get("hx-request") == "true":
        response.headers["HX-Redirect"] = "/login"


# -- the pages -------------------------------------------------------------------------------


def _page(
    *,
    title: str,
    action: str,
    status: int = 200,
    message: str = "",
    ok: bool = False,
    invitation: bool = False,
    email: str = "",
    next_path: str = "/today",
) -> HTMLResponse:
    html = templates.get_template("pages/login.html").render(
        title=title,
        action=action,
        message=message,
        ok=ok,
        invitation=invitation,
        email=email,
        next=next_path,
        min_password=MIN_PASSWORD_CHARACTERS,
    )
    return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})


def _local_path(text: str | None) -> str:
    """Where to go after logging in: a path on this server, never another site."""
    if not text or not text.startswith("/") or text.startswith(("//", "/\\")):
        return "/today"
    return text


def _landing(new: NewSession, wanted: str) -> str:
    """Where a login goes: where it was asked to, except that Today, the default, is only a
    runner's; a therapist or an admin owns no runner data and lands on their Account page."""
    if wanted == "/today" and new.logged_in.user.runner_id is None:
        return "/account"
    return wanted


@router.get("/login", include_in_schema=False)
def login_page(next: str | None = None) -> HTMLResponse:
    return _page(title="Log in", action="/login", next_path=_local_path(next))


@router.post("/login", include_in_schema=False)
async def login_form(
    request: Request,
    email: Annotated[str, Form(max_length=MAX_EMAIL_FIELD)] = "",
    password: Annotated[str, Form(max_length=MAX_PASSWORD_CHARACTERS)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/today",
) -> Response:
    accounts = accounts_of(request)
    try:
        new = await run_in_threadpool(accounts.login, email, password, _address(request))
    except AccountError as error:
        return _page(
            title="Log in",
            action="/login",
            status=status_for(error),
            message=str(error),
            email=email,
            next_path=_local_path(next),
        )
    answer = RedirectResponse(_landing(new, _local_path(next)), status_code=303)
    _set_cookie(request, answer, new, accounts)
    return answer


@router.get("/invite/{token}", include_in_schema=False)
def invitation_page(token: str) -> HTMLResponse:
    return _page(title="Welcome to rubdown", action=f"/invite/{token}", invitation=True)


@router.post("/invite/{token}", include_in_schema=False)
async def accept_invitation(
    request: Request,
    token: str,
    password: Annotated[str, Form(max_length=MAX_PASSWORD_CHARACTERS)] = "",
    again: Annotated[str, Form(max_length=MAX_PASSWORD_CHARACTERS)] = "",
) -> Response:
    """Set the password from a single-use invitation; the new account is logged in."""
    accounts = accounts_of(request)

    def accept() -> NewSession:
        if password != again:
            raise InvalidValue("the two passwords differ: type the same one twice")
        user = accounts.accept_invitation(token, password)
        return accounts.login(user.email, password, _address(request))

    try:
        new = await run_in_threadpool(accept)
    except RubdownError as error:
        status = 404 if isinstance(error, NotFound) else 422
        if isinstance(error, AccountError):
            status = status_for(error)
        elif not isinstance(error, InputError | NotFound):
            raise
        return _page(
            title="Welcome to rubdown",
            action=f"/invite/{token}",
            status=status,
            message=str(error),
            invitation=not isinstance(error, NotFound),
        )
    answer = RedirectResponse(_landing(new, "/today"), status_code=303)
    _set_cookie(request, answer, new, accounts)
    return answer


# -- the admin's user list -------------------------------------------------------------------


def _admin(logged_in: LoggedIn) -> None:
    # Not 403: to anyone but an admin these routes are as absent as someone else's data.
    if logged_in.user.role is not Role.ADMIN:
        raise NotFound("no such route")


def user_view(user: User) -> UserView:
    return {
        "id": user.id,
        "email": user.email,
        "role": user.role.value,
        "created_at": user.created_at.isoformat(),
        "disabled_at": user.disabled_at.isoformat() if user.disabled_at else None,
    }


@router.get("/api/admin/users", tags=["admin"], responses=ADMIN_ERRORS)
def list_users(request: Request, logged_in: LoggedInDep) -> UsersView:
    """Every account on this server, by e-mail address (admins only)."""
    _admin(logged_in)
    return {"users": [user_view(user) for user in accounts_of(request).list_users()]}


@router.post("/api/admin/users", tags=["admin"], responses=ADMIN_ERRORS)
def add_user(request: Request, logged_in: LoggedInDep, body: NewUserBody) -> NewUserView:
    """Add an account with a password, or without one: then the answer's single-use link
    lets the person set theirs within 7 days (admins only)."""
    _admin(logged_in)
    accounts = accounts_of(request)
    role = parse_role(body.role)
    if body.password is not None:
        user = accounts.add_user(body.email, role, body.password)
        return {"user": user_view(user), "invitation_url": None, "invitation_expires_at": None}
    invited = accounts.invite(body.email, role, created_by=logged_in.user.id)
    base = request.app.state.public_url or str(request.base_url).rstrip("/")
    return {
        "user": None,
        "invitation_url": f"{base}/invite/{invited.token}",
        "invitation_expires_at": invited.invitation.expires_at.isoformat(),
    }


@router.post("/api/admin/users/{user_id}/disable", tags=["admin"], responses=ADMIN_ERRORS)
def disable_user(request: Request, logged_in: LoggedInDep, user_id: str) -> UserView:
    """Disable an account: its sessions end at once, everywhere (admins only)."""
    _admin(logged_in)
    return user_view(accounts_of(request).disable_user_by_id(user_id))
