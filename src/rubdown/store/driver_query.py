"""One SELECT on the hot path of every cached read, run on the driver's own cursor.

Through SQLAlchemy a one-row read costs about 90 µs on SQLite: a ``Connection``, the
transaction it begins (``BEGIN``, then ``ROLLBACK`` when it is handed back) and the result
machinery. The web app asks for the runner's data version on every plan read (see
``Store.version_stamp``), where that is most of the request's database time. Compiled once
for the engine's database and run on the pooled driver connection it takes about 12 µs:
a single SELECT needs no transaction around it, as it sees one committed state on its own.
On PostgreSQL the query runs in autocommit for the same reason, which spares the round trips
of BEGIN and of the ROLLBACK the pool sends when the connection comes back (810 -> 370 µs
on loopback). Only for statements whose columns need no SQLAlchemy type processing (plain
integers, text).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine


class DriverQuery:
    """``statement`` compiled for ``engine``'s database; ``first(**params)`` runs it."""

    def __init__(self, statement: sa.Select[Any], engine: Engine) -> None:
        compiled = statement.compile(dialect=engine.dialect)
        self._sql = str(compiled)
        # The driver's parameter style: positional ("?", SQLite) or named ("%(x)s", psycopg).
        self._positions: list[str] | None = (
            list(compiled.positiontup) if compiled.positiontup is not None else None
        )
        self._engine = engine
        # SQLite connections are in autocommit already (``engine._prepare_sqlite_connection``).
        self._autocommit = engine.dialect.name == "postgresql"
        self.driver_error: type[Exception] = engine.dialect.loaded_dbapi.Error

    def first(self, **params: Any) -> tuple[Any, ...] | None:
        """The first row, or None. Raises ``SQLAlchemyError`` when no connection can be had
        and the driver's own ``driver_error`` when the query fails."""
        args: Any = params if self._positions is None else [params[n] for n in self._positions]
        connection = self._engine.raw_connection()
        try:
            driver = connection.driver_connection
            if self._autocommit:
                driver.autocommit = True  # type: ignore[union-attr]
            try:
                cursor = connection.cursor()
                try:
                    cursor.execute(self._sql, args)
                    row = cursor.fetchone()
                finally:
                    cursor.close()
            finally:
                if self._autocommit:
                    driver.autocommit = False  # type: ignore[union-attr]
        finally:
            connection.close()  # back to the pool, which ends any transaction the driver began
        return None if row is None else tuple(row)
