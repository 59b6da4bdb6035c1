"""A test client for the web app that, like the pages, sends the change token with every request."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import FastAPI
from fastapi.testclient import TestClient

from rubdown.web.guard import CSRF_HEADER

BASE = "http://127.0.0.1:8765"  # the Host the guard lets through


@contextmanager
def signed_client(app: FastAPI) -> Iterator[TestClient]:
    """A running client for ``app`` carrying the token ``GET /api/session`` hands out."""
    with TestClient(app, base_url=BASE) as client:
        client.headers[CSRF_HEADER] = client.get("/api/session").json()["csrf_token"]
        yield client
