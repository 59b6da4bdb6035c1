"""A team's race week: pre-race and post-race sessions for many clients across therapists.

Each client races an event and needs a session before it and one after it (``Need``). The
rules engine (``domain.rules.check``, under the client's own policy) decides which (day, kind)
pairs are allowed; this module never re-states a rule. The team's side is plain arithmetic:
each therapist's weekly hours and days off, a cap on hands-on minutes a day and on sessions a
week, and a length and a turnover buffer per kind of session (``ServiceLength``).

The formulation is slot assignment. Each opening window of a therapist's day is cut at the
day-part edges (12:00 and 17:00) into *blocks*; a chosen session fills its length plus its
buffer of its block, and the sessions of a block are then laid end to end from the block's
start (``pack``). Any set of sessions whose lengths and buffers add up to at most the block's
minutes therefore has exact, non-overlapping times, so the optimiser needs no start-time
variables (which would multiply the model by every 15-minute start). What it gives up: a
session never straddles a day-part edge, and a buffer is kept after the last session of a
block too. A preference names a day part, so it is met exactly when the block lies in it.

A candidate is a need on a (day, day part, kind), not on a therapist's block: sessions of
one kind in one day part weigh the same on every limit, so the optimiser chooses the clients
and, apart, how many sessions of each kind each block holds; ``plan_from`` then hands the
chosen clients to those seats. On the bench this cut the model from 161,000 to 45,000
Booleans for 1,000 clients and 8 therapists, and it loses nothing.

The objective is lexicographic, written as one weighted sum: clients served in full first,
then sessions placed, then how well the times and kinds suit the clients (``weights``). The
weights make each level worth more than everything below it together, so no better-liked
time ever costs a client a session; one weighted solve, rather than one solve per level, lets
CP-SAT prove a single bound for the whole order.

``raceweek_check.check_plan`` re-verifies a plan from the problem alone (the rules, the hours,
the caps, the buffers on the actual times), sharing nothing with the way candidates were made.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import cached_property
from itertools import pairwise
from typing import Protocol

from rubdown.domain.availability import WeeklyHours, clock_text
from rubdown.domain.model import Race, Season, SessionKind
from rubdown.domain.policy import POST_EVENT_WINDOW_DAYS, Policy
from rubdown.domain.rules import SeasonIndex, check, show_day
from rubdown.errors import InvalidValue, PlanningError

DEFAULT_HANDS_ON_MIN_PER_DAY = 6 * 60
DEFAULT_SESSIONS_PER_WEEK = 30
# The pre-race session is looked for in the week before the race: the widest pre-race window
# of any policy (T3, a week) ends there, so a wider search would never find an allowed day
# that helps the race. The post-race one in the week after (M7, T6).
PRE_RACE_DAYS = 7
POST_RACE_DAYS = POST_EVENT_WINDOW_DAYS
MAX_PREFERENCE_WEIGHT = 10
# The client's first choice of kind adds this to a candidate's worth; a day part they rank
# adds its weight. Both only order schedules that serve the same clients and sessions.
FIRST_KIND_BONUS = 1
NOON_MINUTE = 12 * 60
EVENING_MINUTE = 17 * 60


class Phase(StrEnum):
    PRE_RACE = "pre-race"
    POST_RACE = "post-race"


class DayPart(StrEnum):
    MORNING = "morning"  # before 12:00
    AFTERNOON = "afternoon"  # 12:00-17:00
    EVENING = "evening"  # from 17:00

    @staticmethod
    def of(minute: int) -> DayPart:
        if minute < NOON_MINUTE:
            return DayPart.MORNING
        return DayPart.AFTERNOON if minute < EVENING_MINUTE else DayPart.EVENING


PART_EDGES = (NOON_MINUTE, EVENING_MINUTE)


@dataclass(frozen=True)
class ServiceLength:
    """One row of the team's services table: how long a kind lasts and the room's turnover."""

    kind: SessionKind
    length_min: int
    buffer_min: int = 0

    def __post_init__(self) -> None:
        if not self.kind.is_professional:
            raise InvalidValue(f"{self.kind.label} is not a session a therapist gives")
        if not 0 < self.length_min <= 24 * 60:
            raise InvalidValue(f"{self.kind.label}: a length must be 1-1440 minutes")
        if not 0 <= self.buffer_min <= 24 * 60:
            raise InvalidValue(f"{self.kind.label}: a buffer must be 0-1440 minutes")

    @property
    def footprint_min(self) -> int:
        """The room time one session takes: its length and the turnover after it."""
        return self.length_min + self.buffer_min


DEFAULT_SERVICES = (
    ServiceLength(SessionKind.SPORTS, 60, 15),
    ServiceLength(SessionKind.FLUSH, 30, 15),
    ServiceLength(SessionKind.POST_EVENT, 30, 15),
    ServiceLength(SessionKind.DEEP_TISSUE, 60, 15),
)


@dataclass(frozen=True)
class Preference:
    """A time the client likes: a day part, on one weekday or any; a larger weight wins."""

    part: DayPart
    weight: int
    weekday: int | None = None  # 0 Monday .. 6 Sunday; None: any day

    def __post_init__(self) -> None:
        if not 1 <= self.weight <= MAX_PREFERENCE_WEIGHT:
            raise InvalidValue(f"a preference's weight must be 1-{MAX_PREFERENCE_WEIGHT}")
        if self.weekday is not None and not 0 <= self.weekday <= 6:
            raise InvalidValue("a preference's weekday must be 0 (Monday) to 6 (Sunday)")

    def suits(self, day: dt.date, part: DayPart) -> bool:
        return self.part is part and (self.weekday is None or self.weekday == day.weekday())


@dataclass(frozen=True)
class Need:
    """A session the client should have around the race: the kinds that would do, the
    client's favourite first."""

    phase: Phase
    kinds: tuple[SessionKind, ...]

    def __post_init__(self) -> None:
        if not self.kinds:
            raise InvalidValue(f"a {self.phase} session needs at least one kind")

    def days(self, race_day: dt.date) -> list[dt.date]:
        """The days searched, nearest the race first."""
        if self.phase is Phase.PRE_RACE:
            return [race_day - dt.timedelta(days=n) for n in range(1, PRE_RACE_DAYS + 1)]
        return [race_day + dt.timedelta(days=n) for n in range(1, POST_RACE_DAYS + 1)]


