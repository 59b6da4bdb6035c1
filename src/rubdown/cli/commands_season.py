"""Commands that record the season: profile, races, workouts, the massage log, check-ins."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Any

import click

from rubdown.cli import render
from rubdown.cli.main import get_app, json_option
from rubdown.cli.params import (
    CLOCK,
    DAY,
    REGIONS,
    TOOLS,
    DomainParam,
    enum_param,
    pain_value,
    parse_pairs,
    soreness_value,
)
from rubdown.domain.model import (
    Condition,
    Frequency,
    PainQuality,
    PolicyName,
    Priority,
    Profile,
    SessionKind,
    WorkoutKind,
    parse_enum,
)
from rubdown.domain.regions import Region
from rubdown.services import season, views

CONDITIONS = DomainParam(
    "conditions",
    lambda text: frozenset(
        parse_enum(Condition, c, "condition") for c in text.split(",") if c.strip()
    ),
)
SORENESS = DomainParam("soreness", lambda text: parse_pairs(text, soreness_value, "soreness"))
PAIN = DomainParam("pain", lambda text: parse_pairs(text, pain_value, "pain flag"))


def profile_view(profile: Profile) -> dict[str, Any]:
    view = asdict(profile)
    view.update(
        policy=str(profile.policy),
        frequency=str(profile.frequency),
        owns=sorted(str(t) for t in profile.owns),
        conditions=sorted(str(c) for c in profile.conditions),
        session_time=profile.session_time.isoformat("minutes"),
    )
    return view


@click.group()
def profile() -> None:
    """The runner's profile: policy, frequency, budget, tools, conditions."""


@profile.command("show")
@json_option
@click.pass_context
def profile_show(ctx: click.Context, as_json: bool) -> None:
    """Show the profile."""
    view = profile_view(get_app(ctx).profile())
    if as_json:
        render.emit_json(view)
        return
    for key, value in view.items():
        shown = ", ".join(value) if isinstance(value, list) else value
        render.console.print(f"{key.replace('_', ' ')}: [bold]{shown}[/]")


@profile.command("set")
@click.option("--name")
@click.option("--policy", type=enum_param(PolicyName, "policy"), help="cautious|standard|adapted")
@click.option(
    "--frequency", type=enum_param(Frequency, "frequency"), help="weekly|biweekly|monthly"
)
@click.option("--budget-per-month", type=float, help="What professional massage may cost a month.")
@click.option("--session-price", type=float, help="The price of one session (F4: about 60-100).")
@click.option("--owns", type=TOOLS, help="Tools, e.g. roller,stick,lacrosse-ball,golf-ball.")
@click.option("--conditions", type=CONDITIONS, help="e.g. tight-calves,plantar-fasciitis.")
@click.option("--desk-job/--no-desk-job", default=None, help="Sitting or standing all day (C7).")
@click.option("--timezone", help="IANA time zone for calendar times, e.g. Europe/Berlin.")
@click.option("--session-time", type=CLOCK, help="Usual time of a booked session (HH:MM).")
@click.option("--session-minutes", type=int, help="Usual length of a deep session.")
@json_option
@click.pass_context
def profile_set(ctx: click.Context, /, as_json: bool, **changes: Any) -> None:
    """Change parts of the profile; what is not given stays as it was."""
    app = get_app(ctx)
    updated = season.update_profile(app, **changes)
    if as_json:
        render.emit_json(profile_view(updated))
    else:
        render.console.print(
            f"Profile saved: {updated.policy} policy, {updated.frequency}, budget "
            f"{updated.budget_per_month:g}/month at {updated.session_price:g} a session."
        )


@click.group()
def race() -> None:
    """Races: the dates every rule counts from."""


@race.command("add")
@click.option("--name", required=True)
@click.option("--date", "day", type=DAY, required=True)
@click.option("--priority", type=enum_param(Priority, "priority"), required=True, help="A|B|C")
@click.option("--distance-km", type=float)
@click.option("--start", "start_time", type=CLOCK, help="Start time (HH:MM), for pre-event work.")
@json_option
@click.pass_context
def race_add(
    ctx: click.Context,
    name: str,
    day: dt.date,
    priority: Priority,
    distance_km: float | None,
    start_time: dt.time | None,
    as_json: bool,
) -> None:
    """Add a race."""
    added = season.add_race(get_app(ctx), name, day, priority, distance_km, start_time)
    if as_json:
        render.emit_json(views.race_view(added))
    else:
        render.console.print(
            f"Added {added.priority} race {added.name} on {added.day} ({added.id[:8]})"
        )


@race.command("list")
@json_option
@click.pass_context
def race_list(ctx: click.Context, as_json: bool) -> None:
    """List races."""
    races = get_app(ctx).store.list_races(get_app(ctx).owner_id)
    if as_json:
        render.emit_json({"races": [views.race_view(r) for r in races]})
        return
    for r in races:
        distance = f" {r.distance_km:g} km" if r.distance_km else ""
        render.console.print(f"{r.id[:8]}  {r.day}  {r.priority}  {r.name}{distance}")


