"""Commands that change training in seconds: edit, move and remove a workout, edit a race,
weekly patterns, recovery weeks, and booking a massage ahead.

The workout and race subcommands join the ``workout`` and ``race`` groups of
``commands_season``; importing this module (``cli.main`` does) attaches them.
"""

from __future__ import annotations

import datetime as dt

import click

from rubdown.cli import render
from rubdown.cli.commands_season import race, workout
from rubdown.cli.context import get_app, json_option
from rubdown.cli.params import CLOCK, DAY, REGIONS, enum_param
from rubdown.cli.show_training import show_booking
from rubdown.domain.model import Priority, SessionKind, WorkoutKind
from rubdown.domain.records import StoredPattern
from rubdown.domain.regions import Region
from rubdown.domain.units import format_distance
from rubdown.errors import InvalidValue
from rubdown.services import booking, patterns, season, training_views, views
from rubdown.services.runner import Runner

WORKOUT_KIND = enum_param(WorkoutKind, "workout kind")


def _workout_line(verb: str, ref_id: str, day: dt.date, kind: WorkoutKind) -> None:
    hard = "hard" if kind.is_hard else "easy"
    render.console.print(f"{verb}: {kind} workout on {day} ({hard}, {ref_id[:8]})")


@workout.command("edit")
@click.argument("ref")
@click.option("--date", "day", type=DAY, help="Its new date (YYYY-MM-DD).")
@click.option("--kind", type=WORKOUT_KIND, help="easy|long|tempo|intervals|hill|race|rest")
@click.option("--duration-min", type=float, help="Its new length in minutes.")
@json_option
@click.pass_context
def workout_edit(
    ctx: click.Context,
    ref: str,
    day: dt.date | None,
    kind: WorkoutKind | None,
    duration_min: float | None,
    as_json: bool,
) -> None:
    """Change a workout (by id or a unique start of it): date, kind or length."""
    app = get_app(ctx)
    edited = season.edit_workout(app, ref, day=day, kind=kind, duration_min=duration_min)
    answer = training_views.workout_answer(app, edited)
    if as_json:
        render.emit_json(answer)
    else:
        _workout_line("Changed", edited.id, edited.day, edited.kind)
        render.show_timing(answer["timing"], app.kb)


@workout.command("move")
@click.argument("ref")
@click.option("--date", "day", type=DAY, required=True, help="Its new date (YYYY-MM-DD).")
@json_option
@click.pass_context
def workout_move(ctx: click.Context, ref: str, day: dt.date, as_json: bool) -> None:
    """Move a workout (by id or a unique start of it) to another date."""
    app = get_app(ctx)
    moved = season.edit_workout(app, ref, day=day)
    answer = training_views.workout_answer(app, moved)
    if as_json:
        render.emit_json(answer)
    else:
        _workout_line("Moved", moved.id, moved.day, moved.kind)
        render.show_timing(answer["timing"], app.kb)


@workout.command("remove")
@click.argument("ref")
@json_option
@click.pass_context
def workout_remove(ctx: click.Context, ref: str, as_json: bool) -> None:
    """Remove a workout (by id or a unique start of it)."""
    removed = season.remove_workout(get_app(ctx), ref)
    if as_json:
        render.emit_json(views.workout_view(removed))
    else:
        _workout_line("Removed", removed.id, removed.day, removed.kind)


@race.command("edit")
@click.argument("race_ref")
@click.option("--name", help="Its new name.")
@click.option("--date", "day", type=DAY, help="Its new date (YYYY-MM-DD).")
@click.option("--priority", type=enum_param(Priority, "priority"), help="A|B|C")
@click.option("--distance-km", type=float, help="Its distance in kilometres.")
@click.option("--start", "start_time", type=CLOCK, help="Start time (HH:MM).")
@json_option
@click.pass_context
def race_edit(
    ctx: click.Context,
    race_ref: str,
    name: str | None,
    day: dt.date | None,
    priority: Priority | None,
    distance_km: float | None,
    start_time: dt.time | None,
    as_json: bool,
) -> None:
    """Change a race (by id or name); a subscribed calendar sees the new version."""
    app = get_app(ctx)
    edited = season.edit_race(
        app,
        race_ref,
        name=name,
        day=day,
        priority=priority,
        distance_km=distance_km,
        start_time=start_time,
    )
    if as_json:
        render.emit_json(views.race_view(edited))
        return
    distance = format_distance(app.profile().units, edited.distance_km)
    render.console.print(
        f"{edited.name}: {edited.priority} race on {edited.day}"
        + (f", {distance}" if distance else "")
        + (f", start {edited.start_time.isoformat('minutes')}" if edited.start_time else "")
        + f" ({edited.id[:8]})"
    )


