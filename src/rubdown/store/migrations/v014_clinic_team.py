"""Migration 14: a therapist's team for the race week, and the times each client likes.

A team is its lead and the therapists the lead invited by e-mail who accepted: one row per
(lead, member), pending until ``accepted_at`` is set. A client's liked times (a day part, a
weight, a weekday or any) are kept by the therapist who entered them, as a JSON list."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from rubdown.store.columns import JsonList, UtcDateTime
from rubdown.store.migrations.step import Migration
from rubdown.store.schema import NAMING_CONVENTION


def _user(name: str, *, primary: bool = False) -> sa.Column[str]:
    return sa.Column(
        name,
        sa.Text,
        sa.ForeignKey("users.id", ondelete="CASCADE"),
        nullable=False,
        primary_key=primary,
    )


def apply(connection: Connection) -> None:
    """Both tables only grow here: old code never reads them, so the step is additive."""
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    sa.Table("users", metadata, sa.Column("id", sa.Text, primary_key=True))
    members = sa.Table(
        "clinic_team_members",
        metadata,
        _user("lead_id", primary=True),
        _user("member_id", primary=True),
        sa.Column("invited_at", UtcDateTime, nullable=False),
        sa.Column("accepted_at", UtcDateTime),
        sa.CheckConstraint("lead_id <> member_id", name="not_self"),
        sa.Index(None, "member_id"),
    )
    preferences = sa.Table(
        "clinic_client_preferences",
        metadata,
        _user("therapist_id", primary=True),
        sa.Column("client_kind", sa.Text, primary_key=True),
        sa.Column("client_id", sa.Text, primary_key=True),
        sa.Column("preferences", JsonList, nullable=False),
        sa.Column("changed_at", UtcDateTime, nullable=False),
        sa.CheckConstraint("client_kind IN ('runner', 'managed')", name="client_kind_known"),
    )
    for table in (members, preferences):
        table.create(connection, checkfirst=False)


MIGRATION = Migration(
    14,
    "add a therapist's race-week team and their clients' liked times",
    apply,
    additive=True,
)
