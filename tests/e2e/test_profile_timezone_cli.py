"""`profile set --timezone` with a name that is no time zone: one line, exit 2, nothing
stored; a TZ variable too long to be a zone gives a new runner UTC, not a traceback."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.e2e.cli import Result

BAD_ZONES = {
    "longer-than-255": "Europe/" + "a" * 300,
    "a-folder": "Europe",
    "parent-folder": "../../etc/passwd",
}


@pytest.mark.parametrize("zone", BAD_ZONES.values(), ids=BAD_ZONES.keys())
def test_profile_set_refuses_a_bad_time_zone_in_one_line(
    run: Callable[..., Result], zone: str
) -> None:
    assert run("profile", "set", "--timezone", "Europe/Berlin").code == 0

    result = run("profile", "set", "--timezone", zone, "--budget-per-month", "99")

    assert "unknown time zone" in result.error_line()
    assert result.code == 2
    shown = run("profile", "show", "--json").document()
    assert shown["timezone"] == "Europe/Berlin"
    assert shown["budget_per_month"] != 99
