"""The Load page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from rubdown.web.deps import AppDep
from rubdown.web.render import render_page

router = APIRouter(include_in_schema=False)


@router.get("/load", response_class=HTMLResponse)
def load_page(request: Request, app: AppDep) -> HTMLResponse:
    return render_page(request, app, "pages/load.html", active="load", title="Load")
