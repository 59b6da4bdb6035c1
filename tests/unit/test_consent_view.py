"""The granted view of a runner's data (``domain.consent.GrantedRunnerData``): a therapist reads
only the levels granted, each read level is logged once, and everything else is not there."""

from __future__ import annotations

import datetime as dt
import inspect

import pytest
from tests.support.fake_store import FakeRunnerData
from tests.unit.test_services_on_fake import _port_methods

from rubdown.domain.consent import (
    FRAMING,
    NEVER,
    READS,
    Grant,
    GrantedRunnerData,
    Level,
    levels_from,
)
from rubdown.domain.model import Priority, Race
from rubdown.domain.ports import RunnerData
from rubdown.errors import NotFound

NOON = dt.datetime(2027, 3, 1, 12, tzinfo=dt.UTC)


def _grant(*levels: Level, revoked: bool = False) -> Grant:
    return Grant(
        id="g1",
        runner_id="ana",
        therapist_id="theo",
        levels=frozenset(levels),
        created_at=NOON,
        updated_at=NOON,
        revoked_at=NOON if revoked else None,
    )


def _view(grant: Grant) -> tuple[GrantedRunnerData, list[Level], FakeRunnerData]:
    data = FakeRunnerData("ana")
    data.add_race(Race("Spring Marathon", dt.date(2027, 4, 25), Priority.A))
    logged: list[Level] = []
    return GrantedRunnerData(data, grant, logged.append), logged, data


def _reads() -> set[str]:
    """The port's methods that only read: every name that is not a write."""
    writes = {
        name
        for name in _port_methods(RunnerData)
        if name.split("_")[0]
        in {"save", "update", "add", "remove", "import", "mark", "unmark", "end", "log", "record"}
        or name in {"forget_imports", "set_feed_secret_hash", "remove_feed_secret_hash"}
    }
    return set(_port_methods(RunnerData)) - writes


def test_every_read_of_the_port_is_placed_at_a_level_or_framing_or_never_shared() -> None:
    placed = set(READS) | FRAMING | NEVER
    assert _reads() | {"owner_id"} == placed
    assert not set(READS) & FRAMING
    assert not set(READS) & NEVER


def test_the_view_offers_every_method_of_the_port_with_its_parameters() -> None:
    offered = _port_methods(GrantedRunnerData)
    for name, signature in _port_methods(RunnerData).items():
        given = inspect.signature(getattr(GrantedRunnerData, name))
        assert name in offered
        assert [p.name for p in given.parameters.values()] == [
            p.name for p in signature.parameters.values()
        ], name


def test_a_granted_level_reads_the_runners_data_and_logs_that_level_once() -> None:
    view, logged, data = _view(_grant(Level.CALENDAR))

    assert view.list_races() == data.list_races()
    assert view.list_workouts() == []
    assert view.load_plan() == []
    assert logged == [Level.CALENDAR]


@pytest.mark.parametrize("read", ["list_checkins", "list_injuries", "list_routine_logs"])
def test_a_level_not_granted_is_not_there_and_not_logged(read: str) -> None:
    view, logged, _ = _view(_grant(Level.CALENDAR, Level.TRAINING))

    with pytest.raises(NotFound, match="has not shared their wellness"):
        getattr(view, read)()
    assert logged == []


def test_a_revoked_grant_opens_no_level() -> None:
    view, logged, _ = _view(_grant(*Level, revoked=True))

    for read in ("list_races", "list_checkins", "list_activities"):
        with pytest.raises(NotFound):
            getattr(view, read)()
    assert logged == []


def test_writes_and_what_is_never_shared_are_not_there_whatever_is_granted() -> None:
    view, logged, data = _view(_grant(*Level))
    race = Race("Tune-up", dt.date(2027, 4, 4), Priority.B)

    with pytest.raises(NotFound):
        view.add_race(race)
    with pytest.raises(NotFound):
        view.remove_race(data.races[0].id)
    with pytest.raises(NotFound):
        view.feed_secret_hash()
    with pytest.raises(NotFound):
        view.raw_sources()
    assert len(data.list_races()) == 1
    assert logged == []


def test_the_profile_frames_every_level_and_is_not_logged_as_a_level() -> None:
    view, logged, data = _view(_grant(Level.TRAINING))

    assert view.get_profile() == data.get_profile()
    assert view.owner_id == "ana"
    assert logged == []


def test_a_grant_opens_only_its_own_runners_data() -> None:
    with pytest.raises(ValueError, match="own runner"):
        GrantedRunnerData(FakeRunnerData("bo"), _grant(Level.CALENDAR), lambda _level: None)


def test_levels_are_chosen_by_name() -> None:
    assert levels_from(True, False, True) == {Level.CALENDAR, Level.TRAINING}
    assert levels_from(False, False, False) == frozenset()
