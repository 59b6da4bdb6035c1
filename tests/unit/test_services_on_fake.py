"""The main use cases on the in-memory port: a race, a check-in, a plan, a check, today and why,
with no database (``tests/support/fake_store.py``). The store's own behaviour is tested
against SQLite and PostgreSQL in ``tests/integration/test_store_*.py``."""

from __future__ import annotations

import datetime as dt
import inspect

import pytest
from tests.support.fake_store import FakeRunnerData, FakeStorage, fake_runner

from rubdown.domain.model import PainQuality, Priority, Race, SessionKind, Workout, WorkoutKind
from rubdown.domain.ports import RunnerData, Storage
from rubdown.domain.regions import parse_region
from rubdown.domain.routines import RoutineWhen
from rubdown.errors import NotFound
from rubdown.knowledge import load_knowledge_base
from rubdown.services import daily, planning, season, today, why
from rubdown.services.runner import Runner
from rubdown.solver.cpsat import CpSatSolver
from rubdown.store.runner_data import StoredRunnerData

KB = load_knowledge_base()
MON = dt.date(2027, 3, 1)
RACE_DAY = MON + dt.timedelta(days=55)  # a Sunday
NOON = dt.datetime.combine(MON, dt.time(12), tzinfo=dt.UTC)
CALF, LEFT_HEEL = parse_region("calf"), parse_region("left-heel")


@pytest.fixture
def runner() -> Runner:
    return fake_runner(KB, CpSatSolver(), lambda: NOON)


def _port_methods(cls: type) -> dict[str, inspect.Signature]:
    return {
        name: inspect.signature(member)
        for name, member in vars(cls).items()
        if not name.startswith("_") and callable(member)
    }


@pytest.mark.parametrize("implementation", [FakeRunnerData, StoredRunnerData])
def test_the_fake_and_the_store_offer_every_method_of_the_port_with_its_parameters(
    implementation: type,
) -> None:
    wanted = _port_methods(RunnerData)
    offered = _port_methods(implementation)
    assert set(wanted) <= set(offered)
    for name, signature in wanted.items():
        params = [(p.name, p.kind, p.default) for p in signature.parameters.values()]
        given = [(p.name, p.kind, p.default) for p in offered[name].parameters.values()]
        assert given == params, name


def test_the_fake_storage_opens_storage_as_the_port_says() -> None:
    assert set(_port_methods(Storage)) <= set(_port_methods(FakeStorage))


def test_a_race_is_stored_for_its_runner_only(runner: Runner) -> None:
    race = season.add_race(runner, "Spring Marathon", RACE_DAY, Priority.A, 42.195)
    assert race.id
    assert runner.data.list_races() == [race]
    assert season.find_race(runner, race.id[:4]) == race
    assert runner.store.for_owner("someone-else").list_races() == []


def test_every_write_moves_the_data_version_on(runner: Runner) -> None:
    before = runner.data.version_stamp().data_version
    season.add_race(runner, "Spring Marathon", RACE_DAY, Priority.A)
    season.add_workout(runner, MON + dt.timedelta(days=2), WorkoutKind.LONG, 120)
    assert runner.data.version_stamp().data_version == before + 2


def test_a_second_check_in_on_a_day_is_merged_into_the_first(runner: Runner) -> None:
    first = daily.check_in(runner, MON, {CALF: 4}, {})
    second = daily.check_in(runner, MON, {}, {LEFT_HEEL: PainQuality.SHARP}, note="sore heel")
    assert (first.merged, second.merged) == (False, True)
    (stored,) = runner.data.list_checkins()
    assert stored.soreness == {CALF: 4}
    assert stored.pain == {LEFT_HEEL: PainQuality.SHARP}
    assert stored.note == "sore heel"


