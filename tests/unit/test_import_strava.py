"""Reading a Strava bulk export's activities.csv: the duplicated columns, translated headers,
localised dates and numbers, and the link from a row to its activity file."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest

from rubdown.domain.activity import Activity, Sport
from rubdown.importers.strava import (
    StravaIndex,
    StravaRow,
    enrich,
    parse,
    parse_activities_csv,
    parse_date,
    sniff,
    sport_of,
)

EXPORTS = Path(__file__).resolve().parents[1] / "data" / "exports" / "strava"
ENGLISH = (EXPORTS / "activities.csv").read_bytes()
GERMAN = (EXPORTS / "activities_de.csv").read_bytes()
HEADER = next(csv.reader(io.StringIO(ENGLISH.decode("utf-8"))))


def build(
    header: list[str], *rows: dict[tuple[str, int], str], names: list[str] | None = None
) -> bytes:
    """A CSV with ``header``; each row names its cells by (name, occurrence) in ``names``
    (the header itself unless given: a translated header is addressed in English)."""
    names = names or header
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for values in rows:
        cells = [""] * len(header)
        for (name, occurrence), value in values.items():
            cells[[i for i, n in enumerate(names) if n == name][occurrence - 1]] = value
        writer.writerow(cells)
    return out.getvalue().encode("utf-8")


def minimal(activity_id: str, date: str, **more: str) -> dict[tuple[str, int], str]:
    row = {("Activity ID", 1): activity_id, ("Activity Date", 1): date}
    row[("Activity Type", 1)] = more.pop("type", "Run")
    for key, value in more.items():
        name, _, occurrence = key.partition("__")
        row[(name.replace("_", " "), int(occurrence or 1))] = value
    return row


@pytest.fixture(scope="module")
def english() -> StravaIndex:
    return parse_activities_csv(ENGLISH)


def by_id(index: StravaIndex, activity_id: str) -> StravaRow:
    return next(row for row in index.rows if row.activity_id == activity_id)


# --- sniffing -------------------------------------------------------------------------------


def test_sniff_recognises_the_english_2026_header() -> None:
    assert len(HEADER) == 103
    assert sniff(ENGLISH[:4096])


def test_sniff_recognises_a_translated_header_by_its_column_order() -> None:
    assert sniff(GERMAN[:4096])


def test_sniff_accepts_a_bom_and_crlf() -> None:
    assert sniff(b"\xef\xbb\xbf" + ENGLISH.replace(b"\n", b"\r\n")[:4096])


@pytest.mark.parametrize(
    "head",
    [
        b"Date,Steps\n2026-01-01,12000\n",
        b'[{"summarizedActivitiesExport": []}]',
        b"",
        # Many columns and an ID first, but not the export's order of duplicated names.
        ("ID," + ",".join(f"c{i}" for i in range(40)) + "\n").encode(),
    ],
)
def test_sniff_rejects_other_content(head: bytes) -> None:
    assert not sniff(head)


# --- the English fixture --------------------------------------------------------------------


def test_every_fixture_row_is_read_without_problems(english: StravaIndex) -> None:
    assert english.problems == ()
    assert [row.activity_id for row in english.rows] == [
        "12813746291",
        "2133304822",
        "2133304823",
        "14770012345",
        "14771234567",
        "14789900111",
    ]


def test_distance_comes_from_the_si_block_in_metres(english: StravaIndex) -> None:
    ride = by_id(english, "12813746291")
    # The display block says 14.92 (km); the second Distance column holds metres.
    assert ride.distance_m == pytest.approx(14921.2)


def test_duplicated_columns_are_read_from_the_si_copy(english: StravaIndex) -> None:
    run = by_id(english, "2133304822")
    assert run.elapsed_s == 4622.0
    assert run.moving_s == 4612.0
    assert run.max_hr_bpm == 191.0
    assert run.avg_hr_bpm == pytest.approx(169.2)
    assert run.elevation_gain_m == pytest.approx(118.4)


def test_activity_date_is_read_as_utc_on_a_12_hour_clock(english: StravaIndex) -> None:
    assert by_id(english, "12813746291").start == dt.datetime(2025, 2, 19, 0, 10, 45, tzinfo=dt.UTC)
    assert by_id(english, "2133304822").start == dt.datetime(2018, 11, 3, 14, 24, 45, tzinfo=dt.UTC)


def test_a_multi_line_description_with_emoji_stays_inside_its_row(english: StravaIndex) -> None:
    run = by_id(english, "2133304822")
    assert run.name == "Sunrise 15K PR (sub-8:00)"
    assert run.filename == "activities/running_example.gpx.gz"
    assert by_id(english, "2133304823").filename == "activities/running_example.tcx.gz"


def test_activity_types_map_to_sports(english: StravaIndex) -> None:
    sports = {row.activity_id: row.sport for row in english.rows}
    assert sports["12813746291"] is Sport.CYCLING
    assert sports["2133304822"] is Sport.RUNNING
    assert sports["14771234567"] is Sport.STRENGTH
    assert sports["14789900111"] is Sport.TRAIL_RUNNING


def test_a_manual_entry_has_no_filename_and_no_file_matches_it(english: StravaIndex) -> None:
    manual = by_id(english, "14770012345")
    assert manual.filename == ""
    assert english.for_file("") is None
    assert english.for_file("./") is None


# --- finding the row of a file --------------------------------------------------------------


@pytest.mark.parametrize(
    "inner",
    [
        "activities/running_example.gpx.gz",
        "./activities/running_example.gpx.gz",
        "activities\\running_example.gpx.gz",
    ],
)
def test_for_file_finds_the_row_of_an_export_relative_path(
    english: StravaIndex, inner: str
) -> None:
    row = english.for_file(inner)
    assert row is not None
    assert row.activity_id == "2133304822"


@pytest.mark.parametrize(
    "inner",
    ["Activities/running_example.gpx.gz", "running_example.gpx.gz", "activities/nope.fit.gz"],
)
def test_for_file_is_case_sensitive_and_needs_the_whole_path(
    english: StravaIndex, inner: str
) -> None:
    assert english.for_file(inner) is None


# --- translated exports ---------------------------------------------------------------------


def test_a_german_export_is_read_by_position_with_decimal_commas() -> None:
    index = parse_activities_csv(GERMAN)
    assert index.problems == ()
    run = by_id(index, "19404735112")
    assert run.start == dt.datetime(2026, 7, 21, 15, 9, 27, tzinfo=dt.UTC)
    assert run.name == "Lauf am Nachmittag"
    assert run.sport is Sport.RUNNING
    assert run.distance_m == pytest.approx(2810.4)
    assert run.elapsed_s == 1390.0
    assert run.moving_s == 1372.0
    assert run.avg_hr_bpm == 148.0
    assert run.max_hr_bpm == 190.0
    assert run.elevation_gain_m == pytest.approx(12.4)
    assert run.filename == "activities/20871234567.fit.gz"
    assert by_id(index, "19410000001").sport is Sport.STRENGTH
    assert by_id(index, "19420000002").sport is Sport.CYCLING


def test_a_czech_style_row_with_spaced_dates_and_decimal_commas_is_read() -> None:
    header = list(HEADER)
    translated = {0: "ID aktivity", 1: "Datum aktivity", 12: "Název souboru"}
    translated |= {5: "Uplynulý čas", 15: "Uplynulý čas", 6: "Vzdálenost", 17: "Vzdálenost"}
    for position, name in translated.items():
        header[position] = name
    data = build(
        header,
        minimal(
            "42",
            "6. 9. 2026 11:18:40",
            type="Běh",
            Distance__2="33,22",
            Filename="activities/42.fit.gz",
        ),
        names=HEADER,
    )
    assert sniff(data)
    (row,) = parse_activities_csv(data).rows
    assert row.start == dt.datetime(2026, 9, 6, 11, 18, 40, tzinfo=dt.UTC)
    assert row.distance_m == pytest.approx(33.22)
    assert row.sport is Sport.OTHER  # an unknown localised type; the file's sport decides


# --- robustness -----------------------------------------------------------------------------


def test_a_bom_and_crlf_line_ends_change_nothing(english: StravaIndex) -> None:
    variant = parse_activities_csv(b"\xef\xbb\xbf" + ENGLISH.replace(b"\n", b"\r\n"))
    assert variant.problems == ()
    assert [r.activity_id for r in variant.rows] == [r.activity_id for r in english.rows]
    assert [r.distance_m for r in variant.rows] == [r.distance_m for r in english.rows]


def test_an_unreadable_row_becomes_a_problem_and_the_others_still_parse() -> None:
    data = build(
        HEADER,
        minimal("1", "Oct 6, 2022, 11:19:20 PM", Activity_Description="two\nlines"),
        minimal("2", "xyz"),
        minimal("", "Oct 7, 2022, 8:00:00 AM"),
        minimal("4", "Oct 8, 2022, 8:00:00 AM"),
    )
    index = parse_activities_csv(data)
    assert [row.activity_id for row in index.rows] == ["1", "4"]
    # Rows count records, not lines: the two-line description is still row 2.
    assert index.problems == ("row 3: unreadable date 'xyz'", "row 4: no Activity ID")


def test_unknown_columns_anywhere_in_an_english_header_are_tolerated() -> None:
    header = list(HEADER)
    header.insert(3, "Brand New Column")
    header.append("Another Future Column")
    data = build(
        header,
        minimal(
            "7",
            "Jan 2, 2026, 7:00:00 AM",
            Distance__2="10000.0",
            Elapsed_Time__2="3000.5",
            Filename="activities/7.fit.gz",
            Brand_New_Column="x",
        ),
    )
    (row,) = parse_activities_csv(data).rows
    assert row.sport is Sport.RUNNING
    assert row.distance_m == 10000.0
    assert row.elapsed_s == 3000.5
    assert row.filename == "activities/7.fit.gz"


def test_a_row_shorter_than_the_header_leaves_the_missing_fields_empty() -> None:
    short = b"\n".join([",".join(HEADER).encode(), b'9,"Jan 2, 2026, 7:00:00 AM",Short,Run'])
    (row,) = parse_activities_csv(short).rows
    assert row.name == "Short"
    assert (row.elapsed_s, row.distance_m, row.filename) == (None, None, "")


def test_an_old_export_with_one_distance_column_leaves_the_distance_unknown() -> None:
    header = [
        "Activity ID",
        "Activity Date",
        "Activity Name",
        "Activity Type",
        "Activity Description",
        "Elapsed Time",
        "Distance",
        "Commute",
        "Activity Gear",
        "Filename",
    ]
    data = build(
        header, minimal("5", "May 1, 2019, 6:00:00 AM", Distance="12.05", Elapsed_Time="3600")
    )
    (row,) = parse_activities_csv(data).rows
    assert row.distance_m is None  # km or miles, by a preference the file does not state
    assert row.elapsed_s == 3600.0


def test_a_file_that_is_not_an_activities_csv_is_one_problem() -> None:
    index = parse_activities_csv(b"Date,Steps\n2026-01-01,12000\n")
    assert index.rows == ()
    assert index.problems == ("row 1: not an activities.csv header",)


# --- dates, numbers and sports --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Oct 6, 2022, 11:19:20 PM", dt.datetime(2022, 10, 6, 23, 19, 20)),
        ("Oct 6, 2022, 12:05:00 AM", dt.datetime(2022, 10, 6, 0, 5, 0)),
        ("Oct 6, 2022, 12:05:00 PM", dt.datetime(2022, 10, 6, 12, 5, 0)),
        ("6. 9. 2026 11:18:40", dt.datetime(2026, 9, 6, 11, 18, 40)),
        ("06.09.2026, 11:18:40", dt.datetime(2026, 9, 6, 11, 18, 40)),
        ("2026-09-06 11:18:40", dt.datetime(2026, 9, 6, 11, 18, 40)),
        ("1. Okt. 2026, 07:00:00", dt.datetime(2026, 10, 1, 7, 0, 0)),
    ],
)
def test_parse_date_reads_the_known_spellings(text: str, expected: dt.datetime) -> None:
    assert parse_date(text) == expected.replace(tzinfo=dt.UTC)


@pytest.mark.parametrize(
    "text", ["xyz", "06/09/2026 11:18:40", "Foo 6, 2022, 1:00:00 PM", "31.02.2026, 10:00:00", ""]
)
def test_parse_date_refuses_ambiguous_or_impossible_dates(text: str) -> None:
    assert parse_date(text) is None


@pytest.mark.parametrize(
    ("activity_type", "sport"),
    [
        ("Run", Sport.RUNNING),
        ("Trail Run", Sport.TRAIL_RUNNING),
        ("TrailRun", Sport.TRAIL_RUNNING),
        ("Virtual Run", Sport.TREADMILL),
        ("Walk", Sport.WALKING),
        ("Hike", Sport.HIKING),
        ("Ride", Sport.CYCLING),
        ("Virtual Ride", Sport.CYCLING),
        ("Swim", Sport.SWIMMING),
        ("Rowing", Sport.ROWING),
        ("Weight Training", Sport.STRENGTH),
        ("Workout", Sport.OTHER),
        ("Yoga", Sport.OTHER),
        ("Nordic Ski", Sport.SKIING),
        ("Kayaking", Sport.PADDLING),
        ("", Sport.OTHER),
    ],
)
def test_sport_of_maps_strava_display_names(activity_type: str, sport: Sport) -> None:
    assert sport_of(activity_type) is sport


def test_numbers_with_thousands_separators_are_read_either_way() -> None:
    data = build(
        HEADER,
        minimal("1", "Jan 2, 2026, 7:00:00 AM", Distance__2="42,195.5"),
        minimal("2", "Jan 3, 2026, 7:00:00 AM", Distance__2="42.195,5"),
        minimal("3", "Jan 4, 2026, 7:00:00 AM", Distance__2="42\u00a0195,5"),
        minimal("4", "Jan 5, 2026, 7:00:00 AM", Distance__2="n/a"),
    )
    distances = [row.distance_m for row in parse_activities_csv(data).rows]
    assert distances == [42195.5, 42195.5, 42195.5, None]


# --- into activities ------------------------------------------------------------------------


def test_to_activity_is_a_summary_keyed_by_the_strava_id(english: StravaIndex) -> None:
    activity = by_id(english, "14770012345").to_activity()
    assert activity.sport is Sport.RUNNING
    assert activity.start == dt.datetime(2026, 3, 2, 18, 30, tzinfo=dt.UTC)
    assert activity.duration_s == 1800.0
    assert activity.distance_m == 5000.0
    assert activity.source_ref == "14770012345"
    assert activity.name == "Treadmill at the gym"
    assert (activity.streams, activity.records, activity.utc_offset_s) == (None, 0, None)


def from_file(sport: Sport) -> Activity:
    return Activity(
        sport=sport,
        start=dt.datetime(2018, 11, 3, 14, 24, 45, tzinfo=dt.UTC),
        duration_s=4622.0,
        distance_m=15050.0,
        name="Running",
        records=4434,
    )


def test_enrich_adds_the_name_and_strava_id_and_keeps_the_files_measurements(
    english: StravaIndex,
) -> None:
    row = by_id(english, "2133304822")
    enriched = enrich(from_file(Sport.RUNNING), row)
    assert enriched.name == "Sunrise 15K PR (sub-8:00)"
    assert enriched.source_ref == "2133304822"
    assert (enriched.distance_m, enriched.records) == (15050.0, 4434)


def test_enrich_takes_the_csv_sport_only_when_the_file_has_none(english: StravaIndex) -> None:
    trail = by_id(english, "14789900111")
    assert enrich(from_file(Sport.OTHER), trail).sport is Sport.TRAIL_RUNNING
    assert enrich(from_file(Sport.RUNNING), trail).sport is Sport.RUNNING


def test_parse_gives_every_row_as_an_activity_and_names_the_first_problem() -> None:
    data = build(
        HEADER,
        minimal("1", "Jan 2, 2026, 7:00:00 AM"),
        minimal("2", "bad"),
        minimal("3", "worse"),
    )
    parsed = parse(data)
    assert [a.source_ref for a in parsed.activities] == ["1"]
    assert parsed.problem == "row 3: unreadable date 'bad' (and 1 more)"
