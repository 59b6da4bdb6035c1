"""Sample values that exercise every column: sides, floats, optional fields, unicode."""

from __future__ import annotations

import datetime as dt

from rubdown.domain.model import (
    CheckIn,
    Condition,
    Frequency,
    MassageSession,
    PainQuality,
    PolicyName,
    Priority,
    Profile,
    Race,
    SessionKind,
    Tool,
    Workout,
    WorkoutKind,
)
from rubdown.domain.plan import PlannedSession
from rubdown.domain.regions import parse_region, parse_regions

PROFILE = Profile(
    name="Zoë Läufer",
    policy=PolicyName.CAUTIOUS,
    frequency=Frequency.BIWEEKLY,
    budget_per_month=0.1 + 0.2,  # not exactly 0.3: floats must come back bit for bit
    session_price=92.5,
    owns=frozenset({Tool.ROLLER, Tool.MASSAGE_GUN, Tool.LACROSSE_BALL}),
    conditions=frozenset({Condition.IT_BAND, Condition.PLANTAR_FASCIITIS}),
    desk_job=True,
    timezone="Europe/Berlin",
    session_time=dt.time(7, 15, 30),
    session_minutes=75,
)

MARATHON = Race("Berlin Marathon", dt.date(2027, 9, 26), Priority.A, 42.195, dt.time(9, 15))
TUNE_UP = Race("Parkrun", dt.date(2027, 2, 28), Priority.C)  # no distance, no start time

LONG_RUN = Workout(dt.date(2027, 3, 7), WorkoutKind.LONG, 127.5)
REST_DAY = Workout(dt.date(2027, 3, 8), WorkoutKind.REST, None, source="calendar")

SPORTS_MASSAGE = MassageSession(
    dt.date(2027, 3, 10),
    SessionKind.SPORTS,
    parse_regions("right-hamstring,left-calf,low-back,glute"),  # order is kept
    85.75,
)

CHECKIN = CheckIn(
    dt.date(2027, 3, 11),
    soreness={parse_region("calf"): 4, parse_region("left-calf"): 7, parse_region("quad"): 0},
    pain={parse_region("left-calf"): PainQuality.SHARP, parse_region("heel"): PainQuality.DULL},
    note="stiff after the long run ✓",
)


def planned(key: str, day: dt.date, *, sequence: int = 0) -> PlannedSession:
    return PlannedSession(
        key=key,
        day=day,
        kind=SessionKind.DEEP_TISSUE,
        regions=parse_regions("left-it-band,quad"),
        price=79.99,
        reason="monthly deep tissue, clear of the race window",
        rules=("T1", "F3"),
        start_time=dt.time(18, 30),
        duration_min=90,
        sequence=sequence,
    )


PLAN = [
    planned("deep:2027-03", dt.date(2027, 3, 16), sequence=2),
    PlannedSession(
        key="post-event:berlin",
        day=dt.date(2027, 9, 28),
        kind=SessionKind.POST_EVENT,
        regions=(),
        price=60.0,
        reason="light flush two days after the race",
        rules=("T6",),
    ),
]
