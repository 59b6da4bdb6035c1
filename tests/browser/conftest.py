"""Real-browser fixtures: ``rubdown serve`` in a subprocess, one headless Chromium, watched tabs.

The server is the real command (``python -m rubdown serve --port 0``) over a copy of a home
seeded once per session with the built-in demo season and its plan. The season is seeded on
Monday 4 Jan 2027 (its first week starts that day) and served with "today" pinned to Tuesday
5 Jan, the first intervals day: a run day, so Today shows a post-run routine, and January
holds planned sessions.

The browser is Debian's ``chromium`` (``make browser`` installs it, as root) driven by
Playwright's Python client; Playwright's own browser download is never used. Background
networking is switched off so that Chromium makes no connection of its own. Without
Playwright or Chromium the tests skip with the reason -- except in CI (``CI=true``), where
they must run and so fail, as the PostgreSQL tests do (``tests/pg.py``).

Every tab records what went wrong while it was open: console errors, uncaught exceptions,
failed requests, server errors, and any request to a host that is not this machine.
Screenshots go to ``test-artifacts/screenshots/`` (git-ignored); a failing test leaves a
``failed-<test>.png`` there, and each server's log goes to ``test-artifacts/server-logs/``.
"""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn
from urllib.parse import urlsplit

import pytest

from rubdown.bootstrap import Settings, build_app, upgrade_database
from rubdown.services.demo import load_demo_runner
from rubdown.services.planning import make_plan
from rubdown.store import open_store, sqlite_url_for_home
from tests.pg import fresh_postgres_url
from tests.support.accounts import make_user
from tests.support.browser_team import Team

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Request, Response

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
SERVER_LOGS = ARTIFACTS / "server-logs"

CHROMIUM = Path(os.environ.get("RUBDOWN_TEST_CHROMIUM", "/usr/bin/chromium"))
# Without the background-networking switches Chromium dials out on its own (updates, sync,
# safe browsing), and on a closed network those refused connections end up in the logs.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

SEED_DAY = dt.date(2027, 1, 4)  # a Monday: the demo season's first week starts on it
TODAY = "2027-01-05"  # the Tuesday after: intervals, so Today has a post-run routine
PLANNED_MONTH = "2027-01"  # holds planned sessions (the first deep tissue on 21 Jan)
A_RACE = ("City Marathon", "2027-04-25")  # the demo's goal race, week 16's Sunday
RACES = ("Riverside 10K", "Harbour Half Marathon", "City Marathon")

MOBILE = {"width": 360, "height": 800}
DESKTOP = {"width": 1280, "height": 900}

SERVER_START_SECONDS = 60
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
_LOCAL_SCHEMES = frozenset({"data", "blob", "about"})


