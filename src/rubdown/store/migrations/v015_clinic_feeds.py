"""Migration 15: a therapist's calendar feeds of their bookings, and bookings that move their
runner client's data version.

A therapist has at most one feed of each view (``full``: who, what and which service;
``busy``: only that the time is taken), each opened by a secret URL of which only the SHA-256
is kept, as a runner's feed (migration 4).

A booking of a runner client is part of that runner's season (their plan, their feed): the
triggers move the runner's ``data_version`` on in the transaction that books, cancels or
removes it, so every answer kept from the runner's data is made again, and no write path of
the clinic can forget to say so."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from rubdown.store.columns import UtcDateTime
from rubdown.store.migrations.step import Migration
from rubdown.store.schema import NAMING_CONVENTION

_BUMP = "UPDATE runners SET data_version = data_version + 1 WHERE id = {row}.client_id"


def apply(connection: Connection) -> None:
    """A new table and triggers only: old code neither reads the one nor minds the others."""
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    sa.Table("users", metadata, sa.Column("id", sa.Text, primary_key=True))
    feeds = sa.Table(
        "clinic_feed_secrets",
        metadata,
        sa.Column(
            "therapist_id",
            sa.Text,
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("view", sa.Text, primary_key=True),
        sa.Column("secret_hash", sa.Text, nullable=False, unique=True),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.CheckConstraint("view IN ('full', 'busy')", name="view_known"),
    )
    feeds.create(connection, checkfirst=False)
    _bump_runner_on_booking(connection)


def _bump_runner_on_booking(connection: Connection) -> None:
    """Each trigger is dropped first if there: a database taken back to an older schema by
    dropping tables keeps the triggers of a table it kept."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(
            "CREATE OR REPLACE FUNCTION clinic_bookings_bump_runner() RETURNS trigger AS $$ "
            "BEGIN "
            "IF TG_OP <> 'INSERT' AND OLD.client_kind = 'runner' THEN "
            f"{_BUMP.format(row='OLD')}; END IF; "
            "IF TG_OP <> 'DELETE' AND NEW.client_kind = 'runner' THEN "
            f"{_BUMP.format(row='NEW')}; END IF; "
            "RETURN NULL; END; $$ LANGUAGE plpgsql"
        )
        connection.exec_driver_sql(
            "DROP TRIGGER IF EXISTS clinic_bookings_bump_runner ON clinic_bookings"
        )
        connection.exec_driver_sql(
            "CREATE TRIGGER clinic_bookings_bump_runner AFTER INSERT OR UPDATE OR DELETE "
            "ON clinic_bookings FOR EACH ROW EXECUTE FUNCTION clinic_bookings_bump_runner()"
        )
        return
    for event, rows in (("INSERT", ("NEW",)), ("UPDATE", ("OLD", "NEW")), ("DELETE", ("OLD",))):
        bumps = " ".join(
            f"{_BUMP.format(row=row)} AND {row}.client_kind = 'runner';" for row in rows
        )
        name = f"clinic_bookings_bump_runner_{event.lower()}"
        connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
        connection.exec_driver_sql(
            f"CREATE TRIGGER {name} AFTER {event} ON clinic_bookings BEGIN {bumps} END"
        )


MIGRATION = Migration(
    15,
    "add a therapist's booking feeds; bookings move their runner client's data version",
    apply,
    additive=True,
)
