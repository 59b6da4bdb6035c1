"""The clinic's pages (server mode, therapists only): the race-week planner and its result table."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
