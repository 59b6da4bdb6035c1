"""``rubdown clinic``'s --therapist: a subcommand's help answers without it, a command without
it is refused in one line before any database is touched, and RUBDOWN_THERAPIST stands in."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.cli import rubdown
from tests.support.cli_users import add_user_by_command


@pytest.mark.parametrize("command", ["book", "week", "notes", "team"])
def test_a_clinic_subcommands_help_answers_without_a_therapist(command: str) -> None:
    result = rubdown(["clinic", command, "--help"], home=None)
    assert result.code == 0, result.err
    assert f"Usage: rubdown clinic {command}" in result.out


def test_a_clinic_command_without_a_therapist_is_refused_in_one_line_and_makes_no_home(
    tmp_path: Path,
) -> None:
    home = tmp_path / "never-made"
    line = rubdown(["clinic", "client", "list"], home=home).error_line()
    assert "--therapist EMAIL" in line
    assert not home.exists()


def test_the_therapist_may_be_named_by_the_environment(tmp_path: Path) -> None:
    home = tmp_path / "home"
    add_user_by_command(home, "theo@example.org")
    env = {"RUBDOWN_THERAPIST": "theo@example.org"}
    assert rubdown(["clinic", "client", "list", "--json"], home=home, env=env).document() == {
        "clients": []
    }
