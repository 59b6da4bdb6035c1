"""Deleting an account leaves nothing of the person in any table nor any file only they kept,
and every other person's rows and files exactly as they were, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool

from rubdown.bootstrap import Settings, account_tables, build_app
from rubdown.keeping.raw import RawFiles
from rubdown.services.importing import import_paths
from rubdown.services.rights import originals_of
from rubdown.services.rights.delete import DeleteSummary, delete_account
from rubdown.store import normalise_url, schema
from tests.support.rich_home import DATA, fill, table_rows, text_cells

TODAY = dt.date(2027, 1, 4)
ANA, BEN, TESS = "ana-0f3c9a", "ben-77d2e1", "tess-5be0c4"
EMAILS = {ANA: "ana@example.org", BEN: "ben@example.org", TESS: "tess@example.org"}
ONLY_ANAS = DATA / "activities" / "gpxpy" / "track-with-empty-segment.gpx"
NOW = dt.datetime(2027, 1, 4, 12, tzinfo=dt.UTC)


def settings_for(database_url: str, home: Path, owner: str) -> Settings:
    return Settings(home, database_url, owner_id=owner, today=TODAY)


def add_accounts(engine: Engine) -> None:
    """Accounts, logins, an invitation, login attempts, grants to the therapist and her reads,
    and an import job: the rows a server keeps beside the runners' data."""
    later = NOW + dt.timedelta(days=14)
    with engine.begin() as connection:
        for user, role in ((ANA, "runner"), (BEN, "runner"), (TESS, "therapist")):
            connection.execute(
                schema.metadata.tables["users"].insert(),
                {
                    "id": user,
                    "email": EMAILS[user],
                    "role": role,
                    "password_hash": f"$argon2id$secret-of-{user}",
                    "created_at": NOW,
                },
            )
            connection.execute(
                schema.metadata.tables["user_sessions"].insert(),
                {
                    "token_hash": f"token-of-{user}",
                    "user_id": user,
                    "csrf_token": f"csrf-of-{user}",
                    "created_at": NOW,
                    "expires_at": later,
                    "last_seen_at": NOW,
                },
            )
            connection.execute(
                schema.metadata.tables["login_attempts"].insert(),
                {"email": EMAILS[user], "address": "192.0.2.7", "at": NOW, "ok": True},
            )
        connection.execute(
            schema.metadata.tables["invitations"].insert(),
            {
                "token_hash": "invitation-for-ana",
                "email": EMAILS[ANA],
                "role": "runner",
                "created_by": TESS,
                "created_at": NOW,
                "expires_at": later,
                "used_at": NOW,
            },
        )
        for runner in (ANA, BEN):
            grant = f"grant-{runner}"
            connection.execute(
                schema.metadata.tables["grants"].insert(),
                {
                    "id": grant,
                    "runner_id": runner,
                    "therapist_id": TESS,
                    "calendar": True,
                    "wellness": True,
                    "training": False,
                    "created_at": NOW,
                    "updated_at": NOW,
                },
            )
            connection.execute(
                schema.metadata.tables["access_log"].insert(),
                {
                    "id": f"read-{runner}",
                    "runner_id": runner,
                    "viewer_id": TESS,
                    "grant_id": grant,
                    "level": "calendar",
                    "what": "GET /api/clients/calendar",
                    "at": NOW,
                },
            )
        if "clinic_bookings" in schema.metadata.tables:
            add_clinic(connection)
        jobs = schema.metadata.tables.get("import_jobs")
        if jobs is not None:
            connection.execute(
                jobs.insert(),
                {
                    "id": "job-of-ana",
                    "owner_id": ANA,
                    "state": "running",
                    "phase": "waiting",
                    "salvage": False,
                    "uploads": "[]",
                    "uploaded_files": 1,
                    "created_at": NOW,
                },
            )
            connection.execute(
                schema.metadata.tables["import_upload_chunks"].insert(),
                {"job_id": "job-of-ana", "file_no": 0, "chunk_no": 0, "data": b"<gpx/>"},
            )


def add_clinic(connection: sa.Connection) -> None:
    """The therapist's clinic: a service, and for each runner a booking with a note and its
    amendment, and an intake with an answer."""
    tables = schema.metadata.tables
    connection.execute(
        tables["clinic_services"].insert(),
        {
            "id": "service-1",
            "therapist_id": TESS,
            "kind": "sports",
            "name": "Sports massage",
            "length_min": 60,
            "price": 70.0,
            "buffer_min": 15,
            "created_at": NOW,
        },
    )
    for runner in (ANA, BEN):
        client = {"therapist_id": TESS, "client_kind": "runner", "client_id": runner}
        connection.execute(
            tables["clinic_bookings"].insert(),
            {
                **client,
                "id": f"booking-{runner}",
                "service_id": "service-1",
                "kind": "sports",
                "start_at": NOW + dt.timedelta(days=3),
                "length_min": 60,
                "buffer_min": 15,
                "price": 70.0,
                "regions": ["calf"],
                "booked_by": TESS,
                "booked_at": NOW,
            },
        )
        connection.execute(
            tables["clinic_notes"].insert(),
            {
                **client,
                "id": f"note-{runner}",
                "booking_id": f"booking-{runner}",
                "author_id": TESS,
                "written_at": NOW,
                "body": "{}",
            },
        )
        connection.execute(
            tables["clinic_note_amendments"].insert(),
            {
                "id": f"amendment-{runner}",
                "therapist_id": TESS,
                "note_id": f"note-{runner}",
                "author_id": TESS,
                "written_at": NOW,
                "reason": "typo",
                "body": "{}",
            },
        )
        connection.execute(
            tables["clinic_intakes"].insert(),
            {
                **client,
                "id": f"intake-{runner}",
                "signed_name": runner,
                "signed_at": NOW,
                "consent": True,
                "health_history": "",
            },
        )
        connection.execute(
            tables["clinic_intake_answers"].insert(),
            {
                "intake_id": f"intake-{runner}",
                "question_id": "q1",
                "therapist_id": TESS,
                "yes": False,
                "regions": [],
                "detail": "",
            },
        )


