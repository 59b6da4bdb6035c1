"""The alerts every answer leads with: every standing flag, a possible clot first, each with
its message, its rules in their own words and the titles of their sources."""

from __future__ import annotations

import datetime as dt
from typing import Any

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
