"""One date policy on the command line: every date option and argument refuses a day outside
the years 1900-2200 (``rubdown.domain.dates``) with one line and exit 2, before anything is
stored; the first and last accepted days are stored as given.

A day in year 1 or 9999 used to be stored and then broke ``plan``, ``export ics`` and every
load refresh from then on (issue 11, fault 3).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from rubdown.bootstrap import DEFAULT_OWNER
from rubdown.domain.model import Priority, Race, Workout, WorkoutKind
from rubdown.store import open_store
from tests.e2e.cli import Result, Season, Storage, assert_unchanged, rubdown
from tests.e2e.conftest import Seasons
from tests.pg import fresh_postgres_url

DAY = "{day}"  # where the date under test goes in each command line

# (test id, the command line with its one date under test)
DATE_OPTIONS = [
    ("race-add", ["race", "add", "--name", "Far Race", "--date", DAY, "--priority", "A"]),
    ("race-move", ["race", "move", "{race}", "--date", DAY]),
    ("race-edit", ["race", "edit", "{race}", "--date", DAY]),
    ("workout-add", ["workout", "add", "--date", DAY, "--kind", "tempo"]),
    ("workout-edit", ["workout", "edit", "{workout}", "--date", DAY]),
    ("workout-move", ["workout", "move", "{workout}", "--date", DAY]),
    ("pattern-from", ["workout", "pattern", "--from", DAY, "--to", "2027-03-01", "tue:tempo"]),
    ("pattern-to", ["workout", "pattern", "--from", "2027-01-04", "--to", DAY, "tue:tempo"]),
    ("recovery-week", ["workout", "recovery-week", DAY]),
    ("log-run", ["log", "run", "--date", DAY, "--duration-min", "30", "--rpe", "5"]),
    ("log-massage", ["log", "massage", "--date", DAY, "--kind", "sports"]),
    ("book", ["book", "--date", DAY, "--kind", "sports"]),
    ("checkin", ["checkin", "--date", DAY, "--sore", "calf=3"]),
    (
        "injury-start",
        ["injury", "start", "--region", "calf", "--condition", "overuse", "--date", DAY],
    ),
    ("injury-end", ["injury", "end", "--region", "calf", "--date", DAY]),
    ("check", ["check", "--date", DAY, "--kind", "sports"]),
    ("plan-from", ["plan", "--from", DAY]),
    ("plan-to", ["plan", "--to", DAY]),
    ("today", ["today", "--date", DAY]),
    ("why", ["why", DAY]),
    ("load-from", ["load", "--from", DAY]),
    ("load-to", ["load", "--to", DAY]),
    ("activities-from", ["activities", "--from", DAY]),
    ("activities-to", ["activities", "--to", DAY]),
    ("wellness-from", ["wellness", "--from", DAY]),
    ("wellness-to", ["wellness", "--to", DAY]),
]
FAR_DAYS = ["0001-01-01", "9999-12-31"]


def _line(args: list[str], day: str, refs: dict[str, str]) -> list[str]:
    return [arg.format(day=day, **refs) for arg in args]


def _refs(season: Season) -> dict[str, str]:
    """The seeded race's and workout's IDs, so a command that names one finds it."""
    return {"race": season.seeded["race A"]["id"], "workout": season.seeded["long run"]["id"]}


def assert_refused(result: Result, day: str) -> None:
    line = result.error_line()
    assert result.code == 2, result.err
    assert day in line, line
    assert "outside the years 1900-2200" in line, line


@pytest.mark.parametrize("day", FAR_DAYS)
@pytest.mark.parametrize(("name", "args"), DATE_OPTIONS, ids=[n for n, _ in DATE_OPTIONS])
def test_every_cli_date_option_refuses_a_far_year_with_one_line_and_stores_nothing(
    seasons: Seasons, name: str, args: list[str], day: str
) -> None:
    season = seasons.get("sqlite")
    storage, refs = season.storage, _refs(season)
    before = storage.stored()
    result = storage.run(*_line(args, day, refs))
    assert_refused(result, day)
    assert_unchanged(before, storage.stored())


STORING_COMMANDS = [
    ("race-add", ["race", "add", "--name", "Edge Race", "--date", DAY, "--priority", "A"]),
    ("log-run", ["log", "run", "--date", DAY, "--duration-min", "30", "--rpe", "5"]),
    ("workout-add", ["workout", "add", "--date", DAY, "--kind", "tempo"]),
]


@pytest.mark.parametrize("day", ["1899-12-31", "2201-01-01"])
@pytest.mark.parametrize(("name", "args"), STORING_COMMANDS, ids=[n for n, _ in STORING_COMMANDS])
def test_the_day_just_outside_the_years_is_refused_on_either_database(
    seasons: Seasons, storage_kind: str, name: str, args: list[str], day: str
) -> None:
    storage = seasons.get(storage_kind).storage
    before = storage.stored()
    assert_refused(storage.run(*_line(args, day, {})), day)
    assert_unchanged(before, storage.stored())


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def storage_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.mark.parametrize("day", ["1900-01-01", "2200-12-31"])
def test_the_first_and_last_accepted_days_are_stored_as_given(
    run: Callable[..., Result], day: str
) -> None:
    race = run("race", "add", "--name", "Edge Race", "--date", day, "--priority", "B", "--json")
    assert race.document()["date"] == day
    assert [r["date"] for r in run("race", "list", "--json").document()["races"]] == [day]
    assert run("plan", "--json").code == 0


def test_a_run_on_the_first_accepted_day_is_logged(run: Callable[..., Result]) -> None:
    first = "1900-01-01"
    logged = run("log", "run", "--date", first, "--duration-min", "30", "--rpe", "5", "--json")
    assert logged.document()["date"] == first
    assert [r["date"] for r in run("log", "--json").document()["runs"]] == [first]


def test_a_pinned_today_outside_the_years_is_refused_with_one_line(tmp_path: Path) -> None:
    result = rubdown(["today"], home=tmp_path / "home", env={"RUBDOWN_TODAY": "9999-12-31"})
    assert_refused(result, "9999-12-31")
    assert "RUBDOWN_TODAY" in result.err


@pytest.fixture
def fresh(storage_kind: str, tmp_path: Path) -> Iterator[Storage]:
    """An empty runner's home on the parametrised database."""
    home = tmp_path / "home"
    if storage_kind == "sqlite":
        yield Storage.sqlite(home)
        return
    with fresh_postgres_url() as url:
        yield Storage("postgres", home, url)


