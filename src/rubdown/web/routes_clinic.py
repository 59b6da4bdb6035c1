"""The clinic's API (server mode, therapists only): the therapist's clients (managed and sharing
runners), the client card, intake and session notes.
"""

from __future__ import annotations

from fastapi import APIRouter

from rubdown.web.responses import ERRORS

router = APIRouter(prefix="/api/clinic", responses=ERRORS, tags=["clinic"])
