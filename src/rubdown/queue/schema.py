"""procrastinate's tables and functions, applied by ``rubdown db upgrade``.

They are procrastinate's own (its ``schema.sql``), applied whole to a database that has none
of them, in one transaction, under an advisory lock so two upgrades at once apply it once.
They live in the schema the URL's ``search_path`` names first, beside rubdown's tables. A
later procrastinate that changes them ships migration files of its own
(``procrastinate.schema.migrations_path``); the pin on procrastinate in ``pyproject.toml``
keeps them from changing under a running server.
"""

from __future__ import annotations

import sqlalchemy as sa
from procrastinate.schema import SchemaManager
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from rubdown.errors import StoreError
from rubdown.store.engine import reason

QUEUE_TABLE = "procrastinate_jobs"
# Any fixed number: "rubq".
_LOCK = 0x72756271


def has_queue_schema(engine: Engine) -> bool:
    with engine.connect() as connection:
        return sa.inspect(connection).has_table(QUEUE_TABLE)


def ensure_queue_schema(engine: Engine) -> bool:
    """Apply procrastinate's schema unless it is there; True when it was applied now."""
    try:
        with engine.begin() as connection:
            connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK})
            if sa.inspect(connection).has_table(QUEUE_TABLE):
                return False
            # Run by psycopg as it is, without parameters, so its "%" stay as written.
            driver = connection.connection.driver_connection
            assert driver is not None
            driver.execute(SchemaManager.get_schema())
            return True
    except SQLAlchemyError as error:
        raise StoreError(f"cannot set up the import queue's tables: {reason(error)}") from None
