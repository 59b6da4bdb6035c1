"""Commands that bring in what the runner did: import, reimport, activities."""

from __future__ import annotations

import datetime as dt
import gc
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from rubdown.cli import render
from rubdown.cli.context import get_app, json_option
from rubdown.cli.params import DAY
from rubdown.domain.names import printable
from rubdown.domain.units import distance_in, unit_label
from rubdown.errors import FileFormatError
from rubdown.importers.rubdown_export import is_rubdown_export
from rubdown.services import views
from rubdown.services.importing import FileReport, ImportReport, count_files, import_paths
from rubdown.services.reimporting import reimport_all


@click.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--salvage",
    is_flag=True,
    help="Keep what comes before the damage in a damaged file (the activity is marked partial).",
)
@json_option
@click.pass_context
def import_command(
    ctx: click.Context, paths: tuple[Path, ...], salvage: bool, as_json: bool
) -> None:
    """Import activity files, folders and exports: FIT, GPX, TCX (plain or .gz), a Strava or
    Garmin export, an Apple Health export.zip, or an .ics calendar of races and workouts.

    A file seen before is not imported twice; a damaged file is reported and the rest goes on.
    The exit status is 1 when any file failed.

    A zip made by `rubdown export all` is restored instead, into a home with no data yet.
    """
    for path in paths:
        if not path.exists() and not path.is_symlink():
            raise FileFormatError(f"{printable(str(path))}: no such file or folder")
    if any(is_rubdown_export(path) for path in paths):
        # Loaded only then: restoring is rare, its module needs this one, and it loads the
        # account services, which would cost every import some 0.08 s of CPU.
        from rubdown.cli.commands_account import restored_instead

        if restored_instead(ctx, paths, as_json):
            return
    with _collector_for_a_batch():
        report = _run_with_progress(ctx, list(paths), salvage)
    _finish(report, as_json)


@click.command("reimport")
@json_option
@click.pass_context
def reimport_command(ctx: click.Context, as_json: bool) -> None:
    """Derive every activity again from the original files kept at import (after an upgrade)."""
    app = get_app(ctx)
    report = reimport_all(app)
    _finish(report, as_json)


@click.command("activities")
@click.option("--from", "start", type=DAY, help="First day (YYYY-MM-DD).")
@click.option("--to", "end", type=DAY, help="Last day (YYYY-MM-DD).")
@json_option
@click.pass_context
def activities(
    ctx: click.Context, start: dt.date | None, end: dt.date | None, as_json: bool
) -> None:
    """List imported activities: day, sport, duration, distance, heart rate, load, kind."""
    app = get_app(ctx)
    rows = app.data.list_activities(start, end)
    if as_json:
        render.emit_json({"activities": [views.activity_view(row) for row in rows]})
        return
    units = app.profile().units
    unit = unit_label(units)
    table = Table(title=f"{len(rows)} activities", title_justify="left")
    for column in ("day", "sport", "time", unit, "avg HR", "load", "kind", "name"):
        table.add_column(
            column, justify="right" if column in ("time", unit, "avg HR", "load") else "left"
        )
    for row in rows:
        a = row.activity
        table.add_row(
            str(row.local_day),
            a.sport.value + (" (partial)" if a.partial else ""),
            _clock(a.duration_s),
            f"{distance_in(units, a.distance_m / 1000):.1f}" if a.distance_m else "",
            f"{a.avg_hr_bpm:.0f}" if a.avg_hr_bpm else "",
            f"{a.load:.0f}" if a.load is not None else "",
            row.kind,
            a.name[:30],
        )
    render.console.print(table)


@click.command("wellness")
@click.option("--from", "start", type=DAY, help="First day (YYYY-MM-DD).")
@click.option("--to", "end", type=DAY, help="Last day (YYYY-MM-DD).")
@json_option
@click.pass_context
def wellness(ctx: click.Context, start: dt.date | None, end: dt.date | None, as_json: bool) -> None:
    """Sleep, resting heart rate and HRV per day, from Garmin and Apple Health exports."""
    app = get_app(ctx)
    days = [
        d
        for d in app.data.list_wellness()
        if (start is None or d.day >= start) and (end is None or d.day <= end)
    ]
    if as_json:
        render.emit_json({"days": [views.wellness_view(d) for d in days]})
        return
    table = Table(title=f"{len(days)} days", title_justify="left")
    for column in ("day", "source", "sleep", "score", "resting HR", "HRV ms"):
        table.add_column(column, justify="left" if column in ("day", "source") else "right")
    for d in days:
        table.add_row(
            str(d.day),
            d.source,
            _clock(d.sleep_s) if d.sleep_s is not None else "",
            f"{d.sleep_score:.0f}" if d.sleep_score is not None else "",
            f"{d.resting_hr_bpm:.0f}" if d.resting_hr_bpm is not None else "",
            f"{d.hrv_ms:.0f}" if d.hrv_ms is not None else "",
        )
    render.console.print(table)


