"""The Load page's window: presets, explicit dates, and the limits."""

from __future__ import annotations

import datetime as dt

import pytest

from rubdown.errors import InvalidDate, InvalidValue
from rubdown.web.presenters.load_chart import (
    MAX_CHART_DAYS,
    ChartRange,
    chart_window,
    range_choices,
)

TODAY = dt.date(2027, 1, 4)
AHEAD = dt.date(2027, 1, 18)  # today + 14


def test_the_default_window_is_the_last_120_days_and_two_weeks_ahead() -> None:
    assert chart_window(TODAY, None, None, None, None) == (dt.date(2026, 9, 6), AHEAD)


@pytest.mark.parametrize(
    ("preset", "first"),
    [
        (ChartRange.SIX_WEEKS, dt.date(2026, 11, 23)),
        (ChartRange.THREE_MONTHS, dt.date(2026, 10, 5)),
        (ChartRange.SIX_MONTHS, dt.date(2026, 7, 6)),
        (ChartRange.ONE_YEAR, dt.date(2026, 1, 4)),
    ],
)
def test_each_preset_looks_back_its_length_from_today(preset: ChartRange, first: dt.date) -> None:
    assert chart_window(TODAY, None, None, None, preset) == (first, AHEAD)


def test_all_starts_at_the_first_activity_or_the_default_without_one() -> None:
    first_run = dt.date(2024, 5, 1)
    assert chart_window(TODAY, first_run, None, None, ChartRange.ALL) == (first_run, AHEAD)
    assert chart_window(TODAY, None, None, None, ChartRange.ALL)[0] == dt.date(2026, 9, 6)


def test_all_cuts_a_very_long_history_to_ten_years_instead_of_refusing() -> None:
    first, last = chart_window(TODAY, dt.date(1990, 1, 1), None, None, ChartRange.ALL)
    assert (last - first).days + 1 == MAX_CHART_DAYS


def test_explicit_dates_win_and_a_lone_end_looks_back_from_itself() -> None:
    start, end = dt.date(2026, 12, 1), dt.date(2026, 12, 31)
    assert chart_window(TODAY, None, start, end, ChartRange.ONE_YEAR) == (start, end)
    assert chart_window(TODAY, None, None, end, None) == (end - dt.timedelta(days=120), end)
    assert chart_window(TODAY, None, start, None, None) == (start, AHEAD)


def test_a_window_that_ends_before_it_starts_or_is_too_long_is_refused() -> None:
    with pytest.raises(InvalidDate):
        chart_window(TODAY, None, dt.date(2027, 2, 1), dt.date(2027, 1, 1), None)
    with pytest.raises(InvalidValue):
        chart_window(TODAY, None, dt.date(1990, 1, 1), TODAY, None)


def test_the_range_choices_mark_the_one_in_use() -> None:
    choices = range_choices("3m")
    assert [c["label"] for c in choices] == ["6 weeks", "3 months", "6 months", "1 year", "all"]
    assert [c["value"] for c in choices if c["current"]] == ["3m"]
    assert not any(c["current"] for c in range_choices(None))
