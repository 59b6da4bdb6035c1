"""The therapist's weekly hours: read them, replace them, read them from what was typed.

The planner books professional sessions only inside these hours (``domain.availability``);
``services.planning`` hands them over with the rest of the plan's inputs. The page, the API
and ``rubdown profile set --availability`` all come through here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from rubdown.domain.availability import OpeningWindow, WeeklyHours, parse_hours, parse_window
from rubdown.errors import InputError, InvalidValue
from rubdown.services.runner import Runner

MAX_WINDOWS = 7 * 8  # a week of split shifts is far below this; more is a runaway form


class WindowText(NamedTuple):
    """One row of the hours as typed: a weekday name and two HH:MM times."""

    weekday: str
    start: str
    end: str


def therapist_hours(app: Runner) -> WeeklyHours:
    return app.data.therapist_hours()


def set_therapist_hours(app: Runner, hours: WeeklyHours) -> WeeklyHours:
    """Replace the runner's therapist hours; empty hours mean any day again."""
    app.data.save_therapist_hours(hours)
    return hours


def hours_from_rows(rows: Iterable[WindowText]) -> WeeklyHours:
    """Rows as a form or the API sends them; a row left wholly blank is skipped, and an error
    names the row it is about (1 is the first), so the runner knows which line to fix."""
    windows: list[OpeningWindow] = []
    for number, row in enumerate(rows, start=1):
        if not (row.weekday.strip() or row.start.strip() or row.end.strip()):
            continue
        try:
            windows.append(parse_window(row.weekday, row.start, row.end))
        except InputError as error:
            raise type(error)(f"hours, row {number}: {error}") from None
        if len(windows) > MAX_WINDOWS:
            raise InvalidValue(f"at most {MAX_WINDOWS} stretches of hours a week")
    return WeeklyHours(tuple(windows))


def hours_from_text(text: str) -> WeeklyHours:
    """``tue 09:00-17:00, thu 12:00-20:00`` (``none`` clears), as the command line takes it."""
    return parse_hours(text)
