"""The request bodies, as Pydantic models so ``/openapi.json`` documents them.

Names (kinds, regions, priorities) and dates are plain strings, read by ``web.parse`` with the
domain's own parsers: an unknown name or an impossible date then gets rubdown's error code and
message, the same as on the command line; the schema still lists the names and the date
pattern (``web.fields``). Unknown fields are refused, so a typo is not silently ignored; so is
text no store can keep (a NUL, a lone surrogate), a number that is not finite, and one beyond
what a store holds.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, JsonValue, model_validator

from rubdown.domain.model import (
    Condition,
    Frequency,
    PainQuality,
    PolicyName,
    Priority,
    SessionKind,
    Sign,
    Tool,
    Units,
    WorkoutKind,
)
from rubdown.domain.regions import BodyPart, Side
from rubdown.services import daily, season
from rubdown.web.fields import (
    NAME_MAX,
    NOTE_MAX,
    TIME_PATTERN,
    TIMEZONE_MAX,
    amount,
    choice,
    date,
    walk_problem,
    whole,
)

MAX_ITEMS = 100  # regions, tools, conditions in one request: far more than exist
REGION_NAMES = [str(p) for p in BodyPart] + [f"{s}-{p}" for s in Side for p in BodyPart if p.paired]
ESTIMATED: list[JsonValue] = [
    "max_hr_bpm",
    "resting_hr_bpm",
    "threshold_hr_bpm",
    "threshold_pace_s_per_km",
    "sex",
]

RegionName = Annotated[str, Field(max_length=NAME_MAX, json_schema_extra={"enum": REGION_NAMES})]
ToolName = Annotated[str, Field(max_length=NAME_MAX, json_schema_extra={"enum": list(Tool)})]
ConditionName = Annotated[
    str, Field(max_length=NAME_MAX, json_schema_extra={"enum": list(Condition)})
]
SignName = Annotated[str, Field(max_length=NAME_MAX, json_schema_extra={"enum": list(Sign)})]
PainName = Annotated[str, Field(max_length=NAME_MAX, json_schema_extra={"enum": list(PainQuality)})]
Regions = Annotated[list[RegionName], Field(max_length=MAX_ITEMS)]
Note = Annotated[str, Field(max_length=NOTE_MAX)]
Name = Annotated[str, Field(min_length=1, max_length=NAME_MAX)]


def clock(*, optional: bool = True, pattern: str = TIME_PATTERN, **kw: Any) -> Any:
    """HH:MM, as the schema's pattern; ``web.parse.clock`` (or the service) reads it."""
    if optional:
        kw.setdefault("default", None)
    return Field(max_length=NAME_MAX, json_schema_extra={"pattern": pattern}, **kw)


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, str_max_length=NOTE_MAX)

    @model_validator(mode="before")
    @classmethod
    def _storable_text(cls, given: Any) -> Any:
        problem = walk_problem(given)
        if problem is not None:
            raise ValueError(problem)
        return given


