"""A load refresh pauses the cyclic garbage collector while it runs (``services.loads``), and
leaves it as it found it: on when it was on, off when someone had turned it off, and on again
when the refresh fails half-way."""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Iterator

import pytest
from tests.support.fake_store import fake_runner

from rubdown.domain.records import StoredLoad
from rubdown.knowledge import load_knowledge_base
from rubdown.services.loads import refresh_loads
from rubdown.services.runner import Runner
from rubdown.solver.cpsat import CpSatSolver

NOON = dt.datetime(2027, 3, 1, 12, tzinfo=dt.UTC)


@pytest.fixture
def runner() -> Runner:
    return fake_runner(load_knowledge_base(), CpSatSolver(), lambda: NOON)


@pytest.fixture
def collector_restored() -> Iterator[None]:
    was_enabled = gc.isenabled()
    yield
    if was_enabled:
        gc.enable()
    else:
        gc.disable()


def test_the_collector_is_off_during_a_refresh_and_on_after(
    runner: Runner, collector_restored: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = []

    def stored_loads() -> list[StoredLoad]:
        seen.append(gc.isenabled())
        return []

    monkeypatch.setattr(runner.data, "stored_loads", stored_loads)
    gc.enable()

    refresh_loads(runner)

    assert seen == [False]
    assert gc.isenabled()


def test_a_collector_turned_off_before_stays_off(runner: Runner, collector_restored: None) -> None:
    gc.disable()

    refresh_loads(runner)

    assert not gc.isenabled()


def test_a_failed_refresh_turns_the_collector_back_on(
    runner: Runner, collector_restored: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken() -> list[StoredLoad]:
        raise OSError("disk gone")

    monkeypatch.setattr(runner.data, "stored_loads", broken)
    gc.enable()

    with pytest.raises(OSError, match="disk gone"):
        refresh_loads(runner)

    assert gc.isenabled()