# Before the race a sports massage, or a flush (the lighter work more policies allow close to
# it); after it, light post-event work (M7) or a flush. Deep work waits for the next cycle.
DEFAULT_NEEDS = (
    Need(Phase.PRE_RACE, (SessionKind.SPORTS, SessionKind.FLUSH)),
    Need(Phase.POST_RACE, (SessionKind.POST_EVENT, SessionKind.FLUSH)),
)


@dataclass(frozen=True)
class Client:
    id: str
    name: str
    policy: Policy
    race: Race  # the event the week is planned around
    season: Season = field(default_factory=Season)  # races, workouts, check-ins the rules read
    needs: tuple[Need, ...] = DEFAULT_NEEDS
    preferences: tuple[Preference, ...] = ()

    def __post_init__(self) -> None:
        phases = [need.phase for need in self.needs]
        if len(set(phases)) != len(phases):
            raise InvalidValue(f"{self.name}: one session per phase of the race week")

    def liking(self, day: dt.date, part: DayPart) -> int:
        return max((p.weight for p in self.preferences if p.suits(day, part)), default=0)


@dataclass(frozen=True)
class Therapist:
    id: str
    name: str
    hours: WeeklyHours
    days_off: frozenset[dt.date] = frozenset()
    max_hands_on_min_per_day: int = DEFAULT_HANDS_ON_MIN_PER_DAY
    max_sessions_per_week: int = DEFAULT_SESSIONS_PER_WEEK
    # Time already taken (bookings made before the plan, with their buffers): (day, start
    # minute, end minute). The blocks are cut around it, so no proposal lands on it.
    busy: tuple[tuple[dt.date, int, int], ...] = ()
    # The hands-on minutes of each of those bookings, by day: they count towards the caps.
    booked: tuple[tuple[dt.date, int], ...] = ()

    def __post_init__(self) -> None:
        if not self.hours.is_set:
            raise InvalidValue(f"{self.name}: a therapist of the team needs weekly hours")
        if self.max_hands_on_min_per_day < 0 or self.max_sessions_per_week < 0:
            raise InvalidValue(f"{self.name}: caps cannot be negative")

    def works_on(self, day: dt.date) -> bool:
        return day not in self.days_off and self.hours.open_on(day)

    def booked_min(self, day: dt.date) -> int:
        """Hands-on minutes already booked on ``day``."""
        return sum(minutes for booked_day, minutes in self.booked if booked_day == day)

    def booked_sessions(self, monday: dt.date) -> int:
        """Sessions already booked in the week starting ``monday``."""
        return sum(1 for booked_day, _ in self.booked if week_of(booked_day) == monday)


