"""The bundled knowledge base: rules with provenance, read from the TOML files in this package.

Every ``*.toml`` file here may hold ``[[source]]`` tables (the documents rules cite) and
``[[rule]]`` tables. A rule's group comes from the letter(s) of its ID (``T2`` is a timing
rule); rules with another prefix (``R1``) name their ``group`` explicitly. Move rules carry a
``[rule.move]`` table, condition rules a ``[rule.protocol]`` table, modality rules may name the
session ``kind`` they describe.

Any schema problem (an unknown key, a missing field, a wrong type, a name that is not in the
vocabulary, a reference to nothing) raises ``KnowledgeBaseError`` naming the file and the rule.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Mapping
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import TypeVar

from rubdown.domain.knowledge import (
    GROUP_BY_PREFIX,
    AfterRun,
    Intensity,
    KnowledgeBase,
    Move,
    MoveTiming,
    PolicyTable,
    Protocol,
    Rule,
    RuleGroup,
    Source,
)
from rubdown.domain.model import Condition, PolicyName, SessionKind, Tool
from rubdown.domain.policy import Cell, FixedRule, Gap, Policy, Row
from rubdown.domain.regions import BodyPart
from rubdown.errors import KnowledgeBaseError

__all__ = [
    "DESK_JOB",
    "SOURCE_KINDS",
    "load_knowledge_base",
    "load_knowledge_base_from",
    "read_bundled_files",
]

DESK_JOB = "desk-job"
"""The protocol ``condition`` for a day of sitting or standing (C7); it loads as ``None``."""

SOURCE_KINDS = ("seed", "research")

# Knowledge files of another shape, read by their own code rather than as rules: the intake's
# contraindication screen (``domain.clinic.intake.parse_screening``).
OTHER_SCHEMAS = frozenset({"screening.toml"})

MAX_MOVE_SECONDS = 3600

_RULE_ID = re.compile(r"([A-Z]+)([0-9]+)")

E = TypeVar("E", bound=StrEnum)


def _type_name(value: object) -> str:
    names = {
        str: "a string",
        int: "an integer",
        bool: "a boolean",
        float: "a number",
        list: "a list",
        dict: "a table",
    }
    return names.get(type(value), type(value).__name__)


class _Table:
    """One TOML table being read: hands out checked fields and rejects keys nobody asked for."""

    def __init__(self, data: object, where: str) -> None:
        if not isinstance(data, dict):
            raise KnowledgeBaseError(f"{where}: expected a table, got {_type_name(data)}")
        self._data: dict[str, object] = data
        self.where = where
        self._allowed: set[str] = set()

    def fail(self, message: str) -> KnowledgeBaseError:
        return KnowledgeBaseError(f"{self.where}: {message}")

    def has(self, key: str) -> bool:
        self._allowed.add(key)
        return key in self._data

    def _raw(self, key: str) -> object:
        self._allowed.add(key)
        if key not in self._data:
            near = difflib.get_close_matches(key, [k for k in self._data if k not in self._allowed])
            hint = f" (is {near[0]!r} a misspelling?)" if near else ""
            raise self.fail(f"missing field {key!r}{hint}")
        return self._data[key]

    def text(self, key: str) -> str:
        value = self._raw(key)
        if not isinstance(value, str):
            raise self.fail(f"{key!r} must be a string, got {_type_name(value)}")
        cleaned = " ".join(value.split())
        if not cleaned:
            raise self.fail(f"{key!r} is empty")
        return cleaned

    def optional_text(self, key: str, default: str) -> str:
        return self.text(key) if self.has(key) else default

    def integer(self, key: str, low: int, high: int) -> int:
        value = self._raw(key)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(f"{key!r} must be an integer, got {_type_name(value)}")
        if not low <= value <= high:
            raise self.fail(f"{key!r} must be between {low} and {high}, got {value}")
        return value

    def texts(self, key: str, *, allow_empty: bool) -> tuple[str, ...]:
        value = self._raw(key)
        if not isinstance(value, list):
            raise self.fail(f"{key!r} must be a list of strings, got {_type_name(value)}")
        items: list[str] = []
        for item in value:
            if not isinstance(item, str) or not item.strip():
                raise self.fail(f"{key!r} must hold non-empty strings, got {item!r}")
            if item.strip() in items:
                raise self.fail(f"{key!r} lists {item.strip()!r} twice")
            items.append(item.strip())
        if not items and not allow_empty:
            raise self.fail(f"{key!r} is empty")
        return tuple(items)

    def choice(self, key: str, enum: type[E], what: str) -> E:
        return self._member(key, self.text(key), enum, what)

    def choices(self, key: str, enum: type[E], what: str, *, allow_empty: bool) -> tuple[E, ...]:
        return tuple(
            self._member(key, item, enum, what) for item in self.texts(key, allow_empty=allow_empty)
        )

    def _member(self, key: str, text: str, enum: type[E], what: str) -> E:
        try:
            return enum(text)
        except ValueError:
            names = ", ".join(member.value for member in enum)
            raise self.fail(
                f"unknown {what} {text!r} in {key!r} (expected one of {names})"
            ) from None

    def table(self, key: str, where: str) -> _Table:
        return _Table(self._raw(key), where)

    def tables(self, key: str) -> list[object]:
        """An array of tables (``[[key]]``); absent means none."""
        if not self.has(key):
            return []
        value = self._data[key]
        if not isinstance(value, list):
            raise self.fail(
                f"{key!r} must be an array of tables ([[{key}]]), got {_type_name(value)}"
            )
        return value

    def finish(self) -> None:
        unknown = sorted(set(self._data) - self._allowed)
        if unknown:
            allowed = ", ".join(sorted(self._allowed))
            raise self.fail(f"unknown key {unknown[0]!r} (allowed: {allowed})")


def _parse_source(table: _Table, file: str) -> Source:
    key = table.text("key")
    table.where = f"{file}: source {key}"
    source_file = table.text("file")
    title = table.text("title")
    kind = table.optional_text("kind", "seed")
    if kind not in SOURCE_KINDS:
        raise table.fail(
            f"unknown source kind {kind!r} (expected one of {', '.join(SOURCE_KINDS)})"
        )
    url = table.optional_text("url", "")
    if kind == "research" and not url:
        raise table.fail("a research source needs a 'url' so the claim can be checked")
    if url and not url.startswith(("https://", "http://")):
        raise table.fail(f"'url' must start with https:// or http://, got {url!r}")
    table.finish()
    return Source(key=key, file=source_file, title=title, kind=kind, url=url)


def _rule_group(table: _Table, rule_id: str) -> RuleGroup:
    match = _RULE_ID.fullmatch(rule_id)
    if match is None:
        raise table.fail(f"rule ID {rule_id!r} must be capital letters then digits, like 'T2'")
    prefix = match.group(1)
    by_prefix = GROUP_BY_PREFIX.get(prefix)
    if table.has("group"):
        group = table.choice("group", RuleGroup, "rule group")
        if by_prefix is not None and group is not by_prefix:
            raise table.fail(
                f"'group' is {group.value!r} but the prefix {prefix} means {by_prefix.value!r}"
            )
        return group
    if by_prefix is None:
        known = ", ".join(GROUP_BY_PREFIX)
        raise table.fail(f"the prefix {prefix} is not one of {known}: name the rule's 'group'")
    return by_prefix


def _parse_move(table: _Table) -> Move:
    when = table.choice("when", MoveTiming, "move timing")
    intensity = table.choice("intensity", Intensity, "intensity")
    if when is MoveTiming.PRE_RUN and intensity is not Intensity.LIGHT:
        raise table.fail(f"a pre-run move must be light (T9), not {intensity.value!r}")
    tools = table.choices("tools", Tool, "tool", allow_empty=False)
    cue = table.text("cue")
    tool_cues = _tool_cues(table, tools)
    loads: tuple[BodyPart, ...] = ()
    if table.has("loads"):
        loads = table.choices("loads", BodyPart, "body region", allow_empty=True)
    then_tools: tuple[Tool, ...] = ()
    if table.has("then_tools"):
        then_tools = table.choices("then_tools", Tool, "tool", allow_empty=True)
        if Tool.HANDS in then_tools or set(then_tools) & set(tools):
            raise table.fail("'then_tools' names tools to try after the move's own ones")
    after_run: AfterRun | None = None
    if table.has("after_run"):
        if when is not MoveTiming.PRE_RUN:
            raise table.fail("only a pre-run move needs an [after_run] form")
        after_run = _parse_after_run(table.table("after_run", f"{table.where}, after_run"), tools)
    move = Move(
        name=table.text("name"),
        when=when,
        regions=table.choices("regions", BodyPart, "body region", allow_empty=False),
        tools=tools,
        seconds=table.integer("seconds", 1, MAX_MOVE_SECONDS),
        intensity=intensity,
        cue=cue,
        tool_cues=tool_cues,
        loads=loads,
        then_tools=then_tools,
        after_run=after_run,
    )
    table.finish()
    return move


def _tool_cues(table: _Table, tools: tuple[Tool, ...]) -> tuple[tuple[Tool, str], ...]:
    """The ``cues`` table: the cue for a tool of the list after the first (which ``cue`` is
    written for), so the words fit the tool in the runner's hands. The bundled moves give one
    for every tool (a test checks it); a cue for a tool the move does not list is a mistake."""
    if not table.has("cues"):
        return ()
    cues = table.table("cues", f"{table.where}, cues")
    found = tuple((tool, cues.text(tool.value)) for tool in tools[1:] if cues.has(tool.value))
    cues.finish()
    return found


def _parse_after_run(table: _Table, tools: tuple[Tool, ...]) -> AfterRun:
    after_run = AfterRun(
        intensity=table.choice("intensity", Intensity, "intensity"),
        cue=table.text("cue"),
        tool_cues=_tool_cues(table, tools),
    )
    table.finish()
    return after_run


def _parse_protocol(table: _Table) -> Protocol:
    condition_name = table.text("condition")
    condition: Condition | None = None
    if condition_name != DESK_JOB:
        try:
            condition = Condition(condition_name)
        except ValueError:
            names = ", ".join([*(c.value for c in Condition), DESK_JOB])
            raise table.fail(
                f"unknown condition {condition_name!r} in 'condition' (expected one of {names})"
            ) from None
    professional = table.choices("professional", SessionKind, "session kind", allow_empty=True)
    for kind in professional:
        if not kind.is_professional:
            raise table.fail(f"'professional' lists {kind.value!r}, which is self-massage")
    protocol = Protocol(
        condition=condition,
        focus=table.choices("focus", BodyPart, "body region", allow_empty=True),
        professional=professional,
        moves=table.texts("moves", allow_empty=True),
        advice=table.text("advice"),
    )
    table.finish()
    return protocol


def _parse_rule(table: _Table, file: str, position: int) -> Rule:
    table.where = f"{file}: rule #{position}"
    rule_id = table.text("id")
    table.where = f"{file}: rule {rule_id}"
    group = _rule_group(table, rule_id)
    title = table.text("title")
    text = table.text("text")
    sources = table.texts("sources", allow_empty=False)

    kind: SessionKind | None = None
    if table.has("kind"):
        if group is not RuleGroup.MODALITY:
            raise table.fail("only modality rules name a session 'kind'")
        kind = table.choice("kind", SessionKind, "session kind")

    move: Move | None = None
    if table.has("move"):
        if group is not RuleGroup.MOVE:
            raise table.fail("only move rules carry a [rule.move] table")
        move = _parse_move(table.table("move", f"{file}: rule {rule_id}, move"))
    elif group is RuleGroup.MOVE:
        raise table.fail("a move rule needs a [rule.move] table")

    protocol: Protocol | None = None
    if table.has("protocol"):
        if group is not RuleGroup.CONDITION:
            raise table.fail("only condition rules carry a [rule.protocol] table")
        protocol = _parse_protocol(table.table("protocol", f"{file}: rule {rule_id}, protocol"))
    elif group is RuleGroup.CONDITION:
        raise table.fail("a condition rule needs a [rule.protocol] table")

    table.finish()
    return Rule(
        id=rule_id,
        group=group,
        title=title,
        text=text,
        sources=sources,
        kind=kind,
        move=move,
        protocol=protocol,
    )


def _parse_cell(table: _Table) -> Cell:
    cell = Cell(days=table.integer("days", 0, 60), rules=table.texts("rules", allow_empty=False))
    table.finish()
    return cell


def _parse_gap_row(table: _Table, file: str) -> Row:
    gap = table.choice("id", Gap, "timing gap")
    table.where = f"{file}: gap {gap.value}"
    says, measure = table.text("says"), table.text("measure")
    cells = {
        name: _parse_cell(table.table(name.value, f"{file}: gap {gap.value}, {name.value}"))
        for name in PolicyName
    }
    table.finish()
    return Row(gap=gap, says=says, measure=measure, cells=cells)


def _parse_fixed(table: _Table) -> FixedRule:
    fixed = FixedRule(
        id=table.text("id"), says=table.text("says"), rules=table.texts("rules", allow_empty=False)
    )
    table.finish()
    return fixed


def _parse_policy(table: _Table) -> tuple[PolicyName, str]:
    name = table.choice("name", PolicyName, "policy")
    summary = table.text("summary")
    table.finish()
    return name, summary


def _policy_table(
    summaries: Mapping[PolicyName, str], rows: Mapping[Gap, Row], fixed: list[FixedRule]
) -> PolicyTable | None:
    """The policies built from the table's rows; None when the files hold no table (a test's
    small knowledge base)."""
    if not summaries and not rows and not fixed:
        return None
    missing_policies = [name.value for name in PolicyName if name not in summaries]
    if missing_policies:
        raise KnowledgeBaseError(f"the timing table has no [[policy]] {missing_policies[0]!r}")
    missing_rows = [gap.value for gap in Gap if gap not in rows]
    if missing_rows:
        raise KnowledgeBaseError(f"the timing table has no [[gap]] {missing_rows[0]!r}")
    policies = {
        name: Policy(name, summary, {gap: row.cells[name] for gap, row in rows.items()})
        for name, summary in summaries.items()
    }
    ordered = tuple(rows[gap] for gap in Gap)
    return PolicyTable(policies=policies, rows=ordered, fixed=tuple(fixed))


def load_knowledge_base_from(files: Mapping[str, str]) -> KnowledgeBase:
    """Build a knowledge base from TOML texts keyed by file name (the bundled ones, or a test's)."""
    sources: dict[str, tuple[Source, str]] = {}
    rules: dict[str, tuple[Rule, str]] = {}
    summaries: dict[PolicyName, str] = {}
    rows: dict[Gap, Row] = {}
    fixed: list[FixedRule] = []
    for file in sorted(files):
        try:
            document = tomllib.loads(files[file])
        except tomllib.TOMLDecodeError as error:
            raise KnowledgeBaseError(f"{file}: not valid TOML: {error}") from None
        top = _Table(document, file)
        for raw in top.tables("source"):
            source = _parse_source(_Table(raw, f"{file}: source"), file)
            if source.key in sources:
                raise KnowledgeBaseError(
                    f"{file}: source {source.key} is already defined in {sources[source.key][1]}"
                )
            sources[source.key] = (source, file)
        for position, raw in enumerate(top.tables("rule"), start=1):
            rule = _parse_rule(_Table(raw, f"{file}: rule #{position}"), file, position)
            if rule.id in rules:
                raise KnowledgeBaseError(
                    f"{file}: rule {rule.id} is already defined in {rules[rule.id][1]}"
                )
            rules[rule.id] = (rule, file)
        for raw in top.tables("policy"):
            name, summary = _parse_policy(_Table(raw, f"{file}: policy"))
            if name in summaries:
                raise KnowledgeBaseError(f"{file}: policy {name.value} is defined twice")
            summaries[name] = summary
        for raw in top.tables("gap"):
            row = _parse_gap_row(_Table(raw, f"{file}: gap"), file)
            if row.gap in rows:
                raise KnowledgeBaseError(f"{file}: gap {row.gap.value} is defined twice")
            rows[row.gap] = row
        fixed += [_parse_fixed(_Table(raw, f"{file}: fixed rule")) for raw in top.tables("fixed")]
        top.finish()

    if not rules:
        raise KnowledgeBaseError("the knowledge base holds no rules")
    _check_references(rules, sources)
    return KnowledgeBase(
        (rule for rule, _ in rules.values()),
        (source for source, _ in sources.values()),
        _policy_table(summaries, rows, fixed),
    )


def _check_references(
    rules: Mapping[str, tuple[Rule, str]], sources: Mapping[str, tuple[Source, str]]
) -> None:
    protocol_of: dict[Condition | None, str] = {}
    for rule, file in rules.values():
        for key in rule.sources:
            if key not in sources:
                known = ", ".join(sorted(sources)) or "none"
                raise KnowledgeBaseError(
                    f"{file}: rule {rule.id} cites unknown source {key!r} (known sources: {known})"
                )
        if rule.protocol is None:
            continue
        for move_id in rule.protocol.moves:
            target = rules.get(move_id)
            if target is None:
                raise KnowledgeBaseError(
                    f"{file}: rule {rule.id}, protocol: 'moves' names "
                    f"{move_id}, which is not a rule"
                )
            if target[0].move is None:
                raise KnowledgeBaseError(
                    f"{file}: rule {rule.id}, protocol: 'moves' names "
                    f"{move_id}, which is not a move rule"
                )
        condition = rule.protocol.condition
        if condition in protocol_of:
            name = DESK_JOB if condition is None else condition.value
            raise KnowledgeBaseError(
                f"{file}: rule {rule.id}, protocol: condition {name!r} "
                f"already has a protocol in rule {protocol_of[condition]}"
            )
        protocol_of[condition] = rule.id


def read_bundled_files() -> dict[str, str]:
    """The package's TOML files, by file name."""
    package = resources.files(__name__)
    return {
        entry.name: entry.read_text(encoding="utf-8")
        for entry in package.iterdir()
        if entry.name.endswith(".toml") and entry.is_file() and entry.name not in OTHER_SCHEMAS
    }


@cache
def load_knowledge_base() -> KnowledgeBase:
    """The bundled knowledge base, loaded and checked once per process."""
    files = read_bundled_files()
    if not files:
        raise KnowledgeBaseError("no knowledge files found in the rubdown.knowledge package")
    return load_knowledge_base_from(files)
