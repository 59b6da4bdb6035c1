"""Reading races and workouts from a calendar file into the runner's season."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rubdown.calendar import SkippedEvent, race_uid, read_ics, rest_day_uid
from rubdown.domain.model import Race, Workout
from rubdown.errors import FileFormatError
from rubdown.services.runner import Runner

MAX_ICS_BYTES = 20 * 1024 * 1024


@dataclass
class CalendarReport:
    path: str
    races: list[Race] = field(default_factory=list)
    workouts: list[Workout] = field(default_factory=list)
    duplicates: int = 0
    skipped: list[SkippedEvent] = field(default_factory=list)


def import_calendar(app: Runner, path: Path) -> CalendarReport:
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
    return import_calendar_bytes(app, str(path), data)


def import_calendar_bytes(app: Runner, shown: str, data: bytes) -> CalendarReport:
    """The same, for a calendar found in a folder or an archive by ``rubdown import``."""
    try:
        # Repeating events are expanded around the runner's today (the import horizon).
        parsed = read_ics(data, timezone=app.profile().timezone, today=app.today())
    except FileFormatError as error:
        raise FileFormatError(f"{shown}: {error}") from None
    report = CalendarReport(shown, skipped=list(parsed.skipped))
    known = _known_events(app)
    new_races: list[tuple[Race, str]] = []
    new_workouts: list[tuple[Workout, str]] = []
    for race, uid in parsed.races:
        keys = {uid, f"race|{race.name.strip().lower()}|{race.day}"}
        if keys & known or app.data.has_source_uid("races", uid):
            report.duplicates += 1
        else:
            new_races.append((race, uid))
        known |= keys
    for workout, uid in parsed.workouts:
        keys = {uid, f"workout|{workout.kind}|{workout.day}"}
        if keys & known or app.data.has_source_uid("workouts", uid):
            report.duplicates += 1
        else:
            new_workouts.append((workout, uid))
        known |= keys
    report.races, report.workouts = app.data.import_batch(new_races, new_workouts)
    return report


def _known_events(app: Runner) -> set[str]:
    """What the season already holds, under every name an import may use for it.

    A race typed in by hand and then exported comes back under the UID the export gave it;
    the same race from an organiser's calendar comes back under its name and date.
    """
    owner = app.owner_id
    known: set[str] = set()
    for race in app.data.list_races():
        known |= {race_uid(owner, race), f"race|{race.name.strip().lower()}|{race.day}"}
    for workout in app.data.list_workouts():
        known |= {rest_day_uid(owner, workout), f"workout|{workout.kind}|{workout.day}"}
    return known
