"""A test client for the web app that, like the pages, sends the change token with every request,
the check every test makes of the API's error shape, and the runner's use cases and store opened
over a test home (``opened``), to seed it or to see what a request stored."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from rubdown.bootstrap import Settings, build_app
from rubdown.services.runner import Runner
from rubdown.web.guard import CSRF_HEADER

BASE = "http://127.0.0.1:8765"  # the Host the guard lets through
TODAY = dt.date(2027, 1, 4)  # a Monday: "today" for the web tests


@contextmanager
def signed_client(app: FastAPI) -> Iterator[TestClient]:
    """A running client for ``app`` carrying the token ``GET /api/session`` hands out."""
    with TestClient(app, base_url=BASE) as client:
        client.headers[CSRF_HEADER] = client.get("/api/session").json()["csrf_token"]
        yield client


def assert_error(response: Any, status: int, code: str | None = None) -> dict[str, str]:
    """The answer is ``status`` in the error shape, ``{"error": {"code", "message"}}``, with a
    message and (when given) that code; returns the error."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert isinstance(error["message"], str)
    assert error["message"]
    if code is not None:
        assert error["code"] == code
    return dict(error)


@contextmanager
def opened(settings: Settings) -> Iterator[Runner]:
    """The services ``Runner`` over the test home, closed on leaving the block."""
    app = build_app(settings)
    try:
        yield app
    finally:
        app.close()


def stored(settings: Settings) -> dict[str, Any]:
    """Everything the store holds for the runner, to compare before and after a request."""
    with opened(settings) as app:
        return {
            "profile": app.data.get_profile(),
            "races": app.data.list_races(),
            "workouts": app.data.list_workouts(),
            "checkins": app.data.list_checkins(),
            "injuries": app.data.list_injuries(),
            "sessions": app.data.list_sessions(),
            "runs": app.data.list_manual_runs(),
            "routines": app.data.list_routine_logs(),
            "recovery": app.data.recovery_weeks(),
            "patterns": app.data.list_patterns(),
            "hours": app.data.therapist_hours(),
            "feed": app.data.feed_secret_hash(),
            "plan": app.data.load_plan(),
            "files": app.data.file_statuses(),
            "activities": [row.activity.id for row in app.data.list_activities()],
        }
