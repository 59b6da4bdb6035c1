"""Fitness, fatigue and form day by day, and which days were hard.

Fitness, fatigue and form
-------------------------
Fitness (CTL) and fatigue (ATL) are the same recurrence with two time constants, N = 42 and
N = 7 days (GoldenCheetah's defaults, ``PMCData.cpp`` L47-L56; note §2.1)::

    X_t = X_(t-1) + k * (L_t - X_(t-1))        L_t = the day's summed load, 0 on a rest day

Tools disagree on k, and on which day's values form (TSB) is taken from. ``fitness_series``
computes any of the three k in use (``Decay``) and gives both forms on every ``DayLoad``:

- ``Decay.EXP``, k = 1 - e^(-1/N) (0.023528 and 0.133122): GoldenCheetah ``PMCData.cpp``
  L327-L345, Elevate ``fitness.service.ts`` L241-L243, intervals.icu (note §2.1). **rubdown's
  convention**: it is the discrete form of the continuous exponential decay with time
  constant N, so it is what "42-day time constant" means.
- ``Decay.RECIPROCAL``, k = 1/N (0.023810 and 0.142857): Coggan's PMC formula as usually
  published; whether TrainingPeaks uses it internally is not documented (note §2.1).
- ``Decay.EWMA``, k = 2/(N + 1) (0.046512 and 0.25): the EWMA of Williams et al. 2017 from
  the acute:chronic workload literature (note §3.1). With N = 42 it halves the memory of
  fitness; the note warns not to call the result CTL. It is here to reproduce the note's
  tables and to show what the choice does, not for the runner's chart.
- ``DayLoad.tsb``, **rubdown's form**: yesterday's CTL - ATL, "form this morning" before the
  day's training. TrainingPeaks ("Form (TSB) = Yesterday's Fitness (CTL) - Yesterday's
  Fatigue (ATL)"), GoldenCheetah's default and Elevate (note §2.2). A massage planner asks how
  fresh the legs are on the morning of a session, which is this value.
- ``DayLoad.tsb_same_day``: CTL - ATL after the day's load, intervals.icu's form and
  GoldenCheetah with "SB today" (note §2.2). On the note's race day the two differ by 12
  points, far more than the choice of k moves anything (§4.6).
- ``DayLoad.ramp``: CTL - CTL seven days before (CTL - the seed for the first seven days),
  GoldenCheetah's ramp rate ``PMCData.cpp`` L352-L362 (note §2.3).

Seeds: both values start at ``ctl0``/``atl0`` at the end of the day before the series, 0 by
default, as GoldenCheetah starts at 0 the day before the first activity (note §2.1). A caller
that shows a window of a longer history should start the series at the first activity so
the window's first days carry their past.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from rubdown.domain.model import WorkoutKind
from rubdown.errors import InvalidValue

# Hard days.
LONG_RUN_S = 90 * 60.0
HARD_LOAD_RATIO = 1.5
HARD_HISTORY_DAYS = 28
MIN_HISTORY_DAYS = 5
HARD_LOAD_FALLBACK = 80.0


class Decay(StrEnum):
    """How much of the gap to today's load a day closes: k for a time constant of N days."""

    EXP = "exp"  # k = 1 - e^(-1/N): GoldenCheetah, Elevate, intervals.icu; rubdown's own
    RECIPROCAL = "reciprocal"  # k = 1/N: Coggan's formula as published
    EWMA = "ewma"  # k = 2/(N + 1): Williams et al. 2017, the ACWR literature

    @property
    def formula(self) -> str:
        return _DECAY_FORMULAS[self]


_DECAY_FORMULAS = {
    Decay.EXP: "k = 1 − e^(−1/N)",
    Decay.RECIPROCAL: "k = 1/N",
    Decay.EWMA: "k = 2/(N + 1)",
}


class FormConvention(StrEnum):
    """Which day's fitness and fatigue a day's form is taken from."""

    YESTERDAY = "yesterday"  # form this morning: TrainingPeaks, GoldenCheetah, Elevate; rubdown
    SAME_DAY = "same-day"  # form after the day's load: intervals.icu

    @property
    def formula(self) -> str:
        return _FORM_FORMULAS[self]


_FORM_FORMULAS = {
    FormConvention.YESTERDAY: "form this morning = yesterday's fitness − yesterday's fatigue",
    FormConvention.SAME_DAY: "form tonight = today's fitness − today's fatigue",
}

# Time constants of fitness and fatigue, in days: GoldenCheetah's defaults (note §2.1).
CTL_DAYS = 42
ATL_DAYS = 7

# GoldenCheetah's ramp rate looks back its ATL days, 7 by default (note §2.3); a fixed week
# here, so the ramp reads "CTL points per week" whatever time constants are chosen.
RAMP_DAYS = 7


