"""Reading races and workouts from .ics files: our own exports, hand-written calendars and
broken files."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rubdown.calendar import CalendarImport, export_ics, race_uid, read_ics, rest_day_uid
from rubdown.domain.model import (
    PolicyName,
    Priority,
    Profile,
    Race,
    SessionKind,
    Workout,
    WorkoutKind,
)
from rubdown.domain.plan import Plan, PlannedSession
from rubdown.domain.regions import BodyPart, Region
from rubdown.errors import FileFormatError, InvalidValue


def ics(*events: str, header: str = "") -> bytes:
    """A calendar around ``events`` (written with plain newlines), with CRLF line ends."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//hand written//EN"]
    lines += header.splitlines()
    for event in events:
        lines += ["BEGIN:VEVENT", *event.strip().splitlines(), "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


def read(data: bytes, timezone: str = "Europe/Berlin") -> CalendarImport:
    return read_ics(data, timezone=timezone)


def only_race(result: CalendarImport) -> Race:
    assert result.workouts == []
    assert result.skipped == []
    ((race, _uid),) = result.races
    return race


def only_workout(result: CalendarImport) -> Workout:
    assert result.races == []
    assert result.skipped == []
    ((workout, _uid),) = result.workouts
    return workout


# --- round trip -------------------------------------------------------------------------

BOSTON = Race(
    "Boston Marathon", dt.date(2027, 4, 19), Priority.A, 42.195, dt.time(8, 30), id="boston"
)
HALF = Race("Lisbon Half", dt.date(2027, 3, 21), Priority.B, 21.0975, id="lisbon")
TUNE_UP = Race("Spring tune-up", dt.date(2027, 3, 7), Priority.C, None, id="tune-up")
REST = Workout(dt.date(2027, 4, 18), WorkoutKind.REST, id="rest-1")
SESSION = PlannedSession(
    key="deep:2027-03",
    day=dt.date(2027, 3, 10),
    kind=SessionKind.SPORTS,
    regions=(Region(BodyPart.CALF),),
    price=80.0,
    reason="Tight calves.",
    rules=("T2",),
)


def exported() -> bytes:
    plan = Plan(PolicyName.STANDARD, dt.date(2027, 2, 1), dt.date(2027, 5, 1), (SESSION,), (), ())
    return export_ics(
        plan,
        races=(BOSTON, HALF, TUNE_UP),
        workouts=(REST, Workout(dt.date(2027, 3, 11), WorkoutKind.TEMPO)),
        profile=Profile(name="Ana", timezone="Europe/Berlin"),
        kb=None,
        owner_id="owner-1",
        stamp=dt.datetime(2027, 2, 1, tzinfo=dt.UTC),
        alarms=True,
    )


def test_export_then_import_gives_back_the_races() -> None:
    result = read(exported())
    got = {uid: (r.name, r.day, r.priority, r.distance_km, r.start_time) for r, uid in result.races}
    assert got == {
        race_uid("owner-1", r): (r.name, r.day, r.priority, r.distance_km, r.start_time)
        for r in (BOSTON, HALF, TUNE_UP)
    }


def test_export_then_import_gives_back_the_rest_days() -> None:
    result = read(exported())
    assert [(w.day, w.kind, w.source, uid) for w, uid in result.workouts] == [
        (REST.day, WorkoutKind.REST, "calendar", rest_day_uid("owner-1", REST))
    ]


def test_our_own_massage_sessions_are_skipped_as_planned_by_rubdown() -> None:
    (skipped,) = read(exported()).skipped
    assert skipped.line.startswith("'Massage – sports (calf)' on 2027-03-10: planned by rubdown")


def test_a_massage_event_from_elsewhere_is_not_mistaken_for_ours() -> None:
    result = read(
        ics(
            "UID:abc@clinic.example\nSUMMARY:Massage\nCATEGORIES:massage\n"
            "DTSTART;VALUE=DATE:20270310"
        )
    )
    (skipped,) = result.skipped
    assert "not recognised as a race or a workout" in skipped.reason


# --- dates and times --------------------------------------------------------------------


def test_all_day_event_keeps_its_date() -> None:
    race = only_race(
        read(ics("SUMMARY:Boston Marathon\nDTSTART;VALUE=DATE:20270419\nDTEND;VALUE=DATE:20270420"))
    )
    assert race.day == dt.date(2027, 4, 19)
    assert race.start_time is None


def test_a_utc_time_late_in_the_evening_is_the_next_day_in_berlin() -> None:
    data = ics("SUMMARY:Night 10K race\nDTSTART:20270403T223000Z\nDTEND:20270403T233000Z")
    berlin = only_race(read(data, "Europe/Berlin"))
    assert (berlin.day, berlin.start_time) == (dt.date(2027, 4, 4), dt.time(0, 30))
    new_york = only_race(read(data, "America/New_York"))
    assert (new_york.day, new_york.start_time) == (dt.date(2027, 4, 3), dt.time(18, 30))


def test_a_time_in_another_zone_is_converted_to_the_runners_day() -> None:
    data = ics(
        "SUMMARY:Tempo run\nDTSTART;TZID=America/New_York:20270405T200000\n"
        "DTEND;TZID=America/New_York:20270405T205000"
    )
    in_berlin = only_workout(read(data, "Europe/Berlin"))
    assert in_berlin.day == dt.date(2027, 4, 6)  # 02:00 in Berlin
    assert in_berlin.duration_min == 50
    assert only_workout(read(data, "America/New_York")).day == dt.date(2027, 4, 5)


def test_a_floating_time_is_local_unless_the_calendar_names_its_zone() -> None:
    event = "SUMMARY:Easy run\nDTSTART:20270405T233000\nDURATION:PT40M"
    assert only_workout(read(ics(event), "Europe/Berlin")).day == dt.date(2027, 4, 5)
    named = ics(event, header="X-WR-TIMEZONE:America/Los_Angeles")
    assert only_workout(read(named, "Europe/Berlin")).day == dt.date(2027, 4, 6)


def test_workout_duration_comes_from_duration_or_dtend() -> None:
    by_duration = ics("SUMMARY:Long run\nDTSTART:20270404T070000Z\nDURATION:PT2H30M")
    assert only_workout(read(by_duration)).duration_min == 150
    by_end = ics("SUMMARY:Long run\nDTSTART:20270404T070000Z\nDTEND:20270404T084500Z")
    assert only_workout(read(by_end)).duration_min == 105


def test_duration_across_the_clock_change_counts_real_minutes() -> None:
    # Berlin skips 02:00-03:00 on 2027-03-28: 01:30 to 03:30 local is one hour.
    data = ics(
        "SUMMARY:Easy run\nDTSTART;TZID=Europe/Berlin:20270328T013000\n"
        "DTEND;TZID=Europe/Berlin:20270328T033000"
    )
    assert only_workout(read(data)).duration_min == 60


def test_an_all_day_workout_has_no_duration() -> None:
    workout = only_workout(read(ics("SUMMARY:Hill repeats\nDTSTART;VALUE=DATE:20270406")))
    assert (workout.kind, workout.duration_min, workout.source) == (
        WorkoutKind.HILL,
        None,
        "calendar",
    )


# --- classification ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("summary", "priority", "distance"),
    [
        ("Boston Marathon", Priority.B, 42.195),
        ("Berlin Half", Priority.B, 21.0975),
        ("Half marathon de Paris", Priority.B, 21.0975),
        ("Saturday parkrun", Priority.C, 5.0),
        ("Local 10K", Priority.C, 10.0),
        ("Trail race 25 km", Priority.B, 25.0),
        ("Comrades ultra", Priority.B, None),
        ("Club championships (A)", Priority.A, None),
        ("A race – Chicago Marathon", Priority.A, 42.195),
        ("Cherry Blossom 10 miles B-race", Priority.B, 16.093),
    ],
)
def test_races_are_recognised_from_the_words(
    summary: str, priority: Priority, distance: float | None
) -> None:
    race = only_race(read(ics(f"SUMMARY:{summary}\nDTSTART;VALUE=DATE:20270411")))
    assert (race.priority, race.distance_km) == (priority, distance)
    assert race.name == summary.replace(" (A)", "")  # a bracketed marker is not part of the name


