"""The bundled knowledge base: complete, traceable to its sources, in its own words, and strict
about malformed data."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rubdown.domain.knowledge import GROUP_BY_PREFIX, Intensity, MoveTiming, Rule, RuleGroup
from rubdown.domain.model import Condition, SessionKind, Tool
from rubdown.domain.regions import BodyPart
from rubdown.errors import KnowledgeBaseError
from rubdown.knowledge import (
    load_knowledge_base,
    load_knowledge_base_from,
    read_bundled_files,
)

DATA = Path(__file__).parents[1] / "data"
SEED_RULES_COPY = DATA / "seed-rules.md"
SHARED = Path(__file__).parents[3] / "shared"
SHARED_SEED_RULES = SHARED / "design" / "seed-rules.md"
SEEDS = SHARED / "seeds"
RESEARCH = SHARED / "research"

SEED_RULE_FILES = [
    pytest.param(SEED_RULES_COPY, id="tests-data-copy"),
    pytest.param(
        SHARED_SEED_RULES,
        id="shared-design",
        marks=pytest.mark.skipif(
            not SHARED_SEED_RULES.exists(), reason="shared/design/seed-rules.md is not here"
        ),
    ),
]

_TABLE_ROW = re.compile(r"^\|\s*([A-Z]+[0-9]+)\s*\|.*\|\s*([0-9, ]+?)\s*\|\s*$")
_DOCUMENT = re.compile(r"`(\d{3})` = (\d{3}_[0-9a-f]+\.txt)")


def seed_rule_sources(path: Path) -> dict[str, set[str]]:
    """Rule ID -> the source keys in the last column of the tables of a seed-rules file."""
    table: dict[str, set[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = _TABLE_ROW.match(line)
        if match:
            table[match.group(1)] = {key.strip() for key in match.group(2).split(",")}
    return table


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def ngrams(text: str, n: int) -> set[tuple[str, ...]]:
    tokens = words(text)
    return {tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)}


def prose(rule: Rule) -> list[str]:
    """Every piece of wording a runner may read for a rule."""
    texts = [rule.title, rule.text]
    if rule.move is not None:
        texts += [rule.move.name, rule.move.cue, *(cue for _, cue in rule.move.tool_cues)]
        if rule.move.after_run is not None:
            texts += [rule.move.after_run.cue, *(cue for _, cue in rule.move.after_run.tool_cues)]
    if rule.protocol is not None:
        texts.append(rule.protocol.advice)
    return texts


# --- the bundled base ----------------------------------------------------------------------


def test_bundled_knowledge_base_loads_with_rules_in_every_group() -> None:
    kb = load_knowledge_base()
    for group in RuleGroup:
        assert kb.by_group(group), f"no {group.value} rules"


def test_bundled_knowledge_base_is_loaded_once_and_cached() -> None:
    assert load_knowledge_base() is load_knowledge_base()


def test_bundled_files_are_the_expected_toml_files() -> None:
    assert set(read_bundled_files()) == {
        "sources.toml",
        "modalities.toml",
        "timing.toml",
        "frequency.toml",
        "conditions.toml",
        "moves.toml",
        "safety.toml",
        "triage.toml",
        "gear.toml",
        "policies.toml",
    }


def test_seed_rules_copy_carries_its_provenance_line() -> None:
    first = SEED_RULES_COPY.read_text(encoding="utf-8").splitlines()[0]
    assert re.fullmatch(
        r"<!-- copied from shared/design/seed-rules\.md on \d{4}-\d{2}-\d{2} -->", first
    )


@pytest.mark.parametrize("seed_rules", SEED_RULE_FILES)
def test_every_seed_rule_is_present_with_the_sources_it_is_listed_with(seed_rules: Path) -> None:
    expected = seed_rule_sources(seed_rules)
    rows = re.findall(
        r"^\|\s*([A-Z]+[0-9]+)\s*\|", seed_rules.read_text(encoding="utf-8"), flags=re.MULTILINE
    )
    assert set(expected) == set(rows), "a table row's source column was not understood"
    assert {rule_id[0] for rule_id in expected} == set(GROUP_BY_PREFIX)
    kb = load_knowledge_base()
    missing = sorted(set(expected) - set(kb.rules))
    assert not missing, f"rules missing from the knowledge base: {missing}"
    wrong = {
        rule_id: (sorted(keys), sorted(kb.rules[rule_id].sources))
        for rule_id, keys in expected.items()
        if set(kb.rules[rule_id].sources) != keys
    }
    assert not wrong, f"rules citing other sources than seed-rules.md (expected, got): {wrong}"


@pytest.mark.parametrize("seed_rules", SEED_RULE_FILES)
def test_seed_sources_are_the_documents_seed_rules_lists(seed_rules: Path) -> None:
    listed = dict(_DOCUMENT.findall(seed_rules.read_text(encoding="utf-8")))
    assert len(listed) == 5
    kb = load_knowledge_base()
    seeds = {key: source.file for key, source in kb.sources.items() if source.kind == "seed"}
    assert seeds == listed


def test_only_extra_rules_use_a_prefix_outside_the_seed_groups() -> None:
    kb = load_knowledge_base()
    seed_ids = set(seed_rule_sources(SEED_RULES_COPY))
    for rule in kb.rules.values():
        if rule.id not in seed_ids:
            assert rule.id[0] not in GROUP_BY_PREFIX, f"{rule.id} looks like a seed rule ID"
            assert all(kb.sources[key].kind == "research" for key in rule.sources), rule.id


def test_every_rule_cites_at_least_one_document_that_exists() -> None:
    kb = load_knowledge_base()
    folders = {"seed": SEEDS, "research": RESEARCH}
    for rule in kb.rules.values():
        found = []
        for key in rule.sources:
            source = kb.sources[key]
            folder = folders[source.kind]
            if folder.exists():
                found.append((folder / source.file).is_file())
            else:
                pattern = r"\d{3}_[0-9a-f]{16}\.txt" if source.kind == "seed" else r"[\w.-]+\.md"
                found.append(re.fullmatch(pattern, source.file) is not None)
        assert any(found), f"rule {rule.id} cites no document that exists: {rule.sources}"


def test_every_source_is_cited_and_research_sources_give_a_url() -> None:
    kb = load_knowledge_base()
    cited = {key for rule in kb.rules.values() for key in rule.sources}
    assert set(kb.sources) == cited
    for source in kb.sources.values():
        assert source.kind in {"seed", "research"}
        if source.kind == "research":
            assert source.url.startswith("https://"), source.key


def test_citation_names_the_rule_and_its_documents() -> None:
    citation = load_knowledge_base().cite("t2")
    assert citation.short == "T2, 001"
    assert citation.source_files == ("001_517d6a93f20f77da.txt",)


def test_modalities_name_the_session_kind_they_describe() -> None:
    kb = load_knowledge_base()
    kinds = {rule.id: rule.kind for rule in kb.by_group(RuleGroup.MODALITY)}
    assert kinds == {
        "M1": SessionKind.DEEP_TISSUE,
        "M2": SessionKind.SPORTS,
        "M3": SessionKind.ART,
        "M4": SessionKind.MYOFASCIAL,
        "M5": SessionKind.REMEDIAL,
        "M6": SessionKind.PRE_EVENT,
        "M7": SessionKind.POST_EVENT,
        "M8": None,
    }


def test_moves_follow_the_source_timings_and_pre_run_moves_stay_light() -> None:
    kb = load_knowledge_base()
    moves = {rule.id: rule.move for rule in kb.by_group(RuleGroup.MOVE) if rule.move}
    assert sorted(moves) == [f"S{n}" for n in range(1, 9)]
    when = {rule_id: move.when for rule_id, move in moves.items()}
    assert {k for k, v in when.items() if v is MoveTiming.PRE_RUN} == {"S1", "S2", "S3"}
    assert {k for k, v in when.items() if v is MoveTiming.POST_RUN} == {"S4", "S5", "S6"}
    assert {k for k, v in when.items() if v is MoveTiming.ANY} == {"S7", "S8"}
    for rule_id in ("S1", "S2", "S3"):
        assert moves[rule_id].intensity is Intensity.LIGHT
    assert moves["S1"].seconds == 120
    assert moves["S7"].tools[0] is Tool.GOLF_BALL


def test_every_move_is_a_short_bout_with_a_tool_and_a_cue() -> None:
    for rule in load_knowledge_base().by_group(RuleGroup.MOVE):
        assert rule.move is not None
        assert 15 <= rule.move.seconds <= 600, rule.id  # T11: bouts of a few minutes
        assert rule.move.tools, rule.id
        assert rule.move.cue.endswith("."), rule.id


def test_every_move_has_a_cue_written_for_each_of_its_tools() -> None:
    # No "lie on the roller ... use your hands instead": the words fit the tool in use.
    for rule in load_knowledge_base().by_group(RuleGroup.MOVE):
        move = rule.move
        assert move is not None
        for tool in move.tools:
            assert move.has_cue_for(tool), (rule.id, tool)
            for after_run in (False, True):
                cue = move.cue_for(tool, after_run=after_run)
                others = {t.value.replace("-", " ") for t in move.tools if t is not tool}
                assert not any(other in cue for other in others - {"hands"}), (rule.id, cue)


def test_moves_name_what_they_load_beyond_what_they_massage() -> None:
    kb = load_knowledge_base()
    shin = kb.rule("S4").move
    assert shin is not None
    assert shin.loads == (BodyPart.ACHILLES,)  # the ankle circles
    assert BodyPart.ACHILLES in shin.works


def test_the_seated_glute_move_starts_with_body_weight_and_then_a_roller_or_stick() -> None:
    # S3 (source 004): body weight alone first, a roller or stick only if that finds nothing.
    glute = load_knowledge_base().rule("S3").move
    assert glute is not None
    assert glute.tools == (Tool.HANDS,)
    assert glute.then_tools == (Tool.ROLLER, Tool.STICK)
    assert "body weight" in glute.cue


def test_the_it_band_roll_has_a_firmer_form_for_after_a_run() -> None:
    # C4: roll the IT band gently before a run and more firmly afterwards (S2, source 004).
    roll = load_knowledge_base().rule("S2").move
    assert roll is not None
    assert roll.after_run is not None
    assert roll.intensity is Intensity.LIGHT
    assert roll.after_run.intensity is Intensity.MODERATE
    assert "firmer" in roll.cue_for(Tool.ROLLER, after_run=True)
    assert "firmer" in roll.cue_for(Tool.HANDS, after_run=True)


def test_every_condition_and_the_desk_job_have_one_protocol() -> None:
    protocols = load_knowledge_base().protocols()
    assert set(protocols) == {*Condition, None}
    assert protocols[None].id == "C7"
    desk_job = protocols[None].protocol
    assert desk_job is not None
    assert desk_job.moves == ("S1",)
    heel = protocols[Condition.PLANTAR_FASCIITIS].protocol
    assert heel is not None
    assert set(heel.professional) == {SessionKind.MYOFASCIAL, SessionKind.DEEP_TISSUE}


def test_overuse_protocol_refers_the_runner_on() -> None:
    rule = load_knowledge_base().protocols()[Condition.OVERUSE]
    assert rule.protocol is not None
    assert "X3" in rule.protocol.advice
    assert "physiotherapist" in rule.protocol.advice


@pytest.mark.skipif(not SEEDS.exists(), reason="the seed documents are not here")
def test_no_wording_shares_an_eight_word_run_with_any_seed_document() -> None:
    seeds = {
        path.name: ngrams(path.read_text(encoding="utf-8"), 8)
        for path in sorted(SEEDS.glob("*.txt"))
    }
    assert len(seeds) == 5
    kb = load_knowledge_base()
    copied = []
    for rule in kb.rules.values():
        for text in prose(rule):
            for name, grams in seeds.items():
                copied += [f"{rule.id} / {name}: {' '.join(g)}" for g in ngrams(text, 8) & grams]
    for source in kb.sources.values():
        for name, grams in seeds.items():
            copied += [
                f"{source.key} / {name}: {' '.join(g)}" for g in ngrams(source.title, 8) & grams
            ]
    assert not copied, "\n".join(copied)


def test_eight_word_check_catches_a_pasted_sentence() -> None:
    pasted = "Set a timer for every 30 minutes to remind you to take a movement break."
    seed_like = "move around. Set a timer for every 30 minutes, to remind you!"
    assert ngrams(pasted, 8) & ngrams(seed_like, 8)


# --- broken data -----------------------------------------------------------------------------

SOURCES = """
[[source]]
key = "001"
file = "001_0123456789abcdef.txt"
title = "a test document"
kind = "seed"
"""

RULES = """
[[rule]]
id = "T1"
title = "Wait"
text = "Wait two days after a race."
sources = ["001"]

