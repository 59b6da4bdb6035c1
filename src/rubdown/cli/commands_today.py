"""Commands about one day: ``today`` (the routines, or the guided timer) and ``why DATE``."""

from __future__ import annotations

import datetime as dt
import os
import sys
from dataclasses import replace

import click
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from rubdown.cli import render
from rubdown.cli.alerts import lead_with_alerts
from rubdown.cli.context import get_app, json_option
from rubdown.cli.params import DAY, enum_param
from rubdown.cli.timer import (
    KEYS_HELP,
    require_terminal,
    run_guided,
    summary_line,
    timer_speed,
)
from rubdown.domain.booked import BookedSession, upcoming_bookings
from rubdown.domain.knowledge import KnowledgeBase
from rubdown.domain.model import PainQuality
from rubdown.domain.routines import DayAdvice, DayRoutines, Routine, RoutineWhen
from rubdown.domain.rules import show_day
from rubdown.services.alerts import Alert, beyond_alerts, standing_alerts
from rubdown.services.routine_view import (
    clock_text,
    day_routines_view,
    pick_routine,
    record_routine_run,
)
from rubdown.services.today import day_routines
from rubdown.services.why import (
    DayExplanation,
    consequences,
    explain_day,
    hard_day_reason,
    why_view,
)

ROUTINE_TITLES = {
    RoutineWhen.PRE_RUN: "Pre-run",
    RoutineWhen.POST_RUN: "Post-run",
    RoutineWhen.REST_DAY: "Rest day",
    RoutineWhen.DESK: "Desk breaks",
}


@click.command()
@click.option("--date", "day", type=DAY, help="The day (YYYY-MM-DD; default: today).")
@click.option(
    "--routine",
    "when",
    type=enum_param(RoutineWhen, "routine"),
    help="Only this routine: pre-run|post-run|rest-day|desk (with --start: the one to time).",
)
@click.option("--start", is_flag=True, help="Go through a routine with the guided timer.")
@json_option
@click.pass_context
def today(
    ctx: click.Context,
    day: dt.date | None,
    when: RoutineWhen | None,
    start: bool,
    as_json: bool,
) -> None:
    """Today's self-massage routines: each step's move, region, tool, time and rules.

    With --start, a guided timer takes you through one routine (the day's first unless
    --routine names another): a countdown per step and what comes next. Keys: space or p
    pause and resume, s or n skip to the next step, q quit. What you did is logged, and
    `rubdown log` lists it. RUBDOWN_TIMER_SPEED=60 makes a routine second pass in 1/60 of
    a second (for tests and demos).
    """
    if start and as_json:
        raise click.UsageError("--start runs the timer in the terminal; it has no --json")
    speed = 1.0
    if start:
        # Refuse before touching anything: no terminal, no timer, nothing logged.
        require_terminal(sys.stdin, sys.stdout)
        speed = timer_speed(os.environ)
    app = get_app(ctx).snapshot()  # one answer: each thing is read once
    lead_with_alerts(app, day, as_json=as_json)
    routines = day_routines(app, day or app.today())
    if when is not None:
        chosen = pick_routine(routines, when)
        routines = DayRoutines(routines.day, (chosen,), routines.warnings)
    if as_json:
        render.emit_json(day_routines_view(routines, app.kb))
        return
    if not start:
        shown_above = standing_alerts(app, day)
        show_day_routines(
            replace(routines, warnings=beyond_alerts(routines.warnings, shown_above)), app.kb
        )
        show_bookings(upcoming_bookings(app.data.list_bookings(), routines.day))
        render.show_disclaimer()
        return
    routine = pick_routine(routines, None)
    started_at = app.clock()
    summary = run_guided(routine, render.console, warnings=routines.warnings, speed=speed)
    record_routine_run(
        app,
        app.today(),
        routine.when,
        started_at,
        steps_done=summary.steps_done,
        steps_skipped=summary.steps_skipped,
        seconds=summary.seconds,
        completed=summary.completed,
    )
    render.console.print(summary_line(summary, routine))
    render.console.print("[dim]Logged: `rubdown log` lists it.[/]")
    render.show_disclaimer()


def show_bookings(bookings: list[BookedSession]) -> None:
    """Sessions a therapist booked in the coming week: the runner's appointments, which only
    the therapist moves or cancels."""
    for booking in bookings:
        render.console.print(
            f"Booked: [bold]{booking.kind.label}[/] on {show_day(booking.day)} at"
            f" {booking.start_at:%H:%M} ({booking.length_min} min) with {booking.therapist}"
            " [dim](only they can move or cancel it)[/]"
        )


def show_warnings(warnings: tuple[DayAdvice, ...]) -> None:
    for advice in warnings:
        body = Text(advice.message, style="bold")
        body.append(f"  ({' '.join(advice.rules)})", style="dim")
        render.console.print(Panel(body, title="⚠ read first", border_style="red", expand=False))


