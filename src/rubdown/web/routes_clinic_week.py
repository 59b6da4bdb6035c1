"""The clinic's API (server mode, therapists only): a team's race week: sessions around one event
for every client racing it, across the team's therapists.
"""

from __future__ import annotations

from fastapi import APIRouter

from rubdown.web.responses import ERRORS

router = APIRouter(prefix="/api/clinic", responses=ERRORS, tags=["clinic"])
