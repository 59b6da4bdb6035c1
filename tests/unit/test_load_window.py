"""The fitness series over a window: the history before it is computed (it carries into the
window) but only the window's days are kept, with the same values as the whole series."""

from __future__ import annotations

import datetime as dt

import pytest

from rubdown.domain.fitness import fitness_series
from rubdown.errors import InvalidValue
from rubdown.services.load_series import MAX_SERIES_DAYS, default_range

FIRST = dt.date(1900, 1, 1)
LOADS = {FIRST + dt.timedelta(days=n * 5): 40.0 + n % 7 * 10 for n in range(400)}


def test_days_before_keep_from_are_left_out_with_the_same_values_after() -> None:
    keep_from = dt.date(1902, 6, 1)
    end = dt.date(1902, 8, 31)

    whole = fitness_series(LOADS, FIRST, end)
    kept = fitness_series(LOADS, FIRST, end, keep_from=keep_from)

    assert kept == [day for day in whole if day.date >= keep_from]
    assert kept[0].date == keep_from
    assert kept[0].ctl > 0  # the years before it count


def test_a_long_history_before_a_short_window_gives_only_the_window() -> None:
    kept = fitness_series(LOADS, FIRST, dt.date(2200, 12, 31), keep_from=dt.date(2200, 12, 25))

    assert [day.date.day for day in kept] == list(range(25, 32))


TODAY = dt.date(2027, 1, 4)


def test_the_default_window_and_one_of_the_limit_are_accepted() -> None:
    widest = TODAY - dt.timedelta(days=MAX_SERIES_DAYS - 1)

    assert default_range(TODAY, widest, None) == (widest, TODAY)
    assert default_range(TODAY, None, None)[1] == TODAY


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (dt.date(1900, 1, 1), dt.date(2200, 12, 31)),
        (dt.date(1900, 1, 1), None),
        (TODAY - dt.timedelta(days=MAX_SERIES_DAYS), None),
    ],
)
def test_a_window_over_the_limit_is_refused_naming_it(start: dt.date, end: dt.date | None) -> None:
    with pytest.raises(InvalidValue, match=f"at most 10 years \\({MAX_SERIES_DAYS} days\\)"):
        default_range(TODAY, start, end)
