"""JSON API routes behind the checkin page."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api")
