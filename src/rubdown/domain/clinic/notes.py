"""Session notes, SOAP-style, on the body-map regions, and append-only.

A note records one session: what the client said (subjective), per region the pressure used,
what the therapist found and did (objective), the therapist's assessment, and the advice
given (plan). Once written it is never changed: a correction is an ``Amendment`` with its
author, moment and reason, which carries the note's whole new text; the original and every
amendment stay readable, newest last. Whether the client reads them is the client's choice
(``notes_shared``), not the note's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import TypedDict

from rubdown.domain.clinic.booking_rules import ClientRef
from rubdown.domain.regions import Region, parse_region
from rubdown.errors import InvalidValue

MAX_TEXT_CHARS = 4000


class Pressure(StrEnum):
    LIGHT = "light"
    MODERATE = "moderate"
    FIRM = "firm"
    DEEP = "deep"


@dataclass(frozen=True)
class RegionNote:
    region: Region
    pressure: Pressure
    findings: str = ""
    done: str = ""


@dataclass(frozen=True)
class NoteBody:
    subjective: str = ""  # what the client reported
    regions: tuple[RegionNote, ...] = ()  # objective: per region, pressure, findings, work
    assessment: str = ""
    advice: str = ""  # plan: what the client was advised

    def __post_init__(self) -> None:
        texts = [self.subjective, self.assessment, self.advice]
        texts += [t for r in self.regions for t in (r.findings, r.done)]
        if not any(t.strip() for t in texts) and not self.regions:
            raise InvalidValue("a note needs something written in it")
        if any(len(t) > MAX_TEXT_CHARS for t in texts):
            raise InvalidValue(f"a field of a note holds at most {MAX_TEXT_CHARS} characters")
        seen = [str(r.region) for r in self.regions]
        if len(seen) != len(set(seen)):
            raise InvalidValue("a note names each region once")


@dataclass(frozen=True)
class SessionNote:
    booking_id: str
    client: ClientRef
    author_id: str
    written_at: dt.datetime
    body: NoteBody
    id: str = ""


@dataclass(frozen=True)
class Amendment:
    note_id: str
    author_id: str
    written_at: dt.datetime
    reason: str
    body: NoteBody
    id: str = ""

    def __post_init__(self) -> None:
        if not self.reason.strip():
            raise InvalidValue("an amendment needs a reason")


@dataclass(frozen=True)
class NoteHistory:
    """A note as first written and every amendment after it, oldest first."""

    note: SessionNote
    amendments: tuple[Amendment, ...] = ()

    @property
    def current(self) -> NoteBody:
        return self.amendments[-1].body if self.amendments else self.note.body

    @property
    def amended(self) -> bool:
        return bool(self.amendments)


class RegionNoteDocument(TypedDict):
    region: str
    pressure: str
    findings: str
    done: str


class NoteBodyDocument(TypedDict):
    subjective: str
    regions: list[RegionNoteDocument]
    assessment: str
    advice: str


def note_body_document(body: NoteBody) -> NoteBodyDocument:
    """A note's text as plain data: what the store keeps and what the API and CLI show."""
    return {
        "subjective": body.subjective,
        "regions": [
            {
                "region": str(r.region),
                "pressure": str(r.pressure),
                "findings": r.findings,
                "done": r.done,
            }
            for r in body.regions
        ],
        "assessment": body.assessment,
        "advice": body.advice,
    }


def note_body_from_document(document: NoteBodyDocument) -> NoteBody:
    return NoteBody(
        subjective=document["subjective"],
        regions=tuple(
            RegionNote(parse_region(r["region"]), Pressure(r["pressure"]), r["findings"], r["done"])
            for r in document["regions"]
        ),
        assessment=document["assessment"],
        advice=document["advice"],
    )
