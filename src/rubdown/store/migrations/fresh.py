"""A new SQLite database made in one go: the schema the migrations leave, replayed.

Every new home starts empty, and running the migrations one by one to make its schema (each
step's tables built in SQLAlchemy, compiled to DDL, run in its own transaction with its
version bump) cost a fresh ``rubdown import`` some 0.07 s of CPU; replaying the statements
they leave in ``sqlite_master`` costs a tenth of that. ``fresh_sqlite.sql`` holds those
statements, exactly as SQLite keeps them, with the version and the oldest code version the
migrations leave. ``migrate`` replays them into an empty SQLite database in one transaction
(a kill leaves it empty), then runs any step after the file's version as usual. Everything
else keeps to the steps: a database with anything in it, PostgreSQL, and the upgrade of every
existing home. A test checks that the replayed schema equals the migrated one, statement for
statement, and that the file is current.

After adding a migration, write the file again: ``python -m rubdown.store.migrations.fresh``.
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection

SNAPSHOT_FILE = Path(__file__).with_name("fresh_sqlite.sql")

_HEADER = """\
-- The schema migrations 1 to {version} leave in a new SQLite database, statement for statement
-- as sqlite_master keeps it: a new home is made from it in one transaction (see fresh.py).
-- Written by: python -m rubdown.store.migrations.fresh (do not edit by hand: the lines
-- end in the spaces SQLAlchemy's DDL left, and the statements must match to the character).
-- version: {version}
-- oldest_code_version: {oldest}
"""

# Tables in the order the steps made them, then their indexes and triggers by name: the steps
# make a table's indexes in an order that changes from run to run (SQLAlchemy keeps them in a
# set), and the file must not. Views (none yet) would come last, in their order.
_SCHEMA_STATEMENTS = """
    SELECT sql FROM sqlite_master
    WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
    ORDER BY
        CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 WHEN 'trigger' THEN 2 ELSE 3 END,
        CASE WHEN type IN ('index', 'trigger') THEN name END,
        rowid
"""


@dataclass(frozen=True)
class Snapshot:
    version: int
    oldest_code_version: int
    statements: tuple[str, ...]


@cache
def snapshot() -> Snapshot:
    """The statements of ``fresh_sqlite.sql``, read once per process."""
    return parse(SNAPSHOT_FILE.read_text(encoding="utf-8"))


def parse(text: str) -> Snapshot:
    """The header's two numbers and each statement, without its closing semicolon."""
    lines = text.splitlines(keepends=True)
    fields: dict[str, int] = {}
    while lines and lines[0].startswith("--"):
        name, _, value = lines.pop(0)[2:].partition(":")
        if value.strip().isdigit():
            fields[name.strip()] = int(value)
    statements = []
    pending = ""
    for line in lines:
        if not pending and not line.strip():
            continue  # the blank line between two statements
        pending += line
        if line.rstrip().endswith(";") and sqlite3.complete_statement(pending):
            statements.append(pending.rstrip("\n").removesuffix(";"))
            pending = ""
    if pending.strip() or "version" not in fields or "oldest_code_version" not in fields:
        raise ValueError(f"{SNAPSHOT_FILE.name} is not a schema snapshot")
    return Snapshot(fields["version"], fields["oldest_code_version"], tuple(statements))


def render(version: int, oldest_code_version: int, statements: list[str]) -> str:
    """The file's text for these statements (as ``schema_statements`` reads them)."""
    body = "".join(f"\n{statement};\n" for statement in statements)
    return _HEADER.format(version=version, oldest=oldest_code_version) + body


def is_empty(connection: Connection) -> bool:
    """Nothing at all in the database: no table, index, trigger or view."""
    return not connection.exec_driver_sql("SELECT 1 FROM sqlite_master LIMIT 1").first()


def schema_statements(connection: Connection) -> list[str]:
    """What ``sqlite_master`` holds, in an order to make it in; SQLite's own tables (made
    with the tables that need them) left out."""
    return [str(sql) for sql in connection.exec_driver_sql(_SCHEMA_STATEMENTS).scalars()]


def replay(connection: Connection, statements: tuple[str, ...]) -> None:
    """Run the statements on the connection's own driver cursor, in its transaction: each
    goes to SQLite as it is, with no parameters, so SQLAlchemy has nothing to add."""
    cursor = connection.connection.cursor()
    try:
        for statement in statements:
            cursor.execute(statement)
    finally:
        cursor.close()


def write_snapshot(path: Path = SNAPSHOT_FILE) -> str:
    """Migrate a new SQLite database step by step and write what it holds to ``path``."""
    from rubdown.store.engine import create_engine
    from rubdown.store.migrations import migrate, read_oldest_code_version, read_version

    with tempfile.TemporaryDirectory() as folder:
        engine = create_engine(sa.make_url(f"sqlite:///{folder}/fresh.sqlite3"))
        try:
            migrate(engine, from_snapshot=False)
            with engine.connect() as connection:
                text = render(
                    read_version(connection),
                    read_oldest_code_version(connection),
                    schema_statements(connection),
                )
        finally:
            engine.dispose()
    path.write_text(text, encoding="utf-8")
    return text


if __name__ == "__main__":
    write_snapshot()
    sys.stdout.write(f"wrote {SNAPSHOT_FILE}\n")
