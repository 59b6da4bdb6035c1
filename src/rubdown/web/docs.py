"""``/docs`` (Swagger UI), drawn from files this server ships.

FastAPI's own page loads a floating version of Swagger UI from a CDN, without integrity
checks, and starts it with a script written into the page: blank without a network, and at
odds with the Content-Security-Policy (``web.security``). Here the script and style come from
the ``fastapi-offline`` package (MIT; its Swagger UI 5 reads the OpenAPI 3.1 that FastAPI
writes, where the ``swagger-ui-bundle`` package's Swagger UI 4 cannot), served under
``/docs-assets``, and Swagger UI is started by ``static/js/swagger-init.js``.

There is no ``/redoc``: the ReDoc that package ships always fetches its maker's logo from
their CDN, and one documentation page is enough.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from rubdown.web.render import templates

ASSETS_PATH = "/docs-assets"
ASSETS_PACKAGE = ("fastapi_offline", "static")

router = APIRouter(include_in_schema=False)


def assets() -> StaticFiles:
    return StaticFiles(packages=[ASSETS_PACKAGE])


@router.get("/docs", response_class=HTMLResponse)
def swagger_ui(request: Request) -> HTMLResponse:
    html = templates.get_template("docs/swagger.html").render(
        title=f"{request.app.title} API",
        assets=ASSETS_PATH,
        openapi_url=request.app.openapi_url,
        csrf_token=request.app.state.csrf_token,
        csrf_header=request.app.state.csrf_header,
    )
    return HTMLResponse(html)
