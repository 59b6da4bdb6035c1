"""Red flags and warning signs first, in every answer of the command line.

A command calls ``lead_with_alerts`` once, before it prints anything: as text, the standing
alerts (``services.alerts``) are printed at once, a possible clot in a red panel that cannot
be missed; with ``--json``, they are kept on the click context and ``render.emit_json`` puts
them first in the document as ``"alerts"``. One call, so a command's own code need not
change to carry them.
"""

from __future__ import annotations

import datetime as dt

import click
from rich.panel import Panel
from rich.text import Text

from rubdown.cli import render
from rubdown.services.alerts import Alert, alerts_view, standing_alerts
from rubdown.services.runner import Runner


def lead_with_alerts(app: Runner, day: dt.date | None, *, as_json: bool) -> None:
    """Show the alerts that stand on ``day`` (today by default) before the answer."""
    alerts = standing_alerts(app, day)
    if as_json:
        context = click.get_current_context(silent=True)
        if context is not None:
            context.meta[render.ALERTS_KEY] = alerts_view(alerts)
        return
    show_alerts(alerts)


def show_alerts(alerts: tuple[Alert, ...]) -> None:
    for alert in alerts:
        cited = "; ".join(f"{note.id}: {', '.join(note.sources)}" for note in alert.rules)
        if alert.urgent:
            body = Text(alert.message, style="bold")
            body.append(f"\n({cited})")
            render.console.print(
                Panel(
                    body,
                    title="URGENT: see a doctor today",
                    style="bold white on red",
                    border_style="bold red",
                    expand=False,
                )
            )
        else:
            line = Text("⚠ ", style="bold red")
            line.append(alert.message, style="bold red")
            line.append(f"  ({cited})", style="dim")
            render.console.print(line)
    if alerts:
        render.console.print()
