"""Schema versions, from the first release on.

The table ``rubdown_schema`` holds one row: the version the database is at. ``MIGRATIONS``
lists every step in order, one module each (``v001_first_schema.py`` ..., loaded when first
needed); opening a store applies the ones still pending, each in its own transaction
together with the version bump, so a failed step leaves the previous version intact. A
database from a newer rubdown is refused rather than half understood. An empty SQLite
database (a new home) is made in one transaction from the schema the steps leave, kept in
``fresh_sqlite.sql`` (``fresh.py``); every other database goes step by step.

Rules for writing a migration:
- never edit one that has been released; add the next version instead, as a module
  ``vNNN_what_it_does.py`` whose ``MIGRATION`` carries that number, named in
  ``_STEP_MODULES`` below;
- describe tables inside the migration (as ``v001_first_schema`` does), never import them
  from ``schema.py``, which follows the latest version;
- use SQLAlchemy Core or ``add_column`` so the step runs on SQLite and PostgreSQL alike,
  and update ``schema.py`` to match;
- then write the snapshot again: ``python -m rubdown.store.migrations.fresh`` (a test fails
  until it is).
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable, Sequence
from functools import cache

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from rubdown.errors import StoreError
from rubdown.store.columns import UtcDateTime
from rubdown.store.engine import WRITE_OPTION
from rubdown.store.migrations.step import Migration, add_column

__all__ = [
    "LATEST_VERSION",
    "MIGRATIONS",
    "VERSION_TABLE",
    "Migration",
    "MigrationFailed",
    "add_column",
    "all_migrations",
    "migrate",
    "read_oldest_code_version",
    "read_version",
]

# Every step's module, in order; a test checks the versions run 1..N and match the names.
# They load only when a step is to run (``all_migrations``): a database already at the
# latest version, or a new SQLite home made from the snapshot, needs none of them, and
# loading all fifteen cost every process that opens the store some 13 ms of CPU.
_STEP_MODULES = (
    "v001_first_schema",
    "v002_activities_and_wellness",
    "v003_loads_checkins_injuries_routines",
    "v004_feed_secrets",
    "v005_data_version",
    "v006_therapist_hours",
    "v007_pins_and_race_sequences",
    "v008_prices_patterns_and_signs",
    "v009_loads_pending",
    "v010_accounts",
    "v011_grants_and_access_log",
    "v012_import_queue_and_kept_originals",
    "v013_clinic",
    "v014_clinic_team",
    "v015_clinic_feeds",
)

LATEST_VERSION = len(_STEP_MODULES)


@cache
def all_migrations() -> tuple[Migration, ...]:
    """Every step, in order (``MIGRATIONS``), their modules loaded on the first call."""
    modules = (importlib.import_module(f"{__name__}.{name}") for name in _STEP_MODULES)
    return tuple(module.MIGRATION for module in modules)


def __getattr__(name: str) -> tuple[Migration, ...]:
    """``MIGRATIONS``: ``all_migrations()``, loaded when first asked for."""
    if name == "MIGRATIONS":
        return all_migrations()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


VERSION_TABLE = "rubdown_schema"

# From migration 10 on, the version table also says the oldest code version (the last
# migration that code knows) that can still run on the database: a server one release
# behind keeps serving while ``rubdown db upgrade`` adds what the next release needs.
OLDEST_CODE_SINCE = 10

# Two processes opening a fresh PostgreSQL database at once must not both run migration 1;
# the transaction-scoped advisory lock makes the second wait and then find nothing to do.
# (SQLite gets the same from BEGIN IMMEDIATE.) The number is arbitrary but fixed: "rubd".
_POSTGRES_MIGRATION_LOCK = 0x72756264


def _version_table(metadata: sa.MetaData) -> sa.Table:
    return sa.Table(
        VERSION_TABLE,
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),  # always 1
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("migrated_at", UtcDateTime, nullable=False),
    )


_version = _version_table(sa.MetaData())
_oldest = sa.table(VERSION_TABLE, sa.column("id"), sa.column("oldest_code_version"))


def migrate(
    engine: Engine,
    migrations: Sequence[Migration] | None = None,
    *,
    clock: Callable[[], dt.datetime] | None = None,
    from_snapshot: bool = True,
) -> int:
    """Bring the database to the last version in ``migrations`` (all of them when None);
    returns that version.

    An empty SQLite database is made from the snapshot of the schema the steps leave
    (``migrations.fresh``) when ``migrations`` begin with the steps it was taken after, and
    ``from_snapshot`` is left on; only the steps after it then run.

    Raises StoreError if the database is newer than ``migrations`` know, and
    MigrationFailed (naming the step) if a step raises; that step is rolled back whole.
    """
    latest = _last_version(migrations)
    now = clock or (lambda: dt.datetime.now(dt.UTC))
    with engine.connect() as connection:
        current = read_version(connection)
    _refuse_newer(current, latest)
    if current == 0 and from_snapshot and _snapshot_covers(engine, migrations):
        current = _create_from_snapshot(engine, now())
    if current < latest and migrations is None:
        migrations = all_migrations()
    while current < latest:
        assert migrations is not None  # loaded above whenever a step is left to run
        with engine.connect() as connection:
            connection.execution_options(**{WRITE_OPTION: True})
            with connection.begin():
                _lock(connection)
                # Re-read under the lock: another process may have migrated meanwhile.
                current = read_version(connection)
                _refuse_newer(current, latest)
                step = next((m for m in migrations if m.version > current), None)
                if step is None:
                    break
                try:
                    step.apply(connection)
                    _write_version(connection, step, now())
                except Exception as error:
                    raise MigrationFailed(step, error) from error
                current = step.version
    return current


def _last_version(migrations: Sequence[Migration] | None) -> int:
    if migrations is None:
        return LATEST_VERSION
    return migrations[-1].version if migrations else 0


def _snapshot_covers(engine: Engine, migrations: Sequence[Migration] | None) -> bool:
    """The snapshot can stand for the first steps of ``migrations`` (all of them when None):
    SQLite, and the steps it was taken after are these (not a test's own list, nor one that
    stops short of it)."""
    if engine.dialect.name != "sqlite":
        return False
    # Here, not at the top: ``python -m rubdown.store.migrations.fresh`` runs that module.
    from rubdown.store.migrations import fresh

    version = fresh.snapshot().version
    if migrations is None:
        return version <= LATEST_VERSION
    covered = tuple(migrations[:version])
    return len(covered) == version and covered == all_migrations()[:version]


def _create_from_snapshot(engine: Engine, now: dt.datetime) -> int:
    """Replay the snapshot into the database if it is still empty once locked (another
    process may have made it meanwhile); returns the version the database is then at."""
    from rubdown.store.migrations import fresh

    made = fresh.snapshot()
    with engine.connect() as connection:
        connection.execution_options(**{WRITE_OPTION: True})
        with connection.begin():
            current = read_version(connection)
            if current > 0 or not fresh.is_empty(connection):
                return current  # someone else's, or not ours to touch: the steps decide
            try:
                fresh.replay(connection, made.statements)
                connection.execute(
                    _version.insert().values(id=1, version=made.version, migrated_at=now)
                )
                connection.execute(
                    _oldest.update()
                    .where(_oldest.c.id == 1)
                    .values(oldest_code_version=made.oldest_code_version)
                )
            except Exception as error:
                # Still empty, as the first step's failure would leave it: named after it.
                raise MigrationFailed(all_migrations()[0], error) from error
    return made.version


class MigrationFailed(Exception):
    """A migration step raised; carries the step so the message can name it."""

    def __init__(self, step: Migration, error: Exception) -> None:
        super().__init__(f"migration {step.version} ({step.description}) failed: {error}")
        self.step = step
        self.error = error


def read_version(connection: Connection) -> int:
    """The schema version of the database; 0 for an empty one."""
    if not sa.inspect(connection).has_table(VERSION_TABLE):
        return 0
    version = connection.execute(sa.select(sa.func.max(_version.c.version))).scalar_one()
    return int(version or 0)


def read_oldest_code_version(connection: Connection) -> int:
    """The oldest code version that can run on the database: its own version until
    migration 10 added the column (no older code was told which steps were additive)."""
    version = read_version(connection)
    if version < OLDEST_CODE_SINCE:
        return version
    oldest = connection.execute(sa.select(sa.func.max(_oldest.c.oldest_code_version)))
    return int(oldest.scalar_one() or version)


def _refuse_newer(current: int, latest: int) -> None:
    if current > latest:
        raise StoreError(
            f"database schema version {current} is newer than this rubdown supports"
            f" ({latest}); upgrade rubdown"
        )


def _lock(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(
            sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _POSTGRES_MIGRATION_LOCK}
        )


def _write_version(connection: Connection, step: Migration, now: dt.datetime) -> None:
    version = step.version
    _version.create(connection, checkfirst=True)
    updated = connection.execute(
        _version.update().where(_version.c.id == 1).values(version=version, migrated_at=now)
    )
    if updated.rowcount == 0:
        connection.execute(_version.insert().values(id=1, version=version, migrated_at=now))
    if version > OLDEST_CODE_SINCE and not step.additive:
        # Code that does not know this step would misread the result: it must refuse.
        connection.execute(
            _oldest.update().where(_oldest.c.id == 1).values(oldest_code_version=version)
        )
