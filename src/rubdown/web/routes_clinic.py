"""The clinic's API (server mode, therapists only): the therapist's clients (managed and sharing
runners), the client card, intake and session notes.

A client in a path is ``managed:ID`` or ``runner:ID``. Every route answers only for the
logged-in therapist's own clinic: another therapist's client, booking or note, and a runner
who does not share with them now (never did, or revoked), answer 404 as one that does not
exist. A runner client's data is read through their grant and logged in their access log.
Notes are append-only: there is no route to change or remove one, only to amend it.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, status
from typing_extensions import TypedDict

from rubdown.bootstrap import TherapistClinic
from rubdown.domain.accounts import User
from rubdown.domain.clinic.booking_rules import ClientKind, ClientRef
from rubdown.domain.clinic.intake import Answer
from rubdown.domain.clinic.notes import NoteBody, Pressure, RegionNote
from rubdown.domain.consent import Consents
from rubdown.domain.model import Condition, PolicyName, Priority, Race
from rubdown.errors import InvalidValue
from rubdown.services import consent
from rubdown.services.clinic import card, records
from rubdown.services.clinic.card import OpenClient
from rubdown.services.runner import Runner
from rubdown.web import parse
from rubdown.web.clinic_deps import ClinicDep
from rubdown.web.deps import shared_services
from rubdown.web.models import RaceIn
from rubdown.web.models_clinic_clients import (
    AmendmentIn,
    IntakeIn,
    ManagedClientChanges,
    ManagedClientIn,
    NoteIn,
    NotesSharingIn,
)
from rubdown.web.responses import ERRORS
from rubdown.web.routes_clients import therapist
from rubdown.web.routes_consent import ConsentsDep

router = APIRouter(prefix="/api/clinic", responses=ERRORS, tags=["clinic"])

TherapistUser = Annotated[User, Depends(therapist)]


class RosterAnswer(TypedDict):
    clients: list[card.RosterEntryView]


class ScreeningAnswer(TypedDict):
    questions: list[card.QuestionView]


class NotesAnswer(TypedDict):
    notes: list[card.NoteView]


class NotesSharingAnswer(TypedDict):
    client: str
    notes_shared: bool


def client_opener(request: Request, consents: Consents, therapist_id: str) -> OpenClient:
    """How a runner client is read: through their grant, read afresh, each level logged with
    this request in their access log."""
    services = shared_services(request.app.state)
    what = f"{request.method} {request.url.path}"

    def open_client(runner_id: str) -> Runner:
        return consent.client_runner(consents, therapist_id, runner_id, what, services.app)

    return open_client


def known_client(opened: TherapistClinic, text: str) -> ClientRef:
    """The client a path names, once it is the therapist's (``NotFound`` otherwise)."""
    ref = ClientRef.parse(text)
    opened.clinic.known(ref)
    return ref


def races_of(given: list[RaceIn]) -> list[Race]:
    return [
        Race(
            r.name,
            parse.day(r.date),
            parse.name(Priority, r.priority, "priority"),
            r.distance_km,
            parse.clock(r.start) if r.start else None,
        )
        for r in given
    ]


def note_body(body: NoteIn) -> NoteBody:
    regions = tuple(
        RegionNote(
            parse.region(r.region),
            parse.name(Pressure, r.pressure, "pressure"),
            r.findings,
            r.done,
        )
        for r in body.regions
    )
    return NoteBody(body.subjective, regions, body.assessment, body.advice)


# -- clients -----------------------------------------------------------------------------------


@router.get("/clients")
def list_clients(
    request: Request, user: TherapistUser, opened: ClinicDep, consents: ConsentsDep
) -> RosterAnswer:
    """Your managed clients, then the runners who share with you now: each with the next
    race and whether their intake is valid, expired or missing."""
    grants = consent.clients(consents, user.id)
    opener = client_opener(request, consents, user.id)
    return {"clients": card.roster(opened.clinic, grants, opener)}


@router.post("/clients", status_code=status.HTTP_201_CREATED)
def add_client(opened: ClinicDep, body: ManagedClientIn) -> card.RosterEntryView:
    """Add a client who does not use rubdown: their races are the dates their bookings are
    checked against, under their policy."""
    added = records.add_client(
        opened.clinic,
        body.name,
        races=races_of(body.races),
        conditions=[parse.name(Condition, c, "condition") for c in body.conditions],
        policy=parse.name(PolicyName, body.policy, "policy"),
    )
    return card.managed_entry(opened.clinic, added)


