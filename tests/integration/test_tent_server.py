"""The tent's web app over a real day file: joining, roles, the guard, idempotent actions,
triage referrals, the live board's stream, a restart, and the day's export."""

from __future__ import annotations

import asyncio
import concurrent.futures
import csv
import datetime as dt
import json
import sqlite3
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from rubdown.cli.commands_tent_day import export
from rubdown.domain.tent.day import ActionRecord, Device, NewAction
from rubdown.errors import FileFormatError, InvalidValue, StoreError
from rubdown.services.tent_day import TentDay, read_entries
from rubdown.tentday import open_day
from rubdown.tentday.app import CSRF_HEADER, create_tent_app
from rubdown.tentday.board import BoardFeed
from rubdown.tentday.store import SqliteTentDay
from tests.support.run_async import run_async
from tests.support.tent import StepClock, answers, pins_of, write_entries

BASE = "http://127.0.0.1:8770"


@pytest.fixture
def day(tmp_path: Path) -> TentDay:
    tent_day = open_day(tmp_path / "day.sqlite", StepClock())
    tent_day.load_entries(write_entries(tmp_path))
    return tent_day


def client_for(day: TentDay) -> TestClient:
    return TestClient(create_tent_app(day), base_url=BASE)


def joined(day: TentDay, role: str, table: int | None = None) -> TestClient:
    """A browser-like client that joined with the role's PIN (cookie and CSRF header)."""
    client = client_for(day)
    body: dict[str, Any] = {"pin": pins_of(day)[role]}
    if table is not None:
        body["table"] = table
    response = client.post("/api/join", json=body)
    assert response.status_code == 200, response.text
    assert "token" not in response.json()  # a page's script never sees the token
    client.headers[CSRF_HEADER] = response.json()["csrf"]
    return client


class Keys:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> dict[str, str]:
        self.count += 1
        return {"Idempotency-Key": f"test-key-{self.count:06d}"}


@pytest.fixture
def key() -> Keys:
    return Keys()


def check_in(client: TestClient, key: Keys, **body: Any) -> Any:
    body.setdefault("answers", answers())
    return client.post("/api/actions/checkin", json=body, headers=key())


def test_a_known_bib_checks_in_with_the_entry_lists_name_and_distance(
    day: TentDay, key: Keys
) -> None:
    desk = joined(day, "desk")
    answer = check_in(desk, key, bib="101")
    assert answer.status_code == 200, answer.text
    visit = answer.json()["visit"]
    assert (visit["name"], visit["distance"], visit["state"]) == (
        "Ann Archer",
        "marathon",
        "waiting",
    )
    assert answer.json()["position"] == 1


def test_an_unknown_bib_needs_a_typed_name(day: TentDay, key: Keys) -> None:
    desk = joined(day, "desk")
    refused = check_in(desk, key, bib="999")
    assert refused.status_code == 422
    assert "not on the entry list" in refused.json()["error"]["message"]
    taken = check_in(desk, key, bib="999", name="Eve Evans", distance="5k")
    assert taken.status_code == 200
    assert taken.json()["visit"]["name"] == "Eve Evans"


def test_an_exclusion_sign_refers_to_medical_and_never_joins_the_queue(
    day: TentDay, key: Keys
) -> None:
    desk = joined(day, "desk")
    answer = check_in(desk, key, bib="102", answers=answers("breathing"))
    assert answer.status_code == 200
    body = answer.json()
    assert body["visit"]["state"] == "medical"
    assert body["medical"] == [
        {"sign": "breathing", "question": body["medical"][0]["question"], "rule": "E4"}
    ]
    board = desk.get("/api/board").json()
    assert (board["waiting"], board["medical"]) == (0, 1)


def test_skipping_a_triage_question_is_refused_and_stores_nothing(day: TentDay, key: Keys) -> None:
    desk = joined(day, "desk")
    partial = answers()
    del partial["wound"]
    refused = check_in(desk, key, bib="101", answers=partial)
    assert refused.status_code == 422
    assert day.seq == 0


def test_the_same_idempotency_key_twice_is_one_check_in(day: TentDay) -> None:
    desk = joined(day, "desk")
    headers = {"Idempotency-Key": "retry-of-one-check-in"}
    body = {"bib": "101", "answers": answers()}
    first = desk.post("/api/actions/checkin", json=body, headers=headers)
    again = desk.post("/api/actions/checkin", json=body, headers=headers)
    assert first.status_code == again.status_code == 200
    assert again.json()["replayed"] is True
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["visit"] == first.json()["visit"]
    assert desk.get("/api/board").json()["waiting"] == 1
    assert day.seq == 1


