"""A moved race updates in the runner's calendars: its event keeps its UID and carries a higher
SEQUENCE (RFC 5545) in the exported file, the full feed and the busy-only feed; a race saved
unchanged keeps its SEQUENCE. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from icalendar import Calendar, Component

from rubdown.calendar import race_uid
from rubdown.domain.model import Frequency, Priority, Race
from rubdown.knowledge import load_knowledge_base
from rubdown.services import season
from rubdown.services.feeds import new_feed_secret
from rubdown.services.planning import export_plan
from rubdown.services.runner import Runner
from rubdown.solver.cpsat import CpSatSolver
from rubdown.store import open_store
from rubdown.web.cache.feeds import feed_ics

TODAY = dt.date(2027, 1, 4)
NOON = dt.datetime.combine(TODAY, dt.time(12), tzinfo=dt.UTC)
OWNER = "runner-1"


@pytest.fixture
def app(database_url: str) -> Iterator[Runner]:
    store = open_store(database_url)
    opened = Runner(store, load_knowledge_base(), CpSatSolver(), OWNER, lambda: NOON)
    season.update_profile(opened, frequency=Frequency.MONTHLY, budget_per_month=200.0)
    season.add_race(opened, "Spring Marathon", dt.date(2027, 4, 18), Priority.A, 42.195)
    yield opened
    opened.close()


def _calendars(app: Runner, path: Path) -> dict[str, bytes]:
    """What ``rubdown export ics`` writes, and both feeds, as they stand now."""
    export_plan(app, path)
    secret = new_feed_secret(app)
    full, busy = feed_ics(app, secret, busy_only=False), feed_ics(app, secret, busy_only=True)
    assert full is not None
    assert busy is not None
    return {"export": path.read_bytes(), "feed": full, "busy feed": busy}


def _race_event(data: bytes, race: Race) -> Component:
    calendar = Calendar.from_ical(data)
    uid = race_uid(OWNER, race)
    (event,) = [e for e in calendar.walk("VEVENT") if str(e["UID"]) == uid]
    return event


def test_moving_a_race_gives_its_event_a_higher_sequence_everywhere(
    app: Runner, tmp_path: Path
) -> None:
    race = season.find_race(app, "Spring Marathon")
    before = _calendars(app, tmp_path / "plan.ics")

    moved = season.move_race(app, race.id, dt.date(2027, 4, 25))
    after = _calendars(app, tmp_path / "plan.ics")

    assert moved.sequence == race.sequence + 1 == 1
    for name in before:
        old, new = _race_event(before[name], race), _race_event(after[name], moved)
        assert int(old["SEQUENCE"]) == 0, name
        assert int(new["SEQUENCE"]) == 1, name
        assert new["DTSTART"].dt == dt.date(2027, 4, 25), name


def test_a_race_moved_to_the_day_it_is_on_keeps_its_sequence(app: Runner, tmp_path: Path) -> None:
    race = season.move_race(app, "Spring Marathon", dt.date(2027, 4, 25))
    before = _calendars(app, tmp_path / "plan.ics")

    again = season.move_race(app, race.id, race.day)
    after = _calendars(app, tmp_path / "plan.ics")

    assert again == race
    for name in before:
        assert int(_race_event(after[name], race)["SEQUENCE"]) == 1, name
    assert after["feed"] == before["feed"]  # nothing a calendar shows has changed
