"""A server-mode web app on a fresh PostgreSQL schema with a few accounts, for the consent and
authorisation tests: ``people`` opens it, makes the users and hands out logged-in clients.

Server mode needs PostgreSQL (``tests.pg``: skipped locally without
``RUBDOWN_TEST_POSTGRES_URL``, required in CI). Clients are made without entering them, so
the app's lifespan does not close the shared store under the others; ``people`` closes it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from rubdown.bootstrap import Settings, build_app, upgrade_database
from rubdown.domain.model import PainQuality, Priority
from rubdown.domain.regions import parse_region
from rubdown.services import daily, season
from rubdown.services.runner import Runner
from rubdown.store import Store, open_store
from tests.pg import fresh_postgres_url
from tests.support.accounts import SERVER_BASE, log_in, make_user
from tests.support.web import TODAY

ALL_LEVELS = {"calendar": True, "wellness": True, "training": True}


@dataclass
class People:
    """The server-mode app, its store (to seed and look), and its users by name."""

    app: FastAPI
    store: Store
    settings: Settings
    ids: dict[str, str] = field(default_factory=dict)  # name -> user ID
    clients: dict[str, TestClient] = field(default_factory=dict)

    def email(self, name: str) -> str:
        return f"{name}@example.org"

    def client(self, name: str | None) -> TestClient:
        """A client logged in as ``name`` (kept for the test), or an anonymous one."""
        if name is None:
            return TestClient(self.app, base_url=SERVER_BASE)
        if name not in self.clients:
            made = TestClient(self.app, base_url=SERVER_BASE)
            log_in(made, self.email(name))
            self.clients[name] = made
        return self.clients[name]

    def share(self, runner: str, therapist: str, levels: Mapping[str, bool] = ALL_LEVELS) -> str:
        """``runner`` shares ``levels`` with ``therapist`` through the API; the grant's id.
        ``therapist`` is a name, or an e-mail address as the runner typed it."""
        email = therapist if "@" in therapist else self.email(therapist)
        answer = self.client(runner).post("/api/grants", json={"therapist_email": email, **levels})
        assert answer.status_code == 201, answer.text
        return str(answer.json()["id"])

    def race_in_pain(self, name: str, race: str, region: str) -> None:
        """Give ``name`` an A race 60 days on and a sharp pain in ``region`` checked in today:
        something on a client's card that sharing shows or hides."""
        with self.runner(name) as runner:
            season.add_race(runner, race, TODAY + dt.timedelta(days=60), Priority.A)
            daily.check_in(runner, TODAY, {}, {parse_region(region): PainQuality.SHARP})

    def forget_grants(self) -> None:
        """Every grant and access-log entry gone: a fresh start for the next test."""
        from rubdown.store import schema as tables

        with self.store._engine.begin() as connection:
            connection.execute(tables.access_log.delete())
            connection.execute(tables.grants.delete())

    @contextmanager
    def runner(self, name: str) -> Iterator[Runner]:
        """The use cases over ``name``'s own data, to seed it."""
        opened = build_app(
            Settings(
                self.settings.home,
                self.settings.database_url,
                owner_id=self.ids[name],
                today=self.settings.today,
            )
        )
        try:
            yield opened
        finally:
            opened.close()


@contextmanager
def people(tmp_path: Path, roles: dict[str, str]) -> Iterator[People]:
    """A server-mode app on a fresh PostgreSQL schema with a user per name in ``roles``."""
    from rubdown.web.app import create_app
    from rubdown.web.deps import close_shared_services

    with fresh_postgres_url() as url:
        settings = Settings(tmp_path / "home", url, today=TODAY, server=True)
        upgrade_database(settings)  # as ``rubdown db upgrade``: a server does not migrate
        store = open_store(url)
        try:
            ids = {
                name: make_user(store, f"{name}@example.org", role).id
                for name, role in roles.items()
            }
            app = create_app(settings)
            try:
                yield People(app, store, settings, ids)
            finally:
                close_shared_services(app.state)
        finally:
            store.close()