def rows_naming(engine: Engine, person: str) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table in which the person's id or address appears."""
    named = {person, EMAILS[person]}
    found: dict[str, list[dict[str, Any]]] = {}
    for table in schema.metadata.sorted_tables:
        rows = [
            row
            for row in table_rows(engine, table)
            if named & {value for value in row.values() if isinstance(value, str)}
        ]
        if rows:
            found[table.name] = rows
    return found


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[tuple[str, Path, Engine]]:
    """Ana and Ben with full seasons of the same files (Ana with one file more), and a
    therapist both share with, in one database and one folder of kept files."""
    home = tmp_path / "home"
    for owner in (ANA, BEN):
        app = build_app(settings_for(database_url, home, owner))
        try:
            fill(app)
            if owner == ANA:
                import_paths(app, [ONLY_ANAS], workers=1)
        finally:
            app.close()
    engine = sa.create_engine(normalise_url(database_url), poolclass=NullPool)
    add_accounts(engine)
    yield database_url, home, engine
    engine.dispose()


def delete(database_url: str, home: Path, owner: str) -> DeleteSummary:
    app = build_app(settings_for(database_url, home, owner))
    try:
        return delete_account(account_tables(app.store), app.owner_id, originals_of(app))
    finally:
        app.close()


def kept_files(home: Path) -> set[str]:
    return RawFiles(home / "raw").kept()


def test_nothing_of_a_deleted_runner_remains_and_the_others_are_untouched(
    server: tuple[str, Path, Engine],
) -> None:
    database_url, home, engine = server
    bens = rows_naming(engine, BEN)
    tess = rows_naming(engine, TESS)
    files_before = kept_files(home)
    assert len(rows_naming(engine, ANA)) >= 20  # she is in nearly every table

    summary = delete(database_url, home, ANA)

    for table, values in text_cells(engine).items():
        assert ANA not in values, table
        assert EMAILS[ANA] not in values, table
    assert rows_naming(engine, BEN) == bens
    # The therapist keeps her account and Ben's grant; Ana's grant and its reads are gone.
    left = rows_naming(engine, TESS)
    assert [row["id"] for row in left["grants"]] == [f"grant-{BEN}"]
    assert [row["id"] for row in left["access_log"]] == [f"read-{BEN}"]
    assert left["users"] == tess["users"]
    if "clinic_notes" in schema.metadata.tables:
        # Ana's booking, note, its amendment, intake and answer went with her; Ben's stay.
        for name, prefix in (("clinic_note_amendments", "amendment"), ("clinic_intakes", "intake")):
            ids = [row["id"] for row in table_rows(engine, schema.metadata.tables[name])]
            assert ids == [f"{prefix}-{BEN}"], name
        answers = table_rows(engine, schema.metadata.tables["clinic_intake_answers"])
        assert [row["intake_id"] for row in answers] == [f"intake-{BEN}"]
    # Every file Ben imported too is kept; the one only Ana imported is gone.
    only_anas = files_before - kept_files(home)
    assert len(only_anas) == 1
    assert summary.originals == 1
    assert RawFiles(home / "raw").has(next(iter(only_anas))) is False
    assert summary.rows["users"] == 1
    assert summary.rows["grants"] == 1


def test_deleting_the_therapist_removes_every_grant_to_her_and_every_read_she_made(
    server: tuple[str, Path, Engine],
) -> None:
    database_url, home, engine = server
    anas = rows_naming(engine, ANA)

    delete(database_url, home, TESS)

    for table, values in text_cells(engine).items():
        assert TESS not in values, table
        assert EMAILS[TESS] not in values, table
    assert not table_rows(engine, schema.metadata.tables["grants"])
    assert not table_rows(engine, schema.metadata.tables["access_log"])
    after = rows_naming(engine, ANA)
    changed = {name for name in anas if after.get(name) != anas[name]}
    # Ana's invitation loses its author (she invited her), as the foreign key says.
    clinic = {"clinic_bookings", "clinic_notes", "clinic_intakes"} & set(schema.metadata.tables)
    # Her bookings of Ana were in Ana's season: their removal moves Ana's data version on
    # (migration 15), so her plan and feed are made again without them.
    moved = {"runners"} if "clinic_bookings" in clinic else set()
    assert changed == {"grants", "access_log", "invitations", *clinic, *moved}  # hers
    (invitation,) = after["invitations"]
    assert invitation["created_by"] is None


def test_a_deleted_runner_starts_afresh_in_the_same_store(
    server: tuple[str, Path, Engine],
) -> None:
    database_url, home, _engine = server
    app = build_app(settings_for(database_url, home, ANA))
    try:
        delete_account(account_tables(app.store), app.owner_id, originals_of(app))
        # The same store, as the web app keeps it: the runner is made again on the next write.
        again = app.store.for_owner(ANA)
        assert again.list_races() == []
        assert again.get_profile() is None
        again.mark_recovery_week(dt.date(2027, 1, 4))
        assert again.recovery_weeks() == frozenset({dt.date(2027, 1, 4)})
    finally:
        app.close()
