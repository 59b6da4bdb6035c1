"""The therapist's weekly hours in the store, on SQLite and PostgreSQL: kept whole, replaced
whole, scoped to their runner, and refused by the database itself when out of range."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from rubdown.domain.availability import WeeklyHours, parse_hours
from rubdown.errors import NotFound
from rubdown.store import Store
from rubdown.store import schema as tables

ANA, BEN = "ana", "ben"
CLINIC = parse_hours("tue 09:00-17:00, thu 12:00-20:00, sat 09:00-13:00")


@pytest.fixture
def runners(store: Store) -> Store:
    store.ensure_runner(ANA, "Ana")
    store.ensure_runner(BEN, "Ben")
    return store


def test_a_runner_without_hours_has_none_and_so_any_day(runners: Store) -> None:
    assert runners.therapist_hours(ANA) == WeeklyHours()


def test_hours_come_back_as_they_were_saved(runners: Store) -> None:
    late = parse_hours("fri 18:00-24:00, fri 09:00-12:00")  # up to midnight, two on a day
    runners.save_therapist_hours(ANA, late)
    assert runners.therapist_hours(ANA) == late
    runners.save_therapist_hours(ANA, CLINIC)
    assert runners.therapist_hours(ANA) == CLINIC


def test_saving_replaces_the_whole_week_and_empty_hours_clear_it(runners: Store) -> None:
    runners.save_therapist_hours(ANA, CLINIC)
    runners.save_therapist_hours(ANA, parse_hours("mon 08:00-10:00"))
    assert runners.therapist_hours(ANA).label() == "Mon 08:00-10:00"
    runners.save_therapist_hours(ANA, WeeklyHours())
    assert runners.therapist_hours(ANA) == WeeklyHours()


def test_one_runners_hours_are_not_anothers(runners: Store) -> None:
    runners.save_therapist_hours(ANA, CLINIC)
    runners.save_therapist_hours(BEN, parse_hours("wed 10:00-11:00"))
    runners.save_therapist_hours(BEN, WeeklyHours())
    assert runners.therapist_hours(ANA) == CLINIC
    assert runners.therapist_hours(BEN) == WeeklyHours()


def test_hours_for_a_runner_that_does_not_exist_are_not_found(store: Store) -> None:
    with pytest.raises(NotFound):
        store.save_therapist_hours("nobody", CLINIC)


@pytest.mark.parametrize(
    ("weekday", "start", "end"), [(7, 540, 600), (1, 600, 540), (1, -1, 60), (1, 60, 1441)]
)
def test_the_database_refuses_hours_out_of_range(
    runners: Store, raw: Engine, weekday: int, start: int, end: int
) -> None:
    row = {
        "owner_id": ANA,
        "weekday": weekday,
        "start_minute": start,
        "end_minute": end,
        "updated_at": dt.datetime(2027, 1, 4, tzinfo=dt.UTC),
    }
    with pytest.raises(IntegrityError), raw.begin() as connection:
        connection.execute(tables.therapist_hours.insert(), row)
    assert runners.therapist_hours(ANA) == WeeklyHours()


def test_removing_a_runner_removes_their_hours(runners: Store, raw: Engine) -> None:
    runners.save_therapist_hours(ANA, CLINIC)
    with raw.begin() as connection:
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA foreign_keys = ON")
        connection.execute(tables.runners.delete().where(tables.runners.c.id == ANA))
    with raw.connect() as connection:
        left = connection.execute(sa.select(sa.func.count()).select_from(tables.therapist_hours))
        assert left.scalar_one() == 0
