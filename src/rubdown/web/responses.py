"""The API's answers as response models, so ``/openapi.json`` documents every response body.

Most answers are the services' own views (``services.views``, ``TypedDict``s shared with
``--json``); here are the few a route puts together from several views, those of the page
presenters, and the one error shape every failure has (``web.errors``). A response model lists
its keys in the order the route builds them: Pydantic writes an answer in its model's order.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field
from typing_extensions import TypedDict

from rubdown.services.feeds import FeedUrls
from rubdown.services.training_views import BookingView
from rubdown.services.views import (
    ActivityView,
    AlertView,
    AlternativeView,
    CheckInView,
    DayLoadView,
    DayRoutinesView,
    ImportView,
    InjuryView,
    LoadConvention,
    LoggedSessionView,
    ManualRunView,
    Number,
    PlanView,
    PolicyView,
    RaceView,
    RoutineLogView,
    RuleRef,
    RuleView,
    SavedCheckInView,
    TimingTableView,
    VerdictView,
    WellnessView,
    WhyView,
    WorkoutView,
)

# -- the error shape -----------------------------------------------------------------------


class ErrorDetail(BaseModel):
    code: str = Field(examples=["not_found"], description="stable, for programs")
    message: str = Field(description="one line, for people")


class ErrorBody(BaseModel):
    """Every failure: 422 for input to fix, 404 for something missing, 500 when the server
    failed; the guard's refusals (400, 401, 403, 413) are in the same shape."""

    error: ErrorDetail


def failure(description: str, model: type[BaseModel] = ErrorBody) -> dict[str, Any]:
    """One failure as a route's ``responses`` documents it: the error shape (or a richer one
    built on it) and what it means."""
    return {"model": model, "description": description}


# What any API route may answer besides its success; one shape for all (``web.errors``,
# ``web.guard``).
ERRORS: dict[int | str, dict[str, Any]] = {
    400: failure("A Host the server does not answer to, or a body that is not JSON at all"),
    401: failure("The server was started with an access token and the request has none"),
    403: failure("A change from another site, or without the token of /api/session"),
    404: failure("Something asked for is not there (a race, a rule, a job, a route)"),
    413: failure("The request is larger than the server takes"),
    422: failure("The request cannot be used: what to fix is in the message"),
    500: failure("The store or the planner failed; the server log has the details"),
}
BUSY: dict[int | str, dict[str, Any]] = {
    429: failure("Too many import jobs running or waiting: try again later")
}


# -- answers put together by the routes ------------------------------------------------------


class Alerted(TypedDict):
    """The alerts that stand come first in an answer, before anything else it says."""

    alerts: list[AlertView]


class RulesAnswer(TypedDict):
    rules: list[RuleView]
    policies: list[PolicyView]
    timing: TimingTableView


class CheckAnswer(Alerted, VerdictView):
    pass


class PlanAnswer(Alerted, PlanView):
    # Load values that hard days rest on but the runner never gave (none before activities).
    estimated_load_values: list[str]


class TodayAnswer(Alerted, DayRoutinesView):
    pass


class WhyAnswer(Alerted, WhyView):
    pass


class SavedCheckInAnswer(Alerted, SavedCheckInView):
    pass


class ActivitiesAnswer(TypedDict):
    activities: list[ActivityView]


class WellnessAnswer(TypedDict):
    days: list[WellnessView]


class RacesAnswer(TypedDict):
    races: list[RaceView]


class WorkoutsAnswer(TypedDict):
    workouts: list[WorkoutView]


class LogAnswer(TypedDict):
    sessions: list[LoggedSessionView]
    booked: list[LoggedSessionView]  # dated after today
    runs: list[ManualRunView]
    routines: list[RoutineLogView]


class LoggedRunAnswer(ManualRunView):
    detail: str  # how the load was worked out


# A session dated after today is a booking: the stored session and what the rules said.
LoggedMassageAnswer = BookingView | LoggedSessionView


class CheckInsAnswer(TypedDict):
    checkins: list[CheckInView]


class InjuriesAnswer(TypedDict):
    injuries: list[InjuryView]


class RecoveryWeeksAnswer(TypedDict):
    recovery_weeks: list[str]  # their Mondays


class FeedStatus(TypedDict):
    active: bool


class NewFeed(TypedDict):
    urls: FeedUrls


class FeedOff(TypedDict):
    active: bool
    was_active: bool


class SessionToken(TypedDict):
    csrf_token: str
    csrf_header: str  # the header a change must carry it in
    version: str


class ImportJobView(TypedDict):
    id: str
    state: str  # running, done, failed
    phase: str  # waiting, counting, importing, finishing, done
    salvage: bool
    uploaded_files: int
    files_done: int
    files_total: int | None  # null until counted
    current_file: str | None
    elapsed_s: Number
    rate_files_per_s: Number | None
    report: ImportView | None  # when done: as from POST /api/import
    error: str | None  # when failed: one line


# -- the page presenters' answers ----------------------------------------------------------


class LevelView(TypedDict):
    soreness: int | None
    pain: str | None
    red_flag: bool
    signs: list[str]
    clot_sign: bool


class MapSpot(TypedDict):
    part: str
    side: str
    view: str  # front or back
    label: str
    soreness: int | None
    pain: str | None
    red_flag: bool
    signs: list[str]
    clot_sign: bool


class BodyMapAnswer(TypedDict):
    date: str
    checkin: CheckInView | None
    regions: list[MapSpot]


