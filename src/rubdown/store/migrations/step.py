"""What a migration is, and the tools its steps share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.schema import CreateColumn


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    apply: Callable[[Connection], None]
    # Additive: only adds tables, columns with defaults or indexes, so code of the version
    # before still runs on the result (``rubdown db upgrade`` while the old servers serve).
    # Anything else (a rename, a drop, a new NOT NULL without default, rows rewritten in a
    # way old code misreads) is not, and old code refuses the database once it is applied.
    # Every migration from 10 on says which it is; the default is the safe answer.
    additive: bool = False


def add_column(connection: Connection, table: str, column: sa.Column[Any]) -> None:
    """``ALTER TABLE table ADD COLUMN``, with the column's type spelled for the database in
    use. A NOT NULL column needs a ``server_default`` for the rows already there."""
    sa.Table(table, sa.MetaData(), column)  # CreateColumn needs the column in a table
    quote = connection.dialect.identifier_preparer.quote
    column_sql = CreateColumn(column).compile(dialect=connection.dialect)
    connection.exec_driver_sql(f"ALTER TABLE {quote(table)} ADD COLUMN {column_sql}")


def owner_column() -> sa.Column[str]:
    """The owner column every personal table has had since migration 1; it never changes."""
    return sa.Column(
        "owner_id", sa.Text, sa.ForeignKey("runners.id", ondelete="CASCADE"), nullable=False
    )
