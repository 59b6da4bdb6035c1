"""The clinic's API (server mode, therapists only): a team's race week: sessions around one event
for every client racing it, across the team's therapists.

``POST /api/clinic/race-week`` plans (the event by name, or chosen clients, and the days);
``POST /api/clinic/race-week/accept`` books the sessions sent back that are the logged-in
therapist's own, each through the booking rules again (a refused one is said, the others
still booked); sessions with another team member stay proposals. The team: the lead invites
therapists by e-mail (``POST /api/clinic/team``), a member accepts
(``POST /api/clinic/team/accept``); ``GET /api/clinic/team`` lists both
sides. Everything is the logged-in therapist's: their clients, their team.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, status
from pydantic import BaseModel, Field

from rubdown.bootstrap import consents_for, team_week
from rubdown.domain.accounts import User
from rubdown.domain.clinic.booking_rules import ClientRef
from rubdown.domain.clinic.team import TeamMember, parse_preference, preference_text
from rubdown.errors import NotFound
from rubdown.services.clinic.race_week import (
    TeamWeek,
    WeekAsk,
    accept_week,
    event_named,
    plan_week,
    race_events,
    team_ids,
)
from rubdown.services.clinic.race_week_views import accept_view, parse_session, proposal_view
from rubdown.services.raceweek import Event
from rubdown.solver.raceweek_cpsat import CpSatRaceWeekSolver
from rubdown.web import parse
from rubdown.web.deps import shared_services
from rubdown.web.fields import date
from rubdown.web.models import Body
from rubdown.web.models_clinic_bookings import CLIENT_PATTERN
from rubdown.web.responses import ERRORS
from rubdown.web.routes_clients import therapist

router = APIRouter(prefix="/api/clinic", responses=ERRORS, tags=["clinic"])
MAX_SESSIONS_ACCEPTED = 1000


def week_of(request: Request, user: Annotated[User, Depends(therapist)]) -> TeamWeek:
    services = shared_services(request.app.state)
    what = f"{request.method} {request.url.path}"
    return team_week(services.store, user.id, services.clock, what)


WeekDep = Annotated[TeamWeek, Depends(week_of)]


# -- in and out ---------------------------------------------------------------------------


class RaceWeekIn(Body):
    event: str | None = Field(
        default=None, max_length=200, description="The race's name, as your clients' calendars say"
    )
    event_day: str | None = date(optional=True, description="The race's day (YYYY-MM-DD)")
    clients: list[Annotated[str, Field(max_length=140, pattern=CLIENT_PATTERN)]] = Field(
        default_factory=list, max_length=500, description="managed:ID or runner:ID, instead"
    )
    first_day: str | None = date(optional=True, description="The first day planned")
    last_day: str | None = date(optional=True, description="The last day planned")
    time_limit_s: float = Field(default=10.0, gt=0, le=120, description="Seconds to optimise")


class SessionOut(BaseModel):
    client: str
    client_name: str
    therapist_id: str
    therapist: str
    phase: str
    kind: str
    start_at: str
    day: str
    time: str
    length_min: int
    liked: bool
    mine: bool


class NotServedOut(BaseModel):
    client: str
    client_name: str
    phase: str
    reason: str
    detail: str


class RaceWeekOut(BaseModel):
    first_day: str
    last_day: str
    sessions: list[SessionOut]
    not_served: list[NotServedOut]
    clients: int
    served_clients: int
    status: str
    objective: int
    bound: int
    gap: float
    notes: list[str]


class SessionIn(Body):
    client: str = Field(max_length=140, pattern=CLIENT_PATTERN)
    therapist_id: str = Field(max_length=140)
    kind: str = Field(max_length=40)
    phase: str = Field(max_length=40)
    start_at: str = Field(max_length=40, description="ISO 8601 with its offset")
    client_name: str = Field(default="", max_length=200)
    therapist: str = Field(default="", max_length=200)
    day: str = Field(default="", max_length=20)
    time: str = Field(default="", max_length=10)
    length_min: int = Field(default=0, ge=0, le=1440)
    liked: bool = False
    mine: bool = False


class AcceptIn(Body):
    sessions: list[SessionIn] = Field(max_length=MAX_SESSIONS_ACCEPTED)


class BookedOut(SessionOut):
    booking_id: str


class RefusedOut(SessionOut):
    refusal: str


class AcceptOut(BaseModel):
    booked: list[BookedOut]
    refused: list[RefusedOut]
    left_as_proposal: list[SessionOut]
    note: str


class EventOut(BaseModel):
    name: str
    day: str
    clients: int


class EventsOut(BaseModel):
    events: list[EventOut]


class MemberOut(BaseModel):
    lead_id: str
    lead_email: str
    member_id: str
    member_email: str
    invited_at: str
    accepted_at: str | None


class TeamOut(BaseModel):
    members: list[MemberOut]
    invitations: list[MemberOut]


class InviteIn(Body):
    email: str = Field(max_length=320, description="The e-mail of a therapist's account")


class LeadIn(Body):
    lead_email: str = Field(max_length=320, description="The e-mail of the team's lead")


class LikesIn(Body):
    client: str = Field(max_length=140, pattern=CLIENT_PATTERN)
    likes: list[Annotated[str, Field(max_length=40)]] = Field(
        max_length=20, description="PART:WEIGHT[:WEEKDAY], e.g. evening:8 or morning:5:sat"
    )


class LikesOut(BaseModel):
    client: str
    likes: list[str]


def _member(member: TeamMember) -> MemberOut:
    return MemberOut(
        lead_id=member.lead_id,
        lead_email=member.lead_email,
        member_id=member.member_id,
        member_email=member.member_email,
        invited_at=member.invited_at.isoformat(),
        accepted_at=member.accepted_at.isoformat() if member.accepted_at else None,
    )


def ask_from(week: TeamWeek, body: RaceWeekIn) -> WeekAsk:

    first = parse.optional_day(body.first_day, "first_day")
    last = parse.optional_day(body.last_day, "last_day")
    event = None
    if body.event:
        day = parse.optional_day(body.event_day, "event_day")
        event = (
            Event(body.event.strip(), day) if day else event_named(week, body.event, first, last)
        )
    clients = tuple(ClientRef.parse(c) for c in body.clients)
    return WeekAsk(event, clients, first, last, body.time_limit_s)


# -- the race week ------------------------------------------------------------------------


@router.get("/race-week/events")
def list_events(week: WeekDep) -> EventsOut:
    """The races your clients run from today on, each with how many of them race it."""
    today = week.clinic.now().date()
    return EventsOut(
        events=[
            EventOut(name=e.name, day=e.day.isoformat(), clients=n)
            for e, n in race_events(week, today)
        ]
    )


@router.post("/race-week")
def plan(week: WeekDep, body: RaceWeekIn) -> RaceWeekOut:
    """Propose a pre-race and a post-race session for every client racing the event (or each
    client chosen) across your team, as many clients as possible at their best-liked times;
    the clients not served, and why."""
    ask = ask_from(week, body)
    proposal = plan_week(week, ask, CpSatRaceWeekSolver(ask.time_limit_s))
    return RaceWeekOut.model_validate(proposal_view(proposal))


@router.post("/race-week/accept")
def accept(week: WeekDep, body: AcceptIn) -> AcceptOut:
    """Book the sessions sent that are yours, each through the booking rules again; the ones
    with another team member stay proposals (they have no consent to your clients)."""
    team = team_ids(week)
    sessions = [parse_session(s.model_dump(), team) for s in body.sessions]
    return AcceptOut.model_validate(accept_view(accept_week(week, sessions)))


@router.put("/race-week/likes")
def set_likes(week: WeekDep, body: LikesIn) -> LikesOut:
    """The times a client likes, which the race week places their sessions at first."""

    ref = ClientRef.parse(body.client)
    preferences = tuple(parse_preference(t) for t in body.likes)
    week.clinic.known(ref)
    week.team.set_preferences(ref, preferences, week.clinic.now())
    return LikesOut(client=str(ref), likes=[preference_text(p) for p in preferences])


# -- the team -----------------------------------------------------------------------------


@router.get("/team")
def get_team(week: WeekDep) -> TeamOut:
    """Your team (the therapists you invited, and whether they accepted) and the teams that
    invited you."""
    return TeamOut(
        members=[_member(m) for m in week.team.members()],
        invitations=[_member(m) for m in week.team.invitations()],
    )


@router.post("/team", status_code=status.HTTP_201_CREATED)
def invite(request: Request, week: WeekDep, body: InviteIn) -> MemberOut:
    """Invite the therapist with this e-mail into your team; they accept to join."""
    return _member(week.team.invite(_therapist_by_email(request, body.email), week.clinic.now()))


@router.delete("/team/{member_id}", status_code=status.HTTP_204_NO_CONTENT)
def remove(week: WeekDep, member_id: str) -> None:
    """Take a member, or an invitation, out of your team."""
    week.team.remove(member_id)


def _therapist_by_email(request: Request, email: str) -> str:
    consents = consents_for(shared_services(request.app.state).store)
    lead_id = consents.therapist_for_email(email)
    if lead_id is None:
        raise NotFound("no therapist account with that e-mail address")
    return lead_id


@router.post("/team/accept")
def accept_invitation(request: Request, week: WeekDep, body: LeadIn) -> MemberOut:
    """Join the team of the therapist who invited you (named by their e-mail)."""
    return _member(
        week.team.accept(_therapist_by_email(request, body.lead_email), week.clinic.now())
    )


@router.post("/team/leave", status_code=status.HTTP_204_NO_CONTENT)
def leave(request: Request, week: WeekDep, body: LeadIn) -> None:
    """Leave a team, or turn its invitation down (the lead named by their e-mail)."""
    week.team.leave(_therapist_by_email(request, body.lead_email))
