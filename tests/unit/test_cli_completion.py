"""Shell completion (``_RUBDOWN_COMPLETE=bash_source rubdown``) offers the names rubdown takes."""

from __future__ import annotations

import os
import subprocess
import sys

from click.shell_completion import ShellComplete

from rubdown.cli.main import cli
from rubdown.domain.model import Priority, SessionKind, WorkoutKind
from rubdown.domain.regions import parse_region


def completions(args: list[str], incomplete: str) -> list[str]:
    complete = ShellComplete(cli, {}, "rubdown", "_RUBDOWN_COMPLETE")
    return [item.value for item in complete.get_completions(args, incomplete)]


def test_a_session_kind_completes_to_every_kind() -> None:
    offered = completions(["check", "--date", "2027-01-20", "--kind"], "")
    assert offered == [kind.value for kind in SessionKind]


def test_a_kind_completes_from_what_is_typed() -> None:
    offered = completions(["workout", "add", "--kind"], "t")
    assert offered == [k.value for k in WorkoutKind if k.value.startswith("t")]
    assert offered


def test_a_priority_completes_in_either_case() -> None:
    assert completions(["race", "add", "--priority"], "") == ["A", "B", "C"]
    assert completions(["race", "add", "--priority"], "b") == [Priority.B.value]


def test_regions_complete_the_last_name_of_the_list() -> None:
    offered = completions(["check", "--regions"], "calf,left-h")
    assert offered == ["calf,left-hamstring", "calf,left-heel", "calf,left-hip-flexor"]
    for value in offered:
        parse_region(value.split(",")[-1])  # each one is a name the option accepts


def test_one_region_completes_with_its_sides() -> None:
    offered = completions(["injury", "start", "--region"], "")
    assert "low-back" in offered
    assert "left-calf" in offered
    assert "left-low-back" not in offered  # the low back has no sides


def test_the_shell_script_comes_from_the_documented_variable() -> None:
    env = {**os.environ, "_RUBDOWN_COMPLETE": "bash_source"}
    done = subprocess.run(
        [sys.executable, "-m", "rubdown"], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "_RUBDOWN_COMPLETE=bash_complete" in done.stdout
    assert "complete " in done.stdout
