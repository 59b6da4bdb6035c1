"""A runner's home with a row in as many tables as the use cases fill, and ways to look at
every table at once: for the export, restore and account deletion tests.

``fill`` puts in the sample season (``tests.support.seasons``) and then, through the use
cases the command line calls, a profile, activity files and a Garmin export (activities,
streams, sources, wellness, the kept originals), check-ins with regions and warning signs, an
injury, a routine log, a run logged by hand, a logged and a booked massage, a saved plan with
a pinned session, a feed secret, the therapist's hours, a weekly pattern and a recovery week.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from rubdown.domain.model import Condition, PainQuality, RoutineLog, SessionKind, Sign
from rubdown.domain.regions import parse_region
from rubdown.services import availability, daily, feeds, patterns, season
from rubdown.services.booking import book_session
from rubdown.services.importing import import_paths
from rubdown.services.plan_moves import move_session
from rubdown.services.planning import make_plan
from rubdown.services.runner import Runner
from rubdown.store import schema
from tests.support.seasons import sample_season, store_season

DATA = Path(__file__).resolve().parents[1] / "data"
ACTIVITY_FILES = (
    DATA / "activities" / "python-fitparse" / "garmin-fenix-5-run.fit",
    DATA / "activities" / "gpxpy" / "gpx1.0_with_all_fields.gpx",
    DATA / "exports" / "garmin",
)


def fill(app: Runner) -> None:
    """The runner's home full: see the module's docstring. "Today" must be 2027-01-04."""
    today = app.today()
    season.update_profile(app, name="Ana", session_price=80.0, budget_per_month=200.0)
    store_season(app, sample_season(weeks=8))
    report = import_paths(app, list(ACTIVITY_FILES), workers=1)
    assert not report.failed, report.summary
    yesterday = today - dt.timedelta(days=1)
    calf, hamstring = parse_region("left-calf"), parse_region("hamstring")
    daily.check_in(
        app,
        yesterday,
        {calf: 5, hamstring: 3},
        {calf: PainQuality.DULL},
        "stiff after the long run",
        fatigue=2,
        sleep=3,
        signs={hamstring: [Sign.BRUISE]},
    )
    daily.check_in(app, today, {parse_region("quad"): 2}, {}, "")
    daily.start_injury(app, calf, Condition.TIGHT_CALVES, yesterday)
    daily.log_routine(
        app,
        RoutineLog(
            yesterday,
            "post-run",
            dt.datetime(2027, 1, 3, 9, 30, 15, 123456, tzinfo=dt.UTC),
            5,
            1,
            412.5,
            False,
        ),
    )
    daily.log_run(app, yesterday - dt.timedelta(days=1), 45.0, 6.0)
    season.log_massage(app, yesterday, SessionKind.SPORTS, (calf,), note="sore")
    availability.set_therapist_hours(app, availability.hours_from_text("tue 09:00-17:00"))
    patterns.create_pattern(
        app, dt.date(2027, 3, 1), dt.date(2027, 3, 28), "tue:tempo thu:easy", recovery_every=3
    )
    patterns.set_recovery_week(app, dt.date(2027, 2, 8))
    feeds.new_feed_secret(app)
    plan = make_plan(app)
    professional = [s for s in plan.sessions if s.kind.is_professional]
    if professional:
        moved = professional[0]
        move_session(app, moved.key, moved.day + dt.timedelta(days=1), confirm=True)
    book_session(app, today + dt.timedelta(days=3), SessionKind.SPORTS, anyway=True)


def table_rows(engine: Engine, table: sa.Table, where: Any = None) -> list[dict[str, Any]]:
    """Every row of ``table`` (or those ``where`` picks), in key order, as dictionaries."""
    query = sa.select(table).order_by(*table.primary_key.columns)
    if where is not None:
        query = query.where(where)
    with engine.connect() as connection:
        return [dict(row) for row in connection.execute(query).mappings()]


def tables_with_rows(engine: Engine, names: Iterable[str]) -> list[str]:
    return [name for name in names if table_rows(engine, schema.metadata.tables[name])]


def text_cells(engine: Engine) -> dict[str, set[str]]:
    """Every text value of every table (the version table too), by table: what a test scans
    for an id or address that must be gone."""
    found: dict[str, set[str]] = {}
    inspector = sa.inspect(engine)
    with engine.connect() as connection:
        for name in inspector.get_table_names():
            table = sa.Table(name, sa.MetaData(), autoload_with=connection)
            values: set[str] = set()
            for row in connection.execute(sa.select(table)):
                values.update(str(value) for value in row if isinstance(value, str))
            found[name] = values
    return found
