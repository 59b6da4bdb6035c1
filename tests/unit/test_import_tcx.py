"""The TCX importer on the corpus's format traps, on hand-made files with known answers, and
on damaged input."""

from __future__ import annotations

import datetime as dt
import math
import re

import pytest
from tests.support.corpus import channel, corpus_files, counted_in_sources, only, read

from rubdown.domain.activity import Sport
from rubdown.importers import gpx, tcx
from rubdown.importers.xml_common import MULTISPORT_MAX_GAP_S

TCX_FILES = corpus_files(".tcx", ".tcx.gz")
TCX_NS = "http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"


def trackpoint_tags(data: bytes) -> int:
    """Trackpoints by a plain count of start tags, whatever their prefix."""
    return len(re.findall(rb"<(?:[\w.-]+:)?Trackpoint[\s>/]", data))


def at(seconds: float, start: str = "2024-05-01T06:00:00+00:00") -> str:
    moment = dt.datetime.fromisoformat(start) + dt.timedelta(seconds=seconds)
    return moment.isoformat().replace("+00:00", "Z")


def trackpoint(seconds: float, *, distance: float | None = None, hr: int | None = None) -> str:
    parts = [f"<Time>{at(seconds)}</Time>"]
    if distance is not None:
        parts.append(f"<DistanceMeters>{distance}</DistanceMeters>")
    if hr is not None:
        parts.append(f"<HeartRateBpm><Value>{hr}</Value></HeartRateBpm>")
    return f"<Trackpoint>{''.join(parts)}</Trackpoint>"


def lap(start_s: float, seconds: float, *points: str, hr: tuple[int, int] | None = None) -> str:
    summary = f"<TotalTimeSeconds>{seconds}</TotalTimeSeconds>"
    if hr is not None:
        summary += (
            f"<AverageHeartRateBpm><Value>{hr[0]}</Value></AverageHeartRateBpm>"
            f"<MaximumHeartRateBpm><Value>{hr[1]}</Value></MaximumHeartRateBpm>"
        )
    track = f"<Track>{''.join(points)}</Track>" if points else ""
    return f'<Lap StartTime="{at(start_s)}">{summary}{track}</Lap>'


def activity(sport: str, start_s: float, *laps: str, notes: str = "") -> str:
    note = f"<Notes>{notes}</Notes>" if notes else ""
    return f'<Activity Sport="{sport}"><Id>{at(start_s)}</Id>{note}{"".join(laps)}</Activity>'


def database(*activities: str, extra: str = "") -> bytes:
    return (
        f'<?xml version="1.0"?><TrainingCenterDatabase xmlns="{TCX_NS}">'
        f"<Activities>{''.join(activities)}</Activities>{extra}</TrainingCenterDatabase>"
    ).encode()


def session(first: str, *following: str) -> str:
    rest = "".join(f"<NextSport>{leg}</NextSport>" for leg in following)
    legs = f"<FirstSport>{first}</FirstSport>{rest}"
    return f"<MultiSportSession><Id>{at(0)}</Id>{legs}</MultiSportSession>"


# --- the corpus ----------------------------------------------------------------------------


def test_the_corpus_has_the_tcx_files_the_research_counted() -> None:
    assert len(TCX_FILES) == 12
    assert sum(trackpoint_tags(read(shown)) for shown in TCX_FILES) == 25_311


@pytest.mark.parametrize("shown", TCX_FILES)
def test_every_corpus_tcx_is_sniffed_as_tcx_and_not_as_gpx(shown: str) -> None:
    head = read(shown)[:4096]
    assert tcx.sniff(head)
    assert not gpx.sniff(head)


@pytest.mark.parametrize("shown", TCX_FILES)
def test_every_trackpoint_is_counted_as_sources_md_and_a_plain_tag_count_say(shown: str) -> None:
    data = read(shown)
    parsed = tcx.parse(data)
    assert parsed.problem is None
    assert parsed.activities
    assert parsed.records == counted_in_sources()[shown] == trackpoint_tags(data)
    assert sum(a.records for a in parsed.activities) == parsed.records