class _PatternGroup(click.Group):
    """``workout pattern --from D --to D "tue:tempo ..."`` creates; ``workout pattern list``
    and ``workout pattern remove ID`` are subcommands. Anything that does not start with a
    subcommand's name (or asks for help) goes to the hidden ``create``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        asks_help = any(arg in ctx.help_option_names for arg in args)
        # ``pattern --json list`` names a subcommand too: the flag goes after it.
        first = next((arg for arg in args if arg != "--json"), "")
        if first in self.commands:
            args = [first, *[arg for arg in args if arg != first]]
        elif args and not (asks_help and len(args) == 1):
            args = ["create", *args]
        return super().parse_args(ctx, args)


@workout.group("pattern", cls=_PatternGroup)
def pattern() -> None:
    """A weekly pattern: `rubdown workout pattern --from D --to D "tue:tempo thu:intervals
    sun:long" [--recovery-every 4] [--replace ID]` adds one workout per matching day.

    `pattern list` shows patterns, `pattern remove ID` removes one with its workouts."""


@pattern.command("create", hidden=True)
@click.argument("spec")
@click.option("--from", "first_day", type=DAY, required=True, help="First day (YYYY-MM-DD).")
@click.option("--to", "last_day", type=DAY, required=True, help="Last day (YYYY-MM-DD).")
@click.option(
    "--recovery-every",
    type=int,
    help="Every Nth week is a recovery week (week 1 is the first): hard sessions but the "
    "long run become easy runs.",
)
@click.option("--replace", "replacing", help="The id of a pattern this one replaces.")
@json_option
@click.pass_context
def pattern_create(
    ctx: click.Context,
    spec: str,
    first_day: dt.date,
    last_day: dt.date,
    recovery_every: int | None,
    replacing: str | None,
    as_json: bool,
) -> None:
    """Add a weekly pattern of workouts from --from to --to."""
    app = get_app(ctx)
    stored = patterns.create_pattern(
        app, first_day, last_day, spec, recovery_every=recovery_every, replacing=replacing
    )
    if as_json:
        render.emit_json(training_views.stored_pattern_view(stored))
        return
    _pattern_summary("Added", stored)
    if replacing is not None:
        render.console.print(f"  it replaces pattern {replacing}, whose workouts are gone")


def _pattern_summary(verb: str, stored: StoredPattern) -> None:
    p = stored.pattern
    hard = sum(1 for w in stored.workouts if w.is_hard)
    render.console.print(
        f"{verb} pattern {p.id[:8]} ({p.spec}), {p.first_day} to {p.last_day}: "
        f"{len(stored.workouts)} workouts, {hard} hard"
    )
    if stored.recovery_mondays:
        weeks = ", ".join(str(m) for m in stored.recovery_mondays)
        render.console.print(f"  recovery weeks (from Monday): {weeks}")


@pattern.command("list")
@json_option
@click.pass_context
def pattern_list(ctx: click.Context, as_json: bool) -> None:
    """List weekly patterns."""
    found = patterns.list_patterns(get_app(ctx))
    if as_json:
        render.emit_json({"patterns": [training_views.pattern_view(p) for p in found]})
        return
    if not found:
        render.console.print(
            'No patterns: `rubdown workout pattern --from D --to D "tue:tempo sun:long"` adds one.'
        )
    for p in found:
        every = f"  recovery every {p.recovery_every} weeks" if p.recovery_every else ""
        render.console.print(f"{p.id[:8]}  {p.first_day} to {p.last_day}  {p.spec}{every}")


@pattern.command("remove")
@click.argument("ref")
@json_option
@click.pass_context
def pattern_remove(ctx: click.Context, ref: str, as_json: bool) -> None:
    """Remove a pattern (by id or a unique start of it) with its workouts and recovery weeks."""
    removed = patterns.remove_pattern(get_app(ctx), ref)
    if as_json:
        render.emit_json(training_views.stored_pattern_view(removed))
    else:
        _pattern_summary("Removed", removed)


@workout.command("recovery-week")
@click.argument("day", type=DAY, required=False)
@click.option("--remove", is_flag=True, help="Take the mark off instead.")
@json_option
@click.pass_context
def recovery_week(ctx: click.Context, day: dt.date | None, remove: bool, as_json: bool) -> None:
    """Mark the week holding DATE (any day of it) as a recovery week, or --remove the mark;
    without DATE, list the marked weeks.

    The planner prefers recovery weeks for deep work."""
    app = get_app(ctx)
    if day is None:
        if remove:
            raise InvalidValue("--remove needs the DATE of the week to unmark")
        _list_recovery_weeks(app, as_json)
        return
    monday, changed = patterns.set_recovery_week(app, day, marked=not remove)
    if as_json:
        render.emit_json(
            training_views.recovery_week_view(monday, marked=not remove, changed=changed)
        )
        return
    week = f"the week of {monday} to {monday + dt.timedelta(days=6)}"
    if remove:
        said = "is no longer marked" if changed else "was not marked"
    else:
        said = "is marked as a recovery week" if changed else "was already a recovery week"
    render.console.print(f"{week[0].upper()}{week[1:]} {said}.")


def _list_recovery_weeks(app: Runner, as_json: bool) -> None:
    mondays = sorted(app.data.recovery_weeks())
    if as_json:
        render.emit_json({"recovery_weeks": [monday.isoformat() for monday in mondays]})
        return
    if not mondays:
        render.console.print("No recovery weeks: `rubdown workout recovery-week DATE` marks one.")
    for monday in mondays:
        render.console.print(f"{monday} to {monday + dt.timedelta(days=6)}")


@click.command()
@click.option("--date", "day", type=DAY, required=True, help="The booked date, after today.")
@click.option("--kind", type=enum_param(SessionKind, "session kind"), required=True)
@click.option("--regions", type=REGIONS, default="")
@click.option("--price", type=float, help="What it will cost (default: the profile's price).")
@click.option("--note", default="")
@click.option("--anyway", is_flag=True, help="Book it even when the rules say no.")
@json_option
@click.pass_context
def book(
    ctx: click.Context,
    day: dt.date,
    kind: SessionKind,
    regions: tuple[Region, ...],
    price: float | None,
    note: str,
    anyway: bool,
    as_json: bool,
) -> None:
    """Record a massage booked for a date after today, once the rules allow it.

    The check is `rubdown check`'s; when it says no, nothing is stored unless --anyway."""
    app = get_app(ctx)
    booked = booking.book_session(app, day, kind, regions, price, note, anyway=anyway)
    show_booking(app, booked, as_json)


COMMANDS = [book]
