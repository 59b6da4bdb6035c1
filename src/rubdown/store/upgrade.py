"""Schema versions for servers: ``rubdown db upgrade`` migrates, the servers only check.

In local mode opening a store migrates it (``store.connect``): one process, one runner. A
server is upgraded in place while it serves, so there the processes never migrate on their
own. Opening the store checks instead:

- a database *behind* this rubdown is refused with one line naming ``rubdown db upgrade``;
- a database *ahead* of it is accepted while every newer migration only added (the version
  table's ``oldest_code_version`` is at most this rubdown's latest), so the old servers keep
  serving during a rolling upgrade, and refused with one line once one did not.

Why per-version steps and not Alembic: the steps in ``store.migrations`` already run each in
its own transaction with the version bump under a PostgreSQL advisory lock, on SQLite and
PostgreSQL alike, and a test checks the result against ``schema.py``. What a rolling upgrade
needs in addition is the additive flag and the oldest-code column, not autogeneration, and
Alembic's revision graph would add a second history to keep in step with the first.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Connection

from rubdown.errors import StoreError
from rubdown.store.migrations import (
    LATEST_VERSION,
    all_migrations,
    read_oldest_code_version,
    read_version,
)

UPGRADE_COMMAND = "rubdown db upgrade"


@dataclass(frozen=True)
class Upgrade:
    """What ``rubdown db upgrade`` did: the version before and after, and each step run."""

    shown_url: str  # without the password
    before: int
    after: int
    applied: tuple[tuple[int, str], ...]  # (version, description)
    latest: int = LATEST_VERSION


def refusal(connection: Connection, shown: str, latest: int = LATEST_VERSION) -> str | None:
    """Why this rubdown must not serve from the database at ``shown``; None when it may."""
    version = read_version(connection)
    if version < latest:
        return (
            f"the database at {shown} is at schema version {version}, behind this rubdown"
            f" ({latest}): run {UPGRADE_COMMAND} first"
        )
    if version > latest:
        oldest = read_oldest_code_version(connection)
        if oldest > latest:
            return (
                f"the database at {shown} is at schema version {version}, which rubdown needs"
                f" at least schema {oldest} to run on (this one knows {latest}): upgrade rubdown"
            )
    return None


def check(connection: Connection, shown: str) -> None:
    reason = refusal(connection, shown)
    if reason is not None:
        raise StoreError(reason)


def described(before: int, after: int) -> tuple[tuple[int, str], ...]:
    return tuple(
        (step.version, step.description)
        for step in all_migrations()
        if before < step.version <= after
    )