def test_garmin_connect_tcx_reads_laps_speed_and_distance_from_ns3_extensions() -> None:
    data = read("GoldenCheetah/10kUNLP2014-Garmin15.tcx")
    run = only(tcx.parse(data))
    assert run.sport is Sport.RUNNING
    assert run.start == dt.datetime(2014, 10, 11, 18, 8, 45, tzinfo=dt.UTC)
    assert len(run.laps) == data.count(b"<Lap ") == 11
    assert run.laps[0].duration_s == 212.152
    assert run.laps[0].distance_m == 1000.0
    assert all(lap.sport is None for lap in run.laps)
    # TPX Speed as recorded, not derived; DistanceMeters as recorded.
    assert channel(run, "speed_m_s")[:2] == [0.2460000067949295, 5.5879998207092285]
    last = re.findall(rb"<DistanceMeters>([\d.]+)</DistanceMeters>\s*<Extensions>", data)[-1]
    assert run.distance_m == float(last)
    # The Forerunner 15 wrote no heart rate (its FIT twin has 0xFF on every record).
    assert run.avg_hr_bpm is None
    assert "heart_rate_bpm" not in (run.streams.channels if run.streams else {})


def test_run_cadence_from_tpx_is_doubled_to_steps_per_minute() -> None:
    data = read("activatr/running_example.tcx.gz")
    run = only(tcx.parse(data))
    first = int(re.findall(rb"<ns3:RunCadence>(\d+)</ns3:RunCadence>", data)[0])
    assert channel(run, "cadence_spm")[0] == 2 * first


def test_a_bike_cadence_is_kept_as_recorded_and_notes_name_the_activity() -> None:
    data = read("GoldenCheetah/2020-02-05_17-25-14_Training-with-Notes.tcx")
    # 1.1 MB on one line (the only line break is inside the notes).
    assert max(len(line) for line in data.splitlines()) > 1_000_000
    ride = only(tcx.parse(data))
    assert ride.sport is Sport.CYCLING
    assert ride.records == 6862
    assert ride.name == "- immer noch den Muskelkater in beiden Oberschenkeln (Unterseite)"
    assert channel(ride, "cadence_spm")[:4] == [0.0, 0.0, 0.0, 16.0]
    assert channel(ride, "heart_rate_bpm")[0] == 81.0
    # An indoor ride: no position, no distance; the lap's 0.0 m says "unknown" here.
    assert ride.distance_m is None
    assert ride.moving_s is None


def test_the_multi_session_file_of_four_days_is_four_activities() -> None:
    parsed = tcx.parse(read("GoldenCheetah/activity_165850259_multi-session.tcx"))
    assert parsed.problem is None
    assert [a.sport for a in parsed.activities] == [
        Sport.RUNNING,
        Sport.CYCLING,
        Sport.RUNNING,
        Sport.CYCLING,
    ]
    assert [a.start.date() for a in parsed.activities] == [
        dt.date(2011, 11, 29),
        dt.date(2011, 12, 1),
        dt.date(2011, 12, 4),
        dt.date(2011, 12, 7),
    ]
    assert all(a.duration_s < 2 * 3600 for a in parsed.activities)
    assert sum(a.records for a in parsed.activities) == 1893


def test_placeholder_and_garbage_positions_spoil_only_that_value() -> None:
    parsed = tcx.parse(read("togeojson/bad.tcx"))
    ride = only(parsed)
    assert parsed.records == 4
    assert ride.sport is Sport.CYCLING
    # Local timestamps with an explicit +01:00 offset.
    assert ride.start == dt.datetime(2020, 12, 27, 14, 59, 36, tzinfo=dt.UTC)
    assert ride.utc_offset_s == 3600
    assert ride.distance_m == 2607.12  # the recorded DistanceMeters, not the (0, 0) positions
    assert ride.avg_hr_bpm == 121.5
    assert len(ride.laps) == 2


def test_a_swim_is_other_because_tcx_knows_only_three_sports() -> None:
    swim = only(tcx.parse(read("GoldenCheetah/GarminHRMswim.tcx")))
    assert swim.sport is Sport.OTHER
    assert swim.records == 2630


def test_a_zero_offset_says_nothing_about_the_local_zone() -> None:
    data = read("tcxreader/mapmyride_biking.tcx")
    assert b"+00:00</Time>" in data
    ride = only(tcx.parse(data))
    assert ride.utc_offset_s is None
    assert ride.records == 3112


# --- hand-made files -----------------------------------------------------------------------


def test_several_activities_in_one_file_are_several_activities() -> None:
    data = database(
        activity("Running", 0, lap(0, 60, trackpoint(0), trackpoint(60))),
        activity("Biking", 7200, lap(7200, 60, trackpoint(7200), trackpoint(7260))),
    )
    run, ride = tcx.parse(data).activities
    assert (run.sport, ride.sport) == (Sport.RUNNING, Sport.CYCLING)
    assert ride.start - run.start == dt.timedelta(hours=2)


