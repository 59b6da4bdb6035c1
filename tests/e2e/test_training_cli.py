"""Changing training from the command line, on SQLite and PostgreSQL: workout and race edits,
weekly patterns, recovery weeks, bookings, units, and repeating calendar events. Bad input is
one line and exit 2 with nothing stored changed; an unknown id is exit 3."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.cli import Result, Storage, assert_unchanged

BLOCK = "tue:tempo thu:intervals sun:long"


def ok(result: Result) -> Result:
    assert result.code == 0, result.err
    return result


def refused(storage: Storage, code: int, *args: str) -> str:
    """Run a command that must fail with ``code``, change nothing stored, and print one line."""
    before = storage.stored()
    result = storage.run(*args)
    assert result.code == code, (result.code, result.out, result.err)
    assert_unchanged(before, storage.stored())
    return result.error_line()


def test_a_workout_is_edited_moved_and_removed_by_the_start_of_its_id(storage: Storage) -> None:
    added = ok(storage.run("workout", "add", "--date", "2027-01-12", "--kind", "tempo", "--json"))
    ref = added.document()["id"][:6]
    edited = ok(storage.run("workout", "edit", ref, "--kind", "intervals", "--json")).document()
    assert (edited["kind"], edited["date"]) == ("intervals", "2027-01-12")
    moved = ok(storage.run("workout", "move", ref, "--date", "2027-01-13", "--json")).document()
    assert (moved["kind"], moved["date"]) == ("intervals", "2027-01-13")
    assert (
        "Removed: intervals workout on 2027-01-13" in ok(storage.run("workout", "remove", ref)).out
    )
    assert ok(storage.run("workout", "list", "--json")).document() == {"workouts": []}


def test_bad_workout_and_race_edits_are_one_line_and_change_nothing(storage: Storage) -> None:
    added = ok(storage.run("workout", "add", "--date", "2027-01-12", "--kind", "tempo", "--json"))
    ref = added.document()["id"]
    ok(
        storage.run(
            "race", "add", "--name", "Harbour Half", "--date", "2027-02-14", "--priority", "B"
        )
    )
    assert "jog" in refused(storage, 2, "workout", "edit", ref, "--kind", "jog")
    assert "2027-02-30" in refused(storage, 2, "workout", "move", ref, "--date", "2027-02-30")
    assert "duration" in refused(storage, 2, "workout", "edit", ref, "--duration-min", "-3")
    assert "priority" in refused(storage, 2, "race", "edit", "Harbour Half", "--priority", "D")
    assert "distance" in refused(storage, 2, "race", "edit", "Harbour Half", "--distance-km", "0")
    assert "nothing to change" in refused(storage, 2, "workout", "edit", ref)
    assert "nothing to change" in refused(storage, 2, "race", "edit", "Harbour Half")
    assert "nope" in refused(storage, 3, "workout", "edit", "nope", "--kind", "easy")
    assert "nope" in refused(storage, 3, "workout", "remove", "nope")
    assert "nope" in refused(storage, 3, "race", "edit", "nope", "--priority", "A")


def test_race_edit_changes_priority_distance_and_date_in_the_runners_units(
    storage: Storage,
) -> None:
    ok(
        storage.run(
            "race", "add", "--name", "Harbour Half", "--date", "2027-02-14", "--priority", "B"
        )
    )
    edited = ok(
        storage.run(
            "race",
            "edit",
            "Harbour Half",
            "--priority",
            "A",
            "--distance-km",
            "21.0975",
            "--date",
            "2027-02-21",
            "--json",
        )
    ).document()
    assert (edited["priority"], edited["distance_km"], edited["date"]) == (
        "A",
        21.0975,
        "2027-02-21",
    )
    ok(storage.run("profile", "set", "--units", "mi"))
    assert "13.1 mi" in ok(storage.run("race", "list")).out
    assert "13.1 mi" in ok(storage.run("race", "edit", "Harbour Half", "--start", "09:00")).out
    assert "/mi" in ok(storage.run("profile", "show")).out
    assert ok(storage.run("profile", "show", "--json")).document()["units"] == "mi"


def test_a_pattern_is_added_listed_replaced_and_removed_as_one(storage: Storage) -> None:
    made = ok(
        storage.run(
            "workout",
            "pattern",
            "--from",
            "2027-01-04",
            "--to",
            "2027-02-28",
            BLOCK,
            "--recovery-every",
            "4",
            "--json",
        )
    ).document()
    assert len(made["workouts"]) == 24
    assert made["recovery_weeks"] == ["2027-01-25", "2027-02-22"]
    week_four = [w["kind"] for w in made["workouts"] if "2027-01-25" <= w["date"] <= "2027-01-31"]
    assert week_four == ["easy", "easy", "long"]
    pattern_id = made["pattern"]["id"]
    listed = ok(storage.run("workout", "pattern", "--json", "list")).document()
    assert [p["id"] for p in listed["patterns"]] == [pattern_id]

    replaced = ok(
        storage.run(
            "workout",
            "pattern",
            "--from",
            "2027-01-04",
            "--to",
            "2027-01-17",
            "wed:hill",
            "--replace",
            pattern_id[:8],
            "--json",
        )
    ).document()
    workouts = ok(storage.run("workout", "list", "--json")).document()["workouts"]
    assert {w["pattern_id"] for w in workouts} == {replaced["pattern"]["id"]}
    assert len(workouts) == 2
    stored = storage.stored()
    assert stored["recovery_weeks"] == []

    ok(storage.run("workout", "pattern", "remove", replaced["pattern"]["id"][:8]))
    assert ok(storage.run("workout", "list", "--json")).document() == {"workouts": []}
    assert ok(storage.run("workout", "pattern", "list", "--json")).document() == {"patterns": []}


def test_a_pattern_day_that_cannot_be_read_is_named_and_nothing_is_stored(
    storage: Storage,
) -> None:
    ok(storage.run("workout", "list"))  # the database exists before the refusals
    pattern = ("workout", "pattern", "--from", "2027-01-04", "--to", "2027-02-28")
    assert "'xyz:tempo'" in refused(storage, 2, *pattern, "xyz:tempo thu:intervals")
    assert "'tue:jog'" in refused(storage, 2, *pattern, "tue:jog")
    assert "recovery" in refused(storage, 2, *pattern, BLOCK, "--recovery-every", "0")
    assert "zz" in refused(storage, 3, *pattern, BLOCK, "--replace", "zz")
    assert "zz" in refused(storage, 3, "workout", "pattern", "remove", "zz")


def test_a_recovery_week_is_marked_from_any_day_and_unmarked(storage: Storage) -> None:
    marked = ok(storage.run("workout", "recovery-week", "2027-02-04", "--json")).document()
    assert marked == {
        "week_of": "2027-02-01",
        "last_day": "2027-02-07",
        "marked": True,
        "changed": True,
    }
    assert "already" in ok(storage.run("workout", "recovery-week", "2027-02-07")).out
    listed = ok(storage.run("workout", "recovery-week", "--json")).document()
    assert listed == {"recovery_weeks": ["2027-02-01"]}
    assert "DATE" in refused(storage, 2, "workout", "recovery-week", "--remove")
    ok(storage.run("workout", "recovery-week", "2027-02-01", "--remove"))
    assert storage.stored()["recovery_weeks"] == []


def test_a_booking_the_rules_refuse_is_one_line_naming_the_rule_unless_anyway(
    storage: Storage,
) -> None:
    ok(
        storage.run(
            "race",
            "add",
            "--name",
            "Spring Marathon",
            "--date",
            "2027-03-14",
            "--priority",
            "A",
            "--distance-km",
            "42.195",
        )
    )
    line = refused(storage, 2, "book", "--date", "2027-03-13", "--kind", "deep-tissue")
    assert "Spring Marathon" in line
    assert "--anyway" in line
    booked = ok(storage.run("book", "--date", "2027-03-13", "--kind", "deep-tissue", "--anyway"))
    assert "Warning" in booked.out
    document = ok(storage.run("book", "--date", "2027-02-03", "--kind", "sports", "--json"))
    assert document.document()["booked"] is True
    assert document.document()["price"] == 70.0  # the profile's sports price
    assert "after today" in refused(storage, 2, "book", "--date", "2027-01-04", "--kind", "sports")


def test_log_massage_with_a_future_date_is_a_booking_listed_apart(storage: Storage) -> None:
    ok(storage.run("log", "massage", "--date", "2027-01-02", "--kind", "sports"))
    booked = ok(storage.run("log", "massage", "--date", "2027-01-20", "--kind", "flush"))
    assert "Booked recovery flush on 2027-01-20 at 45" in booked.out
    log = ok(storage.run("log", "--json")).document()
    assert [s["date"] for s in log["sessions"]] == ["2027-01-02"]
    assert [s["date"] for s in log["booked"]] == ["2027-01-20"]
    text = ok(storage.run("log")).out
    assert text.index("booked:") < text.index("2027-01-20")
    # A future date meets the rules as `book` does, with the same override.
    ok(
        storage.run(
            "race", "add", "--name", "Harbour Half", "--date", "2027-02-14", "--priority", "A"
        )
    )
    late = ("log", "massage", "--date", "2027-02-13", "--kind", "deep-tissue")
    assert "Harbour Half" in refused(storage, 2, *late)
    assert "Warning" in ok(storage.run(*late, "--anyway")).out


REPEATING = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//club//EN
BEGIN:VEVENT
UID:tempo@club.example
SUMMARY:Tempo run
DTSTART:20270105T070000Z
DTEND:20270105T080000Z
RRULE:FREQ=WEEKLY;COUNT=4
EXDATE:20270112T070000Z
RDATE:20270116T070000Z
END:VEVENT
BEGIN:VEVENT
UID:tempo@club.example
RECURRENCE-ID:20270119T070000Z
SUMMARY:Tempo run
STATUS:CANCELLED
DTSTART:20270119T070000Z
END:VEVENT
BEGIN:VEVENT
UID:dentist@example
SUMMARY:Dentist
DTSTART:20270107T090000Z
END:VEVENT
END:VCALENDAR
"""


