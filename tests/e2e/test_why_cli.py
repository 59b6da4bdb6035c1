"""``rubdown why DATE``: the load numbers behind "hard day", the check-in, the rules that
fired with their sources, the routines and the plan around the day.

The runner: tools, a desk job and tight calves; an A race in March; six easy runs logged by
hand before today and a hard one today (the load says so); a check-in today with sore calves
and a sharp left heel; a saved plan.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.cli import TODAY, rubdown

EASY_DAYS = ["2026-12-28", "2026-12-29", "2026-12-30", "2026-12-31", "2027-01-01", "2027-01-02"]
EASY_RUN = ("40", "4")  # minutes, RPE: load 40 * 4 / 420 * 100 = 38.1
HARD_RUN = ("60", "8")  # load 60 * 8 / 420 * 100 = 114.3

SEED = [
    [
        "profile",
        "set",
        "--owns",
        "roller,stick",
        "--desk-job",
        "--conditions",
        "tight-calves",
        "--frequency",
        "monthly",
    ],
    ["race", "add", "--name", "Spring Marathon", "--date", "2027-03-14", "--priority", "A"],
    *[
        ["log", "run", "--date", day, "--duration-min", EASY_RUN[0], "--rpe", EASY_RUN[1]]
        for day in EASY_DAYS
    ],
    ["log", "run", "--date", TODAY, "--duration-min", HARD_RUN[0], "--rpe", HARD_RUN[1]],
    ["checkin", "--date", TODAY, "--sore", "calf=6", "--pain", "left-heel=sharp"],
]


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    made = tmp_path_factory.mktemp("why") / "home"
    for args in SEED:
        result = rubdown(args, home=made)
        assert result.code == 0, f"{args}: {result.err}"
    return made


@pytest.fixture(scope="module")
def plan(home: Path) -> dict[str, Any]:
    made: dict[str, Any] = rubdown(["plan", "--json"], home=home).document()
    return made


@pytest.fixture(scope="module")
def today(home: Path, plan: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = rubdown(["why", TODAY, "--json"], home=home).document()
    return found


def rule_ids(rules: list[dict[str, Any]]) -> set[str]:
    return {rule["id"] for rule in rules}


def test_a_hard_run_today_makes_a_hard_day_and_the_json_says_why(today: dict[str, Any]) -> None:
    assert today["date"] == TODAY
    assert today["hard"] is True
    runs = [item for item in today["training"] if item["source"] == "activity"]
    assert len(runs) == 1
    assert runs[0]["hard"] is True
    assert runs[0]["load"] == pytest.approx(114.3, abs=0.1)
    assert "hard day" in today["hard_reason"]


def test_the_load_is_compared_with_the_mean_of_the_28_days_before(today: dict[str, Any]) -> None:
    load = today["load"]
    assert load["load"] == pytest.approx(114.3, abs=0.1)
    assert load["history_days"] == len(EASY_DAYS)
    assert load["history_mean"] == pytest.approx(38.1, abs=0.1)
    assert load["basis"] == "ratio"
    assert load["threshold"] == pytest.approx(1.5 * 38.1, abs=0.2)
    assert load["hard_by_load"] is True
    assert load["long_run"] is False
    assert "1.5 × your usual day" in load["explanation"]


def test_fitness_fatigue_and_form_are_those_of_the_day(today: dict[str, Any]) -> None:
    fitness = today["fitness"]
    assert fitness["load"] == pytest.approx(114.3, abs=0.1)
    # A week of running after nothing: fatigue (7-day) well above fitness (42-day), so the
    # morning's form is negative.
    assert 0 < fitness["ctl"] < fitness["atl"]
    assert fitness["tsb"] < 0


def test_the_check_in_and_its_red_flag_are_shown_with_the_rule_and_its_source(
    today: dict[str, Any],
) -> None:
    assert today["checkin"]["soreness"] == {"calf": 6}
    assert today["checkin"]["pain"] == {"left-heel": "sharp"}
    [flag] = today["red_flags"]
    assert (flag["region"], flag["quality"], flag["since"]) == ("left-heel", "sharp", TODAY)
    assert flag["rules"][0]["id"] == "X1"
    assert flag["rules"][0]["source"]


def test_deep_tissue_and_sports_massage_are_refused_for_the_hard_day_and_the_red_flag(
    today: dict[str, Any],
) -> None:
    verdicts = {v["kind"]: v for v in today["verdicts"]}
    assert set(verdicts) == {"deep-tissue", "sports", "flush"}
    for verdict in verdicts.values():
        assert verdict["allowed"] is False
        assert {"T5", "X1"} <= rule_ids(verdict["rules"])
        assert all(rule["source"] for rule in verdict["rules"])


def test_the_routines_of_the_day_come_with_their_rules_and_the_red_flag_warning(
    today: dict[str, Any],
) -> None:
    whens = [r["when"] for r in today["routines"]]
    assert whens[:2] == ["pre-run", "post-run"]
    assert "desk" in whens
    for routine in today["routines"]:
        for step in routine["steps"]:
            assert step["rules"]
    assert any("X1" in rule_ids(w["rules"]) for w in today["warnings"])


def test_the_red_flag_keeps_post_run_work_moderate_after_the_hard_run(
    today: dict[str, Any],
) -> None:
    post_run = today["post_run_intensity"]
    assert post_run["intensity"] == "moderate"
    assert "X1" in rule_ids(post_run["rules"])


def test_what_the_advice_did_names_the_rules_behind_it(today: dict[str, Any]) -> None:
    fired = set().union(*(rule_ids(item["rules"]) for item in today["consequences"]))
    assert {"T5", "X1"} <= fired
    assert any("no professional session today" in item["message"] for item in today["consequences"])
    assert today["disclaimer"]


def test_a_day_with_a_planned_session_shows_it_with_its_reason_and_rules(
    home: Path, plan: dict[str, Any]
) -> None:
    professional = [s for s in plan["sessions"] if s["professional"]]
    assert professional, plan
    chosen = professional[0]
    found = rubdown(["why", chosen["date"], "--json"], home=home).document()
    [on_day] = [s for s in found["plan"]["on_day"] if s["kind"] == chosen["kind"]]
    assert on_day["reason"] == chosen["reason"]
    assert rule_ids(on_day["rules"]) == rule_ids(chosen["rules"])
    assert any(chosen["reason"] in item["message"] for item in found["consequences"])
    day = dt.date.fromisoformat(chosen["date"])
    for session in found["plan"]["around"]:
        assert abs((dt.date.fromisoformat(session["date"]) - day).days) <= 7
        assert session["date"] != chosen["date"]


def test_a_day_before_any_training_has_no_load_and_no_fitness(home: Path) -> None:
    found = rubdown(["why", "2026-06-01", "--json"], home=home).document()
    assert found["training"] == []
    assert found["load"] is None
    assert found["fitness"] is None
    assert found["hard"] is False
    assert found["checkin"] is None
    assert found["red_flags"] == []
    assert "rest day" in found["hard_reason"]


def test_the_text_explains_the_day_in_sections(home: Path, plan: dict[str, Any]) -> None:
    result = rubdown(["why", TODAY], home=home)
    assert result.code == 0, result.err
    text = result.out
    sections = [
        "Training",
        "Check-in",
        "Professional massage on this day",
        "Self-massage routines",
        "The plan on and around this day",
        "So",
    ]
    positions = [text.index(f"\n{title}\n") for title in sections]
    assert positions == sorted(positions)
    assert "1.5 × your usual day" in text
    assert "CTL" in text
    assert "red flag: sharp pain in the left heel" in text
    assert "(T5, 001; T7, 000)" in text
    assert text.count("not medical advice") == 1


@pytest.mark.parametrize("day", ["2027-02-30", "last-monday", "2027/01/04"])
def test_a_malformed_date_is_one_line_and_exit_2(home: Path, day: str) -> None:
    result = rubdown(["why", day], home=home)
    line = result.error_line()
    assert result.code == 2
    assert day in line


def test_a_missing_date_is_one_line_and_exit_2(home: Path) -> None:
    result = rubdown(["why"], home=home)
    assert result.code == 2
    assert "Missing argument 'DATE'" in result.error_line()


def test_a_malformed_date_with_json_also_prints_the_error_document(home: Path) -> None:
    result = rubdown(["why", "2027-02-30", "--json"], home=home)
    assert result.code == 2
    assert result.json()["error"]["code"] == "invalid_date"
