"""Server-rendered pages: one Jinja environment and the frame every page shares.

The environment escapes every value put into a template (``autoescape=True`` for every file
name, not only ``.html``), so text from the runner or their files cannot become markup. Pages
get their data from the same services and JSON views as the API; templates only lay it out.

Every page carries, through ``base.html``: the navigation, the banner of the red flags and
warning signs that stand (``services.alerts``: safety always wins, so it comes before the
page's own content, a possible clot first and styled as urgent), the
token that HTMX and the page scripts send with changes (see ``web.guard``), and one quiet
line saying that this is not medical advice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader

from rubdown import __version__
from rubdown.domain.accounts import Role, User
from rubdown.services.alerts import standing_alerts
from rubdown.services.runner import Runner

templates = Environment(loader=PackageLoader("rubdown.web", "templates"), autoescape=True)


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    href: str


NAV = (
    NavItem("today", "Today", "/today"),
    NavItem("checkin", "Check-in", "/checkin"),
    NavItem("plan", "Plan", "/plan"),
    NavItem("load", "Load", "/load"),
    NavItem("rules", "Rules", "/rules"),
    NavItem("import", "Import", "/import"),
    NavItem("settings", "Settings", "/settings"),
    NavItem("feeds", "Calendar feed", "/feeds"),
)
# Server mode adds what only an account has: sharing with a therapist.
SERVER_NAV = (*NAV, NavItem("sharing", "Sharing", "/sharing"))
# A therapist owns no runner data: their pages are their clinic's, and their account.
THERAPIST_NAV = (
    NavItem("clinic-clients", "Clients", "/clinic/clients"),
    NavItem("clinic-calendar", "Calendar", "/clinic/calendar"),
    NavItem("clinic-race-week", "Race week", "/clinic/race-week"),
    NavItem("account", "Account", "/account"),
)


def nav_for(user: User | None) -> tuple[NavItem, ...]:
    """The pages the logged-in person has: a runner's own (with Sharing), a therapist's
    clinic, none for an admin (their Account page is where they land); local mode, no one
    logged in: a runner's."""
    if user is None:
        return NAV
    if user.role is Role.THERAPIST:
        return THERAPIST_NAV
    return SERVER_NAV if user.runner_id is not None else ()


def _short_date(day: dt.date) -> str:
    return f"{day:%a} {day.day} {day:%b}"


templates.filters["short_date"] = _short_date


def render_page(
    request: Request, app: Runner, template: str, *, active: str, title: str, **context: Any
) -> HTMLResponse:
    """A whole page: ``template`` extends ``base.html`` and fills its ``content`` block."""
    page = templates.get_template(template)
    # Server mode: who is logged in, and the token stored with their session (web.guard).
    logged_in = getattr(request.state, "logged_in", None)
    html = page.render(
        request=request,
        version=__version__,
        csrf_token=(logged_in or request.app.state).csrf_token,
        csrf_header=request.app.state.csrf_header,
        user=logged_in.user if logged_in is not None else None,
        nav=nav_for(logged_in.user if logged_in is not None else None),
        active=active,
        title=title,
        home=str(request.app.state.settings.home),
        today=app.today(),
        alerts=standing_alerts(app),
        **context,
    )
    return HTMLResponse(html)


def render_clinic_page(
    request: Request, template: str, *, active: str, title: str, **context: Any
) -> HTMLResponse:
    """A whole page of a therapist's clinic: the frame of ``render_page`` without a runner's
    today and banner (a therapist has no check-ins of their own; a client's red flags are on
    that client's card, first)."""
    logged_in = request.state.logged_in
    html = templates.get_template(template).render(
        request=request,
        version=__version__,
        csrf_token=logged_in.csrf_token,
        csrf_header=request.app.state.csrf_header,
        user=logged_in.user,
        nav=nav_for(logged_in.user),
        active=active,
        title=title,
        alerts=[],
        **context,
    )
    return HTMLResponse(html)


def render_fragment(template: str, **context: Any) -> HTMLResponse:
    """A piece of a page, for HTMX to swap in; no frame around it."""
    return HTMLResponse(templates.get_template(template).render(**context))
