"""Reading races and workouts from a calendar file into the runner's season."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rubdown.calendar import read_ics
from rubdown.domain.model import Race, Workout
from rubdown.errors import FileFormatError
from rubdown.services.context import App

MAX_ICS_BYTES = 20 * 1024 * 1024


@dataclass
class CalendarReport:
    path: str
    races: list[Race] = field(default_factory=list)
    workouts: list[Workout] = field(default_factory=list)
    duplicates: int = 0
    skipped: list[str] = field(default_factory=list)


def import_calendar(app: App, path: Path) -> CalendarReport:
    """Add the file's races and workouts in one transaction; events seen before are skipped."""
    try:
        size = path.stat().st_size
        if size > MAX_ICS_BYTES:
            raise FileFormatError(f"{path}: {size // 1_048_576} MB is too large for a calendar")
        data = path.read_bytes()
    except FileNotFoundError:
        raise FileFormatError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise FileFormatError(f"{path}: is a folder, not a calendar file") from None
    except PermissionError:
        raise FileFormatError(f"{path}: permission denied") from None
    try:
        parsed = read_ics(data, timezone=app.profile().timezone)
    except FileFormatError as error:
        raise FileFormatError(f"{path}: {error}") from None
    report = CalendarReport(str(path), skipped=list(parsed.skipped))
    owner = app.owner_id
    new_races: list[tuple[Race, str]] = []
    new_workouts: list[tuple[Workout, str]] = []
    seen: set[str] = set()
    for race, uid in parsed.races:
        if uid in seen or app.store.has_source_uid(owner, "races", uid):
            report.duplicates += 1
        else:
            new_races.append((race, uid))
        seen.add(uid)
    for workout, uid in parsed.workouts:
        if uid in seen or app.store.has_source_uid(owner, "workouts", uid):
            report.duplicates += 1
        else:
            new_workouts.append((workout, uid))
        seen.add(uid)
    app.store.import_batch(owner, new_races, new_workouts)
    report.races = [race for race, _ in new_races]
    report.workouts = [workout for workout, _ in new_workouts]
    return report
