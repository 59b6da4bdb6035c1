"""Commands that record the season: profile, races, workouts, the log, check-ins, injuries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import click

from rubdown.cli import render
from rubdown.cli.alerts import lead_with_alerts
from rubdown.cli.context import get_app, json_option
from rubdown.cli.params import (
    CLOCK,
    DAY,
    PACE,
    REGION,
    REGIONS,
    SCALE,
    SEX,
    SIGNS,
    TOOLS,
    DomainParam,
    enum_param,
    pain_value,
    parse_pairs,
    soreness_value,
)
from rubdown.cli.show_training import show_booking
from rubdown.domain.availability import WeeklyHours
from rubdown.domain.load import LoadParams
from rubdown.domain.model import (
    Condition,
    Frequency,
    PainQuality,
    PolicyName,
    Priority,
    SessionKind,
    Sign,
    Units,
    WorkoutKind,
    parse_enum,
)
from rubdown.domain.records import ManualRun
from rubdown.domain.regions import Region
from rubdown.domain.units import format_distance, unit_label
from rubdown.domain.units import format_pace as format_pace_in
from rubdown.services import availability, booking, daily, season, training_views, views
from rubdown.services.loads import current_params

CONDITIONS = DomainParam(
    "conditions",
    lambda text: frozenset(
        parse_enum(Condition, c, "condition") for c in text.split(",") if c.strip()
    ),
)
SORENESS = DomainParam("soreness", lambda text: parse_pairs(text, soreness_value, "soreness"))
PAIN = DomainParam("pain", lambda text: parse_pairs(text, pain_value, "pain flag"))
RUN_KIND_NAMES = "|".join(kind.value for kind in daily.RUN_KINDS)
HOURS = DomainParam("availability", availability.hours_from_text)


@click.group()
def profile() -> None:
    """The runner's profile: policy, frequency, budget, tools, conditions, load values."""


@profile.command("show")
@json_option
@click.pass_context
def profile_show(ctx: click.Context, as_json: bool) -> None:
    """Show the profile and the values training loads are computed with."""
    app = get_app(ctx)
    params = current_params(app)
    view = views.profile_view(app.profile(), params)
    hours = availability.therapist_hours(app)
    if as_json:
        render.emit_json({**view, "availability": views.availability_view(hours)})
        return
    for key, value in view.items():
        if key in views.LOAD_VALUES or key in ("sex", "load_values"):
            continue  # shown below, with where each value came from
        shown = ", ".join(value) if isinstance(value, list) else value
        render.console.print(f"{key.replace('_', ' ')}: [bold]{shown}[/]")
    render.console.print(f"therapist hours: [bold]{hours.label()}[/]")
    _show_load_values(params, app.profile().units)


def _show_load_values(params: LoadParams, units: Units = Units.KM) -> None:
    def origin(name: str) -> str:
        return "estimated" if name in params.estimated else "yours"

    render.console.print("load values:")
    rows = (
        ("max HR", f"{params.max_hr_bpm:.0f} bpm", "max_hr_bpm"),
        ("resting HR", f"{params.resting_hr_bpm:.0f} bpm", "resting_hr_bpm"),
        ("threshold HR", f"{params.threshold_hr_bpm:.0f} bpm", "threshold_hr_bpm"),
        (
            "threshold pace",
            format_pace_in(units, params.threshold_pace_s_per_km),
            "threshold_pace_s_per_km",
        ),
    )
    for label, value, name in rows:
        render.console.print(f"  {label}: [bold]{value}[/] ({origin(name)})")
    sex = params.sex or "not given (male weighting)"
    render.console.print(f"  sex: [bold]{sex}[/]")
    if params.estimated:
        render.console.print(
            "  Estimated values sit low when the history holds only easy runs, which makes "
            "loads too high: `rubdown profile set --max-hr ... --threshold-pace ...` fixes them."
        )


