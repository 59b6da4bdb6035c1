"""Merging a second check-in of a day into the first (``merge_checkins``): what the later
one says wins region by region, what it leaves out stays, notes add up."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.support.checkin_strategies import checkins

from rubdown.domain.model import NOTE_SEPARATOR, CheckIn, PainQuality, Sign, merge_checkins
from rubdown.domain.regions import parse_region

DAY = dt.date(2027, 1, 4)
CALF, QUAD, HEEL = parse_region("calf"), parse_region("quad"), parse_region("left-heel")

scales = st.none() | st.integers(1, 4)
notes = st.sampled_from(["", "stiff", "slept badly", "long run tomorrow"])
one_day = checkins(DAY, 1).flatmap(
    lambda c: st.builds(
        lambda note, fatigue, sleep: CheckIn(
            c.day, c.soreness, c.pain, note, fatigue, sleep, c.signs
        ),
        notes,
        scales,
        scales,
    )
)


@given(one_day, one_day)
def test_a_merge_holds_every_region_of_both_and_the_later_values_win(
    earlier: CheckIn, later: CheckIn
) -> None:
    merged = merge_checkins(earlier, later)

    assert merged.regions == earlier.regions | later.regions
    for region in earlier.soreness.keys() | later.soreness.keys():
        expected = later.soreness.get(region, earlier.soreness.get(region))
        assert merged.soreness[region] == expected
    for region in earlier.pain.keys() | later.pain.keys():
        assert merged.pain[region] == later.pain.get(region, earlier.pain.get(region))
    for region in earlier.signs.keys() | later.signs.keys():
        assert merged.signs[region] == later.signs.get(region, earlier.signs.get(region))


@given(one_day, one_day)
def test_fatigue_and_sleep_given_later_win_and_left_out_stay(
    earlier: CheckIn, later: CheckIn
) -> None:
    merged = merge_checkins(earlier, later)

    assert merged.fatigue == (later.fatigue if later.fatigue is not None else earlier.fatigue)
    assert merged.sleep == (later.sleep if later.sleep is not None else earlier.sleep)


@given(one_day)
def test_merging_an_empty_check_in_leaves_one_unchanged(checkin: CheckIn) -> None:
    assert merge_checkins(checkin, CheckIn(DAY)) == checkin


@given(one_day)
def test_merging_into_an_empty_check_in_gives_the_later_one(checkin: CheckIn) -> None:
    assert merge_checkins(CheckIn(DAY), checkin) == checkin


@given(one_day)
def test_merging_a_check_in_into_itself_changes_nothing(checkin: CheckIn) -> None:
    assert merge_checkins(checkin, checkin) == checkin


def test_a_later_note_is_added_after_the_earlier_one() -> None:
    merged = merge_checkins(CheckIn(DAY, note="stiff"), CheckIn(DAY, note="better after a walk"))

    assert merged.note == f"stiff{NOTE_SEPARATOR}better after a walk"


def test_the_same_note_sent_again_is_kept_once() -> None:
    once = merge_checkins(CheckIn(DAY, note="stiff"), CheckIn(DAY, note="better"))

    assert merge_checkins(once, CheckIn(DAY, note="better")).note == once.note


def test_soreness_zero_given_later_says_the_region_is_fine_now() -> None:
    merged = merge_checkins(CheckIn(DAY, soreness={CALF: 7, QUAD: 3}), CheckIn(DAY, {CALF: 0}))

    assert merged.soreness == {CALF: 0, QUAD: 3}


def test_a_region_given_no_signs_later_loses_its_earlier_signs() -> None:
    earlier = CheckIn(DAY, signs={CALF: frozenset({Sign.SWELLING}), QUAD: frozenset({Sign.KNOCK})})

    merged = merge_checkins(earlier, CheckIn(DAY, signs={CALF: frozenset()}))

    assert merged.signs == {QUAD: frozenset({Sign.KNOCK})}


def test_a_later_pain_flag_of_a_region_replaces_its_earlier_one_only() -> None:
    earlier = CheckIn(DAY, pain={HEEL: PainQuality.SHARP, CALF: PainQuality.DULL})

    merged = merge_checkins(earlier, CheckIn(DAY, pain={CALF: PainQuality.TINGLING}))

    assert merged.pain == {HEEL: PainQuality.SHARP, CALF: PainQuality.TINGLING}


def test_check_ins_of_two_days_are_not_merged() -> None:
    with pytest.raises(ValueError, match="2027-01-05"):
        merge_checkins(CheckIn(DAY), CheckIn(DAY + dt.timedelta(days=1)))
