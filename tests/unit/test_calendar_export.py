"""The .ics export, checked with the real iCalendar parser: valid, stable, and complete."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar, Component

from rubdown.calendar import export_ics, race_uid, session_uid
from rubdown.domain.knowledge import KnowledgeBase, Rule, RuleGroup, Source
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
from rubdown.domain.regions import BodyPart, Region, Side
from rubdown.errors import InvalidValue

BERLIN = ZoneInfo("Europe/Berlin")
STAMP = dt.datetime(2027, 2, 1, 9, 30, tzinfo=dt.UTC)
PROFILE = Profile(name="Ana", timezone="Europe/Berlin", session_time=dt.time(18, 0))

KB = KnowledgeBase(
    rules=[
        Rule("T2", RuleGroup.TIMING, "Deep work before a race", "No deep work late.", ("001",)),
        Rule("F3", RuleGroup.FREQUENCY, "Monthly", "About once a month.", ("001", "004")),
    ],
    sources=[
        Source("001", "001_3f2a.txt", "Sports massage for runners"),
        Source("004", "004_9bc1.txt", "Massage frequency"),
    ],
)

DEEP = PlannedSession(
    key="deep:2027-03",
    day=dt.date(2027, 3, 10),
    kind=SessionKind.DEEP_TISSUE,
    regions=(Region(BodyPart.CALF), Region(BodyPart.PLANTAR_FASCIA, Side.LEFT)),
    price=80.0,
    reason="Calves are tight after the long-run block; deep work lands well before the race.",
    rules=("T2", "F3"),
)
POST = PlannedSession(
    key="post-event:boston",
    day=dt.date(2027, 4, 21),
    kind=SessionKind.POST_EVENT,
    regions=(),
    price=72.5,
    reason="Flush the legs two days after the marathon.",
    rules=("T2",),
    start_time=dt.time(7, 30),
    duration_min=45,
)
SELF = PlannedSession(
    key="self:2027-03-12",
    day=dt.date(2027, 3, 12),
    kind=SessionKind.SELF_LIGHT,
    regions=(Region(BodyPart.QUAD),),
    price=0.0,
    reason="Roll the quads after the tempo run.",
    rules=("T2",),
)
BOSTON = Race(
    "Boston Marathon", dt.date(2027, 4, 19), Priority.A, 42.195, dt.time(10, 2), id="boston"
)
TUNE_UP = Race("Spring 10K", dt.date(2027, 3, 28), Priority.C, id="")
REST = Workout(dt.date(2027, 4, 18), WorkoutKind.REST, id="w-rest")
TEMPO = Workout(dt.date(2027, 3, 11), WorkoutKind.TEMPO, duration_min=50, id="w-tempo")


def make_plan(*sessions: PlannedSession) -> Plan:
    return Plan(PolicyName.STANDARD, dt.date(2027, 2, 1), dt.date(2027, 5, 31), sessions, (), ())


def export(
    plan: Plan | None = None,
    *,
    races: tuple[Race, ...] = (BOSTON, TUNE_UP),
    workouts: tuple[Workout, ...] = (REST, TEMPO),
    profile: Profile = PROFILE,
    kb: KnowledgeBase | None = KB,
    owner_id: str = "owner-1",
    stamp: dt.datetime = STAMP,
    alarms: bool = False,
) -> bytes:
    return export_ics(
        plan or make_plan(DEEP, POST, SELF),
        races=races,
        workouts=workouts,
        profile=profile,
        kb=kb,
        owner_id=owner_id,
        stamp=stamp,
        alarms=alarms,
    )


def events(data: bytes) -> list[Component]:
    return list(Calendar.from_ical(data).walk("VEVENT"))


def by_summary(data: bytes) -> dict[str, Component]:
    return {str(event["SUMMARY"]): event for event in events(data)}


def test_calendar_has_the_required_and_naming_properties() -> None:
    calendar = Calendar.from_ical(export())
    assert str(calendar["VERSION"]) == "2.0"
    assert "rubdown" in str(calendar["PRODID"])
    assert str(calendar["CALSCALE"]) == "GREGORIAN"
    assert str(calendar["X-WR-CALNAME"]) == "rubdown – Ana"


def test_every_event_has_uid_dtstamp_and_dtstart_and_no_parse_errors() -> None:
    data = export(alarms=True)
    found = events(data)
    assert len(found) == 5  # two sessions, two races, one rest day
    for event in found:
        assert event.errors == []
        assert str(event["UID"]).endswith("@rubdown")
        assert event["DTSTAMP"].dt == STAMP
        assert "DTSTART" in event


def test_output_lines_are_crlf_terminated_and_folded_to_75_octets() -> None:
    # One invalid line makes Google drop a whole subscribed calendar.
    data = export(alarms=True)
    assert data.endswith(b"\r\n")
    lines = data.split(b"\r\n")
    assert all(b"\n" not in line for line in lines)
    assert max(len(line) for line in lines) <= 75


def test_professional_sessions_are_timed_in_the_profile_zone() -> None:
    sessions = by_summary(export())
    deep = sessions["Massage – deep tissue (calf, left plantar fascia)"]
    assert deep["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert deep["DTSTART"].dt == dt.datetime(2027, 3, 10, 18, 0, tzinfo=BERLIN)  # profile time
    assert deep["DTEND"].dt - deep["DTSTART"].dt == dt.timedelta(minutes=60)
    post = sessions["Massage – post-event"]
    assert post["DTSTART"].dt == dt.datetime(2027, 4, 21, 7, 30, tzinfo=BERLIN)  # its own time
    assert post["DTEND"].dt - post["DTSTART"].dt == dt.timedelta(minutes=45)


def test_summer_session_keeps_its_wall_clock_time_in_utc_terms() -> None:
    summer = replace(DEEP, key="deep:2027-07", day=dt.date(2027, 7, 1))
    (event,) = events(export(make_plan(summer), races=(), workouts=()))
    assert event["DTSTART"].dt.astimezone(dt.UTC) == dt.datetime(2027, 7, 1, 16, 0, tzinfo=dt.UTC)


def test_a_vtimezone_matching_the_tzid_is_included() -> None:
    data = export()
    calendar = Calendar.from_ical(data)
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]
    assert b"DTSTART;TZID=Europe/Berlin:20270310T180000\r\n" in data


def test_a_utc_profile_gets_utc_times_and_no_vtimezone() -> None:
    data = export(profile=replace(PROFILE, timezone="UTC"))
    calendar = Calendar.from_ical(data)
    assert calendar.walk("VTIMEZONE") == []
    assert b"DTSTART:20270310T180000Z\r\n" in data
    assert b"TZID" not in data


def test_an_unknown_profile_timezone_is_an_input_error() -> None:
    with pytest.raises(InvalidValue, match="Mars/Olympus"):
        export(profile=replace(PROFILE, timezone="Mars/Olympus"))


def test_a_stamp_without_a_timezone_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        export(stamp=dt.datetime(2027, 2, 1, 9, 30))


def test_self_massage_sessions_are_not_exported() -> None:
    data = export()
    assert session_uid("owner-1", SELF.key).encode() not in data
    assert not any("self" in str(event["SUMMARY"]).lower() for event in events(data))


def test_session_summary_and_categories_name_the_kind_and_regions() -> None:
    deep = by_summary(export())["Massage – deep tissue (calf, left plantar fascia)"]
    assert [str(c) for c in deep["CATEGORIES"].cats] == ["deep-tissue", "massage"]


def test_description_gives_reason_rules_with_source_files_price_and_disclaimer() -> None:
    sessions = by_summary(export())
    deep = str(sessions["Massage – deep tissue (calf, left plantar fascia)"]["DESCRIPTION"])
    assert DEEP.reason in deep
    assert "- T2: 001_3f2a.txt" in deep
    assert "- F3: 001_3f2a.txt, 004_9bc1.txt" in deep
    assert "Estimated price: 80" in deep
    assert deep.splitlines()[-1] == "Not medical advice."
    post = str(sessions["Massage – post-event"]["DESCRIPTION"])
    assert "Estimated price: 72.50" in post


def test_description_without_a_knowledge_base_lists_the_rule_ids() -> None:
    deep = by_summary(export(kb=None))["Massage – deep tissue (calf, left plantar fascia)"]
    description = str(deep["DESCRIPTION"])
    assert "- T2\n- F3\n" in description
    assert ".txt" not in description


def test_a_rule_missing_from_the_knowledge_base_is_named_not_fatal() -> None:
    renamed = replace(DEEP, rules=("T2", "T99"))
    (event,) = events(export(make_plan(renamed), races=(), workouts=()))
    assert "- T99 (no longer in the knowledge base)" in str(event["DESCRIPTION"])


def test_uids_are_stable_across_exports_and_sequence_passes_through() -> None:
    first = by_summary(export(stamp=STAMP))
    moved = replace(DEEP, day=dt.date(2027, 3, 12), sequence=1)
    later = STAMP + dt.timedelta(days=3)
    second = by_summary(export(make_plan(moved, POST), stamp=later))
    name = "Massage – deep tissue (calf, left plantar fascia)"
    assert str(first[name]["UID"]) == str(second[name]["UID"])
    assert str(second[name]["UID"]) == session_uid("owner-1", DEEP.key)
    assert int(first[name]["SEQUENCE"]) == 0
    assert int(second[name]["SEQUENCE"]) == 1
    assert second[name]["DTSTART"].dt.date() == dt.date(2027, 3, 12)
    assert second[name]["DTSTAMP"].dt == later
    race = "Race (A) – Boston Marathon"
    assert str(first[race]["UID"]) == str(second[race]["UID"]) == race_uid("owner-1", BOSTON)


def test_uids_differ_between_owners_and_do_not_reveal_the_owner() -> None:
    mine = {str(e["UID"]) for e in events(export(owner_id="owner-1"))}
    theirs = {str(e["UID"]) for e in events(export(owner_id="owner-2"))}
    assert mine.isdisjoint(theirs)
    assert not any("owner-1" in uid for uid in mine)


def test_races_are_all_day_events_with_priority_and_distance() -> None:
    data = export()
    boston = by_summary(data)["Race (A) – Boston Marathon"]
    assert boston["DTSTART"].dt == dt.date(2027, 4, 19)
    assert not isinstance(boston["DTSTART"].dt, dt.datetime)
    assert boston["DTEND"].dt == dt.date(2027, 4, 20)
    assert b"DTSTART;VALUE=DATE:20270419\r\n" in data
    assert [str(c) for c in boston["CATEGORIES"].cats] == ["race", "A-race"]
    assert str(boston["X-RUBDOWN-PRIORITY"]) == "A"
    assert float(str(boston["X-RUBDOWN-DISTANCE-KM"])) == 42.195
    assert str(boston["X-RUBDOWN-START-TIME"]) == "10:02"


def test_a_race_without_a_distance_or_start_time_has_no_such_properties() -> None:
    tune_up = by_summary(export())["Race (C) – Spring 10K"]
    assert "X-RUBDOWN-DISTANCE-KM" not in tune_up
    assert "X-RUBDOWN-START-TIME" not in tune_up
    assert str(tune_up["X-RUBDOWN-PRIORITY"]) == "C"


def test_rest_days_are_all_day_events_and_other_workouts_are_left_out() -> None:
    found = by_summary(export())
    rest = found["Rest day"]
    assert rest["DTSTART"].dt == dt.date(2027, 4, 18)
    assert rest["DTEND"].dt == dt.date(2027, 4, 19)
    assert [str(c) for c in rest["CATEGORIES"].cats] == ["rest"]
    assert not any("tempo" in name.lower() for name in found)


def test_alarms_are_added_to_each_session_when_asked() -> None:
    for event in events(export(alarms=True)):
        alarms = event.walk("VALARM")
        if "massage" not in [str(c) for c in event["CATEGORIES"].cats]:
            assert alarms == []
            continue
        triggers = sorted(alarm["TRIGGER"].dt for alarm in alarms)
        assert triggers == [dt.timedelta(days=-1), dt.timedelta(hours=-1)]
        assert all(str(alarm["ACTION"]) == "DISPLAY" for alarm in alarms)
        day_before = next(a for a in alarms if a["TRIGGER"].dt == dt.timedelta(days=-1))
        assert "confirm your booking" in str(day_before["DESCRIPTION"])


def test_no_alarms_without_asking() -> None:
    assert b"BEGIN:VALARM" not in export(alarms=False)


def test_equal_inputs_give_equal_bytes_whatever_the_input_order() -> None:
    # A second event on Boston's day: same-day events must be ordered too (by UID).
    shakeout = Race("Boston 5K", BOSTON.day, Priority.C, 5.0, id="boston-5k")
    races = (BOSTON, TUNE_UP, shakeout)
    one = export(make_plan(DEEP, POST, SELF), races=races, workouts=(REST, TEMPO))
    two = export(make_plan(POST, SELF, DEEP), races=races[::-1], workouts=(TEMPO, REST))
    assert one == two


def test_events_are_sorted_by_day() -> None:
    starts = [event["DTSTART"].dt for event in events(export())]
    days = [s.date() if isinstance(s, dt.datetime) else s for s in starts]
    assert days == sorted(days)
    assert len(set(days)) == len(days)  # the fixture has one event a day, so order is by day


def test_control_characters_a_stored_name_holds_never_reach_the_calendar() -> None:
    # An older rubdown let a NUL (and other control characters) into names on SQLite.
    named = replace(BOSTON, name="Boston\x00 Mara\x1bthon\x7f")
    data = export(races=(named,), profile=replace(PROFILE, name="A\x00na"))
    assert not any(byte < 0x20 and byte not in b"\t\r\n" for byte in data)
    assert b"\x7f" not in data
    assert "Race (A) – Boston Marathon" in by_summary(data)
    assert b"X-WR-CALNAME:rubdown \xe2\x80\x93 Ana\r\n" in data