@profile.command("set")
@click.option("--name")
@click.option("--policy", type=enum_param(PolicyName, "policy"), help="cautious|standard|adapted")
@click.option(
    "--frequency", type=enum_param(Frequency, "frequency"), help="weekly|biweekly|monthly"
)
@click.option("--budget-per-month", type=float, help="What professional massage may cost a month.")
@click.option(
    "--session-price", type=float, help="The price of an hour of deep work (F4: about 60-100)."
)
@click.option("--sports-price", type=float, help="The price of an hour of sports massage.")
@click.option("--flush-price", type=float, help="The price of a 30-minute recovery flush.")
@click.option("--post-event-price", type=float, help="The price of a post-event session.")
@click.option("--owns", type=TOOLS, help="Tools, e.g. roller,stick,lacrosse-ball,golf-ball.")
@click.option("--conditions", type=CONDITIONS, help="e.g. tight-calves,plantar-fasciitis.")
@click.option("--desk-job/--no-desk-job", default=None, help="Sitting or standing all day (C7).")
@click.option("--timezone", help="IANA time zone for calendar times, e.g. Europe/Berlin.")
@click.option("--session-time", type=CLOCK, help="Usual time of a booked session (HH:MM).")
@click.option("--session-minutes", type=int, help="Usual length of a deep session.")
@click.option("--max-hr", "max_hr_bpm", type=float, help="Maximum heart rate, 120-230 bpm.")
@click.option("--resting-hr", "resting_hr_bpm", type=float, help="Resting heart rate, 30-100.")
@click.option(
    "--threshold-hr", "threshold_hr_bpm", type=float, help="Lactate-threshold heart rate."
)
@click.option(
    "--threshold-pace",
    "threshold_pace_s_per_km",
    type=PACE,
    help="Threshold pace per km (about your 1-hour race pace), e.g. 4:45.",
)
@click.option("--sex", type=SEX, help="male|female: the heart-rate load's weighting.")
@click.option(
    "--units", type=enum_param(Units, "units"), help="km|mi: how distances and paces are shown."
)
@click.option(
    "--availability",
    "hours",
    type=HOURS,
    help='Your therapist\'s weekly hours, e.g. "tue 09:00-17:00, thu 12:00-20:00"; '
    'professional sessions are planned only then. "none": any day.',
)
@json_option
@click.pass_context
def profile_set(
    ctx: click.Context, /, as_json: bool, hours: WeeklyHours | None, **changes: Any
) -> None:
    """Change parts of the profile; what is not given stays as it was."""
    app = get_app(ctx)
    # The profile first: if it is refused, the hours are not stored either.
    if hours is None or any(value is not None for value in changes.values()):
        updated = season.update_profile(app, **changes)
    else:
        updated = app.profile()
    if hours is not None:
        availability.set_therapist_hours(app, hours)
    if as_json:
        view = views.profile_view(updated, current_params(app))
        hours_view = views.availability_view(availability.therapist_hours(app))
        render.emit_json({**view, "availability": hours_view})
    else:
        render.console.print(
            f"Profile saved: {updated.policy} policy, {updated.frequency}, budget "
            f"{updated.budget_per_month:g}/month at {updated.session_price:g} a session."
        )
        if hours is not None:
            render.console.print(
                f"Therapist hours: {hours.label()}; professional sessions are planned "
                + ("on any day." if not hours.is_set else f"only on {hours.days_label()}.")
            )
        if changes.get("units") is not None:
            render.console.print(f"Distances and paces are shown in {unit_label(updated.units)}.")
        if season.LOAD_FIELDS & {name for name, value in changes.items() if value is not None}:
            _show_load_values(current_params(app), updated.units)


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
    app = get_app(ctx)
    added = season.add_race(app, name, day, priority, distance_km, start_time)
    if as_json:
        render.emit_json(views.race_view(added))
    else:
        distance = format_distance(app.profile().units, added.distance_km)
        render.console.print(
            f"Added {added.priority} race {added.name}{f' ({distance})' if distance else ''}"
            f" on {added.day} ({added.id[:8]})"
        )