def test_a_bracketed_priority_marker_is_dropped_from_the_race_name() -> None:
    race = only_race(read(ics("SUMMARY:Autumn 10K (C)\nDTSTART;VALUE=DATE:20271010")))
    assert (race.name, race.priority) == ("Autumn 10K", Priority.C)


@pytest.mark.parametrize(
    ("summary", "kind"),
    [
        ("Long run 30 km", WorkoutKind.LONG),
        ("Long run with marathon pace finish", WorkoutKind.LONG),
        ("Tempo 8k", WorkoutKind.TEMPO),
        ("Threshold", WorkoutKind.TEMPO),
        ("6x800m @ 10k pace", WorkoutKind.INTERVALS),
        ("Track session", WorkoutKind.INTERVALS),
        ("VO2max reps", WorkoutKind.INTERVALS),
        ("Hill repeats", WorkoutKind.HILL),
        ("Easy 10k", WorkoutKind.EASY),
        ("Recovery run", WorkoutKind.EASY),
        ("Rest day", WorkoutKind.REST),
        ("Day off", WorkoutKind.REST),
    ],
)
def test_workouts_are_recognised_from_the_words(summary: str, kind: WorkoutKind) -> None:
    workout = only_workout(read(ics(f"SUMMARY:{summary}\nDTSTART;VALUE=DATE:20270411")))
    assert workout.kind is kind


