"""Server-rendered pages; for now only the front page.

The Jinja environment escapes every value put into a template (``autoescape=True``, for
every file name, not only ``.html``), so text from the runner or their files cannot become
markup.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader

from rubdown import __version__

templates = Environment(loader=PackageLoader("rubdown.web", "templates"), autoescape=True)

router = APIRouter()


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def index(request: Request) -> HTMLResponse:
    page = templates.get_template("index.html")
    home = str(request.app.state.settings.home)
    return HTMLResponse(page.render(version=__version__, home=home))
