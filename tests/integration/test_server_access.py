"""``rubdown serve`` beyond loopback (issue 11, fault 6): the Host check stays on, every
request needs the access token, and feed URLs come from configuration, never from the
request's ``Host`` header. Also the headers every answer carries (fault 10b) and the API
documentation served from this server's own files (fault 10c).

Through FastAPI's test client: the app is what ``rubdown serve`` runs, and the guard is the
first thing every request meets, so the client's Host header plays any machine on the network.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from rubdown.bootstrap import Settings
from rubdown.errors import InvalidValue
from rubdown.web.app import create_app
from rubdown.web.guard import ACCESS_COOKIE, CSRF_HEADER
from tests.support.web import assert_error

TOKEN = "k3Jq9YpLr2VxW8mTb6NcZ1sHd4Gf7Ae0Qu5Io-_RtPy"
LAN = "http://192.168.1.5:8765"  # this server as another machine on the network reaches it
PUBLIC = "https://runs.example.org"
BEARER = {"Authorization": f"Bearer {TOKEN}"}


def lan_app(settings: Settings, **options: Any) -> FastAPI:
    return create_app(settings, host="0.0.0.0", access_token=TOKEN, **options)


@pytest.fixture
def lan(settings: Settings) -> Iterator[TestClient]:
    with TestClient(lan_app(settings), base_url=LAN) as client:
        yield client


def csrf(client: TestClient, headers: dict[str, str]) -> dict[str, str]:
    token = client.get("/api/session", headers=headers).json()["csrf_token"]
    return {**headers, CSRF_HEADER: token}


# -- the Host check --------------------------------------------------------------------------


@pytest.mark.parametrize("bound", ["0.0.0.0", "192.168.1.5"])
def test_a_foreign_host_is_refused_on_a_non_loopback_bind_even_with_the_token(
    settings: Settings, bound: str
) -> None:
    app = create_app(settings, host=bound, access_token=TOKEN)
    with TestClient(app, base_url=LAN) as client:
        for path in ("/api/profile", "/api/session", "/today", "/feeds/x.ics"):
            answer = client.get(path, headers={**BEARER, "Host": "evil.example"})
            assert_error(answer, 400, "bad_host")


def test_a_rebinding_name_is_refused_but_the_public_url_host_is_let_in(
    settings: Settings,
) -> None:
    with TestClient(lan_app(settings, public_url=PUBLIC), base_url=LAN) as client:
        assert client.get("/api/profile", headers=BEARER).status_code == 200
        public = client.get("/api/profile", headers={**BEARER, "Host": "runs.example.org"})
        assert public.status_code == 200
        rebound = client.get("/api/profile", headers={**BEARER, "Host": "runs.example.org.evil"})
        assert_error(rebound, 400, "bad_host")


def test_on_every_interface_an_address_is_let_in_only_on_a_connection_to_it(
    settings: Settings,
) -> None:
    with TestClient(lan_app(settings), base_url=LAN) as client:  # connected to 192.168.1.5
        assert client.get("/api/profile", headers=BEARER).status_code == 200
        other = client.get("/api/profile", headers={**BEARER, "Host": "10.0.0.9:8765"})
        assert_error(other, 400, "bad_host")


def test_a_specific_bind_answers_only_to_its_own_address_and_loopback(
    settings: Settings,
) -> None:
    app = create_app(settings, host="192.168.1.5", access_token=TOKEN)
    with TestClient(app, base_url=LAN) as client:
        assert client.get("/api/profile", headers=BEARER).status_code == 200
        other = client.get("/api/profile", headers={**BEARER, "Host": "10.0.0.9:8765"})
        assert_error(other, 400, "bad_host")


# -- the access token ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/session"),
        ("GET", "/api/profile"),
        ("POST", "/api/races"),
        ("POST", "/api/feeds/secret"),
        ("GET", "/today"),
        ("GET", "/openapi.json"),
        ("GET", "/docs"),
    ],
)
def test_a_request_without_the_access_token_is_refused_with_401_in_the_error_shape(
    lan: TestClient, method: str, path: str
) -> None:
    answer = lan.request(method, path, json={} if method == "POST" else None)
    assert_error(answer, 401, "unauthorized")
    assert answer.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": "Bearer not-the-token"},
        {"Authorization": f"Basic {TOKEN}"},
        {"Authorization": f"Bearer {TOKEN}x"},
        {"Cookie": f"{ACCESS_COOKIE}=wrong"},
    ],
)
def test_a_wrong_access_token_is_refused(lan: TestClient, headers: dict[str, str]) -> None:
    assert_error(lan.get("/api/profile", headers=headers), 401, "unauthorized")


def test_nothing_is_stored_by_a_change_without_the_access_token(lan: TestClient) -> None:
    race = {"name": "Spring Marathon", "date": "2027-03-14", "priority": "A"}
    assert_error(lan.post("/api/races", json=race), 401, "unauthorized")
    assert lan.get("/api/races", headers=BEARER).json() == {"races": []}


def test_with_the_bearer_token_the_api_reads_and_changes_data(lan: TestClient) -> None:
    race = {"name": "Spring Marathon", "date": "2027-03-14", "priority": "A"}
    added = lan.post("/api/races", json=race, headers=csrf(lan, BEARER))
    assert added.status_code == 201, added.text
    names = [r["name"] for r in lan.get("/api/races", headers=BEARER).json()["races"]]
    assert names == ["Spring Marathon"]


def test_a_change_with_the_token_still_needs_the_csrf_header(lan: TestClient) -> None:
    answer = lan.post("/api/feeds/secret", headers=BEARER)
    assert_error(answer, 403, "csrf")


def test_the_login_link_sets_an_httponly_strict_cookie_that_opens_the_pages(
    lan: TestClient,
) -> None:
    login = lan.get(f"/?token={TOKEN}", follow_redirects=False)
    assert login.status_code == 200
    cookie = login.headers["set-cookie"]
    assert cookie.startswith(f"{ACCESS_COOKIE}=")
    assert "HttpOnly" in cookie
    assert "samesite=strict" in cookie.lower()
    assert 'http-equiv="refresh"' in login.text
    assert login.headers["cache-control"] == "no-store"
    assert lan.get("/today").status_code == 200
    assert lan.get("/api/profile").status_code == 200


def test_a_wrong_login_link_sets_no_cookie(lan: TestClient) -> None:
    login = lan.get("/?token=guess", follow_redirects=False)
    assert_error(login, 401, "unauthorized")
    assert "set-cookie" not in login.headers
    assert_error(lan.get("/today"), 401, "unauthorized")


def test_behind_an_https_public_url_the_login_cookie_is_secure(settings: Settings) -> None:
    with TestClient(lan_app(settings, public_url=PUBLIC), base_url=LAN) as client:
        cookie = client.get(f"/?token={TOKEN}", follow_redirects=False).headers["set-cookie"]
    assert "Secure" in cookie


def test_a_loopback_server_without_a_token_needs_none(settings: Settings) -> None:
    with TestClient(create_app(settings), base_url="http://127.0.0.1:8765") as client:
        assert client.get("/api/profile").status_code == 200


def test_a_malformed_public_url_is_refused_with_one_message(settings: Settings) -> None:
    for text in ("runs.example.org", "ftp://runs.example.org", "https://", "https://h:x/"):
        with pytest.raises(InvalidValue, match="public URL"):
            create_app(settings, host="0.0.0.0", access_token=TOKEN, public_url=text)


# -- the calendar feed -----------------------------------------------------------------------


def new_feed(client: TestClient, headers: dict[str, str]) -> dict[str, str]:
    answer = client.post("/api/feeds/secret", headers=csrf(client, headers))
    assert answer.status_code == 200, answer.text
    return dict(answer.json()["urls"])


def test_a_calendar_feed_needs_only_its_secret_not_the_access_token(lan: TestClient) -> None:
    urls = new_feed(lan, BEARER)
    path = urls["full"].removeprefix("http://192.168.1.5:8765")
    feed = lan.get(path)  # no Authorization header, no cookie: as a calendar app asks
    assert feed.status_code == 200
    assert feed.content.startswith(b"BEGIN:VCALENDAR")
    assert lan.get("/feeds/" + "A" * 43 + ".ics").status_code == 404


def test_the_feed_url_is_built_on_the_public_url_whatever_host_the_request_names(
    settings: Settings,
) -> None:
    with TestClient(lan_app(settings, public_url=PUBLIC + "/rubdown"), base_url=LAN) as client:
        urls = new_feed(client, {**BEARER, "Host": "runs.example.org"})
        forged = new_feed(client, {**BEARER, "Host": "localhost:666"})
    for made in (urls, forged):
        assert made["full"].startswith(f"{PUBLIC}/rubdown/feeds/")
        assert made["busy"].startswith(f"{PUBLIC}/rubdown/feeds/")


def test_without_a_public_url_the_feed_url_names_the_listening_address_not_the_host_header(
    settings: Settings,
) -> None:
    with TestClient(create_app(settings), base_url="http://127.0.0.1:8765") as client:
        forged = {"Host": "localhost:4444"}  # a name the Host check lets through
        urls = new_feed(client, forged)
    assert re.fullmatch(r"http://127\.0\.0\.1:8765/feeds/[\w-]+\.ics", urls["full"])


def test_the_feed_page_shows_the_configured_url(settings: Settings) -> None:
    with TestClient(lan_app(settings, public_url=PUBLIC), base_url=LAN) as client:
        headers = csrf(client, {**BEARER, "Host": "localhost:666"})
        panel = client.post("/ui/feeds/secret", headers=headers)
    assert panel.status_code == 200
    assert f"{PUBLIC}/feeds/" in panel.text
    assert "localhost:666" not in panel.text


# -- headers on every answer (10b) -----------------------------------------------------------


@pytest.mark.parametrize("path", ["/today", "/plan", "/checkin", "/api/profile", "/nowhere"])
def test_pages_and_answers_forbid_framing_sniffing_and_foreign_script(
    settings: Settings, path: str
) -> None:
    with TestClient(create_app(settings), base_url="http://127.0.0.1:8765") as client:
        answer = client.get(path)
    policy = answer.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["referrer-policy"] == "no-referrer"


def test_a_refusal_by_the_guard_carries_the_headers_too(lan: TestClient) -> None:
    answer = lan.get("/today")
    assert answer.status_code == 401
    assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]


@pytest.mark.parametrize("path", ["/today", "/plan", "/checkin", "/load", "/settings", "/feeds"])
def test_no_page_holds_a_script_or_style_the_policy_would_refuse(
    settings: Settings, path: str
) -> None:
    with TestClient(create_app(settings), base_url="http://127.0.0.1:8765") as client:
        html = client.get(path).text
    for script in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in script or 'type="application/json"' in script, script
    assert not re.search(r"\son[a-z]+=|\shx-on|\sstyle=|<style", html)


# -- the API documentation (10c) -------------------------------------------------------------


def test_the_api_docs_load_every_script_and_style_from_this_server(settings: Settings) -> None:
    path = "/docs"
    with TestClient(create_app(settings), base_url="http://127.0.0.1:8765") as client:
        assert client.get("/redoc").status_code == 404  # its ReDoc would fetch a CDN logo
        page = client.get(path)
        assert page.status_code == 200
        assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
        assert assets
        for asset in assets:
            assert asset.startswith("/"), f"{path} loads {asset} from elsewhere"
            assert client.get(asset).status_code == 200, asset
    assert "script-src 'self'" in page.headers["content-security-policy"]
