"""The Today page: the day's routines as cards, and a player that times one in the browser.

The player (``static/js/player.js``) reads the routines from the page and sends what happened
to the JSON API (``routes_today``); the "why" fold is an HTMX fragment.

The page's HTML is kept and served again until the runner's data or day moves on
(``web.cache.answers``), as ``GET /api/plan`` is. Everything it shows comes from the
runner's rows and day (the routines, the red-flag banner of rule X1: a check-in is a write,
so a new red flag shows on the next request) or from this server (its CSRF token and data
folder, which are in the key: the cache is the process's, and a process may serve more than
one app, as the tests do).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from rubdown.services.runner import Runner
from rubdown.web import parse
from rubdown.web.cache.answers import answer, cached_answer
from rubdown.web.deps import AppDep
from rubdown.web.presenters.today import TODAY_PAGE, today_page_view, why_summary
from rubdown.web.render import render_fragment, render_page

router = APIRouter(include_in_schema=False)


@router.get("/today", response_class=HTMLResponse)
async def today_page(request: Request, app: AppDep, date: str | None = None) -> HTMLResponse:
    day = parse.optional_day(date)
    params = _page_params(request, day)
    # As for the plan API: on SQLite a kept page is served on the event loop (one query).
    body = cached_answer(app, TODAY_PAGE, params) if app.reads_are_local else None
    if body is None:
        body = await run_in_threadpool(
            answer, app, TODAY_PAGE, params, lambda made_with: _render(request, made_with, day)
        )
    return HTMLResponse(body)


def _page_params(request: Request, day: dt.date | None) -> tuple[Hashable, ...]:
    state = request.app.state
    return (day, state.csrf_token, str(state.settings.home))


def _render(request: Request, app: Runner, date: dt.date | None) -> bytes:
    day = date or app.today()
    view = today_page_view(app, day)
    title = "Today" if view["is_today"] else f"Routines for {day.isoformat()}"
    page = render_page(request, app, "pages/today.html", active="today", title=title, view=view)
    return bytes(page.body)


@router.get("/ui/today/why", response_class=HTMLResponse)
def today_why(app: AppDep, date: str | None = None) -> HTMLResponse:
    day = parse.optional_day(date) or app.today()
    return render_fragment("fragments/today_why.html", why=why_summary(app, day))
