"""The ``rubdown`` command: parse, call a service, render. Errors become one line here, once."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from rubdown import __version__
from rubdown.bootstrap import Settings, build_app
from rubdown.errors import RubdownError
from rubdown.services.context import App

F = TypeVar("F", bound=Callable[..., Any])


class State:
    """Per-invocation settings; the app (and its database) is opened only when a command asks."""

    def __init__(self, home: Path | None) -> None:
        self.home = home
        self._app: App | None = None

    def app(self) -> App:
        if self._app is None:
            self._app = build_app(Settings.from_env(self.home))
        return self._app

    def close(self) -> None:
        if self._app is not None:
            self._app.close()


def json_option(command: F) -> F:
    """Every command takes ``--json``: exactly one JSON document on stdout."""
    return click.option(
        "--json", "as_json", is_flag=True, help="Print one JSON document instead of text."
    )(command)


def get_app(ctx: click.Context) -> App:
    state = ctx.find_object(State)
    assert state is not None
    return state.app()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--home",
    type=click.Path(file_okay=False, path_type=Path),
    help="Keep everything for this runner in DIR (default: RUBDOWN_HOME or the user data dir).",
)
@click.version_option(__version__, prog_name="rubdown")
@click.pass_context
def cli(ctx: click.Context, home: Path | None) -> None:
    """Plan massage and recovery around your races, with the rule and source behind every answer.

    Not medical advice: sharp pain, numbness or tingling mean stop and see a professional.
    """
    state = State(home)
    ctx.obj = state
    ctx.call_on_close(state.close)


def _register() -> None:
    # The command modules import this one (for ``get_app``), so they are attached here, late.
    from rubdown.cli.commands_import import COMMANDS as IMPORT_COMMANDS
    from rubdown.cli.commands_load import COMMANDS as LOAD_COMMANDS
    from rubdown.cli.commands_plan import COMMANDS as PLAN_COMMANDS
    from rubdown.cli.commands_season import COMMANDS as SEASON_COMMANDS
    from rubdown.cli.commands_serve import COMMANDS as SERVE
    from rubdown.cli.commands_today import COMMANDS as TODAY

    # Also attaches its subcommands to the ``workout`` and ``race`` groups.
    from rubdown.cli.commands_training import COMMANDS as TRAINING

    commands = (
        *PLAN_COMMANDS,
        *SEASON_COMMANDS,
        *TRAINING,
        *IMPORT_COMMANDS,
        *LOAD_COMMANDS,
        *TODAY,
        *SERVE,
    )
    for command in commands:
        cli.add_command(command)


_register()


def _fail(message: str, code: str, status: int, as_json: bool) -> None:
    if as_json:
        from rubdown.cli.render import emit_json

        emit_json({"error": {"code": code, "message": message}})
    sys.stderr.write(f"rubdown: error: {message}\n")
    sys.exit(status)


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    as_json = "--json" in args
    try:
        cli.main(args=args, prog_name="rubdown", standalone_mode=False)
    except RubdownError as error:
        _fail(str(error), error.code, error.exit_status, as_json)
    except click.exceptions.NoArgsIsHelpError as error:
        click.echo(error.ctx.get_help() if error.ctx else "", err=True)
        sys.exit(2)
    except click.UsageError as error:
        _fail(error.format_message().replace("\n", " "), "usage", 2, as_json)
    except click.ClickException as error:
        _fail(error.format_message(), "error", error.exit_code or 1, as_json)
    except click.exceptions.Abort:
        sys.stderr.write("rubdown: interrupted\n")
        sys.exit(130)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except BrokenPipeError:
        sys.exit(0)
