"""The tent's join PINs: shown once, kept only as Argon2id digests, and older day files that
kept them in plain text migrated on open with their PINs still working."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from rubdown.errors import FileFormatError
from rubdown.services.tent_day import ROLES, TentDay
from rubdown.services.tent_pins import PinKdf
from rubdown.tentday import open_day
from rubdown.tentday.app import create_tent_app
from tests.support.tent import StepClock

BASE = "http://127.0.0.1:8770"


def join_status(day: TentDay, pin: str) -> int:
    client = TestClient(create_tent_app(day), base_url=BASE)
    status: int = client.post("/api/join", json={"pin": pin}).status_code
    return status


def meta(path: Path) -> dict[str, str]:
    with sqlite3.connect(path) as db:
        return dict(db.execute("SELECT name, value FROM meta").fetchall())


def test_the_pins_are_shown_once_and_the_file_keeps_only_their_digests(tmp_path: Path) -> None:
    path = tmp_path / "day.sqlite"
    day = open_day(path, StepClock())
    pins = day.first_pins()
    assert sorted(pins) == sorted(ROLES)
    assert len(set(pins.values())) == len(ROLES)
    assert day.first_pins() == {}
    kept = meta(path)
    for pin in pins.values():
        assert pin not in " ".join(kept.values())
        for file in (path, path.with_name(path.name + "-wal")):
            assert pin.encode() not in file.read_bytes()
    again = open_day(path, StepClock())
    assert again.first_pins() == {}  # a restart shows nothing
    assert join_status(again, pins["lead"]) == 200


def test_a_day_file_with_plain_pins_is_migrated_and_its_pins_still_join(tmp_path: Path) -> None:
    path = tmp_path / "day.sqlite"
    open_day(path, StepClock())
    old = {"desk": "111111", "table": "222222", "board": "333333", "lead": "444444"}
    with sqlite3.connect(path) as db:  # as the day files before the digests kept them
        db.execute("DELETE FROM meta WHERE name != 'format'")
        db.executemany("INSERT INTO meta VALUES (?, ?)", [(f"pin:{r}", p) for r, p in old.items()])
    day = open_day(path, StepClock())
    assert not any(name.startswith("pin:") for name in meta(path))
    assert day.first_pins() == old  # shown one last time, as serve used to show them
    assert day.first_pins() == {}
    assert join_status(day, "444444") == 200
    assert join_status(open_day(path, StepClock()), "111111") == 200


def test_new_pins_replace_the_old_and_joined_devices_stay_joined(tmp_path: Path) -> None:
    day = open_day(tmp_path / "day.sqlite", StepClock())
    old = day.first_pins()
    client = TestClient(create_tent_app(day), base_url=BASE)
    assert client.post("/api/join", json={"pin": old["desk"]}).status_code == 200
    new = day.new_pins()
    assert join_status(day, old["desk"]) == 401
    assert join_status(day, new["desk"]) == 200
    assert client.get("/api/me").json()["role"] == "desk"


def test_a_pin_that_is_not_six_digits_is_refused_in_one_line(tmp_path: Path) -> None:
    day = open_day(tmp_path / "day.sqlite", StepClock())
    day.first_pins()
    client = TestClient(create_tent_app(day), base_url=BASE)
    refused = client.post("/api/join", json={"pin": "12345678901234567890"})
    assert refused.status_code == 401
    assert refused.json()["error"]["message"] == "that PIN is not one of this tent's"


def test_the_pin_digest_depends_on_the_days_salt() -> None:
    first, second = PinKdf.new(), PinKdf.new()
    assert first.digest("123456") == PinKdf.stored(first.salt.hex(), first.cost).digest("123456")
    assert first.digest("123456") != second.digest("123456")
    assert first.digest("123456") != first.digest("123457")


@pytest.mark.parametrize(("salt", "cost"), [("zz", "argon2id:m=19456:t=2:p=1"), ("ab" * 16, "md5")])
def test_damaged_pin_settings_are_refused_in_one_line(salt: str, cost: str) -> None:
    with pytest.raises(FileFormatError, match="PIN settings are damaged"):
        PinKdf.stored(salt, cost)