[[rule]]
id = "M1"
title = "Deep tissue"
kind = "deep-tissue"
text = "A therapist works deep."
sources = ["001"]

[[rule]]
id = "S1"
title = "Calf roll"
text = "Roll the calf after a run."
sources = ["001"]

[rule.move]
name = "Calf roll"
when = "post-run"
regions = ["calf"]
tools = ["roller", "hands"]
seconds = 60
intensity = "moderate"
cue = "Roll slowly from ankle to knee."

[[rule]]
id = "C1"
title = "Tight calves"
text = "Work the calves."
sources = ["001"]

[rule.protocol]
condition = "tight-calves"
focus = ["calf"]
professional = ["deep-tissue"]
moves = ["S1"]
advice = "Book deep tissue work on the calves."
"""


def files(sources: str = SOURCES, rules: str = RULES) -> dict[str, str]:
    return {"sources.toml": sources, "rules.toml": rules}


def broken(old: str, new: str, text: str = RULES) -> str:
    assert text.count(old) == 1, f"{old!r} is not in the sample exactly once"
    return text.replace(old, new)


def test_minimal_sample_data_loads() -> None:
    kb = load_knowledge_base_from(files())
    assert sorted(kb.rules) == ["C1", "M1", "S1", "T1"]
    assert kb.rules["T1"].group is RuleGroup.TIMING


def test_desk_job_protocol_loads_without_a_condition() -> None:
    kb = load_knowledge_base_from(files(rules=broken('"tight-calves"', '"desk-job"')))
    assert kb.protocols()[None].id == "C1"


def test_extra_rule_takes_its_explicit_group() -> None:
    extra = (
        RULES + '\n[[rule]]\nid = "R1"\ngroup = "safety"\ntitle = "t"\ntext = "x"\n'
        'sources = ["001"]\n'
    )
    assert load_knowledge_base_from(files(rules=extra)).rules["R1"].group is RuleGroup.SAFETY


DUPLICATE_RULE = RULES + '\n[[rule]]\nid = "T1"\ntitle = "t"\ntext = "x"\nsources = ["001"]\n'
DUPLICATE_SOURCE = SOURCES + '\n[[source]]\nkey = "001"\nfile = "f.txt"\ntitle = "t"\n'


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(
            files(rules=DUPLICATE_RULE),
            ["rules.toml", "T1", "already defined"],
            id="duplicate-rule-id",
        ),
        pytest.param(
            {**files(), "zz.toml": RULES.split('[[rule]]\nid = "M1"')[0]},
            ["zz.toml", "T1", "already defined in rules.toml"],
            id="duplicate-rule-id-across-files",
        ),
        pytest.param(
            files(sources=DUPLICATE_SOURCE),
            ["sources.toml", "001", "already defined"],
            id="duplicate-source-key",
        ),
        pytest.param(
            files(
                rules=broken('sources = ["001"]\n\n[[rule]]\nid = "M1"', '\n[[rule]]\nid = "M1"')
            ),
            ["rules.toml", "rule T1", "missing field 'sources'"],
            id="rule-without-sources-field",
        ),
        pytest.param(
            files(
                rules=broken(
                    'sources = ["001"]\n\n[[rule]]\nid = "M1"',
                    'sources = []\n\n[[rule]]\nid = "M1"',
                )
            ),
            ["rules.toml", "rule T1", "'sources' is empty"],
            id="rule-with-no-source",
        ),
        pytest.param(
            files(
                rules=broken(
                    'sources = ["001"]\n\n[[rule]]\nid = "M1"',
                    'sources = ["009"]\n\n[[rule]]\nid = "M1"',
                )
            ),
            ["rules.toml", "rule T1", "unknown source '009'", "known sources: 001"],
            id="unknown-source-key",
        ),
        pytest.param(
            files(rules=broken('regions = ["calf"]', 'regions = ["calves"]')),
            ["rules.toml", "rule S1", "unknown body region 'calves'", "plantar-fascia"],
            id="unknown-region",
        ),
        pytest.param(
            files(rules=broken('focus = ["calf"]', 'focus = ["toe"]')),
            ["rules.toml", "rule C1", "unknown body region 'toe'"],
            id="unknown-focus-region",
        ),
        pytest.param(
            files(rules=broken('tools = ["roller", "hands"]', 'tools = ["foam-roller"]')),
            ["rules.toml", "rule S1", "unknown tool 'foam-roller'", "roller"],
            id="unknown-tool",
        ),
        pytest.param(
            files(rules=broken('kind = "deep-tissue"', 'kind = "shiatsu"')),
            ["rules.toml", "rule M1", "unknown session kind 'shiatsu'"],
            id="unknown-modality-kind",
        ),
        pytest.param(
            files(rules=broken('professional = ["deep-tissue"]', 'professional = ["reiki"]')),
            ["rules.toml", "rule C1", "unknown session kind 'reiki'"],
            id="unknown-professional-kind",
        ),
        pytest.param(
            files(rules=broken('professional = ["deep-tissue"]', 'professional = ["self-light"]')),
            ["rules.toml", "rule C1", "self-massage"],
            id="self-massage-as-professional-work",
        ),
        pytest.param(
            files(rules=broken('condition = "tight-calves"', 'condition = "flu"')),
            ["rules.toml", "rule C1", "unknown condition 'flu'", "desk-job"],
            id="unknown-condition",
        ),
        pytest.param(
            files(rules=broken("seconds = 60\n", "")),
            ["rules.toml", "rule S1, move", "missing field 'seconds'"],
            id="move-without-seconds",
        ),
        pytest.param(
            files(rules=broken("seconds = 60\n", 'seconds = "60"\n')),
            ["rules.toml", "rule S1, move", "'seconds' must be an integer"],
            id="seconds-as-text",
        ),
        pytest.param(
            files(rules=broken("seconds = 60\n", "seconds = 0\n")),
            ["rules.toml", "rule S1, move", "'seconds' must be between"],
            id="zero-seconds",
        ),
        pytest.param(
            files(rules=broken("seconds = 60\n", "second = 60\n")),
            ["rules.toml", "rule S1, move", "missing field 'seconds'", "'second'"],
            id="misspelt-seconds",
        ),
        pytest.param(
            files(rules=broken('when = "post-run"', 'when = "pre-run"')),
            ["rules.toml", "rule S1, move", "pre-run move must be light"],
            id="vigorous-pre-run-move",
        ),
        pytest.param(
            files(rules=broken('moves = ["S1"]', 'moves = ["T1"]')),
            ["rules.toml", "rule C1", "T1", "not a move rule"],
            id="protocol-pointing-at-a-non-move",
        ),
        pytest.param(
            files(rules=broken('moves = ["S1"]', 'moves = ["S9"]')),
            ["rules.toml", "rule C1", "S9", "not a rule"],
            id="protocol-pointing-at-nothing",
        ),
        pytest.param(
            files(rules=broken('title = "Wait"', 'title = "Wait"\ncolour = "red"')),
            ["rules.toml", "rule T1", "unknown key 'colour'"],
            id="unknown-rule-key",
        ),
        pytest.param(
            files(rules=broken('cue = "Roll', 'tempo = 2\ncue = "Roll')),
            ["rules.toml", "rule S1, move", "unknown key 'tempo'"],
            id="unknown-move-key",
        ),
        pytest.param(
            files(sources="extra = 1\n" + SOURCES),
            ["sources.toml", "unknown key 'extra'"],
            id="unknown-top-level-key",
        ),
        pytest.param(
            files(rules=broken('title = "Wait"', "title = 3")),
            ["rules.toml", "rule T1", "'title' must be a string"],
            id="title-not-text",
        ),
        pytest.param(
            files(rules=broken('regions = ["calf"]', 'regions = "calf"')),
            ["rules.toml", "rule S1, move", "'regions' must be a list"],
            id="regions-not-a-list",
        ),
        pytest.param(
            files(rules=broken("[rule.move]", "[rule.moov]")),
            ["rules.toml", "rule S1", "needs a [rule.move] table"],
            id="move-rule-without-move",
        ),
        pytest.param(
            files(rules=broken("[rule.protocol]", "[rule.notes]")),
            ["rules.toml", "rule C1", "needs a [rule.protocol] table"],
            id="condition-rule-without-protocol",
        ),
        pytest.param(
            files(rules=broken('id = "T1"', 'id = "T1"\nkind = "sports"')),
            ["rules.toml", "rule T1", "only modality rules"],
            id="kind-on-a-timing-rule",
        ),
        pytest.param(
            files(rules=broken('id = "T1"', 'id = "R1"')),
            ["rules.toml", "rule R1", "name the rule's 'group'"],
            id="extra-rule-without-group",
        ),
        pytest.param(
            files(rules=broken('id = "T1"', 'id = "T1"\ngroup = "gear"')),
            ["rules.toml", "rule T1", "prefix T means 'timing'"],
            id="group-contradicting-prefix",
        ),
        pytest.param(
            files(rules=broken('id = "T1"', 'id = "t-one"')),
            ["rules.toml", "t-one", "capital letters then digits"],
            id="malformed-rule-id",
        ),
        pytest.param(
            files(rules=broken('id = "T1"\n', "")),
            ["rules.toml", "rule #1", "missing field 'id'"],
            id="rule-without-id",
        ),
        pytest.param(
            files(sources=SOURCES.replace('kind = "seed"', 'kind = "research"')),
            ["sources.toml", "source 001", "needs a 'url'"],
            id="research-source-without-url",
        ),
        pytest.param(
            files(rules=RULES + "[[rule]\n"), ["rules.toml", "not valid TOML"], id="invalid-toml"
        ),
        pytest.param({"sources.toml": SOURCES}, ["no rules"], id="no-rules"),
    ],
)
def test_broken_data_raises_a_message_naming_file_and_rule(
    data: dict[str, str], expected: list[str]
) -> None:
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base_from(data)
    message = str(caught.value)
    for part in expected:
        assert part in message, f"{part!r} not in {message!r}"


def test_two_protocols_for_one_condition_are_rejected() -> None:
    copy_of_c1 = RULES.split('[[rule]]\nid = "C1"')[1]
    extra = RULES + '\n[[rule]]\nid = "C2"' + copy_of_c1
    with pytest.raises(KnowledgeBaseError, match=r"rules\.toml: rule C2.*'tight-calves'.*C1"):
        load_knowledge_base_from(files(rules=extra))


def test_a_timing_table_citing_an_unknown_rule_is_refused() -> None:
    files = read_bundled_files()
    files["policies.toml"] = files["policies.toml"].replace('["T3"]', '["T99"]', 1)
    with pytest.raises(KnowledgeBaseError, match="unknown rule T99"):
        load_knowledge_base_from(files)


def test_a_timing_table_missing_a_row_is_refused() -> None:
    files = read_bundled_files()
    text = files["policies.toml"]
    start = text.index('[[gap]]\nid = "light-after-hard"')
    end = text.index("[[gap]]", start + 1)
    files["policies.toml"] = text[:start] + text[end:]
    with pytest.raises(KnowledgeBaseError, match="light-after-hard"):
        load_knowledge_base_from(files)


def test_a_timing_table_cell_with_a_negative_day_count_is_refused() -> None:
    files = read_bundled_files()
    files["policies.toml"] = files["policies.toml"].replace("days = 7,", "days = -7,", 1)
    with pytest.raises(KnowledgeBaseError, match="'days' must be between 0 and 60"):
        load_knowledge_base_from(files)
