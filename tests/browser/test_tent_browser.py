"""``rubdown tent serve`` in a real browser, at tablet and phone width: the desk refers a runner
with a triage sign to medical and queues one without, a table calls the next runner and
finishes, and the board follows the queue live (server-sent events, no reload)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.browser.conftest import SERVER_START_SECONDS, Server, Tab
from tests.support.tent import answers, write_entries

pytestmark = pytest.mark.browser

TABLET = {"width": 768, "height": 1024}
PHONE = {"width": 390, "height": 844}
WIDTHS = [pytest.param(TABLET, id="tablet"), pytest.param(PHONE, id="phone")]
SIGNS = ("collapse", "confusion", "chest_pain", "breathing", "heat", "cold", "wound",
         "fracture", "sharp_pain")  # fmt: skip


@dataclass
class Tent:
    server: Server
    pins: dict[str, str]
    lead_token: str

    def act(self, kind: str, key: str, **body: Any) -> dict[str, Any]:
        with httpx.Client(base_url=self.server.url, timeout=10) as client:
            response = client.post(
                f"/api/actions/{kind}",
                json=body,
                headers={"Idempotency-Key": key, "Authorization": f"Bearer {self.lead_token}"},
            )
        response.raise_for_status()
        answer: dict[str, Any] = response.json()
        return answer


@pytest.fixture
def tent(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Tent]:
    log = tmp_path / "tent.log"
    command = [sys.executable, "-m", "rubdown", "tent", "serve", "--day", str(tmp_path / "day")]
    command += ["--entries", str(write_entries(tmp_path)), "--host", "127.0.0.1", "--port", "0"]
    command += ["--tables", "4", "--no-links"]
    environment = {k: v for k, v in os.environ.items() if not k.startswith("RUBDOWN_")}
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=environment,
            start_new_session=True,
        )
    server = Server(tmp_path, process, log)
    try:
        server.url = _listening(process, log)
        pins = dict(re.findall(r"PIN (\w+): (\d+)", log.read_text()))
        with httpx.Client(base_url=server.url, timeout=10) as client:
            joined = client.post("/api/join", json={"pin": pins["lead"], "want_token": True})
        joined.raise_for_status()
        yield Tent(server, pins, joined.json()["token"])
    finally:
        server.stop(request.node.name)


def _listening(process: subprocess.Popen[bytes], log: Path) -> str:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        found = re.search(r"Uvicorn running on (http://\S+)", log.read_text())
        if found:
            url = found.group(1).rstrip("/")
            try:
                with urllib.request.urlopen(url + "/", timeout=5) as response:
                    if response.status == 200:
                        return url
            except (urllib.error.URLError, OSError):
                pass
        if process.poll() is not None:
            pytest.fail(f"rubdown tent serve exited:\n{log.read_text()}", pytrace=False)
        time.sleep(0.05)
    pytest.fail(f"rubdown tent serve did not start:\n{log.read_text()}", pytrace=False)


def join(tab: Tab, pin: str, table: int | None = None) -> None:
    page = tab.page
    tab.goto("/")
    page.locator("#pin").fill(pin)
    if table is not None:
        page.locator("#table").fill(str(table))
    page.locator("#join-button").click()


def test_the_desk_refers_a_triage_sign_to_medical_and_queues_a_runner_without(
    tent: Tent, new_tab: Callable[..., Tab], viewport: dict[str, int]
) -> None:
    tab = new_tab(tent.server, viewport)
    page = tab.page
    join(tab, tent.pins["desk"])
    page.wait_for_url("**/desk")
    page.locator(".question").first.wait_for()
    assert page.locator(".question").count() == len(SIGNS)

    page.locator("#bib").fill("101")
    page.locator("#bib").dispatch_event("change")
    page.locator("#entry").filter(has_text="Ann Archer").wait_for()
    for sign in SIGNS:
        page.locator(f"#{sign}-{'yes' if sign == 'chest_pain' else 'no'}").check()
    page.locator("#check-in").click()
    result = page.locator("#result.medical")
    result.wait_for()
    assert "MEDICAL" in result.inner_text()
    assert "rule E3" in result.inner_text()
    tab.screenshot(f"tent-desk-medical-{viewport['width']}")

    page.locator("#bib").fill("102")
    for sign in SIGNS:
        page.locator(f"#{sign}-no").check()
    page.locator("#check-in").click()
    queued = page.locator("#result.queued")
    queued.wait_for()
    assert "number 1" in queued.inner_text()
    page.locator("#waiting").filter(has_text="1").wait_for()  # the live count, via SSE
    tab.assert_clean()


def test_a_table_calls_the_next_runner_and_finishes(
    tent: Tent, new_tab: Callable[..., Tab], viewport: dict[str, int]
) -> None:
    tent.act("checkin", "browser-checkin-104", bib="104", answers=answers())
    tab = new_tab(tent.server, viewport)
    page = tab.page
    join(tab, tent.pins["table"], table=2)
    page.wait_for_url("**/table")
    page.locator("#title").filter(has_text="Table 2").wait_for()
    page.locator("#call").click()
    page.locator("#runner").filter(has_text="Bib 104").wait_for()
    assert "Dev Desai" in page.locator("#details").inner_text()
    assert re.fullmatch(r"\d+:\d\d", page.locator("#left").inner_text())
    tab.screenshot(f"tent-table-busy-{viewport['width']}")
    page.locator("#done").click()
    page.locator("#runner").filter(has_text="Free").wait_for()
    assert page.locator("#call").is_enabled()
    tab.assert_clean()


def test_the_board_follows_the_queue_without_a_reload(
    tent: Tent, new_tab: Callable[..., Tab], viewport: dict[str, int]
) -> None:
    tab = new_tab(tent.server, viewport)
    page = tab.page
    join(tab, tent.pins["board"])
    page.wait_for_url("**/board")
    page.locator("#waiting").filter(has_text="0").wait_for()
    assert page.locator("#tables .table").count() == 4
    tent.act("checkin", "browser-checkin-101", bib="101", answers=answers())
    tent.act("checkin", "browser-checkin-103", bib="103", answers=answers())
    page.locator("#waiting").filter(has_text="2").wait_for()
    tent.act("call", "browser-call-table-3", table=3)
    page.locator('#tables .table.busy[data-table="3"]').filter(has_text="Bib 101").wait_for()
    page.locator("#waiting").filter(has_text="1").wait_for()
    assert "Ann Archer" not in page.content()  # bibs only on the board
    tab.screenshot(f"tent-board-{viewport['width']}")
    tab.assert_clean()


@pytest.fixture(params=WIDTHS)
def viewport(request: pytest.FixtureRequest) -> dict[str, int]:
    width: dict[str, int] = request.param
    return width


def test_the_lead_sets_priorities_and_the_cap_and_sees_the_queue(
    tent: Tent, new_tab: Callable[..., Tab], viewport: dict[str, int]
) -> None:
    tent.act("checkin", "browser-checkin-102", bib="102", answers=answers())
    tent.act("checkin", "browser-checkin-101", bib="101", answers=answers())
    tab = new_tab(tent.server, viewport)
    page = tab.page
    join(tab, tent.pins["lead"])
    page.wait_for_url("**/lead")
    page.locator("#queue-total").filter(has_text="2").wait_for()
    page.locator("#priorities").fill("Marathon, 10K")
    page.locator("#cap").fill("8")
    page.locator("#save").click()
    page.locator("#result").filter(has_text="Saved").wait_for()
    # The marathoner moves to the head of the queue, though she came second.
    page.locator("#queue tr:first-child").filter(has_text="Ann Archer").wait_for()
    board = httpx.get(
        f"{tent.server.url}/api/board", headers={"Authorization": f"Bearer {tent.lead_token}"}
    ).json()
    assert (board["priorities"], board["cap_s"]) == (["marathon", "10k"], 480)
    tab.screenshot(f"tent-lead-{viewport['width']}")
    tab.assert_clean()


# -- the plan page (rubdown serve) ------------------------------------------------------------


def _results_file(name: str, rows: list[str]) -> dict[str, Any]:
    text = "\n".join(["bib,chip time", *rows]) + "\n"
    return {"name": name, "mimeType": "text/csv", "buffer": text.encode()}


def test_the_plan_page_takes_a_previous_years_results_as_the_curve(
    new_tab: Callable[..., Tab], shared_server: Server
) -> None:
    tab = new_tab(shared_server, TABLET)
    page = tab.page
    tab.goto("/tent/plan")
    page.fill("#tent-finishers", "2000")
    times = [f"{n},{1 + n // 60}:{n % 60:02d}:00" for n in range(20, 200)]
    page.set_input_files("#tent-results", files=[_results_file("last-year.csv", times)])
    page.click("#tent-form button[type=submit]")
    page.wait_for_selector("#tent-result")
    curve = page.inner_text("#tent-result")
    assert "last-year.csv: 180 finish times" in curve
    assert "rescaled to 2000 finishers" in curve
    assert page.locator("#tent-result svg").count() == 1

    # A bad file: one line saying where, and the plan shown before stays.
    bad = _results_file("bad.csv", ["1,2:00:00", "2,soon"])
    page.set_input_files("#tent-results", files=[bad])
    page.click("#tent-form button[type=submit]")
    page.wait_for_selector("#flash:not([hidden])")
    assert page.inner_text("#flash").startswith('bad.csv, line 3: "soon"')
    assert page.locator("#tent-result").count() == 1
    # The browser and htmx log the refusal's 422 as console errors: the answer expected here.
    refusals = [p for p in tab.problems if "422" in p and "/ui/tent/plan" in p]
    assert refusals
    tab.problems = [p for p in tab.problems if p not in refusals]

    # Without a file the form leads to the plan's link, to share.
    page.set_input_files("#tent-results", files=[])
    page.click("#tent-form button[type=submit]")
    page.wait_for_url(re.compile(r"/tent/plan\?.*finishers=2000"))
    page.wait_for_selector("#tent-result")
    assert "model" in page.inner_text("#tent-result")
    tab.assert_clean()
