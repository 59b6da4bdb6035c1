"""End-to-end fixtures: the real command in a subprocess, a temporary home, a seeded season.

A seeded season costs several command starts, so each storage kind (SQLite, PostgreSQL) is
seeded once per test session and shared by the tests that only read it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.e2e.cli import Result, Season, Storage, rubdown
from tests.pg import fresh_postgres_url

# The sample season; "today" is Monday 2027-01-04 (see cli.TODAY).
A_RACE = ("Spring Marathon", "2027-03-14")  # a Sunday
B_RACE = ("Harbour Half", "2027-02-14")  # a Sunday
C_RACE = ("Park 10K", "2027-01-24")  # a Sunday
A_RACE_START = "08:30"

SEEDING: dict[str, list[str]] = {
    "profile": [
        "profile",
        "set",
        "--policy",
        "standard",
        "--frequency",
        "biweekly",
        "--budget-per-month",
        "200",
        "--session-price",
        "80",
        "--owns",
        "roller,stick",
    ],
    "race A": [
        "race",
        "add",
        "--name",
        A_RACE[0],
        "--date",
        A_RACE[1],
        "--priority",
        "A",
        "--distance-km",
        "42.195",
        "--start",
        A_RACE_START,
    ],
    "race B": [
        "race",
        "add",
        "--name",
        B_RACE[0],
        "--date",
        B_RACE[1],
        "--priority",
        "B",
        "--distance-km",
        "21.1",
    ],
    "race C": [
        "race",
        "add",
        "--name",
        C_RACE[0],
        "--date",
        C_RACE[1],
        "--priority",
        "C",
        "--distance-km",
        "10",
    ],
    "long run": [
        "workout",
        "add",
        "--date",
        "2027-03-06",
        "--kind",
        "long",
        "--duration-min",
        "120",
    ],
    "intervals": [
        "workout",
        "add",
        "--date",
        "2027-03-03",
        "--kind",
        "intervals",
        "--duration-min",
        "60",
    ],
}


def seed_season(storage: Storage) -> Season:
    """Profile, an A, a B and a C race, two hard workouts: each through the command, with
    ``--json``, each printing one JSON document."""
    seeded = {}
    for step, args in SEEDING.items():
        result = storage.run(*args, "--json")
        assert result.code == 0, f"seeding {step!r} failed: {result.err}"
        seeded[step] = result.document()
    return Season(storage, seeded)


class Seasons:
    """One seeded season per storage kind, made on first use, dropped at the session's end."""

    def __init__(self, root: Path) -> None:
        self._root = root
        self._made: dict[str, Season] = {}
        self._stack = ExitStack()

    def get(self, kind: str) -> Season:
        if kind not in self._made:
            home = self._root / f"{kind}-{uuid.uuid4().hex[:8]}"
            if kind == "postgres":
                # Skips (or, with CI=true, fails) the test when the server is unusable.
                storage = Storage(kind, home, self._stack.enter_context(fresh_postgres_url()))
            else:
                storage = Storage.sqlite(home)
            self._made[kind] = seed_season(storage)
        return self._made[kind]

    def close(self) -> None:
        self._stack.close()


STORAGE_KINDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session")
def seasons(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seasons]:
    made = Seasons(tmp_path_factory.mktemp("seasons"))
    try:
        yield made
    finally:
        made.close()


@pytest.fixture(params=STORAGE_KINDS)
def season(request: pytest.FixtureRequest, seasons: Seasons) -> Season:
    """The seeded season, on SQLite and on a fresh PostgreSQL schema."""
    return seasons.get(request.param)


@pytest.fixture(params=STORAGE_KINDS)
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Storage]:
    """An empty runner's home of each kind, one per test, for the tests that change it."""
    home = tmp_path / f"home-{uuid.uuid4().hex[:8]}"
    if request.param == "sqlite":
        yield Storage.sqlite(home)
        return
    with fresh_postgres_url() as url:
        yield Storage("postgres", home, url)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """An empty runner's home (SQLite), not created yet."""
    return tmp_path / "home"


@pytest.fixture
def run(home: Path, tmp_path: Path) -> Callable[..., Result]:
    """``run(*args, cwd=None)`` -> (exit code, stdout, stderr) of ``rubdown --home HOME ARGS``."""

    def run_rubdown(*args: str, cwd: Path | None = None) -> Result:
        return rubdown(args, home=home, cwd=cwd or tmp_path)

    return run_rubdown
