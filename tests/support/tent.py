"""Helpers for the race-day tent's tests: stored records, triage answers, a day on disk."""

from __future__ import annotations

import datetime as dt
import itertools
import weakref
from pathlib import Path

from rubdown.domain.tent.day import ActionRecord, kind_of, payload_of
from rubdown.domain.tent.queue import Action
from rubdown.domain.tent.triage import all_clear
from rubdown.services.tent_day import TentDay

ENTRIES_CSV = (
    "bib,name,distance,finish_time\n"
    "101,Ann Archer,Marathon,3:58:12\n"
    "102,Bob Baker,10K,0:51:40\n"
    "103,Cleo Cruz,Half Marathon,1:49:03\n"
    "104,Dev Desai,Marathon,4:21:55\n"
)


def record_of(seq: int, action: Action, at: dt.datetime) -> ActionRecord:
    """The record the store would keep for ``action`` (the answer is not replayed)."""
    return ActionRecord(seq, f"key-{seq:08d}", "test", kind_of(action), payload_of(action), at, {})


def answers(*signs: str) -> dict[str, bool]:
    """Triage answers: every question no, except ``signs``."""
    given = all_clear()
    given.update(dict.fromkeys(signs, True))
    return given


def write_entries(folder: Path) -> Path:
    path = folder / "entries.csv"
    path.write_text(ENTRIES_CSV, encoding="utf-8")
    return path


class StepClock:
    """A clock that moves one second each time it is read, from a fixed start."""

    def __init__(self, start: dt.datetime | None = None) -> None:
        self._start = start or dt.datetime(2027, 4, 25, 11, 0, tzinfo=dt.UTC)
        self._ticks = itertools.count()

    def __call__(self) -> dt.datetime:
        return self._start + dt.timedelta(seconds=next(self._ticks))


_PINS: weakref.WeakKeyDictionary[TentDay, dict[str, str]] = weakref.WeakKeyDictionary()


def pins_of(day: TentDay) -> dict[str, str]:
    """The day's PINs for a test: shown only once when made, so kept here per day."""
    if day not in _PINS:
        _PINS[day] = day.first_pins() or day.new_pins()
    return _PINS[day]