@dataclass(frozen=True)
class DayLoad:
    """One day: its load, end-of-day CTL and ATL, form that morning (yesterday's values) and
    the ramp of CTL over the last ``RAMP_DAYS`` days."""

    date: date
    load: float
    ctl: float
    atl: float
    tsb: float
    ramp: float

    @property
    def tsb_same_day(self) -> float:
        """Form after the day's load (intervals.icu): today's CTL - ATL."""
        return self.ctl - self.atl

    def form(self, convention: FormConvention = FormConvention.YESTERDAY) -> float:
        return self.tsb if convention is FormConvention.YESTERDAY else self.tsb_same_day


# --- daily series -----------------------------------------------------------------------------


def daily_loads(entries: Iterable[tuple[date, float]]) -> dict[date, float]:
    """Sum loads per day (two runs on one day make one day's load)."""
    totals: dict[date, float] = {}
    for day, load in entries:
        if not (math.isfinite(load) and load >= 0.0):
            raise InvalidValue(f"a load must be a non-negative number, got {load} on {day}")
        totals[day] = totals.get(day, 0.0) + load
    return totals


def decay_constant(days: float, decay: Decay = Decay.EXP) -> float:
    """k for a time constant of ``days`` (§2.1): 0.023528 and 0.133122 for N = 42 and 7 under
    EXP, 0.023810 and 0.142857 under 1/N, 0.046512 and 0.25 under 2/(N + 1)."""
    if not (math.isfinite(days) and days > 0):
        raise InvalidValue(f"a time constant must be a positive number of days, got {days}")
    if decay is Decay.EXP:
        return 1.0 - math.exp(-1.0 / days)
    # Below one day these two give k > 1: each day would overshoot its own load.
    if days < 1:
        raise InvalidValue(f"{decay.formula} needs a time constant of at least 1 day, got {days}")
    return 1.0 / days if decay is Decay.RECIPROCAL else 2.0 / (days + 1.0)


def fitness_series(
    daily: Mapping[date, float],
    start: date,
    end: date,
    *,
    ctl_days: float = CTL_DAYS,
    atl_days: float = ATL_DAYS,
    ctl0: float = 0,
    atl0: float = 0,
    decay: Decay = Decay.EXP,
    keep_from: date | None = None,
) -> list[DayLoad]:
    """CTL, ATL, form and ramp for every day from ``start`` to ``end`` inclusive.

    ``ctl0`` and ``atl0`` are the values at the end of the day before ``start`` (loads before
    ``start`` are ignored: the seeds stand for them). A day missing from ``daily`` is a rest
    day. ``tsb`` is that morning's form, yesterday's CTL - ATL (§2.2); ``tsb_same_day`` the
    evening's. ``decay`` picks k (see the module docstring); the default is rubdown's.
    ``keep_from``: days before it are computed the same way but left out of the list.
    """
    k_ctl, k_atl = decay_constant(ctl_days, decay), decay_constant(atl_days, decay)
    ctl, atl = float(ctl0), float(atl0)
    # CTL at the end of each of the last RAMP_DAYS days, oldest first; the seed stands in for
    # the days before ``start``, so the first week's ramp is measured from it (as GC does).
    week = deque([ctl] * RAMP_DAYS, maxlen=RAMP_DAYS)
    series = []
    day = start
    while day <= end:
        load = daily.get(day, 0.0)
        form = ctl - atl
        ctl += k_ctl * (load - ctl)
        atl += k_atl * (load - atl)
        if keep_from is None or day >= keep_from:
            series.append(DayLoad(day, load, ctl, atl, form, ctl - week[0]))
        week.append(ctl)
        day += timedelta(days=1)
    return series


# --- hard days --------------------------------------------------------------------------------


def classify_day(
    day: date,
    load: float,
    duration_s: float,
    history: Mapping[date, float],
    sport_is_run: bool,
) -> WorkoutKind:
    """What kind of training day this was, for the massage timing rules.

    - REST: nothing done (no load, no time).
    - LONG: a run of 90 min or more. There is no single published cut-off; 90 min is our
      choice because past about 90 min glycogen runs low and the next days' soreness is that
      of a long effort rather than of an easy run, whatever the heart rate said.
    - TEMPO ("hard by load"): load above 1.5 * the mean of the non-zero days in the 28 days
      before. 1.5 mirrors the spike ratio that circulates for acute:chronic load (Gabbett 2016,
      §3.2), used here only as "clearly above this runner's usual day", not as injury risk.
      With fewer than 5 such days the mean is noise, so a fixed 80 applies: about an hour at
      IF 0.9 (rTSS 81, §4.5), a proper workout for most recreational runners.
    - EASY otherwise.
    """
    if load <= 0.0 and duration_s <= 0.0:
        return WorkoutKind.REST
    if sport_is_run and duration_s >= LONG_RUN_S:
        return WorkoutKind.LONG
    window = [
        history.get(day - timedelta(days=back), 0.0) for back in range(1, HARD_HISTORY_DAYS + 1)
    ]
    trained = [value for value in window if value > 0.0]
    if len(trained) >= MIN_HISTORY_DAYS:
        threshold = HARD_LOAD_RATIO * sum(trained) / len(trained)
    else:
        threshold = HARD_LOAD_FALLBACK
    return WorkoutKind.TEMPO if load > threshold else WorkoutKind.EASY