def test_categories_count_as_words() -> None:
    race = only_race(
        read(ics("SUMMARY:Sunday in Vienna\nCATEGORIES:Running,Race\nDTSTART;VALUE=DATE:20270411"))
    )
    assert race.name == "Sunday in Vienna"
    assert race.priority is Priority.C


def test_our_priority_property_wins_over_the_words() -> None:
    race = only_race(
        read(
            ics(
                "SUMMARY:Vienna Marathon (C)\nX-RUBDOWN-PRIORITY:A\n"
                "X-RUBDOWN-DISTANCE-KM:42.2\nDTSTART;VALUE=DATE:20270411"
            )
        )
    )
    assert (race.priority, race.distance_km) == (Priority.A, 42.2)


def test_unrecognised_events_are_skipped_with_their_summary_and_reason() -> None:
    result = read(ics("SUMMARY:Dentist\nDTSTART:20270406T080000Z"))
    assert (result.races, result.workouts) == ([], [])
    assert [s.line for s in result.skipped] == [
        "'Dentist' on 2027-04-06: not recognised as a race or a workout (no race or training words)"
    ]


def test_cancelled_events_are_skipped() -> None:
    result = read(ics("SUMMARY:Paris Marathon\nSTATUS:CANCELLED\nDTSTART;VALUE=DATE:20270404"))
    assert result.races == []
    assert [s.line for s in result.skipped] == ["'Paris Marathon' on 2027-04-04: cancelled"]


def test_an_unending_series_is_expanded_to_the_horizon_and_says_the_rest_comes_later() -> None:
    data = ics("UID:track\nSUMMARY:Tuesday track\nDTSTART;VALUE=DATE:20270406\nRRULE:FREQ=WEEKLY")
    result = read_ics(data, timezone="Europe/Berlin", today=dt.date(2027, 4, 1))
    days = [workout.day for workout, _uid in result.workouts]
    assert days[0] == dt.date(2027, 4, 6)
    horizon_end = dt.date(2027, 4, 1) + dt.timedelta(days=548)  # 18 months ahead
    every_tuesday = (horizon_end - dt.date(2027, 4, 6)).days // 7 + 1
    assert len(days) == len(set(days)) == every_tuesday
    assert days[-1] > horizon_end - dt.timedelta(days=7)
    (skipped,) = result.skipped
    assert skipped.name == "'Tuesday track'"
    assert "later occurrences are not imported yet" in skipped.reason


