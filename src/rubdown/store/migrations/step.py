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
