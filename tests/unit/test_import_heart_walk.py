"""The import's heart rate walk on arrays gives exactly the domain's numbers."""

from __future__ import annotations

import math
from array import array
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rubdown.domain.activity import Activity
from rubdown.domain.load import _hr_mean_and_max, load_basis, walk_heart, walk_speed
from rubdown.importers import registry
from rubdown.importers.archive import Limits
from rubdown.importers.sniff import open_payload
from rubdown.services import heart_walk
from rubdown.services.heart_walk import fast_hr_mean_and_max, fast_walk_heart, fast_walk_speed

CORPUS = Path(__file__).parents[1] / "data" / "activities"
ACTIVITY_FILES = sorted(
    path
    for path in CORPUS.rglob("*")
    if path.is_file() and path.name.lower().endswith((".fit", ".fit.gz", ".gpx", ".tcx"))
)


def corpus_activities(path: Path) -> list[Activity]:
    with path.open("rb") as source:
        opened = open_payload(source, path.name, Limits())
        kind = registry.format_of(opened, path.name)
        if kind is None:
            return []
        return list(registry.parse(kind, opened, path.name, salvage=True).activities)


@pytest.mark.parametrize("path", ACTIVITY_FILES, ids=lambda p: str(p.relative_to(CORPUS)))
def test_every_corpus_activity_gets_the_same_basis_bit_for_bit(path: Path) -> None:
    for activity in corpus_activities(path):
        fast = load_basis(activity, fast_walk_heart, fast_hr_mean_and_max, fast_walk_speed)
        assert fast == load_basis(activity)


def test_the_arrays_walk_every_fit_heart_rate_stream_of_the_corpus(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The equality above means something only if the arrays do the walking on real files:
    # here the domain's loop is not there to fall back on.
    def no_fallback(*_args: object) -> None:
        raise AssertionError("walked by the domain's loop")

    monkeypatch.setattr(heart_walk, "walk_heart", no_fallback)
    walked = 0
    for path in ACTIVITY_FILES:
        if not path.name.lower().endswith((".fit", ".fit.gz")):
            continue
        for activity in corpus_activities(path):
            streams = activity.streams
            if streams is not None and len(streams) > 1 and "heart_rate_bpm" in streams.channels:
                heart_walk.fast_walk_heart(
                    streams.channels["time_s"], streams.channels["heart_rate_bpm"]
                )
                walked += 1
    assert walked >= 10


# Whole-second and 1/4 s gaps (the fast path), pauses, zero and negative gaps, and readings
# that repeat, change, or are missing.
gaps = st.sampled_from([1.0, 1.0, 1.0, 2.0, 0.25, 0.0, -1.0, 30.0, 31.0, 3600.0])
readings = st.sampled_from([140.0, 140.0, 141.0, 150.4, 150.5, 0.0, math.nan, math.inf, -3.0])


@given(st.lists(st.tuples(gaps, readings), min_size=0, max_size=300), st.integers(0, 3))
def test_random_streams_walk_to_the_same_numbers(
    samples: list[tuple[float, float]], shorter: int
) -> None:
    time = array("d", [0.0])
    for gap, _ in samples:
        time.append(time[-1] + gap)
    heart = array("d", [reading for _, reading in samples])
    heart = heart[: max(len(heart) - shorter, 0)]
    assert fast_walk_heart(time, heart) == walk_heart(time, heart)


def test_gaps_that_are_not_whole_binary_fractions_are_walked_by_the_domain() -> None:
    time = array("d", [0.0, 0.2, 0.4, 0.6000000000000001, 0.8])
    heart = array("d", [150.0, 150.0, 151.0, 151.0])
    assert fast_walk_heart(time, heart) == walk_heart(time, heart)


@given(
    st.lists(
        st.one_of(
            st.floats(min_value=0.0, max_value=300.0),
            st.sampled_from([math.nan, math.inf, -math.inf]),
        ),
        max_size=60,
    )
)
def test_the_arrays_mean_and_maximum_of_a_patchy_stream_are_the_domain_s(
    readings: list[float],
) -> None:
    heart = array("d", readings)
    assert repr(fast_hr_mean_and_max(heart)) == repr(_hr_mean_and_max(heart))


@given(
    st.lists(
        st.one_of(
            st.integers(-5, 250).map(float),
            st.sampled_from([0.0, -0.0, 2.0**50, -(2.0**50), 2.0**60, math.nan, math.inf]),
        ),
        max_size=60,
    )
)
def test_the_arrays_mean_and_maximum_of_whole_bpm_are_the_domain_s(readings: list[float]) -> None:
    # Whole readings are summed by NumPy (exact, so in any order); zeros, signed zeros and
    # sums that could round are left to Python's left-to-right sum, as the domain adds.
    heart = array("d", readings)
    assert repr(fast_hr_mean_and_max(heart)) == repr(_hr_mean_and_max(heart))


def test_a_whole_bpm_stream_is_summed_without_a_python_loop(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(heart_walk, "sum", _no_python_sum, raising=False)
    heart = array("d", [150.0, math.nan, 151.0, 149.0])
    assert fast_hr_mean_and_max(heart) == (150.0, 151.0)


def _no_python_sum(*_args: object) -> float:
    raise AssertionError("summed in Python")


speeds = st.sampled_from(
    [3.0, 3.0, 3.25, 2.9, 0.1, 0.0, -0.0, -1.0, 12.0, 12.5, math.nan, math.inf, -math.inf]
)


@given(st.lists(st.tuples(gaps, speeds), min_size=0, max_size=300), st.integers(0, 3))
def test_random_speed_streams_walk_to_the_same_numbers(
    samples: list[tuple[float, float]], shorter: int
) -> None:
    time = array("d", [0.0])
    for gap, _ in samples:
        time.append(time[-1] + gap)
    speed = array("d", [value for _, value in samples])
    speed = speed[: max(len(speed) - shorter, 0)]
    assert repr(fast_walk_speed(time, speed)) == repr(walk_speed(time, speed))


@given(st.lists(st.floats(0.0, 12.0), min_size=2, max_size=300))
def test_the_sum_of_squares_of_any_speeds_is_added_as_the_domain_adds(speed: list[float]) -> None:
    # Speeds whose squares round: only adding them in the domain's order gives its bits.
    time = array("d", range(len(speed) + 1))
    assert repr(fast_walk_speed(time, array("d", speed))) == repr(walk_speed(time, speed))
