"""The runner's season as plain values: races, workouts, massage sessions, check-ins, profile.

Days are local calendar dates (``datetime.date``): the rules count days the way a runner
does ("two days before Sunday's race"), not 24-hour periods. Nothing here does I/O.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import TypeVar

from rubdown.domain.regions import Region
from rubdown.errors import UnknownName


class Family(StrEnum):
    """How deep a session kind works, which decides the timing rules it meets.

    deep: deep tissue (M1), remedial (M5), myofascial / trigger-point release (M4), ART (M3);
    sports massage (M2) is a class of its own, lighter than deep work and firmer than a flush;
    light professional work: a recovery flush (R6), pre-event (M6) and post-event (M7) work;
    self-massage (M8): light or vigorous, under T8-T11.
    """

    DEEP = "deep"
    SPORTS = "sports"
    LIGHT_PRO = "light-professional"
    SELF = "self"


class SessionKind(StrEnum):
    DEEP_TISSUE = "deep-tissue"
    SPORTS = "sports"
    ART = "art"
    MYOFASCIAL = "myofascial"
    REMEDIAL = "remedial"
    FLUSH = "flush"
    PRE_EVENT = "pre-event"
    POST_EVENT = "post-event"
    SELF_LIGHT = "self-light"
    SELF_VIGOROUS = "self-vigorous"

    @property
    def family(self) -> Family:
        return _FAMILIES[self]

    @property
    def is_professional(self) -> bool:
        return self.family is not Family.SELF

    @property
    def label(self) -> str:
        return _KIND_LABELS[self]


_FAMILIES = {
    kind: Family.LIGHT_PRO
    if kind in (SessionKind.FLUSH, SessionKind.PRE_EVENT, SessionKind.POST_EVENT)
    else Family.SELF
    if kind in (SessionKind.SELF_LIGHT, SessionKind.SELF_VIGOROUS)
    else Family.SPORTS
    if kind is SessionKind.SPORTS
    else Family.DEEP
    for kind in SessionKind
}

_KIND_LABELS = {
    SessionKind.DEEP_TISSUE: "deep tissue",
    SessionKind.SPORTS: "sports massage",
    SessionKind.ART: "ART",
    SessionKind.MYOFASCIAL: "myofascial release",
    SessionKind.REMEDIAL: "remedial massage",
    SessionKind.FLUSH: "recovery flush",
    SessionKind.PRE_EVENT: "pre-event massage",
    SessionKind.POST_EVENT: "post-event massage",
    SessionKind.SELF_LIGHT: "light self-massage",
    SessionKind.SELF_VIGOROUS: "vigorous self-massage",
}

DEEP_FAMILY = tuple(k for k in SessionKind if k.family is Family.DEEP)
# The kinds a season plan books between deep sessions, deepest first.
PROFESSIONAL_KINDS = tuple(k for k in SessionKind if k.is_professional)


class Priority(StrEnum):
    """A = the goal race, B = an important race, C = a tune-up or training race."""

    A = "A"
    B = "B"
    C = "C"


class WorkoutKind(StrEnum):
    EASY = "easy"
    LONG = "long"
    TEMPO = "tempo"
    INTERVALS = "intervals"
    HILL = "hill"
    RACE = "race"
    REST = "rest"

    @property
    def is_hard(self) -> bool:
        return self in _HARD_WORKOUTS


_HARD_WORKOUTS = frozenset(
    {WorkoutKind.LONG, WorkoutKind.TEMPO, WorkoutKind.INTERVALS, WorkoutKind.HILL, WorkoutKind.RACE}
)


class PolicyName(StrEnum):
    CAUTIOUS = "cautious"
    STANDARD = "standard"
    ADAPTED = "adapted"


class Frequency(StrEnum):
    """How often the runner wants a deep-family professional session (F1-F3)."""

    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"  # every second week
    MONTHLY = "monthly"


class PainQuality(StrEnum):
    DULL = "dull"
    SHARP = "sharp"
    NUMBNESS = "numbness"
    TINGLING = "tingling"

    @property
    def is_red_flag(self) -> bool:
        # X1: sharp pain, numbness or tingling mean stop.
        return self is not PainQuality.DULL


class Sign(StrEnum):
    """Warning signs a check-in can report for a region, beyond soreness and pain.

    Swelling, warmth or redness in a leg may be a clot (R5): no massage of that leg at all,
    and a doctor the same day. A strain, bruise or knock in the last 72 hours is a fresh
    injury (R3): no massage of that region, light work around it only.
    """

    SWELLING = "swelling"
    WARMTH = "warmth"
    REDNESS = "redness"
    STRAIN = "strain"
    BRUISE = "bruise"
    KNOCK = "knock"

    @property
    def is_clot_sign(self) -> bool:
        return self in (Sign.SWELLING, Sign.WARMTH, Sign.REDNESS)

    @property
    def is_fresh_injury(self) -> bool:
        return not self.is_clot_sign


class Units(StrEnum):
    """How distances and paces are shown to the runner; stored values stay metric."""

    KM = "km"
    MI = "mi"


class Tool(StrEnum):
    """Self-massage gear named by the sources (G1, G2); hands are always available."""

    ROLLER = "roller"
    HEAVY_ROLLER = "heavy-roller"
    STICK = "stick"
    LACROSSE_BALL = "lacrosse-ball"
    GOLF_BALL = "golf-ball"
    MASSAGE_GUN = "massage-gun"
    BOLSTER = "bolster"
    STRETCHING_ROPE = "stretching-rope"
    HANDS = "hands"


_TOOL_ALIASES = {
    "foam-roller": Tool.ROLLER,
    "massage-stick": Tool.STICK,
    "rope": Tool.STRETCHING_ROPE,
    "ball": Tool.LACROSSE_BALL,
    "gun": Tool.MASSAGE_GUN,
}


class Condition(StrEnum):
    """The conditions the sources give protocols for (C1-C6, C8, C9; C7 is the desk job)."""

    TIGHT_CALVES = "tight-calves"
    PLANTAR_FASCIITIS = "plantar-fasciitis"
    RUNNERS_KNEE = "runners-knee"
    IT_BAND = "it-band"
    GLUTE_SCAR_TISSUE = "glute-scar-tissue"
    OVERUSE = "overuse"
    TIGHT_FEET = "tight-feet"
    SORE_FEET = "sore-feet"


E = TypeVar("E", bound=StrEnum)


def parse_enum(enum: type[E], text: str, what: str) -> E:
    """Read a user-typed name into ``enum``, or say which names exist."""
    cleaned = text.strip().lower() if enum is not Priority else text.strip().upper()
    try:
        return enum(cleaned)
    except ValueError:
        names = ", ".join(member.value for member in enum)
        raise UnknownName(f"unknown {what} {text!r}: expected one of {names}") from None


def parse_tool(text: str) -> Tool:
    cleaned = text.strip().lower()
    if cleaned in _TOOL_ALIASES:
        return _TOOL_ALIASES[cleaned]
    return parse_enum(Tool, cleaned, "tool")


@dataclass(frozen=True)
class Race:
    name: str
    day: dt.date
    priority: Priority
    distance_km: float | None = None
    start_time: dt.time | None = None
    id: str = ""
    # iCalendar SEQUENCE of the race's event: the store moves it on whenever a stored race
    # changes what a calendar shows, so subscribed clients update the event (RFC 5545).
    sequence: int = 0


@dataclass(frozen=True)
class Workout:
    day: dt.date
    kind: WorkoutKind
    duration_min: float | None = None
    id: str = ""
    source: str = "planned"  # "planned", "calendar", "activity", "pattern"
    pattern_id: str = ""  # the weekly pattern that made it, if one did

    @property
    def is_hard(self) -> bool:
        return self.kind.is_hard


@dataclass(frozen=True)
class MassageSession:
    """A massage that happened (logged) or is planned; ``price`` is what it cost or will cost."""

    day: dt.date
    kind: SessionKind
    regions: tuple[Region, ...] = ()
    price: float = 0.0
    id: str = ""
    # Who booked it, for a session a therapist booked in their clinic ("" for the runner's
    # own): the plan names them, and says only they can move it.
    booked_with: str = ""


@dataclass(frozen=True)
class CheckIn:
    """How the runner felt on a day: soreness 0-10 and pain flags per body region, and
    fatigue and sleep on intervals.icu's 1-4 scales (1 is best) so they can be exchanged."""

    day: dt.date
    soreness: dict[Region, int] = field(default_factory=dict)
    pain: dict[Region, PainQuality] = field(default_factory=dict)
    note: str = ""
    fatigue: int | None = None
    sleep: int | None = None
    # Warning signs per region (R3, R5): swelling, warmth, redness, a fresh strain, bruise
    # or knock.
    signs: dict[Region, frozenset[Sign]] = field(default_factory=dict)

    @property
    def regions(self) -> frozenset[Region]:
        """Every region the check-in says something about."""
        return frozenset(self.soreness) | frozenset(self.pain) | frozenset(self.signs)


