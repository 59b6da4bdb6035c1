"""``rubdown load``: fitness, fatigue and form per day, as a table with bars to glance at."""

from __future__ import annotations

import datetime as dt

import click
from rich.table import Table
from rich.text import Text

from rubdown.cli import render
from rubdown.cli.context import get_app, json_option
from rubdown.cli.params import DAY
from rubdown.domain.fitness import DayLoad
from rubdown.domain.model import WorkoutKind
from rubdown.domain.rules import show_day
from rubdown.services import views
from rubdown.services.load_series import LoadSeries, daily_series

LOAD_BAR_CELLS = 14
FORM_BAR_CELLS = 8  # on each side of zero
# Form within a few points of zero is noise to the eye; below this scale, bars are not
# stretched, so a window of small values does not look dramatic.
MIN_FORM_SCALE = 10.0
_EIGHTHS = " ▏▎▍▌▋▊▉"
_SPARKS = "▁▂▃▄▅▆▇█"

ESTIMATED_NAMES = {
    "max_hr_bpm": "max HR",
    "resting_hr_bpm": "resting HR",
    "threshold_hr_bpm": "threshold HR",
    "threshold_pace_s_per_km": "threshold pace",
}


@click.command("load")
@click.option("--from", "start", type=DAY, help="First day (default: 12 weeks before --to).")
@click.option("--to", "end", type=DAY, help="Last day (default: today).")
@json_option
@click.pass_context
def load_command(
    ctx: click.Context, start: dt.date | None, end: dt.date | None, as_json: bool
) -> None:
    """Fitness (CTL), fatigue (ATL) and form (TSB) per day from the imported activities.

    Form is that morning's, before the day's training: yesterday's fitness minus yesterday's
    fatigue. Fitness and fatigue are 42- and 7-day exponential averages of the daily load.
    The window is at most ten years (3660 days) long.
    """
    app = get_app(ctx)
    series = daily_series(app, start, end)
    if as_json:
        render.emit_json(views.load_view(series))
        return
    show_series(series)


def show_series(series: LoadSeries) -> None:
    console = render.console
    days = series.days
    console.print(
        f"[bold]Fitness, fatigue and form[/] {show_day(series.start)} {series.start.year} → "
        f"{show_day(series.end)} {series.end.year}"
    )
    width = max(console.width - 30, 20)
    ctl = [d.ctl for d in days]
    console.print(
        f"fitness  {sparkline(ctl, width)}  {ctl[0]:.1f} → {ctl[-1]:.1f}", highlight=False
    )
    console.print(_table(series))
    console.print(f"[dim]{views.load_convention_text(series)}[/]")
    if series.estimated:
        names = ", ".join(ESTIMATED_NAMES.get(n, n) for n in sorted(series.estimated))
        console.print(f"[dim]estimated, not set by you: {names}[/]")
    if series.first_activity is None:
        console.print(f"[dim]no activity on or before {series.end}: every day is a rest day[/]")
    if series.unscored:
        what = "1 activity has" if series.unscored == 1 else f"{series.unscored} activities have"
        console.print(
            f"[yellow]{what} no load yet (counted as rest); rubdown reimport computes it[/]"
        )


def _table(series: LoadSeries) -> Table:
    days = series.days
    top_load = max((d.load for d in days), default=0.0)
    form_scale = max([MIN_FORM_SCALE, *(abs(d.tsb) for d in days)])
    table = Table(header_style="bold", expand=False, box=None, pad_edge=False)
    table.add_column("day", no_wrap=True)
    table.add_column("load", justify="right")
    table.add_column("", no_wrap=True)
    table.add_column("fitness", justify="right")
    table.add_column("fatigue", justify="right")
    table.add_column("form", justify="right")
    # The header's bar sits over the zero line: tired to the left, fresh to the right.
    table.add_column("tired".rjust(FORM_BAR_CELLS) + "│" + "fresh", no_wrap=True)
    for day in days:
        hard = series.hard.get(day.date, ())
        table.add_row(
            _day(day.date),
            f"{day.load:.0f}" if day.load else "[dim]·[/]",
            _load_cell(day, top_load, hard),
            f"{day.ctl:.1f}",
            f"{day.atl:.1f}",
            f"{day.tsb:+.1f}",
            form_bar(day.tsb, form_scale),
        )
    return table


def _load_cell(day: DayLoad, top: float, hard: tuple[WorkoutKind, ...]) -> Text:
    cell = Text(bar(day.load, top, LOAD_BAR_CELLS), style="red" if hard else "cyan")
    if hard:
        cell.append(" " + ", ".join(str(k) for k in hard), style="bold")
    return cell


def bar(value: float, top: float, cells: int) -> str:
    """A left-aligned bar of ``cells`` at most, to an eighth of a cell, padded with spaces."""
    if top <= 0 or value <= 0:
        return " " * cells
    eighths = round(min(value / top, 1.0) * cells * 8)
    if eighths == 0:
        eighths = 1  # any training at all shows
    whole, part = divmod(eighths, 8)
    return ("█" * whole + (_EIGHTHS[part] if part else "")).ljust(cells)


def form_bar(value: float, scale: float) -> Text:
    """Zero in the middle; fatigued (negative) grows left, fresh (positive) grows right."""
    cells = min(round(abs(value) / scale * FORM_BAR_CELLS), FORM_BAR_CELLS)
    left = "█" * cells if value < 0 else ""
    right = "█" * cells if value > 0 else ""
    text = Text(left.rjust(FORM_BAR_CELLS), style="magenta")
    text.append("│", style="dim")
    text.append(right.ljust(FORM_BAR_CELLS), style="green")
    return text


def sparkline(values: list[float], width: int) -> str:
    """One character per value (or per bucket of values, averaged, when they do not fit)."""
    if not values:
        return ""
    buckets = max(1, -(-len(values) // width))  # ceiling division
    points = [
        sum(values[i : i + buckets]) / len(values[i : i + buckets])
        for i in range(0, len(values), buckets)
    ]
    low, high = min(points), max(points)
    if high - low < 0.05:  # flat to the one decimal the table shows
        return _SPARKS[0] * len(points)
    steps = len(_SPARKS) - 1
    return "".join(_SPARKS[round((p - low) / (high - low) * steps)] for p in points)


def _day(day: dt.date) -> str:
    return f"{day:%a} {day.day:>2} {day:%b}"


COMMANDS = [load_command]
