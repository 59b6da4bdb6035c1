"""Changing training through the services and a real store (SQLite and PostgreSQL): workout
and race edits, weekly patterns with recovery weeks, bookings. Each command's writes are one
transaction, and every read is scoped to its runner."""

from __future__ import annotations

import datetime as dt

import pytest

from rubdown.domain.model import Priority, SessionKind, WorkoutKind
from rubdown.errors import InvalidDate, InvalidValue, NotAllowed, NotFound, UnknownName
from rubdown.knowledge import load_knowledge_base
from rubdown.services import booking, patterns, season
from rubdown.services.runner import Runner
from rubdown.solver.cpsat import CpSatSolver
from rubdown.store import Store

TODAY = dt.date(2027, 1, 4)  # a Monday
BLOCK = "tue:tempo thu:intervals sun:long"


def app_on(store: Store, owner: str = "runner-1") -> Runner:
    noon = dt.datetime.combine(TODAY, dt.time(12), tzinfo=dt.UTC)
    return Runner(store, load_knowledge_base(), CpSatSolver(), owner, lambda: noon)


def everything(app: Runner) -> tuple[object, ...]:
    owner = app.owner_id
    return (
        app.store.list_workouts(owner),
        app.store.list_races(owner),
        app.store.list_patterns(owner),
        app.store.recovery_weeks(owner),
        app.store.list_sessions(owner),
    )


# -- workouts and races ----------------------------------------------------------------------


def test_a_workout_is_edited_moved_and_removed_by_a_unique_start_of_its_id(store: Store) -> None:
    app = app_on(store)
    added = season.add_workout(app, dt.date(2027, 1, 12), WorkoutKind.TEMPO, 50)
    edited = season.edit_workout(app, added.id[:6], kind=WorkoutKind.INTERVALS)
    assert (edited.kind, edited.duration_min, edited.day) == (
        WorkoutKind.INTERVALS,
        50,
        dt.date(2027, 1, 12),
    )
    moved = season.edit_workout(app, added.id, day=dt.date(2027, 1, 13))
    assert store.list_workouts(app.owner_id) == [moved]
    season.remove_workout(app, added.id[:8])
    assert store.list_workouts(app.owner_id) == []


def test_bad_workout_input_or_an_unknown_ref_changes_nothing(store: Store) -> None:
    app = app_on(store)
    added = season.add_workout(app, dt.date(2027, 1, 12), WorkoutKind.TEMPO)
    before = everything(app)
    with pytest.raises(InvalidValue):
        season.edit_workout(app, added.id, duration_min=-5)
    with pytest.raises(NotFound):
        season.edit_workout(app, "nope", kind=WorkoutKind.EASY)
    with pytest.raises(NotFound):
        season.remove_workout(app, "")
    assert everything(app) == before


def test_an_edit_that_changes_nothing_leaves_the_data_version(store: Store) -> None:
    app = app_on(store)
    added = season.add_workout(app, dt.date(2027, 1, 12), WorkoutKind.TEMPO, 50)
    version = store.version_stamp(app.owner_id).data_version
    assert season.edit_workout(app, added.id, kind=WorkoutKind.TEMPO) == added
    assert store.version_stamp(app.owner_id).data_version == version
    with pytest.raises(InvalidValue, match="nothing to change"):
        season.edit_workout(app, added.id)
    season.edit_workout(app, added.id, duration_min=55)
    assert store.version_stamp(app.owner_id).data_version == version + 1


def test_editing_a_race_bumps_its_sequence_once_per_visible_change(store: Store) -> None:
    app = app_on(store)
    race = season.add_race(app, "Harbour Half", dt.date(2027, 2, 14), Priority.B, 21.0975)
    edited = season.edit_race(app, race.id[:8], priority=Priority.A, start_time=dt.time(9))
    assert (edited.priority, edited.start_time, edited.sequence) == (Priority.A, dt.time(9), 1)
    same = season.edit_race(app, "harbour half", priority=Priority.A)
    assert same.sequence == 1
    with pytest.raises(InvalidValue):
        season.edit_race(app, race.id, distance_km=0)
    with pytest.raises(InvalidValue):
        season.edit_race(app, race.id, name="  ")
    assert store.list_races(app.owner_id) == [edited]


