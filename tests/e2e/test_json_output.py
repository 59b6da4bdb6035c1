"""Every command and subcommand with ``--json`` prints exactly one JSON document on stdout.

The commands run in the order below against one home, as a runner would use them: each
step finds what the steps before it stored.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.cli import Storage

CLUB_ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//club//plan//EN\r\n"
    "BEGIN:VEVENT\r\nUID:autumn-10k@club.example\r\nDTSTAMP:20270101T000000Z\r\n"
    "SUMMARY:Autumn 10K (C)\r\nDTSTART;VALUE=DATE:20270926\r\nEND:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:tempo-0317@club.example\r\nDTSTAMP:20270101T000000Z\r\n"
    "SUMMARY:Tempo run\r\nDTSTART:20270317T070000Z\r\nDTEND:20270317T080000Z\r\nEND:VEVENT\r\n"
    "END:VCALENDAR\r\n"
)


@dataclass(frozen=True)
class Place:
    storage: Storage
    cwd: Path  # the current directory of every run (the demo writes its calendar here)


@pytest.fixture(scope="module")
def place(tmp_path_factory: pytest.TempPathFactory) -> Place:
    root = tmp_path_factory.mktemp("json-output")
    (root / "club.ics").write_text(CLUB_ICS, encoding="utf-8", newline="")
    return Place(Storage.sqlite(root / "home"), root)


def names(items: list[dict[str, Any]]) -> list[str]:
    return [item["name"] for item in items]


# (command, arguments after the command's name, what the document must say)
STEPS: list[tuple[str, list[str], Callable[[Any], bool]]] = [
    (
        "profile set",
        [
            "--policy",
            "standard",
            "--frequency",
            "weekly",
            "--budget-per-month",
            "300",
            "--session-price",
            "75",
            "--owns",
            "roller,lacrosse-ball",
        ],
        lambda d: d["policy"] == "standard" and d["owns"] == ["lacrosse-ball", "roller"],
    ),
    ("profile show", [], lambda d: d["frequency"] == "weekly" and d["session_price"] == 75),
    (
        "race add",
        [
            "--name",
            "Lakeside Half",
            "--date",
            "2027-03-07",
            "--priority",
            "B",
            "--distance-km",
            "21.1",
        ],
        lambda d: d["name"] == "Lakeside Half" and d["priority"] == "B" and d["id"],
    ),
    ("race list", [], lambda d: names(d["races"]) == ["Lakeside Half"]),
    (
        "race move",
        ["Lakeside Half", "--date", "2027-03-14"],
        lambda d: d["date"] == "2027-03-14",
    ),
    (
        "workout add",
        ["--date", "2027-03-03", "--kind", "tempo", "--duration-min", "50"],
        lambda d: d["kind"] == "tempo" and d["hard"] is True,
    ),
    ("workout list", [], lambda d: [w["date"] for w in d["workouts"]] == ["2027-03-03"]),
    (
        "log massage",
        ["--date", "2027-01-02", "--kind", "sports", "--regions", "calf"],
        lambda d: d["kind"] == "sports" and d["regions"] == ["calf"],
    ),
    ("log", [], lambda d: [s["date"] for s in d["sessions"]] == ["2027-01-02"]),
    ("checkin", ["--sore", "calf=4"], lambda d: d["soreness"] == {"calf": 4}),
    (
        "check",
        ["--date", "2027-03-12", "--kind", "deep-tissue"],
        lambda d: d["allowed"] is False and d["rules"],
    ),
    ("plan", [], lambda d: d["policy"] == "standard" and d["sessions"]),
    ("export ics", ["{cwd}/season.ics"], lambda d: Path(d["path"]).name == "season.ics"),
    (
        "import",
        ["{cwd}/club.ics"],
        lambda d: (
            [(r["date"], r["priority"]) for r in d["races"]] == [("2027-09-26", "C")]
            and [(w["date"], w["kind"]) for w in d["workouts"]] == [("2027-03-17", "tempo")]
        ),
    ),
    ("rules", [], lambda d: "T2" in [r["id"] for r in d["rules"]]),
    ("rules T2", [], lambda d: d["id"] == "T2" and d["sources"]),
    ("race remove", ["Lakeside Half"], lambda d: d["name"] == "Lakeside Half"),
    ("demo", [], lambda d: len(d["checks"]) == 2 and d["plan"]["sessions"]),
]


@pytest.mark.parametrize(
    ("command", "args", "says"),
    [pytest.param(command, args, says, id=command) for command, args, says in STEPS],
)
def test_json_flag_prints_exactly_one_json_document(
    place: Place, command: str, args: list[str], says: Callable[[Any], bool]
) -> None:
    result = place.storage.run(
        *command.split(), *(a.format(cwd=place.cwd) for a in args), "--json", cwd=place.cwd
    )
    document = result.document()
    assert says(document), document
