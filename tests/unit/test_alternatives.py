"""A refusal also says what would be allowed instead: nearby dates, or a lighter kind."""

from __future__ import annotations

import datetime as dt

from rubdown.domain.model import PolicyName, Priority, Race, Season, SessionKind
from rubdown.domain.policy import POLICIES
from rubdown.domain.rules import SeasonIndex, check, check_with_alternatives

RACE_DAY = dt.date(2027, 4, 18)
SEASON = Season(races=(Race("Boston Marathon", RACE_DAY, Priority.A, id="r1"),))
STANDARD = POLICIES[PolicyName.STANDARD]


def test_a_refused_deep_session_offers_the_nearest_allowed_days_on_both_sides() -> None:
    verdict = check_with_alternatives(
        SeasonIndex(SEASON), STANDARD, dt.date(2027, 4, 16), SessionKind.DEEP_TISSUE
    )
    dates = {a.day for a in verdict.alternatives if a.kind is SessionKind.DEEP_TISSUE}
    assert dates == {dt.date(2027, 4, 14), dt.date(2027, 4, 20)}


def test_a_refused_deep_session_offers_a_lighter_kind_on_the_same_day() -> None:
    verdict = check_with_alternatives(
        SeasonIndex(SEASON), STANDARD, dt.date(2027, 4, 16), SessionKind.DEEP_TISSUE
    )
    same_day = [a for a in verdict.alternatives if a.day == dt.date(2027, 4, 16)]
    assert [a.kind for a in same_day] == [SessionKind.SELF_LIGHT]


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
