"""The planner at the ends of the accepted years (``rubdown.domain.dates``): a plan stores its
sessions, so none falls after 2200-12-31, and rows an older rubdown stored in year 1 or 9999
are left out of the plan and named, instead of overflowing ``datetime.date``."""

from __future__ import annotations

import datetime as dt

from tests.support.seasons import plan, race

from rubdown.domain.dates import LAST_DAY
from rubdown.domain.model import (
    CheckIn,
    MassageSession,
    Priority,
    Profile,
    Season,
    SessionKind,
    Workout,
    WorkoutKind,
)
from rubdown.domain.planner import default_end, within_years

FAR = (dt.date(9999, 12, 31), dt.date(1, 1, 1))


def test_a_race_on_the_last_accepted_day_ends_the_plan_there_with_nothing_after_it() -> None:
    last = race("Last Marathon", LAST_DAY, Priority.A)
    made = plan(Season(races=(last,)), Profile(), start=dt.date(2200, 10, 6))
    assert made.end == LAST_DAY
    assert made.sessions
    assert max(s.day for s in made.sessions) <= LAST_DAY


def test_the_default_end_never_passes_the_last_accepted_day_nor_comes_before_the_start() -> None:
    assert default_end(Season(), dt.date(2200, 12, 1)) == LAST_DAY
    assert default_end(Season(), LAST_DAY) == LAST_DAY


def test_far_rows_are_left_out_of_the_plan_and_named_in_one_warning() -> None:
    spring = race("Spring Marathon", dt.date(2027, 4, 18), Priority.A)
    far_season = Season(
        races=(spring, *(race("Far Marathon", day, Priority.A) for day in FAR)),
        workouts=tuple(Workout(day, WorkoutKind.TEMPO, 60.0) for day in FAR),
        sessions=tuple(MassageSession(day, SessionKind.SPORTS, ()) for day in FAR),
        checkins=tuple(CheckIn(day) for day in FAR),
        recovery_weeks=frozenset({dt.date(9999, 12, 27)}),
    )
    made = plan(far_season, Profile(), start=dt.date(2027, 1, 4))
    assert made.end == dt.date(2027, 4, 19)
    (warning,) = [w for w in made.warnings if "outside the years 1900-2200" in w.message]
    for named in (
        "the race 'Far Marathon' on 9999-12-31",
        "the race 'Far Marathon' on 0001-01-01",
        "a tempo workout on 9999-12-31",
        "a sports session on 0001-01-01",
        "a check-in on 9999-12-31",
        "a recovery week from 9999-12-27",
    ):
        assert named in warning.message


def test_a_season_inside_the_years_is_kept_as_it_is_without_a_warning() -> None:
    inside = Season(races=(race("Spring Marathon", dt.date(2027, 4, 18)),))
    assert within_years(inside) == (inside, [])


def test_a_race_more_than_three_years_ahead_stops_the_plan_at_three_years_with_a_note() -> None:
    start = dt.date(2027, 1, 4)
    far_ahead = race("Bicentennial Marathon", dt.date(2150, 6, 1), Priority.A)
    made = plan(Season(races=(far_ahead,)), Profile(), start=start)
    assert made.end == start + dt.timedelta(days=3 * 366)
    assert max(s.day for s in made.sessions) <= made.end
    (note,) = [n for n in made.notes if "three years at most" in n.message]
    assert "'Bicentennial Marathon' on 2150-06-01" in note.message


def test_an_end_asked_for_is_kept_and_draws_no_note_about_later_races() -> None:
    start = dt.date(2027, 1, 4)
    made = plan(
        Season(races=(race("Spring Marathon", dt.date(2027, 4, 18)),)),
        Profile(),
        start=start,
        end=dt.date(2027, 3, 1),
    )
    assert made.end == dt.date(2027, 3, 1)
    assert not [n for n in made.notes if "three years at most" in n.message]
