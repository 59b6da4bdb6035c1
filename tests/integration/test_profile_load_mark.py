"""A `profile set` that changes a load value marks the loads pending in the same transaction
as the save, so a command killed before its load refresh leaves them to be repaired, not
stale; a change that no load depends on leaves the mark alone."""

from __future__ import annotations

import datetime as dt

import pytest

from rubdown.knowledge import load_knowledge_base
from rubdown.services import season
from rubdown.services.loads import repair_loads
from rubdown.services.runner import Runner
from rubdown.solver.cpsat import CpSatSolver
from rubdown.store import Store

NOON = dt.datetime(2027, 3, 1, 12, tzinfo=dt.UTC)


class Killed(BaseException):
    """Stands for the process dying between the profile's commit and the load refresh."""


def _killed_before_refresh(monkeypatch: pytest.MonkeyPatch) -> None:
    def die(_app: Runner) -> None:
        raise Killed

    monkeypatch.setattr(season, "refresh_loads", die)


@pytest.fixture
def app(store: Store) -> Runner:
    made = Runner(store, load_knowledge_base(), CpSatSolver(), "ana", lambda: NOON)
    season.update_profile(made, name="Ana", max_hr_bpm=190.0)
    return made


def test_a_load_value_saved_by_a_killed_command_leaves_the_loads_to_repair(
    app: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert app.data.loads_pending() == 0
    _killed_before_refresh(monkeypatch)

    with pytest.raises(Killed):
        season.update_profile(app, max_hr_bpm=185.0)

    assert app.profile().max_hr_bpm == 185.0  # the change itself was committed
    assert app.data.loads_pending() != 0
    monkeypatch.undo()
    assert repair_loads(app)
    assert app.data.loads_pending() == 0


def test_a_change_no_load_depends_on_leaves_the_mark_alone(
    app: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    _killed_before_refresh(monkeypatch)

    with pytest.raises(Killed):
        season.update_profile(app, budget_per_month=220.0, max_hr_bpm=190.0)  # the same HR

    assert app.data.loads_pending() == 0