def store_like_an_older_rubdown(storage: Storage) -> None:
    """A race and a rest day in year 9999 and a tempo workout in year 1, put straight into the
    store, as ``race add`` and ``workout add`` stored them before the date policy."""
    store = open_store(storage.database_url)
    try:
        owner = DEFAULT_OWNER
        store.ensure_runner(owner)
        store.add_race(owner, Race("Far Marathon", dt.date(9999, 12, 31), Priority.A, 42.195))
        store.add_workout(owner, Workout(dt.date(9999, 12, 31), WorkoutKind.REST))
        store.add_workout(owner, Workout(dt.date(1, 1, 1), WorkoutKind.TEMPO, 60.0))
    finally:
        store.close()


def test_plan_and_export_ics_run_past_rows_an_older_rubdown_stored_far_away(
    fresh: Storage,
) -> None:
    added = fresh.run(
        "race",
        "add",
        "--name",
        "Spring Marathon",
        "--date",
        "2027-04-18",
        "--priority",
        "A",
        "--json",
    )
    assert added.code == 0, added.err
    store_like_an_older_rubdown(fresh)

    plan = fresh.run("plan")
    assert plan.code == 0, plan.err
    assert "Traceback" not in plan.err
    shown = " ".join(plan.out.split())
    assert "outside the years 1900-2200" in shown
    assert "'Far Marathon' on 9999-12-31" in shown

    target = fresh.home.parent / "season.ics"
    exported = fresh.run("export", "ics", str(target))
    assert exported.code == 0, exported.err
    text = target.read_text(encoding="utf-8")
    assert "Spring Marathon" in text
    assert "9999" not in text
    assert "'Far Marathon' on 9999-12-31" in " ".join(exported.out.split())

    # The far race is still listed, so the runner can see it and take it away.
    races = fresh.run("race", "list", "--json").document()["races"]
    far = next(race for race in races if race["date"] == "9999-12-31")
    assert fresh.run("race", "remove", far["id"]).code == 0


FAR_CALENDAR = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//club//plan//EN\r\n"
    "BEGIN:VEVENT\r\nUID:spring@club.example\r\nSUMMARY:Spring Marathon (A)\r\n"
    "DTSTART;VALUE=DATE:22000906\r\nEND:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:far@club.example\r\nSUMMARY:Far Marathon (A)\r\n"
    "DTSTART;VALUE=DATE:99991231\r\nEND:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:weekly@club.example\r\nSUMMARY:Tempo run\r\n"
    "DTSTART;VALUE=DATE:22001102\r\nRRULE:FREQ=WEEKLY\r\nEND:VEVENT\r\n"
    "END:VCALENDAR\r\n"
)


def test_a_calendar_file_skips_far_events_with_the_reason_and_imports_the_rest(
    fresh: Storage,
) -> None:
    calendar = fresh.home.parent / "club.ics"
    calendar.write_text(FAR_CALENDAR, encoding="utf-8")
    # Late in 2200, so the weekly run's horizon reaches the end of the accepted years.
    env = {**fresh.env, "RUBDOWN_TODAY": "2200-11-01"}
    imported = rubdown(["import", str(calendar)], home=fresh.home, env=env)
    assert imported.code == 0, imported.err
    shown = " ".join(imported.out.split())
    assert "the start 9999-12-31 is outside the years 1900-2200" in shown
    assert "later occurrences are outside the years 1900-2200" in shown

    listed = rubdown(["race", "list", "--json"], home=fresh.home, env=env).document()
    assert [(r["name"], r["date"]) for r in listed["races"]] == [("Spring Marathon", "2200-09-06")]
    workouts = rubdown(["workout", "list", "--json"], home=fresh.home, env=env).document()
    days = sorted(w["date"] for w in workouts["workouts"])
    assert days[0] == "2200-11-02"
    assert days[-1] == "2200-12-28"
    assert len(days) == 9