def browser_unavailable(reason: str) -> NoReturn:
    """Skip the test, or fail it in CI, where the browser tests are not optional."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI must run the browser tests", pytrace=False)
    pytest.skip(reason)


def is_loopback_url(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in _LOCAL_SCHEMES:
        return True
    return (parts.hostname or "").lower() in LOOPBACK


# -- the server -------------------------------------------------------------------------------

_RUNNING: set[subprocess.Popen[bytes]] = set()


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop the server and anything it started (it leads its own process group)."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        except ProcessLookupError:
            pass
    process.wait()
    _RUNNING.discard(process)


@atexit.register
def _stop_leftovers() -> None:
    # A fixture's own teardown stops its server; this catches an interrupted session.
    for process in list(_RUNNING):
        _stop(process)


@dataclass
class Server:
    """One ``rubdown serve`` over its own copy of the seeded home."""

    home: Path
    process: subprocess.Popen[bytes]
    log: Path  # what the server printed; kept under test-artifacts/server-logs/ when stopped
    url: str = ""  # "http://127.0.0.1:PORT", no trailing slash; set once it listens

    def wait_until_ready(self) -> Server:
        try:
            self.url = _wait_until_listening(self.process, self.log)
            _wait_until_answering(self.url)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self, name: str = "") -> None:
        _stop(self.process)
        if name and self.log.exists():
            SERVER_LOGS.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(self.log, SERVER_LOGS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', name)}.log")


def _server_command(home: Path) -> list[str]:
    command = [sys.executable, "-m", "rubdown", "--home", str(home), "serve", "--port", "0"]
    # setpriv (util-linux) makes the kernel stop the server if this test process dies
    # without running any teardown, e.g. when it is killed.
    setpriv = shutil.which("setpriv")
    if setpriv is not None and sys.platform == "linux":
        return [setpriv, "--pdeathsig", "TERM", "--", *command]
    return command


def launch_server(template: Path, root: Path) -> Server:
    """Copy the seeded ``template`` home and start serving it on a port the system picks;
    returns at once (``Server.wait_until_ready`` waits)."""
    work = root / f"server-{uuid.uuid4().hex[:8]}"
    home = work / "home"
    shutil.copytree(template, home)
    log = work / "serve.log"
    environment = {k: v for k, v in os.environ.items() if not k.startswith("RUBDOWN_")}
    environment.update(RUBDOWN_TODAY=TODAY, TZ="UTC", PYTHONUTF8="1", PYTHONUNBUFFERED="1")
    with log.open("wb") as sink:
        process = subprocess.Popen(
            _server_command(home),
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=environment,
            cwd=work,
            start_new_session=True,
        )
    _RUNNING.add(process)
    return Server(home, process, log)


def _wait_until_listening(process: subprocess.Popen[bytes], log: Path) -> str:
    """The address uvicorn printed: ``--port 0`` lets the system pick a free port."""
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        text = log.read_text("utf-8", errors="replace")
        found = re.search(r"Uvicorn running on (http://\S+)", text)
        if found:
            return found.group(1).rstrip("/")
        if process.poll() is not None:
            pytest.fail(f"rubdown serve exited with {process.returncode}:\n{text}", pytrace=False)
        time.sleep(0.05)
    text = log.read_text("utf-8", errors="replace")
    pytest.fail(f"rubdown serve did not start in {SERVER_START_SECONDS} s:\n{text}", pytrace=False)


def _wait_until_answering(url: str) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while True:
        try:
            with urllib.request.urlopen(f"{url}/api/session", timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            if time.monotonic() > deadline:
                raise
        time.sleep(0.05)


class ServerPool:
    """Hands out fresh servers; the next one starts while the current test runs, so a test
    rarely waits for Python, FastAPI and uvicorn to load."""

    def __init__(self, template: Path, root: Path) -> None:
        self._template = template
        self._root = root
        self._spare: Server | None = None

    def take(self) -> Server:
        server = self._spare or launch_server(self._template, self._root)
        self._spare = None
        server.wait_until_ready()
        self._spare = launch_server(self._template, self._root)
        return server

    def close(self) -> None:
        if self._spare is not None:
            self._spare.stop()
            self._spare = None


@pytest.fixture(scope="session", autouse=True)
def _fresh_failure_screenshots() -> None:
    """Failure screenshots are about this run: drop the ones an earlier run left."""
    for old in SCREENSHOTS.glob("failed-*.png"):
        old.unlink(missing_ok=True)


@pytest.fixture(scope="session")
def template_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home holding the demo season and its stored plan, copied for every server."""
    home = tmp_path_factory.mktemp("template") / "home"
    app = build_app(Settings(home, sqlite_url_for_home(home), today=SEED_DAY))
    try:
        load_demo_runner(app)
        make_plan(app)  # the plan page, the feed and Today's routines read the stored plan
    finally:
        app.close()
    return home


@pytest.fixture(scope="session")
def server_pool(
    template_home: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerPool]:
    pool = ServerPool(template_home, tmp_path_factory.mktemp("served"))
    try:
        yield pool
    finally:
        pool.close()


def _serve(request: pytest.FixtureRequest, pool: ServerPool) -> Iterator[Server]:
    server = pool.take()
    try:
        yield server
    finally:
        server.stop(request.node.name)


