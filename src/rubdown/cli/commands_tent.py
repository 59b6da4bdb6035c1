"""``rubdown tent``: the race-day massage tent. ``tent plan`` sizes it from the finish curve."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from rubdown.cli import commands_tent_day as tent_day
from rubdown.cli.context import json_option
from rubdown.errors import FileFormatError, InvalidValue

if TYPE_CHECKING:
    from rubdown.services.tent_plan import TentPlan


@click.group("tent")
def tent() -> None:
    """The race-day massage tent: plan its staffing, run its queue on the day, export the day."""


@tent.command("plan")
@click.option("--finishers", type=click.IntRange(min=1), required=True, help="Expected finishers.")
@click.option(
    "--distance",
    help="marathon, half, 10k or 5k: the finish curve's model (unless --results is given).",
)
@click.option(
    "--results",
    "results_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A previous year's results CSV (bib and finish time; the delimiter is sniffed).",
)
@click.option("--start", "gun", default="09:00", show_default=True, help="The gun, HH:MM.")
@click.option(
    "--start-spread",
    type=float,
    default=0.0,
    show_default=True,
    help="Minutes over which wave starts spread the runners' own starts after the gun.",
)
@click.option(
    "--uptake",
    default="10%",
    show_default=True,
    help="The share of finishers who come to the tent (0.1 or 10%).",
)
@click.option(
    "--walk",
    default="5-15",
    show_default=True,
    help="Minutes from the finish line to the tent, shortest-longest.",
)
@click.option("--session", type=float, default=10.0, show_default=True, help="Mean session, min.")
@click.option(
    "--cap", type=float, default=15.0, show_default=True, help="The time cap per session, min."
)
@click.option(
    "--reset",
    type=float,
    default=2.0,
    show_default=True,
    help="Minutes to clean the table and call the next runner.",
)
@click.option(
    "--shifts",
    help='Therapists on shift: "09:00-12:00=20,12:00-15:00=30" (quarter hours; overlaps add).',
)
@click.option(
    "--patience",
    type=float,
    default=30.0,
    show_default=True,
    help="Minutes a runner waits before giving up.",
)
@click.option(
    "--target",
    type=float,
    default=10.0,
    show_default=True,
    help="The 90th-percentile wait, in minutes, that the needed staffing keeps to.",
)
@click.option("--replications", type=click.IntRange(1, 1000), default=20, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option(
    "--chart",
    "chart_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write an SVG chart of arrivals, queue and tables per slot to FILE.svg.",
)
@json_option
def plan(
    finishers: int,
    distance: str | None,
    results_path: Path | None,
    gun: str,
    start_spread: float,
    uptake: str,
    walk: str,
    session: float,
    cap: float,
    reset: float,
    shifts: str | None,
    patience: float,
    target: float,
    replications: int,
    seed: int,
    chart_path: Path | None,
    as_json: bool,
) -> None:
    """Simulate the tent's queue per 15 minutes, and find the therapists each slot needs.

    Runners arrive after their finish time (from --results or the --distance model) and a
    walk; sessions last about --session minutes, never past --cap; runners give up after
    --patience. With --shifts, shows what those shifts do (waits, who gives up, tables in
    use); always, the therapists needed per slot to keep the 90th-percentile wait under
    --target, found by simulation. Figures are means over --replications seeded days.
    """
    from rubdown.services import tent_plan
    from rubdown.tent.simulation import SimpyTentSimulator

    if results_path is None and distance is None:
        raise InvalidValue("give --distance (marathon, half, 10k, 5k) or --results FILE.csv")
    request = tent_plan.request_from_inputs(
        tent_plan.TentInputs(
            finishers=finishers,
            distance=distance,
            results_text=_read_text(results_path) if results_path is not None else None,
            results_name=results_path.name if results_path is not None else "results",
            gun=gun,
            start_spread_min=start_spread,
            uptake=uptake,
            walk=walk,
            session_min=session,
            cap_min=cap,
            reset_min=reset,
            shifts=shifts,
            patience_min=patience,
            target_min=target,
            replications=replications,
            seed=seed,
        )
    )
    result = tent_plan.plan_tent(request, SimpyTentSimulator())
    if chart_path is not None:
        _write_chart(result, chart_path)
    if as_json:
        from rubdown.cli.render import emit_json

        emit_json(tent_plan.tent_plan_view(result))
        return
    show_tent_plan(result, chart_path)


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise FileFormatError(f"{path}: no such file") from None
    except OSError as error:
        raise FileFormatError(f"{path}: cannot be read ({error.strerror})") from None
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileFormatError(f"{path}: not a text file")  # cp1252 decodes nearly anything


def _write_chart(result: TentPlan, path: Path) -> None:
    from rubdown.services.tent_plan import chart_data
    from rubdown.tent.chart import tent_chart_svg

    chart = chart_data(result)
    svg = tent_chart_svg(
        chart.slots, chart.needed, chart.first_slot_clock_s, chart.title, chart.show_shifts
    )
    try:
        path.write_text(svg, encoding="utf-8")
    except OSError as error:
        raise FileFormatError(f"{path}: cannot write the chart ({error.strerror})") from None


def _minutes_cell(seconds: float | None) -> str:
    return "[dim]·[/]" if seconds is None else f"{seconds / 60:.1f}"


def _count(value: float) -> str:
    return "[dim]·[/]" if value < 0.05 else f"{value:.1f}"


def show_tent_plan(result: TentPlan, chart_path: Path | None) -> None:
    from rich.console import Console
    from rich.table import Table

    from rubdown.domain.tent.shifts import show_clock
    from rubdown.services.tent_plan import shown_slots

    console = Console(highlight=False)
    request = result.request
    needed = result.needed.tables_per_slot
    console.print(
        f"[bold]Massage tent plan[/]: {len(request.curve.finish_times_s):,} finishers, gun "
        f"{show_clock(request.gun_clock_s)}, {request.arrivals.uptake:.0%} come to the tent; "
        f"sessions {request.service.mean_s / 60:g} min (cap "
        f"{(request.service.cap_s or 0) / 60:g}) + {request.service.reset_s / 60:g} min reset; "
        f"runners leave after {request.patience_s / 60:g} min"
    )
    console.print(f"[dim]curve: {request.curve.source}[/]")
    for label, summary in (
        ("with your shifts", result.with_shifts),
        ("with the staffing needed", result.with_needed),
    ):
        if summary is None:
            continue
        console.print(
            f"{label}: {summary.runners:.0f} runners, {summary.served:.0f} served, "
            f"{summary.gave_up:.0f} gave up; wait p50 {summary.wait_p50_s / 60:.1f}, "
            f"p90 {summary.wait_p90_s / 60:.1f}, p99 {summary.wait_p99_s / 60:.1f} min"
        )
    met = "" if result.needed.met else " [red](not met: search stopped at its limit)[/]"
    console.print(
        f"needed for a 90th-percentile wait under {request.target_wait_s / 60:g} min: "
        f"{max(needed, default=0)} therapists at the peak, "
        f"{sum(needed) * result.slot_s / 3600:.0f} therapist-hours{met}"
    )
    table = Table(header_style="bold", box=None, pad_edge=False)
    table.add_column("slot", no_wrap=True)
    table.add_column("arrive", justify="right")
    if result.with_shifts is not None:
        table.add_column("on shift", justify="right")
    table.add_column("queue", justify="right")
    table.add_column("tables busy", justify="right")
    table.add_column("p90 wait", justify="right")
    table.add_column("gave up", justify="right")
    table.add_column("needed", justify="right")
    for k in shown_slots(result):
        slot = result.shown.slots[k]
        row = [show_clock(result.first_slot_clock_s + slot.start_s), _count(slot.arrivals)]
        if result.with_shifts is not None:
            row.append(str(slot.tables))
        row += [
            _count(slot.queue),
            _count(slot.tables_in_use),
            _minutes_cell(slot.wait_quantile_s),
            _count(slot.gave_up),
            str(needed[k]),
        ]
        table.add_row(*row)
    console.print(table)
    which = "your shifts" if result.with_shifts is not None else "the staffing needed"
    console.print(
        f"[dim]per 15 min, means of {request.replications} simulated days with {which}; "
        "queue and tables busy are averages over the slot, p90 wait is that of the slot's "
        "arrivals (in minutes, those who gave up counted with the time they waited)[/]"
    )
    if chart_path is not None:
        console.print(f"chart: {chart_path}")


# The day itself: ``tent serve`` runs the tent's queue, ``tent export`` writes the day out.
tent.add_command(tent_day.serve)
tent.add_command(tent_day.export)


COMMANDS = [tent]