def test_another_runners_workout_cannot_be_found_or_changed(store: Store) -> None:
    mine, theirs = app_on(store, "runner-1"), app_on(store, "runner-2")
    added = season.add_workout(theirs, dt.date(2027, 1, 12), WorkoutKind.TEMPO)
    with pytest.raises(NotFound):
        season.edit_workout(mine, added.id, kind=WorkoutKind.EASY)
    with pytest.raises(NotFound):
        store.update_workout(mine.owner_id, added)
    assert store.list_workouts(theirs.owner_id) == [added]


# -- weekly patterns ------------------------------------------------------------------------


def test_a_pattern_stores_its_workouts_and_recovery_weeks_and_the_season_sees_them(
    store: Store,
) -> None:
    app = app_on(store)
    made = patterns.create_pattern(
        app, TODAY, TODAY + dt.timedelta(weeks=8, days=-1), BLOCK, recovery_every=4
    )
    stored = store.list_workouts(app.owner_id)
    assert len(stored) == 24
    assert all(w.pattern_id == made.pattern.id and w.source == "pattern" for w in stored)
    mondays = {TODAY + dt.timedelta(weeks=3), TODAY + dt.timedelta(weeks=7)}
    assert store.recovery_weeks(app.owner_id) == mondays
    assert app.season().recovery_weeks == mondays
    in_recovery = [w for w in stored if w.day - dt.timedelta(days=w.day.weekday()) in mondays]
    assert sorted(w.kind for w in in_recovery) == sorted(
        [WorkoutKind.EASY, WorkoutKind.EASY, WorkoutKind.LONG] * 2
    )
    assert store.list_patterns(app.owner_id) == [made.pattern]


def test_removing_a_pattern_takes_its_workouts_and_recovery_weeks_and_nothing_else(
    store: Store,
) -> None:
    app = app_on(store)
    own = season.add_workout(app, dt.date(2027, 1, 13), WorkoutKind.HILL)
    patterns.set_recovery_week(app, dt.date(2027, 6, 2))  # marked by hand, far away
    made = patterns.create_pattern(
        app, TODAY, TODAY + dt.timedelta(weeks=4, days=-1), BLOCK, recovery_every=2
    )
    removed = patterns.remove_pattern(app, made.pattern.id[:6])
    assert len(removed.workouts) == 12
    assert store.list_workouts(app.owner_id) == [own]
    assert store.recovery_weeks(app.owner_id) == {dt.date(2027, 5, 31)}
    assert store.list_patterns(app.owner_id) == []
    with pytest.raises(NotFound):
        patterns.remove_pattern(app, made.pattern.id)


def test_replacing_a_pattern_swaps_it_whole(store: Store) -> None:
    app = app_on(store)
    old = patterns.create_pattern(app, TODAY, TODAY + dt.timedelta(weeks=4, days=-1), BLOCK)
    new = patterns.create_pattern(
        app,
        TODAY,
        TODAY + dt.timedelta(weeks=2, days=-1),
        "wed:tempo sun:long",
        replacing=old.pattern.id[:8],
    )
    assert store.list_patterns(app.owner_id) == [new.pattern]
    stored = store.list_workouts(app.owner_id)
    assert {w.pattern_id for w in stored} == {new.pattern.id}
    assert {w.day.weekday() for w in stored} == {2, 6}


def test_a_refused_pattern_or_replacement_changes_nothing(store: Store) -> None:
    app = app_on(store)
    old = patterns.create_pattern(app, TODAY, TODAY + dt.timedelta(weeks=2), BLOCK)
    before = everything(app)
    with pytest.raises(UnknownName, match="xyz:tempo"):
        patterns.create_pattern(app, TODAY, TODAY + dt.timedelta(weeks=2), "xyz:tempo")
    with pytest.raises(UnknownName, match="tue:jog"):
        patterns.create_pattern(
            app, TODAY, TODAY + dt.timedelta(weeks=2), "tue:jog", replacing=old.pattern.id
        )
    with pytest.raises(NotFound):
        patterns.create_pattern(app, TODAY, TODAY + dt.timedelta(weeks=2), BLOCK, replacing="zz")
    with pytest.raises(InvalidDate):
        patterns.create_pattern(app, TODAY, TODAY - dt.timedelta(days=1), BLOCK)
    assert everything(app) == before