@pytest.fixture(scope="module")
def shared_server(request: pytest.FixtureRequest, server_pool: ServerPool) -> Iterator[Server]:
    """One server for a module's tests that only read."""
    yield from _serve(request, server_pool)


@pytest.fixture
def server(request: pytest.FixtureRequest, server_pool: ServerPool) -> Iterator[Server]:
    """A server of its own, for a test that changes data."""
    yield from _serve(request, server_pool)


# -- the browser ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the whole session; each tab gets a fresh context."""
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        browser_unavailable("Playwright's Python client is missing: pip install -e '.[test]'")
    if not CHROMIUM.exists():
        browser_unavailable(f"{CHROMIUM} is missing: `make browser` (as root) installs chromium")
    playwright = sync_playwright().start()
    try:
        try:
            # launch() gives Chromium a new, empty user-data-dir of its own every time.
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, timeout=60_000
            )
        except PlaywrightError as error:
            first_line = str(error).strip().splitlines()[0]
            browser_unavailable(f"{CHROMIUM} did not start: {first_line}")
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()


@dataclass
class Tab:
    """A page in a fresh browser context, pointed at one server, that records its problems."""

    page: Page
    server: Server
    viewport: str  # "mobile" or "desktop"
    problems: list[str] = field(default_factory=list)

    def goto(self, path: str) -> Response:
        response = self.page.goto(self.server.url + path)
        assert response is not None, f"no response for {path}"
        assert response.ok, f"GET {path} answered {response.status}"
        return response

    def settle(self) -> None:
        """Wait until the page has loaded what it loads after the document (HTMX, fetch)."""
        self.page.wait_for_load_state("networkidle")

    def screenshot(self, name: str, *, full_page: bool = True) -> Path:
        """The whole page (or only what the screen shows, for overlays such as the player),
        as ``test-artifacts/screenshots/<name>.png``."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        return path

    def assert_clean(self) -> None:
        """No console error, uncaught exception, failed request or request off this machine."""
        assert not self.problems, "the page had problems:\n" + "\n".join(self.problems)

    # -- what the page reports ---------------------------------------------------------------

    def _console(self, message: ConsoleMessage) -> None:
        where = message.location.get("url", "")
        if message.type == "error":
            self.problems.append(f"console error: {message.text} ({where})")

    def _page_error(self, error: Any) -> None:
        self.problems.append(f"uncaught exception: {error}")

    def _request(self, request: Request) -> None:
        if not is_loopback_url(request.url):
            self.problems.append(f"request off this machine: {request.method} {request.url}")

    def _request_failed(self, request: Request) -> None:
        failure = request.failure or ""
        # A request cut short because the page navigated away is not the app's fault.
        if "ERR_ABORTED" not in failure:
            self.problems.append(f"request failed: {request.method} {request.url}: {failure}")

    def _response(self, response: Response) -> None:
        if response.status >= 500:
            self.problems.append(f"server error {response.status}: {response.url}")


@pytest.fixture
def new_tab(
    browser: Browser, request: pytest.FixtureRequest
) -> Generator[Callable[..., Tab], None, None]:
    """``new_tab(server, viewport=MOBILE)`` -> a watched Tab; closed after the test."""
    contexts: list[tuple[BrowserContext, Tab]] = []

    def open_tab(server: Server, viewport: dict[str, int] = MOBILE) -> Tab:
        context = browser.new_context(viewport=viewport, base_url=server.url)  # type: ignore[arg-type]
        context.set_default_timeout(15_000)
        page = context.new_page()
        tab = Tab(page, server, "mobile" if viewport == MOBILE else "desktop")
        page.on("console", tab._console)
        page.on("pageerror", tab._page_error)
        page.on("request", tab._request)
        page.on("requestfailed", tab._request_failed)
        page.on("response", tab._response)
        contexts.append((context, tab))
        return tab

    yield open_tab
    failed = getattr(request.node, "rep_call", None)
    for number, (context, tab) in enumerate(contexts):
        if failed is not None and failed.failed:
            suffix = f"-{number}" if number else ""
            name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
            # A crashed page has nothing to show; the failure itself says why.
            with contextlib.suppress(Exception):
                tab.screenshot(f"failed-{name}{suffix}")
        context.close()


@pytest.fixture
def tab(new_tab: Callable[..., Tab], server: Server) -> Tab:
    """A phone-sized tab on a server of the test's own."""
    return new_tab(server)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    # Keep the call phase's report on the item, so new_tab's teardown knows a test failed.
    report = yield
    if report.when == "call":
        item.rep_call = report  # type: ignore[attr-defined]
    return report


