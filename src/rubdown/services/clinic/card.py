"""What a therapist reads of their clients: the roster and one client's card, with the intake's
status and the session notes, as views the API answers and the pages lay out.

A runner client is read only through their grant (``services.consent.client_runner``): the
caller opens the ``Runner`` once the grant is found, and each level read here is logged in the
runner's access log; a level not shared is said on the card ("not shared"), never guessed. A
managed client has what the therapist entered: races, conditions, policy, intake.

Safety comes first on the card, as on every runner page: the red flags and warning signs of a
runner's shared check-ins (``services.alerts``), then what their intake answers yes to.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass

from typing_extensions import TypedDict

from rubdown.domain.clinic.booking_rules import Booking, ClientKind, ClientRef, ManagedClient
from rubdown.domain.clinic.intake import Intake, Screening, screen
from rubdown.domain.clinic.notes import (
    Amendment,
    NoteBody,
    NoteHistory,
    note_body_document,
)
from rubdown.domain.consent import Grant, GrantedRunnerData
from rubdown.domain.model import Profile, Race, SessionKind
from rubdown.errors import NotFound
from rubdown.services import views
from rubdown.services.alerts import alerts_view, standing_alerts
from rubdown.services.clinic.context import Clinic, zone
from rubdown.services.clinic.records import intake_status
from rubdown.services.runner import Runner

# The card shows the last few sessions and everything booked ahead.
RECENT_BOOKINGS = 5

OpenClient = Callable[[str], Runner]  # a runner client's data through their grant, by runner ID


# -- views -------------------------------------------------------------------------------------


# A note's text as ``domain.clinic.notes.note_body_document`` gives it; the same shape again
# here because the API's schema needs typing_extensions' TypedDict on this Python.
class RegionNoteView(TypedDict):
    region: str
    pressure: str
    findings: str
    done: str


class NoteBodyView(TypedDict):
    subjective: str
    regions: list[RegionNoteView]
    assessment: str
    advice: str


class BlockView(TypedDict):
    kind: str
    message: str


class IntakeAnswerView(TypedDict):
    question_id: str
    title: str
    yes: bool
    effect: str
    regions: list[str]
    detail: str


class IntakeView(TypedDict):
    client: str
    status: str  # "valid", "expired" or "missing"
    line: str
    id: str | None
    signed_name: str | None
    signed_at: str | None
    expires_at: str | None
    health_history: str
    answers: list[IntakeAnswerView]
    blocks: list[BlockView]  # kinds a whole-body session of is refused by the intake
    warnings: list[str]


class QuestionView(TypedDict):
    id: str
    title: str
    asks: str
    effect: str
    reach: str
    where: str  # "body", "region" or "leg": whether a yes must name regions
    why: str
    sources: list[str]


class AmendmentView(TypedDict):
    id: str
    author_id: str
    written_at: str
    reason: str
    body: NoteBodyView


class NoteView(TypedDict):
    id: str
    booking_id: str
    client: str
    author_id: str
    written_at: str
    original: NoteBodyView
    amendments: list[AmendmentView]
    current: NoteBodyView
    amended: bool


class ClinicBookingView(TypedDict):
    id: str
    service_id: str
    kind: str
    kind_label: str
    start: str
    length_min: int
    regions: list[str]
    cancelled: bool


class SafetyView(TypedDict):
    checked: bool  # whether the runner's check-ins could be read
    message: str
    alerts: list[views.AlertView]
    intake_flags: list[IntakeAnswerView]  # the intake's yes answers


class RosterEntryView(TypedDict):
    client: str
    kind: str
    id: str
    name: str
    email: str | None
    next_race: views.RaceView | None
    intake: str  # "valid", "expired" or "missing"
    intake_line: str
    shares: list[str]  # the levels a runner shares; empty for a managed client


class CardView(TypedDict):
    client: str
    kind: str
    id: str
    name: str
    safety: SafetyView
    races: list[views.RaceView]  # upcoming
    races_shared: bool
    policy: str
    conditions: list[str]
    injuries: list[views.InjuryView]  # open ones
    injuries_shared: bool
    bookings: list[ClinicBookingView]
    fitness: views.FitnessView | None
    training_shared: bool
    intake: IntakeView
    notes: list[NoteView]
    notes_shared_with_client: bool


def _body_view(body: NoteBody) -> NoteBodyView:
    return note_body_document(body)


def _amendment_view(amendment: Amendment) -> AmendmentView:
    return {
        "id": amendment.id,
        "author_id": amendment.author_id,
        "written_at": amendment.written_at.isoformat(),
        "reason": amendment.reason,
        "body": _body_view(amendment.body),
    }


def note_view(history: NoteHistory) -> NoteView:
    note = history.note
    return {
        "id": note.id,
        "booking_id": note.booking_id,
        "client": str(note.client),
        "author_id": note.author_id,
        "written_at": note.written_at.isoformat(),
        "original": _body_view(note.body),
        "amendments": [_amendment_view(a) for a in history.amendments],
        "current": _body_view(history.current),
        "amended": history.amended,
    }


def booking_view(booking: Booking) -> ClinicBookingView:
    return {
        "id": booking.id,
        "service_id": booking.service_id,
        "kind": str(booking.kind),
        "kind_label": booking.kind.label,
        "start": booking.start.isoformat(),
        "length_min": booking.length_min,
        "regions": [str(r) for r in booking.regions],
        "cancelled": not booking.active,
    }


def question_views(screening: Screening) -> list[QuestionView]:
    return [
        {
            "id": q.id,
            "title": q.title,
            "asks": q.asks,
            "effect": str(q.effect),
            "reach": str(q.reach),
            "where": str(q.where),
            "why": q.why,
            "sources": [screening.sources[key].url for key in q.sources],
        }
        for q in screening.questions
    ]


# -- intake ------------------------------------------------------------------------------------


def _answer_views(intake: Intake, screening: Screening) -> list[IntakeAnswerView]:
    found: list[IntakeAnswerView] = []
    for answer in intake.answers:
        question = screening.question(answer.question_id)
        found.append(
            {
                "question_id": question.id,
                "title": question.title,
                "yes": answer.yes,
                "effect": str(question.effect),
                "regions": [str(r) for r in answer.regions],
                "detail": answer.detail,
            }
        )
    return found


def intake_view(clinic: Clinic, client: ClientRef) -> IntakeView:
    """The client's latest intake: valid, expired (a year after signing) or missing, and
    which kinds of massage its answers refuse on the whole body."""
    status = intake_status(clinic, client)
    intake = status.intake
    state = "missing" if intake is None else "valid" if status.valid else "expired"
    blocks: list[BlockView] = []
    warnings: list[str] = []
    if intake is not None:
        for kind in SessionKind:
            if not kind.is_professional:
                continue
            for finding in screen(intake, clinic.screening, kind):
                if finding.forbids:
                    blocks.append({"kind": str(kind), "message": finding.message})
                elif finding.message not in warnings:
                    warnings.append(finding.message)
    return {
        "client": str(client),
        "status": state,
        "line": status.line,
        "id": intake.id if intake else None,
        "signed_name": intake.signed_name if intake else None,
        "signed_at": intake.signed_at.isoformat() if intake else None,
        "expires_at": intake.expires_at.isoformat() if intake else None,
        "health_history": intake.health_history if intake else "",
        "answers": _answer_views(intake, clinic.screening) if intake else [],
        "blocks": blocks,
        "warnings": warnings,
    }


# -- the roster --------------------------------------------------------------------------------


def _next_race(races: Sequence[Race], today: dt.date) -> Race | None:
    return next((r for r in sorted(races, key=lambda r: r.day) if r.day >= today), None)


def _today(clinic: Clinic) -> dt.date:
    return clinic.now().astimezone(zone(clinic.data.therapist_rules().timezone)).date()


def _runner_name(client: Runner, email: str | None) -> str:
    """The name the runner gave their profile, else their e-mail address."""
    profile = client.data.get_profile()
    if profile is not None and profile.name.strip() and profile.name != Profile().name:
        return profile.name
    return email or client.owner_id


def roster(
    clinic: Clinic, grants: Sequence[Grant], open_client: OpenClient
) -> list[RosterEntryView]:
    """The managed clients, then the runners who share with the therapist now (``grants``,
    the therapist's active ones), each by name."""
    today = _today(clinic)
    entries: list[RosterEntryView] = []
    for managed in clinic.data.list_clients():
        entries.append(_entry(clinic, managed.ref, managed.name, None, managed.races, today, []))
    runners: list[RosterEntryView] = []
    for grant in grants:
        ref = ClientRef(ClientKind.RUNNER, grant.runner_id)
        client = open_client(grant.runner_id)
        races: list[Race] = []
        with suppress(NotFound):  # the calendar not shared: no next race to show
            races = client.data.list_races()
        shares = sorted(str(level) for level in grant.levels)
        name = _runner_name(client, grant.runner_email)
        runners.append(_entry(clinic, ref, name, grant.runner_email, races, today, shares))
    runners.sort(key=lambda e: e["name"].lower())
    return entries + runners


def managed_entry(clinic: Clinic, client: ManagedClient) -> RosterEntryView:
    """One managed client as the roster lists them."""
    return _entry(clinic, client.ref, client.name, None, client.races, _today(clinic), [])


def _entry(
    clinic: Clinic,
    ref: ClientRef,
    name: str,
    email: str | None,
    races: Sequence[Race],
    today: dt.date,
    shares: list[str],
) -> RosterEntryView:
    status = intake_status(clinic, ref)
    race = _next_race(races, today)
    return {
        "client": str(ref),
        "kind": str(ref.kind),
        "id": ref.id,
        "name": name,
        "email": email,
        "next_race": views.race_view(race) if race else None,
        "intake": "missing" if status.intake is None else "valid" if status.valid else "expired",
        "intake_line": status.line,
        "shares": shares,
    }


# -- the card ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Known:
    """What the card knows of a client, whichever kind."""

    name: str
    safety: SafetyView
    races: list[Race]
    races_shared: bool
    policy: str
    conditions: list[str]
    injuries: list[views.InjuryView]
    injuries_shared: bool
    fitness: views.FitnessView | None
    training_shared: bool


def card(clinic: Clinic, client: ClientRef, open_client: OpenClient) -> CardView:
    """One client's card; ``NotFound`` for a client who is not the therapist's (a managed
    client of another therapist, a runner who does not share with them now)."""
    clinic.known(client)
    today = _today(clinic)
    intake = intake_view(clinic, client)
    if client.kind is ClientKind.MANAGED:
        known = _managed(clinic.data.get_client(client.id))
    else:
        known = _runner(open_client(client.id))
    flags = [a for a in intake["answers"] if a["yes"]]
    safety: SafetyView = {**known.safety, "intake_flags": flags}
    bookings = clinic.data.bookings_of(client)
    now = clinic.now()
    past = [b for b in bookings if b.start < now][-RECENT_BOOKINGS:]
    ahead = [b for b in bookings if b.start >= now]
    return {
        "client": str(client),
        "kind": str(client.kind),
        "id": client.id,
        "name": known.name,
        "safety": safety,
        "races": [
            views.race_view(r) for r in sorted(known.races, key=lambda r: r.day) if r.day >= today
        ],
        "races_shared": known.races_shared,
        "policy": known.policy,
        "conditions": known.conditions,
        "injuries": known.injuries,
        "injuries_shared": known.injuries_shared,
        "bookings": [booking_view(b) for b in [*past, *ahead]],
        "fitness": known.fitness,
        "training_shared": known.training_shared,
        "intake": intake,
        "notes": [note_view(h) for h in clinic.data.notes_of_client(client)],
        "notes_shared_with_client": clinic.data.notes_shared(client),
    }


def _managed(client: ManagedClient) -> _Known:
    safety: SafetyView = {
        "checked": False,
        "message": (
            "a client you entered keeps no check-ins here: ask about red flags and warning "
            "signs before each session; their intake's answers are below"
        ),
        "alerts": [],
        "intake_flags": [],
    }
    return _Known(
        name=client.name,
        safety=safety,
        races=list(client.races),
        races_shared=True,
        policy=str(client.policy),
        conditions=sorted(str(c) for c in client.conditions),
        injuries=[],
        injuries_shared=True,
        fitness=None,
        training_shared=False,
    )


def _runner(client: Runner) -> _Known:
    data = client.data
    profile = data.get_profile()
    grant = data.grant if isinstance(data, GrantedRunnerData) else None
    name = _runner_name(client, grant.runner_email if grant else None)
    try:
        alerts = alerts_view(standing_alerts(client))
        safety: SafetyView = {
            "checked": True,
            "message": "no red flags or warning signs in their check-ins"
            if not alerts
            else "red flags and warning signs from their check-ins",
            "alerts": alerts,
            "intake_flags": [],
        }
        injuries = [views.injury_view(e) for e in data.list_injuries() if e.end is None]
        injuries_shared = True
    except NotFound:
        safety = {
            "checked": False,
            "message": (
                "this client does not share their check-ins (wellness), so red flags and "
                "warning signs could not be checked: ask about them before the session"
            ),
            "alerts": [],
            "intake_flags": [],
        }
        injuries, injuries_shared = [], False
    races: list[Race] = []
    races_shared = True
    try:
        races = data.list_races()
    except NotFound:
        races_shared = False
    fitness: views.FitnessView | None = None
    training_shared = True
    try:
        from rubdown.services.load_series import daily_series

        series = daily_series(client, None, None)
        last = series.days[-1] if series.days else None
        if last is not None:
            fitness = {
                "load": round(last.load, 1),
                "ctl": round(last.ctl, 1),
                "atl": round(last.atl, 1),
                "tsb": round(last.tsb, 1),
            }
    except NotFound:
        training_shared = False
    policy = str(profile.policy) if profile is not None else "standard"
    conditions = sorted(str(c) for c in profile.conditions) if profile is not None else []
    return _Known(
        name=name,
        safety=safety,
        races=races,
        races_shared=races_shared,
        policy=policy,
        conditions=conditions,
        injuries=injuries,
        injuries_shared=injuries_shared,
        fitness=fitness,
        training_shared=training_shared,
    )


# -- notes -------------------------------------------------------------------------------------


def booking_notes(clinic: Clinic, booking_id: str) -> list[NoteView]:
    """The notes of one of the therapist's sessions, each with its amendments; a runner's
    only while they share with the therapist."""
    booking = clinic.data.get_booking(booking_id)
    clinic.known(booking.client)
    return [note_view(h) for h in clinic.data.notes_of(booking_id)]


def client_notes(clinic: Clinic, client: ClientRef) -> list[NoteView]:
    """Every note the therapist wrote of the client, oldest first."""
    clinic.known(client)
    return [note_view(h) for h in clinic.data.notes_of_client(client)]