def test_an_action_without_an_idempotency_key_is_refused(day: TentDay) -> None:
    desk = joined(day, "desk")
    refused = desk.post("/api/actions/checkin", json={"bib": "101", "answers": answers()})
    assert refused.status_code == 422
    assert "idempotency key" in refused.json()["error"]["message"]


def test_the_same_bib_from_two_desks_is_refused_the_second_time(day: TentDay, key: Keys) -> None:
    first, second = joined(day, "desk"), joined(day, "desk")
    assert check_in(first, key, bib="101").status_code == 200
    refused = check_in(second, key, bib="101")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "refused"


def test_a_table_calls_the_next_runner_by_priority_and_finishes(day: TentDay, key: Keys) -> None:
    lead = joined(day, "lead")
    configured = lead.post(
        "/api/actions/configure", json={"priorities": ["marathon"], "tables": 4}, headers=key()
    )
    assert configured.status_code == 200
    for bib in ("102", "101"):
        check_in(lead, key, bib=bib)
    table = joined(day, "table", table=3)
    called = table.post("/api/actions/call", json={}, headers=key())
    assert called.json()["visit"]["bib"] == "101"  # the marathoner, though second in
    mine = table.get("/api/table").json()
    assert (mine["table"], mine["visit"]["bib"]) == (3, "101")
    assert mine["due_at"] is not None
    done = table.post("/api/actions/done", json={"visit_id": mine["visit"]["id"]}, headers=key())
    assert done.json()["visit"]["state"] == "done"
    assert table.get("/api/table").json()["visit"] is None


def test_a_call_with_nobody_waiting_answers_no_visit_and_stores_nothing(
    day: TentDay, key: Keys
) -> None:
    table = joined(day, "table", table=1)
    answer = table.post("/api/actions/call", json={}, headers=key())
    assert answer.status_code == 200
    assert answer.json()["visit"] is None
    assert day.seq == 0


def test_a_table_sees_another_tables_runner_as_not_there(day: TentDay, key: Keys) -> None:
    lead = joined(day, "lead")
    check_in(lead, key, bib="101")
    one, two = joined(day, "table", table=1), joined(day, "table", table=2)
    visit_id = one.post("/api/actions/call", json={}, headers=key()).json()["visit"]["id"]
    refused = two.post("/api/actions/done", json={"visit_id": visit_id}, headers=key())
    assert refused.status_code == 404
    assert two.post("/api/actions/call", json={"table": 1}, headers=key()).status_code == 403


@pytest.mark.parametrize(
    ("role", "kind", "body"),
    [
        ("desk", "configure", {"cap_s": 600}),
        ("desk", "call", {"table": 1}),
        ("board", "checkin", {"bib": "101", "answers": answers()}),
        ("table", "checkin", {"bib": "101", "answers": answers()}),
    ],
)
def test_a_device_acting_beyond_its_role_is_refused(
    day: TentDay, key: Keys, role: str, kind: str, body: Mapping[str, Any]
) -> None:
    device = joined(day, role, table=1 if role == "table" else None)
    refused = device.post(f"/api/actions/{kind}", json=body, headers=key())
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "forbidden"
    assert day.seq == 0


def test_only_the_lead_reads_the_queue_with_names(day: TentDay) -> None:
    assert joined(day, "board").get("/api/queue").status_code == 403
    assert joined(day, "lead").get("/api/queue").status_code == 200


def test_a_device_that_has_not_joined_is_refused(day: TentDay, key: Keys) -> None:
    client = client_for(day)
    assert client.get("/api/board").status_code == 401
    assert check_in(client, key, bib="101").status_code == 401
    page = client.get("/desk", follow_redirects=False)
    assert (page.status_code, page.headers["location"]) == (303, "/")


def test_a_wrong_pin_is_refused_and_many_wrong_pins_pause_the_device(day: TentDay) -> None:
    client = client_for(day)
    wrong = "000000" if "000000" not in pins_of(day).values() else "999999"
    assert client.post("/api/join", json={"pin": wrong}).status_code == 401
    for _ in range(10):
        client.post("/api/join", json={"pin": wrong})
    paused = client.post("/api/join", json={"pin": pins_of(day)["lead"]})
    assert paused.status_code == 429