@pytest.mark.parametrize(
    "rule",
    ["FREQ=WEEKLY;COUNT=1", "FREQ=DAILY;UNTIL=20270406", "FREQ=DAILY;UNTIL=20270406T070000Z"],
)
def test_a_rule_with_a_single_occurrence_is_imported(rule: str) -> None:
    data = ics(f"SUMMARY:Track session\nDTSTART:20270406T070000Z\nRRULE:{rule}")
    assert only_workout(read(data)).day == dt.date(2027, 4, 6)


def test_an_event_without_uid_gets_a_stable_content_hash() -> None:
    event = "SUMMARY:Local 10K\nDTSTART;VALUE=DATE:20270411"
    ((_, first),) = read(ics(event)).races
    ((_, again),) = read(ics(event)).races
    ((_, other),) = read(ics(event.replace("Local", "City"))).races
    assert first == again
    assert first != other
    assert first.startswith("sha256:")


def test_an_event_uid_is_returned_as_is() -> None:
    ((_, uid),) = read(
        ics("UID:race-42@example.org\nSUMMARY:Local 10K\nDTSTART;VALUE=DATE:20270411")
    ).races
    assert uid == "race-42@example.org"


def test_bare_newlines_and_a_byte_order_mark_are_accepted() -> None:
    data = b"\xef\xbb\xbf" + ics("SUMMARY:Local 10K\nDTSTART;VALUE=DATE:20270411").replace(
        b"\r\n", b"\n"
    )
    assert only_race(read(data)).day == dt.date(2027, 4, 11)


def test_an_unknown_timezone_argument_is_an_input_error() -> None:
    with pytest.raises(InvalidValue, match="Atlantis/Capital"):
        read(ics("SUMMARY:Local 10K\nDTSTART;VALUE=DATE:20270411"), "Atlantis/Capital")


# --- broken files -----------------------------------------------------------------------