class ProfileChanges(Body):
    """Only the fields given change; the rest stay as they were."""

    name: Name | None = None
    policy: str | None = choice(PolicyName, optional=True, examples=["standard"])
    frequency: str | None = choice(Frequency, optional=True, examples=["monthly"])
    budget_per_month: float | None = amount(0, 100_000, default=None)
    session_price: float | None = amount(0, 10_000, default=None, description="deep work, an hour")
    sports_price: float | None = amount(
        0, 10_000, default=None, description="sports massage, an hour"
    )
    flush_price: float | None = amount(
        0, 10_000, default=None, description="a 30-minute recovery flush"
    )
    post_event_price: float | None = amount(0, 10_000, default=None, description="post-event work")
    owns: list[ToolName] | None = Field(
        default=None, max_length=MAX_ITEMS, examples=[["roller", "stick"]]
    )
    conditions: list[ConditionName] | None = Field(
        default=None, max_length=MAX_ITEMS, examples=[["tight-calves"]]
    )
    desk_job: bool | None = None
    timezone: str | None = Field(
        default=None, min_length=1, max_length=TIMEZONE_MAX, examples=["Europe/Berlin"]
    )
    session_time: str | None = clock(examples=["18:30"], description="HH:MM")
    session_minutes: int | None = whole(15, 180, default=None)
    max_hr_bpm: float | None = amount(*season.MAX_HR_RANGE, default=None)
    resting_hr_bpm: float | None = amount(*season.RESTING_HR_RANGE, default=None)
    threshold_hr_bpm: float | None = amount(*season.THRESHOLD_HR_RANGE, default=None)
    threshold_pace_s_per_km: float | None = amount(*season.THRESHOLD_PACE_RANGE, default=None)
    sex: str | None = choice(["male", "female"], optional=True)
    units: str | None = choice(Units, optional=True, examples=["km"])
    estimate: list[str] | None = Field(
        default=None,
        max_length=MAX_ITEMS,
        examples=[["max_hr_bpm"]],
        description="load values to clear and estimate from the runner's data again",
        json_schema_extra={"items": {"type": "string", "enum": ESTIMATED}},
    )


class RaceIn(Body):
    name: Name
    date: str = date(examples=["2027-04-18"])
    priority: str = choice(Priority, examples=["A"])
    distance_km: float | None = amount(0, 1000, default=None)
    start: str | None = clock(examples=["09:00"], description="start time, HH:MM")


class RaceMove(Body):
    date: str = date(examples=["2027-04-25"])


class WorkoutIn(Body):
    date: str = date(examples=["2027-04-11"])
    kind: str = choice(WorkoutKind, examples=["long"])
    duration_min: float | None = amount(0, 1440, default=None)


class CheckRequest(Body):
    date: str = date(examples=["2027-04-13"])
    kind: str = choice(SessionKind, examples=["sports"], description="a session kind")
    regions: Regions = Field(default_factory=list, examples=[["calf", "left-heel"]])


class PlanRequest(Body):
    start: str | None = date(optional=True, description="first day (default: today)")
    end: str | None = date(optional=True, description="last day (default: after the last race)")


class CheckInIn(Body):
    date: str | None = date(optional=True, description="default: today")
    soreness: dict[RegionName, Annotated[int, whole(0, 10)]] = Field(
        default_factory=dict, max_length=MAX_ITEMS, examples=[{"calf": 6}]
    )
    pain: dict[RegionName, PainName] = Field(
        default_factory=dict, max_length=MAX_ITEMS, examples=[{"left-heel": "dull"}]
    )
    signs: dict[RegionName, Annotated[list[SignName], Field(max_length=MAX_ITEMS)]] = Field(
        default_factory=dict,
        max_length=MAX_ITEMS,
        examples=[{"left-calf": ["swelling", "warmth"], "right-hamstring": ["strain"]}],
        description="warning signs per region: swelling|warmth|redness (a leg: R5),"
        " strain|bruise|knock (R3)",
    )
    fatigue: int | None = whole(1, 4, default=None, description="1 fresh - 4 exhausted")
    sleep: int | None = whole(1, 4, default=None, description="1 great - 4 poor")
    note: Note = ""


class InjuryIn(Body):
    region: RegionName = Field(examples=["left-heel"])
    condition: str = choice(Condition, examples=["plantar-fasciitis"])
    date: str | None = date(optional=True, description="first day (default: today)")


class InjuryEnd(Body):
    date: str | None = date(optional=True, description="last day (default: today)")
    helped: Note = ""


class MassageIn(Body):
    date: str = date()
    kind: str = choice(SessionKind)
    regions: Regions = Field(default_factory=list)
    price: float | None = amount(0, 10_000, default=None)
    note: Note = ""
    anyway: bool = Field(default=False, description="a booking: store it even if the rules say no")


class RunIn(Body):
    date: str = date()
    duration_min: float = amount(*daily.RUN_MINUTES_RANGE)
    rpe: float = amount(*daily.RPE_RANGE)
    kind: str | None = choice(WorkoutKind, optional=True)
