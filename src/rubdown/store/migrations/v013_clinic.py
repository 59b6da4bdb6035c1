"""Migration 13: a therapist's clinic -- managed clients and their races, the menu, the
booking rules, bookings, the waitlist, signed intakes with their answers, and append-only
session notes with their amendments."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from rubdown.store.columns import JsonList, UtcDateTime
from rubdown.store.migrations.step import Migration
from rubdown.store.schema import NAMING_CONVENTION

_CLIENT_KIND = "client_kind IN ('runner', 'managed')"


def _therapist() -> sa.Column[str]:
    return sa.Column(
        "therapist_id", sa.Text, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )


def _client() -> tuple[sa.Column[str], sa.Column[str]]:
    # A runner client is named by their runner ID, a managed one by a clinic-local ID: no
    # foreign key can name both, and a runner's rows are not the therapist's to delete.
    return sa.Column("client_kind", sa.Text, nullable=False), sa.Column(
        "client_id", sa.Text, nullable=False
    )


def apply(connection: Connection) -> None:
    """Every row carries the therapist it belongs to (``therapist_id``, an account's user ID),
    so each query is scoped by it and deleting the account deletes the clinic with it.

    Notes and amendments are never updated: triggers refuse an UPDATE of either on both
    databases, so a note cannot be changed silently even by hand (deleting an account
    still removes them)."""
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    sa.Table("users", metadata, sa.Column("id", sa.Text, primary_key=True))
    clients = sa.Table(
        "clinic_clients",
        metadata,
        sa.Column("id", sa.Text, primary_key=True),
        _therapist(),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("policy", sa.Text, nullable=False),
        sa.Column("conditions", JsonList, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Index(None, "therapist_id"),
    )
    races = sa.Table(
        "clinic_client_races",
        metadata,
        sa.Column("id", sa.Text, primary_key=True),
        _therapist(),
        sa.Column(
            "client_id",
            sa.Text,
            sa.ForeignKey("clinic_clients.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("priority", sa.Text, nullable=False),
        sa.Column("distance_km", sa.Double),
        sa.Index(None, "client_id"),
    )
    services = sa.Table(
        "clinic_services",
        metadata,
        sa.Column("id", sa.Text, primary_key=True),
        _therapist(),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("length_min", sa.Integer, nullable=False),
        sa.Column("price", sa.Double, nullable=False),
        sa.Column("buffer_min", sa.Integer, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Index(None, "therapist_id"),
    )
    rules = sa.Table(
        "clinic_rules",
        metadata,
        sa.Column(
            "therapist_id", sa.Text, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("timezone", sa.Text, nullable=False),
        sa.Column("hours", JsonList, nullable=False),  # "Tue 09:00-17:00", as parse_hours reads
        sa.Column("days_off", JsonList, nullable=False),  # ISO dates
        sa.Column("min_notice_h", sa.Integer, nullable=False),
        sa.Column("max_hands_on_h_per_day", sa.Double, nullable=False),
        sa.Column("max_sessions_per_week", sa.Integer),
        sa.Column("buffer_min", sa.Integer, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
    )
    bookings = sa.Table(
        "clinic_bookings",
        metadata,
        sa.Column("id", sa.Text, primary_key=True),
        _therapist(),
        *_client(),
        sa.Column("service_id", sa.Text, sa.ForeignKey("clinic_services.id"), nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("start_at", UtcDateTime, nullable=False),
        sa.Column("length_min", sa.Integer, nullable=False),
        sa.Column("buffer_min", sa.Integer, nullable=False),
        sa.Column("price", sa.Double, nullable=False),
        sa.Column("regions", JsonList, nullable=False),
        sa.Column("booked_by", sa.Text, nullable=False),
        sa.Column("booked_at", UtcDateTime, nullable=False),
        sa.Column("override_reason", sa.Text),
        sa.Column("overridden_by", sa.Text),
        sa.Column("overridden_at", UtcDateTime),
        sa.Column("override_refused", JsonList),
        sa.Column("cancel_reason", sa.Text),
        sa.Column("cancelled_by", sa.Text),
        sa.Column("cancelled_at", UtcDateTime),
        sa.CheckConstraint(_CLIENT_KIND, name="client_kind_known"),
        sa.Index(None, "therapist_id", "start_at"),
        sa.Index(None, "therapist_id", "client_kind", "client_id"),
    )
    waitlist = sa.Table(
        "clinic_waitlist",
        metadata,
        sa.Column("id", sa.Text, primary_key=True),
        _therapist(),
        *_client(),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("service_id", sa.Text, sa.ForeignKey("clinic_services.id"), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("added_at", UtcDateTime, nullable=False),
        sa.CheckConstraint(_CLIENT_KIND, name="client_kind_known"),
        sa.Index(None, "therapist_id", "day", "added_at"),
    )
    intakes = sa.Table(
        "clinic_intakes",
        metadata,
        sa.Column("id", sa.Text, primary_key=True),
        _therapist(),
        *_client(),
        sa.Column("signed_name", sa.Text, nullable=False),
        sa.Column("signed_at", UtcDateTime, nullable=False),
        sa.Column("consent", sa.Boolean, nullable=False),
        sa.Column("health_history", sa.Text, nullable=False),
        sa.CheckConstraint(_CLIENT_KIND, name="client_kind_known"),
        sa.Index(None, "therapist_id", "client_kind", "client_id", "signed_at"),
    )
    answers = sa.Table(
        "clinic_intake_answers",
        metadata,
        sa.Column(
            "intake_id",
            sa.Text,
            sa.ForeignKey("clinic_intakes.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("question_id", sa.Text, primary_key=True),
        _therapist(),
        sa.Column("yes", sa.Boolean, nullable=False),
        sa.Column("regions", JsonList, nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
    )
    notes = sa.Table(
        "clinic_notes",
        metadata,
        sa.Column("id", sa.Text, primary_key=True),
        _therapist(),
        sa.Column(
            "booking_id",
            sa.Text,
            sa.ForeignKey("clinic_bookings.id", ondelete="CASCADE"),
            nullable=False,
        ),
        *_client(),
        sa.Column("author_id", sa.Text, nullable=False),
        sa.Column("written_at", UtcDateTime, nullable=False),
        sa.Column("body", sa.Text, nullable=False),  # JSON: the SOAP fields and region notes
        sa.CheckConstraint(_CLIENT_KIND, name="client_kind_known"),
        sa.Index(None, "therapist_id", "booking_id"),
        sa.Index(None, "therapist_id", "client_kind", "client_id"),
    )
    amendments = sa.Table(
        "clinic_note_amendments",
        metadata,
        sa.Column("id", sa.Text, primary_key=True),
        _therapist(),
        sa.Column(
            "note_id", sa.Text, sa.ForeignKey("clinic_notes.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("author_id", sa.Text, nullable=False),
        sa.Column("written_at", UtcDateTime, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Index(None, "note_id", "written_at"),
    )
    sharing = sa.Table(
        "clinic_note_sharing",
        metadata,
        _therapist(),
        *_client(),
        sa.Column("allowed", sa.Boolean, nullable=False),
        sa.Column("changed_at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("therapist_id", "client_kind", "client_id"),
        sa.CheckConstraint(_CLIENT_KIND, name="client_kind_known"),
    )
    for table in (
        clients,
        races,
        services,
        rules,
        bookings,
        waitlist,
        intakes,
        answers,
        notes,
        amendments,
        sharing,
    ):
        table.create(connection, checkfirst=False)
    for name in ("clinic_notes", "clinic_note_amendments"):
        _refuse_updates(connection, name)


def _refuse_updates(connection: Connection, table: str) -> None:
    """A trigger that refuses every UPDATE of ``table``: notes only ever grow."""
    message = f"{table} rows are append-only: add an amendment instead"
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(
            f"CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger AS $$ "
            f"BEGIN RAISE EXCEPTION '{message}'; END; $$ LANGUAGE plpgsql"
        )
        connection.exec_driver_sql(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()"
        )
    else:
        connection.exec_driver_sql(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
        )


MIGRATION = Migration(
    13,
    "add a therapist's clinic: clients, menu, rules, bookings, waitlist, intakes and notes",
    apply,
    additive=True,
)