def test_an_ics_with_repeating_events_is_expanded_once_and_lists_what_it_skipped(
    storage: Storage, tmp_path: Path
) -> None:
    calendar = tmp_path / "club.ics"
    calendar.write_text(REPEATING.replace("\n", "\r\n"), encoding="utf-8")
    first = ok(storage.run("import", str(calendar), "--json")).document()
    assert sorted(w["date"] for w in first["workouts"]) == [
        "2027-01-05",
        "2027-01-16",
        "2027-01-26",
    ]
    assert sorted((s["event"], s["date"], s["reason"]) for s in first["skipped_events"]) == [
        (
            "'Dentist'",
            "2027-01-07",
            "not recognised as a race or a workout (no race or training words)",
        ),
        ("'Tempo run'", "2027-01-19", "cancelled"),
    ]
    before = storage.stored()
    again = ok(storage.run("import", str(calendar)))
    assert "Calendar events skipped" in again.out
    assert "cancelled" in again.out
    assert_unchanged(before, storage.stored())


TEN_K = Path(__file__).parents[1] / "data/activities/GoldenCheetah/10kUNLP2014-Garmin15.tcx"


def test_activities_show_distances_in_the_runners_units(storage: Storage) -> None:
    ok(storage.run("import", str(TEN_K)))
    in_km = ok(storage.run("activities", "--json")).document()["activities"][0]["distance_m"]
    ok(storage.run("profile", "set", "--units", "mi"))
    table = ok(storage.run("activities")).out
    assert " mi " in table.splitlines()[1] or " mi" in table
    assert f"{in_km / 1609.344:.1f}" in table
    # The JSON stays metric: one shape for every runner.
    assert (
        ok(storage.run("activities", "--json")).document()["activities"][0]["distance_m"] == in_km
    )


def test_a_pattern_adds_no_workout_on_a_race_day(storage: Storage) -> None:
    ok(storage.run("race", "add", "--name", "Winter 10", "--date", "2027-01-17", "--priority", "B"))
    made = ok(
        storage.run(
            "workout", "pattern", "--from", "2027-01-04", "--to", "2027-01-31", BLOCK, "--json"
        )
    ).document()
    days = [w["date"] for w in made["workouts"]]
    assert "2027-01-17" not in days  # the race is that Sunday's hard session
    assert "2027-01-10" in days
    assert "2027-01-24" in days
    assert len(days) == 11
