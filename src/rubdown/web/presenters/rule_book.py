"""The Rules page: the whole knowledge base by group, searchable, with the policies and sources.

Each rule is ``views.rule_view`` (what ``GET /api/rules`` gives) plus the text a search looks
in: its ID, title, text, group, details and the titles and files of its sources, in lower
case. The page filters on the server (``?q=``, so it works without JavaScript) and the page's
script filters the same text in the browser, by the same rule: every word of the query must
appear somewhere in it.
"""

from __future__ import annotations

from typing import Any

from rubdown.domain.knowledge import KnowledgeBase, RuleGroup
from rubdown.domain.model import PolicyName
from rubdown.errors import InvalidValue
from rubdown.services import views
from rubdown.services.runner import Runner

MAX_QUERY_CHARS = 200

# Safety first: a red flag (X1) wins over every other rule, so it is read first too.
GROUPS: tuple[tuple[RuleGroup, str, str], ...] = (
    (
        RuleGroup.SAFETY,
        "Safety",
        "When to stop, and what no massage should touch. These win over every other rule.",
    ),
    (RuleGroup.TIMING, "Timing", "How close to a race or a hard workout each kind may come."),
    (
        RuleGroup.MODALITY,
        "Kinds of massage",
        "What each kind of session is, and what it costs you.",
    ),
    (RuleGroup.FREQUENCY, "How often", "How many professional sessions a season holds."),
    (RuleGroup.CONDITION, "Conditions", "What helps with a runner's common complaints."),
    (RuleGroup.MOVE, "Self-massage moves", "The moves of the daily routines, step by step."),
    (RuleGroup.GEAR, "Gear", "The tools the moves use."),
)


def normalise(text: str) -> str:
    """Text as searches compare it: lower case, hyphens as spaces ("low-back" finds "low
    back"), words separated by one space."""
    return " ".join(text.replace("-", " ").lower().split())


def normalise_query(text: str | None) -> str:
    if text is None:
        return ""
    if len(text) > MAX_QUERY_CHARS:
        raise InvalidValue(f"a search is at most {MAX_QUERY_CHARS} characters")
    return normalise(text)


def matches(search_text: str, query: str) -> bool:
    """Every word of ``query`` (normalised) appears in ``search_text``."""
    return all(word in search_text for word in query.split())


def _words(value: str) -> str:
    return value.replace("-", " ")


def _details(view: dict[str, Any]) -> list[str]:
    parts: list[str] = []
    move = view.get("move")
    if move is not None:
        parts += [move["name"], move["cue"], *move["regions"], *move["tools"]]
    protocol = view.get("protocol")
    if protocol is not None:
        parts += [protocol["condition"], protocol["advice"], *protocol["focus"]]
    if "kind" in view:
        parts.append(view["kind"])
    return parts


def search_text(view: dict[str, Any]) -> str:
    """What a search looks in, for one rule view; lower case, one line."""
    parts = [view["id"], view["title"], view["text"], view["group"], *_details(view)]
    for source in view["sources"]:
        parts += [source["key"], source["title"], source["file"]]
    return " ".join(normalise(part) for part in parts)


def _rule_entry(view: dict[str, Any], query: str) -> dict[str, Any]:
    text = search_text(view)
    entry: dict[str, Any] = {**view, "search": text, "match": matches(text, query)}
    move = view.get("move")
    if move is not None:
        entry["move_words"] = {
            "when": _words(move["when"]),
            "regions": [_words(r) for r in move["regions"]],
            "tools": [_words(t) for t in move["tools"]],
            "minutes": round(move["seconds"] / 60, 1),
        }
    protocol = view.get("protocol")
    if protocol is not None:
        entry["protocol_words"] = {
            "condition": _words(protocol["condition"]),
            "focus": [_words(r) for r in protocol["focus"]],
            "professional": [_words(k) for k in protocol["professional"]],
        }
    return entry


def _policy_rules(kb: KnowledgeBase, ids: list[str]) -> list[dict[str, str]]:
    return [{"id": rule_id, "title": kb.rule(rule_id).title} for rule_id in ids]


def policy_rows(kb: KnowledgeBase, current: PolicyName) -> list[dict[str, Any]]:
    """``views.policies_view`` with which one the runner uses."""
    return [{**view, "current": view["name"] == str(current)} for view in views.policies_view(kb)]


def timing_rows(kb: KnowledgeBase) -> dict[str, Any]:
    """The timing table with what each cited rule is called."""
    table: dict[str, Any] = dict(views.timing_table_view(kb))
    for row in table["rows"]:
        for cell in row["cells"].values():
            cell["rules"] = _policy_rules(kb, cell["rules"])
    for fixed in table["fixed"]:
        fixed["rules"] = _policy_rules(kb, fixed["rules"])
    return table


def sources_view(kb: KnowledgeBase) -> list[dict[str, Any]]:
    """Every source document: the five seed articles first, then the research pages."""
    cited: dict[str, list[str]] = {}
    for rule in kb.rules.values():
        for key in rule.sources:
            cited.setdefault(key, []).append(rule.id)
    ordered = sorted(kb.sources.values(), key=lambda s: (s.kind != "seed", s.key))
    return [
        {
            "key": source.key,
            "title": source.title,
            "file": source.file,
            "kind": source.kind,
            # Only a web address becomes a link; anything else in the data stays text.
            "url": source.url if source.url.startswith(("https://", "http://")) else None,
            "cited_by": cited.get(source.key, []),
        }
        for source in ordered
    ]


def rule_book(app: Runner, query: str | None = None) -> dict[str, Any]:
    """Everything the Rules page shows; rules that do not match ``query`` are kept, marked
    ``match: false``, so the page's own search can bring them back without asking again."""
    wanted = normalise_query(query)
    asked = " ".join((query or "").split())  # as typed, for "no rule matches ..."
    kb = app.kb
    groups: list[dict[str, Any]] = []
    for group, title, about in GROUPS:
        rules = [
            _rule_entry(dict(views.rule_view(rule, kb)), wanted) for rule in kb.by_group(group)
        ]
        groups.append(
            {
                "key": str(group),
                "title": title,
                "about": about,
                "rules": rules,
                "shown": sum(1 for r in rules if r["match"]),
            }
        )
    policy = app.profile().policy
    return {
        "query": asked,
        "groups": groups,
        "total": sum(len(g["rules"]) for g in groups),
        "shown": sum(g["shown"] for g in groups),
        "policies": policy_rows(kb, policy),
        "timing": timing_rows(kb),
        "current_policy": str(policy),
        "sources": sources_view(kb),
    }
