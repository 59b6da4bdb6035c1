"""Training load: one number per activity, on one scale, from whatever the activity has.

The common scale
----------------
Every method puts its result on one scale, the "hour at threshold" scale: **100 = one hour
at lactate-threshold intensity**. That is the scale of TSS, rTSS and of the heart-rate score
that GoldenCheetah calls "TRIMP(100)" and Elevate calls HRSS (research note
``anchors-science.md`` §1.2, §1.7, §1.8). The note warns not to mix raw session-RPE units with
TSS-like units in one CTL (§1.6), so each method below is converted onto this one scale:

- ``"hr"``: HRSS = 100 * Banister TRIMP of the session / TRIMP of 60 min at threshold HR
  (GoldenCheetah ``TRIMPPoints.cpp`` L154-L158, Elevate ``activity-computer.ts`` L188-L199,
  note §1.2). TRIMP is summed sample by sample over the heart-rate stream, each sample weighted
  by the time to the next one; without a stream the average HR stands in for the whole
  session, as GoldenCheetah and Elevate do (§1.1).
- ``"pace"``: rTSS form, hours * IF² * 100 with IF = speed / threshold speed, using speeds not
  paces (§1.8, Elevate's running stress score §5.1). Summed per sample from the speed (or
  distance) stream, or from distance / moving time. There is no grade adjustment, so hilly
  runs score low; heart rate, when recorded, always wins over pace.
- ``"srpe"``: Foster's session RPE, minutes * CR-10 RPE (Foster 2001, §1.6), mapped linearly
  so that 60 min at RPE 7 ("very hard", our reading of a threshold hour: the pace "sustainable
  ~1 h", §1.8) scores 100. The factor is 100 / 420 per arbitrary unit. Linear keeps Foster's
  proportionality between sessions; the anchor at RPE 7 is our calibration, not a published
  one. Check: 60 min at RPE 6 gives 85.7, near the "~60-80 TSS" the note quotes for 360 AU.
- ``"duration"``: nothing but a duration: the note's "duration * zone-typical TSS/h" (§5.1)
  with 50 per hour, what an easy aerobic hour scores on the HR scale (at 65 % of HR reserve
  with threshold at 85 %, HRSS per hour is 52 for the male constants).

Recomputing
-----------
The walk over the samples is the costly part, and nothing in it depends on the runner's
parameters. ``load_basis`` does it once per activity and keeps a small ``LoadBasis``
(seconds per whole bpm, moving and covered seconds, Σ dt·v², the summary fields);
``load_from_basis`` turns a stored basis into a load for any ``LoadParams`` in microseconds.
``activity_load`` is the two in a row.
Fitness, fatigue and form day by day are in ``domain.fitness``.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from itertools import pairwise
from typing import Literal, NamedTuple

from rubdown.domain.activity import Activity
from rubdown.errors import InvalidValue

Sex = Literal["male", "female"]

# Banister TRIMP weighting a·x·e^(b·x) (§1.1). Literature pairs: male 0.64/1.92, female
# 0.86/1.67. GoldenCheetah and Elevate keep a = 0.64 for women; the hour-at-threshold load
# divides by a TRIMP with the same a, so ``load`` is identical under either choice and only
# the raw ``trimp`` differs. With sex unknown we use the male pair (our choice); only b then
# matters for ``load``, and it moves little: the §4.5 session scores 63.3 male, 65.6 female.
_BANISTER: dict[str | None, tuple[float, float]] = {
    "male": (0.64, 1.92),
    "female": (0.86, 1.67),
    None: (0.64, 1.92),
}

# A gap between two samples longer than this is a pause (auto-pause, stop at a light) or a
# signal loss: that time counts as not moving. Devices record every 1 s or, in "smart"
# recording, every few seconds, so 30 s is well above any normal sampling interval.
MAX_GAP_S = 30.0
# A stream must cover at least this share of the moving time to be used; shorter dropouts are
# filled at the mean intensity of the rest of the session.
MIN_STREAM_COVERAGE = 0.5
# Faster than any human runs (Bolt's 100 m average is about 10.4 m/s): a GPS glitch.
MAX_RUN_SPEED_M_S = 12.0

SRPE_THRESHOLD_RPE = 7.0  # CR-10 rating we take for an hour at threshold (see module docstring)
DEFAULT_LOAD_PER_HOUR = 50.0  # an easy aerobic hour on the common scale

# Estimation defaults, used only when neither the runner nor their data give a value.
DEFAULT_MAX_HR_BPM = 187.0  # Tanaka 208 - 0.7·age at age 30 (§5.2, citation [U] in the note)
DEFAULT_RESTING_HR_BPM = 60.0  # our choice: the low end of the usual adult range
DEFAULT_THRESHOLD_PACE_S_PER_KM = 300.0  # our choice: 5:00/km, a recreational runner
# Elevate's default LTHR: resting + 0.85 * HR reserve (``DEFAULT_LTHR_KARVONEN_HRR_FACTOR``, §1.2).
LTHR_RESERVE_FRACTION = 0.85
MAX_HR_PERCENTILE = 95.0  # not the maximum: optical sensors lock onto cadence and spike
MIN_ACTIVITIES_FOR_MAX_HR = 5
# FTPace is the pace sustainable for about an hour (§1.8); efforts of 40 min or more are
# close to that. A 40-50 min best is a little faster than an hour's pace, which the note says
# inflates rTSS slightly when used as threshold (§1.8); we accept that.
MIN_THRESHOLD_EFFORT_S = 40 * 60.0


@dataclass(frozen=True)
class LoadParams:
    """The runner's physiology as the load model needs it; ``estimated`` names the fields
    that came from their data or a default rather than from the runner."""

    max_hr_bpm: float
    resting_hr_bpm: float
    threshold_hr_bpm: float
    threshold_pace_s_per_km: float
    sex: Sex | None = None
    estimated: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        values = (
            self.max_hr_bpm,
            self.resting_hr_bpm,
            self.threshold_hr_bpm,
            self.threshold_pace_s_per_km,
        )
        if not all(math.isfinite(v) and v > 0 for v in values):
            raise InvalidValue(f"load parameters must be positive numbers, got {values}")
        if not self.resting_hr_bpm < self.threshold_hr_bpm <= self.max_hr_bpm:
            raise InvalidValue(
                "heart rates must satisfy resting < threshold <= max, got "
                f"{self.resting_hr_bpm:g} / {self.threshold_hr_bpm:g} / {self.max_hr_bpm:g}"
            )
        if self.sex not in ("male", "female", None):
            raise InvalidValue(f"sex must be 'male', 'female' or unset, got {self.sex!r}")

    @property
    def threshold_speed_m_s(self) -> float:
        return 1000.0 / self.threshold_pace_s_per_km


@dataclass(frozen=True)
class ActivityLoad:
    load: float
    method: Literal["hr", "pace", "srpe", "duration"]
    trimp: float | None
    detail: str


# --- the per-activity summary -----------------------------------------------------------------

# Bump when a rule that shapes the summary changes (gap cap, glitch cap, binning, fields):
# stored summaries of another version are refused by ``LoadBasis.from_dict`` and must be
# rebuilt from their activities.
BASIS_VERSION = 1


@dataclass(frozen=True)
class LoadBasis:
    """Everything ``load_from_basis`` needs from one activity, independent of ``LoadParams``.

    ``load_basis`` builds it in one pass over the samples; the load for any parameters is then
    computed from a few hundred numbers at most, so a change of the runner's profile costs
    O(activities), not O(samples). Every value is a bool, int, float, None or a tuple of
    those, so ``to_dict`` is plain JSON.

    Stream fields follow the rules of the per-sample model: each sample stands for the gap to
    the next one, a gap over ``MAX_GAP_S`` (or not positive) is a pause and counts for nothing,
    speeds outside 0 to ``MAX_RUN_SPEED_M_S`` are glitches and count as missing. The dropout
    fill (scaling by moving / covered time) is applied in ``load_from_basis`` from
    ``stream_moving_s`` and the ``*_covered_s`` fields.

    Heart rate is kept as seconds per whole bpm (half-up rounding), not per raw value. FIT,
    TCX, GPX and Strava record integer bpm, for which this is exact. A fractional reading
    (some XML exports) moves by at most 0.5 bpm; at 150 bpm with rest 50 and max 190 the
    Banister weight changes by about 2.4 % per bpm, so one such sample is off by at most about
    1.2 %, and over a session the roundings largely cancel (well under 0.1 % for readings
    spread evenly across the bins). The average HR paths (summary or mean of the samples)
    use the exact values.

    ``speed_covered_s`` and ``speed_sq_sum`` are left at 0 when the pace method cannot be
    reached: for activities that are not runs, and when heart rate already decides the load
    (HR always wins over pace). The method chosen does not depend on ``LoadParams``.
    """

    is_run: bool
    duration_s: float  # elapsed, pauses included
    moving_s: float  # summary moving time, else elapsed time, never negative
    distance_m: float | None  # summary distance, None when absent or not finite
    avg_hr_bpm: float | None  # summary average, None when absent or not finite
    max_hr_bpm: float | None  # highest finite HR of the summary and the stream
    stream_hr_mean_bpm: float | None  # plain mean of every finite HR sample
    stream_moving_s: float  # Σ gaps of 0 < dt <= MAX_GAP_S
    pauses: int  # gaps over MAX_GAP_S
    hr_covered_s: float  # moving seconds whose sample has a finite HR
    hr_seconds: tuple[tuple[int, float], ...]  # (bpm, moving seconds at it), bpm ascending
    speed_covered_s: float  # moving seconds whose sample has a plausible speed
    speed_sq_sum: float  # Σ dt · v² over those samples, in m²/s
    version: int = BASIS_VERSION

    def to_dict(self) -> dict[str, object]:
        """Every field by name, in field order, as plain JSON values.

        The bins stay the tuple of ``(bpm, seconds)`` pairs: JSON writes a tuple as the same
        array a list gives, and ``from_dict`` reads either, so no list is made per bin (an
        import makes thousands of bases of dozens of bins, and sends them between processes).
        """
        return {name: getattr(self, name) for name in _BASIS_FIELDS}

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> LoadBasis:
        """Read what ``to_dict`` wrote (after a JSON round trip too).

        Raises ``InvalidValue`` for a malformed mapping or one of another ``BASIS_VERSION``:
        the caller then rebuilds the basis from the activity.
        """
        version = data.get("version")
        if version != BASIS_VERSION:
            raise InvalidValue(f"load basis version {version!r}, expected {BASIS_VERSION}")
        bins = data.get("hr_seconds")
        if not isinstance(bins, list | tuple):
            raise InvalidValue(f"load basis hr_seconds must be a list, got {bins!r}")
        pairs = _plain_bins(bins)
        if pairs is None:  # something to refuse: found, and named, the slow way
            pairs = []
            for pair in bins:
                if not (isinstance(pair, list | tuple) and len(pair) == 2):
                    raise InvalidValue(f"load basis hr_seconds holds {pair!r}, not [bpm, seconds]")
                pairs.append(
                    (_int_field("hr_seconds bpm", pair[0]), _float_field("hr_seconds", pair[1]))
                )
        is_run = data.get("is_run")
        if not isinstance(is_run, bool):
            raise InvalidValue(f"load basis is_run must be a bool, got {is_run!r}")

        def number(name: str) -> float:
            return _float_field(name, data.get(name))

        def optional(name: str) -> float | None:
            value = data.get(name)
            return None if value is None else _float_field(name, value)

        return cls(
            is_run=is_run,
            duration_s=number("duration_s"),
            moving_s=number("moving_s"),
            distance_m=optional("distance_m"),
            avg_hr_bpm=optional("avg_hr_bpm"),
            max_hr_bpm=optional("max_hr_bpm"),
            stream_hr_mean_bpm=optional("stream_hr_mean_bpm"),
            stream_moving_s=number("stream_moving_s"),
            pauses=_int_field("pauses", data.get("pauses")),
            hr_covered_s=number("hr_covered_s"),
            hr_seconds=tuple(sorted(pairs)),
            speed_covered_s=number("speed_covered_s"),
            speed_sq_sum=number("speed_sq_sum"),
            version=BASIS_VERSION,
        )


_BASIS_FIELDS = tuple(f.name for f in fields(LoadBasis))


def _plain_bins(bins: list[object] | tuple[object, ...]) -> list[tuple[int, float]] | None:
    """The bins when every one is a plain ``[int, number]`` pair (what ``to_dict`` writes),
    checked without a call per bin: a refresh reads thousands of bases of dozens of bins.
    None when any is not, for the caller to say which."""
    pairs = []
    for pair in bins:
        if isinstance(pair, list | tuple) and len(pair) == 2:
            bpm, seconds = pair
            if type(bpm) is int and (type(seconds) is float or type(seconds) is int):
                pairs.append((bpm, float(seconds)))
                continue
        return None
    return pairs


def _float_field(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidValue(f"load basis {name} must be a number, got {value!r}")
    return float(value)


def _int_field(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidValue(f"load basis {name} must be an integer, got {value!r}")
    return value


def _finite_or_none(value: float | None) -> float | None:
    # A non-finite distance or average scores exactly as a missing one (the pace path refuses
    # a non-finite average speed), and JSON has no NaN.
    return value if value is not None and math.isfinite(value) else None


def _summary_moving_seconds(moving_s: float | None, duration_s: float) -> float:
    if moving_s is not None and moving_s > 0:
        return moving_s
    return max(duration_s, 0.0)


def _stream_usable(moving: float, covered: float) -> bool:
    """A stream is integrated when it covers ``MIN_STREAM_COVERAGE`` of the moving time
    (``covered > 0`` too: half of a subnormal moving time rounds to 0)."""
    return covered > 0.0 and moving > 0.0 and covered >= MIN_STREAM_COVERAGE * moving


def _average_hr(basis: LoadBasis) -> tuple[float, float, str] | None:
    """(average bpm, moving minutes, where the average came from) for the average-HR method."""
    return _average_hr_of(basis.moving_s, basis.avg_hr_bpm, basis.stream_hr_mean_bpm)


def _average_hr_of(
    moving_s: float, avg_hr_bpm: float | None, stream_hr_mean_bpm: float | None
) -> tuple[float, float, str] | None:
    """``_average_hr`` of a basis with these fields (``load_basis`` asks before building it)."""
    minutes = moving_s / 60.0
    if avg_hr_bpm is not None:
        average, source = avg_hr_bpm, "average HR"
    elif stream_hr_mean_bpm is not None:
        # A stream too short or patchy to integrate still says roughly how hard it was.
        average, source = stream_hr_mean_bpm, "mean of the recorded HR samples"
    else:
        return None
    return None if minutes <= 0 else (average, minutes, source)


# The heart rate walk's answer: moving seconds, seconds with a finite HR, pauses, seconds per
# whole bpm (see ``walk_heart``).
HeartWalk = Callable[[Sequence[float], Sequence[float]], tuple[float, float, int, dict[int, float]]]
# The mean and maximum of the finite HR samples (see ``_hr_mean_and_max``).
HeartStats = Callable[[Sequence[float] | None], tuple[float | None, float | None]]
# The speed walk's answer: moving seconds, pauses, seconds with a plausible speed, Σ dt · v²
# over those (see ``walk_speed``).
SpeedWalk = Callable[[Sequence[float], Sequence[float]], tuple[float, int, float, float]]


def load_basis(
    activity: Activity,
    heart_walk: HeartWalk | None = None,
    heart_stats: HeartStats | None = None,
    speed_walk: SpeedWalk | None = None,
) -> LoadBasis:
    """The one pass over the activity's samples; see ``LoadBasis`` for what it keeps.

    ``heart_walk``, ``heart_stats`` and ``speed_walk`` replace ``walk_heart``,
    ``_hr_mean_and_max`` and ``walk_speed`` with faster ones that give the same numbers (the
    import's, on NumPy arrays, outside the domain).

    One walk over the time channel together with the channel the method will use: heart rate
    when there is one; speed (or distance) for a run whose heart rate cannot decide; the
    time alone otherwise. Only a run with an HR stream too patchy to use and no moving time
    gets a second walk. See ``walk_heart`` for the speed tricks.
    """
    streams = activity.streams
    channels = streams.channels if streams else {}
    time = channels.get("time_s")
    heart = channels.get("heart_rate_bpm")
    stream_mean, highest = (heart_stats or _hr_mean_and_max)(heart)
    summary_max = activity.max_hr_bpm
    if summary_max is not None and math.isfinite(summary_max):
        highest = summary_max if highest is None else max(highest, summary_max)
    is_run = activity.sport.is_run
    moving_s = _summary_moving_seconds(activity.moving_s, activity.duration_s)
    avg_hr = _finite_or_none(activity.avg_hr_bpm)
    # Built once, with the walks' sums: no copy per walk (an import builds thousands).
    walked = _walk_streams(
        time,
        heart,
        channels,
        is_run=is_run,
        average_known=_average_hr_of(moving_s, avg_hr, stream_mean) is not None,
        heart_walk=heart_walk or walk_heart,
        speed_walk=speed_walk or walk_speed,
    )
    return LoadBasis(
        is_run=is_run,
        duration_s=activity.duration_s,
        moving_s=moving_s,
        distance_m=_finite_or_none(activity.distance_m),
        avg_hr_bpm=avg_hr,
        max_hr_bpm=highest,
        stream_hr_mean_bpm=stream_mean,
        stream_moving_s=walked.stream_moving_s,
        pauses=walked.pauses,
        hr_covered_s=walked.hr_covered_s,
        hr_seconds=walked.hr_seconds,
        speed_covered_s=walked.speed_covered_s,
        speed_sq_sum=walked.speed_sq_sum,
    )


class _Walked(NamedTuple):
    """The stream fields of a ``LoadBasis``: what the walks found, 0 where none walked."""

    stream_moving_s: float = 0.0
    pauses: int = 0
    hr_covered_s: float = 0.0
    hr_seconds: tuple[tuple[int, float], ...] = ()
    speed_covered_s: float = 0.0
    speed_sq_sum: float = 0.0


def _walk_streams(
    time: Sequence[float] | None,
    heart: Sequence[float] | None,
    channels: Mapping[str, Sequence[float]],
    *,
    is_run: bool,
    average_known: bool,
    heart_walk: HeartWalk,
    speed_walk: SpeedWalk,
) -> _Walked:
    """The walks ``load_basis`` makes (see there) and what they found."""
    if time is None or len(time) < 2:
        return _Walked()
    speed, distance = channels.get("speed_m_s"), channels.get("distance_m")
    pace_reachable = is_run and (speed is not None or distance is not None)
    by_heart = _Walked()
    if heart is not None:
        moving, covered, pauses, bins = heart_walk(time, heart)
        by_heart = _Walked(moving, pauses, covered, tuple(sorted(bins.items())))
        if _stream_usable(moving, covered) or average_known:
            return by_heart  # heart rate decides: the pace sums are never read
    elif not pace_reachable or average_known:
        moving, pauses = _walk_time(time)
        return _Walked(moving, pauses)
    if speed is not None and is_run:
        moving, pauses, covered, squares = speed_walk(time, speed)
    elif distance is not None and is_run:
        moving, pauses, covered, squares = _walk_distance(time, distance)
    else:
        return by_heart
    # The heart rate's bins stay (too patchy to decide); the time sums are the speed walk's.
    return _Walked(moving, pauses, by_heart.hr_covered_s, by_heart.hr_seconds, covered, squares)


# The walks below run once per sample, so they avoid what costs in CPython: calls, attribute
# and global lookups, indexing. They zip the arrays with themselves shifted by one sample
# (each sample stands for the gap to the next), test finiteness as ``x - x == 0.0`` (NaN and
# ±inf give NaN), and compare chained bounds on local names. Moving and covered time are the
# same sequential sums as in a plain per-sample loop, so the coverage decisions are identical.


def _walk_time(time: Sequence[float]) -> tuple[float, int]:
    """Moving seconds and pauses of the time channel alone."""
    cap = MAX_GAP_S
    moving = 0.0
    pauses = 0
    for t0, t1 in pairwise(time):
        gap = t1 - t0
        if 0.0 < gap <= cap:
            moving += gap
        elif gap > cap:
            pauses += 1
    return moving, pauses


def walk_heart(
    time: Sequence[float], heart: Sequence[float]
) -> tuple[float, float, int, dict[int, float]]:
    """Moving seconds, seconds with a finite HR, pauses, and seconds per whole bpm.

    Heart rate changes slowly, so consecutive equal readings are gathered in a local run and
    a dictionary is touched (and a value rounded) only when the reading changes. The first
    flush adds an empty run to bin 0, dropped at the end: every real bin has seconds > 0.
    """
    cap = MAX_GAP_S
    floor = math.floor
    bins: defaultdict[int, float] = defaultdict(float)
    moving = covered = run = current = 0.0
    pauses = 0
    for t0, t1, hr in zip(time, time[1:], heart, strict=False):
        gap = t1 - t0
        if 0.0 < gap <= cap:
            moving += gap
            if hr == current:
                covered += gap
                run += gap
            elif hr - hr == 0.0:
                covered += gap
                bins[floor(current + 0.5)] += run
                current = hr
                run = gap
        elif gap > cap:
            pauses += 1
    bins[floor(current + 0.5)] += run
    return moving, covered, pauses, {bpm: s for bpm, s in bins.items() if s > 0.0}


def _hr_mean_and_max(heart: Sequence[float] | None) -> tuple[float | None, float | None]:
    """Plain mean and maximum of the finite HR samples, every sample counted once."""
    if not heart:
        return None, None
    total = sum(heart)
    if total - total == 0.0:  # no NaN or inf anywhere: C-speed sum and max
        return total / len(heart), max(heart)
    readings = [hr for hr in heart if hr - hr == 0.0]
    if not readings:
        return None, None
    return sum(readings) / len(readings), max(readings)


def walk_speed(time: Sequence[float], speed: Sequence[float]) -> tuple[float, int, float, float]:
    """Moving seconds, pauses, seconds with a plausible speed, and Σ dt · v² over those."""
    cap, top = MAX_GAP_S, MAX_RUN_SPEED_M_S
    moving = covered = squares = 0.0
    pauses = 0
    for t0, t1, v in zip(time, time[1:], speed, strict=False):
        gap = t1 - t0
        if 0.0 < gap <= cap:
            moving += gap
            if 0.0 <= v <= top:
                covered += gap
                squares += gap * v * v
        elif gap > cap:
            pauses += 1
    return moving, pauses, covered, squares


def _walk_distance(
    time: Sequence[float], distance: Sequence[float]
) -> tuple[float, int, float, float]:
    """As ``walk_speed``, each speed being metres to the next sample over the gap."""
    cap, top = MAX_GAP_S, MAX_RUN_SPEED_M_S
    moving = covered = squares = 0.0
    pauses = 0
    for t0, t1, d0, d1 in zip(time, time[1:], distance, distance[1:], strict=False):
        gap = t1 - t0
        if 0.0 < gap <= cap:
            moving += gap
            v = (d1 - d0) / gap
            if 0.0 <= v <= top:
                covered += gap
                squares += gap * v * v
        elif gap > cap:
            pauses += 1
    return moving, pauses, covered, squares


# --- parameters -------------------------------------------------------------------------------


def _percentile(values: Sequence[float], pct: float) -> float:
    ordered = sorted(values)
    position = (len(ordered) - 1) * pct / 100.0
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _plausible_max_hr(best: float | None) -> float | None:
    # Below 120 the session was too easy to say anything about max; above 230 is an artefact.
    return best if best is not None and 120.0 <= best <= 230.0 else None


def _activity_max_hr(activity: Activity) -> float | None:
    stream = activity.streams.get("heart_rate_bpm") if activity.streams else None
    candidates = [v for v in stream or () if math.isfinite(v)]
    if activity.max_hr_bpm is not None and math.isfinite(activity.max_hr_bpm):
        candidates.append(activity.max_hr_bpm)
    return _plausible_max_hr(max(candidates, default=None))


def estimate_params(
    *,
    max_hr_bpm: float | None = None,
    resting_hr_bpm: float | None = None,
    threshold_hr_bpm: float | None = None,
    threshold_pace_s_per_km: float | None = None,
    sex: Sex | None = None,
    activities: Sequence[Activity] = (),
    resting_hr_samples: Sequence[float] = (),
    bases: Sequence[LoadBasis] = (),
) -> LoadParams:
    """Fill what the runner did not give from their own data, else from stated defaults.

    - resting HR: the median of the wellness samples, else ``DEFAULT_RESTING_HR_BPM``;
    - max HR: the 95th percentile of the activities' max HR (stream or summary) once there
      are 5 of them, else the population default or any higher value actually reached;
    - threshold HR: resting + 0.85 * reserve, Elevate's default LTHR (note §1.2);
    - threshold pace: the fastest average pace of a run of 40 min or more, else 5:00/km.

    The history is ``activities`` and ``bases`` together: a stored ``LoadBasis`` carries the
    stream's max HR and the summary fields, so an import can pass bases instead of activities
    and no stream need be read. Give each activity once, as one or the other: one given both
    ways counts twice.

    Every field filled this way is named in ``estimated``. An estimate from easy runs only
    sits low (max HR, threshold pace) and so makes loads too high: the runner should be
    asked for real values when ``estimated`` is not empty.
    """
    estimated: set[str] = set()

    if resting_hr_bpm is None:
        estimated.add("resting_hr_bpm")
        samples = [s for s in resting_hr_samples if math.isfinite(s) and 25.0 <= s <= 120.0]
        # The median shrugs off the odd bad night (illness, alcohol) that a mean would not.
        resting_hr_bpm = _percentile(samples, 50.0) if samples else DEFAULT_RESTING_HR_BPM

    if max_hr_bpm is None:
        estimated.add("max_hr_bpm")
        found = [*map(_activity_max_hr, activities)]
        found += [_plausible_max_hr(basis.max_hr_bpm) for basis in bases]
        maxima = [m for m in found if m is not None]
        if len(maxima) >= MIN_ACTIVITIES_FOR_MAX_HR:
            max_hr_bpm = _percentile(maxima, MAX_HR_PERCENTILE)
        else:
            # Too few sessions for a percentile; a higher value the runner really reached
            # beats the population formula, a lower one (easy runs only) says nothing.
            max_hr_bpm = max([DEFAULT_MAX_HR_BPM, *maxima])
        if threshold_hr_bpm is not None and max_hr_bpm <= threshold_hr_bpm:
            # The runner's own threshold outranks our guess: invert Elevate's rule.
            max_hr_bpm = resting_hr_bpm + (threshold_hr_bpm - resting_hr_bpm) / (
                LTHR_RESERVE_FRACTION
            )

    if threshold_hr_bpm is None:
        estimated.add("threshold_hr_bpm")
        threshold_hr_bpm = resting_hr_bpm + LTHR_RESERVE_FRACTION * (max_hr_bpm - resting_hr_bpm)

    if threshold_pace_s_per_km is None:
        estimated.add("threshold_pace_s_per_km")
        efforts = [
            (a.sport.is_run, a.distance_m, _summary_moving_seconds(a.moving_s, a.duration_s))
            for a in activities
        ]
        efforts += [(b.is_run, b.distance_m, b.moving_s) for b in bases]
        best = _best_sustained_pace(efforts)
        threshold_pace_s_per_km = best if best is not None else DEFAULT_THRESHOLD_PACE_S_PER_KM

    return LoadParams(
        max_hr_bpm=max_hr_bpm,
        resting_hr_bpm=resting_hr_bpm,
        threshold_hr_bpm=threshold_hr_bpm,
        threshold_pace_s_per_km=threshold_pace_s_per_km,
        sex=sex,
        estimated=frozenset(estimated),
    )


def _best_sustained_pace(efforts: Iterable[tuple[bool, float | None, float]]) -> float | None:
    """Fastest average pace (s/km) over runs (is_run, distance, moving s) of 40 min or more."""
    paces = []
    for is_run, distance_m, seconds in efforts:
        if not is_run or not distance_m or seconds < MIN_THRESHOLD_EFFORT_S:
            continue
        pace = seconds / (distance_m / 1000.0)
        if 150.0 <= pace <= 600.0:  # 2:30-10:00/km: outside is a mislabelled ride or a walk
            paces.append(pace)
    return min(paces, default=None)


# --- one activity -----------------------------------------------------------------------------


def _reserve_fraction(hr: float, params: LoadParams) -> float:
    # Below resting counts as no load (GoldenCheetah returns 0 there, §1.1); above max is a
    # sensor artefact or a max set too low, and we do not extrapolate the exponential past it.
    x = (hr - params.resting_hr_bpm) / (params.max_hr_bpm - params.resting_hr_bpm)
    return min(max(x, 0.0), 1.0)


def _trimp_per_minute(hr: float, params: LoadParams) -> float:
    a, b = _BANISTER[params.sex]
    x = _reserve_fraction(hr, params)
    return a * x * math.exp(b * x)


def _hour_at_threshold_trimp(params: LoadParams) -> float:
    return 60.0 * _trimp_per_minute(params.threshold_hr_bpm, params)


def _hr_result(trimp: float, params: LoadParams, how: str) -> ActivityLoad:
    reference = _hour_at_threshold_trimp(params)
    load = 100.0 * trimp / reference
    sex = params.sex or "sex not given, male"
    detail = (
        f"{how}: Banister TRIMP {trimp:.1f} ({sex} weighting); an hour at threshold HR "
        f"{params.threshold_hr_bpm:.0f} bpm is {reference:.1f}, so load = 100 × "
        f"{trimp:.1f} / {reference:.1f} = {load:.1f}"
    )
    return ActivityLoad(load, "hr", trimp, detail)


def _binned_trimp_minutes(bins: Sequence[tuple[int, float]], params: LoadParams) -> float:
    """Σ seconds · a·x·e^(b·x) over the bins: ``_trimp_per_minute`` unrolled for speed, with
    the same clamping of the reserve fraction x to [0, 1] (below resting adds nothing)."""
    a, b = _BANISTER[params.sex]
    resting = params.resting_hr_bpm
    reserve = params.max_hr_bpm - resting
    exp = math.exp
    total = 0.0
    for bpm, seconds in bins:
        x = (bpm - resting) / reserve
        if x > 0.0:
            if x > 1.0:
                x = 1.0
            total += seconds * x * exp(b * x)
    return a * total


def _from_hr_stream(basis: LoadBasis, params: LoadParams) -> ActivityLoad | None:
    """Σ seconds · TRIMP per second over the bpm bins, dropouts filled at the mean rate."""
    moving, covered = basis.stream_moving_s, basis.hr_covered_s
    if not _stream_usable(moving, covered):
        return None
    trimp = _binned_trimp_minutes(basis.hr_seconds, params) / 60.0 * moving / covered
    how = f"heart-rate stream over {moving / 60:.1f} min moving"
    if basis.pauses:
        how += f" ({basis.pauses} gap(s) over {MAX_GAP_S:.0f} s left out as pauses)"
    return _hr_result(trimp, params, how)


def _from_average_hr(basis: LoadBasis, params: LoadParams) -> ActivityLoad | None:
    found = _average_hr(basis)
    if found is None:
        return None
    average, minutes, source = found
    trimp = minutes * _trimp_per_minute(average, params)
    how = f"{source} {average:.0f} bpm over {minutes:.1f} min"
    return _hr_result(trimp, params, how)


def _from_pace(basis: LoadBasis, params: LoadParams) -> ActivityLoad | None:
    threshold = params.threshold_speed_m_s
    pace = f"threshold pace {params.threshold_pace_s_per_km:.0f} s/km"
    moving, covered = basis.stream_moving_s, basis.speed_covered_s
    if _stream_usable(moving, covered):
        # Σ hours * (v / threshold)² * 100, the speed dropouts filled at the mean rate.
        load = basis.speed_sq_sum / threshold**2 * 100.0 / 3600.0 * moving / covered
        detail = (
            f"speed stream over {moving / 60:.1f} min moving against {pace}: "
            f"Σ hours × (speed / threshold speed)² × 100 = {load:.1f} (no grade adjustment)"
        )
        return ActivityLoad(load, "pace", None, detail)
    seconds = basis.moving_s
    if not basis.distance_m or seconds <= 0:
        return None
    average = basis.distance_m / seconds
    if not 0.0 <= average <= MAX_RUN_SPEED_M_S:
        return None  # a damaged summary, not a run: score the duration instead
    intensity = average / threshold
    load = seconds / 3600.0 * intensity**2 * 100.0
    detail = (
        f"{basis.distance_m / 1000:.2f} km in {seconds / 60:.1f} min against {pace}: "
        f"IF {intensity:.3f}, load = {seconds / 3600:.2f} h × IF² × 100 = {load:.1f}"
    )
    return ActivityLoad(load, "pace", None, detail)


def _from_rpe(basis: LoadBasis, rpe: float) -> ActivityLoad:
    minutes = basis.moving_s / 60.0
    units = minutes * rpe
    load = units * 100.0 / (60.0 * SRPE_THRESHOLD_RPE)
    detail = (
        f"session RPE {rpe:g} × {minutes:.1f} min = {units:.0f} AU (Foster); "
        f"60 min at RPE {SRPE_THRESHOLD_RPE:g} = 100, so load = {load:.1f}"
    )
    return ActivityLoad(load, "srpe", None, detail)


def _from_duration(basis: LoadBasis) -> ActivityLoad:
    hours = basis.moving_s / 3600.0
    load = hours * DEFAULT_LOAD_PER_HOUR
    detail = (
        f"only a duration: {hours * 60:.1f} min at an assumed easy "
        f"{DEFAULT_LOAD_PER_HOUR:g} per hour = {load:.1f}"
    )
    return ActivityLoad(load, "duration", None, detail)


def load_from_basis(
    basis: LoadBasis, params: LoadParams, *, rpe: float | None = None
) -> ActivityLoad:
    """The load of the activity summarised by ``basis``: see ``activity_load``.

    O(number of bpm bins); HR is clamped between resting and max here, per bin.
    """
    if rpe is not None and not (math.isfinite(rpe) and 0.0 <= rpe <= 10.0):
        raise InvalidValue(f"RPE is on the CR-10 scale, 0 to 10; got {rpe}")
    found = _from_hr_stream(basis, params) or _from_average_hr(basis, params)
    if found is None and rpe is not None:
        found = _from_rpe(basis, rpe)
    if found is None and basis.is_run:
        found = _from_pace(basis, params)
    return found or _from_duration(basis)


def activity_load(
    activity: Activity, params: LoadParams, *, rpe: float | None = None
) -> ActivityLoad:
    """The activity's load on the hour-at-threshold scale, with how it was reached.

    Order: heart-rate stream, average HR, session RPE when given, pace (runs only), duration.
    HR measures the runner's own response; an RPE the runner bothered to give sees hills and
    heat that an ungraded pace cannot, so it comes before pace.

    The same as ``load_from_basis(load_basis(activity), params, rpe=rpe)``: to score many
    activities under changing parameters, keep the bases and call ``load_from_basis``.
    """
    return load_from_basis(load_basis(activity), params, rpe=rpe)
