"""Fitness, fatigue and form day by day, from the loads of the stored activities.

The series is always computed from the runner's first activity, whatever window is asked
for: CTL remembers about six weeks (and some of it for months), so a window that started
from zero would show a seasoned runner as unfit for its first weeks. rubdown's convention is
``Decay.EXP`` with N = 42 and 7 and form taken from yesterday's values (see
``rubdown.domain.fitness``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from rubdown.domain.fitness import (
    ATL_DAYS,
    CTL_DAYS,
    DayLoad,
    Decay,
    FormConvention,
    daily_loads,
    fitness_series,
)
from rubdown.domain.model import WorkoutKind
from rubdown.errors import InvalidDate, InvalidValue
from rubdown.services.loads import current_params, repair_loads
from rubdown.services.runner import Runner

DEFAULT_WEEKS = 12
# The widest window a series is made for: ten years, a runner's history many times over. The
# cost is a row per day (a table a terminal prints, a JSON array), so 1900-2200 (110,000
# days) is refused with one line naming this limit rather than drawn for minutes.
MAX_SERIES_YEARS = 10
MAX_SERIES_DAYS = MAX_SERIES_YEARS * 366


@dataclass(frozen=True)
class LoadSeries:
    """Every day from ``start`` to ``end`` with its load, CTL, ATL and form, and what the
    runner should know to read them."""

    start: dt.date
    end: dt.date
    days: tuple[DayLoad, ...]
    # Hard kinds (long, tempo, ...) of the activities of each day in the window that had any.
    hard: Mapping[dt.date, tuple[WorkoutKind, ...]]
    # ``LoadParams`` fields that came from the runner's data or a default, not from them.
    estimated: frozenset[str]
    # Activities up to ``end`` that have no load yet (no basis stored): they count as nothing.
    unscored: int
    first_activity: dt.date | None  # the first on or before ``end``
    decay: Decay = Decay.EXP
    form: FormConvention = FormConvention.YESTERDAY
    ctl_days: float = CTL_DAYS
    atl_days: float = ATL_DAYS


def default_range(
    today: dt.date, start: dt.date | None, end: dt.date | None
) -> tuple[dt.date, dt.date]:
    """The window asked for; by default the last ``DEFAULT_WEEKS`` weeks, today included."""
    last = end if end is not None else today
    first = start if start is not None else last - dt.timedelta(days=7 * DEFAULT_WEEKS - 1)
    if first > last:
        raise InvalidDate(f"the series cannot end ({last}) before it starts ({first})")
    span_days = (last - first).days + 1
    if span_days > MAX_SERIES_DAYS:
        raise InvalidValue(
            f"the load series covers at most {MAX_SERIES_YEARS} years ({MAX_SERIES_DAYS} days),"
            f" not {span_days} days from {first} to {last}: choose a later start or earlier end"
        )
    return first, last


def daily_series(app: Runner, start: dt.date | None, end: dt.date | None) -> LoadSeries:
    """Loads summed per local day and the fitness series over ``start``..``end``."""
    first, last = default_range(app.today(), start, end)
    repair_loads(app)  # loads left stale by an import killed before its refresh
    rows = app.data.list_activities(None, last)
    scored: list[tuple[dt.date, float]] = []
    for row in rows:
        if row.activity.load is not None:
            scored.append((row.local_day, row.activity.load))
    daily = daily_loads(scored)
    first_activity = min((row.local_day for row in rows), default=None)
    # Start from zero at the first activity, as GoldenCheetah does, so ``first`` inherits its
    # past; with nothing done before ``first``, starting there from zero is the same thing.
    origin = first if first_activity is None else min(first_activity, first)
    # The days from the first activity to ``first`` are computed (they carry into the window)
    # but not kept: memory follows the window, however long ago the history starts.
    days = tuple(
        fitness_series(
            daily,
            origin,
            last,
            ctl_days=CTL_DAYS,
            atl_days=ATL_DAYS,
            decay=Decay.EXP,
            keep_from=first,
        )
    )
    hard: dict[dt.date, list[WorkoutKind]] = {}
    for row in rows:
        kind = _kind(row.kind)
        if row.local_day >= first and kind is not None and kind.is_hard:
            kinds = hard.setdefault(row.local_day, [])
            if kind not in kinds:
                kinds.append(kind)
    return LoadSeries(
        start=first,
        end=last,
        days=days,
        hard={day: tuple(kinds) for day, kinds in sorted(hard.items())},
        estimated=current_params(app).estimated,
        unscored=len(rows) - len(scored),
        first_activity=first_activity,
        decay=Decay.EXP,
        form=FormConvention.YESTERDAY,
        ctl_days=CTL_DAYS,
        atl_days=ATL_DAYS,
    )


def _kind(text: str) -> WorkoutKind | None:
    try:
        return WorkoutKind(text)
    except ValueError:
        return None  # a kind this version does not know says nothing about hardness