def show_routine(routine: Routine, kb: KnowledgeBase) -> None:
    table = Table(header_style="bold", expand=False, show_edge=False)
    table.add_column("#", justify="right", style="dim")
    table.add_column("Move and cue")
    table.add_column("Region")
    table.add_column("Tool", no_wrap=True)
    table.add_column("Time", justify="right", no_wrap=True)
    table.add_column("Intensity", no_wrap=True)
    table.add_column("Rules", style="dim", min_width=5)
    for number, step in enumerate(routine.steps, start=1):
        move = Text(step.move, style="bold")
        move.append(f" · {step.kind}", style="dim")
        move.append(f"\n{step.cue}", style="italic")
        table.add_row(
            str(number),
            move,
            step.region.label if step.region is not None else "–",
            str(step.tool),
            clock_text(step.seconds),
            str(step.intensity),
            " ".join(step.rules),
        )
    title = f"{ROUTINE_TITLES[routine.when]} · {clock_text(routine.total_s)} in all"
    render.console.print(Panel(table, title=title, title_align="left", expand=False))


def show_day_routines(routines: DayRoutines, kb: KnowledgeBase) -> None:
    render.console.print(f"[bold]Self-massage for {show_day(routines.day)} {routines.day.year}[/]")
    show_warnings(routines.warnings)
    if not routines.routines:
        render.console.print("No routine for this day.")
    for routine in routines.routines:
        show_routine(routine, kb)
    render.console.print(f"[dim]`rubdown today --start` times a routine ({KEYS_HELP}).[/]")


@click.command()
@click.argument("day", type=DAY, metavar="DATE")
@json_option
@click.pass_context
def why(ctx: click.Context, day: dt.date, as_json: bool) -> None:
    """Explain a day (YYYY-MM-DD): the load behind "hard day", the check-in, the rules that
    fired with their sources, and what the plan did because of them."""
    app = get_app(ctx).snapshot()  # one answer: each thing is read once
    lead_with_alerts(app, day, as_json=as_json)
    explanation = explain_day(app, day)
    if as_json:
        render.emit_json(why_view(explanation, app))
        return
    show_why(explanation, app.kb, standing_alerts(app, day))
    render.show_disclaimer()


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def symptom(quality: PainQuality) -> str:
    return "sharp pain" if quality is PainQuality.SHARP else str(quality)


def _section(title: str) -> None:
    render.console.print(f"\n[bold underline]{title}[/]")


def show_why(
    explanation: DayExplanation, kb: KnowledgeBase, shown_above: tuple[Alert, ...] = ()
) -> None:
    day = explanation.day
    render.console.print(
        f"[bold]Why {show_day(day)} {day.year}[/] · [bold]{explanation.policy}[/] policy"
    )
    show_warnings(beyond_alerts(explanation.routines.warnings, shown_above))

    _section("Training")
    for item in explanation.training:
        facts = [item.source]
        if item.duration_min is not None:
            facts.append(f"{item.duration_min:g} min")
        if item.load is not None:
            facts.append(f"load {item.load:g}")
        mark = "[red]hard[/]" if item.hard else "[green]easy[/]"
        # "easy workout: easy" says the kind twice; name it once.
        label = item.name if item.kind in item.name else f"{item.name}: {item.kind}"
        render.console.print(f"  • {label}, {mark} [dim]({', '.join(facts)})[/]")
    render.console.print(f"  {hard_day_reason(explanation)}")
    if explanation.load is not None:
        render.console.print(f"  {explanation.load.explanation}")
    fitness = explanation.fitness
    if fitness is not None:
        render.console.print(
            f"  fitness (CTL) {fitness.ctl:.1f} · fatigue (ATL) {fitness.atl:.1f} · "
            f"form (TSB) {fitness.tsb:+.1f} · the day's load {fitness.load:.0f}"
        )

    _section("Check-in")
    checkin = explanation.checkin
    if checkin is None:
        render.console.print("  no check-in on this day")
    else:
        sore = ", ".join(f"{r.label} {v}/10" for r, v in checkin.soreness.items()) or "none"
        pain = ", ".join(f"{r.label} {q}" for r, q in checkin.pain.items()) or "none"
        render.console.print(f"  soreness: {sore}; pain: {pain}")
    for region, quality, since in explanation.red_flags:
        render.console.print(
            f"  [bold red]red flag: {symptom(quality)} in the {region.label} since "
            f"{show_day(since)}[/] "
            f"[dim]({render.cited(kb, ('X1',))})[/]"
        )

    _section("Professional massage on this day")
    for verdict in explanation.verdicts:
        render.show_verdict(verdict, kb)

    _section("Self-massage routines")
    for routine in explanation.routines.routines:
        rules = sorted({rule for step in routine.steps for rule in step.rules})
        render.console.print(
            f"  • {ROUTINE_TITLES[routine.when]}: {_count(len(routine.steps), 'step')}, "
            f"{clock_text(routine.total_s)} [dim]({' '.join(rules)})[/]"
        )
    if not explanation.routines.routines:
        render.console.print("  none")

    _section("The plan on and around this day")
    sessions = sorted(
        (*explanation.planned_on_day, *explanation.planned_around), key=lambda s: s.day
    )
    if not sessions:
        render.console.print("  no planned session within a week (`rubdown plan` makes one)")
    for session in sessions:
        marker = "→" if session.day == day else " "
        render.console.print(
            f"  {marker} {show_day(session.day)}: [bold]{session.kind.label}[/] — "
            f"{session.reason} [dim]({' '.join(session.rules)})[/]"
        )

    _section("So")
    for outcome in consequences(explanation):
        because = tuple(outcome["rules"])
        cited = f" [dim]({render.cited(kb, because)})[/]" if because else ""
        render.console.print(f"  • {outcome['message']}{cited}")


COMMANDS = [today, why]
