"""One services context (``App``) per request.

Each request opens the store, works in it and closes it again, so no database connection is
shared between the threads FastAPI runs handlers on. SQLite in WAL mode lets those readers and
the writers wait for each other (busy timeout) instead of failing; the knowledge base is
loaded once per process (``load_knowledge_base`` caches it), so opening is cheap.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request

from rubdown.bootstrap import Settings, build_app
from rubdown.services.context import App


def open_app(request: Request) -> Iterator[App]:
    settings: Settings = request.app.state.settings
    app = build_app(settings)
    try:
        yield app
    finally:
        app.close()


AppDep = Annotated[App, Depends(open_app)]
