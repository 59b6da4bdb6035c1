"""The GPX importer on the corpus's format traps, on hand-made tracks with known answers, and
on damaged input."""

from __future__ import annotations

import datetime as dt
import math
import random
import re

import pytest
from tests.support.corpus import channel, corpus_files, counted_in_sources, only, read

from rubdown.domain.activity import Activity, Parsed, Sport
from rubdown.importers import gpx, tcx
from rubdown.importers.xml_common import (
    GAIN_DEAD_BAND_M,
    elevation_gain,
    moving_seconds,
    sport_from_text,
)

GPX_FILES = corpus_files(".gpx", ".gpx.gz")


def trkpt_tags(data: bytes) -> int:
    """Track points by a plain count of start tags, whatever their prefix."""
    return len(re.findall(rb"<(?:[\w.-]+:)?trkpt[\s>/]", data))


def track(*points: str, head: str = "", trk: str = "") -> bytes:
    """A GPX 1.1 document with one track of the given ``<trkpt>`` elements."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1" '
        f'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">{head}'
        f"<trk>{trk}<trkseg>{''.join(points)}</trkseg></trk></gpx>"
    ).encode()


def point(seconds: float, lat: float = 48.0, lon: float = 11.0, *, ele: float = 500.0) -> str:
    moment = dt.datetime(2024, 5, 1, 6, 0, tzinfo=dt.UTC) + dt.timedelta(seconds=seconds)
    stamp = moment.isoformat().replace("+00:00", "Z")
    return f'<trkpt lat="{lat}" lon="{lon}"><ele>{ele}</ele><time>{stamp}</time></trkpt>'


# Metres per degree of latitude, close enough to the haversine at 48° for 1 % checks.
M_PER_DEG_LAT = 111_200.0


# --- the corpus ----------------------------------------------------------------------------


def test_the_corpus_has_the_gpx_files_the_research_counted() -> None:
    assert len(GPX_FILES) == 16
    assert sum(trkpt_tags(read(shown)) for shown in GPX_FILES) == 25_516


@pytest.mark.parametrize("shown", GPX_FILES)
def test_every_corpus_gpx_is_sniffed_as_gpx_and_not_as_tcx(shown: str) -> None:
    head = read(shown)[:4096]
    assert gpx.sniff(head)
    assert not tcx.sniff(head)


@pytest.mark.parametrize("shown", GPX_FILES)
def test_every_track_point_is_counted_as_sources_md_and_a_plain_tag_count_say(shown: str) -> None:
    data = read(shown)
    parsed = gpx.parse(data)
    assert parsed.problem is None
    assert parsed.records == counted_in_sources()[shown] == trkpt_tags(data)
    assert sum(a.records for a in parsed.activities) <= parsed.records


def test_gpx_1_0_with_every_field_reads_its_one_point_and_ignores_routes_and_waypoints() -> None:
    parsed = gpx.parse(read("gpxpy/gpx1.0_with_all_fields.gpx"))
    activity = only(parsed)
    assert parsed.records == 1  # 2 waypoints and 5 route points are plans, not records
    assert activity.name == "example name t"
    # The point's own <type> ("example type t") is not the track's type.
    assert activity.sport is Sport.OTHER
    # A time without offset is UTC in GPX; the local offset stays unknown.
    assert activity.start == dt.datetime(2013, 1, 1, 12, 0, 4, tzinfo=dt.UTC)
    assert activity.utc_offset_s is None
    assert channel(activity, "altitude_m") == [11.1]
    assert activity.duration_s == 0.0


def test_gpx_1_0_tracks_without_times_are_counted_but_give_no_activity() -> None:
    data = read("gpxpy/korita-zbevnica.gpx")
    parsed = gpx.parse(data)
    assert parsed.records == 871
    assert [a.name for a in parsed.activities] == ["ACTIVE LOG", "ACTIVE LOG #2"]
    # The research counted a time on 513 of the 871 points; only those make stream samples.
    timed = sum(len(a.streams or ()) for a in parsed.activities)
    assert timed == 513 == data.count(b"<time>") - 1  # less the file's own <time>


def test_garbage_coordinates_spoil_the_value_not_the_file() -> None:
    parsed = gpx.parse(read("togeojson/bad.gpx"))
    activity = only(parsed)
    assert parsed.records == 2
    assert activity.start == dt.datetime(2007, 5, 11, 15, 22, 6, tzinfo=dt.UTC)
    assert activity.distance_m is None  # no position could be read
    assert activity.streams is not None
    assert sorted(activity.streams.channels) == ["time_s"]


def test_a_file_with_a_utf8_bom_and_only_a_waypoint_is_skipped_not_broken() -> None:
    data = read("gpxpy/unicode_with_bom.gpx")
    assert data.startswith(b"\xef\xbb\xbf")
    assert gpx.sniff(data[:4096])
    parsed = gpx.parse(data)
    assert parsed.problem is None
    assert parsed.skipped == "no track points"
    assert parsed.activities == ()


@pytest.mark.parametrize(
    "shown", ["GoldenCheetah/MetadataOnly.gpx", "gpxpy/gpx_with_garmin_extension.gpx"]
)
def test_a_well_formed_file_without_track_points_is_skipped(shown: str) -> None:
    parsed = gpx.parse(read(shown))
    assert (parsed.problem, parsed.skipped, parsed.records) == (None, "no track points", 0)


def test_a_track_of_empty_segments_only_is_skipped() -> None:
    parsed = gpx.parse(track(trk="<name>nothing</name><trkseg/>"))
    assert (parsed.problem, parsed.skipped, parsed.activities) == (None, "no track points", ())


def test_an_empty_segment_beside_a_full_one_changes_nothing() -> None:
    activity = only(gpx.parse(read("gpxpy/track-with-empty-segment.gpx")))
    assert activity.records == 9
    assert activity.name == "2013-07-06T14:59:00Z"
    assert activity.duration_s == 76.0  # 17:26:26 to 17:27:42


def test_heart_rate_on_some_points_only_is_nan_elsewhere() -> None:
    data = read("GoldenCheetah/UrbanBiker2019-04-18_16-12.gpx")
    activity = only(gpx.parse(data))
    heart = channel(activity, "heart_rate_bpm")
    assert len(heart) == 2870
    assert sum(not math.isnan(h) for h in heart) == 2736 == data.count(b"<gpxtpx:hr>")
    assert activity.max_hr_bpm == max(h for h in heart if not math.isnan(h))


def test_fractional_heart_rates_are_kept() -> None:
    # Movescount writes interpolated beats as decimals ("101.289987711843") on 699 of the
    # 1,405 points; a reader that wants integers keeps only the other 706.
    data = read("GoldenCheetah/Move_2014_01_17_09_33_11.gpx")
    activity = only(gpx.parse(data))
    heart = channel(activity, "heart_rate_bpm")
    assert len(heart) == 1405 == data.count(b"<gpxdata:hr>")
    assert not any(math.isnan(h) for h in heart)
    assert sum(h.is_integer() for h in heart) == 706
    assert heart[:2] == [92.0, 101.289987711843]


def test_trackpointextension_v2_with_a_bogus_power_namespace_gives_hr_and_cadence() -> None:
    data = read("GoldenCheetah/UrbanBiker2019-04-18_16-12.gpx")
    activity = only(gpx.parse(data))
    assert activity.records == 2870
    hr = re.findall(rb"<gpxtpx:hr>(\d+)</gpxtpx:hr>", data)
    cad = re.findall(rb"<gpxtpx:cad>(\d+)</gpxtpx:cad>", data)
    assert channel(activity, "heart_rate_bpm")[:3] == [float(v) for v in hr[:3]]
    # Not a run, so the device's cadence stays as it is (7, 7, 23 rpm).
    assert channel(activity, "cadence_spm")[:3] == [float(v) for v in cad[:3]] == [7, 7, 23]
    assert activity.name.startswith("Rose X-Lite")


def test_garmin_connect_gpx_with_ns3_prefix_is_a_run_with_doubled_cadence() -> None:
    data = read("activatr/running_example.gpx.gz")
    activity = only(gpx.parse(data))
    assert activity.sport is Sport.RUNNING  # <type>running</type>
    assert activity.records == 4433
    assert channel(activity, "heart_rate_bpm")[0] == 102.0
    # ns3:cad 68 counts one leg's strides; a runner's steps per minute are twice that.
    assert channel(activity, "cadence_spm")[0] == 136.0
    assert activity.name == "Sunrise 15K PR (sub-8:00)"
    assert activity.distance_m is not None
    assert 14_500 < activity.distance_m < 15_500


def test_the_same_run_as_gpx_and_tcx_agrees_on_start_duration_and_distance() -> None:
    run_gpx = only(gpx.parse(read("activatr/running_example.gpx.gz")))
    run_tcx = only(tcx.parse(read("activatr/running_example.tcx.gz")))
    assert run_gpx.start == run_tcx.start
    assert run_gpx.duration_s == run_tcx.duration_s
    assert run_gpx.distance_m is not None
    assert run_tcx.distance_m is not None
    # Haversine over the GPX positions against the watch's own distance in the TCX.
    assert run_gpx.distance_m == pytest.approx(run_tcx.distance_m, rel=0.02)
    assert run_gpx.avg_hr_bpm == pytest.approx(run_tcx.avg_hr_bpm, abs=1.0)


def test_a_single_line_file_is_read_whole_though_it_has_no_times() -> None:
    data = read("GoldenCheetah/A_ride_mapped_on_11_22_2011.gpx")
    assert max(len(line) for line in data.splitlines()) > 500_000  # the whole track
    parsed = gpx.parse(data)
    # MapMyFitness "mapped" the ride on a map: 9,722 positions, not one timestamp.
    assert parsed.records == 9722
    assert parsed.problem is None
    assert parsed.skipped == "no track point has a readable time"


def test_apple_watch_gpx_without_xml_declaration_and_two_extension_blocks() -> None:
    activity = only(gpx.parse(read("togeojson/Friday-Evening-Run.gpx")))
    assert activity.sport is Sport.RUNNING
    assert activity.records == 17
    assert channel(activity, "cadence_spm")[0] == 128.0  # gpxtpx:cad 64, doubled for a run


def test_streams_count_from_zero_and_distance_only_grows() -> None:
    activity = only(gpx.parse(read("togeojson/run.gpx")))
    time_s = channel(activity, "time_s")
    distance = [d for d in channel(activity, "distance_m") if not math.isnan(d)]
    assert time_s[0] == 0.0
    assert time_s[-1] == activity.duration_s
    assert distance == sorted(distance)
    assert distance[-1] == pytest.approx(activity.distance_m)
    assert activity.streams is not None
    assert set(activity.streams.channels) <= {
        "time_s",
        "heart_rate_bpm",
        "speed_m_s",
        "distance_m",
        "cadence_spm",
        "altitude_m",
    }


# --- hand-made tracks ----------------------------------------------------------------------


def test_every_track_of_a_file_is_its_own_activity_and_segments_are_joined() -> None:
    data = track(point(0), point(10, 48.001)).replace(
        b"</trkseg></trk>",
        b"</trkseg><trkseg>" + point(20, 48.002).encode() + b"</trkseg></trk>"
        b"<trk><name>second</name><trkseg>" + point(3600).encode() + b"</trkseg></trk>",
    )
    parsed = gpx.parse(data)
    assert parsed.records == 4
    first, second = parsed.activities
    assert first.records == 3
    assert first.duration_s == 20.0
    assert first.laps == ()  # segments are pauses, not laps
    assert first.distance_m == pytest.approx(0.002 * M_PER_DEG_LAT, rel=0.01)
    assert second.name == "second"
    assert second.start == first.start + dt.timedelta(hours=1)


def test_points_without_time_count_as_records_but_make_no_samples() -> None:
    untimed = '<trkpt lat="48.0005" lon="11.0"><ele>500</ele></trkpt>'
    activity = only(gpx.parse(track(point(0), untimed, point(10, 48.001))))
    assert activity.records == 3
    assert channel(activity, "time_s") == [0.0, 10.0]


def test_an_explicit_offset_is_kept_and_z_or_zero_means_unknown() -> None:
    def first_point_at(stamp: str) -> Activity:
        body = f'<trkpt lat="48" lon="11"><time>{stamp}</time></trkpt>'
        return only(gpx.parse(track(body)))

    local = first_point_at("2024-05-01T08:00:00+02:00")
    assert local.start == dt.datetime(2024, 5, 1, 6, 0, tzinfo=dt.UTC)
    assert local.start.utcoffset() == dt.timedelta(0)
    assert local.utc_offset_s == 7200
    assert first_point_at("2024-05-01T06:00:00Z").utc_offset_s is None
    assert first_point_at("2024-05-01T06:00:00+00:00").utc_offset_s is None


@pytest.mark.parametrize(
    ("kind", "sport"),
    [
        ("running", Sport.RUNNING),
        ("9", Sport.RUNNING),  # Strava's numeric code
        ("trail_running", Sport.TRAIL_RUNNING),
        ("TrailRun", Sport.TRAIL_RUNNING),
        ("treadmill_running", Sport.TREADMILL),
        ("stand_up_paddleboarding", Sport.PADDLING),
        ("Ride", Sport.CYCLING),
        ("1", Sport.CYCLING),
        ("hiking", Sport.HIKING),
        ("walking", Sport.WALKING),
        ("16", Sport.SWIMMING),
        ("jkljkl", Sport.OTHER),
    ],
)
def test_the_track_type_names_the_sport(kind: str, sport: Sport) -> None:
    activity = only(gpx.parse(track(point(0), trk=f"<name>x</name><type>{kind}</type>")))
    assert activity.sport is sport


@pytest.mark.parametrize(
    ("name", "sport"),
    [
        ("Morning Run", Sport.RUNNING),
        ("Waldlauf am Sonntag", Sport.RUNNING),
        ("Trail run in the Alps", Sport.TRAIL_RUNNING),
        ("Evening Ride", Sport.CYCLING),
        ("Langlauf Engadin", Sport.SKIING),
        ("Skilanglauf", Sport.SKIING),
        ("Lap 9", None),  # numbers in a name are not Strava codes
        ("Untitled", None),
    ],
)
def test_without_a_type_keywords_in_the_name_name_the_sport(name: str, sport: Sport | None) -> None:
    assert sport_from_text(name, codes=False) is sport
    activity = only(gpx.parse(track(point(0), trk=f"<name>{name}</name>")))
    assert activity.sport is (sport or Sport.OTHER)


def test_moving_time_leaves_out_standing_and_long_gaps() -> None:
    # 60 s running north at ~5.6 m/s, 60 s standing still, a 5 min gap, 60 s running again.
    points = [point(s, 48.0 + s * 0.00005) for s in range(0, 61, 2)]
    points += [point(s, 48.003) for s in range(62, 121, 2)]
    points += [point(s, 48.003 + (s - 420) * 0.00005) for s in range(420, 481, 2)]
    activity = only(gpx.parse(track(*points)))
    assert activity.duration_s == 480.0
    assert activity.moving_s == pytest.approx(120.0)


def test_moving_time_is_unknown_without_any_speed() -> None:
    assert moving_seconds([0.0, 1.0, 2.0], [math.nan, math.nan, math.nan]) is None


def test_elevation_gain_ignores_jitter_and_counts_a_climb() -> None:
    rng = random.Random(7)
    flat = [500.0 + rng.uniform(-1.0, 1.0) for _ in range(600)]
    assert elevation_gain(flat) == 0.0
    climb = [500.0 + 0.25 * i + rng.uniform(-1.0, 1.0) for i in range(401)]  # +100 m
    gain = elevation_gain(climb)
    assert gain is not None
    assert 100.0 - 2 * GAIN_DEAD_BAND_M - 1.0 <= gain <= 101.0
    assert elevation_gain([math.nan, math.nan]) is None


def test_an_undeclared_extension_prefix_does_not_lose_the_file() -> None:
    body = (
        '<trkpt lat="48" lon="11"><time>2024-05-01T06:00:00Z</time>'
        "<extensions><hrx:TrackPointExtension><hrx:hr>151</hrx:hr></hrx:TrackPointExtension>"
        "</extensions></trkpt>"
    )
    activity = only(gpx.parse(track(body)))
    assert activity.avg_hr_bpm == 151.0


def test_extensions_without_any_namespace_are_read() -> None:
    data = (
        b"<gpx><trk><trkseg><trkpt lat='48' lon='11'><time>2024-05-01T06:00:00Z</time>"
        b"<extensions><heartrate>140</heartrate><cadence>80</cadence></extensions>"
        b"</trkpt></trkseg></trk></gpx>"
    )
    activity = only(gpx.parse(data))
    assert activity.avg_hr_bpm == 140.0
    assert channel(activity, "cadence_spm") == [80.0]


def test_a_utf16_file_is_sniffed_and_read() -> None:
    data = track(point(0)).decode().replace("UTF-8", "UTF-16").encode("utf-16")
    assert gpx.sniff(data[:4096])
    assert only(gpx.parse(data)).records == 1


def test_sniff_skips_declaration_comments_and_whitespace_and_ignores_the_prefix() -> None:
    assert gpx.sniff(b'\xef\xbb\xbf<?xml version="1.0"?>\n<!-- exported -->\n  <gpx version="1.1">')
    assert gpx.sniff(b'<g:gpx xmlns:g="http://www.topografix.com/GPX/1/1">')
    assert not gpx.sniff(b"<gpxdata/>")
    assert not gpx.sniff(b"<TrainingCenterDatabase/>")
    assert not gpx.sniff(b"\x00\x01binary")


# --- damage --------------------------------------------------------------------------------


def test_a_file_cut_in_half_is_a_problem_unless_salvaged() -> None:
    data = read("togeojson/run.gpx")
    half = data[: len(data) // 2]
    parsed = gpx.parse(half)
    assert parsed.problem is not None
    assert "line" in parsed.problem
    assert "\n" not in parsed.problem
    assert parsed.activities == ()

    salvaged = gpx.parse(half, salvage=True)
    assert salvaged.problem == parsed.problem
    assert salvaged.partial
    activity = only_partial(salvaged)
    assert activity.records == half.count(b"</trkpt>")  # the points that closed
    assert activity.name == "Untitled"  # read before the damage, from the open track
    assert activity.start == only(gpx.parse(data)).start


def only_partial(parsed: Parsed) -> Activity:
    assert len(parsed.activities) == 1
    activity = parsed.activities[0]
    assert activity.partial
    return activity


def test_garbage_in_the_middle_keeps_the_points_before_it_when_salvaged() -> None:
    data = read("GoldenCheetah/Move_2014_01_17_09_33_11.gpx")
    cut = data.index(b"<trkpt", len(data) // 2)
    broken = data[:cut] + b"<trkpt <<" + data[cut:]
    parsed = gpx.parse(broken)
    assert parsed.problem is not None
    assert parsed.problem.startswith("not well-formed XML")
    activity = only_partial(gpx.parse(broken, salvage=True))
    assert activity.records == data[:cut].count(b"<trkpt")
    assert activity.name == "Move"


def test_a_complete_track_before_the_damage_is_whole() -> None:
    data = track(point(0), point(10, 48.001)) + b"<!-- trailing garbage <"
    salvaged = gpx.parse(data, salvage=True)
    assert salvaged.partial
    assert salvaged.problem is not None
    (activity,) = salvaged.activities
    assert not activity.partial
    assert activity.records == 2


def test_other_xml_is_a_problem_naming_the_root() -> None:
    parsed = gpx.parse(b"<?xml version='1.0'?><kml><Document/></kml>")
    assert parsed.problem == "the root element is <kml>, not <gpx>"


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", "empty file"),
        (b"\x89PNG\r\n\x1a\n", "not well-formed XML (invalid token) at line 1, column 0"),
        (b"<gpx><trk></gpx>", "bad XML (mismatched tag) at line 1, column 12"),
    ],
)
def test_bytes_that_are_not_gpx_get_a_one_line_problem(data: bytes, problem: str) -> None:
    parsed = gpx.parse(data, salvage=True)
    assert parsed.problem == problem
    assert parsed.activities == ()


def test_a_declared_encoding_python_does_not_know_is_one_problem_line() -> None:
    data = b'<?xml version="1.0" encoding="XTF-8"?><gpx><trk><trkseg></trkseg></trk></gpx>'
    parsed = gpx.parse(data)
    assert parsed.problem == "unreadable XML: unknown encoding: XTF-8"
    assert parsed.activities == ()


@pytest.mark.parametrize("module", [gpx, tcx])
def test_a_multi_byte_encoding_declaration_is_one_problem_line(module: object) -> None:
    parsed = module.parse(b'<?xml version="1.0" encoding="UTF-32"?><gpx/>')  # type: ignore[attr-defined]
    assert parsed.problem == "unreadable XML: multi-byte encodings are not supported"
