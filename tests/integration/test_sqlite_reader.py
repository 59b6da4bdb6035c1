"""The sqlite3 reader (``store.sqlite_reader``) reads a home's SQLite file as the store does:
the same values, types and order for every read of ``RunnerData``, over one stored season
that fills every column; and a home it cannot read safely (no runner yet, an older schema,
loads left pending) is opened by the full store, as before."""

from __future__ import annotations

import dataclasses
import datetime as dt
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rubdown.bootstrap import DEFAULT_OWNER, Settings, build_app, open_storage
from rubdown.domain.activity import Activity, DailyWellness, Lap, Sport
from rubdown.domain.availability import OpeningWindow, WeeklyHours
from rubdown.domain.model import (
    CheckIn,
    Condition,
    InjuryEpisode,
    Priority,
    Race,
    RoutineLog,
    Sign,
    WorkoutKind,
)
from rubdown.domain.patterns import WorkoutPattern, parse_week
from rubdown.domain.records import (
    FileStatus,
    IncomingActivity,
    IncomingFile,
    ManualRun,
)
from rubdown.domain.regions import parse_region
from rubdown.errors import StoreError
from rubdown.store import LATEST_VERSION, Store, open_store, sqlite_url_for_home
from rubdown.store import schema as tables
from rubdown.store.columns import JsonList, UtcDateTime
from rubdown.store.runner_data import StoredRunnerData
from rubdown.store.sqlite_reader import (
    _DATE,
    _TIME,
    _TYPES,
    SCHEMA_VERSION,
    SqliteReadStorage,
    SqliteRunnerData,
    _json_list,
    _utc,
    open_reader,
)
from tests.integration import samples
from tests.support import checkin_strategies
from tests.support.schema_rollback import roll_back

OWNER = "runner-1"
START = dt.datetime(2027, 3, 9, 5, 30, 15, 250_000, tzinfo=dt.UTC)


def test_the_reader_is_written_for_the_latest_schema() -> None:
    assert SCHEMA_VERSION == LATEST_VERSION


def test_every_column_the_store_reads_as_a_python_type_is_converted_as_the_store_does() -> None:
    expected_for = {sa.Date: _DATE, sa.Time: _TIME, UtcDateTime: _utc, sa.Boolean: bool}
    assert set(_TYPES) == set(tables.metadata.tables)
    for table in tables.metadata.tables.values():
        wanted = {}
        for column in table.columns:
            if isinstance(column.type, JsonList):
                wanted[column.name] = _json_list
            for kind, convert in expected_for.items():
                if type(column.type) is kind:
                    wanted[column.name] = convert
        assert _TYPES[table.name] == wanted, table.name


def store_season(data: StoredRunnerData, feed_hash: str) -> None:
    """One of everything a runner's data holds, with the awkward values: None, unicode,
    floats that are not round, two of a kind on one day, an ended and an open injury."""
    data.save_profile(samples.PROFILE)
    for race in (samples.MARATHON, samples.TUNE_UP):
        data.add_race(race, source_uid=f"uid-{race.name}")
    for workout in (samples.LONG_RUN, samples.REST_DAY):
        data.add_workout(workout)
    pattern = WorkoutPattern(
        dt.date(2027, 3, 1), dt.date(2027, 4, 25), parse_week("tue:tempo sun:long"), 4
    )
    mondays = [dt.date(2027, 3, 22)]
    data.add_pattern(pattern, [samples.LONG_RUN], mondays)
    data.mark_recovery_week(dt.date(2027, 4, 12))
    data.add_session(samples.SPORTS_MASSAGE, note="ok")
    data.save_plan([dataclasses.replace(samples.PLAN[0], pinned=True), *samples.PLAN[1:]])
    data.save_therapist_hours(WeeklyHours((OpeningWindow(0, 540, 720), OpeningWindow(3, 0, 1440))))
    data.add_checkin(samples.CHECKIN)
    calf = parse_region("left-calf")
    data.add_checkin(
        dataclasses.replace(
            samples.CHECKIN,
            day=dt.date(2027, 3, 12),
            soreness={calf: 2},
            pain={},
            fatigue=3,
            sleep=1,
            signs={calf: frozenset({Sign.SWELLING, Sign.WARMTH})},
        )
    )
    ended = data.add_injury(InjuryEpisode(calf, Condition.TIGHT_CALVES, dt.date(2027, 2, 1)))
    data.end_injury(ended.id, dt.date(2027, 2, 20), helped="rest")
    data.add_injury(InjuryEpisode(parse_region("heel"), Condition.PLANTAR_FASCIITIS, START.date()))
    data.log_routine(RoutineLog(START.date(), "post-run", START, 4, 1, 611.5, False))
    berlin = dt.timezone(dt.timedelta(hours=1))
    data.add_manual_run(
        ManualRun(START.date(), START.astimezone(berlin), 2700.0, 6.5, WorkoutKind.TEMPO),
        load_basis={"rpe": 6.5, "duration_s": 2700.0},
    )
    lap = Lap(START, 600.0, 2000.0, 150.0, 171.0, Sport.RUNNING)
    for n, partial in enumerate((False, True)):
        activity = Activity(
            Sport.RUNNING,
            START + dt.timedelta(hours=3 + n),
            3600.25,
            utc_offset_s=3600,
            moving_s=3500.0,
            distance_m=10_123.4,
            elevation_gain_m=None if n else 88.0,
            avg_hr_bpm=148.5,
            max_hr_bpm=180.0,
            laps=(lap,) if n == 0 else (),
            name=f"Läufchen {n}",
            partial=partial,
            records=901,
            load=77.7,
            load_method="hr",
        )
        data.record_file(
            IncomingFile(
                shown=f"export/run-{n}.fit",
                sha256=f"{n + 1:064x}",
                format="fit",
                status=FileStatus.PARTIAL if partial else FileStatus.IMPORTED,
                records=901,
                activities=[
                    IncomingActivity(activity, START.date(), "easy", 2, load_basis={"hr": [1, 2]})
                ],
                wellness=[DailyWellness(START.date(), "garmin", 44.0, None, 27_000.5, 81.0)],
                export="garmin",
                container="export",
                inner=f"run-{n}.fit",
            ),
            first_time=True,
        )
    data.record_file(
        IncomingFile("broken.fit", "f" * 64, "fit", FileStatus.FAILED, error="bad header")
    )
    data.save_loads([], settles=data.loads_pending())
    data.set_feed_secret_hash(feed_hash)


