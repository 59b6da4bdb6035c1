"""Two ``rubdown checkin`` the same day through the real command line, on SQLite and
PostgreSQL: the second is merged into the first, and ``why`` and ``today`` read both."""

from __future__ import annotations

from tests.e2e.cli import TODAY, Result, Storage

FIRST = ["checkin", "--sore", "calf=6", "--pain", "left-heel=sharp", "--fatigue", "3"]
SECOND = ["checkin", "--sore", "quad=2", "--sleep", "2"]


def succeeded(result: Result) -> Result:
    assert result.code == 0, f"exit {result.code}; stderr: {result.err!r}"
    return result


def test_the_second_checkins_json_holds_both_and_says_it_merged(storage: Storage) -> None:
    first = storage.run(*FIRST, "--note", "stiff", "--json").document()

    second = storage.run(*SECOND, "--note", "better after a walk", "--json").document()

    assert (first["replaced"], first["merged"]) == (False, False)
    assert (second["replaced"], second["merged"]) == (True, True)
    assert second["soreness"] == {"calf": 6, "quad": 2}
    assert second["pain"] == {"left-heel": "sharp"}
    assert second["red_flags"] == ["left heel (sharp)"]
    assert (second["fatigue"], second["sleep"]) == (3, 2)
    assert second["note"] == "stiff / better after a walk"


def test_the_second_checkin_says_it_was_merged(storage: Storage) -> None:
    succeeded(storage.run(*FIRST))

    second = succeeded(storage.run(*SECOND))

    assert "merged with the earlier check-in of that day" in second.out
    assert "replaces" not in second.out


def test_why_and_today_read_both_checkins_of_the_day(storage: Storage) -> None:
    succeeded(storage.run(*FIRST))
    succeeded(storage.run(*SECOND))

    why = storage.run("why", TODAY, "--json").document()
    today = storage.run("today", "--json").document()

    assert why["checkin"]["soreness"] == {"calf": 6, "quad": 2}
    assert why["checkin"]["pain"] == {"left-heel": "sharp"}
    assert [flag["region"] for flag in why["red_flags"]] == ["left-heel"]
    # The first check-in's sharp heel still stops work there (X1) after the second.
    flagged = [w for w in today["warnings"] if "X1" in {r["id"] for r in w["rules"]}]
    assert any("heel" in warning["message"] for warning in flagged), today["warnings"]
