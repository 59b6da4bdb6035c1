"""The tent desk's triage: every exclusion sign sends a runner to medical, each sign is a rule
in the knowledge base with a source that can be checked, and no question may be skipped."""

from __future__ import annotations

import pytest
from tests.support.tent import answers

from rubdown.domain.knowledge import RuleGroup
from rubdown.domain.tent.triage import SIGNS, all_clear, triage
from rubdown.errors import InvalidValue
from rubdown.knowledge import load_knowledge_base

# The issue's list, each to a sign's key.
REQUIRED = {
    "collapse or unable to stand": "collapse",
    "confusion": "confusion",
    "chest pain": "chest_pain",
    "trouble breathing": "breathing",
    "signs of heat illness": "heat",
    "signs of hypothermia": "cold",
    "open wounds": "wound",
    "suspected fracture": "fracture",
    "sharp pain, numbness or tingling": "sharp_pain",
}


def test_all_clear_joins_the_queue() -> None:
    outcome = triage(all_clear())
    assert not outcome.to_medical
    assert outcome.signs == ()


@pytest.mark.parametrize("key", sorted(REQUIRED.values()))
def test_each_exclusion_sign_alone_sends_the_runner_to_medical(key: str) -> None:
    outcome = triage(answers(key))
    assert outcome.to_medical
    assert outcome.signs == (key,)


def test_every_sign_the_issue_names_is_asked() -> None:
    assert {sign.key for sign in SIGNS} == set(REQUIRED.values())


def test_each_sign_is_a_safety_rule_with_a_source_that_can_be_checked() -> None:
    kb = load_knowledge_base()
    for sign in SIGNS:
        rule = kb.rules[sign.rule_id]
        assert rule.group is RuleGroup.SAFETY, sign.key
        assert rule.sources, sign.key
        for key in rule.sources:
            source = kb.sources[key]
            assert source.kind == "seed" or source.url.startswith("http"), (sign.key, key)


def test_sharp_pain_numbness_or_tingling_is_the_seed_rule_x1() -> None:
    (sign,) = [s for s in SIGNS if s.key == "sharp_pain"]
    assert sign.rule_id == "X1"
    assert "tingling" in load_knowledge_base().rules["X1"].text


def test_several_signs_are_kept_in_the_order_asked() -> None:
    outcome = triage(answers("fracture", "collapse"))
    assert outcome.signs == ("collapse", "fracture")
    assert outcome.rule_ids == ("E1", "E8")


def test_a_question_left_unanswered_is_refused() -> None:
    given = all_clear()
    del given["breathing"]
    with pytest.raises(InvalidValue, match="'breathing' was not answered"):
        triage(given)


def test_an_answer_that_is_not_yes_or_no_is_refused() -> None:
    given: dict[str, object] = dict(all_clear())
    given["heat"] = "maybe"
    with pytest.raises(InvalidValue, match="yes or no"):
        triage(given)


def test_an_unknown_question_is_refused() -> None:
    with pytest.raises(InvalidValue, match="unknown triage question"):
        triage({**all_clear(), "hungry": True})