def test_a_table_joins_with_its_number(day: TentDay) -> None:
    client = client_for(day)
    refused = client.post("/api/join", json={"pin": pins_of(day)["table"]})
    assert refused.status_code == 422
    assert "its number" in refused.json()["error"]["message"]


def test_a_one_time_link_joins_once(day: TentDay) -> None:
    code = day.new_link("board")
    first = client_for(day)
    page = first.get(f"/join/{code}")
    assert page.status_code == 200
    assert first.get("/api/me").json()["role"] == "board"
    assert client_for(day).get(f"/join/{code}").status_code == 401


def test_a_browser_change_without_the_csrf_header_is_refused(day: TentDay, key: Keys) -> None:
    desk = joined(day, "desk")
    del desk.headers[CSRF_HEADER]
    refused = check_in(desk, key, bib="101")
    assert refused.status_code == 401
    assert CSRF_HEADER in refused.json()["error"]["message"]
    assert day.seq == 0


def test_a_program_with_the_bearer_token_needs_no_csrf_header(day: TentDay, key: Keys) -> None:
    client = client_for(day)
    token = client.post("/api/join", json={"pin": pins_of(day)["desk"], "want_token": True})
    program = client_for(day)
    program.headers["Authorization"] = f"Bearer {token.json()['token']}"
    assert check_in(program, key, bib="101").status_code == 200


def test_a_cross_site_change_and_a_foreign_host_are_refused(day: TentDay, key: Keys) -> None:
    desk = joined(day, "desk")
    cross = desk.post(
        "/api/actions/checkin",
        json={"bib": "101", "answers": answers()},
        headers={**key(), "Sec-Fetch-Site": "cross-site"},
    )
    assert cross.status_code == 403
    foreign = desk.get("/api/board", headers={"Host": "tent.evil.example"})
    assert foreign.status_code == 400
    assert day.seq == 0


def test_a_body_over_the_limit_is_refused(day: TentDay, key: Keys) -> None:
    desk = joined(day, "desk")
    huge = {"bib": "101", "name": "x" * 70_000, "answers": answers()}
    assert desk.post("/api/actions/checkin", json=huge, headers=key()).status_code == 413


def test_pages_ship_no_inline_script_and_a_strict_policy(day: TentDay) -> None:
    lead = joined(day, "lead")
    for page in ("/desk", "/table?number=1", "/board", "/lead"):
        response = lead.get(page)
        assert response.status_code == 200, page
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
        for tag in response.text.split("<script")[1:]:
            assert tag.split(">", 1)[0].strip().startswith("src="), page
    static = Path(__file__).parents[2] / "src" / "rubdown" / "tentday" / "static"
    for html in static.glob("*.html"):
        assert "http://" not in html.read_text()
        assert "https://" not in html.read_text()


def test_a_store_failure_changes_nothing_and_the_retry_is_stored_once(
    tmp_path: Path, key: Keys
) -> None:
    class Failing(SqliteTentDay):
        fail = False

        def append_many(self, actions: Sequence[NewAction]) -> list[ActionRecord]:
            if self.fail:
                raise StoreError("the disk is full")
            return super().append_many(actions)

    store = Failing(tmp_path / "day.sqlite")
    day = TentDay(store, StepClock())
    desk = joined(day, "desk")
    store.fail = True
    headers = {"Idempotency-Key": "check-in-during-a-disk-fault"}
    body = {"bib": "7", "name": "Fay", "answers": answers()}
    assert desk.post("/api/actions/checkin", json=body, headers=headers).status_code == 503
    assert desk.get("/api/board").json()["waiting"] == 0
    store.fail = False
    assert desk.post("/api/actions/checkin", json=body, headers=headers).status_code == 200
    assert desk.post("/api/actions/checkin", json=body, headers=headers).json()["replayed"]
    assert desk.get("/api/board").json()["waiting"] == 1


def test_a_restart_brings_back_the_queue_and_the_joined_devices(
    tmp_path: Path, day: TentDay, key: Keys
) -> None:
    lead = joined(day, "lead")
    lead.post("/api/actions/configure", json={"priorities": ["marathon"]}, headers=key())
    for bib in ("101", "102", "103", "104"):
        check_in(lead, key, bib=bib)
    check_in(lead, key, bib="105", name="Gil", answers=answers("cold"))
    lead.post("/api/actions/call", json={"table": 1}, headers=key())
    lead.post("/api/actions/call", json={"table": 2}, headers=key())
    before = lead.get("/api/snapshot").json()

    again = open_day(tmp_path / "day.sqlite", StepClock())
    client = client_for(again)
    client.cookies = lead.cookies
    assert client.get("/api/snapshot").json() == before


