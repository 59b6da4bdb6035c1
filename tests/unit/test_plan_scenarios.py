"""Realistic seasons through the planner: the sessions the runner gets, and where.

Each scenario is a training pattern a runner really follows (built with ``tests.support.
seasons``) and asserts what the rules table v2 promises: sessions at the target frequency,
deep work about once a month in the windows the table and the sources name, every session
allowed by ``check`` (the independent checker), and, where no day fits deep work, a grouped
warning that names a concrete move of a hard session. Days: the plans start on Monday
4 January 2027.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace

import pytest
from tests.support.checker import plan_problems
from tests.support.seasons import (
    KB,
    MONDAY,
    Training,
    deep,
    of_kind,
    per_month,
    per_week,
    plan,
    professional,
    race,
    races_every,
    season,
    taper,
    weekday_names,
    weekly,
    weeks_between,
)

from rubdown.domain.model import (
    Family,
    Frequency,
    MassageSession,
    PolicyName,
    Priority,
    Profile,
    Season,
    SessionKind,
    Workout,
    WorkoutKind,
)
from rubdown.domain.plan import Plan, Warning
from rubdown.domain.policy import Gap
from rubdown.domain.rules import SeasonIndex, check, describe_workout

ALL_POLICIES = list(PolicyName)
TWELVE_WEEKS_MONTHS = [(2027, 1), (2027, 2), (2027, 3)]  # 4 Jan - 28 Mar 2027


def runner(
    policy: PolicyName, frequency: Frequency = Frequency.MONTHLY, budget: float = 400
) -> Profile:
    """A runner whose budget leaves the rules, not the money, to decide (unless told)."""
    return Profile(policy=policy, frequency=frequency, budget_per_month=budget)


def checked(
    training: Training | Season,
    profile: Profile,
    start: dt.date = MONDAY,
    end: dt.date | None = None,
) -> Plan:
    """The plan for ``training``, after the independent checker found nothing wrong in it."""
    the_season = training if isinstance(training, Season) else season(training)
    result = plan(the_season, profile, start, end)
    assert plan_problems(result, the_season, profile, KB) == []
    return result


def no_deep_window_warnings(result: Plan) -> list[Warning]:
    return [w for w in result.warnings if w.message.startswith("No day allows deep work")]


def table_days(policy: PolicyName, gap: Gap) -> int:
    return KB.policy(policy).days(gap)


# -- a Wed/Sun week ---------------------------------------------------------------------------

WED_SUN = weekly(MONDAY, 12, "wed:tempo sun:long")


@pytest.mark.parametrize("policy", ALL_POLICIES)
def test_a_wed_sun_week_gets_one_professional_session_every_month(policy: PolicyName) -> None:
    result = checked(WED_SUN, runner(policy))
    assert per_month(professional(result)) == dict.fromkeys(TWELVE_WEEKS_MONTHS, 1)


def test_a_wed_sun_week_under_standard_gets_deep_work_on_mondays_or_fridays() -> None:
    result = checked(WED_SUN, runner(PolicyName.STANDARD))
    assert per_month(deep(result)) == dict.fromkeys(TWELVE_WEEKS_MONTHS, 1)
    assert weekday_names(deep(result)) <= {"mon", "fri"}
    assert no_deep_window_warnings(result) == []


def test_a_wed_sun_week_under_adapted_gets_deep_work_on_any_easy_day() -> None:
    result = checked(WED_SUN, runner(PolicyName.ADAPTED))
    assert per_month(deep(result)) == dict.fromkeys(TWELVE_WEEKS_MONTHS, 1)
    assert not weekday_names(deep(result)) & {"wed", "sun"}


def test_a_wed_sun_week_under_cautious_books_sports_massage_and_names_the_move_to_make() -> None:
    # Cautious wants two easy days after a hard one and three before the next: Wednesday and
    # Sunday leave at most two between them, so no day fits; moving Wednesday's tempo to
    # Tuesday leaves Thursday two days after it and three before Sunday.
    result = checked(WED_SUN, runner(PolicyName.CAUTIOUS))
    assert deep(result) == []
    assert {s.kind for s in professional(result)} == {SessionKind.SPORTS}
    assert weekday_names(professional(result)) <= {"mon", "fri"}
    [warning] = no_deep_window_warnings(result)
    assert "January 2027, February 2027 and March 2027" in warning.message
    assert "moving your tempo workout on Wed 6 Jan to Tue 5 Jan opens Thu 7 Jan" in warning.message
    assert "F3" in warning.rules


MOVE = re.compile(
    r"moving your (?P<what>[a-z ]+?) on (?P<from>\w{3} \d+ \w{3}) to (?P<to>\w{3} \d+ \w{3}) "
    r"opens (?P<opens>\w{3} \d+ \w{3}) \((?P<month>\w+ \d{4})\)"
)


def on_day(text: str) -> dt.date:
    return dt.datetime.strptime(f"{text} 2027", "%a %d %b %Y").date()


@pytest.mark.parametrize(
    ("training", "policy"),
    [
        (WED_SUN, PolicyName.CAUTIOUS),
        (weekly(MONDAY, 12, "wed:tempo sat:long sun:long"), PolicyName.CAUTIOUS),
        (weekly(MONDAY, 12, "tue:tempo thu:intervals sat:hill sun:long"), PolicyName.STANDARD),
    ],
    ids=["wed-sun-cautious", "ultra-cautious", "four-hard-standard"],
)
def test_every_move_a_warning_names_really_opens_its_day_for_deep_work(
    training: Training, policy: PolicyName
) -> None:
    the_season = season(training)
    result = checked(the_season, runner(policy))
    [warning] = no_deep_window_warnings(result)
    moves = list(MOVE.finditer(warning.message))
    assert moves
    for move in moves:
        old, new, opens = on_day(move["from"]), on_day(move["to"]), on_day(move["opens"])
        assert f"{opens:%B %Y}" == move["month"]
        [hard] = [w for w in the_season.workouts if w.day == old]
        assert move["what"] == describe_workout(hard).removeprefix("your ")
        moved = replace(
            the_season,
            workouts=tuple(replace(w, day=new) if w is hard else w for w in the_season.workouts),
        )
        index = SeasonIndex(moved)
        rules = KB.policy(policy)
        assert not check(SeasonIndex(the_season), rules, opens, SessionKind.DEEP_TISSUE).allowed
        assert check(index, rules, opens, SessionKind.DEEP_TISSUE).allowed


# -- a Tue/Thu/Sun week -----------------------------------------------------------------------

TUE_THU_SUN = weekly(MONDAY, 12, "tue:tempo thu:intervals sun:long")


def test_a_tue_thu_sun_week_under_standard_gets_deep_work_on_a_friday_each_month() -> None:
    # The old table left this runner without a single session; table v2 opens Friday.
    result = checked(TUE_THU_SUN, runner(PolicyName.STANDARD))
    assert per_month(deep(result)) == dict.fromkeys(TWELVE_WEEKS_MONTHS, 1)
    assert weekday_names(deep(result)) == {"fri"}
    assert no_deep_window_warnings(result) == []


def test_a_tue_thu_sun_week_weekly_gets_a_session_every_week_and_deep_work_monthly() -> None:
    result = checked(TUE_THU_SUN, runner(PolicyName.STANDARD, Frequency.WEEKLY))
    weeks = weeks_between(result.start, result.end)
    assert per_week(professional(result)) == dict.fromkeys(weeks, 1)
    assert per_month(deep(result)) == dict.fromkeys(TWELVE_WEEKS_MONTHS, 1)
    assert weekday_names(deep(result)) == {"fri"}
    # Between the deep sessions: sports massage on a day the table allows it (not a hard day).
    lighter = [s for s in professional(result) if s.kind.family is not Family.DEEP]
    assert {s.kind for s in lighter} == {SessionKind.SPORTS}
    assert not weekday_names(lighter) & {"tue", "thu", "sun"}


@pytest.mark.parametrize("policy", [PolicyName.STANDARD, PolicyName.ADAPTED])
def test_a_tue_thu_sun_week_biweekly_gets_a_session_every_fortnight_and_deep_work_monthly(
    policy: PolicyName,
) -> None:
    result = checked(TUE_THU_SUN, runner(policy, Frequency.BIWEEKLY))
    fortnights = [s.key for s in professional(result)]
    # The fortnights from Mon 28 Dec to Sun 4 Apr, each with its one session.
    assert fortnights == [
        f"pro:F{(dt.date(2026, 12, 28) + dt.timedelta(weeks=2 * i)).isoformat()}" for i in range(7)
    ]
    assert per_month(deep(result)) == dict.fromkeys(TWELVE_WEEKS_MONTHS, 1)
    assert not weekday_names(professional(result)) & {"tue", "thu", "sun"}


@pytest.mark.parametrize("frequency", [Frequency.MONTHLY, Frequency.WEEKLY])
def test_a_tue_thu_sun_week_under_adapted_gets_deep_work_monthly(frequency: Frequency) -> None:
    result = checked(TUE_THU_SUN, runner(PolicyName.ADAPTED, frequency))
    assert per_month(deep(result)) == dict.fromkeys(TWELVE_WEEKS_MONTHS, 1)
    assert not weekday_names(deep(result)) & {"tue", "thu", "sun"}


@pytest.mark.parametrize("frequency", [Frequency.MONTHLY, Frequency.WEEKLY])
def test_a_tue_thu_sun_week_under_cautious_gets_sports_massage_on_fridays_and_one_warning(
    frequency: Frequency,
) -> None:
    result = checked(TUE_THU_SUN, runner(PolicyName.CAUTIOUS, frequency))
    assert deep(result) == []
    assert {s.kind for s in professional(result)} == {SessionKind.SPORTS}
    assert weekday_names(professional(result)) == {"fri"}
    if frequency is Frequency.WEEKLY:
        weeks = weeks_between(result.start, result.end)
        assert per_week(professional(result)) == dict.fromkeys(weeks, 1)
    [warning] = no_deep_window_warnings(result)
    assert "January 2027, February 2027 and March 2027 under the cautious policy" in (
        warning.message
    )


def test_three_hard_days_a_week_bring_the_note_that_weekly_sessions_would_suit() -> None:
    result = checked(TUE_THU_SUN, runner(PolicyName.STANDARD))
    [note] = [n for n in result.notes if "F1" in n.rules]
    assert "3.0 days a week" in note.message
    assert "Weekly would cost about 215 a month" in note.message


# -- four hard days a week --------------------------------------------------------------------

FOUR_HARD = weekly(MONDAY, 12, "tue:tempo thu:intervals sat:hill sun:long")


def test_four_hard_days_under_standard_book_sports_massage_on_mondays_and_name_a_move() -> None:
    result = checked(FOUR_HARD, runner(PolicyName.STANDARD))
    assert deep(result) == []
    assert per_month(professional(result)) == dict.fromkeys(TWELVE_WEEKS_MONTHS, 1)
    assert {s.kind for s in professional(result)} == {SessionKind.SPORTS}
    assert weekday_names(professional(result)) == {"mon"}
    [warning] = no_deep_window_warnings(result)
    assert "To open a deep window: moving your " in warning.message
    assert " opens " in warning.message


def test_four_hard_days_under_adapted_still_get_deep_work_every_month() -> None:
    result = checked(FOUR_HARD, runner(PolicyName.ADAPTED))
    assert per_month(deep(result)) == dict.fromkeys(TWELVE_WEEKS_MONTHS, 1)
    assert weekday_names(deep(result)) <= {"mon", "wed", "fri"}


def test_four_hard_days_under_cautious_leave_no_day_and_say_so_once_for_every_week() -> None:
    result = checked(FOUR_HARD, runner(PolicyName.CAUTIOUS, Frequency.WEEKLY))
    assert result.professional == ()
    missed = [w for w in result.warnings if w.message.startswith("No weekly session in")]
    assert len(missed) == 1
    assert "no day there allows even a flush" in missed[0].message
    assert missed[0].message.count(" – ") == len(weeks_between(result.start, result.end))


def test_four_hard_days_a_week_bring_the_weekly_note_with_its_load() -> None:
    result = checked(FOUR_HARD, runner(PolicyName.STANDARD))
    assert any("4.0 days a week" in n.message for n in result.notes)


# -- one hard day a week ----------------------------------------------------------------------

ONE_HARD = weekly(MONDAY, 12, "sun:long")


@pytest.mark.parametrize("policy", ALL_POLICIES)
def test_one_hard_day_a_week_gets_deep_work_every_month_in_a_recovery_week(
    policy: PolicyName,
) -> None:
    result = checked(ONE_HARD, runner(policy))
    assert per_month(deep(result)) == dict.fromkeys(TWELVE_WEEKS_MONTHS, 1)
    assert all("in a recovery week" in s.reason for s in deep(result))
    assert not any("F1" in n.rules for n in result.notes)  # light training: no weekly nudge


@pytest.mark.parametrize("policy", ALL_POLICIES)
def test_one_hard_day_a_week_weekly_gets_a_session_every_week_and_one_deep_a_month(
    policy: PolicyName,
) -> None:
    result = checked(ONE_HARD, runner(policy, Frequency.WEEKLY))
    weeks = weeks_between(result.start, result.end)
    assert per_week(professional(result)) == dict.fromkeys(weeks, 1)
    assert per_month(deep(result)) == dict.fromkeys(TWELVE_WEEKS_MONTHS, 1)
    gaps = [(b.day - a.day).days for a, b in zip(deep(result), deep(result)[1:], strict=False)]
    assert min(gaps) >= 14


# -- a 10K runner racing every three weeks ----------------------------------------------------

TEN_K_RACES = races_every(
    dt.date(2027, 1, 16),  # a Saturday
    3,
    [Priority.C, Priority.B, Priority.C, Priority.B, Priority.C],
    10,
)
TEN_K = season(
    taper(weekly(MONDAY, 14, "tue:intervals thu:tempo sun:long"), TEN_K_RACES), TEN_K_RACES
)
B_RACES = [r for r in TEN_K_RACES if r.priority is Priority.B]


@pytest.mark.parametrize("policy", ALL_POLICIES)
def test_a_10k_racer_gets_post_event_work_after_b_races_only(policy: PolicyName) -> None:
    result = checked(TEN_K, runner(policy))
    post = of_kind(result, SessionKind.POST_EVENT)
    assert len(post) == len(B_RACES)
    for race_, session in zip(B_RACES, post, strict=True):
        assert 1 <= (session.day - race_.day).days <= 7
    assert {s.day for s in of_kind(result, SessionKind.PRE_EVENT)} == {r.day for r in B_RACES}


@pytest.mark.parametrize("policy", [PolicyName.STANDARD, PolicyName.ADAPTED])
@pytest.mark.parametrize("frequency", [Frequency.MONTHLY, Frequency.WEEKLY])
def test_a_10k_racer_gets_deep_work_every_month_never_too_close_to_a_race(
    policy: PolicyName, frequency: Frequency
) -> None:
    result = checked(TEN_K, runner(policy, frequency))
    months = sorted({(s.day.year, s.day.month) for s in deep(result)})
    assert months == [(2027, 1), (2027, 2), (2027, 3), (2027, 4)]
    for session in deep(result):
        for race_ in TEN_K_RACES:
            gap = (
                Gap.DEEP_BEFORE_MAJOR_RACE
                if race_.priority is Priority.B
                else (Gap.DEEP_BEFORE_MINOR_RACE)
            )
            ahead = (race_.day - session.day).days
            assert not 0 <= ahead < table_days(policy, gap)


def test_a_10k_racer_under_standard_gets_deep_work_on_the_wednesday_before_a_b_race() -> None:
    # T2: deep work 48-72 hours out, on the Tuesday or Wednesday before a weekend race.
    result = checked(TEN_K, runner(PolicyName.STANDARD))
    race_weeks = [s for s in deep(result) if any(0 < (r.day - s.day).days < 7 for r in B_RACES)]
    assert race_weeks
    assert weekday_names(race_weeks) <= {"tue", "wed"}
    assert all("the Tuesday or Wednesday before Race" in s.reason for s in race_weeks)


def test_a_10k_racer_weekly_under_standard_gets_a_session_every_week() -> None:
    result = checked(TEN_K, runner(PolicyName.STANDARD, Frequency.WEEKLY))
    weeks = weeks_between(result.start, result.end)
    assert per_week(professional(result)) == dict.fromkeys(weeks, 1)


def test_a_10k_racer_under_cautious_gets_only_a_flush_in_a_b_race_week() -> None:
    # Cautious keeps deep and sports massage a full week from an A or B race (T3).
    result = checked(TEN_K, runner(PolicyName.CAUTIOUS, Frequency.WEEKLY))
    for race_ in B_RACES:
        week_before = [s for s in professional(result) if 0 < (race_.day - s.day).days < 7]
        assert week_before
        assert {s.kind for s in week_before} == {SessionKind.FLUSH}


# -- an ultra runner with back-to-back long runs ----------------------------------------------

ULTRA = weekly(MONDAY, 12, "wed:tempo sat:long sun:long")


@pytest.mark.parametrize("policy", ALL_POLICIES)
@pytest.mark.parametrize("frequency", [Frequency.MONTHLY, Frequency.WEEKLY])
def test_back_to_back_long_runs_keep_every_professional_session_off_the_weekend(
    policy: PolicyName, frequency: Frequency
) -> None:
    result = checked(ULTRA, runner(policy, frequency))
    assert not weekday_names(professional(result)) & {"wed", "sat", "sun"}
    if frequency is Frequency.WEEKLY:
        weeks = weeks_between(result.start, result.end)
        assert per_week(professional(result)) == dict.fromkeys(weeks, 1)
    else:
        assert per_month(professional(result)) == dict.fromkeys(TWELVE_WEEKS_MONTHS, 1)


def test_back_to_back_long_runs_under_standard_get_deep_work_on_monday_or_thursday() -> None:
    result = checked(ULTRA, runner(PolicyName.STANDARD))
    assert per_month(deep(result)) == dict.fromkeys(TWELVE_WEEKS_MONTHS, 1)
    assert weekday_names(deep(result)) <= {"mon", "thu"}


def test_back_to_back_long_runs_under_cautious_name_a_move_for_every_month() -> None:
    result = checked(ULTRA, runner(PolicyName.CAUTIOUS))
    assert deep(result) == []
    [warning] = no_deep_window_warnings(result)
    for month in ("(January 2027)", "(February 2027)", "(March 2027)"):
        assert month in warning.message
    assert warning.message.count("moving your tempo workout on Wed") == 3


# -- an 18-week marathon build with a recovery week every fourth week ------------------------

MARATHON = race("City Marathon", dt.date(2027, 5, 9))  # Sunday of week 18
BUILD = taper(weekly(MONDAY, 18, "tue:tempo thu:intervals sun:long", recovery_every=4), [MARATHON])


def test_the_marathon_build_marks_every_fourth_week_as_recovery() -> None:
    assert sorted(BUILD.recovery_weeks) == [
        dt.date(2027, 1, 25),
        dt.date(2027, 2, 22),
        dt.date(2027, 3, 22),
        dt.date(2027, 4, 19),
    ]


@pytest.mark.parametrize("policy", ALL_POLICIES)
def test_a_marathon_build_puts_deep_work_in_the_recovery_weeks(policy: PolicyName) -> None:
    result = checked(season(BUILD, [MARATHON]), runner(policy))
    in_recovery = [
        s
        for s in deep(result)
        if s.day - dt.timedelta(days=s.day.weekday()) in BUILD.recovery_weeks
    ]
    # One deep session a month, January to April, each in that month's recovery week.
    assert [(s.day.year, s.day.month) for s in in_recovery] == [
        (2027, 1),
        (2027, 2),
        (2027, 3),
        (2027, 4),
    ]
    assert all("in a recovery week" in s.reason for s in in_recovery)


@pytest.mark.parametrize("policy", ALL_POLICIES)
def test_a_marathon_build_keeps_deep_work_out_of_the_policy_window_before_race_day(
    policy: PolicyName,
) -> None:
    result = checked(season(BUILD, [MARATHON]), runner(policy))
    last_deep = max(s.day for s in deep(result))
    assert (MARATHON.day - last_deep).days >= table_days(policy, Gap.DEEP_BEFORE_MAJOR_RACE)
    assert [s.day for s in of_kind(result, SessionKind.POST_EVENT)] == [
        MARATHON.day + dt.timedelta(days=1)
    ]


@pytest.mark.parametrize("policy", ALL_POLICIES)
def test_after_a_marathon_deep_work_waits_the_tables_days(policy: PolicyName) -> None:
    # The plan starts the day after the race; nothing else stands in the way of deep work.
    wait = table_days(policy, Gap.DEEP_AFTER_LONG_RACE)  # 7, 4, 3
    the_season = season(Training(()), [MARATHON])
    first_day = MARATHON.day + dt.timedelta(days=1)
    too_soon = checked(
        the_season, runner(policy), start=first_day, end=MARATHON.day + dt.timedelta(days=wait - 1)
    )
    assert deep(too_soon) == []
    in_time = checked(
        the_season, runner(policy), start=first_day, end=MARATHON.day + dt.timedelta(days=wait)
    )
    assert [s.day for s in deep(in_time)] == [MARATHON.day + dt.timedelta(days=wait)]


# -- booked sessions --------------------------------------------------------------------------

BOOKED_DEEP = MassageSession(dt.date(2027, 2, 5), SessionKind.DEEP_TISSUE, price=80, id="b1")


@pytest.mark.parametrize("policy", ALL_POLICIES)
def test_a_booked_session_is_kept_and_counted_so_its_month_gets_no_other(
    policy: PolicyName,
) -> None:
    the_season = season(TUE_THU_SUN, sessions=[BOOKED_DEEP])
    result = checked(the_season, runner(policy))
    assert (2027, 2) not in per_month(professional(result))
    assert set(per_month(professional(result))) == {(2027, 1), (2027, 3)}
    [note] = [n for n in result.notes if n.message.startswith("Booked already, and kept")]
    assert "deep tissue on Fri 5 Feb" in note.message


def test_a_booked_session_fills_its_week_under_a_weekly_target() -> None:
    booked = MassageSession(dt.date(2027, 1, 20), SessionKind.SPORTS, price=70, id="b2")
    the_season = season(TUE_THU_SUN, sessions=[booked])
    result = checked(the_season, runner(PolicyName.STANDARD, Frequency.WEEKLY))
    counts = per_week(professional(result))
    assert (2027, 3) not in counts  # the ISO week of Wed 20 Jan
    assert len(counts) == len(weeks_between(result.start, result.end)) - 1


def test_a_booked_session_counts_against_its_months_budget() -> None:
    # A budget of 100 with 80 already booked in February leaves 20: nothing else fits there.
    booked_cheap_month = season(ONE_HARD, sessions=[BOOKED_DEEP])
    result = checked(booked_cheap_month, runner(PolicyName.STANDARD, Frequency.WEEKLY, 100))
    assert not any(s.day.month == 2 for s in result.professional)


def test_a_hard_workout_added_the_day_after_booked_deep_work_is_warned_about() -> None:
    the_season = season(TUE_THU_SUN, sessions=[BOOKED_DEEP])
    intervals = Workout(dt.date(2027, 2, 6), WorkoutKind.INTERVALS)
    the_season = replace(the_season, workouts=(*the_season.workouts, intervals))
    result = plan(the_season, runner(PolicyName.STANDARD))
    after = [w for w in result.warnings if w.message.startswith("Your intervals workout on Sat")]
    assert len(after) == 1
    assert "1 day after your deep tissue on Fri 5 Feb" in after[0].message
    assert "standard policy keeps 2 days" in after[0].message
    assert after[0].rules == KB.policy(PolicyName.STANDARD).rules(Gap.DEEP_BEFORE_HARD)
    kept = [w for w in result.warnings if w.message.startswith("Your booked deep tissue")]
    assert len(kept) == 1
    assert "advise against it" in kept[0].message


# -- prices per kind and the budget -----------------------------------------------------------

HALF = race("Winter Half", dt.date(2027, 2, 28), Priority.A, 21.1)
HALF_SEASON = season(taper(TUE_THU_SUN, [HALF]), [HALF])


def test_every_session_costs_the_runners_price_for_its_kind() -> None:
    profile = Profile(
        frequency=Frequency.WEEKLY,
        budget_per_month=400,
        session_price=90,
        sports_price=55,
        flush_price=30,
        post_event_price=25,
    )
    result = checked(HALF_SEASON, profile)
    prices = {s.kind: s.price for s in result.professional}
    assert prices == {
        SessionKind.DEEP_TISSUE: 90,
        SessionKind.SPORTS: 55,
        SessionKind.POST_EVENT: 25,
        SessionKind.PRE_EVENT: 0,
    }


def test_a_flush_costs_the_flush_price() -> None:
    profile = replace(runner(PolicyName.CAUTIOUS, Frequency.WEEKLY), flush_price=33)
    result = checked(TEN_K, profile)
    flushes = of_kind(result, SessionKind.FLUSH)
    assert flushes
    assert {s.price for s in flushes} == {33}


def test_a_budget_for_both_keeps_the_months_deep_session_beside_the_post_race_flush() -> None:
    result = checked(HALF_SEASON, runner(PolicyName.STANDARD, budget=125))
    assert per_month(deep(result))[(2027, 3)] == 1
    assert [s.day for s in of_kind(result, SessionKind.POST_EVENT)] == [dt.date(2027, 3, 1)]


@pytest.mark.parametrize(
    ("budget", "sports_price"), [(90, 70), (100, 70), (100, 120), (110, 120), (124, 70)]
)
def test_a_post_race_flush_never_crowds_out_the_months_deep_session_silently(
    budget: float, sports_price: float
) -> None:
    # A budget below deep work (80) plus the post-event flush (45) holds one of them in
    # March (the half is on Sun 28 Feb): whichever the plan leaves out, a warning names it.
    profile = replace(runner(PolicyName.STANDARD, budget=budget), sports_price=sports_price)
    result = checked(HALF_SEASON, profile)
    has_deep = (2027, 3) in per_month(deep(result))
    has_post = bool(of_kind(result, SessionKind.POST_EVENT))
    assert not (has_deep and has_post)
    messages = [w.message for w in result.warnings]
    if not has_deep:
        [crowded] = [m for m in messages if m.startswith("No deep session in March 2027")]
        assert "post-event flush after Winter Half" in crowded
        assert has_post
    if not has_post:
        [left_out] = [m for m in messages if m.startswith("No post-event session after Winter")]
        assert "went to the month's deep session" in left_out


def test_a_post_race_flush_that_took_the_deep_sessions_budget_says_so() -> None:
    # Sports massage over the budget leaves a flush the only session beside the post-event
    # one; the plan books both in March and says deep work did not fit.
    profile = replace(runner(PolicyName.STANDARD, budget=100), sports_price=120)
    result = checked(HALF_SEASON, profile)
    if (2027, 3) in per_month(deep(result)):
        assert any(w.message.startswith("No post-event session") for w in result.warnings)
        return
    [warning] = [w for w in result.warnings if w.message.startswith("No deep session in")]
    assert "March 2027" in warning.message
    assert "does not cover deep work (80) beside the post-event flush" in warning.message
    assert {"F4", "F3"} <= set(warning.rules)


def test_deep_work_that_takes_the_budget_from_the_post_race_flush_says_so() -> None:
    result = checked(HALF_SEASON, runner(PolicyName.STANDARD, budget=80))
    assert of_kind(result, SessionKind.POST_EVENT) == []
    assert per_month(deep(result)) == dict.fromkeys(TWELVE_WEEKS_MONTHS, 1)
    [warning] = [w for w in result.warnings if w.message.startswith("No post-event session")]
    assert "went to the month's deep session" in warning.message


def test_a_budget_below_deep_work_books_lighter_sessions_and_says_why() -> None:
    result = checked(TUE_THU_SUN, runner(PolicyName.STANDARD, budget=50))
    assert deep(result) == []
    assert per_month(professional(result)) == dict.fromkeys(TWELVE_WEEKS_MONTHS, 1)
    assert {s.kind for s in professional(result)} == {SessionKind.FLUSH}
    assert any("over the monthly budget of 50" in w.message for w in result.warnings)


def test_a_lighter_session_never_claims_deep_work_has_a_day_the_budget_cannot_pay() -> None:
    result = checked(ONE_HARD, runner(PolicyName.STANDARD, budget=50))
    assert professional(result)
    for session in professional(result):
        assert "the month's deep work has its own day" not in session.reason
        assert "not deep work: it costs 80, over the budget" in session.reason


def test_no_month_spends_more_than_the_budget_across_all_kinds() -> None:
    profile = runner(PolicyName.ADAPTED, Frequency.WEEKLY, budget=200)
    result = checked(HALF_SEASON, profile)
    spent = per_month_spend(result)
    assert len(spent) == 3
    assert max(spent.values()) <= 200


def per_month_spend(result: Plan) -> dict[tuple[int, int], float]:
    spent: dict[tuple[int, int], float] = {}
    for session in result.sessions:
        key = (session.day.year, session.day.month)
        spent[key] = spent.get(key, 0.0) + session.price
    return spent


# -- warnings that repeat are grouped ---------------------------------------------------------


@pytest.mark.parametrize(
    "training", [WED_SUN, TUE_THU_SUN, ULTRA], ids=["wed-sun", "tue-thu-sun", "ultra"]
)
def test_months_without_a_deep_window_are_named_in_one_warning(training: Training) -> None:
    result = checked(training, runner(PolicyName.CAUTIOUS, Frequency.WEEKLY))
    [warning] = no_deep_window_warnings(result)
    assert "January 2027, February 2027 and March 2027" in warning.message
    assert len(result.warnings) == len({w.message for w in result.warnings})


def test_a_race_day_gets_no_professional_work_but_pre_event_massage() -> None:
    for the_season in (TEN_K, HALF_SEASON):
        result = checked(the_season, runner(PolicyName.ADAPTED, Frequency.WEEKLY))
        race_days = {r.day for r in the_season.races}
        on_race_days = [s for s in result.professional if s.day in race_days]
        assert on_race_days
        assert {s.kind for s in on_race_days} == {SessionKind.PRE_EVENT}
