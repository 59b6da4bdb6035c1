"""The self-massage rhythm of a season: the habits between professional sessions (T9-T11).

These are not dated: they say what to do around every run and on every day, in the runner's
own tools (hands when they own none that fits).
"""

from __future__ import annotations

from rubdown.domain.knowledge import KnowledgeBase, Move
from rubdown.domain.model import Profile, SessionKind, Tool
from rubdown.domain.plan import RhythmItem


def tool_for(move: Move, owned: frozenset[Tool]) -> Tool:
    for tool in move.tools:
        if tool in owned or tool is Tool.HANDS:
            return tool
    return Tool.HANDS


def _moves_text(kb: KnowledgeBase, ids: tuple[str, ...], owned: frozenset[Tool]) -> str:
    parts = []
    for move_id in ids:
        move = kb.rule(move_id).move
        if move is not None:
            parts.append(f"{move.name} ({tool_for(move, owned)}, {move_id})")
    return "; ".join(parts)


def build_rhythm(profile: Profile, kb: KnowledgeBase) -> tuple[RhythmItem, ...]:
    owned = profile.owns
    items = [
        RhythmItem(
            when="pre-run",
            kind=SessionKind.SELF_LIGHT,
            minutes="5",
            what="after at least 10 minutes of dynamic warm-up, light work for blood flow only: "
            + _moves_text(kb, ("S1", "S2", "S3"), owned),
            rules=("T9", "S1", "S2", "S3"),
        ),
        RhythmItem(
            when="post-run",
            kind=SessionKind.SELF_LIGHT,
            minutes="5-10",
            what="while still warm, broad strokes first, then point work: "
            + _moves_text(kb, ("S6", "S4", "S5"), owned),
            rules=("T10", "S6", "S4", "S5"),
        ),
        RhythmItem(
            when="daily",
            kind=SessionKind.SELF_LIGHT,
            minutes="5-10",
            what="two short bouts a day beat one long, punishing session; vigorous work at most "
            "every other day",
            rules=("T11", "T8", "X2"),
        ),
    ]
    protocols = kb.protocols()
    for condition in sorted(profile.conditions):
        rule = protocols.get(condition)
        if rule is None or rule.protocol is None or not rule.protocol.moves:
            continue
        items.append(
            RhythmItem(
                when="daily",
                kind=SessionKind.SELF_LIGHT,
                minutes="5",
                what=f"for {condition.replace('-', ' ')}: "
                + _moves_text(kb, rule.protocol.moves, owned),
                rules=(rule.id, *rule.protocol.moves),
            )
        )
    if profile.desk_job:
        rule = protocols.get(None)
        items.append(
            RhythmItem(
                when="desk",
                kind=SessionKind.SELF_LIGHT,
                minutes="2",
                what="a movement break every 30 minutes (set a timer); 2 minutes lying on a "
                "roller or bolster across the low back",
                rules=(rule.id,) if rule is not None else ("C7",),
            )
        )
    return tuple(items)
