"""``rubdown admin user ...`` and ``rubdown db upgrade`` as a person types them, and
``rubdown serve --server``'s refusals: one line each, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from rubdown.store import LATEST_VERSION, normalise_url
from rubdown.store.engine import create_engine
from rubdown.store.migrations import MIGRATIONS, migrate
from tests.e2e.cli import TIMEOUT_SECONDS, Result, rubdown
from tests.pg import fresh_postgres_url

PASSWORD = "correct horse battery"


def typed(home: Path, *args: str, stdin: str = "", env: dict[str, str] | None = None) -> Result:
    """The command with ``stdin`` typed in (``rubdown`` in tests.e2e.cli gives it none)."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("RUBDOWN_")}
    environment.update(TZ="UTC", NO_COLOR="1", PYTHONUTF8="1", **(env or {}))
    completed = subprocess.run(
        [sys.executable, "-m", "rubdown", "--home", str(home), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        env=environment,
        check=False,
    )
    return Result(completed.returncode, completed.stdout, completed.stderr)


def test_users_are_added_listed_and_disabled_on_a_local_home(tmp_path: Path) -> None:
    home = tmp_path / "home"
    added = typed(
        home, "admin", "user", "add", "--email", "Ana@Example.org", "--role", "runner",
        "--password-stdin", stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert added.code == 0, added.err
    assert added.out == "added runner ana@example.org\n"

    twice = typed(
        home, "admin", "user", "add", "--email", "ana@example.org", "--role", "admin",
        "--password-stdin", stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert twice.error_line() == "rubdown: error: ana@example.org already has an account"

    short = typed(
        home, "admin", "user", "add", "--email", "bo@example.org", "--role", "runner",
        "--password-stdin", stdin="short\n",
    )  # fmt: skip
    assert short.error_line() == "rubdown: error: a password needs at least 10 characters"

    disabled = typed(home, "admin", "user", "disable", "--email", "ana@example.org")
    assert disabled.out == "disabled ana@example.org; its sessions have ended\n"
    users = typed(home, "admin", "user", "list", "--json").document()["users"]
    assert [(user["email"], user["role"]) for user in users] == [("ana@example.org", "runner")]
    assert users[0]["disabled_at"] is not None

    unknown = typed(home, "admin", "user", "disable", "--email", "nobody@example.org")
    assert unknown.error_line() == "rubdown: error: no account for nobody@example.org"


def test_an_invitation_prints_a_single_use_link_on_the_public_url(tmp_path: Path) -> None:
    invited = typed(
        tmp_path / "home", "admin", "user", "add", "--email", "bo@example.org",
        "--role", "therapist", "--invite", "--public-url", "https://runs.example.org/",
    )  # fmt: skip
    assert invited.code == 0, invited.err
    assert invited.out.startswith("invited therapist bo@example.org: send them this link")
    assert invited.out.splitlines()[-1].startswith("https://runs.example.org/invite/")


def test_help_loads_neither_argon2_nor_the_store() -> None:
    probe = (
        "import sys\n"
        "from rubdown.cli.main import main\n"
        "try:\n    main(['admin', 'user', 'add', '--help'])\n"
        "except SystemExit:\n    pass\n"
        "print(sorted(m for m in ('argon2', 'sqlalchemy') if m in sys.modules))"
    )
    completed = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert completed.stdout.splitlines()[-1] == "[]"


def test_server_mode_refuses_sqlite_with_one_line(tmp_path: Path) -> None:
    refused = rubdown(["serve", "--server"], home=tmp_path / "home")
    assert refused.error_line().startswith("rubdown: error: server mode needs PostgreSQL")
    with_env = rubdown(["serve"], home=tmp_path / "home", env={"RUBDOWN_SERVER": "1"})
    assert with_env.error_line().startswith("rubdown: error: server mode needs PostgreSQL")


@pytest.mark.postgres
def test_server_mode_refuses_a_database_behind_it_until_db_upgrade(tmp_path: Path) -> None:
    with fresh_postgres_url() as url:
        engine = create_engine(sa.make_url(normalise_url(url)))
        try:
            migrate(engine, MIGRATIONS[:9])
        finally:
            engine.dispose()
        env = {"RUBDOWN_DATABASE_URL": url}

        refused = rubdown(["serve", "--server", "--port", "0"], home=tmp_path / "home", env=env)
        line = refused.error_line()
        assert "is at schema version 9, behind this rubdown" in line
        assert line.endswith("run rubdown db upgrade first")

        upgraded = rubdown(["db", "upgrade"], home=tmp_path / "home", env=env)
        assert upgraded.code == 0, upgraded.err
        lines = upgraded.out.splitlines()
        assert lines[0].endswith(f"from schema version 9 to {LATEST_VERSION}:")
        assert lines[1].startswith("  10: add accounts")
        again = rubdown(["db", "upgrade", "--json"], home=tmp_path / "home", env=env).document()
        assert (again["before"], again["after"], again["applied"]) == (
            LATEST_VERSION,
            LATEST_VERSION,
            [],
        )