@pytest.fixture
def stored(tmp_path: Path) -> Iterator[tuple[Store, SqliteReadStorage]]:
    home = tmp_path / "home"
    url = sqlite_url_for_home(home)
    store = open_store(url)
    store.ensure_runner("someone-else")
    store_season(store.for_owner("someone-else"), "their-feed")  # a second runner, never to be read
    store_season(store.for_owner(OWNER), "hash-of-the-feed-secret")
    reader = open_reader(home, url, OWNER)
    assert reader is not None
    try:
        yield store, reader
    finally:
        reader.close()
        store.close()


def reads(data: Any, activity_id: str) -> dict[str, Any]:
    """Every read of ``RunnerData``, by name."""
    return {
        "version_stamp": data.version_stamp(),
        "get_profile": data.get_profile(),
        "list_races": data.list_races(),
        "list_workouts": data.list_workouts(),
        "has_source_uid": [
            data.has_source_uid(table, uid)
            for table in ("races", "workouts")
            for uid in ("uid-Parkrun", "nope")
        ],
        "list_patterns": data.list_patterns(),
        "recovery_weeks": data.recovery_weeks(),
        "list_sessions": data.list_sessions(),
        "load_plan": data.load_plan(),
        "therapist_hours": data.therapist_hours(),
        "checkin_on": [data.checkin_on(samples.CHECKIN.day), data.checkin_on(dt.date(2030, 1, 1))],
        "list_checkins": data.list_checkins(),
        "list_injuries": data.list_injuries(),
        "list_routine_logs": data.list_routine_logs(),
        "list_manual_runs": data.list_manual_runs(),
        "activity_marks": data.activity_marks(),
        "file_statuses": data.file_statuses(),
        "raw_sources": data.raw_sources(),
        "list_activities": data.list_activities(),
        "list_activities in range": data.list_activities(START.date(), START.date()),
        "list_activities after": data.list_activities(START.date() + dt.timedelta(days=1)),
        "activity_days": data.activity_days(),
        "activity_sources": data.activity_sources(activity_id),
        "list_wellness": data.list_wellness(),
        "stored_loads": data.stored_loads(),
        "loads_pending": data.loads_pending(),
        "feed_secret_hash": data.feed_secret_hash(),
    }


def test_every_read_answers_as_the_store_does(stored: tuple[Store, SqliteReadStorage]) -> None:
    store, reader = stored
    on_store = store.for_owner(OWNER)
    data = reader.for_owner(OWNER)
    assert isinstance(data, SqliteRunnerData)
    activity_id = on_store.list_activities()[0].activity.id
    expected = reads(on_store, activity_id)
    answered = reads(data, activity_id)
    for name, value in expected.items():
        assert answered[name] == value, name
        assert repr(answered[name]) == repr(value), name  # same types: a date, not its text
    # Not two empty answers: the season is there.
    assert expected["list_activities in range"]
    assert expected["list_checkins"][1].signs
    assert reader.owner_for_feed_hash("hash-of-the-feed-secret") == OWNER
    assert reader.owner_for_feed_hash("nope") is None
    assert reader.shown_url == store.shown_url