@router.patch("/clients/{client}")
def change_client(
    opened: ClinicDep, client: str, body: ManagedClientChanges
) -> card.RosterEntryView:
    """Change a managed client's name, policy, conditions or races (the fields given)."""
    ref = ClientRef.parse(client)
    if ref.kind is not ClientKind.MANAGED:
        raise InvalidValue("only a client you entered (managed:ID) is changed here")
    changed = records.change_client(
        opened.clinic,
        ref.id,
        name=body.name,
        races=None if body.races is None else races_of(body.races),
        conditions=None
        if body.conditions is None
        else [parse.name(Condition, c, "condition") for c in body.conditions],
        policy=parse.optional_name(PolicyName, body.policy, "policy"),
    )
    return card.managed_entry(opened.clinic, changed)


@router.get("/clients/{client}")
def client_card(
    request: Request, user: TherapistUser, opened: ClinicDep, consents: ConsentsDep, client: str
) -> card.CardView:
    """The client's card: red flags and warning signs first (a runner's from their shared
    check-ins; said when not shared), upcoming races, policy, open injuries, sessions booked,
    fitness, fatigue and form when training is shared, the intake and the notes."""
    ref = ClientRef.parse(client)
    return card.card(opened.clinic, ref, client_opener(request, consents, user.id))


# -- intake ------------------------------------------------------------------------------------


@router.get("/screening")
def screening(opened: ClinicDep) -> ScreeningAnswer:
    """The intake's questions, each with what a yes blocks and its sources."""
    return {"questions": card.question_views(opened.clinic.screening)}


@router.post("/clients/{client}/intake", status_code=status.HTTP_201_CREATED)
def sign_intake(opened: ClinicDep, client: str, body: IntakeIn) -> card.IntakeView:
    """Sign the client's intake, dated now and valid for a year; the answer says which kinds
    of massage it blocks."""
    ref = ClientRef.parse(client)
    answers = [
        Answer(a.question_id.strip().upper(), a.yes, parse.regions(a.regions), a.detail)
        for a in body.answers
    ]
    records.sign_intake(
        opened.clinic,
        ref,
        answers,
        body.signed_name,
        consent=body.consent,
        health_history=body.health_history,
    )
    return card.intake_view(opened.clinic, ref)


@router.get("/clients/{client}/intake")
def intake(opened: ClinicDep, client: str) -> card.IntakeView:
    """Whether the client's intake is valid, expired (a year after signing) or missing, and
    what it blocks."""
    return card.intake_view(opened.clinic, known_client(opened, client))


# -- notes -------------------------------------------------------------------------------------


@router.post("/bookings/{booking_id}/notes", status_code=status.HTTP_201_CREATED)
def write_note(opened: ClinicDep, booking_id: str, body: NoteIn) -> card.NoteView:
    """Write the note of one of your sessions; once written it is only ever amended."""
    booking = opened.clinic.data.get_booking(booking_id)
    opened.clinic.known(booking.client)
    note = records.write_note(opened.clinic, booking_id, note_body(body))
    return card.note_view(opened.clinic.data.note_history(note.id))


@router.post("/notes/{note_id}/amendments", status_code=status.HTTP_201_CREATED)
def amend_note(opened: ClinicDep, note_id: str, body: AmendmentIn) -> card.NoteView:
    """Amend a note with its whole new text and a reason; the original and every earlier
    amendment stay readable, with who and when."""
    history = opened.clinic.data.note_history(note_id)
    opened.clinic.known(history.note.client)
    amended = records.amend_note(opened.clinic, note_id, note_body(body), body.reason)
    return card.note_view(amended)


@router.get("/bookings/{booking_id}/notes")
def booking_notes(opened: ClinicDep, booking_id: str) -> NotesAnswer:
    """The notes of one of your sessions, each with its amendments."""
    return {"notes": card.booking_notes(opened.clinic, booking_id)}


@router.get("/clients/{client}/notes")
def client_notes(opened: ClinicDep, client: str) -> NotesAnswer:
    """Every note you wrote of the client, oldest first, each with its amendments."""
    return {"notes": card.client_notes(opened.clinic, ClientRef.parse(client))}


@router.put("/clients/{client}/notes-sharing")
def notes_sharing(opened: ClinicDep, client: str, body: NotesSharingIn) -> NotesSharingAnswer:
    """Record whether the client lets their session notes be shared with them."""
    ref = ClientRef.parse(client)
    records.share_notes(opened.clinic, ref, body.shared)
    return {"client": str(ref), "notes_shared": opened.clinic.data.notes_shared(ref)}