def test_a_triathlon_session_is_one_multisport_activity_with_a_sport_per_lap() -> None:
    swim = activity(
        "Other", 0, lap(0, 600, trackpoint(0, distance=0), trackpoint(600, distance=500))
    )
    bike = activity(
        "Biking", 660, lap(660, 1800, trackpoint(660, distance=0), trackpoint(2460, distance=20000))
    )
    run = activity(
        "Running",
        2500,
        lap(2500, 1200, trackpoint(2500, distance=0), trackpoint(3700, distance=5000)),
    )
    race = only(tcx.parse(database(session(swim, bike, run))))
    assert race.sport is Sport.MULTISPORT
    assert [lap.sport for lap in race.laps] == [Sport.OTHER, Sport.CYCLING, Sport.RUNNING]
    assert race.duration_s == 3700.0
    assert race.distance_m == 25_500.0
    # One distance channel that keeps counting across the legs.
    assert channel(race, "distance_m") == [0.0, 500.0, 500.0, 20_500.0, 20_500.0, 25_500.0]
    assert race.records == 6


def test_session_legs_further_apart_than_the_gap_are_separate_activities() -> None:
    later = 2 * MULTISPORT_MAX_GAP_S
    first = activity("Running", 0, lap(0, 60, trackpoint(0), trackpoint(60)))
    second = activity("Biking", later, lap(later, 60, trackpoint(later), trackpoint(later + 60)))
    parsed = tcx.parse(database(session(first, second)))
    assert [a.sport for a in parsed.activities] == [Sport.RUNNING, Sport.CYCLING]


def test_a_session_beside_a_plain_activity_groups_only_its_own_legs() -> None:
    plain = activity("Running", 0, lap(0, 60, trackpoint(0), trackpoint(60)))
    leg_one = activity("Biking", 9000, lap(9000, 60, trackpoint(9000), trackpoint(9060)))
    leg_two = activity("Running", 9100, lap(9100, 60, trackpoint(9100), trackpoint(9160)))
    parsed = tcx.parse(database(plain, session(leg_one, leg_two)))
    assert [a.sport for a in parsed.activities] == [Sport.RUNNING, Sport.MULTISPORT]


def test_lap_heart_rates_stand_in_when_the_points_have_none() -> None:
    data = database(
        activity(
            "Running",
            0,
            lap(0, 100, trackpoint(0), trackpoint(100), hr=(140, 150)),
            lap(100, 300, trackpoint(200), trackpoint(400), hr=(160, 175)),
        )
    )
    run = only(tcx.parse(data))
    assert run.avg_hr_bpm == pytest.approx((140 * 100 + 160 * 300) / 400)
    assert run.max_hr_bpm == 175.0


def test_point_heart_rates_win_over_lap_values() -> None:
    data = database(
        activity("Running", 0, lap(0, 10, trackpoint(0, hr=100), trackpoint(10, hr=120), hr=(1, 2)))
    )
    run = only(tcx.parse(data))
    assert (run.avg_hr_bpm, run.max_hr_bpm) == (110.0, 120.0)


def test_laps_without_trackpoints_still_make_an_activity() -> None:
    data = database(activity("Running", 0, lap(0, 1500, hr=(150, 170)), lap(1500, 1500)))
    run = only(tcx.parse(data))
    assert run.start == dt.datetime(2024, 5, 1, 6, 0, tzinfo=dt.UTC)
    assert run.duration_s == 3000.0
    assert run.streams is None
    assert run.records == 0
    assert run.avg_hr_bpm == 150.0


def test_speed_is_derived_from_distance_when_the_file_has_no_tpx() -> None:
    points = [trackpoint(s, distance=3.0 * s) for s in range(0, 41, 4)]
    run = only(tcx.parse(database(activity("Running", 0, lap(0, 40, *points)))))
    speed = channel(run, "speed_m_s")
    assert math.isnan(speed[0])
    assert speed[1:] == pytest.approx([3.0] * 10)
    assert run.moving_s == 40.0


