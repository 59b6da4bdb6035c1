"""``rubdown today``: the day's routines as text and as one JSON document, for a seeded runner
with tools, a desk job, a race, a workout today and a check-in with sore calves and a sharp
left heel."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.e2e.cli import TODAY, Result, rubdown

KINDS = {"warm-up", "massage", "stretch", "break", "drill"}
WHENS = {"pre-run", "post-run", "rest-day", "desk"}
INTENSITIES = {"light", "moderate", "vigorous"}
OWNED = {"roller", "stick", "lacrosse-ball"}

SEED = [
    [
        "profile",
        "set",
        "--owns",
        ",".join(sorted(OWNED)),
        "--desk-job",
        "--conditions",
        "tight-calves",
    ],
    ["race", "add", "--name", "Park 10K", "--date", "2027-01-24", "--priority", "C"],
    ["workout", "add", "--date", TODAY, "--kind", "tempo", "--duration-min", "50"],
    ["checkin", "--date", TODAY, "--sore", "calf=6", "--pain", "left-heel=sharp"],
]


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    made = tmp_path_factory.mktemp("today") / "home"
    for args in SEED:
        result = rubdown(args, home=made)
        assert result.code == 0, f"{args}: {result.err}"
    return made


@pytest.fixture(scope="module")
def document(home: Path) -> dict[str, Any]:
    found: dict[str, Any] = rubdown(["today", "--json"], home=home).document()
    return found


@pytest.fixture(scope="module")
def text(home: Path) -> str:
    result = rubdown(["today"], home=home)
    assert result.code == 0, result.err
    return result.out


def routines_by_when(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {routine["when"]: routine for routine in document["routines"]}


def all_steps(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for routine in document["routines"] for step in routine["steps"]]


def test_the_json_has_the_date_routines_and_warnings(document: dict[str, Any]) -> None:
    assert document["date"] == TODAY
    assert {"date", "routines", "warnings"} <= document.keys()
    assert document["routines"], "a run day with a desk job has routines"
    for routine in document["routines"]:
        assert routine["when"] in WHENS
        assert routine["steps"]
        assert routine["total_s"] == sum(step["seconds"] for step in routine["steps"])


def test_every_step_has_its_kind_move_region_tool_time_intensity_and_cited_rules(
    document: dict[str, Any],
) -> None:
    for step in all_steps(document):
        assert {"kind", "move", "region", "tool", "seconds", "intensity", "rules"} <= step.keys()
        assert step["kind"] in KINDS
        assert step["intensity"] in INTENSITIES
        assert step["move"]
        assert isinstance(step["seconds"], int)
        assert step["seconds"] > 0
        assert step["region"] is None or isinstance(step["region"], str)
        assert step["rules"], f"{step['move']} cites no rule"
        for rule in step["rules"]:
            assert rule["id"]
            assert rule["source"], rule


def test_a_run_day_of_a_desk_worker_has_pre_run_post_run_and_desk_routines(
    document: dict[str, Any],
) -> None:
    assert {"pre-run", "post-run", "desk"} <= routines_by_when(document).keys()
    assert "rest-day" not in routines_by_when(document)


def test_the_pre_run_routine_starts_with_its_warm_up(document: dict[str, Any]) -> None:
    steps = routines_by_when(document)["pre-run"]["steps"]
    assert steps[0]["kind"] == "warm-up"


def test_steps_use_the_runners_own_tools_or_hands(document: dict[str, Any]) -> None:
    used = {step["tool"] for step in all_steps(document)}
    assert used <= OWNED | {"hands"}


def test_the_sharp_heel_is_a_red_flag_warning_citing_x1(document: dict[str, Any]) -> None:
    flagged = [w for w in document["warnings"] if "X1" in {r["id"] for r in w["rules"]}]
    assert flagged, document["warnings"]
    assert any("heel" in w["message"] for w in flagged)


def test_no_massage_step_works_the_flagged_heel(document: dict[str, Any]) -> None:
    heel = {"heel", "left-heel"}
    worked = [
        step["move"]
        for step in all_steps(document)
        if step["kind"] == "massage" and step["region"] in heel
    ]
    assert worked == []


def test_the_text_shows_the_warning_first_then_the_routines_and_the_disclaimer_once(
    text: str, document: dict[str, Any]
) -> None:
    assert "X1" in text
    first_move = document["routines"][0]["steps"][0]["move"]
    assert text.index("X1") < text.index(first_move)
    for when in ("Pre-run", "Post-run", "Desk"):
        assert when in text
    assert text.count("not medical advice") == 1


def test_the_text_shows_each_steps_time_as_minutes_and_seconds(
    text: str, document: dict[str, Any]
) -> None:
    for step in all_steps(document):
        seconds = step["seconds"]
        assert f"{seconds // 60}:{seconds % 60:02d}" in text


def test_routine_picks_one_routine(home: Path) -> None:
    chosen = rubdown(["today", "--routine", "desk", "--json"], home=home).document()
    assert [r["when"] for r in chosen["routines"]] == ["desk"]
    assert chosen["warnings"], "the warnings stay whichever routine is shown"


def test_another_date_gives_that_days_routines(home: Path) -> None:
    # Tuesday: no workout planned, so a rest day (and the desk breaks).
    other = rubdown(["today", "--date", "2027-01-05", "--json"], home=home).document()
    assert other["date"] == "2027-01-05"
    whens = {r["when"] for r in other["routines"]}
    assert "pre-run" not in whens
    assert "rest-day" in whens


def bad(result: Result, code: int, *words: str) -> None:
    line = result.error_line()
    assert result.code == code, line
    for word in words:
        assert word in line


def test_an_unknown_routine_name_is_one_line_and_exit_2(home: Path) -> None:
    result = rubdown(["today", "--routine", "after-lunch"], home=home)
    bad(result, 2, "after-lunch", "pre-run")


def test_a_routine_the_day_does_not_have_is_one_line_and_exit_3(home: Path) -> None:
    result = rubdown(["today", "--date", "2027-01-05", "--routine", "pre-run"], home=home)
    bad(result, 3, "no pre-run routine")


@pytest.mark.parametrize("day", ["2027-02-30", "tomorrow", "2027-1-5x"])
def test_a_malformed_date_is_one_line_and_exit_2(home: Path, day: str) -> None:
    bad(rubdown(["today", "--date", day], home=home), 2, "date")


def test_a_malformed_date_with_json_also_prints_the_error_document(home: Path) -> None:
    result = rubdown(["today", "--date", "2027-02-30", "--json"], home=home)
    assert result.code == 2
    assert result.json()["error"]["code"] == "invalid_date"


def test_start_with_json_is_refused(home: Path) -> None:
    bad(rubdown(["today", "--start", "--json"], home=home), 2, "--start")
