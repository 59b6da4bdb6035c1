"""When two sources describe one activity, and the runner's day of an activity."""

from __future__ import annotations

import datetime as dt

import pytest

from rubdown.domain.activity import Activity, Sport, same_activity

START = dt.datetime(2027, 3, 14, 6, 30, tzinfo=dt.UTC)


def run(sport: Sport = Sport.RUNNING, offset_s: float = 0) -> Activity:
    return Activity(sport=sport, start=START + dt.timedelta(seconds=offset_s), duration_s=3600)


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        (run(), run(offset_s=9), True),
        (run(), run(offset_s=-10), True),
        (run(), run(offset_s=11), False),
        (run(), run(Sport.TRAIL_RUNNING, 3), True),  # Strava says run, the watch says trail
        (run(), run(Sport.TREADMILL), True),
        (run(), run(Sport.OTHER, 2), True),  # a TCX "Other" cannot tell
        (run(), run(Sport.CYCLING), False),  # a ride starting at the same moment: another one
        (run(Sport.SWIMMING), run(Sport.CYCLING), False),
    ],
)
def test_two_sources_are_one_activity_only_with_the_same_sport_and_start(
    a: Activity, b: Activity, same: bool
) -> None:
    assert same_activity(a, b) is same
    assert same_activity(b, a) is same


def test_the_runners_day_follows_the_activitys_own_offset() -> None:
    late = Activity(
        sport=Sport.RUNNING,
        start=dt.datetime(2027, 3, 14, 23, 30, tzinfo=dt.UTC),
        duration_s=1800,
        utc_offset_s=3600,
    )
    assert late.local_day() == dt.date(2027, 3, 15)
    unknown = Activity(sport=Sport.RUNNING, start=late.start, duration_s=1800)
    assert unknown.local_day(dt.timezone(dt.timedelta(hours=-5))) == dt.date(2027, 3, 14)


def test_a_start_without_a_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        Activity(sport=Sport.RUNNING, start=dt.datetime(2027, 3, 14, 6, 30), duration_s=60)