def test_without_trackpoint_distances_the_lap_total_beats_summed_positions() -> None:
    points = [
        f"<Trackpoint><Time>{at(s)}</Time><Position><LatitudeDegrees>{48 + s * 1e-4}"
        "</LatitudeDegrees><LongitudeDegrees>11</LongitudeDegrees></Position></Trackpoint>"
        for s in range(0, 101, 10)
    ]
    laps = lap(0, 100, *points).replace(
        "</TotalTimeSeconds>", "</TotalTimeSeconds><DistanceMeters>1234.5</DistanceMeters>"
    )
    run = only(tcx.parse(database(activity("Running", 0, laps))))
    assert run.distance_m == 1234.5
    # The stream still follows the positions: 0.01 degrees of latitude, about 1.11 km.
    assert channel(run, "distance_m")[-1] == pytest.approx(1112, rel=0.01)


def test_a_course_is_a_plan_and_gives_no_activity() -> None:
    course = (
        "<Courses><Course><Name>loop</Name><Lap><TotalTimeSeconds>60</TotalTimeSeconds></Lap>"
        f"<Track>{trackpoint(0)}{trackpoint(60)}</Track></Course></Courses>"
    )
    parsed = tcx.parse(database(extra=course))
    assert parsed.activities == ()
    assert parsed.records == 0
    assert parsed.skipped == "no track points"


def test_an_extension_without_namespace_is_read() -> None:
    point = (
        f"<Trackpoint><Time>{at(0)}</Time><Extensions><TPX><Speed>3.5</Speed>"
        "<RunCadence>88</RunCadence></TPX></Extensions></Trackpoint>"
    )
    run = only(tcx.parse(database(activity("Running", 0, lap(0, 1, point)))))
    assert channel(run, "speed_m_s") == [3.5]
    assert channel(run, "cadence_spm") == [176.0]


def test_sniff_skips_bom_declaration_and_comments_and_ignores_the_prefix() -> None:
    assert tcx.sniff(b'\xef\xbb\xbf<?xml version="1.0"?><!-- x -->\n<TrainingCenterDatabase>')
    assert tcx.sniff(f'<tc:TrainingCenterDatabase xmlns:tc="{TCX_NS}">'.encode())
    assert not tcx.sniff(b"<gpx/>")


# --- damage --------------------------------------------------------------------------------


def test_a_file_cut_in_half_is_a_problem_unless_salvaged() -> None:
    data = read("GoldenCheetah/10kUNLP2014-Garmin15.tcx")
    half = data[: len(data) // 2]
    parsed = tcx.parse(half)
    assert parsed.problem is not None
    assert parsed.problem.startswith("XML breaks off at line")
    assert parsed.activities == ()

    salvaged = tcx.parse(half, salvage=True)
    assert salvaged.problem == parsed.problem
    assert salvaged.partial
    (run,) = salvaged.activities
    assert run.partial
    # The Activity never ended, yet its sport is known.
    assert run.sport is Sport.RUNNING
    assert run.records == half.count(b"</Trackpoint>")
    assert run.start == only(tcx.parse(data)).start
    assert len(run.laps) == half.count(b"</Lap>")


def test_a_damaged_multi_activity_file_keeps_the_activities_before_the_damage() -> None:
    data = read("GoldenCheetah/activity_165850259_multi-session.tcx")
    cut = data.index(b"<Trackpoint>", data.index(b'Sport="Running"', data.index(b"</FirstSport>")))
    broken = data[:cut] + b"<Trackpoint></Lap>" + data[cut:]
    parsed = tcx.parse(broken, salvage=True)
    assert parsed.problem is not None
    assert parsed.problem.startswith("bad XML (mismatched tag)")
    assert [(a.sport, a.partial) for a in parsed.activities] == [
        (Sport.RUNNING, False),
        (Sport.CYCLING, False),
    ]


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", "empty file"),
        (b'{"not": "xml"}', "not well-formed XML (invalid token) at line 1, column 0"),
        (b"<gpx/>", "the root element is <gpx>, not <TrainingCenterDatabase>"),
    ],
)
def test_bytes_that_are_not_tcx_get_a_one_line_problem(data: bytes, problem: str) -> None:
    parsed = tcx.parse(data, salvage=True)
    assert parsed.problem == problem
    assert parsed.activities == ()


def test_a_declared_encoding_python_does_not_know_is_one_problem_line() -> None:
    data = b'<?xml version="1.0" encoding="XTF-8"?><TrainingCenterDatabase/>'
    parsed = tcx.parse(data)
    assert parsed.problem == "unreadable XML: unknown encoding: XTF-8"