@race.command("list")
@json_option
@click.pass_context
def race_list(ctx: click.Context, as_json: bool) -> None:
    """List races."""
    app = get_app(ctx)
    races = app.data.list_races()
    if as_json:
        render.emit_json({"races": [views.race_view(r) for r in races]})
        return
    units = app.profile().units
    for r in races:
        distance = f" {format_distance(units, r.distance_km)}" if r.distance_km else ""
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
    app = get_app(ctx)
    added = season.add_workout(app, day, kind, duration_min)
    answer = training_views.workout_answer(app, added)
    if as_json:
        render.emit_json(answer)
    else:
        hard = "hard" if added.is_hard else "easy"
        render.console.print(f"Added {added.kind} workout on {added.day} ({hard})")
        render.show_timing(answer["timing"], app.kb)


@workout.command("list")
@json_option
@click.pass_context
def workout_list(ctx: click.Context, as_json: bool) -> None:
    """List workouts."""
    app = get_app(ctx)
    workouts = app.data.list_workouts()
    if as_json:
        render.emit_json({"workouts": [views.workout_view(w) for w in workouts]})
        return
    for w in workouts:
        minutes = f"  {w.duration_min:g} min" if w.duration_min else ""
        made_by = f"  (pattern {w.pattern_id[:8]})" if w.pattern_id else ""
        hard = "  hard" if w.is_hard else ""
        render.console.print(f"{w.id[:8]}  {w.day}  {w.kind}{hard}{minutes}{made_by}")


@click.group(invoke_without_command=True)
@json_option
@click.pass_context
def log(ctx: click.Context, as_json: bool) -> None:
    """The log: massage sessions, runs logged by hand and routines done, by date.

    `rubdown log massage` and `rubdown log run` add to it."""
    if ctx.invoked_subcommand is not None:
        return
    app = get_app(ctx)
    found = daily.training_log(app)
    # A session dated after today is a booking: listed apart, under "booked".
    logged, booked = booking.split_bookings(app, found.sessions)
    if as_json:
        render.emit_json(
            {
                "sessions": [views.logged_session_view(s) for s in logged],
                "booked": [views.logged_session_view(s) for s in booked],
                "runs": [views.manual_run_view(r) for r in found.runs],
                "routines": [views.routine_log_view(r) for r in found.routines],
            }
        )
        return
    lines: list[tuple[dt.date, int, str]] = []
    for s in logged:
        regions = ", ".join(r.label for r in s.regions)
        lines.append((s.day, 0, f"{s.day}  {s.kind.label}  {regions}  {s.price:g}"))
    for r in found.runs:
        lines.append((r.day, 1, f"{r.day}  {_run_line(r)}"))
    for done in found.routines:
        steps = f"{done.steps_done} steps done, {done.steps_skipped} skipped"
        finished = "completed" if done.completed else "stopped early"
        text = f"{done.when} routine: {steps}, {done.seconds / 60:.0f} min, {finished}"
        lines.append((done.day, 2, f"{done.day}  {text}"))
    if not lines and not booked:
        render.console.print(
            "The log is empty: `rubdown log massage --date D --kind K` or "
            "`rubdown log run --date D --duration-min M --rpe R` adds to it."
        )
    for _, _, line in sorted(lines, key=lambda item: (item[0], item[1])):
        render.console.print(line)
    if booked:
        render.console.print("booked:")
    for s in booked:
        regions = ", ".join(r.label for r in s.regions)
        render.console.print(f"  {s.day}  {s.kind.label}  {regions}  {s.price:g}")


def _run_line(run: ManualRun) -> str:
    minutes = run.duration_s / 60
    load = f"{run.load:.1f}" if run.load is not None else "?"
    return (
        f"{run.kind} run, {minutes:g} min at RPE {run.rpe:g}: "
        f"{minutes * run.rpe:.0f} AU (minutes × RPE), load {load}"
    )


