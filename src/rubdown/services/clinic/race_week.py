"""Use case: a team's race week, from the clinic's own data.

The requesting therapist leads a team (``domain.clinic.team``): themselves and the therapists
who accepted their invitation. Their clients -- managed ones with their races, runners who
share their calendar, read through the grant and logged in the runner's access log -- who race
the event (or the ones chosen) become the race week's entrants; each team therapist's weekly
hours, days off, caps and the times they have already booked become its therapists; the lead's
menu gives each kind of session its length and turnover. ``services.raceweek`` plans and checks
it; this module answers in the clinic's words (who, with whom, when, liked or not, and why a
client is left out).

Accepting books the proposed sessions the lead gives through the ordinary booking path
(``services.clinic.booking.book``: every rule asked again, nothing overridden). A session
the plan gives another team member stays a proposal: a member has no consent to the lead's
clients, so nothing is written into the member's clinic.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass

from rubdown.domain.clinic.booking_rules import ClientKind, ClientRef, TherapistRules
from rubdown.domain.clinic.clinic_data import ClinicData
from rubdown.domain.clinic.raceweek import (
    DEFAULT_NEEDS,
    POST_RACE_DAYS,
    PRE_RACE_DAYS,
    DayPart,
    Phase,
    Preference,
    RaceWeekSolver,
    ServiceLength,
    Therapist,
)
from rubdown.domain.clinic.team import TeamData
from rubdown.domain.consent import Grant
from rubdown.domain.model import PolicyName, Season, SessionKind
from rubdown.errors import BookingRefused, InvalidValue, NotFound
from rubdown.services.clinic.booking import BookingRequest, book
from rubdown.services.clinic.context import ClientRules, Clinic, client_season, zone
from rubdown.services.raceweek import Entrant, Event, RaceWeekRequest, plan_team_race_week
from rubdown.services.runner import Runner

LEAD_NAME = "you"
NO_WEEKLY_CAP = 200  # the booking rules' own upper bound on sessions a week
MAX_TIME_LIMIT_S = 120.0
MAX_CLIENTS_CHOSEN = 500


@dataclass(frozen=True)
class TeamWeek:
    """What the race week reads, as ``bootstrap.team_week`` wires it over the store: the
    lead's clinic and team, a team member's clinic rows (only their rules and bookings are
    read), the lead's active grants, a runner client through their grant, and each client's
    rules for booking."""

    clinic: Clinic
    team: TeamData
    clinic_of: Callable[[str], ClinicData]
    grants: Callable[[], list[Grant]]
    runner: Callable[[str], Runner]
    rules_for: Callable[[ClientRef], ClientRules]


@dataclass(frozen=True)
class WeekAsk:
    """An event (name and day) or a set of clients, and the days; the days default to the
    week either side of the event."""

    event: Event | None = None
    clients: tuple[ClientRef, ...] = ()
    first_day: dt.date | None = None
    last_day: dt.date | None = None
    time_limit_s: float = 10.0

    def __post_init__(self) -> None:
        if self.event is None and not self.clients:
            raise InvalidValue("name the event (its name and day) or choose the clients")
        if not 0 < self.time_limit_s <= MAX_TIME_LIMIT_S:
            raise InvalidValue(f"a time limit is more than 0 and at most {MAX_TIME_LIMIT_S:.0f} s")
        if len(self.clients) > MAX_CLIENTS_CHOSEN:
            raise InvalidValue(f"choose at most {MAX_CLIENTS_CHOSEN} clients")


@dataclass(frozen=True)
class WeekClient:
    ref: ClientRef
    name: str
    policy: PolicyName
    season: Season
    preferences: tuple[Preference, ...] = ()


@dataclass(frozen=True)
class ProposedSession:
    client: ClientRef
    client_name: str
    therapist_id: str
    therapist_name: str
    phase: Phase
    kind: SessionKind
    start: dt.datetime  # aware, in the therapist's time zone
    length_min: int
    liked: bool  # in a day part (and weekday) the client said they like
    mine: bool  # given by the requesting therapist: booked when accepted


@dataclass(frozen=True)
class NotServed:
    client: ClientRef
    client_name: str
    phase: Phase
    reason: str  # raceweek.Reason's value
    detail: str


@dataclass(frozen=True)
class WeekProposal:
    first_day: dt.date
    last_day: dt.date
    sessions: tuple[ProposedSession, ...]
    not_served: tuple[NotServed, ...]
    clients: int
    served_clients: int
    status: str  # "optimal" or "feasible"
    objective: int
    bound: int
    gap: float
    notes: tuple[str, ...]  # therapists left out and why, clients not racing


@dataclass(frozen=True)
class AcceptOutcome:
    booked: tuple[tuple[ProposedSession, str], ...]  # (session, booking id)
    refused: tuple[tuple[ProposedSession, str], ...]  # (session, the refusal's line)
    left_as_proposal: tuple[ProposedSession, ...]  # another team member's


# -- reading the clinic -------------------------------------------------------------------


def week_clients(week: TeamWeek, wanted: frozenset[ClientRef] | None = None) -> list[WeekClient]:
    """The lead's clients as the race week reads them: managed ones with their races, and
    runners whose grant shares their calendar (read through it). A runner who shares no
    calendar has no races to plan around and is left out."""
    found: list[WeekClient] = []
    data, team = week.clinic.data, week.team
    for managed in data.list_clients():
        ref = managed.ref
        if wanted is None or ref in wanted:
            season = Season(races=managed.races)
            found.append(
                WeekClient(ref, managed.name, managed.policy, season, team.preferences_of(ref))
            )
    for grant in week.grants():
        ref = ClientRef(ClientKind.RUNNER, grant.runner_id)
        if wanted is not None and ref not in wanted:
            continue
        with suppress(NotFound):  # no calendar shared, or the grant just ended
            runner = week.runner(grant.runner_id)
            found.append(
                WeekClient(
                    ref,
                    grant.runner_email or grant.runner_id,
                    runner.profile().policy,
                    client_season(runner)[0],
                    team.preferences_of(ref),
                )
            )
    return found


def team_ids(week: TeamWeek) -> list[str]:
    """The lead first, then the members who accepted."""
    members = [m.member_id for m in week.team.members() if m.accepted]
    return [week.clinic.therapist_id, *members]


def _therapist(
    therapist_id: str,
    name: str,
    rules: TherapistRules,
    data: ClinicData,
    first: dt.date,
    last: dt.date,
    now: dt.datetime,
) -> Therapist:
    """A team therapist as the race week sees them: their hours, their days off and the days
    their notice has closed, their caps, and their active bookings as time already taken and
    as part of the caps already used."""
    tz = zone(rules.timezone)
    opens = (now + dt.timedelta(hours=rules.min_notice_h)).astimezone(tz).date()
    closed = {first + dt.timedelta(days=n) for n in range((last - first).days + 1)}
    closed = {day for day in closed if day <= opens}
    # Whole weeks: a booking on the Monday before the first day counts towards that week's cap.
    monday = first - dt.timedelta(days=first.weekday())
    start = dt.datetime.combine(monday, dt.time(), tzinfo=tz)
    end = dt.datetime.combine(last + dt.timedelta(days=7 - last.weekday()), dt.time(), tzinfo=tz)
    busy, booked = [], []
    for booking in data.bookings_between(start, end):
        local = booking.start.astimezone(tz)
        minute = local.hour * 60 + local.minute
        after = max(booking.buffer_min, rules.buffer_min)
        busy.append((local.date(), minute, minute + booking.length_min + after))
        booked.append((local.date(), booking.length_min))
    return Therapist(
        therapist_id,
        name,
        rules.hours,
        frozenset(rules.days_off) | frozenset(closed),
        round(rules.max_hands_on_h_per_day * 60),
        rules.max_sessions_per_week or NO_WEEKLY_CAP,
        tuple(busy),
        tuple(booked),
    )


def _services(
    week: TeamWeek, buffer_min: int
) -> tuple[tuple[ServiceLength, ...], dict[SessionKind, str]]:
    """Each kind the race week may propose, from the lead's menu (its first service of that
    kind), with the team's widest buffer; the service IDs are kept for booking."""
    wanted = {kind for need in DEFAULT_NEEDS for kind in need.kinds}
    lengths: list[ServiceLength] = []
    ids: dict[SessionKind, str] = {}
    for service in week.clinic.data.list_services():
        if service.kind in wanted and service.kind not in ids:
            ids[service.kind] = service.id
            lengths.append(
                ServiceLength(service.kind, service.length_min, max(service.buffer_min, buffer_min))
            )
    return tuple(lengths), ids


