"""Managed clients, the menu, the therapist's rules, intake forms and session notes.

Session notes are append-only: ``amend_note`` adds an amendment with who, when and why; the
original and every earlier amendment stay readable (``NoteHistory``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from rubdown.domain.clinic.booking_rules import ClientRef, ManagedClient, TherapistRules
from rubdown.domain.clinic.intake import Answer, Intake, make_intake
from rubdown.domain.clinic.notes import Amendment, NoteBody, NoteHistory, SessionNote
from rubdown.domain.clinic.services_menu import Service
from rubdown.domain.dates import out_of_range
from rubdown.domain.model import Condition, PolicyName, Race
from rubdown.errors import InvalidDate, InvalidValue
from rubdown.services.clinic.context import Clinic, zone

MAX_NAME_CHARS = 200


def _name(text: str, what: str) -> str:
    cleaned = " ".join(text.split())
    if not cleaned:
        raise InvalidValue(f"give the {what}'s name")
    if len(cleaned) > MAX_NAME_CHARS:
        raise InvalidValue(f"a name holds at most {MAX_NAME_CHARS} characters")
    return cleaned


def _races(races: Iterable[Race]) -> tuple[Race, ...]:
    checked = []
    for race in races:
        problem = out_of_range(race.day, "race date")
        if problem:
            raise InvalidDate(problem)
        checked.append(replace(race, name=_name(race.name, "race")))
    return tuple(sorted(checked, key=lambda r: (r.day, r.name)))


# -- managed clients ---------------------------------------------------------------------------


def add_client(
    clinic: Clinic,
    name: str,
    *,
    races: Sequence[Race] = (),
    conditions: Iterable[Condition] = (),
    policy: PolicyName = PolicyName.STANDARD,
) -> ManagedClient:
    client = ManagedClient(_name(name, "client"), _races(races), frozenset(conditions), policy)
    return clinic.data.add_client(client)


def change_client(
    clinic: Clinic,
    client_id: str,
    *,
    name: str | None = None,
    races: Sequence[Race] | None = None,
    conditions: Iterable[Condition] | None = None,
    policy: PolicyName | None = None,
) -> ManagedClient:
    client = clinic.data.get_client(client_id)
    changed = replace(
        client,
        name=client.name if name is None else _name(name, "client"),
        races=client.races if races is None else _races(races),
        conditions=client.conditions if conditions is None else frozenset(conditions),
        policy=client.policy if policy is None else policy,
    )
    return clinic.data.update_client(changed)


# -- the menu and the rules --------------------------------------------------------------------


def add_service(clinic: Clinic, service: Service) -> Service:
    return clinic.data.add_service(replace(service, name=" ".join(service.name.split())))


def save_rules(clinic: Clinic, rules: TherapistRules) -> TherapistRules:
    zone(rules.timezone)  # an unknown zone is refused before it is stored
    clinic.data.save_therapist_rules(rules)
    return rules


# -- intake ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IntakeStatus:
    intake: Intake | None
    valid: bool

    @property
    def line(self) -> str:
        if self.intake is None:
            return "no intake on file"
        if self.valid:
            return f"intake valid until {self.intake.expires_at:%Y-%m-%d}"
        return f"intake ran out on {self.intake.expires_at:%Y-%m-%d}: ask for a new one"


def sign_intake(
    clinic: Clinic,
    client: ClientRef,
    answers: Sequence[Answer],
    signed_name: str,
    *,
    consent: bool,
    health_history: str = "",
) -> Intake:
    """Store the client's signed form, dated now; it holds for a year."""
    clinic.known(client)
    intake = make_intake(
        clinic.screening,
        client,
        answers,
        signed_name,
        clinic.now(),
        consent=consent,
        health_history=health_history,
    )
    return clinic.data.add_intake(intake)


def intake_status(clinic: Clinic, client: ClientRef, at: dt.datetime | None = None) -> IntakeStatus:
    intake = clinic.data.latest_intake(client)
    moment = at or clinic.now()
    return IntakeStatus(intake, intake is not None and intake.valid_at(moment))


# -- session notes -----------------------------------------------------------------------------


def write_note(clinic: Clinic, booking_id: str, body: NoteBody) -> SessionNote:
    """A note on a session that was booked (and not cancelled), by the therapist, dated now."""
    booking = clinic.data.get_booking(booking_id)
    if not booking.active:
        raise InvalidValue("that session was cancelled: there is nothing to note")
    note = SessionNote(booking.id, booking.client, clinic.therapist_id, clinic.now(), body)
    return clinic.data.add_note(note)


def amend_note(clinic: Clinic, note_id: str, body: NoteBody, reason: str) -> NoteHistory:
    """Correct a note by appending an amendment; the original stays as it was written."""
    clinic.data.note_history(note_id)  # NotFound for another therapist's note or none
    amendment = Amendment(
        note_id, clinic.therapist_id, clinic.now(), " ".join(reason.split()), body
    )
    clinic.data.add_amendment(amendment)
    return clinic.data.note_history(note_id)


def share_notes(clinic: Clinic, client: ClientRef, allowed: bool) -> None:
    """Record whether the client lets their session notes be shared with them."""
    clinic.known(client)
    clinic.data.set_notes_shared(client, allowed)


def notes_for_client(clinic: Clinic, client: ClientRef) -> list[NoteHistory]:
    """What the client may read of their notes: all of them when they allow it, else none."""
    if not clinic.data.notes_shared(client):
        return []
    return clinic.data.notes_of_client(client)
