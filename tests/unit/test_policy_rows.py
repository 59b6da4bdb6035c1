"""Every row of the policy table, for every policy, through the rules engine.

The calendar is empty but for what each test puts in it, so a verdict can only come from the
row under test. Days: the A race is on Sunday 18 April 2027.
"""

from __future__ import annotations

import datetime as dt

import pytest

from rubdown.domain.model import (
    DEEP_FAMILY,
    CheckIn,
    MassageSession,
    PainQuality,
    PolicyName,
    Priority,
    Race,
    Season,
    SessionKind,
    Workout,
    WorkoutKind,
)
from rubdown.domain.policy import POLICIES
from rubdown.domain.regions import BodyPart, Region, Side
from rubdown.domain.rules import SeasonIndex, Verdict, check

RACE_DAY = dt.date(2027, 4, 18)
ALL_POLICIES = list(PolicyName)
ALL_KINDS = list(SessionKind)

# The documented policy table (README): A/B window, C window, hard-free days after deep work.
TABLE = {
    PolicyName.CAUTIOUS: (8, 4, 3),
    PolicyName.STANDARD: (4, 4, 2),
    PolicyName.ADAPTED: (3, 3, 1),
}


def day(offset: int) -> dt.date:
    return RACE_DAY + dt.timedelta(days=offset)


def judge(
    season: Season,
    policy: PolicyName,
    when: dt.date,
    kind: SessionKind,
    regions: tuple[Region, ...] = (),
) -> Verdict:
    return check(SeasonIndex(season), POLICIES[policy], when, kind, regions)


def race_season(priority: Priority) -> Season:
    return Season(races=(Race("Boston Marathon", RACE_DAY, priority, 42.195, id="r1"),))


def test_policy_objects_match_the_documented_table() -> None:
    for name, (major, minor, after) in TABLE.items():
        policy = POLICIES[name]
        assert (
            policy.deep_days_before_major_race,
            policy.deep_days_before_minor_race,
            policy.hard_free_days_after_deep,
        ) == (major, minor, after)


# Row 1: deep family allowed only if R - D >= the policy's window.
@pytest.mark.parametrize("policy", ALL_POLICIES)
@pytest.mark.parametrize("priority", list(Priority))
@pytest.mark.parametrize("kind", DEEP_FAMILY)
def test_deep_family_is_allowed_exactly_from_the_policy_window_before_a_race(
    policy: PolicyName, priority: Priority, kind: SessionKind
) -> None:
    major, minor, _ = TABLE[policy]
    window = minor if priority is Priority.C else major
    season = race_season(priority)
    assert judge(season, policy, day(-window), kind).allowed
    refused = judge(season, policy, day(-(window - 1)), kind)
    assert not refused.allowed
    assert set(refused.rule_ids) & set(POLICIES[policy].race_window_rules)
    assert any("Boston Marathon" in f.reason for f in refused.findings)


@pytest.mark.parametrize("policy", ALL_POLICIES)
@pytest.mark.parametrize("kind", DEEP_FAMILY)
def test_deep_family_is_refused_on_every_day_inside_the_window(
    policy: PolicyName, kind: SessionKind
) -> None:
    window = TABLE[policy][0]
    season = race_season(Priority.A)
    for gap in range(1, window):
        assert not judge(season, policy, day(-gap), kind).allowed, gap


def test_standard_reason_names_the_days_the_race_and_what_the_policy_wants() -> None:
    verdict = judge(race_season(Priority.A), PolicyName.STANDARD, day(-2), SessionKind.DEEP_TISSUE)
    assert [f.reason for f in verdict.findings] == [
        "deep tissue on Fri 16 Apr is 2 days before your A race, Boston Marathon; "
        "standard policy wants 4"
    ]
    assert verdict.rule_ids == ("T2",)


def test_cautious_policy_cites_the_week_long_rule_for_an_a_race() -> None:
    verdict = judge(race_season(Priority.A), PolicyName.CAUTIOUS, day(-6), SessionKind.SPORTS)
    assert "T3" in verdict.rule_ids


# Row 2: no deep family on the day of a race or hard workout, nor the day after (T5).
@pytest.mark.parametrize("policy", ALL_POLICIES)
@pytest.mark.parametrize(
    "hard_kind",
    [
        WorkoutKind.LONG,
        WorkoutKind.TEMPO,
        WorkoutKind.INTERVALS,
        WorkoutKind.HILL,
        WorkoutKind.RACE,
    ],
)
def test_deep_family_waits_until_the_second_day_after_a_hard_workout(
    policy: PolicyName, hard_kind: WorkoutKind
) -> None:
    hard_day = dt.date(2027, 3, 2)
    season = Season(workouts=(Workout(hard_day, hard_kind),))
    for offset in (0, 1):
        verdict = judge(
            season, policy, hard_day + dt.timedelta(days=offset), SessionKind.DEEP_TISSUE
        )
        assert not verdict.allowed
        assert "T5" in verdict.rule_ids
    assert judge(season, policy, hard_day + dt.timedelta(days=2), SessionKind.DEEP_TISSUE).allowed