def test_the_board_streams_a_new_board_after_each_change(day: TentDay, key: Keys) -> None:
    desk = joined(day, "desk")

    async def watch() -> list[dict[str, Any]]:
        feed = BoardFeed(day)
        feed.start(asyncio.get_running_loop())
        stream = feed.stream()
        assert (await anext(stream)).startswith("retry:")
        seen = [_event(await anext(stream))]
        await asyncio.to_thread(check_in, desk, key, bib="101")
        seen.append(_event(await asyncio.wait_for(anext(stream), timeout=5)))
        await stream.aclose()
        feed.close()
        return seen

    first, second = run_async(watch())
    assert (first["waiting"], second["waiting"]) == (0, 1)
    assert second["seq"] == first["seq"] + 1
    assert "Ann Archer" not in json.dumps(second)  # bibs only on the board


def _event(text: str) -> dict[str, Any]:
    data = next(line for line in text.splitlines() if line.startswith("data: "))
    loaded: dict[str, Any] = json.loads(data.removeprefix("data: "))
    return loaded


def test_the_export_writes_a_row_per_visit_and_prints_the_summary(
    tmp_path: Path, day: TentDay, key: Keys
) -> None:
    lead = joined(day, "lead")
    check_in(lead, key, bib="101")
    check_in(lead, key, bib="102", answers=answers("fracture"))
    visit = lead.post("/api/actions/call", json={"table": 1}, headers=key()).json()["visit"]
    lead.post("/api/actions/done", json={"visit_id": visit["id"]}, headers=key())
    out = tmp_path / "day.csv"
    result = CliRunner().invoke(export, ["--day", str(tmp_path / "day.sqlite"), str(out)])
    assert result.exit_code == 0, result.output
    assert "Served 1, to medical 1, no-shows 0" in result.output
    with out.open(encoding="utf-8") as exported:
        rows = list(csv.DictReader(exported))
    assert [(r["bib"], r["outcome"], r["triage_rules"]) for r in rows] == [
        ("101", "done", ""),
        ("102", "medical", "E8"),
    ]
    assert dt.datetime.fromisoformat(rows[0]["done_at"]).tzinfo is not None


def test_entries_read_first_and_last_names_and_ignore_other_columns(tmp_path: Path) -> None:
    path = tmp_path / "results.csv"
    path.write_text("Bib,First Name,Last Name,Race,Finish\n7,Ana,Ruiz,Half,1:40:00\n")
    (entry,) = read_entries(path)
    assert (entry.bib, entry.name, entry.distance) == ("7", "Ana Ruiz", "half")


def test_entries_without_a_bib_column_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "entries.csv"
    path.write_text("name,distance\nAna,10k\n")
    with pytest.raises(FileFormatError, match="bib column"):
        read_entries(path)


def test_a_file_that_is_not_a_tent_day_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "home.sqlite"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE runners (id TEXT)")
    with pytest.raises(FileFormatError, match="not a tent day"):
        SqliteTentDay(other)


def test_many_devices_at_once_are_stored_once_each_in_the_order_applied(tmp_path: Path) -> None:
    day = open_day(tmp_path / "day.sqlite")
    desk = Device("desk-1", "desk", None, "")
    bibs = [str(n) for n in range(400)]

    def send(bib: str) -> int:
        acted = day.act(
            desk, "checkin", {"bib": bib, "name": bib, "answers": answers()}, f"checkin-{bib}"
        )
        assert acted.seq is not None
        return acted.seq

    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        seqs = list(pool.map(send, bibs + bibs[:50]))  # the first 50 sent twice
    assert sorted(seqs[:400]) == list(range(1, 401))
    assert seqs[400:] == seqs[:50]  # a retry answers the first seq
    again = open_day(tmp_path / "day.sqlite")
    assert again.snapshot() == day.snapshot()
    assert [v["bib"] for v in again.snapshot()["visits"]] == [
        v["bib"] for v in day.snapshot()["visits"]
    ]


def test_an_export_to_a_folder_that_is_not_there_is_one_clear_refusal(
    tmp_path: Path, day: TentDay
) -> None:
    out = tmp_path / "missing" / "day.csv"
    result = CliRunner().invoke(export, ["--day", str(tmp_path / "day.sqlite"), str(out)])
    assert result.exit_code != 0
    assert isinstance(result.exception, InvalidValue)
    assert "does not exist" in str(result.exception)