# Young objects collected every 10,000 allocations rather than every 700: an import makes
# hundreds of thousands (SQLAlchemy's modules and the store at its start, each file's rows
# and reports), almost none in reference cycles.
_BATCH_YOUNG_THRESHOLD = 10_000


@contextmanager
def _collector_for_a_batch() -> Iterator[None]:
    """The cyclic garbage collector set for an import: what was loaded before it (the
    command's modules, some 50,000 objects) is frozen out of collection, and young objects
    are collected less often. It cost the import's main process about 0.16 s of CPU for a
    2,000-file export, 0.03 s so. Cycles are still collected, and all is put back when the
    import ends, for a process that goes on (a test's)."""
    thresholds = gc.get_threshold()
    frozen_before = gc.get_freeze_count()
    gc.freeze()
    gc.set_threshold(_BATCH_YOUNG_THRESHOLD, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        if not frozen_before:  # what someone else froze stays frozen: theirs to undo
            gc.unfreeze()


def _run_with_progress(ctx: click.Context, paths: list[Path], salvage: bool) -> ImportReport:
    app = get_app(ctx)
    errors = Console(stderr=True, highlight=False)
    if not errors.is_terminal:
        return import_paths(app, paths, salvage=salvage)
    # Loaded only for a terminal: an import whose output goes to a file or a pipe never
    # draws the bar (rich's progress module costs about 6 ms of CPU to load).
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    total = count_files(paths)
    columns = (
        TextColumn("[bold]importing"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("files · {task.fields[rate]}"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=errors, transient=True) as progress:
        task = progress.add_task("import", total=total, rate="")

        def advance(_line: FileReport) -> None:
            speed = progress.tasks[task].speed
            progress.update(task, advance=1, rate=f"{speed:.0f}/s" if speed else "")

        return import_paths(app, paths, salvage=salvage, progress=advance)


def _finish(report: ImportReport, as_json: bool) -> None:
    for line in report.files:
        if line.status == "failed":
            sys.stderr.write(f"failed: {line.path}: {line.error}\n")
    if as_json:
        render.emit_json(views.import_view(report))
    else:
        _show(report)
    if report.failed:
        sys.exit(1)


def _show(report: ImportReport) -> None:
    by_format = report.by_format()
    statuses = ("imported", "duplicate", "skipped", "failed", "partial")
    table = Table(title="Import", title_justify="left")
    table.add_column("format")
    for status in statuses:
        table.add_column(status, justify="right")
    for name in sorted(by_format):
        counts = by_format[name]
        table.add_row(name, *(str(counts.get(s, 0) or "") for s in statuses))
    summary = report.summary
    table.add_row("[bold]all[/]", *(f"[bold]{summary[s]}[/]" for s in statuses))
    render.console.print(table)
    added = sum(f.activities for f in report.files)
    said = f"{added} new activities"
    if report.races or report.workouts or report.calendar_duplicates:
        said += (
            f"; from calendars {len(report.races)} races and {len(report.workouts)} workouts"
            f" added, {report.calendar_duplicates} already known"
        )
    render.console.print(said)
    for line in report.files:
        if line.status == "partial":
            render.console.print(f"  [yellow]partial[/] {line.path}: {line.error}")
    # Thousands of photos or monitoring files are skipped in a big export: count, not list.
    reasons = Counter(line.error or "" for line in report.files if line.status == "skipped")
    for reason, count in reasons.most_common():
        render.console.print(f"  [dim]skipped {count}: {reason}[/]")
    if report.calendar_skipped:
        _show_skipped_events(report)


def _show_skipped_events(report: ImportReport) -> None:
    """Every calendar event left out, each with its reason: the runner decides whether one
    should have come in (and adds it by hand) instead of finding it missing later."""
    table = Table(title="Calendar events skipped", title_justify="left")
    for column in ("file", "event", "date", "reason"):
        table.add_column(column)
    for path, event in report.calendar_skipped:
        day = event.day.isoformat() if event.day else ""
        table.add_row(printable(Path(path).name), event.name, day, event.reason)
    render.console.print(table)


def _clock(seconds: float) -> str:
    minutes = round(seconds / 60)
    return f"{minutes // 60}:{minutes % 60:02d}"


COMMANDS = [import_command, reimport_command, activities, wellness]