@pytest.mark.parametrize("policy", ALL_POLICIES)
def test_deep_family_is_refused_on_race_day_and_the_day_after(policy: PolicyName) -> None:
    season = race_season(Priority.C)
    for offset in (0, 1):
        verdict = judge(season, policy, day(offset), SessionKind.ART)
        assert not verdict.allowed
        assert "T5" in verdict.rule_ids
    assert judge(season, policy, day(2), SessionKind.ART).allowed


@pytest.mark.parametrize("policy", ALL_POLICIES)
def test_easy_and_rest_workouts_do_not_block_deep_work(policy: PolicyName) -> None:
    easy_day = dt.date(2027, 3, 2)
    season = Season(
        workouts=(Workout(easy_day, WorkoutKind.EASY), Workout(easy_day, WorkoutKind.REST))
    )
    assert judge(season, policy, easy_day, SessionKind.DEEP_TISSUE).allowed


# Row 3: after a deep-family session, no race or hard workout for k days (T2, T7).
@pytest.mark.parametrize("policy", ALL_POLICIES)
@pytest.mark.parametrize("kind", DEEP_FAMILY)
def test_deep_family_keeps_the_policy_days_after_it_free_of_hard_workouts(
    policy: PolicyName, kind: SessionKind
) -> None:
    after = TABLE[policy][2]
    hard_day = dt.date(2027, 3, 10)
    season = Season(workouts=(Workout(hard_day, WorkoutKind.INTERVALS),))
    for gap in range(1, after + 1):
        verdict = judge(season, policy, hard_day - dt.timedelta(days=gap), kind)
        assert not verdict.allowed, gap
        assert set(verdict.rule_ids) & {"T2", "T7"}
    assert judge(season, policy, hard_day - dt.timedelta(days=after + 1), kind).allowed


# Row 4: pre-event on race day (T4); post-event from the day after (T6).
@pytest.mark.parametrize("policy", ALL_POLICIES)
@pytest.mark.parametrize("priority", list(Priority))
def test_pre_event_is_allowed_on_race_day_only(policy: PolicyName, priority: Priority) -> None:
    season = race_season(priority)
    verdict = judge(season, policy, RACE_DAY, SessionKind.PRE_EVENT)
    assert verdict.allowed
    assert "T4" in verdict.rule_ids
    for offset in (-2, -1, 1):
        assert not judge(season, policy, day(offset), SessionKind.PRE_EVENT).allowed


@pytest.mark.parametrize("policy", ALL_POLICIES)
@pytest.mark.parametrize("priority", list(Priority))
def test_post_event_is_allowed_from_the_day_after_the_race(
    policy: PolicyName, priority: Priority
) -> None:
    season = race_season(priority)
    assert not judge(season, policy, RACE_DAY, SessionKind.POST_EVENT).allowed
    for offset in (1, 2, 7):
        verdict = judge(season, policy, day(offset), SessionKind.POST_EVENT)
        assert verdict.allowed, offset
        assert "T6" in verdict.rule_ids


@pytest.mark.parametrize("policy", ALL_POLICIES)
def test_post_event_without_a_recent_race_is_refused(policy: PolicyName) -> None:
    season = race_season(Priority.A)
    assert not judge(season, policy, day(8), SessionKind.POST_EVENT).allowed
    assert not judge(Season(), policy, day(1), SessionKind.POST_EVENT).allowed


# Row 5: self-vigorous not the day after another (T8), not in the 2 days before an A race.
@pytest.mark.parametrize("policy", ALL_POLICIES)
def test_self_vigorous_needs_a_day_off_after_another_vigorous_bout(policy: PolicyName) -> None:
    bout = dt.date(2027, 3, 3)
    season = Season(sessions=(MassageSession(bout, SessionKind.SELF_VIGOROUS),))
    refused = judge(season, policy, bout + dt.timedelta(days=1), SessionKind.SELF_VIGOROUS)
    assert not refused.allowed
    assert refused.rule_ids == ("T8",)
    assert judge(season, policy, bout + dt.timedelta(days=2), SessionKind.SELF_VIGOROUS).allowed
    # A light bout the next day is fine: the day off is from vigorous work.
    assert judge(season, policy, bout + dt.timedelta(days=1), SessionKind.SELF_LIGHT).allowed


