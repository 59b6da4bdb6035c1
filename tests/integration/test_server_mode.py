"""``rubdown serve --server``: accounts, sessions and CSRF in the database (PostgreSQL, as
server mode needs). Logging in and out (JSON and the form), log out everywhere, expiry, login
limits, invitations used once, 401 without a session, the feeds still open, admins and roles,
and two app instances sharing only the database: a login through one is good through the
other."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool

from rubdown.bootstrap import Settings, open_store, upgrade_database
from rubdown.domain.accounts import Role, User
from rubdown.store import normalise_url
from rubdown.web.app import create_app
from rubdown.web.guard import CSRF_HEADER, SESSION_COOKIE
from tests.pg import fresh_postgres_url
from tests.support.accounts import PASSWORD, SERVER_BASE, log_in, logged_in_client, make_user
from tests.support.web import TODAY, assert_error


@pytest.fixture(params=[pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url() -> Iterator[str]:
    """Server mode runs on PostgreSQL only (``bootstrap.server_mode_refusal``)."""
    with fresh_postgres_url() as url:
        yield url


RACE = {"name": "Spring Marathon", "date": "2027-03-14", "priority": "A", "distance_km": 42.195}


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Settings:
    settings = Settings(tmp_path / "home", database_url, today=TODAY, server=True)
    upgrade_database(settings)  # a server never migrates on its own
    return settings


@pytest.fixture
def users(server: Settings) -> dict[str, User]:
    with open_store(server.database_url) as store:
        return {
            "ana": make_user(store, "ana@example.org", Role.RUNNER),
            "bo": make_user(store, "bo@example.org", Role.RUNNER),
            "admin": make_user(store, "admin@example.org", Role.ADMIN),
        }


@pytest.fixture
def app(server: Settings) -> FastAPI:
    return create_app(server)


@pytest.fixture
def anonymous(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url=SERVER_BASE, follow_redirects=False) as client:
        yield client


@pytest.fixture
def ana(app: FastAPI, users: dict[str, User]) -> Iterator[TestClient]:
    with logged_in_client(app, "ana@example.org") as client:
        yield client


def test_without_a_session_the_api_answers_401_and_a_page_sends_to_the_login_page(
    anonymous: TestClient, users: dict[str, User]
) -> None:
    assert_error(anonymous.get("/api/profile"), 401, "unauthorized")
    assert_error(anonymous.get("/api/session"), 401, "unauthorized")
    assert_error(anonymous.post("/api/races", json=RACE), 401, "unauthorized")
    page = anonymous.get("/plan?month=2027-03")
    assert page.status_code == 303
    assert page.headers["location"] == "/login?next=/plan%3Fmonth%3D2027-03"


def test_the_login_page_static_files_and_calendar_feeds_need_no_session(
    anonymous: TestClient,
) -> None:
    page = anonymous.get("/login")
    assert page.status_code == 200
    assert '<form method="post" action="/login">' in page.text
    assert "<script>" not in page.text  # the CSP forbids inline script
    assert anonymous.get("/static/css/rubdown.css").status_code == 200
    # An unknown feed secret: the feed's own answer, not the login's.
    assert anonymous.get("/feeds/not-a-secret.ics").status_code == 404


def test_a_runners_calendar_feed_answers_without_a_login(
    ana: TestClient, anonymous: TestClient
) -> None:
    assert ana.post("/api/races", json=RACE).status_code == 201
    urls = ana.post("/api/feeds/secret").json()["urls"]

    feed = anonymous.get(urls["full"].removeprefix(SERVER_BASE))

    assert feed.status_code == 200
    assert "Spring Marathon" in feed.text


def test_requests_that_are_no_ones_make_no_runner(
    server: Settings, ana: TestClient, anonymous: TestClient, users: dict[str, User]
) -> None:
    # A feed request is served through a placeholder runner, and an admin asks for data
    # that is no one's: a server makes its runners with their accounts, never on the way.
    assert anonymous.get("/feeds/not-a-secret.ics").status_code == 404
    with logged_in_client(anonymous.app, "admin@example.org") as admin:
        assert_error(admin.get("/api/profile"), 404, "not_found")
    assert ana.get("/api/profile").status_code == 200
    engine = sa.create_engine(normalise_url(server.database_url), poolclass=NullPool)
    with engine.connect() as connection:
        runners = {row.id for row in connection.execute(sa.text("SELECT id FROM runners"))}
    assert runners == {users["ana"].id, users["bo"].id}


def test_a_page_carries_the_csrf_token_of_the_session_it_was_asked_with(ana: TestClient) -> None:
    page = ana.get("/settings")
    assert page.status_code == 200
    assert f'<meta name="rubdown-csrf" content="{ana.headers[CSRF_HEADER]}"' in page.text


def test_a_login_sets_an_httponly_lax_cookie_and_answers_the_sessions_csrf_token(
    anonymous: TestClient, users: dict[str, User]
) -> None:
    answer = anonymous.post("/api/login", json={"email": "Ana@Example.org", "password": PASSWORD})

    assert answer.status_code == 200
    body = answer.json()
    assert body["user"] == {"email": "ana@example.org", "role": "runner"}
    assert body["csrf_header"] == CSRF_HEADER
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Secure" not in cookie  # plain HTTP: a Secure cookie would never come back
    session = anonymous.get("/api/session").json()
    assert session["csrf_token"] == body["csrf_token"]


def test_the_cookie_is_secure_over_tls(app: FastAPI, users: dict[str, User]) -> None:
    with TestClient(app, base_url="https://127.0.0.1:8765") as client:
        answer = client.post("/api/login", json={"email": "ana@example.org", "password": PASSWORD})
    assert "Secure" in answer.headers["set-cookie"]


def test_each_runner_sees_and_changes_only_their_own_data(
    app: FastAPI, ana: TestClient, users: dict[str, User]
) -> None:
    assert ana.post("/api/races", json=RACE).status_code == 201

    with logged_in_client(app, "bo@example.org") as bo:
        assert bo.get("/api/races").json() == {"races": []}
        race_id = ana.get("/api/races").json()["races"][0]["id"]
        assert_error(bo.delete(f"/api/races/{race_id}"), 404)

    assert [race["name"] for race in ana.get("/api/races").json()["races"]] == [RACE["name"]]


def test_a_change_needs_the_csrf_token_of_its_own_session(
    app: FastAPI, ana: TestClient, users: dict[str, User]
) -> None:
    with logged_in_client(app, "bo@example.org") as bo:
        bos_token = bo.headers[CSRF_HEADER]
    assert_error(ana.post("/api/races", json=RACE, headers={CSRF_HEADER: ""}), 403, "csrf")
    assert_error(ana.post("/api/races", json=RACE, headers={CSRF_HEADER: bos_token}), 403, "csrf")
    cross = ana.post("/api/races", json=RACE, headers={"Origin": "https://evil.example"})
    assert_error(cross, 403, "cross_site")


def test_a_login_from_another_site_is_refused(
    anonymous: TestClient, users: dict[str, User]
) -> None:
    answer = anonymous.post(
        "/api/login",
        json={"email": "ana@example.org", "password": PASSWORD},
        headers={"Sec-Fetch-Site": "cross-site"},
    )
    assert_error(answer, 403, "cross_site")


def test_logout_ends_the_session_and_logout_everywhere_every_session(
    app: FastAPI, users: dict[str, User]
) -> None:
    with (
        logged_in_client(app, "ana@example.org") as phone,
        logged_in_client(app, "ana@example.org") as laptop,
        logged_in_client(app, "ana@example.org") as tablet,
    ):
        assert phone.post("/api/logout").json() == {"sessions_ended": 1}
        assert_error(phone.get("/api/profile"), 401)
        assert laptop.get("/api/profile").status_code == 200

        assert laptop.post("/api/logout-everywhere").json() == {"sessions_ended": 2}
        assert_error(laptop.get("/api/profile"), 401)
        assert_error(tablet.get("/api/profile"), 401)


def test_a_session_idle_too_long_has_ended(
    ana: TestClient, users: dict[str, User], raw: Engine
) -> None:
    with raw.begin() as connection:
        connection.execute(
            sa.text("UPDATE user_sessions SET last_seen_at = :at"),
            {"at": dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(days=15)},
        )
    assert_error(ana.get("/api/profile"), 401)


def test_five_wrong_passwords_lock_the_account_for_a_while_with_a_clear_message(
    anonymous: TestClient, users: dict[str, User]
) -> None:
    wrong = {"email": "ana@example.org", "password": "not the password"}
    for _ in range(5):
        assert_error(anonymous.post("/api/login", json=wrong), 401, "login_refused")

    right = {"email": "ana@example.org", "password": PASSWORD}
    locked = assert_error(anonymous.post("/api/login", json=right), 429, "too_many_attempts")
    assert "wait 15 minutes" in locked["message"]


def test_the_login_form_logs_in_and_returns_to_the_page_asked_for(
    anonymous: TestClient, users: dict[str, User]
) -> None:
    form = {"email": "ana@example.org", "password": "wrong password", "next": "/plan"}
    refused = anonymous.post("/login", data=form)
    assert refused.status_code == 401
    assert "wrong e-mail address or password" in refused.text

    answer = anonymous.post("/login", data={**form, "password": PASSWORD})
    assert answer.status_code == 303
    assert answer.headers["location"] == "/plan"
    assert anonymous.get("/today").status_code == 200

    elsewhere = anonymous.post("/login", data={**form, "password": PASSWORD, "next": "//evil.x"})
    assert elsewhere.headers["location"] == "/today"


def test_two_app_instances_share_sessions_and_csrf_tokens_through_the_database(
    server: Settings, users: dict[str, User]
) -> None:
    with (
        TestClient(create_app(server), base_url=SERVER_BASE) as first,
        TestClient(create_app(server), base_url=SERVER_BASE) as second,
    ):
        token = log_in(first, "ana@example.org")
        second.cookies.set(SESSION_COOKIE, first.cookies[SESSION_COOKIE])

        added = second.post("/api/races", json=RACE, headers={CSRF_HEADER: token})
        assert added.status_code == 201, added.text
        assert first.get("/api/races").json()["races"][0]["name"] == RACE["name"]

        assert second.post("/api/logout", headers={CSRF_HEADER: token}).status_code == 200
        assert_error(first.get("/api/races"), 401)


def test_an_invitation_sets_a_password_once_and_logs_the_new_user_in(
    app: FastAPI, anonymous: TestClient, users: dict[str, User]
) -> None:
    with logged_in_client(app, "admin@example.org") as admin:
        invited = admin.post("/api/admin/users", json={"email": "cy@example.org", "role": "runner"})
    assert invited.status_code == 200, invited.text
    link = invited.json()["invitation_url"]
    assert link.startswith(f"{SERVER_BASE}/invite/")
    path = link.removeprefix(SERVER_BASE)

    assert anonymous.get(path).status_code == 200
    differ = anonymous.post(path, data={"password": PASSWORD, "again": PASSWORD + "!"})
    assert differ.status_code == 422
    accepted = anonymous.post(path, data={"password": PASSWORD, "again": PASSWORD})
    assert accepted.status_code == 303
    assert anonymous.get("/api/session").json()["user"]["email"] == "cy@example.org"

    again = anonymous.post(path, data={"password": "another password", "again": "another password"})
    assert again.status_code == 404
    assert "not valid" in again.text


def test_admins_manage_users_and_see_no_runner_data_and_runners_no_admin_routes(
    app: FastAPI, ana: TestClient, users: dict[str, User]
) -> None:
    assert_error(ana.get("/api/admin/users"), 404)
    assert_error(ana.post(f"/api/admin/users/{users['bo'].id}/disable"), 404)

    with logged_in_client(app, "admin@example.org") as admin:
        listed = admin.get("/api/admin/users").json()["users"]
        assert [user["email"] for user in listed] == [
            "admin@example.org",
            "ana@example.org",
            "bo@example.org",
        ]
        assert_error(admin.get("/api/profile"), 404)
        assert_error(admin.get("/api/races"), 404)

        made = admin.post(
            "/api/admin/users",
            json={"email": "dee@example.org", "role": "therapist", "password": PASSWORD},
        )
        assert made.json()["user"]["role"] == "therapist"
        disabled = admin.post(f"/api/admin/users/{users['ana'].id}/disable")
        assert disabled.json()["disabled_at"] is not None

    assert_error(ana.get("/api/profile"), 401)  # the disabled account's session ended


def test_the_account_routes_document_their_answers(app: FastAPI) -> None:
    document: dict[str, Any] = app.openapi()
    for path in ("/api/login", "/api/logout", "/api/logout-everywhere", "/api/session"):
        for operation in document["paths"][path].values():
            schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
            assert "$ref" in schema, path
            assert "401" in operation["responses"], path
    assert "429" in document["paths"]["/api/login"]["post"]["responses"]
    assert "409" in document["paths"]["/api/admin/users"]["post"]["responses"]
    assert "/login" not in document["paths"]


def test_an_unreachable_database_is_an_error_in_the_api_shape_not_a_crash(
    tmp_path: Path,
) -> None:
    nowhere = "postgresql+psycopg://rubdown@127.0.0.1:1/rubdown"
    app = create_app(Settings(tmp_path / "home", nowhere, today=TODAY, server=True))
    with TestClient(app, base_url=SERVER_BASE, raise_server_exceptions=False) as client:
        client.cookies.set(SESSION_COOKIE, "some-session-token")
        failed = assert_error(client.get("/api/profile"), 500, "store")
    assert "cannot reach the database" in failed["message"]
