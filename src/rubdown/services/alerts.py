"""What every answer must put first: the red flags and warning signs that stand.

Every flag ``domain.safety.standing_flags`` finds in the check-ins up to a day becomes an
alert: a possible clot (R5) first and marked urgent ("see a doctor today"), then red flags
(X1, which never lapse: a stale one asks whether it has settled), fresh injuries (R3) and heel
pain past two weeks (R4). Each carries its one-line message and the rules behind it in their
own words with their source titles, so the warning is as traceable as any recommendation.

The command line prints them before anything else (``cli.alerts``), the ``--json`` documents
and the JSON answers carry them as ``"alerts"`` (``alerts_view``), and every web page shows
them in its banner (``web.render``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rubdown.domain.knowledge import KnowledgeBase
from rubdown.domain.routines import DayAdvice
from rubdown.domain.safety import Flag, standing_flags
from rubdown.services.runner import Runner
from rubdown.services.views import AlertView

RED_FLAG_RULE = "X1"


@dataclass(frozen=True)
class RuleNote:
    """A rule as an alert quotes it: its ID, its words and the titles of its sources."""

    id: str
    text: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Alert:
    flag: Flag
    rules: tuple[RuleNote, ...]

    @property
    def urgent(self) -> bool:
        return self.flag.urgent

    @property
    def message(self) -> str:
        return self.flag.message()


def rule_note(kb: KnowledgeBase, rule_id: str) -> RuleNote:
    rule = kb.rule(rule_id)
    return RuleNote(rule.id, rule.text, kb.cite(rule_id).source_titles)


def alerts_from(flags: tuple[Flag, ...], kb: KnowledgeBase) -> tuple[Alert, ...]:
    """The flags as alerts, urgent ones first; otherwise in the order the flags came."""
    ordered = sorted(flags, key=lambda flag: not flag.urgent)  # a stable sort keeps the rest
    return tuple(Alert(flag, tuple(rule_note(kb, r) for r in flag.rules)) for flag in ordered)


def standing_alerts(app: Runner, day: dt.date | None = None) -> tuple[Alert, ...]:
    """The alerts that stand on ``day`` (today by default), from every check-in up to it.

    A day before today is read as today: what stands now is what the runner must see first,
    whichever day they asked about. A day to come is read as itself, so a fresh injury that
    will have settled by then is not shown, while a clot sign (which never lapses) still is.
    """
    today = app.today()
    on = max(day or today, today)
    # Only check-ins bear on flags; the rest of the season is not read.
    checkins = app.data.list_checkins()
    return alerts_from(standing_flags(checkins, on), app.kb)


def alert_view(alert: Alert) -> AlertView:
    flag = alert.flag
    return {
        "kind": flag.kind.value,
        "urgent": alert.urgent,
        "stale": flag.stale,
        "region": str(flag.region),
        "region_label": flag.region.label,
        "what": flag.what,
        "since": flag.since.isoformat(),
        "seen": flag.seen.isoformat(),
        "message": alert.message,
        "rule_ids": list(flag.rules),
        "rules": [
            {"id": note.id, "text": note.text, "sources": list(note.sources)}
            for note in alert.rules
        ],
        "blocks": [str(region) for region in flag.blocks],
        "light_only": [str(region) for region in flag.light_only],
    }


def alerts_view(alerts: tuple[Alert, ...]) -> list[AlertView]:
    return [alert_view(alert) for alert in alerts]


def beyond_alerts(
    warnings: tuple[DayAdvice, ...], alerts: tuple[Alert, ...]
) -> tuple[DayAdvice, ...]:
    """The day's advice less what the alerts shown above it already say: a routine's advice
    on a flag repeats the flag's own words first, and saying them twice buries the rest."""
    said = tuple(alert.message for alert in alerts)
    return tuple(advice for advice in warnings if not advice.message.startswith(said))
