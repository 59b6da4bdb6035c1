"""The knowledge base as values: rules with provenance, self-massage moves, condition protocols.

The rules themselves are data (``rubdown/knowledge/*.toml``); this module only says what a
loaded rule looks like and checks that a set of them hangs together. Every rule names at
least one source, and every source is a document the project can point to.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from rubdown.domain.model import Condition, PolicyName, SessionKind, Tool
from rubdown.domain.policy import FixedRule, Policy, Row
from rubdown.domain.regions import BodyPart
from rubdown.errors import KnowledgeBaseError, NotFound


class RuleGroup(StrEnum):
    MODALITY = "modality"  # M*
    TIMING = "timing"  # T*
    FREQUENCY = "frequency"  # F*
    CONDITION = "condition"  # C*
    MOVE = "move"  # S*
    SAFETY = "safety"  # X*
    GEAR = "gear"  # G*


GROUP_BY_PREFIX = {
    "M": RuleGroup.MODALITY,
    "T": RuleGroup.TIMING,
    "F": RuleGroup.FREQUENCY,
    "C": RuleGroup.CONDITION,
    "S": RuleGroup.MOVE,
    "X": RuleGroup.SAFETY,
    "G": RuleGroup.GEAR,
}


class Intensity(StrEnum):
    LIGHT = "light"
    MODERATE = "moderate"
    VIGOROUS = "vigorous"


class MoveTiming(StrEnum):
    PRE_RUN = "pre-run"
    POST_RUN = "post-run"
    ANY = "any"


@dataclass(frozen=True)
class Source:
    """A document a rule comes from; ``key`` is the short name used in citations ("001")."""

    key: str
    file: str
    title: str
    kind: str = "seed"  # "seed" (the five source documents) or "research"
    url: str = ""


@dataclass(frozen=True)
class AfterRun:
    """How a pre-run move is done after a run, when the muscles are warm (T10): firmer, in
    its own words. ``tool_cues`` as in ``Move``."""

    intensity: Intensity
    cue: str
    tool_cues: tuple[tuple[Tool, str], ...] = ()


@dataclass(frozen=True)
class Move:
    """A self-massage move (S*): what to do, where, with what, for how long.

    ``cue`` is written for the first tool of ``tools``; ``tool_cues`` holds the cue for each
    other tool (hands included), so a runner without the first tool reads a cue that fits the
    one they use. ``loads`` names the body parts the move loads (weight, stretch or joint
    movement) beyond the ``regions`` it massages: a standing flag on any of them rules the move
    out as surely as one on its regions. ``then_tools`` are tried only when the move's own way
    finds nothing (S3: body weight first, then a roller or stick).
    """

    name: str
    when: MoveTiming
    regions: tuple[BodyPart, ...]
    tools: tuple[Tool, ...]  # in order of preference; hands are the fallback
    seconds: int
    intensity: Intensity
    cue: str
    tool_cues: tuple[tuple[Tool, str], ...] = ()
    loads: tuple[BodyPart, ...] = ()
    then_tools: tuple[Tool, ...] = ()
    after_run: AfterRun | None = None

    def cue_for(self, tool: Tool, *, after_run: bool = False) -> str:
        """The cue for doing the move with ``tool`` (before a run, or after one)."""
        first, cues = self.cue, self.tool_cues
        if after_run and self.after_run is not None:
            first, cues = self.after_run.cue, self.after_run.tool_cues
        return dict(cues).get(tool, first)

    def has_cue_for(self, tool: Tool) -> bool:
        return tool is self.tools[0] or tool in dict(self.tool_cues)

    def intensity_for(self, *, after_run: bool) -> Intensity:
        if after_run and self.after_run is not None:
            return self.after_run.intensity
        return self.intensity

    @property
    def works(self) -> tuple[BodyPart, ...]:
        """Every body part the move massages or loads."""
        return (*self.regions, *(p for p in self.loads if p not in self.regions))


@dataclass(frozen=True)
class Protocol:
    """What helps with a condition (C*): where to focus, which professional work, which moves."""

    condition: Condition | None  # None for the desk-job protocol (C7)
    focus: tuple[BodyPart, ...]
    professional: tuple[SessionKind, ...]
    moves: tuple[str, ...]  # move rule IDs
    advice: str


@dataclass(frozen=True)
class Rule:
    id: str
    group: RuleGroup
    title: str
    text: str
    sources: tuple[str, ...]  # source keys
    kind: SessionKind | None = None  # modalities: the session kind they describe
    move: Move | None = None
    protocol: Protocol | None = None


@dataclass(frozen=True)
class Citation:
    """A rule as rubdown cites it, with its source documents (``KnowledgeBase.cite``): every
    citation, in JSON, on a page, on the command line or in a calendar event, is made from one.
    """

    rule_id: str
    source_keys: tuple[str, ...]
    source_files: tuple[str, ...]
    title: str = ""
    source_titles: tuple[str, ...] = ()

    @property
    def short(self) -> str:
        """``"T2, 001"``: how a reason line cites a rule."""
        return f"{self.rule_id}, {'/'.join(self.source_keys)}"

    @property
    def with_files(self) -> str:
        """``"T2: 001_517d6a93f20f77da.txt"``: how a calendar event cites a rule."""
        return f"{self.rule_id}: {', '.join(self.source_files)}"


@dataclass(frozen=True)
class PolicyTable:
    """The timing table (``knowledge/policies.toml``): its rows, the rules that hold under
    every policy, and the policies built from the rows."""

    policies: Mapping[PolicyName, Policy]
    rows: tuple[Row, ...]
    fixed: tuple[FixedRule, ...]

    def rule_ids(self) -> set[str]:
        ids = {rule for row in self.rows for cell in row.cells.values() for rule in cell.rules}
        return ids | {rule for fixed in self.fixed for rule in fixed.rules}


class KnowledgeBase:
    """Rules, sources and the timing table, validated on construction."""

    def __init__(
        self,
        rules: Iterable[Rule],
        sources: Iterable[Source],
        table: PolicyTable | None = None,
    ) -> None:
        self.table = table
        self.sources: dict[str, Source] = {}
        for source in sources:
            if source.key in self.sources:
                raise KnowledgeBaseError(f"source {source.key} is defined twice")
            self.sources[source.key] = source
        self.rules: dict[str, Rule] = {}
        for rule in rules:
            if rule.id in self.rules:
                raise KnowledgeBaseError(f"rule {rule.id} is defined twice")
            self.rules[rule.id] = rule
        self._check()

    def _check(self) -> None:
        if self.table is not None:
            for rule_id in sorted(self.table.rule_ids()):
                if rule_id not in self.rules:
                    raise KnowledgeBaseError(f"the timing table cites unknown rule {rule_id}")
        for rule in self.rules.values():
            if not rule.sources:
                raise KnowledgeBaseError(f"rule {rule.id} names no source")
            for key in rule.sources:
                if key not in self.sources:
                    raise KnowledgeBaseError(f"rule {rule.id} cites unknown source {key!r}")
            if not rule.text.strip() or not rule.title.strip():
                raise KnowledgeBaseError(f"rule {rule.id} has no title or text")
            if rule.group is RuleGroup.MOVE and rule.move is None:
                raise KnowledgeBaseError(f"move rule {rule.id} does not describe its move")
            if rule.group is RuleGroup.CONDITION and rule.protocol is None:
                raise KnowledgeBaseError(f"condition rule {rule.id} does not describe a protocol")
            if rule.protocol is not None:
                for move_id in rule.protocol.moves:
                    target = self.rules.get(move_id)
                    if target is None or target.move is None:
                        raise KnowledgeBaseError(f"rule {rule.id} points to unknown move {move_id}")

    def policy(self, name: PolicyName) -> Policy:
        if self.table is None:
            raise KnowledgeBaseError("this knowledge base has no timing table")
        return self.table.policies[name]

    @property
    def policies(self) -> Mapping[PolicyName, Policy]:
        if self.table is None:
            raise KnowledgeBaseError("this knowledge base has no timing table")
        return self.table.policies

    def rule(self, rule_id: str) -> Rule:
        try:
            return self.rules[rule_id.strip().upper()]
        except KeyError:
            raise NotFound(f"no rule {rule_id!r}: `rubdown rules` lists them all") from None

    def cite(self, rule_id: str) -> Citation:
        rule = self.rule(rule_id)
        sources = [self.sources[key] for key in rule.sources]
        return Citation(
            rule.id,
            rule.sources,
            tuple(source.file for source in sources),
            rule.title,
            tuple(source.title for source in sources),
        )

    def by_group(self, group: RuleGroup) -> list[Rule]:
        return [rule for rule in self.rules.values() if rule.group is group]

    def protocols(self) -> Mapping[Condition | None, Rule]:
        return {
            rule.protocol.condition: rule
            for rule in self.rules.values()
            if rule.protocol is not None
        }
