"""``GET /api/clinic-notes``: the session notes the logged-in runner's therapists share with
them (server mode), each with every amendment. Only notes on this runner's own sessions, and
only from a therapist who has sharing on for them; a therapist or an admin finds it not there.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from typing_extensions import TypedDict

from rubdown.bootstrap import shared_notes_for
from rubdown.services.clinic.shared_notes import shared_notes_view
from rubdown.web.deps import shared_services
from rubdown.web.responses import ERRORS
from rubdown.web.routes_consent import RunnerId

router = APIRouter(prefix="/api", responses=ERRORS)


class SharedNotesAnswer(TypedDict):
    notes: list[dict[str, Any]]


@router.get("/clinic-notes", tags=["sharing"])
def my_clinic_notes(request: Request, runner: RunnerId) -> SharedNotesAnswer:
    """Notes your therapists share with you, oldest first, each with its amendments."""
    notes = shared_notes_for(shared_services(request.app.state).store)
    return {"notes": shared_notes_view(notes, runner)}
