"""Distances and paces shown in the runner's units; stored values stay metric."""

from __future__ import annotations

import math

import pytest

from rubdown.cli.params import parse_pace
from rubdown.domain.model import Units
from rubdown.domain.units import (
    distance_in,
    format_distance,
    format_pace,
    pace_to_seconds_per_km,
    unit_label,
)


@pytest.mark.parametrize(
    ("units", "km", "shown"),
    [
        (Units.KM, 42.195, "42.2 km"),
        (Units.MI, 42.195, "26.2 mi"),
        (Units.KM, 10.0, "10 km"),
        (Units.MI, 5.0, "3.1 mi"),
        (Units.MI, 1.609344, "1 mi"),
        (Units.KM, None, ""),
        (Units.MI, math.nan, ""),
    ],
)
def test_a_distance_is_shown_in_the_runners_units(
    units: Units, km: float | None, shown: str
) -> None:
    assert format_distance(units, km) == shown


@pytest.mark.parametrize(
    ("units", "seconds_per_km", "shown"),
    [
        (Units.KM, 285.0, "4:45/km"),
        (Units.MI, 285.0, "7:39/mi"),
        (Units.KM, 300.0, "5:00/km"),
        (Units.MI, 300.0, "8:03/mi"),
        (Units.KM, None, ""),
        (Units.MI, math.inf, ""),
    ],
)
def test_a_pace_is_shown_per_km_or_per_mile(
    units: Units, seconds_per_km: float | None, shown: str
) -> None:
    assert format_pace(units, seconds_per_km) == shown


def test_a_mile_pace_typed_by_the_runner_is_stored_per_kilometre_and_back() -> None:
    stored = pace_to_seconds_per_km(Units.MI, 480.0)  # 8:00/mi
    assert format_pace(Units.MI, stored) == "8:00/mi"
    assert pace_to_seconds_per_km(Units.KM, 300.0) == 300.0


def test_kilometres_are_the_identity_and_labels_name_the_unit() -> None:
    assert distance_in(Units.KM, 21.0975) == 21.0975
    assert distance_in(Units.MI, 1.609344) == pytest.approx(1.0)
    assert (unit_label(Units.KM), unit_label(Units.MI)) == ("km", "mi")


def test_the_command_line_takes_a_threshold_pace_per_mile_and_stores_it_per_km() -> None:
    assert parse_pace("4:45") == parse_pace("4:45/km") == 285.0
    assert parse_pace("8:00/mi") == pytest.approx(480 / 1.609344)
    assert format_pace(Units.MI, parse_pace("7:39/MI")) == "7:39/mi"