@log.command("massage")
@click.option("--date", "day", type=DAY, required=True)
@click.option("--kind", type=enum_param(SessionKind, "session kind"), required=True)
@click.option("--regions", type=REGIONS, default="")
@click.option("--price", type=float, help="What it cost (default: the profile's price of it).")
@click.option("--note", default="")
@click.option("--anyway", is_flag=True, help="A booking: store it even when the rules say no.")
@json_option
@click.pass_context
def log_massage(
    ctx: click.Context,
    day: dt.date,
    kind: SessionKind,
    regions: tuple[Region, ...],
    price: float | None,
    note: str,
    anyway: bool,
    as_json: bool,
) -> None:
    """Record a massage that happened; dated after today, a booking (see `rubdown book`)."""
    app = get_app(ctx)
    logged = booking.record_massage(app, day, kind, regions, price, note, anyway=anyway)
    if isinstance(logged, booking.Booking):
        show_booking(app, logged, as_json)
        return
    if as_json:
        render.emit_json(views.logged_session_view(logged))
    else:
        render.console.print(f"Logged {logged.kind.label} on {logged.day}")


@log.command("run")
@click.option("--date", "day", type=DAY, required=True)
@click.option("--duration-min", type=float, required=True, help="How long, 1-600 minutes.")
@click.option("--rpe", type=float, required=True, help="How hard, 0-10 (CR-10: 7 is very hard).")
@click.option(
    "--kind",
    type=enum_param(WorkoutKind, "run kind"),
    help=f"{RUN_KIND_NAMES} (default: decided by its load, as for imported runs).",
)
@json_option
@click.pass_context
def log_run(
    ctx: click.Context,
    day: dt.date,
    duration_min: float,
    rpe: float,
    kind: WorkoutKind | None,
    as_json: bool,
) -> None:
    """Record a run done without a file to import: its length and how hard it felt."""
    logged = daily.log_run(get_app(ctx), day, duration_min, rpe, kind)
    if as_json:
        render.emit_json({**views.manual_run_view(logged.run), "detail": logged.detail})
        return
    line = _run_line(logged.run)
    article = "an" if line[0] in "aeiou" else "a"  # "an easy run", "a long run"
    render.console.print(f"Logged {article} {line} on {logged.run.day}.")
    render.console.print(f"  {logged.detail} (100 = an hour at threshold)")


@click.command()
@click.option("--date", "day", type=DAY, help="The day (default: today).")
@click.option(
    "--sore", type=SORENESS, default="", help="Soreness 0-10, e.g. calf=6,left-hamstring=3."
)
@click.option(
    "--pain",
    type=PAIN,
    default="",
    help="Pain flags dull|sharp|numbness|tingling, e.g. left-heel=sharp.",
)
@click.option(
    "--sign",
    "signs",
    type=SIGNS,
    default="",
    help="Warning signs swelling|warmth|redness (legs) or strain|bruise|knock, joined by +,"
    " e.g. left-calf=swelling+warmth,right-hamstring=strain.",
)
@click.option("--fatigue", type=SCALE, help="1-4: 1 fresh, 4 exhausted (intervals.icu's scale).")
@click.option("--sleep", type=SCALE, help="1-4: 1 great, 4 poor (intervals.icu's scale).")
@click.option("--note", default="", help="Added after the note of an earlier check-in that day.")
@click.option(
    "--replace",
    "replace_day",
    is_flag=True,
    help="Replace an earlier check-in of that day whole instead of merging into it.",
)
@json_option
@click.pass_context
def checkin(
    ctx: click.Context,
    day: dt.date | None,
    sore: dict[Region, int],
    pain: dict[Region, PainQuality],
    signs: dict[Region, frozenset[Sign]],
    fatigue: int | None,
    sleep: int | None,
    note: str,
    replace_day: bool,
    as_json: bool,
) -> None:
    """Record how you feel today: soreness per region, pain flags, warning signs, fatigue, sleep.

    One check-in a day: a later one on the same day is merged into it (what it gives wins,
    other regions, fatigue, sleep and the note stay; --sore calf=0 says the calf is fine
    now; --replace starts the day afresh). Sharp pain, numbness or
    tingling stop massage of that region (X1); swelling, warmth or redness in a leg may be a
    clot: no massage of that leg, see a doctor today (R5); a fresh strain, bruise or knock
    keeps massage off that region for 72 hours (R3). What stands is printed first."""
    app = get_app(ctx)
    result = daily.check_in(
        app,
        day or app.today(),
        sore,
        pain,
        note,
        fatigue=fatigue,
        sleep=sleep,
        signs=signs,
        replace_day=replace_day,
    )
    lead_with_alerts(app, result.checkin.day, as_json=as_json)
    # "merged" is added beside "replaced" (the day had one before), which clients read.
    view: views.SavedCheckInView = {
        **views.checkin_view(result.checkin, replaced=result.replaced),
        "merged": result.merged,
    }
    if as_json:
        render.emit_json(view)
        return
    when = result.checkin.day
    if result.merged:
        render.console.print(
            f"Check-in saved for {when}; merged with the earlier check-in of that day."
        )
    elif result.replaced:
        render.console.print(f"Check-in saved for {when}; it replaces the earlier one that day.")
    else:
        render.console.print(f"Check-in saved for {when}.")
    # What a red flag or a warning sign means was printed first, with every other that stands.
    if view["red_flags"]:
        render.console.print(f"Red flags: {', '.join(view['red_flags'])}.")
    if view["warning_signs"]:
        render.console.print(f"Warning signs: {'; '.join(view['warning_signs'])}.")


