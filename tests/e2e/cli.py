"""Running the real ``rubdown`` command in a subprocess, and reading back what it stored.

Every run pins ``RUBDOWN_TODAY`` (a Monday) and the machine's zone, so answers do not depend
on the day the tests run; ``RUBDOWN_*`` settings of the calling shell are never passed on.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from rubdown.store import sqlite_url_for_home

TODAY = "2027-01-04"  # a Monday
TIMEOUT_SECONDS = 120


class Result(NamedTuple):
    """One run of the command: (exit code, stdout, stderr)."""

    code: int
    out: str
    err: str

    def document(self) -> Any:
        """stdout of a successful run as exactly one JSON document."""
        assert self.code == 0, f"exit {self.code}; stderr: {self.err!r}"
        return self.json()

    def json(self) -> Any:
        """stdout as exactly one JSON document: ``json.loads`` rejects anything after it."""
        assert self.out.strip(), f"nothing on stdout; stderr: {self.err!r}"
        try:
            return json.loads(self.out)
        except json.JSONDecodeError as error:
            message = f"stdout is not one JSON document ({error}):\n{self.out}"
            raise AssertionError(message) from None

    def error_line(self) -> str:
        """The one line a failed run wrote to stderr, after checking it failed cleanly."""
        assert self.code != 0, f"exit 0 for bad input; stdout: {self.out!r}"
        assert "Traceback" not in self.err + self.out, self.err
        lines = self.err.splitlines()
        assert len(lines) == 1, f"expected one line on stderr, got {len(lines)}:\n{self.err}"
        return lines[0]


def rubdown(
    args: Sequence[str],
    *,
    home: Path | None,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    prefix: Sequence[str] = (),
) -> Result:
    """Run ``python -m rubdown [--home HOME] ARGS`` and collect what it printed."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("RUBDOWN_")}
    environment.update(RUBDOWN_TODAY=TODAY, TZ="UTC", COLUMNS="200", NO_COLOR="1", PYTHONUTF8="1")
    environment.update(env or {})
    command = [*prefix, sys.executable, "-m", "rubdown"]
    if home is not None:
        command += ["--home", str(home)]
    completed = subprocess.run(
        [*command, *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=TIMEOUT_SECONDS,
        cwd=cwd,
        env=environment,
        check=False,
    )
    return Result(completed.returncode, completed.stdout, completed.stderr)


def stored_rows(database_url: str) -> dict[str, list[str]]:
    """Every row of every table in the database, sorted: the full stored state."""
    url = sa.make_url(database_url)
    if url.get_backend_name() == "sqlite" and not Path(url.database or "").exists():
        return {}
    engine = sa.create_engine(url, poolclass=NullPool)
    try:
        metadata = sa.MetaData()
        metadata.reflect(engine)
        with engine.connect() as connection:
            return {
                name: sorted(repr(tuple(row)) for row in connection.execute(sa.select(table)))
                for name, table in sorted(metadata.tables.items())
            }
    finally:
        engine.dispose()


def assert_unchanged(before: dict[str, list[str]], after: dict[str, list[str]]) -> None:
    """Fail naming the tables whose rows differ, and showing those rows."""
    tables = sorted(before.keys() | after.keys())
    changed = [name for name in tables if before.get(name) != after.get(name)]
    details = "\n".join(f"{name}: {before.get(name)} -> {after.get(name)}" for name in changed)
    assert not changed, f"stored rows changed in {', '.join(changed)}:\n{details}"


@dataclass(frozen=True)
class Storage:
    """One runner's home: a SQLite file in ``home``, or a PostgreSQL schema."""

    kind: str  # "sqlite" or "postgres"
    home: Path
    database_url: str

    @classmethod
    def sqlite(cls, home: Path) -> Storage:
        return cls("sqlite", home, sqlite_url_for_home(home))

    @property
    def env(self) -> dict[str, str]:
        return {"RUBDOWN_DATABASE_URL": self.database_url} if self.kind == "postgres" else {}

    def run(self, *args: str, cwd: Path | None = None) -> Result:
        return rubdown(args, home=self.home, env=self.env, cwd=cwd or self.home.parent)

    def stored(self) -> dict[str, list[str]]:
        return stored_rows(self.database_url)


@dataclass
class Season:
    """A seeded runner (see ``conftest.seed_season``) and the JSON each seeding step printed."""

    storage: Storage
    seeded: dict[str, Any]
    _runs: dict[tuple[str, ...], Result] = field(default_factory=dict)

    def once(self, *args: str) -> Result:
        """Run a command that changes nothing the season holds, once per test session."""
        if args not in self._runs:
            self._runs[args] = self.storage.run(*args)
        return self._runs[args]


@cache
def network_isolation() -> tuple[str, ...]:
    """``unshare -n`` (a private network namespace with no way out) when this machine allows
    it, so a run proves it needs no network; otherwise nothing."""
    try:
        probe = subprocess.run(["unshare", "-n", "true"], capture_output=True, check=False)
    except OSError:
        return ()
    return ("unshare", "-n") if probe.returncode == 0 else ()
