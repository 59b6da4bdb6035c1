"""Distances and paces in the runner's units; everything stored stays metric.

A runner in miles reads "26.2 mi" and "7:38/mi", one in kilometres "42.2 km" and "4:45/km".
Only what is shown changes: the rules, the load model and the store count in kilometres.
"""

from __future__ import annotations

import math

from rubdown.domain.model import Units

KM_PER_MILE = 1.609344  # the international mile, exactly


def unit_label(units: Units) -> str:
    return "mi" if units is Units.MI else "km"


def distance_in(units: Units, km: float) -> float:
    """A distance in kilometres, in the runner's units."""
    return km / KM_PER_MILE if units is Units.MI else km


def format_distance(units: Units, km: float | None, *, places: int = 1) -> str:
    """``42.195`` -> "42.2 km" or "26.2 mi"; nothing known -> ""."""
    if km is None or not math.isfinite(km):
        return ""
    value = round(distance_in(units, km), places)
    return f"{value:.{places}f}".rstrip("0").rstrip(".") + f" {unit_label(units)}"


def pace_in(units: Units, seconds_per_km: float) -> float:
    """A pace in seconds per kilometre, in seconds per the runner's unit."""
    return seconds_per_km * KM_PER_MILE if units is Units.MI else seconds_per_km


def format_pace(units: Units, seconds_per_km: float | None) -> str:
    """``285`` -> "4:45/km" or "7:38/mi"; nothing known -> ""."""
    if seconds_per_km is None or not math.isfinite(seconds_per_km):
        return ""
    minutes, seconds = divmod(round(pace_in(units, seconds_per_km)), 60)
    return f"{minutes}:{seconds:02d}/{unit_label(units)}"


def pace_to_seconds_per_km(units: Units, seconds_per_unit: float) -> float:
    """A pace the runner typed in their units, as stored: seconds per kilometre."""
    return seconds_per_unit / KM_PER_MILE if units is Units.MI else seconds_per_unit
