"""How results look in a terminal (rich); ``--json`` output comes from ``services.views``."""

from __future__ import annotations

import json
import sys
from typing import Any

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from rubdown.domain.knowledge import KnowledgeBase, Rule
from rubdown.domain.plan import Plan
from rubdown.domain.rules import Verdict, show_day
from rubdown.services.views import DISCLAIMER, WarningView, spend_by_month

console = Console(highlight=False)


# Where ``cli.alerts.lead_with_alerts`` keeps the alerts a --json answer must lead with.
ALERTS_KEY = "rubdown.alerts"


def emit_json(document: Any) -> None:
    sys.stdout.write(json.dumps(_with_alerts(document), indent=2, ensure_ascii=False) + "\n")


def _with_alerts(document: Any) -> Any:
    """The document with the running command's standing alerts first, if it asked for them."""
    context = click.get_current_context(silent=True)
    alerts = context.meta.get(ALERTS_KEY) if context is not None else None
    if alerts is None or not isinstance(document, dict):
        return document
    return {"alerts": alerts, **{k: v for k, v in document.items() if k != "alerts"}}


def cited(kb: KnowledgeBase, rule_ids: tuple[str, ...]) -> str:
    return "; ".join(kb.cite(r).short for r in rule_ids)


def show_verdict(verdict: Verdict, kb: KnowledgeBase) -> None:
    what = f"{verdict.kind.label} on {show_day(verdict.day)} {verdict.day.year}"
    if verdict.regions:
        what += " (" + ", ".join(r.label for r in verdict.regions) + ")"
    if verdict.allowed:
        console.print(f"[bold green]✔ allowed[/]: {what}  [dim]{verdict.policy.name} policy[/]")
    else:
        console.print(f"[bold red]✘ not allowed[/]: {what}  [dim]{verdict.policy.name} policy[/]")
    for finding in verdict.findings:
        mark = "[red]✘[/]" if finding.forbids else "[green]✔[/]"
        console.print(f"  {mark} {finding.reason} [dim]({cited(kb, finding.rules)})[/]")
    if not verdict.findings:
        console.print("  no rule stands against it: no race, hard day or red flag nearby")
    if verdict.alternatives:
        console.print("  [bold]instead:[/] " + "; ".join(a.note for a in verdict.alternatives))


def show_plan(plan: Plan, kb: KnowledgeBase) -> None:
    console.print(
        f"[bold]Season plan[/] {show_day(plan.start)} {plan.start.year} → "
        f"{show_day(plan.end)} {plan.end.year} · [bold]{plan.policy}[/] policy"
    )
    table = Table(show_lines=True, header_style="bold", expand=False)
    table.add_column("When", no_wrap=True)
    table.add_column("Session, focus and why")
    table.add_column("Price", justify="right", no_wrap=True)
    table.add_column("Rules", style="dim")
    vigorous = 0
    for session in plan.sessions:
        if not session.kind.is_professional:
            vigorous += 1
            continue
        when = f"{show_day(session.day)} {session.day.year}"
        if session.start_time:
            when += f"\n{session.start_time:%H:%M}, {session.duration_min} min"
        what = Text(session.kind.label, style="bold")
        if session.regions:
            what.append(" · " + ", ".join(r.label for r in session.regions))
        if session.pinned:
            what.append("\nPinned: you moved it to this day; re-plans keep it here.")
        what.append("\n" + session.reason, style="dim")
        table.add_row(
            when,
            what,
            f"{session.price:g}" if session.price else "–",
            " ".join(session.rules),
        )
    console.print(table)
    spend = spend_by_month(plan)
    if spend:
        console.print(
            "[bold]Spend per month:[/] " + ", ".join(f"{m} {v:g}" for m, v in spend.items())
        )
    if vigorous:
        console.print(
            f"[bold]Vigorous self-massage:[/] {vigorous} post-run bouts after hard workouts, "
            "never two days running [dim](T10, T8)[/]"
        )
    if plan.rhythm:
        console.print("[bold]Self-massage rhythm[/]")
        for item in plan.rhythm:
            console.print(
                f"  • [bold]{item.when}[/] ({item.minutes} min): {item.what} "
                f"[dim]({' '.join(item.rules)})[/]"
            )
    for warning in plan.warnings:
        rules = f" [dim]({' '.join(warning.rules)})[/]" if warning.rules else ""
        console.print(f"[yellow]⚠ {warning.message}[/]{rules}")
    for note in plan.notes:
        cites = f" [dim]({cited(kb, note.rules)})[/]" if note.rules else ""
        console.print(f"[cyan]ℹ {note.message}[/]{cites}")


def show_rules(rules: list[Rule], kb: KnowledgeBase) -> None:
    table = Table(header_style="bold")
    table.add_column("ID", no_wrap=True)
    table.add_column("Group", no_wrap=True)
    table.add_column("Rule")
    table.add_column("Source", style="dim", no_wrap=True)
    for rule in rules:
        table.add_row(rule.id, str(rule.group), rule.title, ", ".join(rule.sources))
    console.print(table)
    show_timing_table(kb)


def show_timing_table(kb: KnowledgeBase) -> None:
    """The timing table: days between a session and a race or hard workout, per policy."""
    if kb.table is None:
        return
    table = Table(
        title="Timing table (D: the session, R: a race, H: a hard workout)", header_style="bold"
    )
    table.add_column("Rule")
    table.add_column("")
    for name in kb.policies:
        table.add_column(str(name), justify="right")
    for row in kb.table.rows:
        cells = [f"{cell.days} [dim]({' '.join(cell.rules)})[/]" for cell in row.cells.values()]
        table.add_row(row.says, row.measure, *cells)
    console.print(table)
    for fixed in kb.table.fixed:
        console.print(f"  • {fixed.says} [dim]({' '.join(fixed.rules)})[/]")
    for policy in kb.policies.values():
        console.print(f"  [bold]{policy.name}[/]: {policy.summary}")


def show_rule(rule: Rule, kb: KnowledgeBase) -> None:
    console.print(f"[bold]{rule.id}[/] · {rule.group} · {rule.title}")
    console.print(Text(rule.text))
    if rule.move is not None:
        move = rule.move
        console.print(
            f"Move: {move.name}; {move.when}; {move.seconds} s; {move.intensity}; "
            f"tools: {', '.join(move.tools)}; regions: {', '.join(move.regions)}"
        )
        console.print(f"Cue: {move.cue}")
    if rule.protocol is not None:
        protocol = rule.protocol
        console.print(f"Focus: {', '.join(protocol.focus) or '–'}")
        console.print(f"Professional work: {', '.join(protocol.professional) or '–'}")
        console.print(f"Moves: {', '.join(protocol.moves) or '–'}")
        console.print(Text(f"Advice: {protocol.advice}"))
    for key in rule.sources:
        source = kb.sources[key]
        where = f" <{source.url}>" if source.url else ""
        console.print(f"[dim]Source {key}: {source.file} — {source.title}{where}[/]")


def show_disclaimer() -> None:
    console.print(f"[dim]{DISCLAIMER}[/]")


def show_timing(timing: list[WarningView], kb: KnowledgeBase) -> None:
    """A hard workout inside a massage's recovery window: one warning line each, with rules."""
    for item in timing:
        rules = tuple(rule["id"] for rule in item["rules"])
        console.print(f"[yellow]⚠ {item['message']}[/] [dim]({cited(kb, rules)})[/]")
