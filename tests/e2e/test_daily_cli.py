"""The daily commands through the real ``rubdown``: check-ins, injury episodes, the profile's
load values, runs logged by hand and the log, on SQLite and PostgreSQL.

"Today" is Monday 2027-01-04 (``cli.TODAY``); every test gets an empty home of its own.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.cli import Result, Storage, assert_unchanged


@pytest.fixture
def sqlite(tmp_path: Path) -> Storage:
    """An empty home on SQLite only: every command starts a process, and the store itself
    is tested on both databases in ``tests/integration/test_store_daily.py``."""
    return Storage.sqlite(tmp_path / "home")


def succeeded(result: Result) -> Result:
    assert result.code == 0, f"exit {result.code}; stderr: {result.err!r}"
    return result


# -- checkin ----------------------------------------------------------------------------------


def test_checkin_records_soreness_pain_fatigue_and_sleep(sqlite: Storage) -> None:
    document = sqlite.run(
        "checkin",
        "--sore",
        "calf=6,left-hamstring=3",
        "--pain",
        "left-heel=sharp",
        "--fatigue",
        "2",
        "--sleep",
        "3",
        "--note",
        "stiff",
        "--json",
    ).document()

    alerts = document.pop("alerts")
    assert [(a["kind"], a["region"], a["rule_ids"]) for a in alerts] == [
        ("red-flag", "left-heel", ["X1"])
    ]
    assert document == {
        "date": "2027-01-04",
        "soreness": {"calf": 6, "left-hamstring": 3},
        "pain": {"left-heel": "sharp"},
        "red_flags": ["left heel (sharp)"],
        "signs": {},
        "warning_signs": [],
        "fatigue": 2,
        "sleep": 3,
        "note": "stiff",
        "replaced": False,
        "merged": False,
    }


def test_a_second_checkin_on_the_same_day_is_merged_into_the_first_and_says_so(
    storage: Storage,
) -> None:
    succeeded(storage.run("checkin", "--date", "2027-01-03", "--sore", "quad=5"))
    storage.run("checkin", "--date", "2027-01-03", "--sore", "calf=5", "--json").document()

    again = succeeded(storage.run("checkin", "--date", "2027-01-03", "--fatigue", "1"))

    assert "merged with the earlier check-in of that day" in again.out
    stored = storage.stored()
    assert len(stored["checkins"]) == 1
    regions = stored["checkin_regions"]  # rows as reprs: the region is one of the values
    assert [("'calf'" in row, "'quad'" in row) for row in regions] == [(True, False), (False, True)]


def test_a_checkin_with_replace_starts_the_day_afresh(storage: Storage) -> None:
    succeeded(storage.run("checkin", "--date", "2027-01-03", "--sore", "quad=5"))

    again = succeeded(storage.run("checkin", "--date", "2027-01-03", "--fatigue", "1", "--replace"))

    assert "replaces the earlier one" in again.out
    stored = storage.stored()
    assert len(stored["checkins"]) == 1
    assert stored["checkin_regions"] == []  # the quad of the replaced check-in went with it


# -- injury -----------------------------------------------------------------------------------


def test_an_injury_episode_is_started_listed_and_ended(storage: Storage) -> None:
    started = storage.run(
        "injury",
        "start",
        "--region",
        "left-heel",
        "--condition",
        "plantar-fasciitis",
        "--date",
        "2026-12-20",
        "--json",
    ).document()
    listed = storage.run("injury", "list", "--json").document()
    ended = storage.run(
        "injury", "end", "--region", "heel", "--helped", "calf raises, night splint", "--json"
    ).document()

    assert started["region"] == "left-heel"
    assert started["condition"] == "plantar-fasciitis"
    assert (started["start"], started["end"], started["open"]) == ("2026-12-20", None, True)
    assert listed == {"injuries": [started]}
    assert ended == {
        **started,
        "end": "2027-01-04",
        "open": False,
        "helped": "calf raises, night splint",
    }
    text = storage.run("injury", "list")
    assert "2026-12-20 to 2027-01-04" in text.out
    assert "calf raises" in text.out


def test_an_episode_ended_by_id_takes_the_given_date(sqlite: Storage) -> None:
    started = sqlite.run(
        "injury", "start", "--region", "knee", "--condition", "runners-knee", "--json"
    ).document()

    ended = sqlite.run(
        "injury", "end", "--id", started["id"][:8], "--date", "2027-01-04", "--json"
    ).document()

    assert (ended["id"], ended["end"]) == (started["id"], "2027-01-04")


def test_ending_an_episode_that_is_not_open_fails_in_one_line_and_stores_nothing(
    storage: Storage,
) -> None:
    started = storage.run(
        "injury", "start", "--region", "calf", "--condition", "tight-calves", "--json"
    ).document()
    succeeded(storage.run("injury", "end", "--id", started["id"]))
    before = storage.stored()

    result = storage.run("injury", "end", "--id", started["id"], "--helped", "rest", "--json")

    line = result.error_line()
    assert "not open" in line
    assert result.json()["error"]["code"] == "invalid_value"
    assert_unchanged(before, storage.stored())


def test_ending_an_episode_before_its_start_fails_in_one_line_and_stores_nothing(
    sqlite: Storage,
) -> None:
    succeeded(
        sqlite.run(
            "injury",
            "start",
            "--region",
            "it-band",
            "--condition",
            "it-band",
            "--date",
            "2027-01-02",
        )
    )
    before = sqlite.stored()

    line = sqlite.run("injury", "end", "--date", "2027-01-01").error_line()

    assert "2027-01-01" in line
    assert "before it started on 2027-01-02" in line
    assert_unchanged(before, sqlite.stored())


# -- profile ----------------------------------------------------------------------------------


def test_profile_set_takes_load_values_and_show_says_which_are_estimated(
    storage: Storage,
) -> None:
    saved = storage.run(
        "profile",
        "set",
        "--max-hr",
        "191",
        "--threshold-pace",
        "4:45",
        "--sex",
        "female",
        "--desk-job",
        "--json",
    ).document()
    shown = storage.run("profile", "show", "--json").document()
    text = storage.run("profile", "show").out

    assert shown == saved
    assert (shown["max_hr_bpm"], shown["threshold_pace_s_per_km"]) == (191, 285)
    assert (shown["resting_hr_bpm"], shown["threshold_hr_bpm"]) == (None, None)
    assert shown["sex"] == "female"
    assert shown["desk_job"] is True
    values = shown["load_values"]
    assert values["estimated"] == ["resting_hr_bpm", "threshold_hr_bpm"]
    assert (values["max_hr_bpm"], values["threshold_pace_s_per_km"]) == (191, 285)
    assert "max HR: 191 bpm (yours)" in text
    assert "threshold pace: 4:45/km (yours)" in text
    assert "resting HR: 60 bpm (estimated)" in text


def test_no_desk_job_turns_the_desk_job_off(sqlite: Storage) -> None:
    succeeded(sqlite.run("profile", "set", "--desk-job"))

    assert sqlite.run("profile", "set", "--no-desk-job", "--json").document()["desk_job"] is False


# -- log run and the log ----------------------------------------------------------------------


def test_log_run_prints_minutes_times_rpe_and_the_project_scale_load(sqlite: Storage) -> None:
    logged = sqlite.run(
        "log",
        "run",
        "--date",
        "2027-01-03",
        "--duration-min",
        "45",
        "--rpe",
        "6",
        "--kind",
        "tempo",
        "--json",
    ).document()
    text = succeeded(
        sqlite.run("log", "run", "--date", "2027-01-02", "--duration-min", "30", "--rpe", "3")
    )

    assert logged["date"] == "2027-01-03"
    assert (logged["duration_min"], logged["rpe"], logged["kind"]) == (45, 6, "tempo")
    assert logged["srpe_units"] == 270
    assert logged["load"] == 64.3  # 270 AU, 60 min at RPE 7 = 100
    assert logged["load_method"] == "srpe"
    assert "90 AU (minutes × RPE), load 21.4" in text.out


def test_the_log_lists_massage_sessions_and_runs_by_date(storage: Storage) -> None:
    succeeded(storage.run("log", "massage", "--date", "2027-01-02", "--kind", "sports"))
    logged = storage.run(
        "log", "run", "--date", "2027-01-01", "--duration-min", "95", "--rpe", "4", "--json"
    ).document()

    document = storage.run("log", "--json").document()
    text = storage.run("log").out.splitlines()

    assert [s["date"] for s in document["sessions"]] == ["2027-01-02"]
    (run,) = document["runs"]
    assert run == {name: value for name, value in logged.items() if name != "detail"}
    assert run["kind"] == "long"  # no kind given: 95 minutes is a long run by load
    assert document["routines"] == []
    assert text[0].startswith("2027-01-01  long run, 95 min at RPE 4")
    assert text[1].startswith("2027-01-02  sports massage")


def test_a_logged_run_is_an_activity_with_its_load(sqlite: Storage) -> None:
    run = sqlite.run(
        "log", "run", "--date", "2027-01-03", "--duration-min", "40", "--rpe", "5", "--json"
    ).document()

    (activity,) = sqlite.run("activities", "--json").document()["activities"]

    assert (activity["id"], activity["date"], activity["sport"]) == (
        run["id"],
        "2027-01-03",
        "running",
    )
    assert activity["load"] == pytest.approx(run["load"], abs=0.05)