def test_a_replacement_of_another_runners_pattern_stores_nothing(store: Store) -> None:
    mine, theirs = app_on(store, "runner-1"), app_on(store, "runner-2")
    made = patterns.create_pattern(theirs, TODAY, TODAY + dt.timedelta(weeks=1), BLOCK)
    with pytest.raises(NotFound):
        store.add_pattern(mine.owner_id, made.pattern, made.workouts, [], replacing=made.pattern.id)
    assert everything(mine) == ([], [], [], frozenset(), [])
    assert store.list_patterns(theirs.owner_id) == [made.pattern]


def test_a_recovery_week_is_marked_by_any_of_its_days_and_unmarked_once(store: Store) -> None:
    app = app_on(store)
    assert patterns.set_recovery_week(app, dt.date(2027, 2, 5)) == (dt.date(2027, 2, 1), True)
    assert patterns.set_recovery_week(app, dt.date(2027, 2, 7)) == (dt.date(2027, 2, 1), False)
    version = store.version_stamp(app.owner_id).data_version
    assert patterns.set_recovery_week(app, dt.date(2027, 2, 1))[1] is False
    assert store.version_stamp(app.owner_id).data_version == version  # nothing written
    assert app.season().recovery_weeks == {dt.date(2027, 2, 1)}
    assert patterns.set_recovery_week(app, dt.date(2027, 2, 3), marked=False)[1] is True
    assert patterns.set_recovery_week(app, dt.date(2027, 2, 3), marked=False)[1] is False
    assert app.season().recovery_weeks == frozenset()


def test_another_runners_recovery_weeks_and_patterns_are_neither_seen_nor_removed(
    store: Store,
) -> None:
    mine, theirs = app_on(store, "runner-1"), app_on(store, "runner-2")
    patterns.set_recovery_week(theirs, dt.date(2027, 2, 1))
    made = patterns.create_pattern(theirs, dt.date(2027, 1, 4), dt.date(2027, 1, 31), BLOCK)
    assert mine.season().recovery_weeks == frozenset()
    assert patterns.list_patterns(mine) == []
    assert patterns.set_recovery_week(mine, dt.date(2027, 2, 1), marked=False)[1] is False
    with pytest.raises(NotFound):
        patterns.remove_pattern(mine, made.pattern.id)
    assert theirs.season().recovery_weeks == {dt.date(2027, 2, 1)}
    assert [p.id for p in patterns.list_patterns(theirs)] == [made.pattern.id]


# -- bookings -------------------------------------------------------------------------------


def test_a_booking_the_rules_allow_is_stored_at_the_profiles_price_of_its_kind(
    store: Store,
) -> None:
    app = app_on(store)
    season.update_profile(app, sports_price=65.0)
    booked = booking.book_session(app, dt.date(2027, 1, 20), SessionKind.SPORTS)
    assert booked.verdict.allowed
    assert booked.warnings == ()
    assert booked.session.price == 65.0
    assert store.list_sessions(app.owner_id) == [booked.session]


def test_a_booking_the_rules_refuse_names_the_rule_and_stores_nothing_unless_anyway(
    store: Store,
) -> None:
    app = app_on(store)
    season.add_race(app, "Spring Marathon", dt.date(2027, 3, 14), Priority.A, 42.195)
    before = everything(app)
    with pytest.raises(NotAllowed) as refused:
        booking.book_session(app, dt.date(2027, 3, 13), SessionKind.DEEP_TISSUE)
    message = str(refused.value)
    assert "Spring Marathon" in message
    assert "(" in message
    assert "--anyway" in message
    assert everything(app) == before
    booked = booking.book_session(app, dt.date(2027, 3, 13), SessionKind.DEEP_TISSUE, anyway=True)
    assert booked.warnings
    assert not booked.verdict.allowed
    assert store.list_sessions(app.owner_id) == [booked.session]


def test_a_booking_must_be_after_today_and_log_massage_books_a_future_date(store: Store) -> None:
    app = app_on(store)
    with pytest.raises(InvalidDate):
        booking.book_session(app, TODAY, SessionKind.SPORTS)
    logged = booking.record_massage(app, TODAY, SessionKind.SPORTS)
    booked = booking.record_massage(app, dt.date(2027, 1, 27), SessionKind.FLUSH)
    assert not isinstance(logged, booking.Booking)
    assert isinstance(booked, booking.Booking)
    assert booked.session.price == app.profile().flush_price
    had, ahead = booking.split_bookings(app, store.list_sessions(app.owner_id))
    assert (had, ahead) == ([logged], [booked.session])
