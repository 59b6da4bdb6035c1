"""Clock times and therapist shifts, on the tent's 15-minute grid.

Shifts are written as the tent lead says them: ``09:00-12:00=20,12:00-15:00=30`` (20
therapists from 9 to 12, 30 from 12 to 3). Shifts may overlap, and their counts then add up.
They start and end on a quarter hour, so each 15-minute slot has one count.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rubdown.errors import InvalidValue

SLOT_S = 15 * 60
DAY_S = 24 * 3600
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")
_SHIFT = re.compile(r"^\s*(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})\s*=\s*(\d+)\s*$")
EXAMPLE = "09:00-12:00=20,12:00-15:00=30"


@dataclass(frozen=True)
class Shift:
    """``therapists`` at work from ``start_s`` to ``end_s`` (seconds after midnight)."""

    start_s: int
    end_s: int
    therapists: int


def parse_clock(text: str) -> int:
    """Seconds after midnight for "HH:MM"."""
    match = _CLOCK.match(text.strip())
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        raise InvalidValue(f'"{text}" is not a clock time (HH:MM, e.g. 09:30)')
    return int(match[1]) * 3600 + int(match[2]) * 60


def show_clock(seconds_after_midnight: float) -> str:
    minutes = int(seconds_after_midnight // 60) % (24 * 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def parse_shifts(text: str) -> tuple[Shift, ...]:
    """Shifts from "HH:MM-HH:MM=N,..."; one clear error naming the part that does not parse."""
    shifts = []
    for part in text.split(","):
        if not part.strip():
            continue
        match = _SHIFT.match(part)
        if match is None:
            raise InvalidValue(
                f'shift "{part.strip()}" does not parse: write HH:MM-HH:MM=THERAPISTS, '
                f"e.g. {EXAMPLE}"
            )
        start_s, end_s = parse_clock(match[1]), parse_clock(match[2])
        if end_s <= start_s:
            raise InvalidValue(f'shift "{part.strip()}" ends before it starts')
        if start_s % SLOT_S or end_s % SLOT_S:
            raise InvalidValue(
                f'shift "{part.strip()}" must start and end on a quarter hour (:00, :15, :30, :45)'
            )
        shifts.append(Shift(start_s, end_s, int(match[3])))
    if not shifts:
        raise InvalidValue(f"no shifts given: write HH:MM-HH:MM=THERAPISTS, e.g. {EXAMPLE}")
    return tuple(shifts)


def therapists_per_slot(shifts: Sequence[Shift], first_slot_s: int, slots: int) -> list[int]:
    """How many therapists work in each of ``slots`` slots from ``first_slot_s`` (seconds
    after midnight, on the quarter hour)."""
    counts = []
    for k in range(slots):
        at = first_slot_s + k * SLOT_S
        counts.append(sum(s.therapists for s in shifts if s.start_s <= at < s.end_s))
    return counts
