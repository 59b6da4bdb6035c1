"""Migration 2: add activities, their sources and streams, and daily wellness."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from rubdown.store.columns import UtcDateTime
from rubdown.store.migrations.step import Migration, owner_column
from rubdown.store.schema import NAMING_CONVENTION


def apply(connection: Connection) -> None:
    """What the runner did: activities with their streams and sources, the files imported,
    and daily wellness from device exports."""
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    # The tables referenced by foreign keys, as migration 1 left them.
    sa.Table("runners", metadata, sa.Column("id", sa.Text, primary_key=True))

    sa.Table(
        "activities",
        metadata,
        sa.Column("id", sa.Text, primary_key=True),
        owner_column(),
        sa.Column("sport", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("start_utc", UtcDateTime, nullable=False),
        sa.Column("utc_offset_s", sa.Integer),
        sa.Column("local_day", sa.Date, nullable=False),  # the runner's day, decided at import
        sa.Column("duration_s", sa.Double, nullable=False),
        sa.Column("moving_s", sa.Double),
        sa.Column("distance_m", sa.Double),
        sa.Column("elevation_gain_m", sa.Double),
        sa.Column("avg_hr_bpm", sa.Double),
        sa.Column("max_hr_bpm", sa.Double),
        sa.Column("laps", sa.Text, nullable=False),  # JSON list of objects
        sa.Column("records", sa.Integer, nullable=False),
        sa.Column("partial", sa.Boolean, nullable=False),
        sa.Column("richness", sa.Integer, nullable=False),  # which source the fields came from
        sa.Column("load", sa.Double),
        sa.Column("load_method", sa.Text, nullable=False),
        sa.Column("load_basis", sa.Text),  # JSON: what a load is recomputed from
        sa.Column("kind", sa.Text, nullable=False),  # easy, long, tempo (hard by load) ...
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
        sa.Index(None, "owner_id", "start_utc"),
        sa.Index(None, "owner_id", "local_day"),
    )

    sa.Table(
        "activity_streams",
        metadata,
        sa.Column(
            "activity_id",
            sa.Text,
            sa.ForeignKey("activities.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        owner_column(),
        sa.Column("samples", sa.Integer, nullable=False),
        sa.Column("encoding", sa.Text, nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
    )

    sa.Table(
        "activity_sources",
        metadata,
        sa.Column("id", sa.Text, primary_key=True),
        owner_column(),
        sa.Column(
            "activity_id",
            sa.Text,
            sa.ForeignKey("activities.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("format", sa.Text, nullable=False),
        sa.Column("sha256", sa.Text, nullable=False),  # the raw file, kept content-addressed
        sa.Column("shown", sa.Text, nullable=False),  # the path as given, archive!member
        sa.Column("source_ref", sa.Text, nullable=False),  # "" or the source's own id
        sa.Column("imported_at", UtcDateTime, nullable=False),
        sa.UniqueConstraint("owner_id", "activity_id", "sha256", "source_ref"),
        sa.Index(None, "activity_id"),
    )

    sa.Table(
        "imported_files",
        metadata,
        owner_column(),
        sa.Column("sha256", sa.Text, nullable=False),
        sa.Column("format", sa.Text, nullable=False),
        sa.Column("shown", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("activities", sa.Integer, nullable=False),
        sa.Column("records", sa.Integer, nullable=False),
        sa.Column("error", sa.Text),
        sa.Column("export", sa.Text, nullable=False),  # strava, garmin, apple-health or ""
        sa.Column("container", sa.Text, nullable=False),  # the export's root as shown
        sa.Column("inner", sa.Text, nullable=False),  # the path inside that export
        sa.Column("imported_at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("owner_id", "sha256"),
    )

    sa.Table(
        "wellness",
        metadata,
        owner_column(),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("resting_hr_bpm", sa.Double),
        sa.Column("hrv_ms", sa.Double),
        sa.Column("sleep_s", sa.Double),
        sa.Column("sleep_score", sa.Double),
        sa.Column("updated_at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("owner_id", "day", "source"),
    )
    names = ["activities", "activity_streams", "activity_sources", "imported_files", "wellness"]
    metadata.create_all(connection, tables=[metadata.tables[n] for n in names], checkfirst=False)


MIGRATION = Migration(2, "add activities, their sources and streams, and daily wellness", apply)
