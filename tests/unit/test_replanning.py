"""Re-planning through the services, on stored data in memory: identities and SEQUENCE numbers
hold. That the store keeps them as given is tested against the databases
(``tests/integration/test_store_pins_and_race_sequences.py``)."""

from __future__ import annotations

import datetime as dt

from tests.support.fake_store import fake_runner
from tests.support.seasons import sample_season, store_season

from rubdown.domain.model import Frequency
from rubdown.knowledge import load_knowledge_base
from rubdown.services import season
from rubdown.services.planning import make_plan
from rubdown.services.runner import Runner
from rubdown.solver.cpsat import CpSatSolver

TODAY = dt.date(2027, 1, 4)


def new_runner() -> Runner:
    noon = dt.datetime.combine(TODAY, dt.time(12), tzinfo=dt.UTC)
    return fake_runner(load_knowledge_base(), CpSatSolver(), lambda: noon)


def seed(app: Runner) -> None:
    season.update_profile(app, frequency=Frequency.MONTHLY, budget_per_month=200.0)
    store_season(app, sample_season(half_day=dt.date(2027, 2, 21), race_day_runs=True))


def test_replanning_without_changes_keeps_every_session_and_its_sequence() -> None:
    app = new_runner()
    seed(app)
    first = make_plan(app)
    second = make_plan(app)
    assert second.sessions == first.sessions
    assert app.data.load_plan() == sorted(second.sessions, key=lambda s: (s.day, s.key))


def test_moving_a_race_bumps_the_sequence_of_exactly_the_sessions_that_changed() -> None:
    app = new_runner()
    seed(app)
    first = {s.key: s for s in make_plan(app).sessions}
    season.move_race(app, "Winter Half", dt.date(2027, 2, 28))
    second = {s.key: s for s in make_plan(app).sessions}

    both = first.keys() & second.keys()
    changed = {k for k in both if first[k].fingerprint != second[k].fingerprint}
    assert any(first[k].day != second[k].day for k in changed)
    for key in changed:
        assert second[key].sequence == first[key].sequence + 1
    for key in both - changed:
        assert second[key] == first[key]
    far_from_the_half = {
        k
        for k, s in first.items()
        if s.kind.is_professional and abs((s.day - dt.date(2027, 2, 24)).days) > 14
    }
    assert far_from_the_half
    assert far_from_the_half <= both - changed


def test_a_session_keeps_its_key_when_its_race_moves() -> None:
    app = new_runner()
    seed(app)
    before = [s for s in make_plan(app).sessions if s.kind.value == "post-event"]
    season.move_race(app, "Winter Half", dt.date(2027, 2, 28))
    after = [s for s in make_plan(app).sessions if s.kind.value == "post-event"]
    assert len(before) == len(after) == 2
    half_before = next(s for s in before if s.day.month == 2)
    half_after = next(s for s in after if s.day.month == 3)
    assert half_before.key.split(":")[1] == half_after.key.split(":")[1]  # the race's id
