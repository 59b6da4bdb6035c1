"""The Rules page of ``rubdown serve``: every rule of the knowledge base, the search, the
policies with the runner's own marked, the sources; and that knowledge-base text is escaped."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

from rubdown.domain.knowledge import KnowledgeBase, Rule, RuleGroup, Source
from rubdown.knowledge import load_knowledge_base
from tests.support.html import Page as HtmlPage

BASE = "http://127.0.0.1:8765"
KB = load_knowledge_base()


def shown(text: str) -> str:
    """``text`` as the page's templates write it (Jinja's escaping)."""
    return str(escape(text))


class Page(HtmlPage):
    """The rule articles, the policy rows, the group sections and the elements with an id,
    each as its attributes."""

    def __init__(self, html: str) -> None:
        super().__init__(html)
        self.rules = {e.attrs["data-rule-id"]: e.attrs for e in self.find("article", "rule")}
        self.policies = {key: e.attrs for key, e in self.with_attr("data-policy").items()}
        self.ids = {key: e.attrs for key, e in self.with_attr("id").items()}
        sections = [e for e in self.find("section") if e.attrs.get("data-group")]
        self.sections = {e.attrs["data-group"]: e.attrs for e in sections}

    def shown_rules(self) -> set[str]:
        return {rule_id for rule_id, attrs in self.rules.items() if "hidden" not in attrs}


def page(client: TestClient, **params: Any) -> tuple[str, Page]:
    response = client.get("/rules", params=params)
    assert response.status_code == 200, response.text
    parsed = Page(response.text)
    return response.text, parsed


def test_the_rules_page_lists_every_rule_with_its_anchor(client: TestClient) -> None:
    html, parsed = page(client)
    assert set(parsed.rules) == set(KB.rules)
    assert parsed.shown_rules() == set(KB.rules)
    for rule_id, attrs in parsed.rules.items():
        assert attrs["id"] == f"rule-{rule_id}"
    assert parsed.ids["rule-search"]["name"] == "q"
    assert f"{len(KB.rules)} rules" in html


def test_every_group_has_a_section_holding_its_rules(client: TestClient) -> None:
    _, parsed = page(client)
    assert set(parsed.sections) == {str(group) for group in RuleGroup}
    html = client.get("/rules").text
    for group in RuleGroup:
        start = html.index(f'id="group-{group}"')
        end = html.find("<section", start + 1)
        chunk = html[start:end]
        for rule in KB.by_group(group):
            assert f'data-rule-id="{rule.id}"' in chunk


def test_a_rule_shows_its_text_sources_and_move_or_protocol(client: TestClient) -> None:
    html, _ = page(client)
    t2 = KB.rule("T2")
    assert shown(t2.text) in html
    for key in t2.sources:
        assert shown(KB.sources[key].title) in html
        assert KB.sources[key].file in html
    move = KB.rule("S1").move
    assert move is not None
    assert shown(move.cue) in html
    protocol = KB.rule("C1").protocol
    assert protocol is not None
    assert shown(protocol.advice) in html
    for move_id in protocol.moves:
        assert f'href="#rule-{move_id}"' in html


def test_a_search_shows_only_the_matching_rules(client: TestClient) -> None:
    html, parsed = page(client, q="calf")
    shown = parsed.shown_rules()
    assert "C1" in shown  # "Tight calves"
    assert "X2" not in shown
    assert set(parsed.rules) == set(KB.rules)  # the rest are there, hidden, for the script
    assert f"{len(shown)} of {len(KB.rules)} rules match" in html
    assert "hidden" in parsed.ids["rule-none"]


def test_a_search_matches_ids_sources_and_every_word(client: TestClient) -> None:
    _, by_id = page(client, q="t2")
    assert "T2" in by_id.shown_rules()
    _, by_source = page(client, q="003")
    assert by_source.shown_rules() == {r.id for r in KB.rules.values() if "003" in r.sources}
    _, two_words = page(client, q="DEEP tissue")
    assert "M1" in two_words.shown_rules()
    _, hyphen = page(client, q="deep-tissue")
    assert hyphen.shown_rules() == two_words.shown_rules()


def test_an_unknown_term_shows_that_no_rule_matches(client: TestClient) -> None:
    html, parsed = page(client, q="zebra")
    assert parsed.shown_rules() == set()
    assert "hidden" not in parsed.ids["rule-none"]
    assert "No rule matches" in html
    assert all("hidden" in attrs for attrs in parsed.sections.values())


def test_the_search_text_is_escaped(client: TestClient) -> None:
    html, parsed = page(client, q='"><img src=x onerror=alert(1)>')
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert parsed.ids["rule-search"]["value"] == '"><img src=x onerror=alert(1)>'


def test_a_search_longer_than_two_hundred_characters_is_refused(client: TestClient) -> None:
    response = client.get("/rules", params={"q": "a" * 201})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_value"


def test_the_current_policy_is_marked_and_follows_the_profile(client: TestClient) -> None:
    html, parsed = page(client)
    assert set(parsed.policies) == {"cautious", "standard", "adapted"}
    assert "policy-table" in parsed.ids
    current = parsed.policies["standard"]  # a new runner's policy
    assert "current" in (current["class"] or "").split()
    assert current["aria-current"] == "true"
    assert 'href="/settings"' in html

    changed = client.put("/api/profile", json={"policy": "cautious"})
    assert changed.status_code == 200, changed.text
    _, after = page(client)
    assert after.policies["cautious"]["aria-current"] == "true"
    assert "current" in (after.policies["cautious"]["class"] or "").split()
    assert "aria-current" not in after.policies["standard"]
    assert "current" not in (after.policies["standard"]["class"] or "").split()


def test_the_policy_table_says_what_each_policy_means(client: TestClient) -> None:
    html, parsed = page(client)
    policies = client.get("/api/rules").json()["policies"]
    assert {p["name"] for p in policies} == set(parsed.policies)
    for policy in policies:
        assert shown(policy["summary"]) in html, policy["name"]
    timing = client.get("/api/rules").json()["timing"]
    assert len(timing["rows"]) == 10
    for row in timing["rows"]:
        assert f'data-gap="{row["gap"]}"' in html
        assert shown(row["says"]) in html
        start = html.index(f'data-gap="{row["gap"]}"')
        cells = html[start : html.index("</tr>", start)]
        for name, cell in row["cells"].items():
            assert f'data-label="{name}">{cell["days"]}' in cells, (row["gap"], name)
    for fixed in timing["fixed"]:
        assert shown(fixed["says"]) in html


def test_every_source_is_listed_with_its_title(client: TestClient) -> None:
    html, parsed = page(client)
    for key, source in KB.sources.items():
        assert f"source-{key}" in parsed.ids
        assert shown(source.title) in html
    assert html.index('id="source-004"') < html.index('id="source-R-runnersworld"')


def test_a_link_to_one_rule_goes_to_its_anchor(client: TestClient) -> None:
    response = client.get("/rules/t1", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/rules#rule-T1"
    missing = client.get("/rules/Q99", follow_redirects=False)
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"


def test_rule_and_source_text_from_the_knowledge_base_is_escaped(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    nasty_source = Source("999", "<b>file</b>.txt", "<script>alert('title')</script>")
    nasty = Rule(
        id="X99",
        group=RuleGroup.SAFETY,
        title="<i>Title</i>",
        text='Text with <script>alert("x")</script> & more',
        sources=("999",),
    )
    kb = KnowledgeBase([*KB.rules.values(), nasty], [*KB.sources.values(), nasty_source])
    monkeypatch.setattr("rubdown.bootstrap.load_knowledge_base", lambda: kb)
    html, parsed = page(client)
    assert "X99" in parsed.rules
    assert "<script>alert" not in html
    assert "<i>Title</i>" not in html
    assert "&lt;i&gt;Title&lt;/i&gt;" in html
    assert "Text with &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; more" in html
    assert "&lt;b&gt;file&lt;/b&gt;.txt" in html


def test_the_rules_script_and_stylesheet_are_served(client: TestClient) -> None:
    html, _ = page(client)
    assert '<script src="/static/js/rules.js" defer></script>' in html
    assert client.get("/static/js/rules.js").status_code == 200
    assert client.get("/static/css/rules.css").status_code == 200
