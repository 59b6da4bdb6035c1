"""A runner's season end to end: races A/B/C and hard workouts in, checks and a plan out.

Runs on SQLite and on PostgreSQL (see ``conftest.season``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from icalendar import Calendar, Component

from tests.e2e.cli import Season
from tests.e2e.conftest import A_RACE, B_RACE, C_RACE

T2_SOURCE = "001_517d6a93f20f77da.txt"
DEEP_FAMILY = {"deep-tissue", "sports", "art", "myofascial", "remedial"}
TWO_DAYS_BEFORE_A = "2027-03-12"  # Friday before the Sunday A race
TUESDAY_BEFORE_A = "2027-03-09"  # five days before it


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def refused_check(season: Season) -> dict[str, Any]:
    result = season.once("check", "--date", TWO_DAYS_BEFORE_A, "--kind", "deep-tissue", "--json")
    return result.document()


def plan_ics_path(season: Season) -> Path:
    return season.storage.home.parent / f"{season.storage.home.name}-plan.ics"


def plan(season: Season) -> dict[str, Any]:
    return season.once("plan", "--ics", str(plan_ics_path(season)), "--json").document()


def test_race_add_records_a_b_and_c_priorities(season: Season) -> None:
    races = [season.seeded[f"race {p}"] for p in "ABC"]
    assert [(r["name"], r["date"], r["priority"]) for r in races] == [
        (*A_RACE, "A"),
        (*B_RACE, "B"),
        (*C_RACE, "C"),
    ]
    assert all(r["id"] for r in races)


def test_long_runs_and_intervals_are_recorded_as_hard_workouts(season: Season) -> None:
    assert season.seeded["long run"]["hard"] is True
    assert season.seeded["intervals"]["hard"] is True


def test_profile_set_stores_policy_frequency_budget_price_and_tools(season: Season) -> None:
    profile = season.seeded["profile"]
    assert profile["policy"] == "standard"
    assert profile["frequency"] == "biweekly"
    assert profile["budget_per_month"] == 200
    assert profile["session_price"] == 80
    assert profile["owns"] == ["roller", "stick"]


def test_check_refuses_deep_tissue_two_days_before_the_a_race_citing_t2(season: Season) -> None:
    verdict = refused_check(season)
    assert verdict["allowed"] is False
    assert verdict["kind"] == "deep-tissue"
    assert verdict["date"] == TWO_DAYS_BEFORE_A
    assert verdict["policy"] == "standard"
    t2 = [rule for rule in verdict["rules"] if rule["id"] == "T2"]
    assert t2, verdict["rules"]
    assert t2[0]["source"] == T2_SOURCE


def test_check_refusal_reason_names_the_a_race(season: Season) -> None:
    t2 = [rule for rule in refused_check(season)["rules"] if rule["id"] == "T2"]
    assert A_RACE[0] in t2[0]["reason"]


def test_check_refusal_offers_alternatives(season: Season) -> None:
    alternatives = refused_check(season)["alternatives"]
    assert alternatives
    assert all(day(a["date"]) and a["kind"] for a in alternatives)


def test_check_allows_deep_tissue_on_the_tuesday_five_days_before_the_a_race(
    season: Season,
) -> None:
    result = season.once("check", "--date", TUESDAY_BEFORE_A, "--kind", "deep-tissue", "--json")
    verdict = result.document()
    assert verdict["allowed"] is True, verdict["rules"]
    assert verdict["date"] == TUESDAY_BEFORE_A
    assert not [rule for rule in verdict["rules"] if rule.get("forbids")]


def test_plan_json_has_policy_sessions_and_warnings(season: Season) -> None:
    document = plan(season)
    assert document["policy"] == "standard"
    assert isinstance(document["warnings"], list)
    assert document["sessions"]
    for session in document["sessions"]:
        assert day(session["date"])
        assert session["kind"]
        assert isinstance(session["regions"], list)
        assert isinstance(session["price"], int | float)
        assert isinstance(session["rules"], list)
        assert session["reason"].strip()


def test_every_planned_session_cites_a_rule_with_an_id_and_a_source(season: Season) -> None:
    for session in plan(season)["sessions"]:
        assert session["rules"], session
        for rule in session["rules"]:
            assert rule["id"], session
            # A seed article (.txt) or the research note that reports a public page (.md).
            assert rule["source"].endswith((".txt", ".md")), session


def test_plan_books_post_event_massage_the_day_after_the_a_and_b_races(season: Season) -> None:
    post_event = {s["date"] for s in plan(season)["sessions"] if s["kind"] == "post-event"}
    for _, race_day in (A_RACE, B_RACE):
        assert (day(race_day) + dt.timedelta(days=1)).isoformat() in post_event, post_event


def test_plan_places_no_deep_work_in_the_two_days_before_a_race(season: Season) -> None:
    races = [day(race_day) for _, race_day in (A_RACE, B_RACE, C_RACE)]
    for session in plan(season)["sessions"]:
        if session["kind"] in DEEP_FAMILY:
            gaps = [(race - day(session["date"])).days for race in races]
            assert not [gap for gap in gaps if 0 <= gap <= 2], session


def test_plan_ics_writes_a_calendar_icalendar_can_parse(season: Season) -> None:
    document = plan(season)
    calendar = Calendar.from_ical(plan_ics_path(season).read_bytes())
    events = calendar.walk("VEVENT")
    summaries = " | ".join(str(e.get("SUMMARY")) for e in events)
    for name, _ in (A_RACE, B_RACE, C_RACE):
        assert name in summaries
    massage_days = sorted(
        e.decoded("DTSTART").date().isoformat() for e in events if "massage" in categories(e)
    )
    professional = sorted(s["date"] for s in document["sessions"] if s["professional"])
    assert massage_days == professional


def categories(event: Component) -> set[str]:
    value = event.get("CATEGORIES")
    groups = value if isinstance(value, list) else [value] if value is not None else []
    return {str(c).lower() for group in groups for c in group.cats}