@dataclass(frozen=True)
class RaceWeekProblem:
    clients: tuple[Client, ...]
    therapists: tuple[Therapist, ...]
    first_day: dt.date
    last_day: dt.date
    services: tuple[ServiceLength, ...] = DEFAULT_SERVICES

    def __post_init__(self) -> None:
        if self.last_day < self.first_day:
            raise InvalidValue(f"the race week cannot end ({self.last_day}) before it starts")
        for what, ids in (
            ("client", [c.id for c in self.clients]),
            ("therapist", [t.id for t in self.therapists]),
            ("service", [s.kind.value for s in self.services]),
        ):
            if len(set(ids)) != len(ids):
                raise InvalidValue(f"each {what} may appear once")

    def service(self, kind: SessionKind) -> ServiceLength | None:
        return next((s for s in self.services if s.kind is kind), None)

    def in_horizon(self, day: dt.date) -> bool:
        return self.first_day <= day <= self.last_day


# -- the answer ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Assignment:
    client_id: str
    phase: Phase
    kind: SessionKind
    therapist_id: str
    day: dt.date
    start_minute: int
    length_min: int
    buffer_min: int

    @property
    def end_minute(self) -> int:
        return self.start_minute + self.length_min

    @property
    def times(self) -> str:
        return f"{clock_text(self.start_minute)}-{clock_text(self.end_minute)}"


class Reason(StrEnum):
    NO_SERVICE = "no-service"  # the team's services table has none of the kinds
    NO_ALLOWED_DAY = "no-allowed-day"  # the rules allow none of the kinds on any day searched
    NO_OPENING = "no-opening"  # allowed days, but no therapist's hours hold the session then
    CAPACITY_FULL = "capacity-full"  # every opening on the allowed days is taken in this plan
    NOT_PLACED = "not-placed"  # an opening was left: the optimiser stopped before proving


@dataclass(frozen=True)
class Unserved:
    client_id: str
    phase: Phase
    reason: Reason
    detail: str


@dataclass(frozen=True)
class RaceWeekPlan:
    assignments: tuple[Assignment, ...]
    unserved: tuple[Unserved, ...]
    status: str  # "optimal" or "feasible"
    clients: int  # how many clients were asked about
    objective: int = 0  # the weighted sum the optimiser reached (``weights``)
    bound: int = 0  # the best any schedule could reach, as far as it proved

    @property
    def gap(self) -> float:
        """The relative gap left unproved: 0 when the plan is proved the best."""
        if self.bound <= 0:
            return 0.0
        return max(0.0, (self.bound - self.objective) / self.bound)

    @property
    def served_clients(self) -> int:
        """Clients with every session they need placed."""
        return self.clients - len({u.client_id for u in self.unserved})


# -- what the optimiser chooses from ------------------------------------------------------


@dataclass(frozen=True)
class Block:
    """A stretch of one therapist's day inside one day part, filled from its start."""

    therapist: int
    day: dt.date
    start_minute: int
    end_minute: int

    @property
    def minutes(self) -> int:
        return self.end_minute - self.start_minute

    @property
    def part(self) -> DayPart:
        return DayPart.of(self.start_minute)


@dataclass(frozen=True)
class Candidate:
    """A session the plan may hold: this need of this client, of this kind, on this day in
    this day part, with whichever therapist has room in it. Sessions of the same kind in the
    same day part weigh the same on every limit, so which client goes to which therapist is
    settled after the optimiser has said how many of each kind each block holds."""

    client: int
    need: int
    kind: SessionKind
    day: dt.date
    part: DayPart
    value: int  # how well it suits the client: 0 .. MAX_PREFERENCE_WEIGHT + FIRST_KIND_BONUS

    @property
    def slot(self) -> Slot:
        return (self.day, self.part, self.kind)


