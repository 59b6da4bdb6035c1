"""Several `profile set` at once, each changing its own field: every change is kept.

Each writer has its own engine (its own connections), as separate processes would, and all
start together at a barrier, so their reads and writes interleave as two commands' do.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest

from rubdown.domain.knowledge import KnowledgeBase
from rubdown.domain.model import Profile
from rubdown.knowledge import load_knowledge_base
from rubdown.services import season
from rubdown.services.runner import Runner
from rubdown.solver.cpsat import CpSatSolver
from rubdown.store import open_store

OWNER = "ana"
NOON = dt.datetime(2027, 3, 1, 12, tzinfo=dt.UTC)
ROUNDS = 20

# One field per writer; each round gives every field a value it has not had before.
CHANGES: dict[str, Callable[[int], Any]] = {
    "budget_per_month": lambda n: 100.0 + n,
    "session_minutes": lambda n: 30 + n,
    "sports_price": lambda n: 50.0 + n,
    "name": lambda n: f"Ana {n}",
    # Load values are checked against each other before the save: two at once both count.
    "max_hr_bpm": lambda n: 180.0 + n,
    "resting_hr_bpm": lambda n: 40.0 + n,
}


def _app(database_url: str, kb: KnowledgeBase) -> Runner:
    return Runner(open_store(database_url), kb, CpSatSolver(), OWNER, lambda: NOON)


def _write_at_once(apps: list[Runner], round_number: int) -> list[BaseException]:
    barrier = threading.Barrier(len(apps))
    failures: list[BaseException] = []

    def write(app: Runner, field: str) -> None:
        try:
            barrier.wait()
            season.update_profile(app, **{field: CHANGES[field](round_number)})
        except BaseException as error:
            failures.append(error)

    threads = [
        threading.Thread(target=write, args=(app, field))
        for app, field in zip(apps, CHANGES, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return failures


def test_profile_changes_made_at_once_are_all_kept(database_url: str) -> None:
    kb = load_knowledge_base()
    apps = [_app(database_url, kb) for _ in CHANGES]
    try:
        apps[0].store.save_profile(OWNER, Profile(name="Ana"))
        lost: list[str] = []
        for round_number in range(1, ROUNDS + 1):
            failures = _write_at_once(apps, round_number)
            assert failures == []
            stored = apps[0].profile()
            lost += [
                f"round {round_number}: {field}"
                for field, value in CHANGES.items()
                if getattr(stored, field) != value(round_number)
            ]
        assert lost == []
    finally:
        for app in apps:
            app.close()


@pytest.mark.parametrize("field", ["budget_per_month", "name"])
def test_a_refused_change_leaves_the_stored_profile_as_it_was(
    database_url: str, field: str
) -> None:
    kb = load_knowledge_base()
    app = _app(database_url, kb)
    try:
        season.update_profile(app, budget_per_month=120.0, name="Ana")
        with pytest.raises(Exception, match="session length"):
            season.update_profile(app, **{field: CHANGES[field](7)}, session_minutes=5)
        assert app.profile().budget_per_month == 120.0
        assert app.profile().name == "Ana"
    finally:
        app.close()
