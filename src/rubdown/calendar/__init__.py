"""The calendar adapter: a plan out as RFC 5545 (``.ics``), races and workouts in."""

from rubdown.calendar.conventions import race_uid, rest_day_uid, session_uid
from rubdown.calendar.ics_export import export_ics
from rubdown.calendar.ics_import import CalendarImport, SkippedEvent, read_ics

__all__ = [
    "CalendarImport",
    "SkippedEvent",
    "export_ics",
    "race_uid",
    "read_ics",
    "rest_day_uid",
    "session_uid",
]
