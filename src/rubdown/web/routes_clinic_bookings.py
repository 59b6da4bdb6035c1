"""The clinic's API (server mode, therapists only): the therapist's menu, booking rules and hours,
bookings checked against each client's rules, cancellations and the waitlist.
"""

from __future__ import annotations

from fastapi import APIRouter

from rubdown.web.responses import ERRORS

router = APIRouter(prefix="/api/clinic", responses=ERRORS, tags=["clinic"])