# Between an earlier note and a later one merged into the same day's check-in.
NOTE_SEPARATOR = " / "


def merge_checkins(earlier: CheckIn, later: CheckIn) -> CheckIn:
    """The day's check-in once ``later`` is added to ``earlier``: what ``later`` says of a
    region (its soreness, pain or signs, each on its own) wins, other regions keep what
    ``earlier`` says; fatigue and sleep given later win, left out they stay; a later note is
    added after the earlier one, since both are the runner's words about the day. Soreness 0
    is kept as said (the region is fine now), and a region given an empty set of signs loses
    the earlier ones."""
    if earlier.day != later.day:
        raise ValueError(f"cannot merge check-ins of {earlier.day} and {later.day}")
    signs = {region: found for region, found in {**earlier.signs, **later.signs}.items() if found}
    return CheckIn(
        day=later.day,
        soreness={**earlier.soreness, **later.soreness},
        pain={**earlier.pain, **later.pain},
        note=_merge_notes(earlier.note, later.note),
        fatigue=later.fatigue if later.fatigue is not None else earlier.fatigue,
        sleep=later.sleep if later.sleep is not None else earlier.sleep,
        signs=signs,
    )


def _merge_notes(earlier: str, later: str) -> str:
    # The same words sent twice (a resent form, a retried command) are said once.
    if not later or later == earlier or earlier.endswith(NOTE_SEPARATOR + later):
        return earlier
    if not earlier:
        return later
    return earlier + NOTE_SEPARATOR + later


