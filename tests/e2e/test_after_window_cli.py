"""A hard session inside the recovery window of a massage before it is flagged where the runner
meets it: ``today``, ``why`` and the plan, each naming the rule.

Today is Monday 2027-01-04 (``tests/e2e/cli.py``). A deep tissue session was had on Sunday; a
tempo run today is one day later, and the standard policy keeps two days between deep work and
a hard workout (M1, T2).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.cli import TODAY, rubdown

SUNDAY = "2027-01-03"


@pytest.fixture
def home(tmp_path: Path) -> Path:
    made = tmp_path / "home"
    for args in (
        ["log", "massage", "--date", SUNDAY, "--kind", "deep-tissue"],
        ["workout", "add", "--date", TODAY, "--kind", "tempo"],
    ):
        result = rubdown(args, home=made)
        assert result.code == 0, f"{args}: {result.err}"
    return made


def rule_ids(rules: list[dict[str, object]]) -> set[object]:
    return {rule["id"] for rule in rules}


def test_adding_the_hard_workout_says_at_once_that_it_falls_in_the_window(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert (
        rubdown(["log", "massage", "--date", SUNDAY, "--kind", "deep-tissue"], home=home).code == 0
    )
    added = rubdown(["workout", "add", "--date", TODAY, "--kind", "intervals"], home=home)
    assert added.code == 0, added.err
    assert "⚠ your intervals workout on Mon 4 Jan is 1 day after your deep tissue on Sun 3 Jan" in (
        added.out
    )
    assert "M1, 001/000" in added.out
    # Two days after deep work is enough under the standard policy: no warning, but the JSON
    # still says so with an empty list.
    document = rubdown(
        ["workout", "add", "--date", "2027-01-05", "--kind", "tempo", "--json"], home=home
    ).document()
    assert document["timing"] == []
    assert document["kind"] == "tempo"


def test_moving_a_hard_workout_out_of_the_window_clears_the_warning(home: Path) -> None:
    listed = rubdown(["workout", "list", "--json"], home=home).document()
    [tempo] = [w for w in listed["workouts"] if w["kind"] == "tempo"]
    moved = rubdown(
        ["workout", "move", tempo["id"], "--date", "2027-01-06", "--json"], home=home
    ).document()
    assert moved["timing"] == []
    back = rubdown(["workout", "move", tempo["id"], "--date", TODAY], home=home)
    assert "1 day after your deep tissue" in back.out


def test_today_says_the_tempo_run_comes_too_soon_after_the_deep_massage(home: Path) -> None:
    document = rubdown(["today", "--json"], home=home).document()
    timing = [w for w in document["warnings"] if "after your deep tissue" in w["message"]]
    assert len(timing) == 1, document["warnings"]
    assert {"M1", "T2"} <= rule_ids(timing[0]["rules"])
    text = rubdown(["today"], home=home).out
    assert "1 day after your deep tissue on Sun 3 Jan" in text


def test_why_names_the_window_among_what_the_advice_did(home: Path) -> None:
    document = rubdown(["why", TODAY, "--json"], home=home).document()
    [found] = document["after_window"]
    assert "standard policy keeps 2 days" in found["message"]
    assert {"M1", "T2"} <= rule_ids(found["rules"])


def test_an_easy_day_after_the_massage_gives_no_such_warning(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert (
        rubdown(["log", "massage", "--date", SUNDAY, "--kind", "deep-tissue"], home=home).code == 0
    )
    assert rubdown(["workout", "add", "--date", TODAY, "--kind", "easy"], home=home).code == 0
    document = rubdown(["today", "--json"], home=home).document()
    assert not [w for w in document["warnings"] if "after your deep tissue" in w["message"]]
    assert rubdown(["why", TODAY, "--json"], home=home).document()["after_window"] == []
