"""Session notes a therapist shares with their runner client, as the runner reads them.

A note is the therapist's record; the runner sees it only while that therapist has sharing
on for them (``ClinicData.notes_shared``), and then with every amendment, oldest first, so
nothing a therapist changed is hidden. Turning sharing off hides them all again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from rubdown.domain.clinic.notes import NoteHistory
from rubdown.domain.model import SessionKind


@dataclass(frozen=True)
class SharedNote:
    therapist: str  # how the therapist is named to the runner (their account's email)
    history: NoteHistory
    session_start: dt.datetime | None  # the booking's start, None if it is gone
    session_kind: SessionKind | None


class SharedNotes(Protocol):
    def shared_with(self, runner_id: str) -> list[SharedNote]:
        """The notes on ``runner_id``'s sessions whose therapist shares them, by time."""
        ...
