"""The clinic's pages (server mode, therapists only): the roster, the client card, the intake form
and session notes.
"""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
