"""``rubdown tent plan`` as a tent lead types it: the table, --json, --chart, and one line
and a non-zero exit for each bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.cli import rubdown

SMALL = ["tent", "plan", "--finishers", "3000", "--uptake", "15%", "--replications", "4"]


def test_a_plan_from_the_model_prints_the_slots_and_writes_the_chart(tmp_path: Path) -> None:
    chart = tmp_path / "tent.svg"
    result = rubdown(
        [
            *SMALL,
            "--distance",
            "half",
            "--start",
            "08:30",
            "--shifts",
            "09:00-11:30=6",
            "--chart",
            str(chart),
        ],
        home=None,
    )
    assert result.code == 0, result.err
    assert "half model, log-normal" in result.out
    assert "with your shifts:" in result.out
    assert "p90 wait" in result.out
    assert "needed" in result.out
    svg = chart.read_text(encoding="utf-8")
    assert svg.startswith("<svg")
    assert "therapists needed" in svg
    assert "therapists on shift" in svg


def test_the_json_plan_is_one_document_with_its_slots(tmp_path: Path) -> None:
    document = rubdown([*SMALL, "--distance", "10k", "--json"], home=None).document()
    assert document["with_shifts"] is None
    assert document["needed"]["met"] is True
    assert document["needed"]["peak_therapists"] > 0
    assert document["slots"][0]["start"] >= "09:00"
    assert all(
        slot["wait_p90_min"] is None or slot["wait_p90_min"] <= 10 for slot in document["slots"]
    )


def clock(seconds: int) -> str:
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def test_a_results_csv_sets_the_curve(tmp_path: Path) -> None:
    results = tmp_path / "last-year.csv"
    rows = "".join(f"{bib};Runner {bib};{clock(2700 + 9 * bib)}\n" for bib in range(400))
    results.write_text("Startnummer;Name;Netto\n" + rows + "400;Late;DNF\n", encoding="utf-8")
    document = rubdown([*SMALL, "--results", str(results), "--json"], home=None).document()
    assert 'last-year.csv: 400 finish times from column "Netto"' in document["curve"]
    assert "1 rows without a time" in document["curve"]


def bad_csv(tmp_path: Path, text: str) -> str:
    path = tmp_path / "results.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--results", "{tmp}/missing.csv"], "no such file"),
        (["--results", "{csv:bib,name\n1,Ana\n}"], "no finish-time column"),
        (["--results", "{csv:bib,time\n1,DNF\n}"], "no finish times"),
        (["--distance", "half", "--shifts", "9-12=20"], "does not parse"),
        (["--distance", "half", "--shifts", "09:00-12:00=many"], "does not parse"),
        (["--distance", "ultra"], "no model"),
        ([], "give --distance"),
        (["--distance", "half", "--uptake", "lots"], "uptake"),
        (["--distance", "half", "--walk", "15-5"], "walk"),
        (["--distance", "half", "--start", "9am"], "clock time"),
        (["--distance", "half", "--cap", "5"], "time cap"),
    ],
)
def test_bad_input_is_one_line_and_a_non_zero_exit(
    tmp_path: Path, args: list[str], words: str
) -> None:
    filled = []
    for arg in args:
        if arg.startswith("{csv:"):
            arg = bad_csv(tmp_path, arg[len("{csv:") : -1])
        filled.append(arg.replace("{tmp}", str(tmp_path)))
    result = rubdown([*SMALL, *filled], home=None)
    assert words in result.error_line()


def test_bad_input_with_json_is_the_error_document(tmp_path: Path) -> None:
    result = rubdown([*SMALL, "--distance", "half", "--shifts", "nope", "--json"], home=None)
    assert result.code != 0
    assert result.json()["error"]["code"] == "invalid_value"
