"""A time zone that is no IANA name is refused with one line, whatever ZoneInfo makes of it,
and the stored profile keeps the one it had."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from rubdown.bootstrap import Settings
from rubdown.errors import InvalidValue
from rubdown.knowledge import load_knowledge_base
from rubdown.services import season
from rubdown.services.runner import Runner
from rubdown.solver.cpsat import CpSatSolver
from rubdown.store import Store, sqlite_url_for_home
from rubdown.web.app import create_app
from tests.support.web import signed_client

NOON = dt.datetime(2027, 3, 1, 12, tzinfo=dt.UTC)

BAD_ZONES = {
    "longer-than-255": "Europe/" + "a" * 300,  # ZoneInfo: OSError (file name too long)
    "256-letters": "A" * 256,
    "nul": "Europe/Ber\0lin",  # ValueError
    "lone-surrogate": "\ud800",
    "parent-folder": "../../etc/passwd",
    "a-folder": "Europe",  # a directory of the zone database, not a zone
    "unknown": "Mars/Olympus_Mons",
}


@pytest.fixture
def app(store: Store) -> Runner:
    return Runner(store, load_knowledge_base(), CpSatSolver(), "ana", lambda: NOON)


@pytest.mark.parametrize("zone", BAD_ZONES.values(), ids=BAD_ZONES.keys())
def test_a_bad_time_zone_is_refused_in_one_line_and_nothing_changes(app: Runner, zone: str) -> None:
    season.update_profile(app, timezone="Europe/Berlin", name="Ana")

    with pytest.raises(InvalidValue, match="unknown time zone") as refused:
        season.update_profile(app, timezone=zone, name="Someone else")

    assert "\n" not in str(refused.value)
    assert len(str(refused.value)) < 200  # a 300-letter name is cut, not echoed whole
    assert (app.profile().timezone, app.profile().name) == ("Europe/Berlin", "Ana")


def test_an_iana_time_zone_is_stored(app: Runner) -> None:
    season.update_profile(app, timezone="America/Argentina/ComodRivadavia")

    assert app.profile().timezone == "America/Argentina/ComodRivadavia"


def test_the_settings_form_refuses_a_time_zone_too_long_to_open_with_the_error_shape(
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    settings = Settings(home, sqlite_url_for_home(home), today=NOON.date())
    with signed_client(create_app(settings)) as client:
        form = {"name": "Ana", "timezone": BAD_ZONES["longer-than-255"], "budget_per_month": "220"}
        response = client.post("/ui/settings/profile", data=form)

    assert response.status_code == 422, response.text
    assert set(response.json()) == {"error"}
    assert "zone" in response.json()["error"]["message"]  # names the field, in one line