_BOSTON = "SUMMARY:Boston Marathon\n"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(b"", "not an iCalendar file: it is empty", id="empty"),
        pytest.param(b"Dear runner,\nhere is my plan.", "no BEGIN:VCALENDAR", id="prose"),
        pytest.param(b"%PDF-1.7\n\x00\x01\x02", "binary", id="binary"),
        pytest.param("BEGIN:VCALENDAR\nSUMMARY:Köln\n".encode("latin-1"), "UTF-8", id="latin1"),
        pytest.param(
            b"BEGIN:VEVENT\r\nSUMMARY:x\r\nEND:VEVENT\r\n", "no BEGIN:VCALENDAR", id="no-vcalendar"
        ),
        pytest.param(ics(_BOSTON + "DTSTART;VALUE=DATE:20270419")[:-30], "cut off", id="truncated"),
        pytest.param(
            ics(_BOSTON + "DTSTART;VALUE=DATE:20270419").replace(b"END:VEVENT", b"END:VTODO"),
            "END:VTODO does not close BEGIN:VEVENT",
            id="mismatched-end",
        ),
        pytest.param(
            ics(_BOSTON + "DTSTART;VALUE=DATE:20270419") + b"trailing junk\r\n",
            "outside of any VCALENDAR",
            id="junk-after-end",
        ),
        pytest.param(ics(_BOSTON), "event 'Boston Marathon' has no start date", id="no-dtstart"),
        pytest.param(
            ics(_BOSTON + "DTSTART;VALUE=DATE:20270230"),
            "event 'Boston Marathon' has an invalid start date '20270230'",
            id="february-30",
        ),
        pytest.param(
            ics(_BOSTON + "DTSTART:20270419T250000Z"),
            "event 'Boston Marathon' has an invalid start date",
            id="hour-25",
        ),
        pytest.param(
            ics(_BOSTON + "DTSTART;VALUE=DATE:20270419\nthis line has no colon"),
            "event 'Boston Marathon' has a line that is not iCalendar",
            id="bad-line",
        ),
        pytest.param(
            ics(_BOSTON + "DTSTART:20270419T090000Z\nDURATION:3 hours"),
            "event 'Boston Marathon' has an invalid duration",
            id="bad-duration",
        ),
        pytest.param(
            ics(_BOSTON + "DTSTART;VALUE=DATE:20270419\nDTSTART;VALUE=DATE:20270420"),
            "event 'Boston Marathon' has more than one DTSTART",
            id="two-starts",
        ),
        pytest.param(
            ics(_BOSTON + "DTSTART;VALUE=DATE:20270419\nRRULE:FREQ=DAILY;UNTIL=120000"),
            "invalid repeat rule: UNTIL 12:00:00 is not a date",
            id="until-a-time",
        ),
        pytest.param(
            ics(_BOSTON + "DTSTART;VALUE=DATE:20270419\nX-RUBDOWN-PRIORITY:Z"),
            "invalid X-RUBDOWN-PRIORITY 'Z'",
            id="bad-priority",
        ),
        pytest.param(
            ics(_BOSTON + "DTSTART;VALUE=DATE:20270419\nX-RUBDOWN-DISTANCE-KM:far"),
            "invalid X-RUBDOWN-DISTANCE-KM 'far'",
            id="bad-distance",
        ),
        pytest.param(
            ics(_BOSTON + "DTSTART;VALUE=DATE:20270419\nX-RUBDOWN-START-TIME:noonish"),
            "invalid X-RUBDOWN-START-TIME 'noonish'",
            id="bad-start-time",
        ),
        pytest.param(
            ics(header="no colon on this calendar line"),
            "not a valid iCalendar file",
            id="bad-calendar-line",
        ),
        pytest.param(
            ics(
                header="BEGIN:VTIMEZONE\nTZID:Custom/Zone\nBEGIN:STANDARD\n"
                "DTSTART:soon\nEND:STANDARD\nEND:VTIMEZONE"
            ),
            "not a valid iCalendar file",
            id="bad-vtimezone",
        ),
    ],
)
def test_malformed_files_raise_one_clear_line(data: bytes, message: str) -> None:
    with pytest.raises(FileFormatError) as caught:
        read(data)
    text = str(caught.value)
    assert message in text
    assert "\n" not in text
    assert len(text) < 240


_VALID = ics(
    "UID:boston@example.org\nSUMMARY:Boston Marathon (A)\nCATEGORIES:race\n"
    "DTSTART;TZID=America/New_York:20270419T100000\nDTEND;TZID=America/New_York:20270419T133000\n"
    "X-RUBDOWN-DISTANCE-KM:42.195",
    "SUMMARY:Track session\nDTSTART:20270406T170000Z\nDURATION:PT1H\n"
    "RRULE:FREQ=WEEKLY;UNTIL=20270406T170000Z",
)
_DAMAGE = st.sampled_from(
    [
        b":",
        b";",
        b"\r\n",
        b" ",
        b"=",
        b",",
        b"\\",
        b"\x00",
        b"\xff",
        b"Z",
        b"T",
        b"99",
        b"BEGIN:VEVENT",
        b"END:VEVENT",
        b"\r\nDTSTART:T120000",
        b"\r\nDURATION:-PT1H",
        b"\r\nRRULE:FREQ=DAILY;UNTIL=",
        b"\r\nRDATE:2027",
        b"\r\nX-WR-TIMEZONE:Nowhere",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, len(_VALID)), st.integers(0, 8), _DAMAGE), max_size=4))
