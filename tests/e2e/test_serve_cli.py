"""``rubdown serve`` beyond loopback through the real command (issue 11, fault 6): without an
access token it refuses to start, with one line and exit 2; with a token file it serves, and
refuses every request that does not carry the token.

A server started here listens on a port the system picks and is stopped by the test, its
whole process group, whatever the test's outcome.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.cli import TODAY, Result

TOKEN = "Zq8xV2mLk5Ns9Bw3Rt7Yp1Hc4Jd6Gf0Ae-_UoIiPl"
START_SECONDS = 60


def test_serving_beyond_loopback_without_a_token_refuses_with_one_line_and_exit_2(
    run: Callable[..., Result],
) -> None:
    result = run("serve", "--host", "0.0.0.0", "--port", "0")
    line = result.error_line()
    assert result.code == 2
    assert "--token-file" in line
    assert "--new-token" in line
    assert "Uvicorn running" not in result.err + result.out


def test_a_public_url_without_a_token_refuses_even_on_loopback_with_one_line_and_exit_2(
    run: Callable[..., Result],
) -> None:
    # A reverse proxy on this machine would pass the world's requests to a loopback server.
    result = run("serve", "--port", "0", "--public-url", "https://runs.example.org")
    line = result.error_line()
    assert result.code == 2
    assert "runs.example.org" in line
    assert "--token-file" in line


@pytest.mark.parametrize("content", ["", "short", "two words but long enough to pass the size"])
def test_a_token_file_without_a_strong_token_refuses_with_one_line_and_exit_2(
    run: Callable[..., Result], tmp_path: Path, content: str
) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(content + "\n", "utf-8")
    result = run("serve", "--host", "0.0.0.0", "--port", "0", "--token-file", str(token_file))
    assert "token file" in result.error_line()
    assert result.code == 2


def test_a_missing_token_file_refuses_with_one_line_and_exit_2(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    result = run("serve", "--host", "0.0.0.0", "--token-file", str(tmp_path / "nowhere"))
    assert "cannot read the token file" in result.error_line()
    assert result.code == 2


def test_a_malformed_public_url_refuses_with_one_line_and_exit_2(
    run: Callable[..., Result],
) -> None:
    result = run("serve", "--host", "0.0.0.0", "--new-token", "--public-url", "runs.example.org")
    assert "public URL" in result.error_line()
    assert result.code == 2


@contextmanager
def _serve(home: Path, tmp_path: Path, *options: str) -> Iterator[tuple[Path, str]]:
    """``rubdown serve --host 0.0.0.0 --port 0 OPTIONS`` running: (its log, its loopback URL);
    stopped, its whole process group, when the test ends."""
    log = tmp_path / "serve.log"
    environment = {k: v for k, v in os.environ.items() if not k.startswith("RUBDOWN_")}
    environment.update(RUBDOWN_TODAY=TODAY, TZ="UTC", PYTHONUTF8="1", PYTHONUNBUFFERED="1")
    command = [sys.executable, "-m", "rubdown", "--home", str(home), "serve"]
    command += ["--host", "0.0.0.0", "--port", "0", *options]
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=environment,
            start_new_session=True,
        )
    try:
        yield log, _listening_port(process, log)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture
def lan_server(home: Path, tmp_path: Path) -> Iterator[str]:
    """A server beyond loopback with the token in ``TOKEN``; yields its loopback URL."""
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\n", "utf-8")
    with _serve(home, tmp_path, "--token-file", str(token_file)) as (_log, url):
        yield url


def _listening_port(process: subprocess.Popen[bytes], log: Path) -> str:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        text = log.read_text("utf-8", errors="replace")
        found = re.search(r"Uvicorn running on http://0\.0\.0\.0:(\d+)", text)
        if found:
            return f"http://127.0.0.1:{found.group(1)}"
        if process.poll() is not None:
            pytest.fail(f"rubdown serve exited with {process.returncode}:\n{text}")
        time.sleep(0.05)
    pytest.fail(f"rubdown serve did not start:\n{log.read_text('utf-8', errors='replace')}")


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_a_server_beyond_loopback_answers_only_requests_that_carry_its_token(
    lan_server: str,
) -> None:
    status, body = get(f"{lan_server}/api/profile")
    assert status == 401
    assert body["error"]["code"] == "unauthorized"
    status, body = get(f"{lan_server}/api/profile", {"Authorization": "Bearer wrong"})
    assert status == 401
    status, body = get(f"{lan_server}/api/profile", {"Authorization": f"Bearer {TOKEN}"})
    assert status == 200
    assert "policy" in body
    status, body = get(
        f"{lan_server}/api/profile",
        {"Authorization": f"Bearer {TOKEN}", "Host": "evil.example"},
    )
    assert status == 400
    assert body["error"]["code"] == "bad_host"


def test_a_new_token_is_shown_once_with_a_login_link_on_the_port_picked(
    home: Path, tmp_path: Path
) -> None:
    with _serve(home, tmp_path, "--new-token") as (log, url):
        deadline = time.monotonic() + START_SECONDS
        text = ""
        while "sign in a browser with" not in text and time.monotonic() < deadline:
            time.sleep(0.05)
            text = log.read_text("utf-8", errors="replace")
        found = re.search(r"sign in a browser with (http://\S+)/\?token=(\S+)", text)
        assert found, text
        assert found.group(1) == url  # the real port, not the 0 asked for
        token = found.group(2)
        assert text.count(token) == 3  # the token, the header and the link: once each
        with urllib.request.urlopen(f"{url}/?token={token}", timeout=30) as login:
            assert login.status == 200
            assert "HttpOnly" in login.headers["Set-Cookie"]
        status, _body = get(f"{url}/api/profile", {"Authorization": f"Bearer {token}"})
        assert status == 200
