"""The notes a runner's therapists share with them, as the API and the page show them."""

from __future__ import annotations

from typing import Any

from rubdown.domain.clinic.notes import note_body_document
from rubdown.domain.clinic.shared_notes import SharedNote, SharedNotes


def shared_notes_view(notes: SharedNotes, runner_id: str) -> list[dict[str, Any]]:
    return [_note_view(note) for note in notes.shared_with(runner_id)]


def _note_view(shared: SharedNote) -> dict[str, Any]:
    history = shared.history
    return {
        "id": history.note.id,
        "therapist": shared.therapist,
        "session": {
            "start_at": shared.session_start.isoformat() if shared.session_start else None,
            "date": shared.session_start.date().isoformat() if shared.session_start else None,
            "kind": str(shared.session_kind) if shared.session_kind else None,
            "label": shared.session_kind.label if shared.session_kind else None,
        },
        "written_at": history.note.written_at.isoformat(),
        "body": note_body_document(history.note.body),
        # Every change, oldest first, with its reason: nothing the therapist changed is hidden.
        "amendments": [
            {
                "written_at": a.written_at.isoformat(),
                "reason": a.reason,
                "body": note_body_document(a.body),
            }
            for a in history.amendments
        ],
        "current": note_body_document(history.current),
    }