def test_a_damaged_file_either_reads_or_raises_file_format_error(
    edits: list[tuple[int, int, bytes]],
) -> None:
    data = _VALID
    for position, cut, insert in edits:
        data = data[:position] + insert + data[position + cut :]
    message = ""
    try:
        read(data)  # any exception other than FileFormatError fails the test
    except FileFormatError as error:
        message = str(error)
    assert "\n" not in message


# --- repeating events -------------------------------------------------------------------

SERIES = """UID:tempo@club.example
SUMMARY:Tempo run
DTSTART;TZID=Europe/Berlin:20270105T070000
DTEND;TZID=Europe/Berlin:20270105T080000
RRULE:FREQ=WEEKLY;COUNT=6
EXDATE;TZID=Europe/Berlin:20270112T070000
RDATE;TZID=Europe/Berlin:20270130T070000"""
MOVED = """UID:tempo@club.example
RECURRENCE-ID;TZID=Europe/Berlin:20270119T070000
SUMMARY:Tempo run
DTSTART;TZID=Europe/Berlin:20270120T070000
DTEND;TZID=Europe/Berlin:20270120T081500"""
CANCELLED = """UID:tempo@club.example
RECURRENCE-ID;TZID=Europe/Berlin:20270126T070000
SUMMARY:Tempo run
STATUS:CANCELLED
DTSTART;TZID=Europe/Berlin:20270126T070000"""
JANUARY = dt.date(2027, 1, 4)


def read_series(*events: str, today: dt.date = JANUARY) -> CalendarImport:
    return read_ics(ics(*events), timezone="Europe/Berlin", today=today)


def test_rrule_exdate_and_rdate_give_one_workout_per_occurrence() -> None:
    result = read_series(SERIES)
    days = sorted(workout.day for workout, _uid in result.workouts)
    # Six Tuesdays from 5 January, without 12 January (EXDATE), plus Saturday 30 January.
    assert days == [
        dt.date(2027, 1, 5),
        dt.date(2027, 1, 19),
        dt.date(2027, 1, 26),
        dt.date(2027, 1, 30),
        dt.date(2027, 2, 2),
        dt.date(2027, 2, 9),
    ]
    assert all(w.kind is WorkoutKind.TEMPO and w.duration_min == 60 for w, _ in result.workouts)
    assert result.skipped == []


def test_a_changed_occurrence_moves_and_a_cancelled_one_is_skipped_with_its_reason() -> None:
    result = read_series(SERIES, MOVED, CANCELLED)
    by_day = {workout.day: workout for workout, _uid in result.workouts}
    assert dt.date(2027, 1, 19) not in by_day
    assert by_day[dt.date(2027, 1, 20)].duration_min == 75
    assert dt.date(2027, 1, 26) not in by_day
    assert [s.line for s in result.skipped] == ["'Tempo run' on 2027-01-26: cancelled"]


def test_each_occurrence_has_a_stable_uid_of_the_event_and_its_recurrence_id() -> None:
    first = read_series(SERIES, MOVED)
    again = read_series(SERIES, MOVED)
    uids = [uid for _workout, uid in first.workouts]
    assert uids == [uid for _workout, uid in again.workouts]
    assert len(set(uids)) == len(uids)
    assert "tempo@club.example#20270105T060000Z" in uids
    # The moved occurrence keeps the identity of the one it replaces (19 January, 07:00).
    assert "tempo@club.example#20270119T060000Z" in uids


def test_an_all_day_series_of_races_takes_the_date_as_its_recurrence_id() -> None:
    result = read_series(
        "UID:parkrun\nSUMMARY:parkrun 5k\nDTSTART;VALUE=DATE:20270109\nRRULE:FREQ=WEEKLY;COUNT=3"
    )
    assert [(race.day, uid) for race, uid in result.races] == [
        (dt.date(2027, 1, 9), "parkrun#20270109"),
        (dt.date(2027, 1, 16), "parkrun#20270116"),
        (dt.date(2027, 1, 23), "parkrun#20270123"),
    ]
    assert all(race.distance_km == 5 and race.priority is Priority.C for race, _ in result.races)


