"""The alerts every answer leads with: every standing flag, a possible clot first, each with
its message, its rules in their own words and the titles of their sources."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from rubdown.domain.model import CheckIn, PainQuality, Sign
from rubdown.domain.regions import parse_region
from rubdown.domain.safety import standing_flags
from rubdown.knowledge import load_knowledge_base
from rubdown.services.alerts import alert_view, alerts_from

KB = load_knowledge_base()
MONDAY = dt.date(2027, 3, 8)


def alerts_on(day: dt.date, *checkins: CheckIn) -> list[dict[str, Any]]:
    return [alert_view(a) for a in alerts_from(standing_flags(checkins, day), KB)]


def test_no_checkin_means_no_alert() -> None:
    assert alerts_on(MONDAY) == []


def test_a_clot_sign_comes_first_and_is_urgent_even_when_a_red_flag_came_earlier() -> None:
    sharp = CheckIn(MONDAY, pain={parse_region("right-heel"): PainQuality.SHARP})
    swollen = CheckIn(
        MONDAY + dt.timedelta(days=1),
        signs={parse_region("left-calf"): frozenset({Sign.SWELLING, Sign.WARMTH})},
    )

    found = alerts_on(MONDAY + dt.timedelta(days=1), sharp, swollen)

    assert [(a["kind"], a["region"], a["urgent"]) for a in found] == [
        ("clot", "left-calf", True),
        ("red-flag", "right-heel", False),
    ]
    clot = found[0]
    assert "see a doctor today" in str(clot["message"])
    assert "left-calf" in clot["blocks"]
    assert "left-quad" in clot["blocks"]


def test_each_alert_quotes_its_rule_and_the_titles_of_its_sources() -> None:
    swollen = CheckIn(MONDAY, signs={parse_region("left-calf"): frozenset({Sign.REDNESS})})

    (clot,) = alerts_on(MONDAY, swollen)

    assert clot["rule_ids"] == ["R5"]
    (rule,) = clot["rules"]
    assert rule["id"] == "R5"
    assert rule["text"] == KB.rule("R5").text
    assert rule["sources"] == [KB.sources[key].title for key in KB.rule("R5").sources]


def test_a_fresh_strain_stands_for_72_hours_with_light_work_around_it() -> None:
    strained = CheckIn(MONDAY, signs={parse_region("right-hamstring"): frozenset({Sign.STRAIN})})

    (fresh,) = alerts_on(MONDAY + dt.timedelta(days=2), strained)
    later = alerts_on(MONDAY + dt.timedelta(days=3), strained)

    assert (fresh["kind"], fresh["rule_ids"], fresh["urgent"]) == ("fresh-injury", ["R3"], False)
    assert fresh["blocks"] == ["right-hamstring"]
    assert "right-knee" in fresh["light_only"]
    assert later == []


def test_a_red_flag_left_unchecked_for_two_weeks_still_stands_and_asks_if_it_has_settled() -> None:
    numb = CheckIn(MONDAY, pain={parse_region("left-heel"): PainQuality.NUMBNESS})

    found = alerts_on(MONDAY + dt.timedelta(days=20), numb)

    (flag,) = [a for a in found if a["kind"] == "red-flag"]  # heel pain (R4) stands too

    assert flag["stale"] is True
    assert "has it settled?" in str(flag["message"])


def test_heel_pain_over_two_weeks_of_checkins_says_see_a_professional() -> None:
    checkins = [
        CheckIn(MONDAY + dt.timedelta(days=n), pain={parse_region("left-heel"): PainQuality.DULL})
        for n in range(0, 15, 7)
    ]

    found = alerts_on(MONDAY + dt.timedelta(days=14), *checkins)

    assert [(a["kind"], a["rule_ids"]) for a in found] == [("heel-pain", ["R4"])]


REGIONS = [parse_region(name) for name in ("calf", "left-calf", "right-heel", "low-back", "quad")]


@st.composite
def checkins(draw: st.DrawFn) -> list[CheckIn]:
    found = []
    for offset in sorted(draw(st.sets(st.integers(0, 40), max_size=6))):
        regions = draw(st.lists(st.sampled_from(REGIONS), max_size=3, unique=True))
        pain = {r: draw(st.sampled_from(list(PainQuality))) for r in regions if draw(st.booleans())}
        signs = {
            r: frozenset(
                draw(
                    st.sets(
                        st.sampled_from([s for s in Sign if r.part.paired or not s.is_clot_sign])
                    )
                )
            )
            for r in regions
        }
        found.append(
            CheckIn(
                MONDAY + dt.timedelta(days=offset),
                soreness={r: 3 for r in regions if r not in pain},
                pain=pain,
                signs={r: s for r, s in signs.items() if s},
            )
        )
    return found


@settings(max_examples=60, deadline=None)
@given(checkins(), st.integers(0, 60))
def test_every_standing_flag_becomes_one_alert_urgent_ones_first_each_with_its_rules(
    given_checkins: list[CheckIn], offset: int
) -> None:
    day = MONDAY + dt.timedelta(days=offset)
    flags = standing_flags(given_checkins, day)

    alerts = alerts_from(flags, KB)

    assert sorted(map(id, (a.flag for a in alerts))) == sorted(map(id, flags))
    urgency = [a.urgent for a in alerts]
    assert urgency == sorted(urgency, reverse=True), "an urgent alert after a lesser one"
    for alert in alerts:
        assert [note.id for note in alert.rules] == list(alert.flag.rules)
        assert all(note.text and note.sources for note in alert.rules)
        assert alert.message