@race.command("move")
@click.argument("race_ref")
@click.option("--date", "day", type=DAY, required=True)
@json_option
@click.pass_context
def race_move(ctx: click.Context, race_ref: str, day: dt.date, as_json: bool) -> None:
    """Move a race (by id or name) to another date."""
    moved = season.move_race(get_app(ctx), race_ref, day)
    if as_json:
        render.emit_json(views.race_view(moved))
    else:
        render.console.print(f"Moved {moved.name} to {moved.day}")


@race.command("remove")
@click.argument("race_ref")
@json_option
@click.pass_context
def race_remove(ctx: click.Context, race_ref: str, as_json: bool) -> None:
    """Remove a race (by id or name)."""
    removed = season.remove_race(get_app(ctx), race_ref)
    if as_json:
        render.emit_json(views.race_view(removed))
    else:
        render.console.print(f"Removed {removed.name} ({removed.day})")


@click.group()
def workout() -> None:
    """Planned workouts; long, tempo, intervals, hill and race count as hard days."""


@workout.command("add")
@click.option("--date", "day", type=DAY, required=True)
@click.option("--kind", type=enum_param(WorkoutKind, "workout kind"), required=True)
@click.option("--duration-min", type=float)
@json_option
@click.pass_context
def workout_add(
    ctx: click.Context, day: dt.date, kind: WorkoutKind, duration_min: float | None, as_json: bool
) -> None:
    """Add a planned workout."""
    added = season.add_workout(get_app(ctx), day, kind, duration_min)
    if as_json:
        render.emit_json(views.workout_view(added))
    else:
        hard = "hard" if added.is_hard else "easy"
        render.console.print(f"Added {added.kind} workout on {added.day} ({hard})")


@workout.command("list")
@json_option
@click.pass_context
def workout_list(ctx: click.Context, as_json: bool) -> None:
    """List workouts."""
    app = get_app(ctx)
    workouts = app.store.list_workouts(app.owner_id)
    if as_json:
        render.emit_json({"workouts": [views.workout_view(w) for w in workouts]})
        return
    for w in workouts:
        render.console.print(f"{w.id[:8]}  {w.day}  {w.kind}{'  hard' if w.is_hard else ''}")


@click.group(invoke_without_command=True)
@json_option
@click.pass_context
def log(ctx: click.Context, as_json: bool) -> None:
    """The massage log; `rubdown log massage` adds to it."""
    if ctx.invoked_subcommand is not None:
        return
    app = get_app(ctx)
    sessions = app.store.list_sessions(app.owner_id)
    if as_json:
        render.emit_json({"sessions": [views.logged_session_view(s) for s in sessions]})
        return
    if not sessions:
        render.console.print(
            "The log is empty: `rubdown log massage --date D --kind K` adds to it."
        )
    for s in sessions:
        regions = ", ".join(r.label for r in s.regions)
        render.console.print(f"{s.day}  {s.kind.label}  {regions}  {s.price:g}")


@log.command("massage")
@click.option("--date", "day", type=DAY, required=True)
@click.option("--kind", type=enum_param(SessionKind, "session kind"), required=True)
@click.option("--regions", type=REGIONS, default="")
@click.option("--price", type=float, help="What it cost (default: the profile's session price).")
@click.option("--note", default="")
@json_option
@click.pass_context
def log_massage(
    ctx: click.Context,
    day: dt.date,
    kind: SessionKind,
    regions: tuple[Region, ...],
    price: float | None,
    note: str,
    as_json: bool,
) -> None:
    """Record a massage that happened."""
    logged = season.log_massage(get_app(ctx), day, kind, regions, price, note)
    if as_json:
        render.emit_json(views.logged_session_view(logged))
    else:
        render.console.print(f"Logged {logged.kind.label} on {logged.day}")


@click.command()
@click.option("--date", "day", type=DAY, help="The day (default: today).")
@click.option(
    "--sore", type=SORENESS, default="", help="Soreness 0-10, e.g. calf=6,left-hamstring=3."
)
@click.option("--pain", type=PAIN, default="", help="Pain flags, e.g. left-heel=sharp.")
@click.option("--note", default="")
@json_option
@click.pass_context
def checkin(
    ctx: click.Context,
    day: dt.date | None,
    sore: dict[Region, int],
    pain: dict[Region, PainQuality],
    note: str,
    as_json: bool,
) -> None:
    """Record how you feel: soreness per region and pain flags (sharp, numbness, tingling)."""
    app = get_app(ctx)
    recorded = season.check_in(app, day or app.today(), sore, pain, note)
    red = [
        f"{region.label} ({quality})"
        for region, quality in recorded.pain.items()
        if quality.is_red_flag
    ]
    if as_json:
        render.emit_json(
            {
                "date": recorded.day.isoformat(),
                "soreness": {str(r): v for r, v in recorded.soreness.items()},
                "pain": {str(r): str(q) for r, q in recorded.pain.items()},
                "red_flags": red,
            }
        )
        return
    render.console.print(f"Check-in saved for {recorded.day}.")
    if red:
        render.console.print(
            f"[bold red]Red flag: {', '.join(red)}. Stop massaging there and see a "
            "professional (X1).[/]"
        )


COMMANDS = [profile, race, workout, log, checkin]
