"""The request bodies, as Pydantic models so ``/openapi.json`` documents them.

Names (kinds, regions, priorities) and dates are plain strings, read by ``web.parse`` with the
domain's own parsers: an unknown name or an impossible date then gets rubdown's error code and
message, the same as on the command line. Unknown fields are refused, so a typo is not
silently ignored.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ProfileChanges(Body):
    """Only the fields given change; the rest stay as they were."""

    name: str | None = None
    policy: str | None = Field(
        default=None, examples=["standard"], description="cautious|standard|adapted"
    )
    frequency: str | None = Field(
        default=None, examples=["monthly"], description="weekly|biweekly|monthly"
    )
    budget_per_month: float | None = None
    session_price: float | None = Field(default=None, description="deep work, an hour")
    sports_price: float | None = Field(default=None, description="sports massage, an hour")
    flush_price: float | None = Field(default=None, description="a 30-minute recovery flush")
    post_event_price: float | None = Field(default=None, description="post-event work")
    owns: list[str] | None = Field(default=None, examples=[["roller", "stick"]])
    conditions: list[str] | None = Field(default=None, examples=[["tight-calves"]])
    desk_job: bool | None = None
    timezone: str | None = Field(default=None, examples=["Europe/Berlin"])
    session_time: str | None = Field(default=None, examples=["18:30"], description="HH:MM")
    session_minutes: int | None = None
    max_hr_bpm: float | None = None
    resting_hr_bpm: float | None = None
    threshold_hr_bpm: float | None = None
    threshold_pace_s_per_km: float | None = None
    sex: str | None = Field(default=None, description="male|female")
    units: str | None = Field(default=None, examples=["km"], description="km|mi")
    estimate: list[str] | None = Field(
        default=None,
        examples=[["max_hr_bpm"]],
        description="load values to clear and estimate from the runner's data again",
    )


class RaceIn(Body):
    name: str
    date: str = Field(examples=["2027-04-18"], description="YYYY-MM-DD")
    priority: str = Field(examples=["A"], description="A|B|C")
    distance_km: float | None = None
    start: str | None = Field(default=None, examples=["09:00"], description="start time, HH:MM")


class RaceMove(Body):
    date: str = Field(examples=["2027-04-25"], description="YYYY-MM-DD")


class WorkoutIn(Body):
    date: str = Field(examples=["2027-04-11"])
    kind: str = Field(examples=["long"], description="easy|long|tempo|intervals|hill|race|rest")
    duration_min: float | None = None


class CheckRequest(Body):
    date: str = Field(examples=["2027-04-13"])
    kind: str = Field(examples=["sports"], description="a session kind, e.g. deep-tissue")
    regions: list[str] = Field(default_factory=list, examples=[["calf", "left-heel"]])


class PlanRequest(Body):
    start: str | None = Field(default=None, description="first day (default: today)")
    end: str | None = Field(default=None, description="last day (default: after the last race)")


class CheckInIn(Body):
    date: str | None = Field(default=None, description="default: today")
    soreness: dict[str, int] = Field(default_factory=dict, examples=[{"calf": 6}])
    pain: dict[str, str] = Field(default_factory=dict, examples=[{"left-heel": "dull"}])
    signs: dict[str, list[str]] = Field(
        default_factory=dict,
        examples=[{"left-calf": ["swelling", "warmth"], "right-hamstring": ["strain"]}],
        description="warning signs per region: swelling|warmth|redness (a leg: R5),"
        " strain|bruise|knock (R3)",
    )
    fatigue: int | None = Field(default=None, description="1 fresh - 4 exhausted")
    sleep: int | None = Field(default=None, description="1 great - 4 poor")
    note: str = ""


class InjuryIn(Body):
    region: str = Field(examples=["left-heel"])
    condition: str = Field(examples=["plantar-fasciitis"])
    date: str | None = Field(default=None, description="first day (default: today)")


class InjuryEnd(Body):
    date: str | None = Field(default=None, description="last day (default: today)")
    helped: str = ""


class MassageIn(Body):
    date: str
    kind: str
    regions: list[str] = Field(default_factory=list)
    price: float | None = None
    note: str = ""
    anyway: bool = Field(default=False, description="a booking: store it even if the rules say no")


class RunIn(Body):
    date: str
    duration_min: float
    rpe: float
    kind: str | None = None
