"""What a decoding worker hands back: rows that cross to the import's process unchanged."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
import pickle
from pathlib import Path

from rubdown.domain.activity import Activity, Sport, Streams
from rubdown.domain.records import IncomingFile
from rubdown.importers import caps, registry
from rubdown.importers.archive import Limits
from rubdown.importers.sniff import open_payload
from rubdown.services.import_worker import _finite, prepare, result_from_parsed

CORPUS = Path(__file__).parents[1] / "data" / "activities"
FIT_RUN = CORPUS / "tormoder-fit/activity-small-fenix2-run.fit"
START = dt.datetime(2026, 5, 1, 7, tzinfo=dt.UTC)


def decoded(path: Path) -> IncomingFile:
    with path.open("rb") as source:
        opened = open_payload(source, path.name, Limits())
        kind = registry.format_of(opened, path.name)
        assert kind is not None
        parsed = caps.checked(registry.parse(kind, opened, path.name))
    return result_from_parsed(path.name, "0" * 64, kind, parsed, "Europe/London")


def test_a_decoded_file_comes_back_from_a_pickle_equal_and_stored_as_the_same_json() -> None:
    result = decoded(FIT_RUN)
    (incoming,) = result.activities
    assert incoming.streams_blob
    assert incoming.load_basis
    assert incoming.load_basis["hr_seconds"]

    back = pickle.loads(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))

    assert back == result
    assert json.dumps(back.activities[0].load_basis) == json.dumps(incoming.load_basis)
    # The bins are written as [bpm, seconds] pairs, as they always were.
    stored = json.loads(json.dumps(incoming.load_basis))
    assert stored["hr_seconds"] == [[bpm, s] for bpm, s in incoming.load_basis["hr_seconds"]]


def test_an_activity_without_streams_or_a_name_to_escape_is_stored_as_it_is() -> None:
    activity = Activity(Sport.RUNNING, START, 1800.0, distance_m=5000.0, name="Lunch Run")
    assert prepare(activity, dt.UTC, 10).activity is activity


def test_an_activity_is_stored_without_its_streams_and_with_a_printable_name() -> None:
    streams = Streams.from_lists({"time_s": [0.0, 1.0], "heart_rate_bpm": [150.0, 151.0]})
    activity = Activity(Sport.RUNNING, START, 1.0, streams=streams, name="bad\x00name")
    incoming = prepare(activity, dt.UTC, 10)
    assert incoming.activity == dataclasses.replace(activity, streams=None, name="bad\\x00name")
    assert incoming.samples == 2


def test_a_number_json_cannot_write_is_stored_as_null_in_its_place() -> None:
    finite: dict[str, object] = {"a": 1.0, "b": [1, 2.5], "c": None}
    assert _finite(finite) is finite
    broken: dict[str, object] = {"a": math.nan, "b": 2.0, "c": math.inf, "d": True}
    assert list(_finite(broken).items()) == [("a", None), ("b", 2.0), ("c", None), ("d", True)]
