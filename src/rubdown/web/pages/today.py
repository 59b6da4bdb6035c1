"""The Today page: the day's routines as cards, and a player that times one in the browser.

The player (``static/js/player.js``) reads the routines from the page and sends what happened
to the JSON API (``routes_today``); the "why" fold is an HTMX fragment.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from rubdown.services.today_view import today_page_view, why_summary
from rubdown.web import parse
from rubdown.web.deps import AppDep
from rubdown.web.render import render_fragment, render_page

router = APIRouter(include_in_schema=False)


@router.get("/today", response_class=HTMLResponse)
def today_page(request: Request, app: AppDep, date: str | None = None) -> HTMLResponse:
    day = parse.optional_day(date) or app.today()
    view = today_page_view(app, day)
    title = "Today" if view["is_today"] else f"Routines for {day.isoformat()}"
    return render_page(request, app, "pages/today.html", active="today", title=title, view=view)


@router.get("/ui/today/why", response_class=HTMLResponse)
def today_why(app: AppDep, date: str | None = None) -> HTMLResponse:
    day = parse.optional_day(date) or app.today()
    return render_fragment("fragments/today_why.html", why=why_summary(app, day))
