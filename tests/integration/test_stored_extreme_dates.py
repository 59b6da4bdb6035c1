"""Rows an older rubdown stored before every way in held dates to 1900-2200: a race, a
workout, a logged session and a run in year 9999 or year 1, put straight into the store as
that version did. Nothing that reads them crashes any more (issue 11, fault 3): the plan
leaves them out and names them in a warning, the calendar export and the feeds leave them
out, the server's plan, Plan page and feeds answer 200, and a profile change or a new run
re-scores loads without tripping over them. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar

from rubdown.bootstrap import Settings, build_app
from rubdown.domain.activity import Activity, Sport
from rubdown.domain.load import load_basis
from rubdown.domain.model import (
    MassageSession,
    Priority,
    Race,
    SessionKind,
    Workout,
    WorkoutKind,
)
from rubdown.services import daily, season
from rubdown.services.feeds import new_feed_secret
from rubdown.services.importing import import_paths
from rubdown.services.planning import export_plan, make_plan
from rubdown.services.reimporting import reimport_all
from rubdown.services.runner import Runner
from rubdown.store.daily_rows import ManualRun
from tests.support.web import opened

TODAY = dt.date(2027, 1, 4)
FAR = (dt.date(9999, 12, 31), dt.date(1, 1, 1))
SPRING = dt.date(2027, 4, 18)


def store_far_rows(app: Runner) -> None:
    """What ``race add``, ``workout add``, ``log massage`` and ``log run`` stored for year 1
    and year 9999 before the date policy (the run as ``log run`` stores it)."""
    owner = app.owner_id
    for day in FAR:
        app.store.add_race(owner, Race("Far Marathon", day, Priority.A, 42.195))
        app.store.add_workout(owner, Workout(day, WorkoutKind.REST))
        app.store.add_workout(owner, Workout(day, WorkoutKind.TEMPO, 60.0))
        app.store.add_session(owner, MassageSession(day, SessionKind.SPORTS, ()))
        start = dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)
        activity = Activity(
            sport=Sport.RUNNING, start=start, duration_s=1800.0, utc_offset_s=0, moving_s=1800.0
        )
        run = ManualRun(
            day=day,
            start=start,
            duration_s=1800.0,
            rpe=5.0,
            given_kind=None,
            kind=WorkoutKind.EASY,
            load=30.0,
            load_method="srpe",
        )
        app.store.add_manual_run(owner, run, load_basis=load_basis(activity).to_dict())


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    settings = Settings(tmp_path / "home", database_url, today=TODAY)
    with opened(settings) as app:
        season.add_race(app, "Spring Marathon", SPRING, Priority.A, 42.195)
        season.add_workout(app, dt.date(2027, 3, 3), WorkoutKind.TEMPO, 60.0)
        season.add_workout(app, dt.date(2027, 4, 17), WorkoutKind.REST)
        store_far_rows(app)
    return settings


@pytest.fixture
def app(settings: Settings) -> Iterator[Runner]:
    opened = build_app(settings)
    try:
        yield opened
    finally:
        opened.close()


def event_days(data: bytes) -> list[dt.date]:
    days = []
    for event in Calendar.from_ical(data).walk("VEVENT"):
        start = event["DTSTART"].dt
        days.append(start.date() if isinstance(start, dt.datetime) else start)
    return days


def test_the_plan_leaves_far_rows_out_and_names_them(app: Runner) -> None:
    plan = make_plan(app)
    assert plan.start == TODAY
    assert plan.end == SPRING + dt.timedelta(days=1)  # the last race inside the years
    (warning,) = [w for w in plan.warnings if "outside the years 1900-2200" in w.message]
    for named in ("'Far Marathon' on 9999-12-31", "'Far Marathon' on 0001-01-01"):
        assert named in warning.message
    assert "a tempo workout on 0001-01-01" in warning.message
    assert "a sports session on 9999-12-31" in warning.message


def test_export_ics_writes_the_season_without_the_far_rows(app: Runner, tmp_path: Path) -> None:
    target = tmp_path / "season.ics"
    export_plan(app, target)
    days = event_days(target.read_bytes())
    assert SPRING in days
    assert dt.date(2027, 4, 17) in days  # the rest day
    assert all(dt.date(1900, 1, 1) <= day <= dt.date(2200, 12, 31) for day in days)


def test_a_profile_change_and_a_new_run_rescore_loads_past_a_far_run(app: Runner) -> None:
    changed = season.update_profile(app, budget_per_month=150.0)
    assert changed.budget_per_month == 150.0
    logged = daily.log_run(app, dt.date(2027, 1, 2), 45.0, 8.0)
    assert logged.run.load > 0
    assert app.profile().budget_per_month == 150.0


@pytest.mark.parametrize(
    "path", ["/api/plan", "/plan", "/api/plan/month", "/ui/plan/month", "/today", "/api/today"]
)
def test_the_server_answers_the_plan_and_today_despite_far_rows(
    client: TestClient, path: str
) -> None:
    response = client.get(path)
    assert response.status_code == 200, response.text


def test_the_server_saves_a_plan_despite_far_rows(client: TestClient) -> None:
    response = client.post("/api/plan", json={})
    assert response.status_code in (200, 201), response.text
    assert "9999" not in "".join(s["date"] for s in response.json()["sessions"])


@pytest.mark.parametrize("suffix", [".ics", "-busy.ics"])
def test_the_calendar_feeds_answer_despite_far_rows(
    client: TestClient, app: Runner, suffix: str
) -> None:
    make_plan(app)
    secret = new_feed_secret(app)
    response = client.get(f"/feeds/{secret}{suffix}")
    assert response.status_code == 200, response.text
    days = event_days(response.content)
    assert SPRING in days
    assert all(dt.date(1900, 1, 1) <= day <= dt.date(2200, 12, 31) for day in days)


FIT = Path(__file__).parents[1] / "data/activities/tormoder-fit/activity-small-fenix2-run.fit"


def test_import_and_reimport_rescore_loads_past_a_far_run(app: Runner, tmp_path: Path) -> None:
    folder = tmp_path / "watch"
    folder.mkdir()
    (folder / FIT.name).write_bytes(FIT.read_bytes())
    report = import_paths(app, [folder], workers=1)
    assert [line.status for line in report.files] == ["imported"]
    again = reimport_all(app)
    assert "failed" not in [line.status for line in again.files]
    loads = {item.local_day: item for item in app.data.stored_loads()}
    assert set(FAR) <= set(loads)  # the far runs are kept, only left out of the refresh