@dataclass(frozen=True)
class InjuryEpisode:
    """A stretch of days with a named condition in a region; open while ``end`` is None."""

    region: Region
    condition: Condition
    start: dt.date
    end: dt.date | None = None
    helped: str = ""  # what the runner says helped, written when the episode ends
    id: str = ""

    def is_open_on(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class RoutineLog:
    """A self-massage routine the runner went through with the guided timer."""

    day: dt.date
    when: str  # pre-run, post-run, rest-day, desk
    started_at: dt.datetime
    steps_done: int
    steps_skipped: int
    seconds: float
    completed: bool
    id: str = ""


@dataclass(frozen=True)
class Profile:
    name: str = "runner"
    policy: PolicyName = PolicyName.STANDARD
    frequency: Frequency = Frequency.MONTHLY
    budget_per_month: float = 150.0
    session_price: float = 80.0  # F4: about 60-100 for deep work, depending on the city
    # What the other kinds cost (our defaults; the runner sets their own): a sports massage of
    # an hour, a 30-minute recovery flush, a 30-minute post-event session.
    sports_price: float = 70.0
    flush_price: float = 45.0
    post_event_price: float = 45.0
    units: Units = Units.KM
    owns: frozenset[Tool] = frozenset()
    conditions: frozenset[Condition] = frozenset()
    desk_job: bool = False
    timezone: str = "UTC"
    session_time: dt.time = dt.time(18, 0)
    session_minutes: int = 60
    # The load model's values; None means "estimate it from my data" (domain.load).
    max_hr_bpm: float | None = None
    resting_hr_bpm: float | None = None
    threshold_hr_bpm: float | None = None
    threshold_pace_s_per_km: float | None = None
    sex: str | None = None  # "male" or "female": Banister's weighting

    def price_of(self, kind: SessionKind) -> float:
        """What one session of ``kind`` costs this runner; self-massage is free."""
        if kind.family is Family.DEEP:
            return self.session_price
        if kind is SessionKind.SPORTS:
            return self.sports_price
        if kind is SessionKind.FLUSH:
            return self.flush_price
        if kind is SessionKind.POST_EVENT:
            return self.post_event_price
        return 0.0

    def minutes_of(self, kind: SessionKind) -> int:
        """How long one session of ``kind`` lasts: the profile's length for deep and sports
        work, half an hour for a flush or post-event work, a quarter for pre-event."""
        if kind.family in (Family.DEEP, Family.SPORTS):
            return self.session_minutes
        if kind is SessionKind.PRE_EVENT:
            return 15
        return 30


@dataclass(frozen=True)
class Season:
    """Everything dated that the rules look at for one runner."""

    races: tuple[Race, ...] = ()
    workouts: tuple[Workout, ...] = ()
    # Logged sessions, booked ones (dated after today) and, while planning, planned ones.
    sessions: tuple[MassageSession, ...] = ()
    checkins: tuple[CheckIn, ...] = ()
    # Mondays of the weeks the runner marked as recovery weeks (a week with at most one
    # hard day counts as one without a mark).
    recovery_weeks: frozenset[dt.date] = frozenset()

    def with_sessions(self, sessions: tuple[MassageSession, ...]) -> Season:
        return replace(self, sessions=sessions)