@click.group()
def injury() -> None:
    """Injury episodes: while one is open, its condition steers the plan and routines."""


@injury.command("start")
@click.option("--region", type=REGION, required=True, help="e.g. left-heel, knee, it-band.")
@click.option(
    "--condition",
    type=enum_param(Condition, "condition"),
    required=True,
    help="|".join(c.value for c in Condition),
)
@click.option("--date", "day", type=DAY, help="The first day (default: today).")
@json_option
@click.pass_context
def injury_start(
    ctx: click.Context, region: Region, condition: Condition, day: dt.date | None, as_json: bool
) -> None:
    """Open an episode of a condition in a region."""
    started = daily.start_injury(get_app(ctx), region, condition, day)
    if as_json:
        render.emit_json(views.injury_view(started))
        return
    render.console.print(
        f"Started a {started.condition} episode in the {started.region.label} on "
        f"{started.start} ({started.id[:8]}); the plan and routines now include it."
    )


@injury.command("end")
@click.option("--id", "injury_id", help="The episode's ID (or its first characters).")
@click.option("--region", type=REGION, help="The region of the open episode to end.")
@click.option("--date", "day", type=DAY, help="The last day (default: today).")
@click.option("--helped", default="", help="What helped, in your words.")
@json_option
@click.pass_context
def injury_end(
    ctx: click.Context,
    injury_id: str | None,
    region: Region | None,
    day: dt.date | None,
    helped: str,
    as_json: bool,
) -> None:
    """End an open episode: by --id, by --region, or the only open one."""
    ended = daily.end_injury(
        get_app(ctx), injury_id=injury_id, region=region, day=day, helped=helped
    )
    if as_json:
        render.emit_json(views.injury_view(ended))
        return
    render.console.print(
        f"Ended the {ended.condition} episode in the {ended.region.label}: "
        f"{ended.start} to {ended.end}."
    )


@injury.command("list")
@json_option
@click.pass_context
def injury_list(ctx: click.Context, as_json: bool) -> None:
    """List injury episodes, open and ended."""
    episodes = daily.list_injuries(get_app(ctx))
    if as_json:
        render.emit_json({"injuries": [views.injury_view(e) for e in episodes]})
        return
    if not episodes:
        render.console.print(
            "No injury episodes: `rubdown injury start --region R --condition C` opens one."
        )
    for e in episodes:
        until = f"to {e.end}" if e.end else "open"
        helped = f"  helped: {e.helped}" if e.helped else ""
        render.console.print(
            f"{e.id[:8]}  {e.start} {until}  {e.condition} in the {e.region.label}{helped}"
        )


COMMANDS = [profile, race, workout, log, checkin, injury]
