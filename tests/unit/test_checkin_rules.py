"""The rules a check-in, an injury episode, a run logged by hand, a routine log and the
profile's load values must meet, without a database."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from rubdown.cli.params import parse_pace, parse_whole
from rubdown.domain.model import (
    CheckIn,
    Condition,
    InjuryEpisode,
    PainQuality,
    Profile,
    RoutineLog,
    WorkoutKind,
)
from rubdown.domain.regions import parse_region
from rubdown.errors import InvalidDate, InvalidValue, NotFound
from rubdown.services.daily import (
    check_checkin,
    check_routine_log,
    check_run,
    episode_to_end,
    open_episode_clash,
    run_start,
)
from rubdown.services.season import check_load_values, format_pace

TODAY = dt.date(2027, 1, 4)
CALF = parse_region("calf")
LEFT_HEEL = parse_region("left-heel")


# -- check-ins --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "checkin",
    [
        pytest.param(CheckIn(TODAY, soreness={CALF: 0}), id="soreness-0"),
        pytest.param(CheckIn(TODAY, soreness={CALF: 10}), id="soreness-10"),
        pytest.param(CheckIn(TODAY, pain={LEFT_HEEL: PainQuality.DULL}), id="pain-only"),
        pytest.param(CheckIn(TODAY, fatigue=1), id="fatigue-only"),
        pytest.param(CheckIn(TODAY, sleep=4), id="sleep-only"),
        pytest.param(CheckIn(TODAY - dt.timedelta(days=30), fatigue=2), id="a-past-day"),
    ],
)
def test_a_check_in_that_says_something_in_range_is_accepted(checkin: CheckIn) -> None:
    check_checkin(checkin, TODAY)


@pytest.mark.parametrize(
    ("checkin", "words"),
    [
        pytest.param(CheckIn(TODAY, soreness={CALF: 11}), ["calf", "0-10", "11"], id="sore-11"),
        pytest.param(CheckIn(TODAY, soreness={CALF: -1}), ["calf", "0-10", "-1"], id="sore-1"),
        pytest.param(CheckIn(TODAY, fatigue=5), ["fatigue", "1-4", "5"], id="fatigue-5"),
        pytest.param(CheckIn(TODAY, fatigue=0), ["fatigue", "1-4", "0"], id="fatigue-0"),
        pytest.param(CheckIn(TODAY, sleep=5), ["sleep", "1-4", "5"], id="sleep-5"),
        pytest.param(CheckIn(TODAY), ["empty"], id="empty"),
        pytest.param(CheckIn(TODAY, note="just a note"), ["empty"], id="only-a-note"),
    ],
)
def test_a_check_in_out_of_range_or_empty_is_refused_naming_the_problem(
    checkin: CheckIn, words: list[str]
) -> None:
    with pytest.raises(InvalidValue) as refused:
        check_checkin(checkin, TODAY)
    for word in words:
        assert word in str(refused.value)


def test_a_check_in_after_the_runners_today_is_refused() -> None:
    tomorrow = TODAY + dt.timedelta(days=1)
    with pytest.raises(InvalidDate, match="2027-01-05 is in the future"):
        check_checkin(CheckIn(tomorrow, soreness={CALF: 3}), TODAY)


# -- runs logged by hand ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("minutes", "rpe", "kind"),
    [(1.0, 0.0, None), (600.0, 10.0, WorkoutKind.LONG), (45.0, 6.5, WorkoutKind.TEMPO)],
)
def test_a_run_inside_the_ranges_is_accepted(
    minutes: float, rpe: float, kind: WorkoutKind | None
) -> None:
    check_run(TODAY, minutes, rpe, kind, TODAY)


@pytest.mark.parametrize(
    ("minutes", "rpe", "kind", "words"),
    [
        pytest.param(0.5, 5.0, None, ["duration", "1-600", "0.5"], id="too-short"),
        pytest.param(601.0, 5.0, None, ["duration", "601"], id="too-long"),
        pytest.param(math.nan, 5.0, None, ["duration"], id="nan-minutes"),
        pytest.param(30.0, -1.0, None, ["RPE", "0-10", "-1"], id="rpe-below-0"),
        pytest.param(30.0, 10.5, None, ["RPE", "10.5"], id="rpe-above-10"),
        pytest.param(30.0, math.inf, None, ["RPE"], id="rpe-infinite"),
        pytest.param(30.0, 3.0, WorkoutKind.REST, ["rest", "easy"], id="kind-rest"),
    ],
)
def test_a_run_out_of_range_is_refused_naming_the_value(
    minutes: float, rpe: float, kind: WorkoutKind | None, words: list[str]
) -> None:
    with pytest.raises(InvalidValue) as refused:
        check_run(TODAY, minutes, rpe, kind, TODAY)
    for word in words:
        assert word in str(refused.value)


def test_a_run_dated_after_today_is_refused() -> None:
    with pytest.raises(InvalidDate, match="future"):
        check_run(TODAY + dt.timedelta(days=1), 30.0, 5.0, None, TODAY)


def test_a_run_starts_at_the_session_time_in_the_runners_zone_once_a_profile_is_saved() -> None:
    profile = Profile(timezone="Pacific/Auckland", session_time=dt.time(6, 30))

    start = run_start(TODAY, profile, saved=True)

    assert start.date() == TODAY
    assert start.time() == dt.time(6, 30)
    assert start.utcoffset() == dt.timedelta(hours=13)  # New Zealand summer time
    assert start.astimezone(dt.UTC).date() == TODAY - dt.timedelta(days=1)


def test_a_run_without_a_saved_profile_starts_at_noon() -> None:
    start = run_start(TODAY, Profile(timezone="Europe/Berlin"), saved=False)

    assert (start.date(), start.time()) == (TODAY, dt.time(12))


# -- injury episodes --------------------------------------------------------------------------

OPEN_HEEL = InjuryEpisode(LEFT_HEEL, Condition.PLANTAR_FASCIITIS, dt.date(2026, 12, 1), id="aa11")
ENDED_KNEE = InjuryEpisode(
    parse_region("right-knee"),
    Condition.RUNNERS_KNEE,
    dt.date(2026, 10, 1),
    dt.date(2026, 11, 1),
    id="bb22",
)
OPEN_CALF = InjuryEpisode(CALF, Condition.TIGHT_CALVES, dt.date(2027, 1, 2), id="cc33")


def _end(
    episodes: list[InjuryEpisode],
    *,
    injury_id: str | None = None,
    region: str | None = None,
    end: dt.date = TODAY,
) -> InjuryEpisode:
    return episode_to_end(
        episodes,
        injury_id=injury_id,
        region=parse_region(region) if region else None,
        end=end,
        today=TODAY,
    )


def test_an_episode_is_found_by_the_start_of_its_id() -> None:
    assert _end([OPEN_HEEL, ENDED_KNEE, OPEN_CALF], injury_id="cc") == OPEN_CALF


def test_an_episode_is_found_by_a_region_that_covers_its_side() -> None:
    assert _end([OPEN_HEEL, ENDED_KNEE, OPEN_CALF], region="heel") == OPEN_HEEL


def test_the_only_open_episode_is_ended_without_naming_it() -> None:
    assert _end([OPEN_HEEL, ENDED_KNEE]) == OPEN_HEEL


def test_ending_an_episode_that_already_ended_is_refused() -> None:
    with pytest.raises(InvalidValue, match="not open: it ended on 2026-11-01"):
        _end([OPEN_HEEL, ENDED_KNEE], injury_id="bb22")


def test_ending_in_a_region_without_an_open_episode_is_not_found() -> None:
    with pytest.raises(NotFound, match="no open injury episode in the knee"):
        _end([OPEN_HEEL, ENDED_KNEE], region="knee")


def test_an_unknown_id_is_not_found() -> None:
    with pytest.raises(NotFound, match="'zz'"):
        _end([OPEN_HEEL], injury_id="zz")


def test_two_open_episodes_need_an_id_or_a_region() -> None:
    with pytest.raises(InvalidValue, match="2 injury episodes are open"):
        _end([OPEN_HEEL, OPEN_CALF])


def test_an_end_before_the_start_is_refused() -> None:
    with pytest.raises(InvalidDate, match="before it started on 2027-01-02"):
        _end([OPEN_CALF], end=dt.date(2027, 1, 1))


def test_an_episode_may_end_on_the_day_it_started() -> None:
    assert _end([OPEN_CALF], end=OPEN_CALF.start) == OPEN_CALF


def test_an_end_after_today_is_refused() -> None:
    with pytest.raises(InvalidDate, match="future"):
        _end([OPEN_CALF], end=TODAY + dt.timedelta(days=1))


def test_an_id_and_a_region_together_are_refused() -> None:
    with pytest.raises(InvalidValue, match="not both"):
        _end([OPEN_CALF], injury_id="cc", region="calf")


def test_a_second_open_episode_of_the_same_condition_and_region_clashes() -> None:
    episodes = [OPEN_HEEL, ENDED_KNEE]
    assert (
        open_episode_clash(episodes, parse_region("heel"), Condition.PLANTAR_FASCIITIS, TODAY)
        == OPEN_HEEL
    )
    right_heel = parse_region("right-heel")
    assert open_episode_clash(episodes, right_heel, Condition.PLANTAR_FASCIITIS, TODAY) is None
    knee = parse_region("right-knee")
    assert open_episode_clash(episodes, knee, Condition.RUNNERS_KNEE, TODAY) is None


# -- routine logs -----------------------------------------------------------------------------


def _routine(**changes: object) -> RoutineLog:
    values: dict[str, object] = {
        "day": TODAY,
        "when": "post-run",
        "started_at": dt.datetime(2027, 1, 4, 8, 0, tzinfo=dt.UTC),
        "steps_done": 5,
        "steps_skipped": 1,
        "seconds": 420.0,
        "completed": True,
    }
    values.update(changes)
    return RoutineLog(**values)  # type: ignore[arg-type]


def test_a_routine_log_in_range_is_accepted() -> None:
    check_routine_log(_routine(), TODAY)


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        pytest.param({"when": "lunch"}, InvalidValue, id="unknown-moment"),
        pytest.param({"steps_done": -1}, InvalidValue, id="negative-steps"),
        pytest.param({"seconds": -5.0}, InvalidValue, id="negative-seconds"),
        pytest.param({"started_at": dt.datetime(2027, 1, 4, 8)}, InvalidValue, id="naive-start"),
        pytest.param({"day": TODAY + dt.timedelta(days=1)}, InvalidDate, id="future-day"),
    ],
)
def test_a_routine_log_out_of_range_is_refused(
    changes: dict[str, object], error: type[Exception]
) -> None:
    with pytest.raises(error):
        check_routine_log(_routine(**changes), TODAY)


# -- the profile's load values ----------------------------------------------------------------


@pytest.mark.parametrize(
    "profile",
    [
        Profile(),
        Profile(max_hr_bpm=120, resting_hr_bpm=30, threshold_hr_bpm=110),
        Profile(max_hr_bpm=230, resting_hr_bpm=100, threshold_hr_bpm=230),  # threshold = max
        Profile(threshold_pace_s_per_km=150),
        Profile(threshold_pace_s_per_km=600, sex="female"),
    ],
)
def test_load_values_inside_the_ranges_are_accepted(profile: Profile) -> None:
    check_load_values(profile)


@pytest.mark.parametrize(
    ("profile", "words"),
    [
        pytest.param(Profile(max_hr_bpm=119), ["max HR", "120-230", "119"], id="max-low"),
        pytest.param(Profile(max_hr_bpm=231), ["max HR", "231"], id="max-high"),
        pytest.param(Profile(resting_hr_bpm=29), ["resting HR", "30-100"], id="rest-low"),
        pytest.param(Profile(resting_hr_bpm=101), ["resting HR", "101"], id="rest-high"),
        pytest.param(
            Profile(resting_hr_bpm=90, threshold_hr_bpm=90),
            ["resting HR (90)", "threshold HR (90)"],
            id="threshold-at-resting",
        ),
        pytest.param(
            Profile(max_hr_bpm=170, threshold_hr_bpm=175),
            ["threshold HR (175)", "max HR (170)"],
            id="threshold-above-max",
        ),
        pytest.param(
            Profile(threshold_pace_s_per_km=149),
            ["2:30-10:00", "2:29"],
            id="pace-fast",
        ),
        pytest.param(
            Profile(threshold_pace_s_per_km=601),
            ["2:30-10:00", "10:01"],
            id="pace-slow",
        ),
        pytest.param(Profile(sex="other"), ["male or female"], id="sex"),
    ],
)
def test_load_values_out_of_range_are_refused_naming_them(
    profile: Profile, words: list[str]
) -> None:
    with pytest.raises(InvalidValue) as refused:
        check_load_values(profile)
    for word in words:
        assert word in str(refused.value)


@pytest.mark.parametrize(
    ("text", "seconds"), [("4:45", 285.0), (" 10:00 ", 600.0), ("3:05/km", 185.0)]
)
def test_a_pace_is_read_as_minutes_and_seconds_per_km(text: str, seconds: float) -> None:
    assert parse_pace(text) == seconds
    assert format_pace(seconds) == text.strip().removesuffix("/km")


@pytest.mark.parametrize("text", ["4.45", "4:5", "4:60", "285", ":45", "four:45"])
def test_a_pace_that_is_not_minutes_and_seconds_is_refused(text: str) -> None:
    with pytest.raises(InvalidValue, match="invalid pace"):
        parse_pace(text)


def test_a_signed_whole_number_reaches_the_range_check() -> None:
    assert parse_whole("-1", "fatigue") == -1
    assert parse_whole("5", "fatigue") == 5
    with pytest.raises(InvalidValue, match="whole number"):
        parse_whole("2.5", "fatigue")
