"""Take a database back to an older schema version, as an older rubdown would have left it.

Tests of upgrades need a database at version N with data in it, written by today's code.
Rather than each test undoing the later migrations by hand (a list that goes stale with every
new migration), this compares the database with a scratch SQLite database migrated to
version N and drops every table and column the later migrations added. Tables that are not
rubdown's own (the job queue's, on PostgreSQL) are left alone.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from rubdown.store.engine import create_engine
from rubdown.store.migrations import MIGRATIONS, VERSION_TABLE, migrate

FOREIGN_PREFIXES = ("procrastinate_",)


def _shape_at(version: int) -> dict[str, set[str]]:
    """Every table of schema ``version`` with its columns."""
    engine = create_engine(sa.make_url("sqlite://"))
    try:
        migrate(engine, MIGRATIONS[:version])
        inspector = sa.inspect(engine)
        return {
            table: {column["name"] for column in inspector.get_columns(table)}
            for table in inspector.get_table_names()
        }
    finally:
        engine.dispose()


def roll_back(connection: Connection, version: int) -> None:
    """Drop what migrations after ``version`` added, and say the schema is at ``version``."""
    shape = _shape_at(version)
    inspector = sa.inspect(connection)
    postgres = connection.dialect.name == "postgresql"
    ours = [t for t in inspector.get_table_names() if not t.startswith(FOREIGN_PREFIXES)]
    newer = {table for table in ours if table not in shape}
    refers_to = {
        table: {key["referred_table"] for key in inspector.get_foreign_keys(table)} - {table}
        for table in newer
    }
    cascade = " CASCADE" if postgres else ""
    while newer:
        # Children before parents: a table no remaining table refers to goes first.
        leaves = sorted(t for t in newer if not any(t in refers_to[o] for o in newer - {t}))
        for table in leaves or sorted(newer):
            connection.execute(sa.text(f'DROP TABLE IF EXISTS "{table}"{cascade}'))
        newer -= set(leaves or newer)
    for table in ours:
        if table not in shape:
            continue
        for column in inspector.get_columns(table):
            if column["name"] not in shape[table]:
                connection.execute(sa.text(f'ALTER TABLE "{table}" DROP COLUMN "{column["name"]}"'))
    connection.execute(sa.text(f"UPDATE {VERSION_TABLE} SET version = {int(version)}"))
