"""``rubdown race move`` then ``rubdown export ics``: the moved race's event keeps its UID and
carries a higher SEQUENCE, so a calendar that imported it updates it; moving it to the day it
is already on changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from icalendar import Calendar

from tests.e2e.cli import Result


def race_events(path: Path) -> dict[str, tuple[str, int]]:
    """Each race event's UID with its day and SEQUENCE."""
    calendar = Calendar.from_ical(path.read_bytes())
    return {
        str(event["UID"]): (event["DTSTART"].dt.isoformat(), int(event["SEQUENCE"]))
        for event in calendar.walk("VEVENT")
        if str(event["SUMMARY"]).startswith("Race")
    }


def test_race_move_raises_the_sequence_in_export_ics_only_when_the_race_changes(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    add = ["race", "add", "--name", "Harbour Half", "--date", "2027-02-14", "--priority", "B"]
    assert run(*add).code == 0
    target = tmp_path / "season.ics"

    def export() -> dict[str, tuple[str, int]]:
        result = run("export", "ics", str(target))
        assert result.code == 0, result.err
        return race_events(target)

    (uid,) = first = export()
    assert first[uid] == ("2027-02-14", 0)

    assert run("race", "move", "Harbour Half", "--date", "2027-02-21").code == 0
    assert export() == {uid: ("2027-02-21", 1)}

    assert run("race", "move", "Harbour Half", "--date", "2027-02-21").code == 0
    assert export() == {uid: ("2027-02-21", 1)}
