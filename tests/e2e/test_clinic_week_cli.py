"""``rubdown clinic week`` as a therapist types it: a team of two (invited by e-mail,
accepted), two clients racing the same marathon and one racing something else, the proposal
as a table and as JSON, accepting (the lead's sessions booked through the rules, the
member's left as proposals), and bad input in one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.cli import Result, rubdown
from tests.support.cli_users import add_user_by_command

LEAD, MEMBER = "theo@example.org", "mia@example.org"


@pytest.fixture
def home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    add_user_by_command(home, LEAD)
    add_user_by_command(home, MEMBER)
    return home


def clinic(home: Path, *args: str, who: str = LEAD) -> Result:
    return rubdown(["clinic", "--therapist", who, *args], home=home)


def test_a_team_plans_the_race_week_and_the_lead_accepts_their_sessions(home: Path) -> None:
    clinic(home, "rules", "--hours", "mon 09:00-11:00")
    clinic(home, "rules", "--hours", "wed 09:00-10:00", who=MEMBER)
    for kind, minutes in (("sports", "60"), ("flush", "30"), ("post-event", "30")):
        clinic(home, "service", kind, "--minutes", minutes, "--price", "50", "--buffer", "15")
    clients = [
        clinic(
            home, "client", "add", name, "--race", f"{race},2027-04-18,A,42.2", "--json"
        ).document()["client"]
        for name, race in (("Ann", "City Marathon"), ("Bob", "City Marathon"),
                           ("Cy", "City Marathon"), ("Dee", "Hill 10K"))
    ]  # fmt: skip
    invited = clinic(home, "team", "invite", MEMBER, "--json").document()
    assert invited["accepted_at"] is None
    clinic(home, "team", "accept", LEAD, who=MEMBER)
    assert clinic(home, "likes", clients[0], "morning:8", "--json").document()["likes"] == [
        "morning:8"
    ]

    table = clinic(home, "week", "city marathon", "--time-limit", "5")
    assert table.code == 0, table.err
    assert "3 of 3 clients served" in table.out
    assert "mia@example.org" in table.out
    assert "Dee: not racing" in table.out

    plan = clinic(home, "week", "City Marathon", "--time-limit", "5", "--accept", "--json")
    document = plan.document()
    assert document["served_clients"] == 3
    assert {s["client"] for s in document["sessions"]} == set(clients[:3])
    accepted = document["accepted"]
    mine = [s for s in document["sessions"] if s["mine"]]
    assert len(accepted["booked"]) == len(mine) > 0
    assert {s["therapist"] for s in accepted["left_as_proposal"]} == {MEMBER}
    assert "no consent to your clients" in accepted["note"]

    # Booked now: the same week proposed again keeps clear of those times.
    again = clinic(home, "week", "City Marathon", "--time-limit", "5", "--json").document()
    booked = {s["start_at"] for s in accepted["booked"]}
    assert not booked & {s["start_at"] for s in again["sessions"]}


def test_bad_input_to_the_race_week_is_one_line(home: Path) -> None:
    nothing = clinic(home, "week")
    assert nothing.code != 0
    assert "name the EVENT" in nothing.error_line()
    unknown = clinic(home, "week", "Nowhere Marathon")
    assert "none of your clients races 'Nowhere Marathon'" in unknown.error_line()
    no_days = clinic(home, "week", "--client", "managed:abc")
    assert "first and the last day" in no_days.error_line() or "no client" in no_days.error_line()
    stranger = clinic(home, "team", "invite", "nobody@example.org")
    assert "no therapist account" in stranger.error_line()
    assert "Traceback" not in nothing.err + unknown.err + no_days.err + stranger.err