def test_a_write_goes_through_the_store_and_the_next_read_sees_it(
    stored: tuple[Store, SqliteReadStorage],
) -> None:
    store, reader = stored
    data = reader.for_owner(OWNER)
    before = data.version_stamp().data_version
    data.add_race(dataclasses.replace(samples.TUNE_UP, name="Another one"))
    assert [race.name for race in data.list_races()] == [
        race.name for race in store.for_owner(OWNER).list_races()
    ]
    assert "Another one" in {race.name for race in data.list_races()}
    assert data.version_stamp().data_version == before + 1
    # A runner not in the file yet is created by the store, and read from it.
    newcomer = reader.for_owner("a-new-runner")
    assert isinstance(newcomer, StoredRunnerData)
    assert reader.runner_exists("a-new-runner")


def test_a_read_waits_for_an_import_writing_and_then_sees_it(
    stored: tuple[Store, SqliteReadStorage], tmp_path: Path
) -> None:
    """WAL: the reader reads while another connection holds the write lock, and sees the
    write once it is committed."""
    _store, reader = stored
    data = reader.for_owner(OWNER)
    writer = sqlite3.connect(tmp_path / "home" / "rubdown.sqlite3", isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE runners SET data_version = data_version + 5 WHERE id = ?", (OWNER,))
        before = data.version_stamp().data_version  # not blocked, and not the uncommitted value
        writer.execute("COMMIT")
    finally:
        writer.close()
    assert data.version_stamp().data_version == before + 5


def home_settings(home: Path) -> Settings:
    return Settings(home, sqlite_url_for_home(home), today=START.date())


def test_a_new_home_and_a_new_runner_open_the_full_store(tmp_path: Path) -> None:
    home = tmp_path / "home"
    first = open_storage(home_settings(home))
    try:
        assert isinstance(first, Store)  # nothing there yet: the store creates it
        first.for_owner(DEFAULT_OWNER)
    finally:
        first.close()
    reader = open_storage(home_settings(home))
    try:
        assert isinstance(reader, SqliteReadStorage)
    finally:
        reader.close()
    assert open_reader(home, sqlite_url_for_home(home), "a-runner-not-created-yet") is None


def test_a_home_at_an_older_schema_is_migrated_by_the_store(tmp_path: Path) -> None:
    home = tmp_path / "home"
    app = build_app(home_settings(home))
    try:
        app.data.save_profile(samples.PROFILE)
    finally:
        app.close()
    # What the last migration added, taken away again, as an older rubdown left it.
    engine = sa.create_engine(sqlite_url_for_home(home))
    with engine.begin() as connection:
        roll_back(connection, SCHEMA_VERSION - 1)
    engine.dispose()
    storage = open_storage(home_settings(home))
    try:
        assert isinstance(storage, Store)
        assert storage.schema_version() == LATEST_VERSION
        assert storage.for_owner(DEFAULT_OWNER).get_profile() == samples.PROFILE
    finally:
        storage.close()


def test_a_home_with_loads_pending_is_repaired_by_the_store(tmp_path: Path) -> None:
    home = tmp_path / "home"
    app = build_app(home_settings(home))
    try:
        app.data.add_manual_run(
            ManualRun(START.date(), START, 1800.0, 4.0), load_basis={"rpe": 4.0}
        )  # marks the loads pending until they are recomputed
        assert app.data.loads_pending()
    finally:
        app.close()
    app = build_app(home_settings(home))
    try:
        assert isinstance(app.store, Store)
        repaired = app.activity_workouts()  # the first read recomputes them
        assert repaired
        assert app.data.loads_pending() == 0
    finally:
        app.close()
    app = build_app(home_settings(home))
    try:
        assert isinstance(app.store, SqliteReadStorage)
        assert app.activity_workouts() == repaired
    finally:
        app.close()


def test_a_database_named_by_url_is_opened_by_the_store(tmp_path: Path) -> None:
    home = tmp_path / "home"
    build_app(home_settings(home)).close()
    elsewhere = Settings(home, sqlite_url_for_home(home) + "?timeout=5", today=START.date())
    storage = open_storage(elsewhere)
    try:
        assert isinstance(storage, Store)
    finally:
        storage.close()


@pytest.fixture(scope="module")
def one_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, SqliteReadStorage]]:
    """One database for every example of a property: each example is a runner of its own."""
    home = tmp_path_factory.mktemp("property") / "home"
    url = sqlite_url_for_home(home)
    store = open_store(url)
    store.ensure_runner("first")
    reader = open_reader(home, url, "first")
    assert reader is not None
    try:
        yield store, reader
    finally:
        reader.close()
        store.close()