def test_a_plan_is_saved_with_a_pre_and_post_event_session_around_the_race(
    runner: Runner,
) -> None:
    race = season.add_race(runner, "Spring Marathon", RACE_DAY, Priority.A, 42.195)
    plan = planning.make_plan(runner, end=RACE_DAY + dt.timedelta(days=15))
    assert runner.data.load_plan() == list(plan.sessions)
    kinds_by_day = {s.day: s.kind for s in plan.sessions}
    assert kinds_by_day[race.day] is SessionKind.PRE_EVENT
    assert kinds_by_day[race.day + dt.timedelta(days=1)] is SessionKind.POST_EVENT
    assert all(MON <= s.day <= RACE_DAY + dt.timedelta(days=15) for s in plan.sessions)
    # Planning again with nothing changed keeps every session and its calendar identity.
    again = planning.make_plan(runner, end=RACE_DAY + dt.timedelta(days=15))
    assert [(s.key, s.day, s.sequence) for s in again.sessions] == [
        (s.key, s.day, s.sequence) for s in plan.sessions
    ]


def test_a_deep_massage_the_day_before_an_a_race_is_refused_with_its_rule(
    runner: Runner,
) -> None:
    season.add_race(runner, "Spring Marathon", RACE_DAY, Priority.A)
    verdict = planning.check_session(
        runner, RACE_DAY - dt.timedelta(days=1), SessionKind.DEEP_TISSUE
    )
    assert not verdict.allowed
    assert any("T2" in finding.rules for finding in verdict.findings if finding.forbids)
    far = planning.check_session(runner, RACE_DAY - dt.timedelta(days=30), SessionKind.DEEP_TISSUE)
    assert far.allowed


def test_today_gives_a_run_day_its_routines_and_a_sharp_pain_its_warning(runner: Runner) -> None:
    run_day = MON + dt.timedelta(days=2)
    season.add_workout(runner, run_day, WorkoutKind.LONG, 120)
    daily.check_in(runner, MON, {}, {LEFT_HEEL: PainQuality.SHARP})
    day = today.day_routines(runner, run_day)
    assert [r.when for r in day.routines] == [RoutineWhen.PRE_RUN, RoutineWhen.POST_RUN]
    assert any("Sharp pain in the left heel" in w.message for w in day.warnings)
    assert [r.when for r in today.day_routines(runner, MON).routines] == [RoutineWhen.REST_DAY]


def test_why_explains_the_race_eve_with_every_professional_session_refused(
    runner: Runner,
) -> None:
    season.add_race(runner, "Spring Marathon", RACE_DAY, Priority.A)
    explanation = why.explain_day(runner, RACE_DAY - dt.timedelta(days=1))
    assert explanation.verdicts
    assert not any(verdict.allowed for verdict in explanation.verdicts)
    assert explanation.checkin is None


def test_a_missing_race_is_not_found_in_memory_as_in_the_store(runner: Runner) -> None:
    with pytest.raises(NotFound):
        season.remove_race(runner, "no-such-race")


def test_a_snapshot_reads_each_thing_once_until_it_writes(
    runner: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    season.add_race(runner, "Spring Marathon", RACE_DAY, Priority.A)
    reads: list[str] = []
    stored = runner.data.list_races

    def counted() -> list[Race]:
        reads.append("races")
        return stored()

    monkeypatch.setattr(runner.data, "list_races", counted)
    one = runner.snapshot()
    one.season()
    planning.check_session(one, RACE_DAY - dt.timedelta(days=1), SessionKind.DEEP_TISSUE)
    assert reads == ["races"]
    season.add_race(one, "Park 10K", MON + dt.timedelta(days=20), Priority.C)
    assert len(one.data.list_races()) == 2  # its own write is seen: what was kept is forgotten
    assert reads == ["races", "races"]
    runner.data.list_races()  # the runner itself keeps nothing
    assert reads == ["races", "races", "races"]
    # The data version is what kept answers are checked by: never kept.
    before = one.data.version_stamp()
    runner.data.add_workout(Workout(MON, WorkoutKind.EASY))
    assert one.data.version_stamp().data_version == before.data_version + 1
