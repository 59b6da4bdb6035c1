"""Weekly patterns as pure values: reading "tue:tempo sun:long", spreading it over a span,
and every Nth week a recovery week."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rubdown.domain.availability import WEEKDAYS
from rubdown.domain.model import WorkoutKind
from rubdown.domain.patterns import (
    PATTERN_KINDS,
    PatternDay,
    WorkoutPattern,
    expand,
    parse_week,
    recovery_kind,
    recovery_mondays,
)
from rubdown.errors import InvalidDate, InvalidValue, UnknownName

MONDAY = dt.date(2027, 1, 4)


def pattern(
    spec: str, weeks: int, every: int | None = None, start: dt.date = MONDAY
) -> WorkoutPattern:
    last = start + dt.timedelta(weeks=weeks) - dt.timedelta(days=1)
    return WorkoutPattern(start, last, parse_week(spec), every, id="p1")


def test_a_week_reads_in_weekday_order_with_spaces_or_commas_and_full_day_names() -> None:
    assert parse_week("sun:long, tue:tempo Thursday:intervals") == (
        PatternDay(1, WorkoutKind.TEMPO),
        PatternDay(3, WorkoutKind.INTERVALS),
        PatternDay(6, WorkoutKind.LONG),
    )


@pytest.mark.parametrize(
    ("spec", "named"),
    [
        ("xyz:tempo", "'xyz:tempo'"),
        ("tue:jog", "'tue:jog'"),
        ("tue", "'tue'"),
        ("tue:tempo tue:long", "Tuesday is given twice"),
        ("sat:race", "race add"),
        ("   ", "at least one day"),
    ],
)
def test_a_day_that_cannot_be_read_is_named_in_one_line(spec: str, named: str) -> None:
    with pytest.raises((InvalidValue, UnknownName)) as caught:
        parse_week(spec)
    assert named in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_pattern_makes_one_workout_per_matching_day_marked_with_its_pattern() -> None:
    made = expand(pattern("tue:tempo thu:intervals sun:long", weeks=3))
    assert len(made.workouts) == 9
    assert {w.day.weekday() for w in made.workouts} == {1, 3, 6}
    assert all(w.source == "pattern" and w.pattern_id == "p1" for w in made.workouts)
    assert made.recovery_mondays == ()


def test_a_pattern_starting_midweek_begins_on_its_first_day() -> None:
    wednesday = MONDAY + dt.timedelta(days=2)
    made = expand(pattern("tue:tempo sun:long", weeks=1, start=wednesday))
    assert [w.day for w in made.workouts] == [dt.date(2027, 1, 10), dt.date(2027, 1, 12)]


def test_every_fourth_week_is_a_recovery_week_counting_the_first_week_as_week_one() -> None:
    p = pattern("tue:tempo thu:intervals sun:long", weeks=12, every=4)
    assert recovery_mondays(p) == (
        MONDAY + dt.timedelta(weeks=3),
        MONDAY + dt.timedelta(weeks=7),
        MONDAY + dt.timedelta(weeks=11),
    )


def test_a_recovery_week_turns_hard_sessions_easy_but_keeps_the_long_run() -> None:
    made = expand(pattern("tue:tempo thu:intervals sun:long", weeks=4, every=4))
    fourth_week = [w for w in made.workouts if w.day >= MONDAY + dt.timedelta(weeks=3)]
    assert [w.kind for w in fourth_week] == [WorkoutKind.EASY, WorkoutKind.EASY, WorkoutKind.LONG]
    first_week = [w for w in made.workouts if w.day < MONDAY + dt.timedelta(weeks=1)]
    assert [w.kind for w in first_week] == [
        WorkoutKind.TEMPO,
        WorkoutKind.INTERVALS,
        WorkoutKind.LONG,
    ]


@pytest.mark.parametrize("kind", list(WorkoutKind))
def test_only_hard_kinds_other_than_the_long_run_change_in_a_recovery_week(
    kind: WorkoutKind,
) -> None:
    expected = WorkoutKind.EASY if kind.is_hard and kind is not WorkoutKind.LONG else kind
    assert recovery_kind(kind) == expected


def test_a_pattern_that_ends_before_it_starts_or_recovers_every_week_is_refused() -> None:
    with pytest.raises(InvalidDate):
        expand(WorkoutPattern(MONDAY, MONDAY - dt.timedelta(days=1), parse_week("tue:tempo")))
    with pytest.raises(InvalidValue, match="--recovery-every"):
        expand(pattern("tue:tempo", weeks=4, every=1))
    with pytest.raises(InvalidValue, match="two years"):
        expand(pattern("tue:tempo", weeks=120))


@given(
    start=st.dates(dt.date(2026, 1, 1), dt.date(2028, 12, 31)),
    days=st.integers(0, 200),
    week=st.dictionaries(st.integers(0, 6), st.sampled_from(PATTERN_KINDS), min_size=1),
    every=st.none() | st.integers(2, 12),
)
def test_any_pattern_makes_exactly_its_days_inside_its_span(
    start: dt.date, days: int, week: dict[int, WorkoutKind], every: int | None
) -> None:
    spec = " ".join(f"{WEEKDAYS[d]}:{k.value}" for d, k in week.items())
    p = WorkoutPattern(start, start + dt.timedelta(days=days), parse_week(spec), every)
    made = expand(p)
    span = [start + dt.timedelta(days=n) for n in range(days + 1)]
    assert [w.day for w in made.workouts] == [d for d in span if d.weekday() in week]
    recovery = set(made.recovery_mondays)
    for workout in made.workouts:
        planned = week[workout.day.weekday()]
        in_recovery = workout.day - dt.timedelta(days=workout.day.weekday()) in recovery
        assert workout.kind == (recovery_kind(planned) if in_recovery else planned)
    first_monday = start - dt.timedelta(days=start.weekday())
    for monday in made.recovery_mondays:
        assert monday.weekday() == 0
        assert every is not None
        assert ((monday - first_monday).days // 7 + 1) % every == 0
    if every is not None:
        weeks = (p.last_day - first_monday).days // 7 + 1
        assert len(made.recovery_mondays) == weeks // every