RACE_DAYS = st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31))
RACES = st.builds(
    Race,
    name=st.text(max_size=12),
    day=RACE_DAYS,
    priority=st.sampled_from(Priority),
    distance_km=st.none() | st.floats(0.1, 400, allow_nan=False),
    start_time=st.none() | st.times(),
)


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    races=st.lists(RACES, max_size=4),
    checkins=st.lists(checkin_strategies.checkins(dt.date(2027, 3, 1), 5), max_size=4),
)
def test_any_races_and_check_ins_read_back_as_the_store_reads_them(
    one_home: tuple[Store, SqliteReadStorage], races: list[Race], checkins: list[CheckIn]
) -> None:
    store, reader = one_home
    owner = uuid.uuid4().hex
    store.ensure_runner(owner)
    data = store.for_owner(owner)
    for race in races:
        data.add_race(race)
    for checkin in checkins:
        data.update_checkin(checkin.day, lambda _earlier, checkin=checkin: checkin)
    read = reader.for_owner(owner)
    assert isinstance(read, SqliteRunnerData)
    assert read.list_races() == data.list_races()
    assert read.list_checkins() == data.list_checkins()
    for day in {checkin.day for checkin in checkins}:
        assert read.checkin_on(day) == data.checkin_on(day)


def test_a_read_that_fails_says_what_and_where_in_one_line(
    stored: tuple[Store, SqliteReadStorage], tmp_path: Path
) -> None:
    _store, reader = stored
    with sqlite3.connect(tmp_path / "home" / "rubdown.sqlite3") as damaging:
        damaging.execute("DROP TABLE routine_logs")
    damaging.close()
    with pytest.raises(StoreError) as raised:
        reader.for_owner(OWNER).list_routine_logs()
    assert str(raised.value) == (
        f"cannot read the routine logs from the database at {reader.shown_url}:"
        " no such table: routine_logs"
    )


def raw_plan_rows(path: Path, owner: str) -> list[tuple[Any, ...]]:
    """The plan's rows as SQLite holds them (text, numbers), not as anyone maps them."""
    connection = sqlite3.connect(path)
    try:
        return connection.execute(
            'SELECT * FROM planned_sessions WHERE owner_id = ? ORDER BY "key"', (owner,)
        ).fetchall()
    finally:
        connection.close()


def plan_to_save() -> list[Any]:
    first, *rest = samples.PLAN
    return [
        dataclasses.replace(
            first,
            pinned=True,
            start_time=dt.time(7, 5, 3, 120),
            reason="Sports massage — calves, “après” the long run",
            price=72.5,
        ),
        *rest,
    ]


def test_a_plan_saved_by_the_reader_is_stored_byte_for_byte_as_the_store_stores_it(
    stored: tuple[Store, SqliteReadStorage], tmp_path: Path
) -> None:
    """``rubdown plan`` saves through sqlite3 (no SQLAlchemy): every column as the store's
    SQLite dialect writes it, the data version bumped once, nobody else's rows touched."""
    store, reader = stored
    path = tmp_path / "home" / "rubdown.sqlite3"
    plan = plan_to_save()
    others_before = raw_plan_rows(path, "someone-else")

    store.for_owner(OWNER).save_plan(plan)
    by_store = raw_plan_rows(path, OWNER)
    data = reader.for_owner(OWNER)
    version = data.version_stamp().data_version
    data.save_plan(plan)
    by_reader = raw_plan_rows(path, OWNER)

    updated_at = 12  # the one column that holds the moment of the save
    assert [row[:updated_at] + row[updated_at + 1 :] for row in by_reader] == [
        row[:updated_at] + row[updated_at + 1 :] for row in by_store
    ]
    assert [type(value) for row in by_reader for value in row] == [
        type(value) for row in by_store for value in row
    ]
    assert all(len(row[updated_at]) == len(by_store[0][updated_at]) for row in by_reader)
    assert len(by_reader) == len(plan)
    assert by_reader[0][-1] == 1  # pinned, as an integer
    assert data.version_stamp().data_version == version + 1
    assert data.load_plan() == store.for_owner(OWNER).load_plan() == plan
    assert raw_plan_rows(path, "someone-else") == others_before
    assert reader._store is None  # the full store (SQLAlchemy) was never opened


def test_a_plan_the_database_refuses_stores_nothing_and_says_why_in_one_line(
    stored: tuple[Store, SqliteReadStorage], tmp_path: Path
) -> None:
    _store, reader = stored
    path = tmp_path / "home" / "rubdown.sqlite3"
    data = reader.for_owner(OWNER)
    before, version = raw_plan_rows(path, OWNER), data.version_stamp().data_version
    twice = [samples.PLAN[0], samples.PLAN[0]]  # one key twice: the primary key refuses it
    with pytest.raises(StoreError) as refused:
        data.save_plan(twice)
    assert "\n" not in str(refused.value)
    assert str(refused.value).startswith("cannot save the plan: the database refused it (")
    assert raw_plan_rows(path, OWNER) == before
    assert data.version_stamp().data_version == version
