"""The Load page: fitness, fatigue and form over a window, with the days that mattered on it.

The numbers are ``load_series.daily_series``'s, laid out by ``views.load_view`` (the page and
``GET /api/load`` show the same values) plus each day's ramp, and the events a runner reads a
fitness chart against: races (A/B/C), the massage sessions they logged and the sessions of the
saved plan. The planned ones come from the stored plan, not from planning again: the chart
must stay cheap to draw, and the stored plan is the one the runner has seen and booked from.

The default window looks back ``DEFAULT_BACK_DAYS`` and ``AHEAD_DAYS`` forward, so the next
race and sessions show; after today no training is known, so the lines there are what rest
alone would do (said in words on the page).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from rubdown.domain.fitness import DayLoad
from rubdown.errors import InvalidDate, InvalidValue
from rubdown.services import views
from rubdown.services.load_series import MAX_SERIES_DAYS, LoadSeries, daily_series
from rubdown.services.runner import Runner

DEFAULT_BACK_DAYS = 120
AHEAD_DAYS = 14
RECENT_DAYS = 14  # the summary table: the last two weeks, today included
MAX_CHART_DAYS = MAX_SERIES_DAYS  # ten years of days is already far more than a screen shows


class ChartRange(StrEnum):
    """The preset windows of the range selector; each ends ``AHEAD_DAYS`` after today."""

    SIX_WEEKS = "6w"
    THREE_MONTHS = "3m"
    SIX_MONTHS = "6m"
    ONE_YEAR = "1y"
    ALL = "all"

    @property
    def label(self) -> str:
        return _RANGE_LABELS[self]


_RANGE_LABELS = {
    ChartRange.SIX_WEEKS: "6 weeks",
    ChartRange.THREE_MONTHS: "3 months",
    ChartRange.SIX_MONTHS: "6 months",
    ChartRange.ONE_YEAR: "1 year",
    ChartRange.ALL: "all",
}

_RANGE_BACK_DAYS = {
    ChartRange.SIX_WEEKS: 6 * 7,
    ChartRange.THREE_MONTHS: 91,
    ChartRange.SIX_MONTHS: 182,
    ChartRange.ONE_YEAR: 365,
}

# The load values (``LoadParams`` fields) in words, as the profile names them.
ESTIMATED_LABELS = {
    "max_hr_bpm": "maximum heart rate",
    "resting_hr_bpm": "resting heart rate",
    "threshold_hr_bpm": "threshold heart rate",
    "threshold_pace_s_per_km": "threshold pace",
}


@dataclass(frozen=True)
class Marker:
    """Something on a day of the chart: a race, a logged session or a planned one."""

    day: dt.date
    kind: str  # "race" | "session" | "planned"
    label: str
    priority: str | None = None  # races only: "A", "B" or "C"


def chart_window(
    today: dt.date,
    first_activity: dt.date | None,
    start: dt.date | None,
    end: dt.date | None,
    preset: ChartRange | None,
) -> tuple[dt.date, dt.date]:
    """The days to draw: ``start``/``end`` when given, else the preset's, else the default.

    Every window without an explicit end runs to ``AHEAD_DAYS`` after today. "all" starts at
    the first activity (or where the default would, with none yet).
    """
    last = end if end is not None else today + dt.timedelta(days=AHEAD_DAYS)
    if start is not None:
        first = start
    elif preset is ChartRange.ALL:
        if first_activity is not None and first_activity < last:
            first = first_activity
        else:
            first = last - dt.timedelta(days=DEFAULT_BACK_DAYS + AHEAD_DAYS)
        # A very long history is cut to its last ten years rather than refused: "all" is a
        # button, and a button should not answer with an error.
        first = max(first, last - dt.timedelta(days=MAX_CHART_DAYS - 1))
    else:
        back = DEFAULT_BACK_DAYS if preset is None else _RANGE_BACK_DAYS[preset]
        first = min(today, last) - dt.timedelta(days=back)
    if first > last:
        raise InvalidDate(f"the chart cannot end ({last}) before it starts ({first})")
    if (last - first).days + 1 > MAX_CHART_DAYS:
        raise InvalidValue("the chart shows at most ten years; choose a later 'from' date")
    return first, last


def _first_activity(app: Runner) -> dt.date | None:
    days = app.data.activity_days()
    return min((day for _, day, _, _ in days), default=None)


def _markers(app: Runner, first: dt.date, last: dt.date) -> list[Marker]:
    found: list[Marker] = []
    for race in app.data.list_races():
        if first <= race.day <= last:
            label = f"{race.priority} race: {race.name}"
            found.append(Marker(race.day, "race", label, str(race.priority)))
    for session in app.data.list_sessions():
        if first <= session.day <= last:
            found.append(Marker(session.day, "session", session.kind.label.capitalize()))
    today = app.today()
    for planned in app.data.load_plan():
        # Only the plan's future: what it proposed for days now past was logged, or wasn't.
        # Self-massage bouts come every few days and would bury the appointments: the chart
        # marks professional sessions only (the Plan page shows the rhythm).
        if max(first, today) <= planned.day <= last and planned.kind.is_professional:
            found.append(Marker(planned.day, "planned", f"Planned: {planned.kind.label}"))
    order = {"race": 0, "session": 1, "planned": 2}
    return sorted(found, key=lambda m: (m.day, order[m.kind]))


def marker_view(marker: Marker) -> dict[str, Any]:
    return {
        "date": marker.day.isoformat(),
        "type": marker.kind,
        "label": marker.label,
        "priority": marker.priority,
    }


def convention_words(series: LoadSeries) -> list[str]:
    """How to read the lines, one sentence each; the time constants come from the series."""
    return [
        f"Fitness (CTL) is your daily training load averaged over about {series.ctl_days:g} "
        f"days, fatigue (ATL) the same over about {series.atl_days:g} days; both are "
        f"exponentially weighted, so recent days count most ({series.decay.formula}).",
        "Form (TSB) is that morning's: yesterday's fitness minus yesterday's fatigue, how "
        "fresh your legs are before the day's training. Below zero you are carrying fatigue.",
        "Ramp is how much fitness changed over the last 7 days.",
        "Days after today assume rest: only training you have done counts.",
    ]


def day_label(day: dt.date) -> str:
    """ "Mon 4 Jan", as the other pages write a day."""
    return f"{day:%a} {day.day} {day:%b}"


def _day_row(view_day: dict[str, Any], day: DayLoad, hard: list[str]) -> dict[str, Any]:
    return {**view_day, "ramp": round(day.ramp, 2) + 0.0, "hard": hard}


def _rows(series: LoadSeries) -> list[dict[str, Any]]:
    """``load_view``'s days (the API's numbers), each with its ramp and hard kinds added."""
    listed = views.load_view(series)["days"]
    return [
        _day_row(dict(view_day), day, [str(kind) for kind in series.hard.get(day.date, ())])
        for view_day, day in zip(listed, series.days, strict=True)
    ]


def load_chart(
    app: Runner,
    start: dt.date | None = None,
    end: dt.date | None = None,
    preset: ChartRange | None = None,
) -> dict[str, Any]:
    """Everything the Load page shows: the series over the window with its markers, today's
    numbers, the last ``RECENT_DAYS`` days as a table, and how to read them."""
    today = app.today()
    explicit = start is not None or end is not None
    first_activity = _first_activity(app) if preset is ChartRange.ALL and not explicit else None
    first, last = chart_window(today, first_activity, start, end, None if explicit else preset)
    series = daily_series(app, first, last)
    view = views.load_view(series)
    days = _rows(series)
    markers = [marker_view(m) for m in _markers(app, first, last)]

    recent_first = today - dt.timedelta(days=RECENT_DAYS - 1)
    if first <= recent_first and today <= last:
        recent_rows = [d for d in days if recent_first.isoformat() <= d["date"] <= str(today)]
        recent_markers = markers
    else:  # the window does not hold the last two weeks: they are read on their own
        recent_series = daily_series(app, recent_first, today)
        recent_rows = _rows(recent_series)
        recent_markers = [marker_view(m) for m in _markers(app, recent_first, today)]
    events: dict[str, list[str]] = {}
    for marker in recent_markers:
        events.setdefault(marker["date"], []).append(marker["label"])
    recent = [
        {
            **row,
            "label": day_label(dt.date.fromisoformat(row["date"])),
            "events": events.get(row["date"], []),
        }
        for row in recent_rows
    ]

    estimated = [ESTIMATED_LABELS.get(name, name) for name in view["estimated"]]
    return {
        "from": view["from"],
        "to": view["to"],
        "today": today.isoformat(),
        "from_label": f"{first.day} {first:%b %Y}",
        "to_label": f"{last.day} {last:%b %Y}",
        "range": None if explicit or preset is None else str(preset),
        "days": days,
        "markers": markers,
        "current": recent[-1],
        "recent": list(reversed(recent)),  # newest first, as a log reads
        "convention": {**view["convention"], "words": convention_words(series)},
        # Load values only matter once there are activities to score with them.
        "estimated": estimated if series.first_activity is not None else [],
        "unscored_activities": view["unscored_activities"],
        "first_activity": view["first_activity"],
    }


def range_choices(selected: str | None) -> list[dict[str, Any]]:
    """The range selector's buttons, the one in use marked."""
    return [{"value": str(r), "label": r.label, "current": str(r) == selected} for r in ChartRange]
