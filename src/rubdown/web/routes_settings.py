"""JSON API routes behind the settings page."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api")
