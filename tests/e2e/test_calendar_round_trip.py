"""``export ics`` then ``import``: the races come back, and importing again adds nothing."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.cli import Result, Storage, assert_unchanged
from tests.e2e.conftest import Seasons


@dataclass(frozen=True)
class RoundTrip:
    source: Storage  # a copy of the seeded season, so the shared one stays as it was
    source_races: list[dict[str, Any]]
    exported: Path
    first_import: Result
    second_import: Result
    stored_between: dict[str, list[str]]
    stored_after: dict[str, list[str]]
    imported_races: list[dict[str, Any]]


@pytest.fixture(scope="module")
def round_trip(seasons: Seasons, tmp_path_factory: pytest.TempPathFactory) -> RoundTrip:
    root = tmp_path_factory.mktemp("round-trip")
    season = seasons.get("sqlite")
    source = Storage.sqlite(root / "source")
    shutil.copytree(season.storage.home, source.home)
    races_before = [season.seeded[f"race {priority}"] for priority in "ABC"]
    exported = root / "season.ics"
    export = source.run("export", "ics", str(exported), "--json")
    assert export.code == 0, export.err
    fresh = Storage.sqlite(root / "fresh")
    first = fresh.run("import", str(exported), "--json")
    between = fresh.stored()
    second = fresh.run("import", str(exported), "--json")
    after = fresh.stored()
    races = fresh.run("race", "list", "--json").document()["races"]
    return RoundTrip(source, races_before, exported, first, second, between, after, races)


def race_key(race: dict[str, Any]) -> tuple[Any, ...]:
    return (race["date"], race["name"], race["priority"], race["distance_km"])


def test_import_of_an_export_into_a_fresh_home_restores_the_races(round_trip: RoundTrip) -> None:
    imported = round_trip.first_import.document()
    assert len(imported["races"]) == 3
    expected = sorted(race_key(r) for r in round_trip.source_races)
    assert sorted(race_key(r) for r in round_trip.imported_races) == expected


def test_import_of_an_export_keeps_the_race_start_time(round_trip: RoundTrip) -> None:
    starts = {r["name"]: r["start_time"] for r in round_trip.source_races}
    assert "08:30" in starts.values()
    assert {r["name"]: r["start_time"] for r in round_trip.imported_races} == starts


def test_import_json_reports_the_ids_the_races_were_stored_under(round_trip: RoundTrip) -> None:
    reported = {r["name"]: r["id"] for r in round_trip.first_import.document()["races"]}
    stored = {r["name"]: r["id"] for r in round_trip.imported_races}
    assert reported == stored


def test_reimporting_the_same_file_adds_nothing(round_trip: RoundTrip) -> None:
    again = round_trip.second_import.document()
    assert again["races"] == []
    assert again["workouts"] == []
    assert again["duplicates"] == 3
    assert_unchanged(round_trip.stored_between, round_trip.stored_after)
    assert len(round_trip.imported_races) == 3


def test_importing_an_export_into_the_home_it_came_from_adds_no_duplicate_races(
    round_trip: RoundTrip,
) -> None:
    before = round_trip.source.stored()
    report = round_trip.source.run("import", str(round_trip.exported), "--json").document()
    assert report["races"] == [], report["races"]
    assert report["duplicates"] == 3
    assert_unchanged(before, round_trip.source.stored())