Slot = tuple[dt.date, DayPart, SessionKind]


@dataclass(frozen=True)
class Choices:
    """Every session the plan may contain, and the blocks whose limits they share."""

    problem: RaceWeekProblem
    blocks: tuple[Block, ...]
    candidates: tuple[Candidate, ...]
    # (client, need) -> the (day, kind) pairs the rules allow in the horizon, for the reasons
    allowed: Mapping[tuple[int, int], tuple[tuple[dt.date, SessionKind], ...]]

    def needs(self) -> list[tuple[int, int]]:
        return [
            (c, n)
            for c, client in enumerate(self.problem.clients)
            for n in range(len(client.needs))
        ]

    @cached_property
    def blocks_by_slot(self) -> Mapping[Slot, tuple[int, ...]]:
        """The blocks long enough for one session of the slot's kind, in order."""
        found: dict[Slot, list[int]] = defaultdict(list)
        for b, block in enumerate(self.blocks):
            for service in self.problem.services:
                if block.minutes >= service.footprint_min:
                    found[(block.day, block.part, service.kind)].append(b)
        return {slot: tuple(members) for slot, members in found.items()}

    def footprint(self, kind: SessionKind) -> ServiceLength:
        service = self.problem.service(kind)
        if service is None:  # candidates are made only for kinds the team offers
            raise PlanningError(f"no length for {kind.label} in the services table")
        return service


@dataclass(frozen=True)
class Selection:
    """What an optimiser returns: the chosen candidates (indexes into ``choices.candidates``),
    how many sessions of each kind each block holds, and how sure it is."""

    chosen: tuple[int, ...]
    counts: Mapping[tuple[int, SessionKind], int]  # (block index, kind) -> sessions
    status: str  # "optimal", "feasible"
    objective: int = 0
    bound: int = 0


class RaceWeekSolver(Protocol):
    def solve(self, choices: Choices) -> Selection: ...


def blocks_of(problem: RaceWeekProblem) -> list[Block]:
    blocks: list[Block] = []
    day = problem.first_day
    while day <= problem.last_day:
        for t, therapist in enumerate(problem.therapists):
            if not therapist.works_on(day):
                continue
            taken = sorted((a, b) for d, a, b in therapist.busy if d == day)
            for window in therapist.hours.on(day):
                for start, end in free_spans(window.start_minute, window.end_minute, taken):
                    edges = [e for e in PART_EDGES if start < e < end]
                    bounds = [start, *edges, end]
                    blocks += [Block(t, day, a, b) for a, b in pairwise(bounds)]
        day += dt.timedelta(days=1)
    return blocks


