"""The Settings page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from rubdown.web.deps import AppDep
from rubdown.web.render import render_page

router = APIRouter(include_in_schema=False)


@router.get("/settings", response_class=HTMLResponse)
def settings_page(request: Request, app: AppDep) -> HTMLResponse:
    return render_page(request, app, "pages/settings.html", active="settings", title="Settings")
