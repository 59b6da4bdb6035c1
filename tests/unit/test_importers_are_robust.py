"""Every importer meets damaged input with a result, never an exception.

One property per kind of damage, run over each format: bytes that were never a file of
that kind, and a real file of it cut or scribbled on anywhere. Each format brings its inputs,
what any result must hold for it, and how many examples Hypothesis tries.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.support.corpus import read

from rubdown.domain.activity import Parsed
from rubdown.importers import fit, gpx, tcx
from rubdown.importers.apple_health import parse_export
from rubdown.importers.garmin import parse_summaries, parse_wellness
from rubdown.importers.strava import parse_activities_csv

DATA = Path(__file__).resolve().parents[1] / "data"
DI_CONNECT = DATA / "exports" / "garmin" / "DI_CONNECT"
SUMMARIES = DI_CONNECT / "DI-Connect-Fitness" / "runner@example.com_0_summarizedActivities.json"
WELLNESS_FILES = (
    DI_CONNECT / "DI-Connect-Wellness" / "2026-03-01_2026-06-09_123456_sleepData.json",
    DI_CONNECT / "DI-Connect-Wellness" / "123456_healthStatusData.json",
    DI_CONNECT / "DI-Connect-Aggregator" / "UDSFile_2026-03-01_2026-06-09.json",
)
GPX_RUN = read("togeojson/run_gpxtpx.gpx")
BAD_TCX = read("togeojson/bad.tcx")
SMALL_FIT = read("tormoder-fit/activity-small-fenix2-run.fit")[:4000]
APPLE_HEALTH = (DATA / "exports" / "apple_health" / "export.xml").read_bytes()
STRAVA_CSV = (DATA / "exports" / "strava" / "activities.csv").read_bytes()
GARMIN_SUMMARIES = SUMMARIES.read_bytes()


# ---- kinds of damage ------------------------------------------------------------------------


def overwritten(original: bytes, *, most: int) -> st.SearchStrategy[bytes]:
    """The file with up to ``most`` random bytes written over it at any place."""

    @st.composite
    def damaged(draw: st.DrawFn) -> bytes:
        at = draw(st.integers(0, len(original)))
        junk = draw(st.binary(max_size=most))
        return original[:at] + junk + original[at + len(junk) :]

    return damaged()


def cut_and_scribbled(original: bytes, *, scribbles: int) -> st.SearchStrategy[bytes]:
    """The file cut at any length, with up to ``scribbles`` of its bytes set to any value."""

    @st.composite
    def damaged(draw: st.DrawFn) -> bytes:
        cut = draw(st.integers(0, len(original)))
        edits = draw(
            st.lists(
                st.tuples(st.integers(0, len(original) - 1), st.integers(0, 255)),
                max_size=scribbles,
            )
        )
        data = bytearray(original)
        for at, value in edits:
            data[at] = value
        return bytes(data[:cut])

    return damaged()


def cut(original: bytes) -> st.SearchStrategy[bytes]:
    return st.integers(0, len(original)).map(lambda length: original[:length])


def behind_a_fit_header(body: bytes) -> bytes:
    """A valid 12-byte FIT header announcing ``body`` as the data records."""
    return bytes([12, 0x10, 0, 0]) + len(body).to_bytes(4, "little") + b".FIT" + body


# ---- what any result must hold ---------------------------------------------------------------

BOTH = (False, True)


def says_something(parsed: Parsed) -> bool:
    """A problem, a reason to skip, or activities: never a silent empty result."""
    return parsed.problem is not None or parsed.skipped is not None or bool(parsed.activities)


def any_bytes_in(parse: Callable[..., Parsed]) -> Callable[[bytes], None]:
    def holds(data: bytes) -> None:
        for salvage in BOTH:
            assert says_something(parse(data, salvage=salvage))

    return holds


def fit_with_any_body(data: bytes) -> None:
    parsed = fit.parse(data, salvage=True)
    assert parsed.problem or parsed.skipped or parsed.activities


def garmin_any_bytes(data: bytes) -> None:
    results = [parse_summaries(data)]
    results += [
        parse_wellness(path.relative_to(DI_CONNECT.parent).as_posix(), data)
        for path in WELLNESS_FILES
    ]
    for result in results:
        assert result.problem is not None or result.skipped is not None or result.records > 0


def damaged_xml(parse: Callable[..., Parsed], *, most_records: int) -> Callable[[bytes], None]:
    """A damaged track never grows records, and a strict read that found a problem keeps no
    activity."""

    def holds(data: bytes) -> None:
        for salvage in BOTH:
            parsed = parse(data, salvage=salvage)
            assert parsed.records <= most_records
            if parsed.problem is not None and not salvage:
                assert parsed.activities == ()

    return holds


def damaged_fit(data: bytes) -> None:
    for salvage in BOTH:
        parsed = fit.parse(data, salvage=salvage)
        assert parsed.problem or parsed.skipped or parsed.activities
        for activity in parsed.activities:
            assert activity.streams is None or len(activity.streams) <= parsed.records


def damaged_apple_health(data: bytes) -> None:
    for salvage in BOTH:
        result = parse_export(io.BytesIO(data), salvage=salvage)
        assert result.partial == (salvage and result.problem is not None)
        if result.problem is not None and not salvage:
            assert result.activities == ()


def damaged_strava_csv(data: bytes) -> None:
    index = parse_activities_csv(data)
    assert len(index.rows) <= 6
    assert all(row.start.tzinfo is dt.UTC for row in index.rows)


def cut_garmin_summaries(data: bytes) -> None:
    result = parse_summaries(data)
    if len(data) < len(GARMIN_SUMMARIES.rstrip()):
        assert result.problem is not None
        assert result.activities == ()


# ---- the formats ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    inputs: st.SearchStrategy[bytes]
    holds: Callable[[bytes], None]
    # On top of the suite's profile (tests/conftest.py), as each format's own test had it.
    tries: settings


def examples(count: int) -> settings:
    return settings(max_examples=count, deadline=None)


# The FIT decoder's cases replay a fixed sequence even locally.
FIXED = {"derandomize": True}

NOT_A_FILE = {
    "gpx": Case(st.binary(max_size=2000), any_bytes_in(gpx.parse), examples(200)),
    "tcx": Case(st.binary(max_size=2000), any_bytes_in(tcx.parse), examples(200)),
    "fit": Case(
        st.binary(max_size=600).map(behind_a_fit_header),
        fit_with_any_body,
        settings(examples(200), **FIXED),
    ),
    "garmin": Case(st.binary(max_size=600), garmin_any_bytes, examples(150)),
}

DAMAGED = {
    "gpx": Case(
        overwritten(GPX_RUN, most=8), damaged_xml(gpx.parse, most_records=42), examples(150)
    ),
    "tcx": Case(
        overwritten(BAD_TCX, most=8), damaged_xml(tcx.parse, most_records=4), examples(150)
    ),
    "fit": Case(
        cut_and_scribbled(SMALL_FIT, scribbles=12),
        damaged_fit,
        settings(examples(300), suppress_health_check=[HealthCheck.too_slow], **FIXED),
    ),
    "apple-health": Case(
        cut_and_scribbled(APPLE_HEALTH, scribbles=4), damaged_apple_health, examples(150)
    ),
    "strava-csv": Case(
        cut_and_scribbled(STRAVA_CSV, scribbles=4), damaged_strava_csv, examples(150)
    ),
    "garmin-summaries": Case(cut(GARMIN_SUMMARIES), cut_garmin_summaries, examples(100)),
}


def run(case: Case) -> None:
    @case.tries
    @given(case.inputs)
    def check(data: bytes) -> None:
        case.holds(data)

    check()


@pytest.mark.parametrize("case", NOT_A_FILE.values(), ids=NOT_A_FILE.keys())
def test_bytes_that_were_never_a_file_give_a_result_never_an_exception(case: Case) -> None:
    run(case)


@pytest.mark.parametrize("case", DAMAGED.values(), ids=DAMAGED.keys())
def test_a_real_file_damaged_anywhere_gives_a_result_never_an_exception(case: Case) -> None:
    run(case)
