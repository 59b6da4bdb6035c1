"""The Rules page's search: what a rule is searched by and how a query matches."""

from __future__ import annotations

import pytest

from rubdown.domain.knowledge import RuleGroup
from rubdown.errors import InvalidValue
from rubdown.knowledge import load_knowledge_base
from rubdown.services import views
from rubdown.web.presenters.rule_book import (
    GROUPS,
    matches,
    normalise_query,
    search_text,
    sources_view,
)

KB = load_knowledge_base()


def test_every_rule_group_has_a_place_on_the_page() -> None:
    assert sorted(str(group) for group, _, _ in GROUPS) == sorted(str(g) for g in RuleGroup)
    assert GROUPS[0][0] is RuleGroup.SAFETY  # red flags are read first


def test_a_query_is_compared_in_lower_case_with_hyphens_as_spaces() -> None:
    assert normalise_query("  Deep-Tissue   CALF ") == "deep tissue calf"
    assert normalise_query(None) == ""
    with pytest.raises(InvalidValue):
        normalise_query("x" * 201)


def test_every_word_of_a_query_must_appear() -> None:
    text = "t2 deep work 48 hours before a race"
    assert matches(text, "deep race")
    assert matches(text, "")  # no query: everything matches
    assert not matches(text, "deep calf")


def test_a_rule_is_searched_by_id_title_text_group_details_and_sources() -> None:
    text = search_text(views.rule_view(KB.rule("C1"), KB))
    assert "c1" in text
    assert "tight calves" in text  # title, and the protocol's condition
    assert "condition" in text
    for key in KB.rule("C1").sources:
        assert key in text
        assert KB.sources[key].title.lower() in text
    move = search_text(views.rule_view(KB.rule("S1"), KB))
    assert "low back" in move  # the move's region, hyphen as a space


def test_sources_list_the_seed_articles_first_with_the_rules_citing_them() -> None:
    listed = sources_view(KB)
    kinds = [s["kind"] for s in listed]
    assert kinds == sorted(kinds, key=lambda kind: kind != "seed")
    first = listed[0]
    assert first["cited_by"] == [r.id for r in KB.rules.values() if first["key"] in r.sources]
    assert all(s["url"] is None or s["url"].startswith("https://") for s in listed)