def race_events(week: TeamWeek, since: dt.date) -> list[tuple[Event, int]]:
    """The races the therapist's clients run from ``since`` on, each with how many of them
    race it, by day: what the race-week page offers to plan around."""
    counts: dict[tuple[str, dt.date], set[ClientRef]] = {}
    names: dict[tuple[str, dt.date], str] = {}
    for client in week_clients(week):
        for race in client.season.races:
            if race.day >= since:
                key = (race.name.strip().casefold(), race.day)
                names.setdefault(key, race.name.strip())
                counts.setdefault(key, set()).add(client.ref)
    return [
        (Event(names[key], key[1]), len(refs))
        for key, refs in sorted(counts.items(), key=lambda item: (item[0][1], item[0][0]))
    ]


def event_named(
    week: TeamWeek, name: str, first: dt.date | None = None, last: dt.date | None = None
) -> Event:
    """The event by the name the clients' calendars give it (any case): its day is the first
    one a client of the therapist races it, inside the days given when there are any."""
    wanted = name.strip().casefold()
    if not wanted:
        raise InvalidValue("name the event")
    days = sorted(
        race.day
        for client in week_clients(week)
        for race in client.season.races
        if race.name.strip().casefold() == wanted
        and (first is None or race.day >= first)
        and (last is None or race.day <= last)
    )
    if not days:
        raise NotFound(f"none of your clients races {name.strip()!r} in those days")
    return Event(name.strip(), days[0])


# -- planning -----------------------------------------------------------------------------


