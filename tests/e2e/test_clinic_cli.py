"""``rubdown clinic`` as a therapist types it: rules, a menu, a managed client with a race,
a booking the client's policy refuses (the rule and the race named, nearest slots offered)
and one it allows, a note written and amended, a cancellation; bad input is one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.cli import Result, rubdown
from tests.support.cli_users import add_user_by_command


@pytest.fixture
def home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    add_user_by_command(home, "theo@example.org")
    return home


def clinic(home: Path, *args: str) -> Result:
    return rubdown(["clinic", "--therapist", "theo@example.org", *args], home=home)


def test_a_therapist_books_a_client_around_their_race_and_keeps_notes(home: Path) -> None:
    rules = clinic(
        home, "rules", "--hours", "tue 09:00-17:00, thu 09:00-17:00, sat 09:00-13:00", "--json"
    ).document()
    assert rules["max_hands_on_h_per_day"] == 6
    service = clinic(
        home, "service", "deep-tissue", "--minutes", "60", "--price", "90", "--buffer", "15",
        "--json",
    ).document()  # fmt: skip
    client = clinic(
        home, "client", "add", "Ada Runner", "--race", "Boston Marathon,2027-04-18,A,42.2",
        "--policy", "cautious", "--json",
    ).document()  # fmt: skip
    who = client["client"]

    refused = clinic(home, "book", who, service["id"], "2027-04-15T10:00")
    line = refused.error_line()
    assert refused.code == 2
    assert "is 3 days before their A race, Boston Marathon" in line
    assert "this client's cautious policy wants 7 (T3)" in line
    assert "nearest allowed: Sat 10 Apr 12:00 or Tue 27 Apr 09:00" in line

    booked = clinic(home, "book", who, service["id"], "2027-04-10T10:00", "--json").document()
    assert booked["start"] == "2027-04-10T10:00:00+00:00"
    assert any("no intake on file" in w for w in booked["warnings"])

    overridden = clinic(
        home, "book", who, service["id"], "2027-04-15T10:00", "--override",
        "weekly deep work for years", "--json",
    ).document()  # fmt: skip
    assert overridden["override"]["reason"] == "weekly deep work for years"
    assert "(T3)" in overridden["override"]["refused"][0]

    note = clinic(
        home, "notes", "add", booked["id"], "--region", "left-calf:firm:knot:stripping",
        "--advice", "easy run tomorrow", "--json",
    ).document()  # fmt: skip
    amended = clinic(
        home, "notes", "amend", note["id"], "--reason", "advised rest",
        "--region", "left-calf:firm:knot:stripping", "--advice", "rest tomorrow",
    )  # fmt: skip
    assert (amended.code, amended.out) == (0, f"amended note {note['id']}\n")
    shown = clinic(home, "notes", "show", booked["id"], "--json").document()
    (history,) = shown["notes"]
    assert history["original"]["advice"] == "easy run tomorrow"
    assert history["current"]["advice"] == "rest tomorrow"
    assert history["amendments"][0]["reason"] == "advised rest"

    waiting = clinic(
        home, "client", "add", "Ben Waiting", "--policy", "standard", "--json"
    ).document()
    clinic(home, "waitlist", waiting["client"], service["id"], "2027-04-15", "--json").document()
    cancelled = clinic(home, "cancel", overridden["id"], "--reason", "ill", "--json").document()
    assert cancelled["cancelled"]["reason"] == "ill"
    assert cancelled["offers"] == [
        {"client": waiting["client"], "start": "2027-04-15T10:00:00+00:00"}
    ]


def test_an_intake_answer_blocks_the_kinds_it_names_at_booking(home: Path) -> None:
    clinic(home, "rules", "--hours", "tue 09:00-17:00", "--json").document()
    deep = clinic(home, "service", "deep-tissue", "--minutes", "60", "--price", "90", "--json")
    client = clinic(home, "client", "add", "Cleo", "--json").document()["client"]
    signed = clinic(
        home, "intake", client, "--yes", "Q5", "--signed", "Cleo Client", "--consent",
        "--share-notes", "--json",
    ).document()  # fmt: skip
    assert signed["expires_at"].startswith("2028-01-04")
    assert signed["notes_shared"] is True
    refused = clinic(home, "book", client, deep.document()["id"], "2027-04-13T10:00")
    assert "blood thinners" in refused.error_line()
    assert "(Q5)" in refused.error_line()
    unsigned = clinic(home, "intake", client, "--consent")
    assert "sign the form" in unsigned.error_line()


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("client", "add", "Ada", "--race", "Boston"), "a race is NAME,YYYY-MM-DD"),
        (("book", "someone", "x", "2027-04-10T10:00"), "a client is managed:ID or runner:ID"),
        (("book", "managed:nope", "x", "2027-04-10T10:00"), "no such client"),
        (("rules", "--timezone", "Mars/Olympus"), "unknown time zone"),
        (("notes", "show", "nope"), "no such booking"),
    ],
)
def test_bad_input_is_one_line(home: Path, args: tuple[str, ...], words: str) -> None:
    assert words in clinic(home, *args).error_line()


def test_an_address_that_is_not_a_therapists_is_refused(home: Path) -> None:
    result = rubdown(["clinic", "--therapist", "nobody@example.org", "client", "list"], home=home)
    assert "no therapist account" in result.error_line()
