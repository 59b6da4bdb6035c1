"""A response model writes each answer byte for byte as its view built it.

FastAPI sends an answer through its route's response model: Pydantic validates the view and
writes the keys in the model's order, and a field typed ``float`` would turn ``42`` into
``42.0``. Here each view, made over a season with races, a plan, activities, check-ins with
red flags and logged sessions, is written once through its model and once as it is: the
bytes must be the same, so the models document the answers without changing them (the
command line's ``--json`` prints the views as they are).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import TypeAdapter

from rubdown.bootstrap import Settings, build_app
from rubdown.domain.model import SessionKind
from rubdown.services import training_views, views
from rubdown.services.alerts import alerts_view, standing_alerts
from rubdown.services.demo import run_demo
from rubdown.services.importing import import_paths
from rubdown.services.load_series import daily_series
from rubdown.services.loads import current_params
from rubdown.services.planning import check_session, make_plan
from rubdown.services.routine_view import day_routines_view
from rubdown.services.runner import Runner
from rubdown.services.today import day_routines
from rubdown.services.why import explain_day, why_view
from rubdown.store import sqlite_url_for_home
from rubdown.web import responses
from rubdown.web.app import create_app
from rubdown.web.presenters.body_map import body_map_view, heatmap, heatmap_view
from rubdown.web.presenters.load_chart import ChartRange, load_chart
from rubdown.web.presenters.plan_month import month_view, session_detail_view
from tests.support.web import signed_client

TODAY = dt.date(2027, 1, 4)
ACTIVITIES = Path(__file__).parents[1] / "data" / "activities"
FILES = [
    ACTIVITIES / "gpxpy" / "korita-zbevnica.gpx",
    ACTIVITIES / "python-fitparse" / "2019-02-17-062644-ELEMNT-297E-195-0.fit",
    ACTIVITIES / "gpxpy" / "unicode_with_bom.gpx",
]
KINDS = (SessionKind.DEEP_TISSUE, SessionKind.SPORTS, SessionKind.FLUSH)
DAYS = [TODAY + dt.timedelta(days=n) for n in (0, 1, 9, 30, 57, 63)] + [dt.date(2019, 2, 17)]


@pytest.fixture(scope="module")
def runner(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runner]:
    root = tmp_path_factory.mktemp("answers")
    settings = Settings(root / "home", sqlite_url_for_home(root / "home"), today=TODAY)
    app = build_app(settings)
    run_demo(app, root / "demo.ics")
    app.close()
    with signed_client(create_app(settings)) as client:
        for path, body in [
            ("/api/checkins", {"soreness": {"calf": 6}, "pain": {"left-heel": "dull"}}),
            ("/api/checkins", {"signs": {"left-calf": ["swelling"]}, "fatigue": 3}),
            ("/api/log/massage", {"date": "2027-01-02", "kind": "sports", "price": 60}),
            ("/api/log/run", {"date": "2027-01-03", "duration_min": 45, "rpe": 6}),
            ("/api/injuries", {"region": "left-heel", "condition": "plantar-fasciitis"}),
            ("/api/today/pain-flag", {"region": "right-calf", "quality": "sharp"}),
        ]:
            assert client.post(path, json=body).status_code < 300, path
    app = build_app(settings)
    import_paths(app, FILES)
    try:
        yield app
    finally:
        app.close()


def _same_bytes(model: Any, view: Any) -> None:
    typed = TypeAdapter(model)
    written = typed.dump_json(typed.validate_python(view))
    assert written == TypeAdapter(Any).dump_json(view)


# (response model, the views of it to write), over the season above.
CASES: dict[str, Callable[[Runner], tuple[Any, list[Any]]]] = {
    "plan": lambda app: (views.PlanView, [views.plan_view(make_plan(app), app.kb)]),
    "rules": lambda app: (
        views.RuleView,
        [views.rule_view(rule, app.kb) for rule in app.kb.rules.values()],
    ),
    "policies": lambda app: (list[views.PolicyView], [views.policies_view(app.kb)]),
    "timing": lambda app: (views.TimingTableView, [views.timing_table_view(app.kb)]),
    "profile": lambda app: (
        views.ProfileView,
        [views.profile_view(app.profile()), views.profile_view(app.profile(), current_params(app))],
    ),
    "races": lambda app: (views.RaceView, [views.race_view(r) for r in app.data.list_races()]),
    "workouts": lambda app: (
        training_views.WorkoutAnswer,
        [training_views.workout_answer(app, w) for w in app.data.list_workouts()],
    ),
    "activities": lambda app: (
        views.ActivityView,
        [views.activity_view(row) for row in app.data.list_activities(None, None)],
    ),
    "check-ins": lambda app: (
        views.CheckInView,
        [views.checkin_view(c) for c in app.data.list_checkins()],
    ),
    "runs": lambda app: (
        views.ManualRunView,
        [views.manual_run_view(r) for r in app.data.list_manual_runs()],
    ),
    "sessions": lambda app: (
        views.LoggedSessionView,
        [views.logged_session_view(s) for s in app.data.list_sessions()],
    ),
    "verdicts": lambda app: (
        views.VerdictView,
        [
            views.verdict_view(check_session(app, day, kind), app.kb)
            for day in DAYS
            for kind in KINDS
        ],
    ),
    "alerts": lambda app: (
        list[views.AlertView],
        [alerts_view(standing_alerts(app, day)) for day in DAYS],
    ),
    "why": lambda app: (views.WhyView, [why_view(explain_day(app, day), app) for day in DAYS]),
    "today": lambda app: (
        views.DayRoutinesView,
        [day_routines_view(day_routines(app, day), app.kb) for day in DAYS],
    ),
    "load": lambda app: (
        views.LoadView,
        [
            views.load_view(daily_series(app, None, None)),
            views.load_view(daily_series(app, dt.date(2019, 2, 1), dt.date(2019, 3, 1))),
        ],
    ),
    # The files again: the report says they are duplicates.
    "import": lambda app: (views.ImportView, [views.import_view(import_paths(app, FILES))]),
    "body map": lambda app: (
        responses.BodyMapAnswer,
        [body_map_view(day, app.data.checkin_on(day)) for day in DAYS],
    ),
    "heat map": lambda app: (
        responses.HeatmapAnswer,
        [{"weeks": weeks, **heatmap_view(heatmap(app, weeks, TODAY))} for weeks in (1, 6, 26)],
    ),
    "load chart": lambda app: (
        responses.LoadChartAnswer,
        [load_chart(app, preset=r) for r in ChartRange],
    ),
    "plan month": lambda app: (
        responses.PlanMonthAnswer,
        [month_view(app, dt.date(2027, m, 1)) for m in (1, 2, 3)],
    ),
    "planned session": lambda app: (
        responses.SessionDetailAnswer,
        [session_detail_view(app, s.key) for s in make_plan(app).sessions[:12]],
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_a_response_model_writes_the_answer_as_the_view_built_it(runner: Runner, name: str) -> None:
    model, made = CASES[name](runner)
    assert made, f"the season gives no {name} to write"
    for view in made:
        _same_bytes(model, view)
