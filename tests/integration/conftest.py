"""Every store test runs twice: on a SQLite file and on a fresh PostgreSQL schema. ``raw`` is an
engine on the same database with no store in between, to look at the rows themselves.

The web tests get a runner's home on SQLite (``settings``) whose "today" is ``TODAY``, and a
signed ``client`` of the web app over it. A module whose web tests run on each database
overrides ``settings`` with one on ``database_url``; ``client`` then follows it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool

from rubdown.bootstrap import Settings
from rubdown.store import Store, normalise_url, open_store, sqlite_url_for_home
from tests.pg import fresh_postgres_url
from tests.support.web import TODAY, signed_client


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of the parametrised kind."""
    if request.param == "sqlite":
        yield sqlite_url_for_home(tmp_path / "home")
        return
    with fresh_postgres_url() as url:
        yield url


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    opened = open_store(database_url)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def raw(database_url: str) -> Iterator[Engine]:
    """The same database without the store (and its checks) in between, to see the rows."""
    engine = sa.create_engine(normalise_url(database_url), poolclass=NullPool)
    yield engine
    engine.dispose()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    home = tmp_path / "home"
    return Settings(home, sqlite_url_for_home(home), today=TODAY)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    # Imported here so the store tests never load the web app.
    from rubdown.web.app import create_app

    with signed_client(create_app(settings)) as test_client:
        yield test_client
