"""Every cell of the timing table, for every policy and every kind, through the rules engine.

The expected day counts are written out here as the issue states them, not read from the
knowledge base, so a change to ``knowledge/policies.toml`` that breaks the table fails here.
Each test builds a calendar with one race or one hard workout, so a verdict can only come
from the row under test. Days are counted by local date: the session on D, the race on R,
the hard workout on H.
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
from rubdown.domain.policy import Gap
from rubdown.domain.regions import parse_region
from rubdown.domain.rules import SeasonIndex, Verdict, check
from rubdown.knowledge import load_knowledge_base

KB = load_knowledge_base()
R = dt.date(2027, 4, 18)  # a Sunday
POLICIES = list(PolicyName)
C, S, A = PolicyName.CAUTIOUS, PolicyName.STANDARD, PolicyName.ADAPTED

EXPECTED: dict[Gap, dict[PolicyName, int]] = {
    Gap.DEEP_BEFORE_MAJOR_RACE: {C: 7, S: 3, A: 2},
    Gap.DEEP_BEFORE_MINOR_RACE: {C: 3, S: 3, A: 2},
    Gap.SPORTS_BEFORE_MAJOR_RACE: {C: 7, S: 2, A: 1},
    Gap.LIGHT_BEFORE_RACE: {C: 2, S: 2, A: 1},
    Gap.DEEP_BEFORE_HARD: {C: 3, S: 2, A: 1},
    Gap.LIGHT_BEFORE_HARD: {C: 2, S: 1, A: 1},
    Gap.DEEP_AFTER_HARD: {C: 2, S: 1, A: 1},
    Gap.LIGHT_AFTER_HARD: {C: 1, S: 1, A: 1},
    Gap.DEEP_AFTER_LONG_RACE: {C: 7, S: 4, A: 3},
    Gap.AFTER_MAJOR_RACE: {C: 3, S: 2, A: 2},
}
MARATHON_KM = 42.195
TEN_K = 10.0


def on(offset: int) -> dt.date:
    return R + dt.timedelta(days=offset)


def judge(season: Season, policy: PolicyName, day: dt.date, kind: SessionKind) -> Verdict:
    return check(SeasonIndex(season), KB.policy(policy), day, kind)


def race(priority: Priority, km: float | None = MARATHON_KM) -> Season:
    return Season(races=(Race("Harbour Race", R, priority, km, id="r"),))


def hard_workout(kind: WorkoutKind = WorkoutKind.TEMPO) -> Season:
    return Season(workouts=(Workout(R, kind),))


# (gap, season, kinds the row governs, "before" or "after")
CASES = [
    (Gap.DEEP_BEFORE_MAJOR_RACE, race(Priority.A), DEEP_FAMILY, "before"),
    (Gap.DEEP_BEFORE_MAJOR_RACE, race(Priority.B), DEEP_FAMILY, "before"),
    (Gap.DEEP_BEFORE_MINOR_RACE, race(Priority.C), DEEP_FAMILY, "before"),
    (Gap.SPORTS_BEFORE_MAJOR_RACE, race(Priority.A), (SessionKind.SPORTS,), "before"),
    (Gap.SPORTS_BEFORE_MAJOR_RACE, race(Priority.B), (SessionKind.SPORTS,), "before"),
    (Gap.LIGHT_BEFORE_RACE, race(Priority.C), (SessionKind.SPORTS, SessionKind.FLUSH), "before"),
    (Gap.LIGHT_BEFORE_RACE, race(Priority.A), (SessionKind.FLUSH,), "before"),
    (Gap.LIGHT_BEFORE_RACE, race(Priority.B), (SessionKind.FLUSH,), "before"),
    (Gap.DEEP_BEFORE_HARD, hard_workout(), DEEP_FAMILY, "before"),
    (Gap.DEEP_BEFORE_HARD, hard_workout(WorkoutKind.LONG), DEEP_FAMILY, "before"),
    (Gap.LIGHT_BEFORE_HARD, hard_workout(), (SessionKind.SPORTS, SessionKind.FLUSH), "before"),
    (Gap.DEEP_AFTER_HARD, hard_workout(WorkoutKind.INTERVALS), DEEP_FAMILY, "after"),
    (Gap.DEEP_AFTER_HARD, race(Priority.C), DEEP_FAMILY, "after"),
    (Gap.LIGHT_AFTER_HARD, hard_workout(), (SessionKind.SPORTS, SessionKind.FLUSH), "after"),
    (Gap.LIGHT_AFTER_HARD, race(Priority.C), (SessionKind.SPORTS, SessionKind.FLUSH), "after"),
    (Gap.DEEP_AFTER_LONG_RACE, race(Priority.A), DEEP_FAMILY, "after"),
    (Gap.DEEP_AFTER_LONG_RACE, race(Priority.B, 21.1), DEEP_FAMILY, "after"),
    (Gap.DEEP_AFTER_LONG_RACE, race(Priority.A, None), DEEP_FAMILY, "after"),
    (Gap.AFTER_MAJOR_RACE, race(Priority.A, TEN_K), DEEP_FAMILY, "after"),
    (Gap.AFTER_MAJOR_RACE, race(Priority.A), (SessionKind.SPORTS,), "after"),
    (Gap.AFTER_MAJOR_RACE, race(Priority.B, TEN_K), (SessionKind.SPORTS,), "after"),
]
CELLS = [
    pytest.param(gap, season, kind, side, policy, id=f"{gap}-{side}-{kind}-{policy}-{i}")
    for i, (gap, season, kinds, side) in enumerate(CASES)
    for kind in kinds
    for policy in POLICIES
]


@pytest.mark.parametrize(("gap", "season", "kind", "side", "policy"), CELLS)
def test_each_cell_allows_the_session_exactly_from_its_day_count_and_cites_its_rules(
    gap: Gap, season: Season, kind: SessionKind, side: str, policy: PolicyName
) -> None:
    days = EXPECTED[gap][policy]
    sign = -1 if side == "before" else 1
    allowed = judge(season, policy, on(sign * days), kind)
    assert allowed.allowed, [f.reason for f in allowed.findings]
    if days > 1:
        refused = judge(season, policy, on(sign * (days - 1)), kind)
        assert not refused.allowed
        cited = {rule for f in refused.findings if f.forbids for rule in f.rules}
        assert set(KB.policy(policy).rules(gap)) <= cited
        assert policy.value in " ".join(f.reason for f in refused.findings)


def test_the_knowledge_base_table_holds_the_documented_day_counts() -> None:
    for gap, cells in EXPECTED.items():
        for policy, days in cells.items():
            assert KB.policy(policy).days(gap) == days, (gap, policy)


def test_every_cell_names_rules_the_knowledge_base_has() -> None:
    assert KB.table is not None
    for row in KB.table.rows:
        for cell in row.cells.values():
            assert cell.rules
            for rule_id in cell.rules:
                assert rule_id in KB.rules


PROFESSIONAL = [*DEEP_FAMILY, SessionKind.SPORTS, SessionKind.FLUSH]


@pytest.mark.parametrize("policy", POLICIES)
@pytest.mark.parametrize("kind", PROFESSIONAL)
@pytest.mark.parametrize("season", [race(Priority.A), race(Priority.C), hard_workout()])
def test_no_professional_session_on_a_race_day_or_a_hard_workout_day(
    policy: PolicyName, kind: SessionKind, season: Season
) -> None:
    verdict = judge(season, policy, R, kind)
    assert not verdict.allowed
    assert {"T5", "T7"} <= set(verdict.rule_ids)


@pytest.mark.parametrize("policy", POLICIES)
@pytest.mark.parametrize("priority", list(Priority))
def test_pre_event_work_belongs_to_race_day_only(policy: PolicyName, priority: Priority) -> None:
    season = race(priority)
    assert judge(season, policy, R, SessionKind.PRE_EVENT).allowed
    for offset in (-1, 1):
        refused = judge(season, policy, on(offset), SessionKind.PRE_EVENT)
        assert not refused.allowed
        assert "T4" in refused.rule_ids


@pytest.mark.parametrize("policy", POLICIES)
@pytest.mark.parametrize("priority", [Priority.A, Priority.B])
def test_post_event_work_fits_after_the_finish_and_the_week_after_an_a_or_b_race(
    policy: PolicyName, priority: Priority
) -> None:
    season = race(priority)
    for offset in range(0, 8):
        assert judge(season, policy, on(offset), SessionKind.POST_EVENT).allowed, offset
    late = judge(season, policy, on(8), SessionKind.POST_EVENT)
    assert not late.allowed
    assert "T6" in late.rule_ids


@pytest.mark.parametrize("policy", POLICIES)
def test_post_event_work_the_day_after_a_c_race_is_not_offered(policy: PolicyName) -> None:
    assert not judge(race(Priority.C), policy, on(1), SessionKind.POST_EVENT).allowed


@pytest.mark.parametrize("policy", POLICIES)
@pytest.mark.parametrize("priority", [Priority.A, Priority.B])
def test_self_massage_on_a_long_race_day_and_the_day_after_is_light_only(
    policy: PolicyName, priority: Priority
) -> None:
    season = race(priority)
    for offset in (0, 1):
        assert judge(season, policy, on(offset), SessionKind.SELF_LIGHT).allowed
        assert not judge(season, policy, on(offset), SessionKind.SELF_VIGOROUS).allowed
    day_after = judge(season, policy, on(1), SessionKind.SELF_VIGOROUS)
    assert {"T5", "T6"} <= set(day_after.rule_ids)


@pytest.mark.parametrize("policy", POLICIES)
@pytest.mark.parametrize("priority", [Priority.A, Priority.B])
def test_vigorous_self_massage_stays_out_of_the_two_days_before_an_a_or_b_race(
    policy: PolicyName, priority: Priority
) -> None:
    season = race(priority, TEN_K)
    for offset in (0, -1, -2):
        refused = judge(season, policy, on(offset), SessionKind.SELF_VIGOROUS)
        assert not refused.allowed
        assert {"T1", "X2"} <= set(refused.rule_ids)
    assert judge(season, policy, on(-3), SessionKind.SELF_VIGOROUS).allowed


@pytest.mark.parametrize("policy", POLICIES)
def test_vigorous_self_massage_is_not_the_day_before_or_after_another_vigorous_bout(
    policy: PolicyName,
) -> None:
    bout = MassageSession(R, SessionKind.SELF_VIGOROUS)
    season = Season(sessions=(bout,))
    for offset in (-1, 1):
        refused = judge(season, policy, on(offset), SessionKind.SELF_VIGOROUS)
        assert "T8" in refused.rule_ids
        assert not refused.allowed
    assert judge(season, policy, on(2), SessionKind.SELF_VIGOROUS).allowed


@pytest.mark.parametrize("policy", POLICIES)
@pytest.mark.parametrize("deep", DEEP_FAMILY)
def test_vigorous_self_massage_waits_a_day_after_professional_deep_work(
    policy: PolicyName, deep: SessionKind
) -> None:
    season = Season(sessions=(MassageSession(R, deep),))
    for offset in (0, 1):
        refused = judge(season, policy, on(offset), SessionKind.SELF_VIGOROUS)
        assert not refused.allowed
        assert "M1" in refused.rule_ids
    assert judge(season, policy, on(2), SessionKind.SELF_VIGOROUS).allowed


def test_light_self_massage_is_never_refused_by_timing() -> None:
    season = Season(
        races=(Race("Harbour Race", R, Priority.A, MARATHON_KM, id="r"),),
        workouts=(Workout(on(-3), WorkoutKind.INTERVALS),),
        sessions=(MassageSession(on(-1), SessionKind.DEEP_TISSUE),),
    )
    for offset in range(-7, 8):
        for policy in POLICIES:
            assert judge(season, policy, on(offset), SessionKind.SELF_LIGHT).allowed


# The weeks the issue names, under the standard policy.

MONDAY = dt.date(2027, 3, 1)


def week(*hard_weekdays: int, weeks: int = 3) -> Season:
    return Season(
        workouts=tuple(
            Workout(MONDAY + dt.timedelta(days=7 * w + d), WorkoutKind.TEMPO)
            for w in range(weeks)
            for d in hard_weekdays
        )
    )


def allowed_weekdays(season: Season, kind: SessionKind) -> set[str]:
    days = [MONDAY + dt.timedelta(days=7 + d) for d in range(7)]  # the middle week
    return {f"{d:%a}" for d in days if judge(season, S, d, kind).allowed}


def test_a_tue_thu_sun_week_allows_deep_on_friday_and_lighter_work_on_monday_and_wednesday() -> (
    None
):
    season = week(1, 3, 6)
    assert allowed_weekdays(season, SessionKind.DEEP_TISSUE) == {"Fri"}
    for kind in (SessionKind.SPORTS, SessionKind.FLUSH):
        assert {"Mon", "Wed"} <= allowed_weekdays(season, kind)


def test_a_wed_sun_week_allows_deep_on_monday_and_friday() -> None:
    # Thursday fits too: the day after Wednesday's session, three days before Sunday's.
    assert allowed_weekdays(week(2, 6), SessionKind.DEEP_TISSUE) == {"Mon", "Thu", "Fri"}


def test_wednesday_before_a_saturday_race_allows_deep_work_under_the_standard_policy() -> None:
    saturday = dt.date(2027, 3, 13)
    season = Season(races=(Race("Spring 10", saturday, Priority.A, 16.0, id="r"),))
    verdict = judge(season, S, saturday - dt.timedelta(days=3), SessionKind.DEEP_TISSUE)
    assert verdict.allowed
    assert "T2" in verdict.rule_ids


def test_a_session_a_flag_refuses_lists_no_timing_rule_that_passed() -> None:
    flagged = Season(
        races=(Race("Harbour Race", R, Priority.A, MARATHON_KM, id="r"),),
        checkins=(CheckIn(on(-10), pain={parse_region("calf"): PainQuality.SHARP}),),
    )
    verdict = check(SeasonIndex(flagged), KB.policy(S), on(-5), SessionKind.FLUSH)
    assert not verdict.allowed
    assert all(f.forbids or "X1" in f.rules for f in verdict.findings)
    unflagged = Season(races=flagged.races)
    clear = check(SeasonIndex(unflagged), KB.policy(S), on(-5), SessionKind.FLUSH)
    assert clear.allowed
    assert any(not f.forbids for f in clear.findings)  # the passed rules are named when allowed
