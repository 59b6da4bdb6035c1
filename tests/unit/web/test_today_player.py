"""The pure parts of the Today page and its player: merging a pain flag into a check-in, and
how a step's region is named on the page."""

from __future__ import annotations

import datetime as dt

import pytest

from rubdown.domain.model import CheckIn, PainQuality
from rubdown.domain.regions import parse_region
from rubdown.errors import InvalidDate
from rubdown.knowledge import load_knowledge_base
from rubdown.web.presenters.player import merge_pain
from rubdown.web.presenters.today import (
    PAGE_RANGE_DAYS,
    check_page_day,
    citation,
    region_choices,
    region_parts,
)

DAY = dt.date(2027, 1, 4)
CALF, LEFT_CALF, SHIN = parse_region("calf"), parse_region("left-calf"), parse_region("shin")


def a_checkin() -> CheckIn:
    return CheckIn(
        DAY,
        soreness={CALF: 5},
        pain={SHIN: PainQuality.DULL},
        note="tired",
        fatigue=3,
        sleep=2,
    )


def test_merging_a_flag_keeps_everything_the_check_in_said() -> None:
    before = a_checkin()
    merged = merge_pain(before, DAY, LEFT_CALF, PainQuality.SHARP)
    assert merged.pain == {SHIN: PainQuality.DULL, LEFT_CALF: PainQuality.SHARP}
    assert merged.soreness == {CALF: 5}
    assert (merged.note, merged.fatigue, merged.sleep, merged.day) == ("tired", 3, 2, DAY)
    assert before.pain == {SHIN: PainQuality.DULL}, "the stored check-in is not changed"


def test_merging_into_no_check_in_makes_one_with_only_the_flag() -> None:
    merged = merge_pain(None, DAY, SHIN, PainQuality.DULL)
    assert merged == CheckIn(DAY, pain={SHIN: PainQuality.DULL})


@pytest.mark.parametrize("red", [PainQuality.SHARP, PainQuality.NUMBNESS, PainQuality.TINGLING])
def test_a_dull_ache_never_replaces_a_red_flag_of_the_same_region(red: PainQuality) -> None:
    before = CheckIn(DAY, pain={SHIN: red})
    assert merge_pain(before, DAY, SHIN, PainQuality.DULL).pain == {SHIN: red}


def test_a_red_flag_replaces_a_dull_ache_and_another_red_flag() -> None:
    dull = CheckIn(DAY, pain={SHIN: PainQuality.DULL})
    sharp = merge_pain(dull, DAY, SHIN, PainQuality.SHARP)
    assert sharp.pain == {SHIN: PainQuality.SHARP}
    assert merge_pain(sharp, DAY, SHIN, PainQuality.NUMBNESS).pain == {SHIN: PainQuality.NUMBNESS}


@pytest.mark.parametrize(
    ("region", "expected"),
    [
        ("calf", ("calf", "both")),
        ("left-calf", ("calf", "left")),
        ("right-glute", ("glute", "right")),
        ("low-back", ("low-back", "none")),
        (None, ("whole-body", "none")),
    ],
)
def test_a_steps_region_is_named_by_body_part_and_side(
    region: str | None, expected: tuple[str, str]
) -> None:
    assert region_parts(parse_region(region) if region else None) == expected


def test_a_citation_names_each_source_once() -> None:
    kb = load_knowledge_base()
    cited = citation(kb, ["S6", "T11", "C1"])
    assert [rule["id"] for rule in cited["rules"]] == ["S6", "T11", "C1"]
    assert len(cited["sources"]) == len(set(cited["sources"]))
    every = {kb.sources[key].title for rule in ("S6", "T11", "C1") for key in kb.rule(rule).sources}
    assert set(cited["sources"]) == every


def test_every_region_can_be_chosen_once_and_the_back_has_no_sides() -> None:
    values = [choice["value"] for choice in region_choices()]
    assert len(values) == len(set(values))
    assert {"calf", "left-calf", "right-calf", "low-back"} <= set(values)
    assert "left-low-back" not in values


def test_the_page_refuses_days_beyond_a_century_from_today() -> None:
    check_page_day(DAY + dt.timedelta(days=PAGE_RANGE_DAYS), DAY)
    with pytest.raises(InvalidDate):
        check_page_day(DAY - dt.timedelta(days=PAGE_RANGE_DAYS + 1), DAY)
