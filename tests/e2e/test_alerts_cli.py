"""Warning signs through the real ``rubdown checkin --sign``, and the standing alerts that
``today``, ``check``, ``plan``, ``why`` and ``checkin`` print before anything else (and put
first in their ``--json``). "Today" is Monday 2027-01-04 (``cli.TODAY``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.cli import Result, Storage, assert_unchanged

SWOLLEN_AND_STRAINED = "left-calf=swelling+warmth,right-hamstring=strain"
ANSWERS = {
    "today": ("today",),
    "check": ("check", "--date", "2027-01-08", "--kind", "sports", "--regions", "quad"),
    "plan": ("plan", "--to", "2027-02-28"),
    "why": ("why", "2027-01-04"),
}


@pytest.fixture
def sqlite(tmp_path: Path) -> Storage:
    return Storage.sqlite(tmp_path / "home")


def succeeded(result: Result) -> Result:
    assert result.code == 0, f"exit {result.code}; stderr: {result.err!r}"
    return result


# -- checkin --sign ---------------------------------------------------------------------------


def test_checkin_takes_signs_and_prints_the_urgent_clot_warning_first(storage: Storage) -> None:
    result = succeeded(storage.run("checkin", "--sign", SWOLLEN_AND_STRAINED))

    lines = [line for line in result.out.splitlines() if line.strip()]
    assert "URGENT: see a doctor today" in lines[0]
    assert "may be a blood clot" in result.out
    assert result.out.index("URGENT") < result.out.index("Check-in saved for 2027-01-04.")
    assert result.out.index("A fresh strain in the right hamstring") < result.out.index(
        "Check-in saved"
    )
    assert "Warning signs: left calf (swelling, warmth); right hamstring (strain)." in result.out


def test_checkin_json_carries_the_signs_and_the_alerts_first(storage: Storage) -> None:
    document = storage.run("checkin", "--sign", SWOLLEN_AND_STRAINED, "--json").document()

    assert next(iter(document)) == "alerts"
    assert [(a["kind"], a["region"], a["urgent"]) for a in document["alerts"]] == [
        ("clot", "left-calf", True),
        ("fresh-injury", "right-hamstring", False),
    ]
    assert document["signs"] == {
        "left-calf": ["swelling", "warmth"],
        "right-hamstring": ["strain"],
    }
    listed = storage.run("checkin", "--sore", "quad=2", "--date", "2027-01-03", "--json")
    assert [a["kind"] for a in listed.document()["alerts"]] == ["clot", "fresh-injury"]


@pytest.mark.parametrize(
    ("sign", "named"),
    [
        ("left-calf=swollen", "--sign: unknown warning sign for left-calf 'swollen'"),
        ("elbow=bruise", "--sign: unknown body region 'elbow'"),
        ("left-calf=", "--sign: no warning sign for left-calf"),
        ("low-back=redness", "redness in the low back"),
    ],
)
def test_a_bad_sign_fails_in_one_line_with_exit_2_and_stores_nothing(
    sqlite: Storage, sign: str, named: str
) -> None:
    succeeded(sqlite.run("checkin", "--date", "2027-01-01", "--sore", "quad=1"))
    before = sqlite.stored()

    result = sqlite.run("checkin", "--sign", sign)

    assert named in result.error_line()
    assert result.code == 2
    assert_unchanged(before, sqlite.stored())


# -- alerts first in every answer -------------------------------------------------------------


@pytest.fixture
def swollen(sqlite: Storage) -> Storage:
    succeeded(sqlite.run("checkin", "--sign", "left-calf=swelling", "--pain", "right-heel=sharp"))
    return sqlite


@pytest.mark.parametrize("command", sorted(ANSWERS))
def test_each_answer_prints_the_urgent_alert_before_anything_else(
    swollen: Storage, command: str
) -> None:
    result = succeeded(swollen.run(*ANSWERS[command]))

    lines = [line for line in result.out.splitlines() if line.strip()]
    assert "URGENT: see a doctor today" in lines[0], result.out[:400]
    urgent = result.out.index("may be a blood clot")
    assert urgent < result.out.index("Sharp pain in the right heel"), "urgent first"


@pytest.mark.parametrize("command", sorted(ANSWERS))
def test_each_json_answer_leads_with_its_alerts(swollen: Storage, command: str) -> None:
    document = swollen.run(*ANSWERS[command], "--json").document()

    assert next(iter(document)) == "alerts"
    (clot, red) = document["alerts"]
    assert (clot["kind"], clot["urgent"], clot["rule_ids"]) == ("clot", True, ["R5"])
    assert clot["rules"][0]["text"]
    assert clot["rules"][0]["sources"]
    assert (red["kind"], red["region"], red["rule_ids"]) == ("red-flag", "right-heel", ["X1"])


def test_without_a_flag_the_answers_have_an_empty_alert_list_and_no_warning(
    sqlite: Storage,
) -> None:
    document = sqlite.run("today", "--json").document()
    text = succeeded(sqlite.run("today"))

    assert document["alerts"] == []
    assert "URGENT" not in text.out


@pytest.mark.parametrize("answer", ["today", "why"])
def test_a_flag_is_said_once_at_the_top_not_again_in_the_days_advice(
    sqlite: Storage, answer: str
) -> None:
    succeeded(sqlite.run("checkin", "--pain", "left-heel=sharp"))
    text = succeeded(sqlite.run(*ANSWERS[answer])).out
    said = "Sharp pain in the left heel (check-in of Mon 4 Jan)"
    assert text.count(said) == 1, text
    assert text.index(said) < text.index("not medical advice")


def test_check_never_says_no_red_flag_is_near_while_one_stands(sqlite: Storage) -> None:
    succeeded(sqlite.run("checkin", "--pain", "left-heel=sharp"))
    text = succeeded(
        sqlite.run("check", "--date", "2027-01-20", "--kind", "sports", "--regions", "upper-back")
    ).out
    assert "✔ allowed" in text
    assert "red flag nearby" not in text
    assert "stands, away from the regions named (X1, 004)" in text