class HeatRowView(TypedDict):
    region: str
    part: str
    side: str
    label: str
    peak: int | None
    cells: list[LevelView]  # one per day, oldest first


class HeatmapAnswer(TypedDict):
    weeks: int
    first: str
    last: str
    days: list[str]
    checked_in: list[bool]
    rows: list[HeatRowView]


class RedFlagGuidance(TypedDict):
    rule_id: str
    rule_text: str
    sources: list[str]
    advice: list[str]


class PainFlagAnswer(TypedDict):
    date: str
    region: str
    region_label: str
    quality: str
    recorded: str  # the pain now on the check-in for the region
    red_flag: bool
    checkin: CheckInView
    guidance: RedFlagGuidance | None  # for a red flag: what to do now


# The Load page's chart (``web.presenters.load_chart``).


class ChartDay(DayLoadView):
    ramp: float  # how much fitness changed over the last 7 days
    hard: list[str]  # the hard kinds of the day's activities


class RecentDay(ChartDay):
    label: str  # "Mon 4 Jan"
    events: list[str]


class ChartMarker(TypedDict):
    date: str
    type: str  # race, session or planned
    label: str
    priority: str | None  # races only


class ChartConvention(LoadConvention):
    words: list[str]  # how to read the lines, a sentence each


LoadChartAnswer = TypedDict(
    "LoadChartAnswer",
    {
        "from": str,
        "to": str,
        "today": str,
        "from_label": str,
        "to_label": str,
        "range": str | None,  # the preset shown, if one is
        "days": list[ChartDay],
        "markers": list[ChartMarker],
        "current": RecentDay,
        "recent": list[RecentDay],  # newest first
        "convention": ChartConvention,
        "estimated": list[str],
        "unscored_activities": int,
        "first_activity": str | None,
    },
)


# The Plan page's month and one session (``web.presenters.plan_month``).


class MonthRace(TypedDict):
    id: str
    name: str
    priority: str
    what: str
    distance_km: Number | None
    distance: str  # in the runner's units
    start_time: str | None


class SessionChip(TypedDict):
    id: str
    kind: str
    label: str
    family: str
    professional: bool
    pinned: bool
    time: str | None
    price: Number


class LoggedChip(TypedDict):
    kind: str
    label: str
    price: Number


class BookedChip(TypedDict):
    """A session a therapist booked: theirs to move or cancel, not the plan's."""

    id: str
    kind: str
    label: str
    time: str  # HH:MM where the session happens (the therapist's time zone)
    length_min: int
    therapist: str


class MonthDay(TypedDict):
    date: str
    number: int
    weekday: str
    label: str
    today: bool
    past: bool
    races: list[MonthRace]
    hard: bool
    hard_what: list[str]
    sessions: list[SessionChip]
    logged: list[LoggedChip]
    booked: list[BookedChip]
    rhythm: list[str]  # the habits that apply that day
    empty: bool


MonthPlan = TypedDict(
    "MonthPlan",
    {"from": str, "to": str, "from_label": str, "to_label": str, "policy": str},
)


class CitedMessage(TypedDict):
    message: str
    rules: list[RuleRef]


class MonthRhythm(TypedDict):
    when: str
    label: str
    minutes: str
    what: str
    rules: list[RuleRef]


class MonthSpend(TypedDict):
    planned: Number
    logged: Number
    total: Number
    budget: Number
    over: bool
    share: int  # percent of the budget, at most 100
    rules: list[RuleRef]


class TrainingRace(TypedDict):
    id: str
    name: str
    date: str
    priority: str
    distance: str
    distance_value: str  # what the edit form starts with
    start: str


class TrainingWorkout(TypedDict):
    id: str
    date: str
    kind: str
    hard: bool
    duration_min: str  # as the edit form shows it; "" when not given
    from_pattern: bool
    source: str


class TrainingWeek(TypedDict):
    monday: str
    label: str
    marked: bool  # a recovery week


class MonthTraining(TypedDict):
    units: str
    races: list[TrainingRace]
    workouts: list[TrainingWorkout]
    priorities: list[str]
    kinds: list[str]
    weeks: list[TrainingWeek]


class PlanMonthAnswer(TypedDict):
    month: str  # "2027-03"
    label: str
    prev: str
    prev_label: str
    next: str
    next_label: str
    this_month: str
    lead: int  # empty cells before the 1st in a Monday-first grid
    trail: int
    weekdays: list[str]
    days: list[MonthDay]
    plan: MonthPlan
    in_plan: bool
    warnings: list[CitedMessage]
    notes: list[CitedMessage]
    rhythm: list[MonthRhythm]
    spend: MonthSpend
    training: MonthTraining


class FindingRefs(TypedDict):
    reason: str
    forbids: bool
    rules: list[RuleRef]


class CheckedDay(TypedDict):
    word: str  # ok, caution or no
    allowed: bool
    date: str
    date_label: str
    kind: str
    kind_label: str
    regions: list[str]
    policy: str
    findings: list[FindingRefs]
    cautions: list[FindingRefs]  # what the cautious policy would say against it
    alternatives: list[AlternativeView]


class MoveRange(TypedDict):
    min: str
    max: str


class SessionDetailAnswer(TypedDict):
    id: str
    kind: str
    label: str
    date: str
    date_label: str
    time: str | None
    duration_min: Number
    regions: list[str]
    price: Number
    professional: bool
    pinned: bool
    reason: str
    rules: list[RuleRef]
    movable: bool
    move: MoveRange  # the days it may move to
    check: CheckedDay | None  # professional sessions: the rules on its day now
