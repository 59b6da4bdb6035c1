"""The in-memory port answers a season's use cases as the store does (SQLite and PostgreSQL), so
the use-case tests that run on it (``tests/unit/test_services_on_fake.py``) say something about
rubdown as it runs. IDs differ (the store's are random), so answers are compared without them."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

from rubdown.domain.model import PainQuality, Priority, SessionKind, WorkoutKind
from rubdown.domain.ports import Storage
from rubdown.domain.regions import parse_region
from rubdown.knowledge import load_knowledge_base
from rubdown.services import daily, planning, season, today, why
from rubdown.services.runner import Runner
from rubdown.solver.cpsat import CpSatSolver
from rubdown.store import Store, open_store, sqlite_url_for_home
from rubdown.store.sqlite_reader import SqliteRunnerData, open_reader
from tests.support.fake_store import FakeStorage

KB = load_knowledge_base()
MON = dt.date(2027, 3, 1)
NOON = dt.datetime.combine(MON, dt.time(12), tzinfo=dt.UTC)


def season_answers(storage: Storage) -> dict[str, Any]:
    """Tell rubdown a season, then ask it what a runner asks; the answers, IDs taken out."""
    runner = Runner(storage, KB, CpSatSolver(), "runner-1", lambda: NOON)
    half = season.add_race(runner, "Harbour Half", MON + dt.timedelta(days=34), Priority.B, 21.1)
    full = season.add_race(runner, "Spring Marathon", MON + dt.timedelta(days=55), Priority.A)
    for week in range(8):
        season.add_workout(runner, MON + dt.timedelta(days=7 * week + 2), WorkoutKind.TEMPO, 50)
        season.add_workout(runner, MON + dt.timedelta(days=7 * week + 6), WorkoutKind.LONG, 120)
    season.update_profile(runner, budget_per_month=200.0)
    daily.check_in(runner, MON, {parse_region("calf"): 5}, {})
    daily.check_in(runner, MON, {}, {parse_region("left-heel"): PainQuality.TINGLING}, note="x")
    plan = planning.make_plan(runner, end=full.day + dt.timedelta(days=10))
    ids = {half.id: "half", full.id: "full"}

    def without_ids(key: str) -> str:
        kind, _, rest = key.partition(":")
        return f"{kind}:{ids.get(rest, rest)}"

    eve = full.day - dt.timedelta(days=1)
    explanation = why.explain_day(runner, eve)
    return {
        "plan": [
            (without_ids(s.key), s.day, s.kind, s.regions, s.rules, s.sequence)
            for s in plan.sessions
        ],
        "warnings": [dataclasses.astuple(w) for w in plan.warnings],
        "stored plan": [without_ids(s.key) for s in runner.data.load_plan()],
        "check": planning.check_session(runner, eve, SessionKind.DEEP_TISSUE).findings,
        "today": today.day_routines(runner, MON + dt.timedelta(days=2)),
        "why": (explanation.verdicts, explanation.routines, explanation.flags),
        "checkins": runner.data.list_checkins(),
        "stamp moved": runner.data.version_stamp().data_version > 0,
    }


def test_the_in_memory_port_answers_a_season_as_the_store_does(store: Store) -> None:
    on_store = season_answers(store)
    in_memory = season_answers(FakeStorage())
    assert on_store["plan"]  # a plan with sessions, not two empty answers
    for name, answer in on_store.items():
        assert in_memory[name] == answer, name


def test_the_sqlite_reader_answers_a_season_as_the_store_does(tmp_path: Path) -> None:
    """Commands on a local home read through ``store.sqlite_reader`` and write through the
    store: the same season told and asked through it gives the store's answers."""
    home = tmp_path / "reader-home"
    url = sqlite_url_for_home(home)
    with open_store(url) as created:
        created.ensure_runner("runner-1")
    reader = open_reader(home, url, "runner-1")
    assert reader is not None
    try:
        through_reader = season_answers(reader)
        assert isinstance(reader.for_owner("runner-1"), SqliteRunnerData)
    finally:
        reader.close()
    with open_store(sqlite_url_for_home(tmp_path / "store-home")) as store:
        on_store = season_answers(store)
    assert on_store["plan"]
    for name, answer in on_store.items():
        assert through_reader[name] == answer, name
