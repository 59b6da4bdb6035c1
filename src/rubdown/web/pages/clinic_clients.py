"""The clinic's pages (server mode, therapists only): the roster, the client card, the intake form
and session notes.

The pages read through the same use cases as ``/api/clinic`` (``services.clinic.card``), so a
runner who does not share with the therapist, another therapist's client, booking or note all
answer 404 here as there. Changes post to ``/ui/clinic/...`` (with the page's token, as every
HTMX request: ``static/js/rubdown.js``) and answer with the panel to swap in; a refusal comes
back in the API's error shape, which the page shows in one line.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse

from rubdown.domain.clinic.booking_rules import ClientRef
from rubdown.domain.clinic.intake import Answer, Where
from rubdown.domain.clinic.notes import MAX_TEXT_CHARS, NoteBody, Pressure, RegionNote
from rubdown.domain.model import PolicyName, Priority, Race
from rubdown.services import consent
from rubdown.services.clinic import card, records
from rubdown.services.clinic.card import NoteView
from rubdown.web import parse
from rubdown.web.clinic_deps import ClinicDep
from rubdown.web.render import render_clinic_page, render_fragment
from rubdown.web.routes_clinic import TherapistUser, client_opener, known_client
from rubdown.web.routes_consent import ConsentsDep

router = APIRouter(include_in_schema=False)

Text = Annotated[str, Form(max_length=MAX_TEXT_CHARS)]
Short = Annotated[str, Form(max_length=200)]
PRESSURES = [str(p) for p in Pressure]
POLICIES = [str(p) for p in PolicyName]


async def form_of(request: Request) -> dict[str, str]:
    """A form with fields named by the intake's questions (``yes_Q5``, ``regions_Q5``): read
    here, so the route itself runs in the thread pool as every other one."""
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


FormFields = Annotated[dict[str, str], Depends(form_of)]


def _authors(notes: list[NoteView], user_id: str, email: str) -> dict[str, str]:
    """Who wrote each note and amendment, as the page names them."""
    names = {user_id: f"you ({email})"}
    for note in notes:
        for author in [note["author_id"], *(a["author_id"] for a in note["amendments"])]:
            names.setdefault(author, author)
    return names


def _notes_context(
    opened: ClinicDep, user: TherapistUser, ref: ClientRef, notice: str = ""
) -> dict[str, Any]:
    notes = card.client_notes(opened.clinic, ref)
    bookings = [card.booking_view(b) for b in opened.clinic.data.bookings_of(ref)]
    labels = {b["id"]: f"{b['start'][:16].replace('T', ' ')}, {b['kind_label']}" for b in bookings}
    return {
        "client": str(ref),
        "notes": notes,
        "bookings": [b for b in bookings if not b["cancelled"]],
        "booking_labels": labels,
        "authors": _authors(notes, user.id, user.email),
        "pressures": PRESSURES,
        "notice": notice,
        "notes_shared": opened.clinic.data.notes_shared(ref),
    }


def _note_body(
    subjective: str,
    region: str,
    pressure: str,
    findings: str,
    done: str,
    assessment: str,
    advice: str,
) -> NoteBody:
    regions: tuple[RegionNote, ...] = ()
    if region.strip():
        regions = (
            RegionNote(
                parse.region(region), parse.name(Pressure, pressure, "pressure"), findings, done
            ),
        )
    return NoteBody(subjective, regions, assessment, advice)


# -- the roster --------------------------------------------------------------------------------


@router.get("/clinic/clients", response_class=HTMLResponse)
def roster_page(
    request: Request, user: TherapistUser, opened: ClinicDep, consents: ConsentsDep
) -> HTMLResponse:
    grants = consent.clients(consents, user.id)
    entries = card.roster(opened.clinic, grants, client_opener(request, consents, user.id))
    return render_clinic_page(
        request,
        "pages/clinic_clients.html",
        active="clinic-clients",
        title="Clients",
        clients=entries,
        policies=POLICIES,
        notice="",
    )


@router.post("/ui/clinic/clients", response_class=HTMLResponse)
def add_client(
    request: Request,
    user: TherapistUser,
    opened: ClinicDep,
    consents: ConsentsDep,
    name: Short,
    policy: Short = "standard",
    race_name: Short = "",
    race_date: Short = "",
    race_priority: Short = "A",
) -> HTMLResponse:
    races = []
    if race_name.strip() or race_date.strip():
        day = parse.day(race_date, "race date")
        races.append(Race(race_name, day, parse.name(Priority, race_priority, "priority")))
    policy_name = parse.name(PolicyName, policy, "policy")
    added = records.add_client(opened.clinic, name, races=races, policy=policy_name)
    grants = consent.clients(consents, user.id)
    entries = card.roster(opened.clinic, grants, client_opener(request, consents, user.id))
    return render_fragment(
        "fragments/clinic_clients_table.html",
        clients=entries,
        notice=f"Added {added.name}.",
    )


# -- the card ----------------------------------------------------------------------------------


@router.get("/clinic/clients/{client}", response_class=HTMLResponse)
def card_page(
    request: Request, user: TherapistUser, opened: ClinicDep, consents: ConsentsDep, client: str
) -> HTMLResponse:
    ref = ClientRef.parse(client)
    found = card.card(opened.clinic, ref, client_opener(request, consents, user.id))
    return render_clinic_page(
        request,
        "pages/clinic_client.html",
        active="clinic-clients",
        title=found["name"],
        card=found,
        **_notes_context(opened, user, ref),
    )


# -- intake ------------------------------------------------------------------------------------


@router.get("/clinic/clients/{client}/intake", response_class=HTMLResponse)
def intake_page(
    request: Request, user: TherapistUser, opened: ClinicDep, client: str
) -> HTMLResponse:
    ref = known_client(opened, client)
    return render_clinic_page(
        request,
        "pages/clinic_intake.html",
        active="clinic-clients",
        title="Intake",
        client=str(ref),
        questions=card.question_views(opened.clinic.screening),
        intake=card.intake_view(opened.clinic, ref),
    )


@router.post("/ui/clinic/clients/{client}/intake", response_class=HTMLResponse)
def sign_intake(
    user: TherapistUser, opened: ClinicDep, client: str, fields: FormFields
) -> HTMLResponse:
    ref = ClientRef.parse(client)
    answers = []
    for question in opened.clinic.screening.questions:
        yes = fields.get(f"yes_{question.id}") == "true"
        regions = (
            fields.get(f"regions_{question.id}", "") if question.where is not Where.BODY else ""
        )
        answers.append(
            Answer(
                question.id,
                yes,
                parse.regions(regions.split(",")) if yes else (),
                fields.get(f"detail_{question.id}", "")[:MAX_TEXT_CHARS] if yes else "",
            )
        )
    records.sign_intake(
        opened.clinic,
        ref,
        answers,
        fields.get("signed_name", "")[:200],
        consent=fields.get("consent") == "true",
        health_history=fields.get("health_history", "")[:MAX_TEXT_CHARS],
    )
    return render_fragment(
        "fragments/clinic_intake_status.html",
        client=str(ref),
        intake=card.intake_view(opened.clinic, ref),
        notice="Intake signed.",
    )


# -- notes -------------------------------------------------------------------------------------


@router.post("/ui/clinic/bookings/{booking_id}/notes", response_class=HTMLResponse)
def write_note(
    user: TherapistUser,
    opened: ClinicDep,
    booking_id: str,
    subjective: Text = "",
    region: Short = "",
    pressure: Short = "moderate",
    findings: Text = "",
    done: Text = "",
    assessment: Text = "",
    advice: Text = "",
) -> HTMLResponse:
    booking = opened.clinic.data.get_booking(booking_id)
    opened.clinic.known(booking.client)
    body = _note_body(subjective, region, pressure, findings, done, assessment, advice)
    records.write_note(opened.clinic, booking_id, body)
    context = _notes_context(opened, user, booking.client, "Note saved.")
    return render_fragment("fragments/clinic_notes_panel.html", **context)


@router.post("/ui/clinic/notes/{note_id}/amendments", response_class=HTMLResponse)
def amend_note(
    user: TherapistUser,
    opened: ClinicDep,
    note_id: str,
    reason: Short = "",
    subjective: Text = "",
    region: Short = "",
    pressure: Short = "moderate",
    findings: Text = "",
    done: Text = "",
    assessment: Text = "",
    advice: Text = "",
) -> HTMLResponse:
    history = opened.clinic.data.note_history(note_id)
    opened.clinic.known(history.note.client)
    body = _note_body(subjective, region, pressure, findings, done, assessment, advice)
    records.amend_note(opened.clinic, note_id, body, reason)
    context = _notes_context(opened, user, history.note.client, "Amendment saved.")
    return render_fragment("fragments/clinic_notes_panel.html", **context)


@router.post("/ui/clinic/clients/{client}/notes-sharing", response_class=HTMLResponse)
def notes_sharing(
    user: TherapistUser, opened: ClinicDep, client: str, shared: Short = ""
) -> HTMLResponse:
    ref = ClientRef.parse(client)
    allowed = shared == "true"
    records.share_notes(opened.clinic, ref, allowed)
    notice = (
        "The client may now read their session notes."
        if allowed
        else "The client's session notes are kept from them."
    )
    return render_fragment(
        "fragments/clinic_notes_panel.html", **_notes_context(opened, user, ref, notice)
    )