def test_a_series_wholly_outside_the_horizon_is_skipped_naming_the_horizon() -> None:
    old = "UID:old\nSUMMARY:Long run\nDTSTART;VALUE=DATE:20200105\nRRULE:FREQ=WEEKLY;COUNT=4"
    result = read_series(old)
    assert result.workouts == []
    (skipped,) = result.skipped
    assert skipped.reason == "repeats, but no occurrence falls in 2026-01-04 to 2028-07-05"


def test_only_occurrences_inside_the_horizon_come_in() -> None:
    since_2020 = "UID:sun\nSUMMARY:Long run\nDTSTART;VALUE=DATE:20200105\nRRULE:FREQ=WEEKLY"
    result = read_series(since_2020)
    days = [workout.day for workout, _uid in result.workouts]
    assert min(days) >= JANUARY - dt.timedelta(days=365)
    assert max(days) <= JANUARY + dt.timedelta(days=548)
    assert "later occurrences are not imported yet" in result.skipped[0].reason


def test_an_occurrence_not_recognised_is_skipped_once_per_occurrence() -> None:
    result = read_series(
        "UID:d\nSUMMARY:Dentist\nDTSTART:20270105T080000Z\nRRULE:FREQ=DAILY;COUNT=2"
    )
    reason = "not recognised as a race or a workout (no race or training words)"
    assert [(s.day, s.reason) for s in result.skipped] == [
        (dt.date(2027, 1, 5), reason),
        (dt.date(2027, 1, 6), reason),
    ]


def test_a_changed_occurrence_without_its_series_is_skipped() -> None:
    (skipped,) = read_series(MOVED).skipped
    assert skipped.reason == "changes one occurrence of a repeating event that is not in this file"


def test_a_floating_series_keeps_its_occurrence_uids_whatever_the_runners_zone() -> None:
    floating = "UID:f\nSUMMARY:Tempo run\nDTSTART:20270105T070000\nRRULE:FREQ=WEEKLY;COUNT=2"
    berlin = read_ics(ics(floating), timezone="Europe/Berlin", today=JANUARY)
    tokyo = read_ics(ics(floating), timezone="Asia/Tokyo", today=JANUARY)
    assert [uid for _, uid in berlin.workouts] == ["f#20270105T070000", "f#20270112T070000"]
    assert [uid for _, uid in tokyo.workouts] == [uid for _, uid in berlin.workouts]


def test_a_series_in_a_calendar_with_x_wr_timezone_counts_on_that_zones_dates() -> None:
    late = "UID:late\nSUMMARY:Long run\nDTSTART:20270102T233000\nRRULE:FREQ=WEEKLY;COUNT=2"
    result = read_ics(
        ics(late, header="X-WR-TIMEZONE:America/New_York"), timezone="Europe/Berlin", today=JANUARY
    )
    # 23:30 in New York is the next morning in Berlin, where the runner lives.
    assert [w.day for w, _ in result.workouts] == [dt.date(2027, 1, 3), dt.date(2027, 1, 10)]


@pytest.mark.parametrize(
    "rule",
    ["FREQ=SECONDLY", "FREQ=MINUTELY;COUNT=100000", "FREQ=HOURLY", "FREQ=DAILY;BYHOUR=6,18"],
)
def test_a_series_repeating_more_than_once_a_day_is_skipped_not_expanded(rule: str) -> None:
    flood = f"UID:flood\nSUMMARY:Tempo run\nDTSTART:20270105T070000Z\nRRULE:{rule}"
    result = read_series(flood, SERIES)
    assert len(result.workouts) == 6  # the other series still comes in
    (skipped,) = result.skipped
    assert (skipped.name, skipped.day) == ("'Tempo run'", dt.date(2027, 1, 5))
    assert "more than once a day" in skipped.reason