# -- small page helpers -----------------------------------------------------------------------


def set_control(page: Page, selector: str, value: str) -> None:
    """Set an input, a range slider or a select to ``value`` as a person would: the page
    sees the ``input`` and ``change`` events it listens for."""
    control = page.locator(selector)
    tag = control.evaluate("(e) => e.tagName.toLowerCase() + ':' + (e.type || '')")
    if tag.startswith("select"):
        control.select_option(value)
    elif tag in ("input:range", "input:color"):
        control.evaluate(
            """(e, v) => { e.focus(); e.value = v;
                e.dispatchEvent(new Event('input', {bubbles: true}));
                e.dispatchEvent(new Event('change', {bubbles: true})); }""",
            value,
        )
    else:
        control.fill(value)


def shown_text(page: Page, selector: str) -> str:
    """What a field shows: an input's value, or an element's text."""
    control = page.locator(selector)
    is_field = control.evaluate("(e) => e.tagName === 'INPUT' || e.tagName === 'TEXTAREA'")
    return (control.input_value() if is_field else control.inner_text()).strip()


@pytest.fixture
def team_server(tmp_path: Path) -> Iterator[tuple[Server, dict[str, str]]]:
    """``rubdown serve --server`` on a fresh PostgreSQL schema with Ana (a runner) and Theo
    (a therapist); yields the server and their user ids."""
    with fresh_postgres_url() as url:
        home = tmp_path / f"server-{uuid.uuid4().hex[:8]}" / "home"
        upgrade_database(Settings(home, url, server=True))
        store = open_store(url)
        try:
            ids = {
                name: make_user(store, f"{name}@example.org", role).id
                for name, role in (("ana", "runner"), ("theo", "therapist"))
            }
        finally:
            store.close()
        log = home.parent / "serve.log"
        environment = {k: v for k, v in os.environ.items() if not k.startswith("RUBDOWN_")}
        environment.update(
            RUBDOWN_DATABASE_URL=url,
            RUBDOWN_TODAY=TODAY,
            TZ="UTC",
            PYTHONUTF8="1",
            PYTHONUNBUFFERED="1",
        )
        command = [sys.executable, "-m", "rubdown", "--home", str(home), "serve", "--server"]
        setpriv = shutil.which("setpriv")
        prefix = [setpriv, "--pdeathsig", "TERM", "--"] if setpriv else []
        home.mkdir(parents=True)
        with log.open("wb") as sink:
            process = subprocess.Popen(
                [*prefix, *command, "--port", "0"],
                stdin=subprocess.DEVNULL,
                stdout=sink,
                stderr=subprocess.STDOUT,
                env=environment,
                cwd=home.parent,
                start_new_session=True,
            )
        _RUNNING.add(process)
        server = Server(home, process, log)
        try:
            server.url = _wait_until_listening(process, log)
            yield server, ids
        finally:
            server.stop("team_server")


@pytest.fixture
def team(new_tab: Callable[..., Tab], team_server: tuple[Server, dict[str, str]]) -> Team:
    """Ana and Theo on the ``team_server``, each given a desktop tab of their own when a test
    logs them in (``tests.support.browser_team``)."""
    server, ids = team_server
    return Team(server, ids, lambda: new_tab(server, DESKTOP))
