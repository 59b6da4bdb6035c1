"""One citation of a rule (``KnowledgeBase.cite``) behind every way rubdown cites one: the API's
JSON, the pages, the command line and calendar events."""

from __future__ import annotations

import datetime as dt

from rubdown.calendar.ics_export import session_description
from rubdown.domain.model import SessionKind
from rubdown.domain.plan import PlannedSession
from rubdown.knowledge import load_knowledge_base
from rubdown.services.views import cite, rule_ref

KB = load_knowledge_base()


def test_a_citation_carries_the_rules_title_and_its_sources_files_and_titles() -> None:
    citation = KB.cite("c1")

    sources = [KB.sources["001"], KB.sources["002"]]
    assert citation.rule_id == "C1"
    assert citation.title == "Tight calves"
    assert citation.source_keys == ("001", "002")
    assert citation.source_files == tuple(s.file for s in sources)
    assert citation.source_titles == tuple(s.title for s in sources)
    assert citation.short == "C1, 001/002"
    assert citation.with_files == f"C1: {sources[0].file}, {sources[1].file}"


def test_the_json_views_cite_from_the_one_citation() -> None:
    citation = KB.cite("C1")

    assert rule_ref(KB, "C1") == {
        "id": "C1",
        "title": "Tight calves",
        "sources": list(citation.source_titles),
    }
    assert cite(KB, "C1") == {
        "id": "C1",
        "source": citation.source_files[0],
        "sources": list(citation.source_files),
    }


def test_a_calendar_event_cites_each_rule_with_its_files_and_names_a_rule_now_gone() -> None:
    session = PlannedSession(
        key="sports:2027-03",
        day=dt.date(2027, 3, 1),
        kind=SessionKind.SPORTS,
        regions=(),
        price=60.0,
        reason="",
        rules=("C1", "Z9"),
    )

    lines = session_description(session, KB).splitlines()

    assert f"- {KB.cite('C1').with_files}" in lines
    assert "- Z9 (no longer in the knowledge base)" in lines
