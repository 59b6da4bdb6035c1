"""The request bodies of the clinic's clients, intake and notes (``web.routes_clinic``), as
Pydantic models so ``/openapi.json`` documents them; names and dates are read by the domain's
own parsers, as everywhere else (``web.models``)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from rubdown.domain.clinic.notes import MAX_TEXT_CHARS, Pressure
from rubdown.domain.model import PolicyName
from rubdown.web.fields import NAME_MAX, choice
from rubdown.web.models import MAX_ITEMS, Body, ConditionName, Name, RaceIn, RegionName, Regions

NoteText = Annotated[str, Field(max_length=MAX_TEXT_CHARS)]
Reason = Annotated[str, Field(min_length=1, max_length=500)]


class ManagedClientIn(Body):
    name: Name
    policy: str = choice(PolicyName, examples=["standard"], default="standard")
    conditions: list[ConditionName] = Field(default=[], max_length=MAX_ITEMS)
    races: list[RaceIn] = Field(default=[], max_length=MAX_ITEMS)


class ManagedClientChanges(Body):
    """Only the fields given change; ``races`` replaces every race."""

    name: Name | None = None
    policy: str | None = choice(PolicyName, optional=True, examples=["cautious"])
    conditions: list[ConditionName] | None = Field(default=None, max_length=MAX_ITEMS)
    races: list[RaceIn] | None = Field(default=None, max_length=MAX_ITEMS)


class AnswerIn(Body):
    question_id: str = Field(min_length=1, max_length=NAME_MAX, examples=["Q1"])
    yes: bool
    regions: Regions = Field(default=[], description="where, for a question asked of a region")
    detail: NoteText = ""


class IntakeIn(Body):
    """Every question of ``GET /api/clinic/screening`` answered once, and the form signed."""

    answers: list[AnswerIn] = Field(max_length=MAX_ITEMS)
    signed_name: Name
    consent: bool = Field(description="the client consents to treatment")
    health_history: NoteText = ""


class RegionNoteIn(Body):
    region: RegionName
    pressure: str = choice(Pressure, examples=["firm"])
    findings: NoteText = ""
    done: NoteText = ""


class NoteIn(Body):
    """A session note, SOAP-style: what the client said, per region what was found and done,
    the assessment and the advice given."""

    subjective: NoteText = ""
    regions: list[RegionNoteIn] = Field(default=[], max_length=MAX_ITEMS)
    assessment: NoteText = ""
    advice: NoteText = ""


class AmendmentIn(NoteIn):
    """The note's whole new text, and why it changes; the original stays readable."""

    reason: Reason


class NotesSharingIn(Body):
    shared: bool = Field(description="whether the client may read their session notes")
