"""Triage at the tent's desk: the questions asked before anyone joins the queue.

A finisher with any exclusion sign goes to the medical tent, not to a massage table: the
signs are the ones race medical teams treat as their business (a collapse, confusion, chest
pain, trouble breathing, heat illness, hypothermia), injuries that massage must not touch
(an open wound, a suspected fracture), and the project's own stop rule X1 (sharp pain,
numbness or tingling). Each sign names the rule that says so; the rules and their sources
are in ``knowledge/triage.toml`` (E1-E8) and ``knowledge/safety.toml`` (X1).

Every question must be answered, yes or no: a desk that skipped one has not triaged.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from rubdown.errors import InvalidValue


@dataclass(frozen=True)
class Sign:
    """One exclusion sign: ``key`` as the desk sends it, the question it asks, its rule."""

    key: str
    question: str
    rule_id: str


SIGNS: tuple[Sign, ...] = (
    Sign("collapse", "Did they collapse, or can they not stand or walk on their own?", "E1"),
    Sign("confusion", "Are they confused, drowsy or not making sense?", "E2"),
    Sign("chest_pain", "Do they have chest pain or pressure, or a racing or odd heartbeat?", "E3"),
    Sign("breathing", "Are they struggling to breathe or wheezing?", "E4"),
    Sign(
        "heat",
        "Signs of heat illness: very hot skin, dizzy or faint, vomiting, headache?",
        "E5",
    ),
    Sign("cold", "Signs of hypothermia: shivering hard, very cold, slurred speech?", "E6"),
    Sign("wound", "Is there an open wound, bleeding or a burst blister where we would work?", "E7"),
    Sign(
        "fracture",
        "Could a bone be broken: pain on the bone, swelling, unable to bear weight?",
        "E8",
    ),
    Sign("sharp_pain", "Any sharp pain, numbness or tingling?", "X1"),
)

SIGN_BY_KEY: dict[str, Sign] = {sign.key: sign for sign in SIGNS}


@dataclass(frozen=True)
class Triage:
    """What the desk found: the signs answered yes (in ``SIGNS`` order)."""

    signs: tuple[str, ...]

    @property
    def to_medical(self) -> bool:
        return bool(self.signs)

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return tuple(SIGN_BY_KEY[key].rule_id for key in self.signs)


def triage(answers: Mapping[str, object]) -> Triage:
    """The outcome of the desk's answers: every sign answered with ``True`` or ``False``,
    no sign that does not exist. Anything else is refused, naming the first problem."""
    unknown = sorted(set(answers) - set(SIGN_BY_KEY))
    if unknown:
        known = ", ".join(SIGN_BY_KEY)
        raise InvalidValue(f"unknown triage question {unknown[0]!r} (known: {known})")
    for sign in SIGNS:
        if sign.key not in answers:
            raise InvalidValue(f"triage question {sign.key!r} was not answered: {sign.question}")
        if not isinstance(answers[sign.key], bool):
            raise InvalidValue(f"triage question {sign.key!r} needs yes or no (true or false)")
    return Triage(tuple(sign.key for sign in SIGNS if answers[sign.key]))


def all_clear() -> dict[str, bool]:
    """Every question answered no: what a desk sends for a finisher with no sign."""
    return {sign.key: False for sign in SIGNS}
