"""One field list and one codec for the profile (``domain.profile_codec``): the store's row and
the demo runner read and write through it, and the API's shapes name the same fields."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

from rubdown.domain.model import Condition, Frequency, PolicyName, Profile, Tool, Units
from rubdown.domain.profile_codec import (
    PROFILE_FIELDS,
    parse_profile_values,
    profile_from_values,
    profile_values,
)
from rubdown.services.demo import demo_data
from rubdown.services.views import profile_view
from rubdown.web.models import ProfileChanges

# Every field away from its default, so a field the codec forgot comes back changed.
FULL = Profile(
    name="Ana",
    policy=PolicyName.CAUTIOUS,
    frequency=Frequency.WEEKLY,
    budget_per_month=210.5,
    session_price=95.0,
    sports_price=75.0,
    flush_price=40.0,
    post_event_price=50.0,
    units=Units.MI,
    owns=frozenset({Tool.STICK, Tool.ROLLER}),
    conditions=frozenset({Condition.PLANTAR_FASCIITIS, Condition.TIGHT_CALVES}),
    desk_job=True,
    timezone="Europe/Berlin",
    session_time=dt.time(7, 15),
    session_minutes=90,
    max_hr_bpm=191.0,
    resting_hr_bpm=48.0,
    threshold_hr_bpm=172.0,
    threshold_pace_s_per_km=250.0,
    sex="female",
)


def test_the_full_profile_differs_from_the_default_in_every_field() -> None:
    default = Profile()
    assert [f for f in PROFILE_FIELDS if getattr(FULL, f) == getattr(default, f)] == []


def test_a_profile_comes_back_whole_from_its_values() -> None:
    assert profile_from_values(profile_values(FULL)) == FULL


def test_values_are_plain_enums_by_value_and_sets_sorted() -> None:
    values = profile_values(FULL)

    assert list(values) == [f.name for f in dataclasses.fields(Profile)]
    assert values["policy"] == "cautious"
    assert values["units"] == "mi"
    assert values["owns"] == ["roller", "stick"]
    assert values["conditions"] == ["plantar-fasciitis", "tight-calves"]
    assert values["session_time"] == dt.time(7, 15)


def test_text_values_are_read_and_names_that_are_not_fields_are_left_out() -> None:
    read = parse_profile_values(
        {"policy": "adapted", "session_time": "18:30", "owns": ["roller"], "owner_id": "me"}
    )

    assert read == {
        "policy": PolicyName.ADAPTED,
        "session_time": dt.time(18, 30),
        "owns": frozenset({Tool.ROLLER}),
    }
    assert profile_from_values({"name": "Ben"}) == Profile(name="Ben")


def test_the_demo_runners_profile_reads_through_the_codec() -> None:
    profile = profile_from_values(demo_data()["profile"])

    assert profile.name == "Sam (demo runner)"
    assert profile.owns == frozenset({Tool.ROLLER, Tool.STICK})
    assert profile.session_time == dt.time(18, 30)


def test_the_json_view_names_the_fields_in_order_with_the_codecs_values() -> None:
    view = profile_view(FULL)

    assert list(view) == list(PROFILE_FIELDS)
    expected = {**profile_values(FULL), "session_time": "07:15"}
    assert json.dumps(view) == json.dumps(expected)


def test_the_apis_profile_changes_name_every_field() -> None:
    assert set(ProfileChanges.model_fields) == {*PROFILE_FIELDS, "estimate"}
