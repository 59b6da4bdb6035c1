"""The clinic's pages (server mode, therapists only): the therapist's day and week calendar,
booking and rebooking.
"""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
