"""A refusal also says what would be allowed instead: nearby dates, or a lighter kind."""

from __future__ import annotations

import datetime as dt

from rubdown.domain.model import PolicyName, Priority, Race, Season, SessionKind
from rubdown.domain.rules import SeasonIndex, check, check_with_alternatives
from rubdown.knowledge import load_knowledge_base

RACE_DAY = dt.date(2027, 4, 18)
SEASON = Season(races=(Race("Boston Marathon", RACE_DAY, Priority.A, id="r1"),))
STANDARD = load_knowledge_base().policy(PolicyName.STANDARD)


def test_a_refused_deep_session_offers_the_nearest_allowed_days_on_both_sides() -> None:
    verdict = check_with_alternatives(
        SeasonIndex(SEASON), STANDARD, dt.date(2027, 4, 16), SessionKind.DEEP_TISSUE
    )
    dates = {a.day for a in verdict.alternatives if a.kind is SessionKind.DEEP_TISSUE}
    # Standard: deep work up to 3 days before the marathon, and 4 days after it (R7).
    assert dates == {dt.date(2027, 4, 15), dt.date(2027, 4, 22)}


def test_a_refused_deep_session_offers_the_deepest_lighter_kind_on_the_same_day() -> None:
    verdict = check_with_alternatives(
        SeasonIndex(SEASON), STANDARD, dt.date(2027, 4, 16), SessionKind.DEEP_TISSUE
    )
    same_day = [a for a in verdict.alternatives if a.day == dt.date(2027, 4, 16)]
    # Two days out, sports massage fits the standard policy (T2's 48 hours).
    assert [a.kind for a in same_day] == [SessionKind.SPORTS]


def test_every_alternative_is_itself_allowed() -> None:
    index = SeasonIndex(SEASON)
    for offset in range(-10, 5):
        day = RACE_DAY + dt.timedelta(days=offset)
        for kind in SessionKind:
            verdict = check_with_alternatives(index, STANDARD, day, kind)
            for alternative in verdict.alternatives:
                assert check(index, STANDARD, alternative.day, alternative.kind).allowed


def test_alternatives_never_lie_before_the_earliest_day() -> None:
    earliest = dt.date(2027, 4, 15)
    verdict = check_with_alternatives(
        SeasonIndex(SEASON),
        STANDARD,
        dt.date(2027, 4, 16),
        SessionKind.DEEP_TISSUE,
        earliest=earliest,
    )
    assert all(a.day >= earliest for a in verdict.alternatives)


def test_an_allowed_session_needs_no_alternatives() -> None:
    verdict = check_with_alternatives(
        SeasonIndex(SEASON), STANDARD, dt.date(2027, 4, 1), SessionKind.SPORTS
    )
    assert verdict.allowed
    assert verdict.alternatives == ()
