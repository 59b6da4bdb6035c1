"""Bad input: one line on stderr naming the problem, a non-zero exit, no traceback, and
nothing stored changes.

"Nothing changes" is checked on the full stored state: every row of every table (races,
workouts, the massage log, check-ins, the profile, the saved plan), before and after.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.e2e.cli import Result, Season, Storage, assert_unchanged
from tests.e2e.conftest import Seasons

CUT_OFF_ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//club//plan//EN\r\n"
    "BEGIN:VEVENT\r\nUID:cut@club.example\r\nSUMMARY:Lakeside Half (B)\r\n"
    "DTSTART;VALUE=DATE:20270404\r\n"
)
# One good race, then an event whose date does not exist: the file as a whole is refused.
HALF_VALID_ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//club//plan//EN\r\n"
    "BEGIN:VEVENT\r\nUID:good@club.example\r\nSUMMARY:Autumn Marathon (A)\r\n"
    "DTSTART;VALUE=DATE:20271010\r\nEND:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:bad@club.example\r\nSUMMARY:Tempo run\r\n"
    "DTSTART;VALUE=DATE:20270230\r\nEND:VEVENT\r\n"
    "END:VCALENDAR\r\n"
)

# (test id, arguments, words the one-line message must contain)
BAD_INPUT = [
    (
        "unknown-session-kind-in-check",
        ["check", "--date", "2027-03-09", "--kind", "thai"],
        ["session kind", "thai"],
    ),
    (
        "unknown-session-kind-in-log-massage",
        ["log", "massage", "--date", "2027-01-02", "--kind", "hot-stone"],
        ["session kind", "hot-stone"],
    ),
    (
        "unknown-workout-kind",
        ["workout", "add", "--date", "2027-03-02", "--kind", "jog"],
        ["workout kind", "jog"],
    ),
    (
        "race-date-that-does-not-exist",
        ["race", "add", "--name", "Ghost Race", "--date", "2027-02-30", "--priority", "A"],
        ["2027-02-30"],
    ),
    (
        "workout-date-that-does-not-exist",
        ["workout", "add", "--date", "2027-02-29", "--kind", "easy"],
        ["2027-02-29"],
    ),
    (
        "priority-other-than-a-b-c",
        ["race", "add", "--name", "Ghost Race", "--date", "2027-04-04", "--priority", "D"],
        ["priority", "'D'"],
    ),
    (
        "unknown-policy-next-to-a-valid-frequency",
        ["profile", "set", "--frequency", "weekly", "--policy", "yolo"],
        ["policy", "yolo"],
    ),
    (
        "negative-budget-next-to-a-valid-policy",
        ["profile", "set", "--policy", "cautious", "--budget-per-month", "-5"],
        ["budget", "-5"],
    ),
    ("cut-off-ics", ["import", "{dir}/cut-off.ics"], ["cut-off.ics", "cut off"]),
    (
        "ics-with-one-event-on-a-date-that-does-not-exist",
        ["import", "{dir}/half-valid.ics"],
        ["half-valid.ics", "20270230"],
    ),
    ("missing-ics-file", ["import", "{dir}/missing.ics"], ["missing.ics", "no such file"]),
    ("checkin-unknown-region", ["checkin", "--sore", "toe=3"], ["body region", "'toe'"]),
    ("checkin-soreness-11", ["checkin", "--sore", "calf=11"], ["soreness", "calf", "0-10", "11"]),
    ("checkin-soreness-minus-1", ["checkin", "--sore", "calf=-1"], ["soreness", "calf", "-1"]),
    ("checkin-fatigue-5", ["checkin", "--sore", "calf=2", "--fatigue", "5"], ["fatigue", "5"]),
    (
        "checkin-in-the-future",
        ["checkin", "--date", "2027-01-05", "--sore", "calf=2"],
        ["2027-01-05", "future"],
    ),
    ("checkin-empty", ["checkin", "--note", "nothing else"], ["empty check-in"]),
    ("injury-end-with-none-open", ["injury", "end", "--region", "calf"], ["no open", "calf"]),
    ("profile-max-hr-250", ["profile", "set", "--max-hr", "250"], ["max HR", "120-230", "250"]),
    (
        "profile-threshold-above-max",
        ["profile", "set", "--max-hr", "180", "--threshold-hr", "185"],
        ["threshold HR (185)", "max HR (180)"],
    ),
    (
        "profile-threshold-pace-too-slow",
        ["profile", "set", "--threshold-pace", "12:00"],
        ["threshold pace", "2:30-10:00", "12:00"],
    ),
    (
        "log-run-in-the-future",
        ["log", "run", "--date", "2027-01-05", "--duration-min", "30", "--rpe", "4"],
        ["2027-01-05", "future"],
    ),
    (
        "log-run-rpe-11",
        ["log", "run", "--date", "2027-01-03", "--duration-min", "30", "--rpe", "11"],
        ["RPE", "0-10", "11"],
    ),
    (
        "log-run-duration-0",
        ["log", "run", "--date", "2027-01-03", "--duration-min", "0", "--rpe", "4"],
        ["duration", "1-600", "0"],
    ),
]


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "cut-off.ics").write_text(CUT_OFF_ICS, encoding="utf-8", newline="")
    (tmp_path / "half-valid.ics").write_text(HALF_VALID_ICS, encoding="utf-8", newline="")
    return tmp_path


@pytest.mark.parametrize(
    ("args", "words"),
    [pytest.param(args, words, id=name) for name, args, words in BAD_INPUT],
)
def test_bad_input_fails_in_one_line_naming_the_problem_and_stores_nothing(
    season: Season, files: Path, args: list[str], words: list[str]
) -> None:
    storage = season.storage
    before = storage.stored()
    result = storage.run(*(a.format(dir=files) for a in args))
    line = result.error_line()
    for word in words:
        assert word in line
    assert_unchanged(before, storage.stored())


# (test id, arguments, the error code, words the message must contain)
JSON_ERRORS = [
    (
        "date-that-does-not-exist",
        ["check", "--date", "2027-02-30", "--kind", "sports"],
        None,  # a usage error: any code
        ["2027-02-30"],
    ),
    ("missing-ics-file", ["import", "{dir}/missing.ics"], "bad_file", ["missing.ics"]),
    ("unknown-rule", ["rules", "T99"], "not_found", ["T99"]),
    ("checkin-soreness-11", ["checkin", "--sore", "calf=11"], "invalid_value", ["11"]),
    ("checkin-empty", ["checkin"], "invalid_value", ["empty check-in"]),
    (
        "log-run-in-the-future",
        ["log", "run", "--date", "2027-02-01", "--duration-min", "30", "--rpe", "4"],
        "invalid_date",
        ["2027-02-01"],
    ),
    ("injury-end-with-none-open", ["injury", "end"], "not_found", ["no open injury episode"]),
]


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [pytest.param(args, code, words, id=name) for name, args, code, words in JSON_ERRORS],
)
def test_json_errors_print_an_error_document_on_stdout_and_one_line_on_stderr(
    run: Callable[..., Result], files: Path, args: list[str], code: str | None, words: list[str]
) -> None:
    result = run(*(a.format(dir=files) for a in args), "--json")
    line = result.error_line()
    document = result.json()
    assert set(document) == {"error"}
    assert set(document["error"]) == {"code", "message"}
    assert isinstance(document["error"]["code"], str)
    assert document["error"]["code"]
    if code is not None:
        assert document["error"]["code"] == code
    for word in words:
        assert word in document["error"]["message"]
        assert word in line


def test_export_to_a_path_that_cannot_be_written_fails_in_one_line_and_stores_nothing(
    seasons: Seasons, tmp_path: Path
) -> None:
    storage = Storage.sqlite(tmp_path / "home")
    shutil.copytree(seasons.get("sqlite").storage.home, storage.home)
    (tmp_path / "not-a-folder").write_text("a file, not a folder\n", encoding="utf-8")
    target = tmp_path / "not-a-folder" / "plan.ics"
    before = storage.stored()
    line = storage.run("export", "ics", str(target)).error_line()
    assert str(target) in line
    assert not target.exists()
    assert_unchanged(before, storage.stored())
