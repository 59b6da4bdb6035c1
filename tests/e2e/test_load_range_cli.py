"""`rubdown load` over a window wider than ten years is refused at once in one line naming
the limit (it once drew 110,000 rows for 1900-2200); up to the limit it is drawn."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from rubdown.services.load_series import MAX_SERIES_DAYS
from tests.e2e.cli import TODAY, Result

WIDEST_FROM = dt.date.fromisoformat(TODAY) - dt.timedelta(days=MAX_SERIES_DAYS - 1)


@pytest.mark.parametrize(
    "window",
    [
        ["--from", "1900-01-01", "--to", "2200-12-31"],
        ["--from", "1900-01-01"],  # to today
        ["--to", "2200-12-31", "--from", (WIDEST_FROM - dt.timedelta(days=1)).isoformat()],
        ["--from", (WIDEST_FROM - dt.timedelta(days=1)).isoformat()],  # one day too many
    ],
    ids=["1900-2200", "1900-today", "to-2200", "one-day-over"],
)
def test_a_window_over_the_limit_is_refused_in_one_line(
    run: Callable[..., Result], window: list[str]
) -> None:
    result = run("load", *window)

    line = result.error_line()
    assert result.code == 2
    assert f"at most 10 years ({MAX_SERIES_DAYS} days)" in line
    assert result.out == ""


def test_a_window_of_the_limit_is_drawn_day_by_day(run: Callable[..., Result]) -> None:
    document = run("load", "--from", WIDEST_FROM.isoformat(), "--json").document()

    assert len(document["days"]) == MAX_SERIES_DAYS
    assert (document["days"][0]["date"], document["days"][-1]["date"]) == (
        WIDEST_FROM.isoformat(),
        TODAY,
    )


def test_the_help_names_the_limit(run: Callable[..., Result]) -> None:
    result = run("load", "--help")

    assert result.code == 0
    assert f"{MAX_SERIES_DAYS} days" in result.out