@pytest.mark.parametrize("policy", ALL_POLICIES)
def test_self_vigorous_stays_out_of_the_two_days_before_an_a_race(policy: PolicyName) -> None:
    season = race_season(Priority.A)
    for offset in (-2, -1):
        assert not judge(season, policy, day(offset), SessionKind.SELF_VIGOROUS).allowed
    assert judge(season, policy, day(-3), SessionKind.SELF_VIGOROUS).allowed
    assert judge(season, policy, day(-1), SessionKind.SELF_LIGHT).allowed


@pytest.mark.parametrize("policy", ALL_POLICIES)
@pytest.mark.parametrize("priority", [Priority.B, Priority.C])
def test_self_vigorous_before_a_b_or_c_race_is_allowed(
    policy: PolicyName, priority: Priority
) -> None:
    assert judge(race_season(priority), policy, day(-1), SessionKind.SELF_VIGOROUS).allowed


# Row 6: sharp pain, numbness or tingling stop massage of that region (X1), whatever the policy.
LEFT_HEEL = Region(BodyPart.HEEL, Side.LEFT)


def flagged(quality: PainQuality, on: dt.date) -> Season:
    return Season(checkins=(CheckIn(on, pain={LEFT_HEEL: quality}),))


@pytest.mark.parametrize("policy", ALL_POLICIES)
@pytest.mark.parametrize("kind", ALL_KINDS)
@pytest.mark.parametrize("quality", [PainQuality.SHARP, PainQuality.NUMBNESS, PainQuality.TINGLING])
def test_a_red_flag_refuses_every_kind_of_massage_on_that_region(
    policy: PolicyName, kind: SessionKind, quality: PainQuality
) -> None:
    flag_day = dt.date(2027, 3, 1)
    season = flagged(quality, flag_day)
    if kind is SessionKind.PRE_EVENT:
        season = Season(races=(Race("Parkrun", flag_day, Priority.C),), checkins=season.checkins)
    if kind is SessionKind.POST_EVENT:
        season = Season(
            races=(Race("Parkrun", flag_day - dt.timedelta(days=1), Priority.C),),
            checkins=season.checkins,
        )
    for regions in ((Region(BodyPart.HEEL),), (LEFT_HEEL,), ()):
        verdict = judge(season, policy, flag_day, kind, regions)
        assert not verdict.allowed
        assert "X1" in verdict.rule_ids
    # Other regions stay open, and the flag names a professional to see.
    other = judge(season, policy, flag_day, kind, (Region(BodyPart.GLUTE),))
    assert "X1" not in other.rule_ids
    heel = judge(season, policy, flag_day, kind, (LEFT_HEEL,))
    assert any("see a professional" in f.reason for f in heel.findings)


@pytest.mark.parametrize("policy", ALL_POLICIES)
def test_a_dull_ache_is_not_a_red_flag(policy: PolicyName) -> None:
    flag_day = dt.date(2027, 3, 1)
    verdict = judge(flagged(PainQuality.DULL, flag_day), policy, flag_day, SessionKind.SELF_LIGHT)
    assert verdict.allowed


def test_the_other_side_is_not_blocked_by_a_one_sided_flag() -> None:
    flag_day = dt.date(2027, 3, 1)
    verdict = judge(
        flagged(PainQuality.SHARP, flag_day),
        PolicyName.STANDARD,
        flag_day,
        SessionKind.SELF_LIGHT,
        (Region(BodyPart.HEEL, Side.RIGHT),),
    )
    assert verdict.allowed


def test_a_later_check_in_without_the_flag_clears_it() -> None:
    flag_day = dt.date(2027, 3, 1)
    cleared = dt.date(2027, 3, 4)
    season = Season(
        checkins=(
            CheckIn(flag_day, pain={LEFT_HEEL: PainQuality.SHARP}),
            CheckIn(cleared, soreness={LEFT_HEEL: 2}),
        )
    )
    before = judge(season, PolicyName.STANDARD, dt.date(2027, 3, 3), SessionKind.SELF_LIGHT)
    after = judge(season, PolicyName.STANDARD, cleared, SessionKind.SELF_LIGHT)
    assert not before.allowed
    assert after.allowed


def test_a_red_flag_does_not_reach_back_before_its_check_in() -> None:
    flag_day = dt.date(2027, 3, 10)
    verdict = judge(
        flagged(PainQuality.SHARP, flag_day),
        PolicyName.STANDARD,
        flag_day - dt.timedelta(days=1),
        SessionKind.SELF_LIGHT,
    )
    assert verdict.allowed


def test_hard_workouts_are_exactly_long_tempo_intervals_hill_and_race() -> None:
    hard = {k.value for k in WorkoutKind if k.is_hard}
    assert hard == {"long", "tempo", "intervals", "hill", "race"}