def plan_week(week: TeamWeek, ask: WeekAsk, solver: RaceWeekSolver) -> WeekProposal:
    clinic = week.clinic
    wanted = frozenset(ask.clients) if ask.clients else None
    clients = week_clients(week, wanted)
    if wanted is not None:
        missing = wanted - {c.ref for c in clients}
        if missing:
            raise NotFound(
                f"no client {sorted(str(m) for m in missing)[0]} shares a calendar with you"
            )
    first, last = _days(ask)
    now = clinic.now()
    notes: list[str] = []
    therapists: list[Therapist] = []
    tz_of: dict[str, dt.tzinfo] = {}
    names = {m.member_id: m.member_email for m in week.team.members()}
    widest_buffer = 0
    for therapist_id in team_ids(week):
        data = clinic.data if therapist_id == clinic.therapist_id else week.clinic_of(therapist_id)
        rules = data.therapist_rules()
        name = LEAD_NAME if therapist_id == clinic.therapist_id else names[therapist_id]
        if not rules.hours.is_set:
            notes.append(f"{name}: no weekly hours set, so no sessions are proposed with them")
            continue
        widest_buffer = max(widest_buffer, rules.buffer_min)
        tz_of[therapist_id] = zone(rules.timezone)
        therapists.append(_therapist(therapist_id, name, rules, data, first, last, now))
    services, _ = _services(week, widest_buffer)
    entrants = tuple(
        Entrant(str(c.ref), c.name, c.policy, c.season, preferences=c.preferences) for c in clients
    )
    request = RaceWeekRequest(
        entrants,
        tuple(therapists),
        ask.event,
        first,
        last,
        services,
        prefer_first_therapist=True,
    )
    result = plan_team_race_week(clinic.kb, request, solver)
    by_id = {str(c.ref): c for c in clients}
    problem_clients = {c.id: c for c in result.problem.clients}
    for left in result.not_racing:
        what = f"{ask.event.name} on {ask.event.day}" if ask.event else "an A or B race then"
        notes.append(f"{by_id[left].name}: not racing {what}")
    sessions = []
    for a in result.plan.assignments:
        client = by_id[a.client_id]
        tz = tz_of[a.therapist_id]
        start = dt.datetime.combine(a.day, dt.time(a.start_minute // 60, a.start_minute % 60), tz)
        liking = problem_clients[a.client_id].liking(a.day, DayPart.of(a.start_minute))
        sessions.append(
            ProposedSession(
                client.ref,
                client.name,
                a.therapist_id,
                next(t.name for t in therapists if t.id == a.therapist_id),
                a.phase,
                a.kind,
                start,
                a.length_min,
                liking > 0,
                a.therapist_id == clinic.therapist_id,
            )
        )
    unserved = tuple(
        NotServed(by_id[u.client_id].ref, by_id[u.client_id].name, u.phase, str(u.reason), u.detail)
        for u in result.plan.unserved
    )
    plan = result.plan
    return WeekProposal(
        first,
        last,
        tuple(sessions),
        unserved,
        plan.clients,
        plan.served_clients,
        plan.status,
        plan.objective,
        plan.bound,
        plan.gap,
        tuple(notes),
    )


def _days(ask: WeekAsk) -> tuple[dt.date, dt.date]:
    """The days asked, else the week either side of the event (as ``services.raceweek``)."""
    if ask.event is None and (ask.first_day is None or ask.last_day is None):
        raise InvalidValue("for a chosen set of clients, give the first and the last day")
    event_day = ask.event.day if ask.event is not None else dt.date.min
    first = ask.first_day or event_day - dt.timedelta(days=PRE_RACE_DAYS)
    last = ask.last_day or event_day + dt.timedelta(days=POST_RACE_DAYS)
    if last < first:
        raise InvalidValue(f"the race week cannot end ({last}) before it starts ({first})")
    return first, last


# -- accepting ----------------------------------------------------------------------------


def accept_week(week: TeamWeek, sessions: Sequence[ProposedSession]) -> AcceptOutcome:
    """Book the lead's sessions one by one through the booking rules (each re-checked, none
    overridden); a refused one is said and the rest still booked. Other members' sessions
    are left as proposals."""
    clinic = week.clinic
    for session in sessions:  # every client must be this therapist's before anything is booked
        clinic.known(session.client)
    _, service_ids = _services(week, 0)
    booked: list[tuple[ProposedSession, str]] = []
    refused: list[tuple[ProposedSession, str]] = []
    left: list[ProposedSession] = []
    for session in sessions:
        if session.therapist_id != clinic.therapist_id:
            left.append(session)
            continue
        service_id = service_ids.get(session.kind)
        if service_id is None:
            refused.append((session, f"your menu has no {session.kind.label} to book"))
            continue
        request = BookingRequest(session.client, service_id, session.start)
        try:
            stored, _ = book(clinic, request, week.rules_for(session.client))
        except BookingRefused as error:
            refused.append((session, str(error)))
            continue
        booked.append((session, stored.id))
    return AcceptOutcome(tuple(booked), tuple(refused), tuple(left))
