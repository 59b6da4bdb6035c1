"""Commands that answer questions: rules, check, plan, export, import, demo."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import click

from rubdown.cli import render
from rubdown.cli.alerts import lead_with_alerts
from rubdown.cli.context import get_app, json_option
from rubdown.cli.params import DAY, REGIONS, enum_param
from rubdown.domain.knowledge import RuleGroup
from rubdown.domain.model import SessionKind
from rubdown.domain.planner import LEFT_OUT
from rubdown.domain.regions import Region
from rubdown.domain.rules import show_day
from rubdown.services import views
from rubdown.services.loads import estimated_values
from rubdown.services.planning import check_session, export_plan, make_plan


@click.command()
@click.argument("rule_id", required=False)
@click.option("--group", type=enum_param(RuleGroup, "rule group"), help="Only this group.")
@json_option
@click.pass_context
def rules(ctx: click.Context, rule_id: str | None, group: RuleGroup | None, as_json: bool) -> None:
    """List the knowledge base, or show one rule with its source: rubdown rules T2."""
    kb = get_app(ctx).kb
    if rule_id:
        rule = kb.rule(rule_id)
        if as_json:
            render.emit_json(views.rule_view(rule, kb))
        else:
            render.show_rule(rule, kb)
        return
    selected = [r for r in kb.rules.values() if group is None or r.group is group]
    if as_json:
        render.emit_json(
            {
                "rules": [views.rule_view(r, kb) for r in selected],
                "policies": views.policies_view(kb),
                "timing": views.timing_table_view(kb),
            }
        )
    else:
        render.show_rules(selected, kb)


@click.command()
@click.option("--date", "day", type=DAY, required=True, help="The day of the session (YYYY-MM-DD).")
@click.option("--kind", type=enum_param(SessionKind, "session kind"), required=True)
@click.option("--regions", type=REGIONS, default="", help="Body regions, e.g. calf,left-heel.")
@json_option
@click.pass_context
def check(
    ctx: click.Context, day: dt.date, kind: SessionKind, regions: tuple[Region, ...], as_json: bool
) -> None:
    """Is this massage on this date a good idea? The rules that spoke, and what to do instead."""
    app = get_app(ctx).snapshot()  # one answer: each thing is read once
    lead_with_alerts(app, day, as_json=as_json)
    verdict = check_session(app, day, kind, regions)
    if as_json:
        render.emit_json(views.verdict_view(verdict, app.kb))
    else:
        render.show_verdict(verdict, app.kb)
        render.show_disclaimer()


_LOAD_VALUE_NAMES = {
    "max_hr_bpm": "max HR",
    "resting_hr_bpm": "resting HR",
    "threshold_hr_bpm": "threshold HR",
    "threshold_pace_s_per_km": "threshold pace",
    "sex": "sex",
}


@click.command()
@click.option("--from", "start", type=DAY, help="First day of the plan (default: today).")
@click.option("--to", "end", type=DAY, help="Last day (default: the last race, 12 weeks at least).")
@click.option("--ics", type=click.Path(dir_okay=False, path_type=Path), help="Also write an .ics.")
@json_option
@click.pass_context
def plan(
    ctx: click.Context, start: dt.date | None, end: dt.date | None, ics: Path | None, as_json: bool
) -> None:
    """Place professional sessions over the season, around races, hard days and the budget."""
    app = get_app(ctx).snapshot()  # one answer: each thing is read once
    lead_with_alerts(app, start, as_json=as_json)
    season_plan = make_plan(app, start, end, ics_path=ics)
    estimated = estimated_values(app)
    if as_json:
        render.emit_json(
            {**views.plan_view(season_plan, app.kb), "estimated_load_values": estimated}
        )
        return
    render.show_plan(season_plan, app.kb)
    if estimated:
        names = ", ".join(_LOAD_VALUE_NAMES.get(name, name) for name in estimated)
        render.console.print(
            f"[dim]Hard days from your activities rest on estimated values ({names}); "
            "give yours with rubdown profile set.[/]"
        )
    if ics is not None:
        render.console.print(f"Calendar written to [bold]{ics}[/]")
    render.show_disclaimer()


@click.group()
def export() -> None:
    """Write the plan out for other tools."""


@export.command("ics")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--no-alarms", is_flag=True, help="Leave out reminders (for a subscribed copy).")
@json_option
@click.pass_context
def export_ics_command(ctx: click.Context, file: Path, no_alarms: bool, as_json: bool) -> None:
    """Write the current plan, races and rest days to FILE as an iCalendar file."""
    app = get_app(ctx)
    season_plan = export_plan(app, file, alarms=not no_alarms)
    professional = len(season_plan.professional)
    if as_json:
        render.emit_json({"path": str(file), "sessions": professional})
    else:
        render.console.print(f"Wrote {professional} sessions to [bold]{file}[/]")
        for warning in season_plan.warnings:
            if warning.message.startswith(LEFT_OUT):  # nor are they in the calendar
                render.console.print(f"[yellow]⚠ {warning.message}[/]")


@click.command()
@click.option(
    "--ics",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("rubdown-demo.ics"),
    show_default=True,
    help="Where to write the demo calendar.",
)
@json_option
def demo(ics: Path, as_json: bool) -> None:
    """Plan a sample runner's season in a throwaway home: a marathon in 16 weeks, a half, a 10K."""
    # The demo's own needs load here, so that `check` or `plan` do not pay for them.
    from rubdown.bootstrap import Settings, build_app
    from rubdown.cli.commands_today import show_day_routines
    from rubdown.services.demo import run_demo
    from rubdown.services.routine_view import day_routines_view

    today = Settings.from_env().today
    with tempfile.TemporaryDirectory(prefix="rubdown-demo-") as home:
        # Always a throwaway SQLite file: the demo never touches the runner's own database.
        settings = Settings.in_sqlite_home(Path(home), today=today)
        app = build_app(settings)
        try:
            result = run_demo(app, ics)
            if as_json:
                render.emit_json(
                    {
                        "plan": views.plan_view(result.plan, app.kb),
                        "ics": str(result.ics_path),
                        "checks": [views.verdict_view(v, app.kb) for v in result.checks],
                        "today": day_routines_view(result.today, app.kb),
                    }
                )
                return
            profile = app.profile()
            races = ", ".join(
                f"{r.name} ({r.priority}, {show_day(r.day)} {r.day.year})"
                for r in app.data.list_races()
            )
            habits = ", ".join(c.replace("-", " ") for c in sorted(profile.conditions))
            if profile.desk_job:
                habits += ", a desk job"
            render.console.print(
                f"[bold]{profile.name}[/]: {races}; {habits}; owns "
                f"{', '.join(sorted(profile.owns))}; budget {profile.budget_per_month:g} a month "
                f"at {profile.session_price:g} a session.\n"
            )
            render.show_plan(result.plan, app.kb)
            render.console.print(f"\nCalendar written to [bold]{result.ics_path}[/]\n")
            render.console.print("[bold]Two example checks[/]")
            for verdict in result.checks:
                render.show_verdict(verdict, app.kb)
            render.console.print(
                "\n[bold]Today's self-massage[/] (`rubdown today --start` runs it with a timer)"
            )
            show_day_routines(result.today, app.kb)
            render.show_disclaimer()
        finally:
            app.close()


COMMANDS = [rules, check, plan, export, demo]