def free_spans(start: int, end: int, taken: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """The stretches of [start, end) that no (sorted) taken span covers."""
    spans: list[tuple[int, int]] = []
    for a, b in taken:
        if a > start:
            spans.append((start, min(a, end)))
        start = max(start, b)
        if start >= end:
            break
    if start < end:
        spans.append((start, end))
    return [(a, b) for a, b in spans if b > a]


def allowed_pairs(
    problem: RaceWeekProblem, client: Client, need: Need
) -> list[tuple[dt.date, SessionKind]]:
    """The (day, kind) pairs of ``need`` inside the horizon that the rules engine allows for
    this client under their policy; kinds the team does not offer are not asked about."""
    index = SeasonIndex(client.season)
    offered = [k for k in need.kinds if problem.service(k) is not None]
    return [
        (day, kind)
        for day in need.days(client.race.day)
        if problem.in_horizon(day)
        for kind in offered
        if check(index, client.policy, day, kind, explain=False).allowed
    ]


def choices_for(problem: RaceWeekProblem) -> Choices:
    blocks = blocks_of(problem)
    parts: dict[dt.date, list[DayPart]] = defaultdict(list)
    for block in blocks:
        if block.part not in parts[block.day]:
            parts[block.day].append(block.part)
    shell = Choices(problem, tuple(blocks), (), {})
    fitting = shell.blocks_by_slot
    candidates: list[Candidate] = []
    allowed: dict[tuple[int, int], tuple[tuple[dt.date, SessionKind], ...]] = {}
    for c, client in enumerate(problem.clients):
        for n, need in enumerate(client.needs):
            pairs = tuple(allowed_pairs(problem, client, need))
            allowed[(c, n)] = pairs
            for day, kind in pairs:
                bonus = FIRST_KIND_BONUS if kind is need.kinds[0] else 0
                for part in sorted(parts.get(day, ())):
                    if (day, part, kind) in fitting:
                        value = client.liking(day, part) + bonus
                        candidates.append(Candidate(c, n, kind, day, part, value))
    return Choices(problem, tuple(blocks), tuple(candidates), allowed)


@dataclass(frozen=True)
class Weights:
    client: int  # a client served in full
    session: int  # a session placed


def weights(choices: Choices) -> Weights:
    """Weights that make the single objective lexicographic: a session outweighs every
    candidate's value together, a client every session and value together."""
    best: dict[tuple[int, int], int] = defaultdict(int)
    for candidate in choices.candidates:
        key = (candidate.client, candidate.need)
        best[key] = max(best[key], candidate.value)
    values = sum(best.values())
    session = values + 1
    client = session * len(best) + values + 1
    return Weights(client, session)


def top_up(choices: Choices, selection: Selection) -> Selection:
    """``selection`` with every further session that still fits: a search stopped by its
    time limit may leave room that any client's need could use."""
    usage = _booked_usage(choices)
    counts = dict(selection.counts)
    for (b, kind), n in counts.items():
        usage.add(choices, b, kind, n)
    chosen = list(selection.chosen)
    placed = {(choices.candidates[i].client, choices.candidates[i].need) for i in chosen}
    for i, candidate in enumerate(choices.candidates):
        need = (candidate.client, candidate.need)
        if need in placed:
            continue
        for b in choices.blocks_by_slot.get(candidate.slot, ()):
            if usage.fits(choices, b, candidate.kind):
                usage.add(choices, b, candidate.kind)
                counts[(b, candidate.kind)] = counts.get((b, candidate.kind), 0) + 1
                chosen.append(i)
                placed.add(need)
                break
    if len(chosen) == len(selection.chosen):
        return selection
    return replace(selection, chosen=tuple(sorted(chosen)), counts=counts)


def score(choices: Choices, selection: Selection) -> int:
    """The objective's value of a selection, with the weights of ``weights``."""
    weight = weights(choices)
    chosen = [choices.candidates[i] for i in selection.chosen]
    placed = {(c.client, c.need) for c in chosen}
    whole = sum(
        1
        for c, client in enumerate(choices.problem.clients)
        if client.needs and all((c, n) in placed for n in range(len(client.needs)))
    )
    return weight.client * whole + sum(weight.session + c.value for c in chosen)


def week_of(day: dt.date) -> dt.date:
    """The Monday of the day's week: the weekly caps count Monday to Sunday."""
    return day - dt.timedelta(days=day.weekday())


def greedy(
    choices: Choices,
    guide: Sequence[float] | None = None,
    seats: Mapping[tuple[int, SessionKind], float] | None = None,
) -> Selection:
    """A first schedule without an optimiser. Each client is placed whole (every need at
    its best candidate that still fits) or not at all, then a second pass gives the room
    left to single sessions of clients not served whole. The solver starts from it (as a
    hint), so a usable schedule exists from the first second however long the proof takes.

    Without ``guide``, clients with the fewest candidates go first and a need's best-liked
    candidate is tried first. ``guide`` (a number per candidate, such as its value in the
    linear relaxation) reorders both: clients whose needs it covers most go first, and each
    need tries its candidates in the guide's order; ``seats`` (sessions per block and kind,
    from the same relaxation) then picks the block that has most of its share left.
    """
    problem = choices.problem
    weight = guide if guide is not None else [0.0] * len(choices.candidates)
    by_need: dict[tuple[int, int], list[int]] = defaultdict(list)
    for i, candidate in enumerate(choices.candidates):
        by_need[(candidate.client, candidate.need)].append(i)
    for members in by_need.values():
        members.sort(
            key=lambda i: (-weight[i], -choices.candidates[i].value, choices.candidates[i].day)
        )
    options: dict[int, int] = defaultdict(int)
    covered: dict[int, float] = {}
    for (client, _), members in by_need.items():
        options[client] += len(members)
        share = sum(weight[i] for i in members)
        covered[client] = min(covered.get(client, share), share)
    order = sorted(
        options, key=lambda c: (-round(covered[c], 3), options[c], problem.clients[c].id)
    )
    usage = _booked_usage(choices)
    placed: dict[tuple[int, int], tuple[int, int]] = {}  # need -> (candidate, block)
    taken: dict[tuple[int, SessionKind], int] = defaultdict(int)

    def place(c: int, n: int) -> bool:
        fitting = [
            (rank, i, b)
            for rank, i in enumerate(by_need.get((c, n), ()))
            for b in choices.blocks_by_slot.get(choices.candidates[i].slot, ())
            if usage.fits(choices, b, choices.candidates[i].kind)
        ]
        if not fitting:
            return False
        if guide is None:
            # The seat whose therapist has the most of the week left, so that the clients
            # still to come find room; the better-liked candidate among equals.
            _, i, b = max(fitting, key=lambda f: (usage.room(choices, f[2]), -f[0]))
        else:
            # The guide's best candidate, in the block the guide's seats leave most room in.
            first = fitting[0][0]
            best = [f for f in fitting if f[0] == first]
            kind = choices.candidates[best[0][1]].kind
            _, i, b = max(
                best,
                key=lambda f: (
                    (seats or {}).get((f[2], kind), 0.0) - taken[(f[2], kind)],
                    usage.room(choices, f[2]),
                ),
            )
        taken[(b, choices.candidates[i].kind)] += 1
        usage.add(choices, b, choices.candidates[i].kind)
        placed[(c, n)] = (i, b)
        return True

    for whole in (True, False):
        for c in order:
            needs = [n for n in range(len(problem.clients[c].needs)) if (c, n) not in placed]
            done = [n for n in needs if place(c, n)]
            if whole and len(done) < len(needs):
                for n in done:  # not every need fits: give the room back for now
                    i, b = placed.pop((c, n))
                    usage.add(choices, b, choices.candidates[i].kind, -1)
                    taken[(b, choices.candidates[i].kind)] -= 1
    counts: dict[tuple[int, SessionKind], int] = defaultdict(int)
    for i, b in placed.values():
        counts[(b, choices.candidates[i].kind)] += 1
    chosen = tuple(sorted(i for i, _ in placed.values()))
    return Selection(chosen, dict(counts), "feasible")


# -- from a selection to a plan -----------------------------------------------------------


def plan_from(choices: Choices, selection: Selection) -> RaceWeekPlan:
    """Hand each slot's chosen clients (by client id) to the blocks the counts fill, lay each
    block out, and say why every need left out was left out."""
    problem = choices.problem
    chosen = [choices.candidates[i] for i in selection.chosen]
    by_slot: dict[Slot, list[Candidate]] = defaultdict(list)
    for candidate in chosen:
        by_slot[candidate.slot].append(candidate)
    by_block: dict[int, list[Candidate]] = defaultdict(list)
    for slot, members in by_slot.items():
        members.sort(key=lambda c: problem.clients[c.client].id)
        kind = slot[2]
        seats = [
            b
            for b in choices.blocks_by_slot.get(slot, ())
            for _ in range(selection.counts.get((b, kind), 0))
        ]
        if len(seats) != len(members):
            raise PlanningError(
                f"the optimiser placed {len(members)} {kind.label} sessions on {slot[0]} "
                f"({slot[1]}) but made room for {len(seats)}"
            )
        for b, candidate in zip(seats, members, strict=True):
            by_block[b].append(candidate)
    assignments: list[Assignment] = []
    for b, members in sorted(by_block.items()):
        assignments += pack(choices, choices.blocks[b], members)
    placed = {(c.client, c.need) for c in chosen}
    by_need: dict[tuple[int, int], list[Candidate]] = defaultdict(list)
    for candidate in choices.candidates:
        by_need[(candidate.client, candidate.need)].append(candidate)
    usage = _usage(choices, by_block)
    unserved = [
        Unserved(
            problem.clients[c].id,
            problem.clients[c].needs[n].phase,
            *_why_unplaced(choices, usage, by_need[(c, n)], c, n),
        )
        for c, n in choices.needs()
        if (c, n) not in placed
    ]
    assignments.sort(key=lambda a: (a.day, a.therapist_id, a.start_minute))
    return RaceWeekPlan(
        tuple(assignments),
        tuple(unserved),
        selection.status,
        len(problem.clients),
        selection.objective,
        selection.bound,
    )


def pack(choices: Choices, block: Block, members: Sequence[Candidate]) -> list[Assignment]:
    """The block's sessions end to end from its start, longest first (then by client), each
    followed by its buffer."""
    problem = choices.problem
    therapist = problem.therapists[block.therapist]
    start = block.start_minute
    placed: list[Assignment] = []
    ordered = sorted(
        members,
        key=lambda c: (-choices.footprint(c.kind).length_min, problem.clients[c.client].id),
    )
    for candidate in ordered:
        client = problem.clients[candidate.client]
        service = choices.footprint(candidate.kind)
        placed.append(
            Assignment(
                client.id,
                client.needs[candidate.need].phase,
                candidate.kind,
                therapist.id,
                block.day,
                start,
                service.length_min,
                service.buffer_min,
            )
        )
        start += service.footprint_min
    return placed


def _why_unplaced(
    choices: Choices, usage: _Usage, mine: Sequence[Candidate], c: int, n: int
) -> tuple[Reason, str]:
    """The reason a need went unplaced, read from the candidates and the plan itself."""
    problem = choices.problem
    client = problem.clients[c]
    need = client.needs[n]
    offered = [k for k in need.kinds if problem.service(k) is not None]
    kinds = " or ".join(k.label for k in need.kinds)
    if not offered:
        return Reason.NO_SERVICE, f"the team's services offer no {kinds}"
    pairs = choices.allowed[(c, n)]
    if not pairs:
        return Reason.NO_ALLOWED_DAY, _refusal(problem, client, need, offered)
    days = sorted({day for day, _ in pairs})
    if not mine:
        return (
            Reason.NO_OPENING,
            f"the rules allow {_days(days)}, but no therapist's hours hold a {kinds} then",
        )
    seats = [(c, b) for c in mine for b in choices.blocks_by_slot.get(c.slot, ())]
    for candidate, b in seats:
        if usage.fits(choices, b, candidate.kind):
            therapist = problem.therapists[choices.blocks[b].therapist]
            return (
                Reason.NOT_PLACED,
                f"{therapist.name} has room on {show_day(candidate.day)} "
                f"({candidate.part}): the optimiser stopped before it proved its "
                "schedule the best",
            )
    blocked: dict[str, set[str]] = defaultdict(set)
    for candidate, b in seats:
        therapist = problem.therapists[choices.blocks[b].therapist]
        for hit in usage.refuses(choices, b, candidate.kind):
            blocked[hit].add(therapist.name)
    said = "; ".join(f"{what}: {', '.join(sorted(who))}" for what, who in sorted(blocked.items()))
    return Reason.CAPACITY_FULL, f"every opening on {_days(days)} is taken ({said})"


def _days(days: Sequence[dt.date]) -> str:
    return ", ".join(show_day(d) for d in days)


def _refusal(
    problem: RaceWeekProblem, client: Client, need: Need, kinds: Sequence[SessionKind]
) -> str:
    """Why the rules allow no day: the refusal of the searched day nearest the race."""
    index = SeasonIndex(client.season)
    days = [d for d in need.days(client.race.day) if problem.in_horizon(d)]
    if not days:
        first, last = problem.first_day, problem.last_day
        return f"no day of the {need.phase} week lies between {first} and {last}"
    verdict = check(index, client.policy, days[0], kinds[0])
    reasons = [f.reason for f in verdict.findings if f.forbids]
    rules = ", ".join(verdict.rule_ids)
    return f"the rules allow no day of the {need.phase} week: {reasons[0]} ({rules})"


@dataclass
class _Usage:
    block_min: dict[int, int]
    hands_on: dict[tuple[int, dt.date], int]
    week_count: dict[tuple[int, dt.date], int]

    def refuses(self, choices: Choices, b: int, kind: SessionKind) -> list[str]:
        """The limits one more session of ``kind`` in block ``b`` would break."""
        block = choices.blocks[b]
        service = choices.footprint(kind)
        therapist = choices.problem.therapists[block.therapist]
        hits = []
        if self.block_min.get(b, 0) + service.footprint_min > block.minutes:
            hits.append(f"{block.part} booked")
        used = self.hands_on.get((block.therapist, block.day), 0)
        if used + service.length_min > therapist.max_hands_on_min_per_day:
            hits.append(f"{therapist.max_hands_on_min_per_day} min hands-on a day reached")
        count = self.week_count.get((block.therapist, week_of(block.day)), 0)
        if count + 1 > therapist.max_sessions_per_week:
            hits.append(f"{therapist.max_sessions_per_week} sessions a week reached")
        return hits

    def fits(self, choices: Choices, b: int, kind: SessionKind) -> bool:
        block, service = choices.blocks[b], choices.footprint(kind)
        therapist = choices.problem.therapists[block.therapist]
        return (
            self.block_min.get(b, 0) + service.footprint_min <= block.minutes
            and self.hands_on.get((block.therapist, block.day), 0) + service.length_min
            <= therapist.max_hands_on_min_per_day
            and self.week_count.get((block.therapist, week_of(block.day)), 0)
            < therapist.max_sessions_per_week
        )

    def room(self, choices: Choices, b: int) -> int:
        """Sessions the block's therapist may still take in its week."""
        block = choices.blocks[b]
        cap = choices.problem.therapists[block.therapist].max_sessions_per_week
        return cap - self.week_count.get((block.therapist, week_of(block.day)), 0)

    def add(self, choices: Choices, b: int, kind: SessionKind, times: int = 1) -> None:
        block, service = choices.blocks[b], choices.footprint(kind)
        key, week = (block.therapist, block.day), (block.therapist, week_of(block.day))
        self.block_min[b] = self.block_min.get(b, 0) + times * service.footprint_min
        self.hands_on[key] = self.hands_on.get(key, 0) + times * service.length_min
        self.week_count[week] = self.week_count.get(week, 0) + times


def _booked_usage(choices: Choices) -> _Usage:
    """The therapists' caps as their bookings made before the plan have already used them."""
    usage = _Usage({}, {}, {})
    for t, therapist in enumerate(choices.problem.therapists):
        for day, minutes in therapist.booked:
            usage.hands_on[(t, day)] = usage.hands_on.get((t, day), 0) + minutes
            week = (t, week_of(day))
            usage.week_count[week] = usage.week_count.get(week, 0) + 1
    return usage


def _usage(choices: Choices, by_block: Mapping[int, Sequence[Candidate]]) -> _Usage:
    usage = _booked_usage(choices)
    for b, members in by_block.items():
        for candidate in members:
            usage.add(choices, b, candidate.kind)
    return usage


def plan_race_week(
    problem: RaceWeekProblem, solver: RaceWeekSolver, *, prefer_first: bool = False
) -> RaceWeekPlan:
    """Choose, pack and explain: the plan a solver's selection gives; with ``prefer_first``
    the first therapist takes every session they have room for (``to_first_therapist``)."""
    choices = choices_for(problem)
    selection = solver.solve(choices)
    if prefer_first:
        selection = to_first_therapist(choices, selection)
    return plan_from(choices, selection)


def to_first_therapist(choices: Choices, selection: Selection) -> Selection:
    """``selection`` with its sessions moved into the first therapist's blocks of the same
    slot (day, day part, kind) while those have room. Sessions of a slot weigh the same on
    every limit and in the objective wherever they sit, so the same clients are served in
    the same day parts; only who gives them changes. A clinic's race week lists the asking
    therapist first: the more of it is theirs, the more of it they can book themselves."""
    usage = _booked_usage(choices)
    counts = dict(selection.counts)
    for (b, kind), n in counts.items():
        usage.add(choices, b, kind, n)
    for (b, kind), n in sorted(selection.counts.items()):
        block = choices.blocks[b]
        if block.therapist == 0 or n == 0:
            continue
        for first in choices.blocks_by_slot.get((block.day, block.part, kind), ()):
            if choices.blocks[first].therapist != 0:
                continue
            while counts[(b, kind)] > 0 and usage.fits(choices, first, kind):
                usage.add(choices, b, kind, -1)
                usage.add(choices, first, kind)
                counts[(b, kind)] -= 1
                counts[(first, kind)] = counts.get((first, kind), 0) + 1
    return replace(selection, counts={key: n for key, n in counts.items() if n})
