"""The training-load model: per-activity load, the CTL/ATL/TSB series and hard-day labels.

Expected numbers are worked out here from the formulas (or copied from the worked example in
``/work/shared/research/anchors-science.md`` §4), never by calling the code under test.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import json
import math
from collections.abc import Callable, Mapping, Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rubdown.domain.activity import Activity, Sport, Streams
from rubdown.domain.fitness import (
    DayLoad,
    Decay,
    FormConvention,
    classify_day,
    daily_loads,
    decay_constant,
    fitness_series,
)
from rubdown.domain.load import (
    ActivityLoad,
    LoadBasis,
    LoadParams,
    Sex,
    activity_load,
    estimate_params,
    load_basis,
    load_from_basis,
)
from rubdown.domain.model import WorkoutKind
from rubdown.errors import InvalidValue

START = dt.datetime(2027, 3, 1, 7, 0, tzinfo=dt.UTC)
DAY1 = dt.date(2027, 3, 1)

# The research note's single-session example: rest 50, max 190, LTHR 170.
PARAMS = LoadParams(
    max_hr_bpm=190.0,
    resting_hr_bpm=50.0,
    threshold_hr_bpm=170.0,
    threshold_pace_s_per_km=270.0,
    sex="male",
)
FEMALE = LoadParams(190.0, 50.0, 170.0, 270.0, sex="female")


def run(
    duration_s: float = 3600.0,
    *,
    sport: Sport = Sport.RUNNING,
    streams: Mapping[str, Sequence[float | None]] | None = None,
    **fields: object,
) -> Activity:
    built = Streams.from_lists(streams) if streams is not None else None
    return Activity(sport, START, duration_s, streams=built, **fields)  # type: ignore[arg-type]


def banister_male(hr: float) -> float:
    """TRIMP per minute, written out: x * 0.64 * e^(1.92 x), x = HR reserve fraction."""
    x = (hr - 50.0) / (190.0 - 50.0)
    return x * 0.64 * math.exp(1.92 * x)


HOUR_AT_THRESHOLD_MALE = 60 * banister_male(170.0)


# --- CTL / ATL / TSB -------------------------------------------------------------------------

LOADS = [50, 80, 0, 60, 40, 0, 120, 45, 90, 0, 70, 30, 0, 150]
EXAMPLE_DAYS = len(LOADS)

# Research note §4.2 (seeds 0) and §4.3 (seeds 40), every table, copied cell by cell. Columns:
# CTL, ATL, TSB same-day, TSB yesterday, ramp over 7 days; one line per day, day 1 first.
WORKED_TABLES: dict[tuple[Decay, int], str] = {
    (Decay.EXP, 0): """
           1.18    6.66   -5.48    0.00    1.18
           3.03   16.42  -13.39   -5.48    3.03
           2.96   14.23  -11.27  -13.39    2.96
           4.30   20.33  -16.02  -11.27    4.30
           5.14   22.95  -17.80  -16.02    5.14
           5.02   19.89  -14.87  -17.80    5.02
           7.73   33.22  -25.49  -14.87    7.73
           8.60   34.79  -26.18  -25.49    7.43
          10.52   42.14  -31.62  -26.18    7.49
          10.27   36.53  -26.26  -31.62    7.31
          11.68   40.98  -29.31  -26.26    7.37
          12.11   39.52  -27.41  -29.31    6.97
          11.82   34.26  -22.44  -27.41    6.80
          15.07   49.67  -34.59  -22.44    7.35""",
    (Decay.RECIPROCAL, 0): """
           1.19    7.14   -5.95    0.00    1.19
           3.07   17.55  -14.48   -5.95    3.07
           2.99   15.04  -12.05  -14.48    2.99
           4.35   21.47  -17.11  -12.05    4.35
           5.20   24.11  -18.91  -17.11    5.20
           5.08   20.67  -15.59  -18.91    5.08
           7.81   34.86  -27.05  -15.59    7.81
           8.70   36.31  -27.61  -27.05    7.51
          10.63   43.98  -33.34  -27.61    7.57
          10.38   37.70  -27.32  -33.34    7.39
          11.80   42.31  -30.51  -27.32    7.45
          12.23   40.55  -28.32  -30.51    7.03
          11.94   34.76  -22.82  -28.32    6.87
          15.23   51.22  -35.99  -22.82    7.42""",
    (Decay.EWMA, 0): """
           2.33   12.50  -10.17    0.00    2.33
           5.94   29.38  -23.44  -10.17    5.94
           5.66   22.03  -16.37  -23.44    5.66
           8.19   31.52  -23.33  -16.37    8.19
           9.67   33.64  -23.97  -23.33    9.67
           9.22   25.23  -16.01  -23.97    9.22
          14.37   48.92  -34.55  -16.01   14.37
          15.80   47.94  -32.15  -34.55   13.47
          19.25   58.46  -39.21  -32.15   13.31
          18.35   43.84  -25.49  -39.21   12.69
          20.75   50.38  -29.63  -25.49   12.57
          21.18   45.29  -24.10  -29.63   11.52
          20.20   33.96  -13.77  -24.10   10.98
          26.24   62.97  -36.74  -13.77   11.86""",
    (Decay.EXP, 40): """
          40.24   41.33   -1.10    0.00    0.24
          41.17   46.48   -5.31   -1.10    1.17
          40.20   40.29   -0.09   -5.31    0.20
          40.67   42.92   -2.25   -0.09    0.67
          40.65   42.53   -1.87   -2.25    0.65
          39.70   36.87    2.83   -1.87   -0.30
          41.59   47.93   -6.35    2.83    1.59
          41.67   47.54   -5.88   -6.35    1.43
          42.80   53.19  -10.39   -5.88    1.63
          41.80   46.11   -4.32  -10.39    1.59
          42.46   49.29   -6.83   -4.32    1.79
          42.17   46.72   -4.56   -6.83    1.51
          41.17   40.50    0.67   -4.56    1.48
          43.73   55.08  -11.35    0.67    2.15""",
    (Decay.RECIPROCAL, 40): """
          40.24   41.43   -1.19    0.00    0.24
          41.18   46.94   -5.75   -1.19    1.18
          40.20   40.23   -0.03   -5.75    0.20
          40.68   43.06   -2.38   -0.03    0.68
          40.66   42.62   -1.96   -2.38    0.66
          39.69   36.53    3.16   -1.96   -0.31
          41.60   48.46   -6.85    3.16    1.60
          41.68   47.96   -6.28   -6.85    1.45
          42.83   53.97  -11.13   -6.28    1.65
          41.81   46.26   -4.44  -11.13    1.61
          42.49   49.65   -7.16   -4.44    1.81
          42.19   46.84   -4.65   -7.16    1.53
          41.18   40.15    1.03   -4.65    1.49
          43.78   55.84  -12.07    1.03    2.17""",
    (Decay.EWMA, 40): """
          40.47   42.50   -2.03    0.00    0.47
          42.30   51.88   -9.57   -2.03    2.30
          40.34   38.91    1.43   -9.57    0.34
          41.25   44.18   -2.93    1.43    1.25
          41.19   43.13   -1.94   -2.93    1.19
          39.28   32.35    6.93   -1.94   -0.72
          43.03   54.26  -11.23    6.93    3.03
          43.12   51.95   -8.82  -11.23    2.66
          45.30   61.46  -16.16   -8.82    3.00
          43.20   46.10   -2.90  -16.16    2.86
          44.44   52.07   -7.63   -2.90    3.19
          43.77   46.55   -2.78   -7.63    2.58
          41.74   34.92    6.82   -2.78    2.46
          46.77   63.69  -16.92    6.82    3.74""",
}


def worked_rows(decay: Decay, seed: int) -> list[tuple[float, ...]]:
    lines = WORKED_TABLES[decay, seed].strip().splitlines()
    return [tuple(float(cell) for cell in line.split()) for line in lines]


def example_daily() -> dict[dt.date, float]:
    return {DAY1 + dt.timedelta(days=i): float(load) for i, load in enumerate(LOADS)}


def example_series(decay: Decay = Decay.EXP, seed: float = 0.0) -> list[DayLoad]:
    end = DAY1 + dt.timedelta(days=EXAMPLE_DAYS - 1)
    return fitness_series(example_daily(), DAY1, end, ctl0=seed, atl0=seed, decay=decay)


@pytest.mark.parametrize(
    ("decay", "days", "k"),
    [
        (Decay.EXP, 42, 0.023528),
        (Decay.EXP, 7, 0.133122),
        (Decay.RECIPROCAL, 42, 0.023810),
        (Decay.RECIPROCAL, 7, 0.142857),
        (Decay.EWMA, 42, 0.046512),
        (Decay.EWMA, 7, 0.25),
    ],
)
def test_decay_constants_of_each_convention_match_the_note(
    decay: Decay, days: int, k: float
) -> None:
    assert decay_constant(days, decay) == pytest.approx(k, abs=1e-6)


def test_decay_constants_default_to_one_minus_e_to_minus_one_over_n() -> None:
    assert decay_constant(42) == pytest.approx(0.023528, abs=1e-6)
    assert 1 - decay_constant(42) == pytest.approx(0.976472, abs=1e-6)
    assert 1 - decay_constant(7) == pytest.approx(0.866878, abs=1e-6)


@pytest.mark.parametrize("decay", [Decay.RECIPROCAL, Decay.EWMA])
def test_conventions_that_would_overshoot_refuse_a_time_constant_under_a_day(decay: Decay) -> None:
    assert decay_constant(1, decay) == 1.0
    with pytest.raises(InvalidValue):
        decay_constant(0.5, decay)


def test_exp_accepts_a_time_constant_under_a_day() -> None:
    assert decay_constant(0.5) == pytest.approx(1 - math.exp(-2))


@pytest.mark.parametrize("bad", [0.0, -7.0, math.nan, math.inf])
@pytest.mark.parametrize("decay", list(Decay))
def test_a_time_constant_must_be_a_positive_number(decay: Decay, bad: float) -> None:
    with pytest.raises(InvalidValue):
        decay_constant(bad, decay)


@pytest.mark.parametrize("day", range(1, EXAMPLE_DAYS + 1))
@pytest.mark.parametrize("seed", [0, 40])
@pytest.mark.parametrize("decay", list(Decay))
def test_every_cell_of_the_worked_14_day_example_is_reproduced(
    decay: Decay, seed: int, day: int
) -> None:
    computed = example_series(decay, seed)[day - 1]
    ctl, atl, same_day, yesterday, ramp = worked_rows(decay, seed)[day - 1]
    assert computed.date == DAY1 + dt.timedelta(days=day - 1)
    assert computed.load == LOADS[day - 1]
    assert computed.ctl == pytest.approx(ctl, abs=0.01)
    assert computed.atl == pytest.approx(atl, abs=0.01)
    assert computed.tsb_same_day == pytest.approx(same_day, abs=0.01)
    assert computed.form(FormConvention.SAME_DAY) == computed.tsb_same_day
    assert computed.tsb == pytest.approx(yesterday, abs=0.01)
    assert computed.form(FormConvention.YESTERDAY) == computed.tsb
    assert computed.form() == computed.tsb
    assert computed.ramp == pytest.approx(ramp, abs=0.01)


def test_the_worked_tables_are_complete() -> None:
    # Guards the copy above: six tables of 14 days by 5 columns.
    assert {key: len(worked_rows(*key)) for key in WORKED_TABLES} == {
        (decay, seed): EXAMPLE_DAYS for decay in Decay for seed in (0, 40)
    }
    assert {len(row) for key in WORKED_TABLES for row in worked_rows(*key)} == {5}


def test_the_key_race_day_numbers_of_the_note() -> None:
    # Note §4.6, case A day 14: CTL, ATL, TSB same-day, TSB yesterday, ramp.
    for decay, expected in [
        (Decay.EXP, (15.07, 49.67, -34.59, -22.44, 7.35)),
        (Decay.RECIPROCAL, (15.23, 51.22, -35.99, -22.82, 7.42)),
    ]:
        race = example_series(decay)[-1]
        got = (race.ctl, race.atl, race.tsb_same_day, race.tsb, race.ramp)
        assert got == pytest.approx(expected, abs=0.01), decay
    # Case B, EXP: race morning +0.67, after the race -11.35; with 1/N +1.03 / -12.07.
    race = example_series(Decay.EXP, 40)[-1]
    assert (race.ctl, race.atl) == pytest.approx((43.73, 55.08), abs=0.01)
    assert (race.tsb, race.tsb_same_day) == pytest.approx((0.67, -11.35), abs=0.01)
    race = example_series(Decay.RECIPROCAL, 40)[-1]
    assert (race.tsb, race.tsb_same_day) == pytest.approx((1.03, -12.07), abs=0.01)


def test_the_form_convention_moves_race_day_form_far_more_than_the_decay_does() -> None:
    # Note §4.6, case A race day: EXP and 1/N differ by at most 1.6 in ATL and 1.4 in form;
    # taking yesterday's or the same day's values moves form by 12 points.
    exp, reciprocal = example_series(Decay.EXP)[-1], example_series(Decay.RECIPROCAL)[-1]
    assert abs(exp.atl - reciprocal.atl) <= 1.6
    assert abs(exp.tsb - reciprocal.tsb) <= 1.4
    assert abs(exp.tsb_same_day - reciprocal.tsb_same_day) <= 1.4
    assert exp.tsb - exp.tsb_same_day == pytest.approx(12.15, abs=0.01)


@pytest.mark.parametrize("decay", list(Decay))
def test_a_constant_load_from_zero_follows_the_closed_form(decay: Decay) -> None:
    # The note's script check: CTL_t = L * (1 - (1 - k)^t), and the same for ATL.
    daily = {DAY1 + dt.timedelta(days=i): 60.0 for i in range(30)}
    series = fitness_series(daily, DAY1, DAY1 + dt.timedelta(days=29), decay=decay)
    k_ctl, k_atl = decay_constant(42, decay), decay_constant(7, decay)
    for t, day in enumerate(series, start=1):
        assert day.ctl == pytest.approx(60 * (1 - (1 - k_ctl) ** t))
        assert day.atl == pytest.approx(60 * (1 - (1 - k_atl) ** t))


def test_a_steady_seed_with_the_same_load_stays_put() -> None:
    # Seed 40 stands for an endless history of 40 a day (§4.1): more of it changes nothing.
    daily = {DAY1 + dt.timedelta(days=i): 40.0 for i in range(10)}
    for day in fitness_series(daily, DAY1, DAY1 + dt.timedelta(days=9), ctl0=40, atl0=40):
        assert (day.ctl, day.atl, day.tsb, day.ramp) == pytest.approx((40, 40, 0, 0))


def test_ramp_is_ctl_minus_ctl_a_week_before_and_the_seed_in_the_first_week() -> None:
    series = example_series(Decay.EXP, 40)
    for t, day in enumerate(series):
        before = series[t - 7].ctl if t >= 7 else 40.0
        assert day.ramp == pytest.approx(day.ctl - before)


def test_race_morning_form_uses_yesterday_and_differs_from_same_day_form() -> None:
    race = example_series(Decay.EXP, 40)[-1]
    day_before = example_series(Decay.EXP, 40)[-2]
    assert race.tsb == day_before.ctl - day_before.atl
    assert race.tsb_same_day == race.ctl - race.atl


def test_days_missing_from_the_daily_loads_are_rest_days() -> None:
    daily = {d: v for d, v in example_daily().items() if v > 0}
    end = DAY1 + dt.timedelta(days=13)
    series = fitness_series(daily, DAY1, end)
    assert series[2].load == 0.0
    assert series[-1].ctl == pytest.approx(15.07, abs=0.01)


def test_loads_before_the_start_are_left_to_the_seeds() -> None:
    daily = {DAY1 - dt.timedelta(days=1): 500.0, DAY1: 50.0}
    first = fitness_series(daily, DAY1, DAY1, ctl0=10, atl0=30)[0]
    assert first.tsb == -20.0
    assert first.ctl == pytest.approx(10 + (1 - math.exp(-1 / 42)) * (50 - 10))


def test_time_constants_are_parameters() -> None:
    first = fitness_series({DAY1: 100.0}, DAY1, DAY1, ctl_days=28, atl_days=3)[0]
    assert first.ctl == pytest.approx(100 * (1 - math.exp(-1 / 28)))
    assert first.atl == pytest.approx(100 * (1 - math.exp(-1 / 3)))


def test_an_end_before_the_start_gives_an_empty_series() -> None:
    assert fitness_series({}, DAY1, DAY1 - dt.timedelta(days=1)) == []


def test_daily_loads_adds_two_activities_on_one_day() -> None:
    other = DAY1 + dt.timedelta(days=1)
    assert daily_loads([(DAY1, 30.0), (other, 5.0), (DAY1, 12.5)]) == {DAY1: 42.5, other: 5.0}


@pytest.mark.parametrize("bad", [-1.0, math.nan, math.inf])
def test_daily_loads_rejects_negative_or_non_finite_loads(bad: float) -> None:
    with pytest.raises(InvalidValue):
        daily_loads([(DAY1, bad)])


# --- heart rate -------------------------------------------------------------------------------


def test_average_hr_load_matches_the_research_note_example() -> None:
    # §4.5: 60 min at 150 bpm, rest 50, max 190: male TRIMP 108.095, HRSS (LTHR 170) 63.34.
    result = activity_load(run(moving_s=3600.0, avg_hr_bpm=150.0), PARAMS)
    assert result.method == "hr"
    assert result.trimp == pytest.approx(108.095, abs=1e-3)
    assert result.load == pytest.approx(63.34, abs=0.01)
    assert "108.1" in result.detail
    assert "63.3" in result.detail


def test_female_weighting_uses_the_literature_constants() -> None:
    # §4.5: female (0.86, 1.67) TRIMP 121.499 for the same session.
    result = activity_load(run(avg_hr_bpm=150.0), FEMALE)
    assert result.trimp == pytest.approx(121.499, abs=1e-3)
    x, x_lt = 100 / 140, 120 / 140
    hour_at_threshold = 60 * x_lt * 0.86 * math.exp(1.67 * x_lt)
    assert result.load == pytest.approx(100 * 121.499 / hour_at_threshold, abs=1e-3)
    session = 60 * x * 0.86 * math.exp(1.67 * x)
    assert result.load == pytest.approx(100 * session / hour_at_threshold)
    assert "female" in result.detail


def test_sex_changes_the_trimp_more_than_the_normalised_load() -> None:
    male = activity_load(run(avg_hr_bpm=150.0), PARAMS)
    female = activity_load(run(avg_hr_bpm=150.0), FEMALE)
    assert male.trimp is not None
    assert female.trimp is not None
    assert female.trimp - male.trimp > 10
    assert 0 < female.load - male.load < 3  # 65.6 vs 63.3: only b changes the ratio


def test_unknown_sex_uses_the_male_constants() -> None:
    unknown = LoadParams(190.0, 50.0, 170.0, 270.0)
    result = activity_load(run(avg_hr_bpm=150.0), unknown)
    assert result.trimp == pytest.approx(108.095, abs=1e-3)


def test_an_hour_at_threshold_scores_100() -> None:
    result = activity_load(run(avg_hr_bpm=170.0), PARAMS)
    assert result.load == pytest.approx(100.0)


def test_hr_stream_weights_each_sample_by_the_gap_to_the_next() -> None:
    # 30 min at 130 bpm sampled every second, then 30 min at 170 bpm every 5 seconds.
    time = [float(t) for t in range(1800)] + [1800.0 + 5 * i for i in range(361)]
    heart = [130.0] * 1800 + [170.0] * 361
    result = activity_load(run(streams={"time_s": time, "heart_rate_bpm": heart}), PARAMS)
    expected_trimp = 30 * banister_male(130.0) + 30 * banister_male(170.0)
    assert result.method == "hr"
    assert result.trimp == pytest.approx(expected_trimp)
    assert result.load == pytest.approx(100 * expected_trimp / HOUR_AT_THRESHOLD_MALE)


def test_a_pause_longer_than_30_seconds_counts_as_not_moving() -> None:
    # 30 min, a 10-minute stop, 30 more minutes: the stop adds nothing.
    time = [float(t) for t in range(1801)] + [float(t) for t in range(2400, 4201)]
    heart = [150.0] * len(time)
    result = activity_load(run(4200.0, streams={"time_s": time, "heart_rate_bpm": heart}), PARAMS)
    assert result.trimp == pytest.approx(60 * banister_male(150.0))
    assert "1 gap" in result.detail


def test_a_gap_of_30_seconds_still_counts_as_moving() -> None:
    time = [0.0, 30.0, 60.0]
    result = activity_load(
        run(60.0, streams={"time_s": time, "heart_rate_bpm": [150.0] * 3}), PARAMS
    )
    assert result.trimp == pytest.approx(1 * banister_male(150.0))


def test_a_short_hr_dropout_is_filled_at_the_sessions_mean_intensity() -> None:
    time = [float(t) for t in range(3601)]
    heart: list[float | None] = [150.0] * 3601
    heart[600:1200] = [None] * 600  # the strap lost contact for 10 minutes
    result = activity_load(run(streams={"time_s": time, "heart_rate_bpm": heart}), PARAMS)
    assert result.trimp == pytest.approx(60 * banister_male(150.0))


def test_a_mostly_empty_hr_stream_falls_back_to_the_average_hr() -> None:
    time = [float(t) for t in range(3601)]
    heart: list[float | None] = [None] * 3601
    heart[:600] = [180.0] * 600
    activity = run(
        moving_s=3600.0, avg_hr_bpm=140.0, streams={"time_s": time, "heart_rate_bpm": heart}
    )
    result = activity_load(activity, PARAMS)
    assert result.trimp == pytest.approx(60 * banister_male(140.0))
    assert "average HR" in result.detail


def test_a_patchy_hr_stream_without_a_summary_uses_the_mean_of_its_samples() -> None:
    time = [float(t) for t in range(3601)]
    heart: list[float | None] = [None] * 3601
    heart[:600] = [140.0] * 300 + [160.0] * 300
    result = activity_load(
        run(moving_s=3600.0, streams={"time_s": time, "heart_rate_bpm": heart}), PARAMS
    )
    assert result.method == "hr"
    assert result.trimp == pytest.approx(60 * banister_male(150.0))


def test_per_sample_hr_weighs_intervals_more_than_their_average() -> None:
    # Alternating minutes at 120 and 180 bpm average 150; e^(bx) is convex, so per-sample
    # TRIMP is larger than TRIMP of the average (note §1.1).
    time = [float(t) for t in range(3601)]
    heart = [120.0 if (t // 60) % 2 == 0 else 180.0 for t in range(3601)]
    stream = activity_load(run(streams={"time_s": time, "heart_rate_bpm": heart}), PARAMS)
    average = activity_load(run(avg_hr_bpm=150.0), PARAMS)
    assert stream.trimp == pytest.approx(30 * banister_male(120.0) + 30 * banister_male(180.0))
    assert average.trimp is not None
    assert stream.trimp is not None
    assert stream.trimp > average.trimp


def test_hr_below_resting_adds_nothing_and_above_max_counts_as_max() -> None:
    low = activity_load(run(avg_hr_bpm=45.0), PARAMS)
    high = activity_load(run(avg_hr_bpm=205.0), PARAMS)
    assert low.load == 0.0
    assert high.trimp == pytest.approx(60 * 0.64 * math.exp(1.92))


def test_average_hr_uses_moving_time_before_elapsed_time() -> None:
    result = activity_load(run(3600.0, moving_s=1800.0, avg_hr_bpm=150.0), PARAMS)
    assert result.trimp == pytest.approx(30 * banister_male(150.0))


# --- pace, RPE, duration ----------------------------------------------------------------------


def test_pace_from_the_speed_stream_matches_the_rtss_example() -> None:
    # §4.5: 5:00/km against a 4:30/km threshold, IF 0.9: 30 min -> 40.50, 60 min -> 81.00.
    for minutes, expected in ((30, 40.50), (60, 81.00)):
        time = [float(t) for t in range(minutes * 60 + 1)]
        speed = [1000 / 300] * len(time)
        result = activity_load(run(streams={"time_s": time, "speed_m_s": speed}), PARAMS)
        assert result.method == "pace"
        assert result.trimp is None
        assert result.load == pytest.approx(expected, abs=0.01)


def test_pace_sums_intensity_squared_sample_by_sample() -> None:
    # 20 min at threshold speed, then 40 min at half of it: (20 * 1 + 40 * 0.25) / 60 * 100.
    threshold = 1000 / 270
    time = [float(t) for t in range(3601)]
    speed = [threshold if t < 1200 else threshold / 2 for t in range(3601)]
    result = activity_load(run(streams={"time_s": time, "speed_m_s": speed}), PARAMS)
    assert result.load == pytest.approx((20 * 1.0 + 40 * 0.25) / 60 * 100)


def test_pace_ignores_gps_glitches_faster_than_any_runner() -> None:
    time = [float(t) for t in range(3601)]
    speed = [1000 / 300] * 3601
    speed[100] = 55.0
    result = activity_load(run(streams={"time_s": time, "speed_m_s": speed}), PARAMS)
    assert result.load == pytest.approx(81.0, abs=0.01)


def test_pace_from_the_distance_stream_when_there_is_no_speed_channel() -> None:
    time = [float(t) for t in range(0, 3601, 2)]
    distance = [t * 1000 / 270 for t in time]  # exactly threshold pace
    result = activity_load(run(streams={"time_s": time, "distance_m": distance}), PARAMS)
    assert result.method == "pace"
    assert result.load == pytest.approx(100.0)


def test_pace_from_distance_and_moving_time_without_streams() -> None:
    # 10 km in 50 min against 4:30/km: IF = 270 / 300 = 0.9, 50/60 h * 0.81 * 100 = 67.5.
    result = activity_load(run(3300.0, moving_s=3000.0, distance_m=10_000.0), PARAMS)
    assert result.method == "pace"
    assert result.load == pytest.approx(50 / 60 * 0.81 * 100)
    assert "IF 0.900" in result.detail


@pytest.mark.parametrize("distance", [50_000.0, math.inf, math.nan, -5.0])
def test_a_summary_pace_no_runner_can_hold_is_not_scored_as_pace(distance: float) -> None:
    # 50 km in 50 min is 16.7 m/s, above the 12 m/s glitch cap; before the cap this scored
    # 1687.5, and a NaN or infinite distance gave a NaN or infinite load.
    result = activity_load(run(3000.0, distance_m=distance), PARAMS)
    assert result.method == "duration"
    assert result.load == pytest.approx(50 / 60 * 50)


def test_session_rpe_maps_an_hour_at_rpe_7_to_100() -> None:
    # Foster: 60 min * RPE 6 = 360 AU; 360 * 100 / (60 * 7) = 85.71.
    result = activity_load(run(), PARAMS, rpe=6)
    assert result.method == "srpe"
    assert result.load == pytest.approx(360 * 100 / 420)
    assert "360 AU" in result.detail


def test_duration_alone_scores_an_easy_50_per_hour() -> None:
    result = activity_load(run(5400.0, sport=Sport.STRENGTH), PARAMS)
    assert result.method == "duration"
    assert result.load == pytest.approx(75.0)


def test_heart_rate_wins_over_rpe_and_rpe_over_pace() -> None:
    with_hr = run(avg_hr_bpm=150.0, distance_m=12_000.0)
    assert activity_load(with_hr, PARAMS, rpe=9).method == "hr"
    without_hr = run(distance_m=12_000.0)
    assert activity_load(without_hr, PARAMS, rpe=3).method == "srpe"
    assert activity_load(without_hr, PARAMS).method == "pace"


def test_pace_is_only_for_runs() -> None:
    ride = run(sport=Sport.CYCLING, distance_m=30_000.0)
    assert activity_load(ride, PARAMS).method == "duration"


@pytest.mark.parametrize("bad", [-1.0, 10.5, math.nan])
def test_rpe_outside_the_cr10_scale_is_refused(bad: float) -> None:
    with pytest.raises(InvalidValue):
        activity_load(run(), PARAMS, rpe=bad)


@pytest.mark.parametrize(
    ("rest", "threshold", "top", "pace"),
    [(170.0, 160.0, 190.0, 270.0), (50.0, 195.0, 190.0, 270.0), (50.0, 170.0, 190.0, 0.0)],
)
def test_inconsistent_params_are_refused(
    rest: float, threshold: float, top: float, pace: float
) -> None:
    with pytest.raises(InvalidValue):
        LoadParams(top, rest, threshold, pace)


# --- estimation -------------------------------------------------------------------------------


def test_given_values_are_kept_and_not_marked_estimated() -> None:
    params = estimate_params(
        max_hr_bpm=192.0,
        resting_hr_bpm=48.0,
        threshold_hr_bpm=172.0,
        threshold_pace_s_per_km=250.0,
        sex="female",
        activities=[run(avg_hr_bpm=150.0, max_hr_bpm=200.0)],
        resting_hr_samples=[40.0],
    )
    assert params == LoadParams(192.0, 48.0, 172.0, 250.0, "female", frozenset())


def test_without_data_the_stated_defaults_are_used_and_marked() -> None:
    params = estimate_params()
    assert params.estimated == {
        "max_hr_bpm",
        "resting_hr_bpm",
        "threshold_hr_bpm",
        "threshold_pace_s_per_km",
    }
    assert params.max_hr_bpm == 187.0
    assert params.resting_hr_bpm == 60.0
    assert params.threshold_hr_bpm == pytest.approx(60 + 0.85 * (187 - 60))
    assert params.threshold_pace_s_per_km == 300.0


def test_max_hr_is_a_high_percentile_of_the_activities_maxima() -> None:
    maxima = [170.0 + i for i in range(19)] + [215.0]  # one optical spike at 215
    activities = [run(max_hr_bpm=m) for m in maxima]
    params = estimate_params(activities=activities, resting_hr_bpm=50.0)
    # 95th percentile, linear between ranks 18 and 19 at position 0.95 * 19 = 18.05.
    assert params.max_hr_bpm == pytest.approx(188.0 + 0.05 * (215.0 - 188.0))
    assert params.threshold_hr_bpm == pytest.approx(50 + 0.85 * (params.max_hr_bpm - 50))
    assert params.estimated == {"max_hr_bpm", "threshold_hr_bpm", "threshold_pace_s_per_km"}


def test_max_hr_reads_the_hr_stream_when_the_summary_lacks_it() -> None:
    streams: dict[str, list[float | None]] = {
        "time_s": [0.0, 1.0, 2.0],
        "heart_rate_bpm": [150.0, 196.0, None],
    }
    params = estimate_params(activities=[run(streams=streams)])
    assert params.max_hr_bpm == 196.0  # fewer than 5 activities: a higher value beats 187


def test_resting_hr_is_the_median_of_the_wellness_samples() -> None:
    params = estimate_params(resting_hr_samples=[48.0, 52.0, 50.0, 75.0, 49.0])
    assert params.resting_hr_bpm == 50.0
    assert "resting_hr_bpm" in params.estimated


def test_threshold_pace_is_the_best_run_of_at_least_40_minutes() -> None:
    activities = [
        run(3000.0, distance_m=10_000.0),  # 5:00/km over 50 min
        run(2700.0, distance_m=10_000.0),  # 4:30/km over 45 min: the best
        run(1200.0, distance_m=5_000.0),  # 4:00/km but only 20 min
        run(3600.0, sport=Sport.CYCLING, distance_m=30_000.0),  # a ride, 2:00/km
    ]
    params = estimate_params(activities=activities)
    assert params.threshold_pace_s_per_km == pytest.approx(270.0)
    assert "threshold_pace_s_per_km" in params.estimated


def test_a_given_threshold_above_the_estimated_max_raises_the_max() -> None:
    params = estimate_params(resting_hr_bpm=50.0, threshold_hr_bpm=190.0)
    assert params.max_hr_bpm == pytest.approx(50 + (190 - 50) / 0.85)
    assert params.estimated == {"max_hr_bpm", "threshold_pace_s_per_km"}


# --- hard days --------------------------------------------------------------------------------


def history_of(days: int, load: float, before: dt.date = DAY1) -> dict[dt.date, float]:
    return {before - dt.timedelta(days=i): load for i in range(1, days + 1)}


def test_a_run_of_90_minutes_is_long() -> None:
    assert classify_day(DAY1, 60.0, 90 * 60.0, history_of(20, 50), True) is WorkoutKind.LONG
    assert classify_day(DAY1, 60.0, 89 * 60.0, history_of(20, 50), True) is WorkoutKind.EASY


def test_a_long_ride_is_not_a_long_run() -> None:
    assert classify_day(DAY1, 60.0, 3 * 3600.0, history_of(20, 50), False) is WorkoutKind.EASY


def test_hard_by_load_means_above_1_5_times_the_recent_training_day() -> None:
    history = history_of(10, 50.0)
    assert classify_day(DAY1, 75.1, 3600.0, history, True) is WorkoutKind.TEMPO
    assert classify_day(DAY1, 75.0, 3600.0, history, True) is WorkoutKind.EASY


def test_rest_days_in_the_history_do_not_lower_the_bar() -> None:
    history = history_of(28, 0.0) | {DAY1 - dt.timedelta(days=i): 40.0 for i in (1, 3, 5, 8, 12)}
    assert classify_day(DAY1, 61.0, 3600.0, history, True) is WorkoutKind.TEMPO
    assert classify_day(DAY1, 59.0, 3600.0, history, True) is WorkoutKind.EASY


def test_only_the_28_days_before_count() -> None:
    history = history_of(10, 50.0) | {
        DAY1: 1000.0,
        DAY1 - dt.timedelta(days=29): 1000.0,
        DAY1 - dt.timedelta(days=40): 1000.0,
    }
    assert classify_day(DAY1, 76.0, 3600.0, history, True) is WorkoutKind.TEMPO


def test_with_little_history_a_fixed_80_decides() -> None:
    history = history_of(4, 20.0)  # 1.5 * 20 = 30 would call almost anything hard
    assert classify_day(DAY1, 79.0, 3600.0, history, True) is WorkoutKind.EASY
    assert classify_day(DAY1, 81.0, 3600.0, history, True) is WorkoutKind.TEMPO
    assert classify_day(DAY1, 81.0, 3600.0, {}, False) is WorkoutKind.TEMPO


def test_a_day_with_nothing_done_is_rest() -> None:
    assert classify_day(DAY1, 0.0, 0.0, history_of(20, 50), True) is WorkoutKind.REST


# --- properties -------------------------------------------------------------------------------

heart_rates = st.one_of(st.none(), st.floats(min_value=0.0, max_value=260.0))
speeds = st.one_of(st.none(), st.floats(min_value=-1.0, max_value=100.0))


@st.composite
def hr_streams(draw: st.DrawFn) -> Mapping[str, Sequence[float | None]]:
    gaps = draw(st.lists(st.floats(min_value=0.0, max_value=120.0), min_size=1, max_size=60))
    time = [0.0]
    for gap in gaps:
        time.append(time[-1] + gap)
    heart = draw(st.lists(heart_rates, min_size=len(time), max_size=len(time)))
    speed = draw(st.lists(speeds, min_size=len(time), max_size=len(time)))
    return {"time_s": time, "heart_rate_bpm": heart, "speed_m_s": speed}


@given(
    streams=hr_streams(),
    avg=st.one_of(st.none(), st.floats(min_value=0.0, max_value=260.0)),
    distance=st.one_of(st.none(), st.floats(min_value=0.0, max_value=50_000.0)),
    duration=st.floats(min_value=0.0, max_value=20_000.0),
    sport=st.sampled_from(Sport),
    rpe=st.one_of(st.none(), st.floats(min_value=0.0, max_value=10.0)),
)
def test_load_is_never_negative(
    streams: Mapping[str, Sequence[float | None]],
    avg: float | None,
    distance: float | None,
    duration: float,
    sport: Sport,
    rpe: float | None,
) -> None:
    activity = run(duration, sport=sport, streams=streams, avg_hr_bpm=avg, distance_m=distance)
    result = activity_load(activity, PARAMS, rpe=rpe)
    assert result.load >= 0.0
    assert math.isfinite(result.load)


@given(
    hr=st.floats(min_value=30.0, max_value=220.0),
    short=st.integers(min_value=1, max_value=7200),
    extra=st.integers(min_value=0, max_value=7200),
)
def test_a_longer_activity_at_the_same_hr_never_has_less_load(
    hr: float, short: int, extra: int
) -> None:
    longer = short + extra
    assert (
        activity_load(run(float(longer), avg_hr_bpm=hr), PARAMS).load
        >= activity_load(run(float(short), avg_hr_bpm=hr), PARAMS).load
    )

    def streamed(seconds: int) -> Activity:
        time = [float(t) for t in range(0, seconds + 1, 10)]
        return run(float(seconds), streams={"time_s": time, "heart_rate_bpm": [hr] * len(time)})

    assert (
        activity_load(streamed(longer), PARAMS).load >= activity_load(streamed(short), PARAMS).load
    )


@settings(max_examples=200)
@given(
    loads=st.lists(st.floats(min_value=0.0, max_value=400.0), min_size=1, max_size=120),
    seed_share=st.floats(min_value=0.0, max_value=1.0),
)
def test_ctl_and_atl_stay_between_the_smallest_and_largest_daily_load(
    loads: list[float], seed_share: float
) -> None:
    low, high = min(loads), max(loads)
    seed = low + seed_share * (high - low)
    daily = {DAY1 + dt.timedelta(days=i): load for i, load in enumerate(loads)}
    end = DAY1 + dt.timedelta(days=len(loads) - 1)
    for day in fitness_series(daily, DAY1, end, ctl0=seed, atl0=seed):
        assert low - 1e-9 <= day.ctl <= high + 1e-9
        assert low - 1e-9 <= day.atl <= high + 1e-9


# --- the stored basis -------------------------------------------------------------------------


def seconds(n: int, step: float = 1.0) -> list[float]:
    return [i * step for i in range(n)]


def alternating(n: int) -> list[float | None]:
    return [120.0 if (t // 60) % 2 == 0 else 180.0 for t in range(n)]


def patchy(n: int) -> list[float | None]:
    return [None if 600 <= t < 3000 else 140.0 + t % 7 for t in range(n)]


# Hand-built activities that between them reach every method and branch.
BASIS_CASES: dict[str, Activity] = {
    "hr stream with a pause": run(
        4200.0,
        streams={
            "time_s": seconds(1801) + [float(t) for t in range(2400, 4201)],
            "heart_rate_bpm": alternating(3602),
        },
        max_hr_bpm=185.0,
    ),
    "hr stream with a dropout, and speed": run(
        streams={
            "time_s": seconds(3601),
            "heart_rate_bpm": [None] * 100 + [150.0] * 3501,
            "speed_m_s": [3.5] * 3601,
        }
    ),
    "patchy hr, summary average": run(
        moving_s=3600.0,
        avg_hr_bpm=140.0,
        streams={"time_s": seconds(3601), "heart_rate_bpm": patchy(3601)},
    ),
    "patchy hr, no summary": run(
        moving_s=3600.0, streams={"time_s": seconds(3601), "heart_rate_bpm": patchy(3601)}
    ),
    "patchy hr, no moving time, speed": run(
        0.0,
        streams={
            "time_s": seconds(3601),
            "heart_rate_bpm": patchy(3601),
            "speed_m_s": [3.0] * 3601,
        },
    ),
    "average hr only": run(moving_s=3000.0, avg_hr_bpm=150.0, distance_m=10_000.0),
    "speed stream with a glitch": run(
        streams={
            "time_s": seconds(3601),
            "speed_m_s": [1000 / 300 if t != 100 else 55.0 for t in range(3601)],
        }
    ),
    "distance stream, smart recording": run(
        streams={
            "time_s": seconds(1801, 2.0),
            "distance_m": [t * 1000 / 290 for t in seconds(1801, 2.0)],
        }
    ),
    "summary pace": run(3300.0, moving_s=3000.0, distance_m=10_000.0),
    "ride with speed": run(
        sport=Sport.CYCLING, streams={"time_s": seconds(600), "speed_m_s": [8.0] * 600}
    ),
    "duration only": run(5400.0, sport=Sport.STRENGTH),
}
OTHER_PARAMS = [
    PARAMS,
    FEMALE,
    LoadParams(200.0, 45.0, 178.0, 240.0),
    LoadParams(180.0, 62.5, 150.5, 330.0, sex="female"),
]


@pytest.mark.parametrize("name", BASIS_CASES)
def test_a_basis_round_trips_through_json(name: str) -> None:
    basis = load_basis(BASIS_CASES[name])
    stored = json.dumps(basis.to_dict(), allow_nan=False)  # plain JSON, nothing else
    assert LoadBasis.from_dict(json.loads(stored)) == basis
    assert LoadBasis.from_dict(basis.to_dict()) == basis


@pytest.mark.parametrize("name", BASIS_CASES)
def test_a_basis_is_stored_as_the_same_json_as_a_list_per_bin(name: str) -> None:
    # The bins stay tuples in ``to_dict`` (no list per bin); the JSON must be what lists of
    # [bpm, seconds] pairs always gave, field by field in field order.
    basis = load_basis(BASIS_CASES[name])
    as_lists = {f.name: getattr(basis, f.name) for f in dataclasses.fields(basis)}
    as_lists["hr_seconds"] = [[bpm, seconds] for bpm, seconds in basis.hr_seconds]
    assert json.dumps(basis.to_dict()) == json.dumps(as_lists)


@pytest.mark.parametrize("name", BASIS_CASES)
@pytest.mark.parametrize("params", OTHER_PARAMS)
@pytest.mark.parametrize("rpe", [None, 6.0])
def test_load_from_a_basis_is_the_activity_load(
    name: str, params: LoadParams, rpe: float | None
) -> None:
    activity = BASIS_CASES[name]
    assert load_from_basis(load_basis(activity), params, rpe=rpe) == activity_load(
        activity, params, rpe=rpe
    )
    assert_same_load(load_from_basis(load_basis(activity), params, rpe=rpe), activity, params, rpe)


def test_the_methods_reached_by_the_hand_built_cases() -> None:
    methods = {name: activity_load(a, PARAMS).method for name, a in BASIS_CASES.items()}
    assert methods == {
        "hr stream with a pause": "hr",
        "hr stream with a dropout, and speed": "hr",
        "patchy hr, summary average": "hr",
        "patchy hr, no summary": "hr",
        "patchy hr, no moving time, speed": "pace",
        "average hr only": "hr",
        "speed stream with a glitch": "pace",
        "distance stream, smart recording": "pace",
        "summary pace": "pace",
        "ride with speed": "duration",
        "duration only": "duration",
    }


def test_a_basis_keeps_seconds_per_whole_bpm_after_the_gap_rules() -> None:
    # Gaps 1, 1, 1, 40 (a pause), 2, 1; the last sample stands for nothing.
    activity = run(
        streams={
            "time_s": [0.0, 1.0, 2.0, 3.0, 43.0, 45.0, 46.0],
            "heart_rate_bpm": [150.0, 150.4, 151.6, 149.0, None, 149.5, 200.0],
        },
        max_hr_bpm=190.0,
    )
    basis = load_basis(activity)
    # 150.4 -> 150, 151.6 -> 152, 149.5 -> 150 (half up); 149 bpm sat before the pause.
    assert basis.hr_seconds == ((150, 3.0), (152, 1.0))
    assert basis.stream_moving_s == 6.0  # the None sample's 2 s are moving but not covered
    assert basis.hr_covered_s == 4.0
    assert basis.pauses == 1
    assert basis.max_hr_bpm == 200.0  # the stream beats the summary; the last sample counts
    assert basis.stream_hr_mean_bpm == pytest.approx((150 + 150.4 + 151.6 + 149 + 149.5 + 200) / 6)
    # HR decides, so the pace sums are not computed.
    assert (basis.speed_covered_s, basis.speed_sq_sum) == (0.0, 0.0)


def test_fractional_hr_is_scored_at_the_nearest_whole_bpm() -> None:
    # XML exports may carry fractional HR; binning scores 150.4 bpm as 150. The Banister weight
    # moves ~2.4 % per bpm here, so a whole session 0.4 bpm off is off by under 1 %.
    time = seconds(3601)
    result = activity_load(run(streams={"time_s": time, "heart_rate_bpm": [150.4] * 3601}), PARAMS)
    assert result.trimp == pytest.approx(60 * banister_male(150.0))
    assert result.trimp == pytest.approx(60 * banister_male(150.4), rel=0.01)


def test_a_stored_basis_of_another_version_or_shape_is_refused() -> None:
    stored = load_basis(BASIS_CASES["hr stream with a pause"]).to_dict()
    for broken in (
        stored | {"version": 0},
        {k: v for k, v in stored.items() if k != "version"},
        stored | {"hr_seconds": [[150, 3.0, 1.0]]},
        stored | {"hr_seconds": [[150.5, 3.0]]},
        stored | {"moving_s": "3600"},
        stored | {"pauses": True},
        stored | {"is_run": 1},
        {k: v for k, v in stored.items() if k != "speed_sq_sum"},
    ):
        with pytest.raises(InvalidValue):
            LoadBasis.from_dict(broken)


def test_params_can_be_estimated_from_bases_without_streams() -> None:
    activities = [
        run(streams={"time_s": [0.0, 1.0, 2.0], "heart_rate_bpm": [150.0, 196.0, None]}),
        run(3000.0, distance_m=10_000.0, max_hr_bpm=181.0),
        run(2700.0, distance_m=10_000.0, max_hr_bpm=175.0),
        run(1200.0, distance_m=5_000.0, max_hr_bpm=240.0),  # too short, and an artefact
        run(3600.0, sport=Sport.CYCLING, distance_m=30_000.0, max_hr_bpm=170.0),
        run(moving_s=2800.0, avg_hr_bpm=150.0, max_hr_bpm=178.0),
    ]
    bases = [load_basis(a) for a in activities]
    from_bases = estimate_params(resting_hr_bpm=50.0, bases=bases)
    assert from_bases == estimate_params(resting_hr_bpm=50.0, activities=activities)
    assert from_bases.threshold_pace_s_per_km == pytest.approx(270.0)
    # 5 maxima in 120-230 (196, 181, 175, 170, 178): the 95th percentile of them.
    assert from_bases.max_hr_bpm == pytest.approx(181.0 + 0.8 * (196.0 - 181.0))
    # Some as activities, the rest as stored bases: the same history.
    mixed = estimate_params(resting_hr_bpm=50.0, activities=activities[:2], bases=bases[2:])
    assert mixed == from_bases


# A plain per-sample oracle: the model as the module docstring states it, written out naively
# (with HR rounded half up to whole bpm, as the basis stores it), to check the one-pass walk.


def reference_load(activity: Activity, params: LoadParams, rpe: float | None) -> ActivityLoad:
    a, b = (0.86, 1.67) if params.sex == "female" else (0.64, 1.92)

    def per_minute(hr: float) -> float:
        x = (hr - params.resting_hr_bpm) / (params.max_hr_bpm - params.resting_hr_bpm)
        x = min(max(x, 0.0), 1.0)
        return a * x * math.exp(b * x)

    reference = 60 * per_minute(params.threshold_hr_bpm)
    streams = activity.streams
    channels = dict(streams.channels) if streams else {}
    time = list(channels.get("time_s", []))
    weights = [t1 - t0 if 0 < t1 - t0 <= 30 else 0.0 for t0, t1 in itertools.pairwise(time)]
    weights += [0.0] if weights else []
    moving_s = activity.moving_s if activity.moving_s and activity.moving_s > 0 else None
    summary_s = moving_s if moving_s is not None else max(activity.duration_s, 0.0)

    def integral(values: Sequence[float], rate: Callable[[float], float]) -> float | None:
        moving = covered = total = 0.0
        for w, v in zip(weights, values, strict=True):
            moving += w
            if w > 0 and math.isfinite(v):
                covered += w
                total += w * rate(v)
        usable = covered > 0 and moving > 0 and covered >= 0.5 * moving
        return total * moving / covered if usable else None

    heart = list(channels.get("heart_rate_bpm", []))
    trimp = None
    if weights and heart:
        trimp = integral(heart, lambda hr: per_minute(math.floor(hr + 0.5)) / 60)
    if trimp is None:
        average = activity.avg_hr_bpm
        if average is None or not math.isfinite(average):
            finite = [hr for hr in heart if math.isfinite(hr)]
            average = sum(finite) / len(finite) if finite else None
        if average is not None and summary_s / 60 > 0:  # minutes, as the module has it
            trimp = summary_s / 60 * per_minute(average)
    if trimp is not None:
        return ActivityLoad(100 * trimp / reference, "hr", trimp, "")
    if rpe is not None:
        return ActivityLoad(summary_s / 60 * rpe * 100 / 420, "srpe", None, "")
    if activity.sport.is_run:
        speed = list(channels.get("speed_m_s", []))
        distance = list(channels.get("distance_m", []))
        if not speed and distance:
            speed = [
                (d1 - d0) / (t1 - t0) if t1 > t0 else math.nan
                for t0, t1, d0, d1 in zip(time, time[1:], distance, distance[1:], strict=False)
            ]
            speed.append(math.nan)
        speed = [v if 0 <= v <= 12 else math.nan for v in speed]
        threshold = 1000 / params.threshold_pace_s_per_km
        load = None
        if weights and speed:
            load = integral(speed, lambda v: (v / threshold) ** 2 * 100 / 3600)
        average = activity.distance_m / summary_s if activity.distance_m and summary_s > 0 else -1
        if load is None and 0 <= average <= 12:
            load = summary_s / 3600 * (average / threshold) ** 2 * 100
        if load is not None:
            return ActivityLoad(load, "pace", None, "")
    return ActivityLoad(summary_s / 3600 * 50, "duration", None, "")


def assert_same_load(
    result: ActivityLoad, activity: Activity, params: LoadParams, rpe: float | None
) -> None:
    """``result`` is what the oracle gets, up to float summation order."""
    expected = reference_load(activity, params, rpe)
    assert result.method == expected.method
    assert result.load == pytest.approx(expected.load, rel=1e-9, abs=1e-9)
    if expected.trimp is None:
        assert result.trimp is None
    else:
        assert result.trimp == pytest.approx(expected.trimp, rel=1e-9, abs=1e-9)


@st.composite
def any_streams(draw: st.DrawFn) -> Mapping[str, Sequence[float | None]]:
    """Irregular sampling with pauses, zero and backward steps; HR that repeats, is fractional,
    missing or infinite; speed or distance channels with glitches."""
    gaps = draw(
        st.lists(
            st.one_of(
                st.sampled_from([1.0, 1.0, 2.0, 30.0, 31.0, 0.0]),
                st.floats(min_value=-5.0, max_value=60.0),
            ),
            max_size=80,
        )
    )
    time = [0.0]
    for gap in gaps:
        time.append(time[-1] + gap)
    n = len(time)
    hr = st.one_of(
        st.none(),
        st.sampled_from([140.0, 150.0, 150.0, 150.5, 149.5, 151.4]),
        st.floats(min_value=0.0, max_value=260.0),
        st.just(math.inf),
    )
    streams: dict[str, Sequence[float | None]] = {"time_s": time}
    if draw(st.booleans()):
        streams["heart_rate_bpm"] = draw(st.lists(hr, min_size=n, max_size=n))
    pace = draw(st.sampled_from(["speed", "distance", "none"]))
    if pace == "speed":
        speed = st.one_of(st.none(), st.floats(min_value=-1.0, max_value=15.0), st.just(math.inf))
        streams["speed_m_s"] = draw(st.lists(speed, min_size=n, max_size=n))
    elif pace == "distance":
        steps = draw(st.lists(st.floats(min_value=-5.0, max_value=40.0), min_size=n, max_size=n))
        distance: list[float | None] = []
        total = 0.0
        for step in steps:
            total += step
            distance.append(total)
        streams["distance_m"] = distance
    return streams


@st.composite
def any_params(draw: st.DrawFn) -> LoadParams:
    resting = draw(st.floats(min_value=35.0, max_value=80.0))
    top = draw(st.floats(min_value=resting + 20.0, max_value=220.0))
    threshold = draw(st.floats(min_value=resting + 1.0, max_value=top))
    pace = draw(st.floats(min_value=180.0, max_value=480.0))
    female = draw(st.sampled_from([False, True, None]))
    sex: Sex | None = None if female is None else "female" if female else "male"
    return LoadParams(top, resting, threshold, pace, sex=sex)


@st.composite
def any_activity(draw: st.DrawFn) -> Activity:
    maybe = st.one_of(st.none(), st.floats(min_value=0.0, max_value=20_000.0))
    hr = st.one_of(st.none(), st.floats(min_value=0.0, max_value=260.0), st.just(math.nan))
    return run(
        draw(st.floats(min_value=0.0, max_value=20_000.0)),
        sport=draw(st.sampled_from(Sport)),
        streams=draw(st.one_of(st.none(), any_streams())),
        moving_s=draw(maybe),
        distance_m=draw(maybe),
        avg_hr_bpm=draw(hr),
        max_hr_bpm=draw(hr),
    )


@settings(max_examples=300)
@given(
    activity=any_activity(),
    params=any_params(),
    later=any_params(),
    rpe=st.one_of(st.none(), st.floats(min_value=0.0, max_value=10.0)),
)
def test_a_stored_basis_scores_like_the_activity_under_any_params(
    activity: Activity, params: LoadParams, later: LoadParams, rpe: float | None
) -> None:
    basis = load_basis(activity)
    assert load_from_basis(basis, params, rpe=rpe) == activity_load(activity, params, rpe=rpe)
    assert_same_load(load_from_basis(basis, params, rpe=rpe), activity, params, rpe)
    # Stored, the profile changed, read back: the same as walking the samples again.
    stored = LoadBasis.from_dict(json.loads(json.dumps(basis.to_dict())))
    assert stored == basis
    assert load_from_basis(stored, later, rpe=rpe) == activity_load(activity, later, rpe=rpe)
    assert_same_load(load_from_basis(stored, later, rpe=rpe), activity, later, rpe)
