"""The command line loads a command's module, and its heavy libraries, only when it runs.

Checked by what a fresh interpreter holds in ``sys.modules`` afterwards, not by timing: a
stray top-level import of SQLAlchemy or OR-Tools shows up here on any machine.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import click

from rubdown.cli import main as cli_main

HEAVY = ("sqlalchemy", "ortools", "numpy", "pandas", "icalendar", "rich", "fastapi")

# Runs ``rubdown ARGS`` in this interpreter, then prints which top-level packages and which
# rubdown modules it loaded, as JSON on the last line.
PROBE = """
import json, sys
from rubdown.cli.main import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)))
"""


def loaded_by(*args: str, home: Path | None = None) -> set[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RUBDOWN_")}
    env.update(RUBDOWN_TODAY="2027-01-04", TZ="UTC", COLUMNS="80")
    if home is not None:
        env["RUBDOWN_HOME"] = str(home)
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )
    assert done.stdout.strip(), done.stderr
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def top_level(modules: set[str]) -> set[str]:
    return {name.split(".")[0] for name in modules}


def test_help_version_and_a_mistyped_flag_load_no_command_and_no_heavy_library() -> None:
    for args in (["--help"], ["--version"], ["--nope"]):
        modules = loaded_by(*args)
        assert not top_level(modules) & set(HEAVY), args
        assert not {m for m in modules if m.startswith("rubdown.cli.commands_")}, args
        assert "rubdown.store" not in modules, args


def test_check_loads_neither_the_optimiser_nor_the_importers(tmp_path: Path) -> None:
    modules = loaded_by("check", "--date", "2027-01-20", "--kind", "sports", home=tmp_path)
    assert "rubdown.services.planning" in modules  # it did run the check
    assert not top_level(modules) & {"ortools", "pandas", "numpy", "icalendar"}
    assert not {m for m in modules if m.startswith("rubdown.importers")}
    assert "rubdown.cli.commands_import" not in modules


def test_group_help_lists_each_command_with_its_own_short_help() -> None:
    """The listing comes from ``COMMANDS`` without loading; loaded, each command must say the
    same, so ``rubdown --help`` reads exactly as it would with every command imported."""
    main = cli_main.cli
    # A group of its own, so that no command is loaded yet whatever ran before in this process.
    group = cli_main.LazyGroup(
        main.name, lazy=cli_main.COMMANDS, params=main.params, help=main.help
    )
    assert not group.commands
    lazy_help = group.get_help(click.Context(group, info_name="rubdown"))
    assert not group.commands
    for name in group.list_commands(click.Context(group)):
        assert group.get_command(click.Context(group), name) is not None, name
    assert set(group.commands) == set(cli_main.COMMANDS)
    eager_help = group.get_help(click.Context(group, info_name="rubdown"))
    assert "Commands:" in eager_help
    assert lazy_help == eager_help
    for name, command in group.commands.items():
        own = (command.help or "").split("\n\n")[0]
        assert " ".join(own.split()) == cli_main.COMMANDS[name].short_help, name


def test_every_command_a_module_offers_is_in_the_lazy_table() -> None:
    offered: dict[str, click.Command] = {}
    for module in {target.module for target in cli_main.COMMANDS.values()} | {
        "rubdown.cli.commands_load",
        "rubdown.cli.commands_serve",
    }:
        for command in importlib.import_module(module).COMMANDS:
            assert command.name is not None
            offered[command.name] = command
    assert set(offered) == set(cli_main.COMMANDS)
    for name, command in offered.items():
        assert cli_main.cli.get_command(click.Context(cli_main.cli), name) is command


def test_plan_solves_without_pandas_or_numpy(tmp_path: Path) -> None:
    added = ("race", "add", "--name", "Half", "--date", "2027-03-14", "--priority", "A")
    assert "rubdown.cli.commands_season" in loaded_by(*added, home=tmp_path)
    modules = loaded_by("plan", home=tmp_path)
    assert "rubdown.solver.cpsat" in modules  # it did plan
    assert not top_level(modules) & {"pandas", "numpy", "icalendar"}
    # The home was made by the race above: the plan is read and saved with sqlite3.
    assert "rubdown.store.sqlite_reader" in modules
    assert "sqlalchemy" not in top_level(modules)


def test_check_and_today_on_a_stored_home_read_it_without_sqlalchemy(tmp_path: Path) -> None:
    """A home at this rubdown's schema is read with sqlite3 (``store.sqlite_reader``); the
    first command, which creates the database, needs the full store."""
    added = ("race", "add", "--name", "Half", "--date", "2027-01-20", "--priority", "A")
    assert "sqlalchemy" in top_level(loaded_by(*added, home=tmp_path))
    for args in (("check", "--date", "2027-01-20", "--kind", "sports"), ("today",)):
        modules = loaded_by(*args, home=tmp_path)
        assert "rubdown.store.sqlite_reader" in modules, args  # it did read the home
        assert "sqlalchemy" not in top_level(modules), args
        assert "rubdown.store.store" not in modules, args
