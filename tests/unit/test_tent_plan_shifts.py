"""Therapist shifts as the tent lead writes them, on the 15-minute grid."""

from __future__ import annotations

import pytest

from rubdown.domain.tent.shifts import (
    Shift,
    parse_clock,
    parse_shifts,
    show_clock,
    therapists_per_slot,
)
from rubdown.errors import InvalidValue


def test_shifts_parse_into_clock_seconds_and_counts() -> None:
    assert parse_shifts("09:00-12:00=20, 12:00-15:30=30") == (
        Shift(9 * 3600, 12 * 3600, 20),
        Shift(12 * 3600, 15 * 3600 + 1800, 30),
    )


def test_overlapping_shifts_add_up_per_slot() -> None:
    shifts = parse_shifts("09:00-10:00=4,09:30-10:30=6")
    assert therapists_per_slot(shifts, parse_clock("09:00"), 6) == [4, 4, 10, 10, 6, 6]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("9-12=20", "does not parse"),
        ("09:00-12:00", "does not parse"),
        ("09:00-12:00=many", "does not parse"),
        ("12:00-09:00=5", "ends before it starts"),
        ("09:10-12:00=5", "quarter hour"),
        ("25:00-26:00=5", "not a clock time"),
        (" , ", "no shifts given"),
    ],
)
def test_shifts_that_do_not_parse_are_refused_in_one_line(text: str, words: str) -> None:
    with pytest.raises(InvalidValue, match=words) as raised:
        parse_shifts(text)
    assert "\n" not in str(raised.value)


def test_clock_times_show_as_hours_and_minutes() -> None:
    assert show_clock(parse_clock("7:05")) == "07:05"
    assert show_clock(25 * 3600) == "01:00"  # past midnight
