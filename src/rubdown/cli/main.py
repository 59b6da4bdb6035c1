"""The ``rubdown`` command: parse, call a service, render. Errors become one line here, once.

Command modules load only when their command runs (or shows its own help): each pulls in
SQLAlchemy, rich tables, the rules or OR-Tools, and ``rubdown --help``, ``--version`` or a
mistyped flag should answer without any of them. ``COMMANDS`` names each command's module and
the short help the group's ``--help`` lists (a test keeps it equal to the command's own).
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import NamedTuple

import click

from rubdown import __version__
from rubdown.cli.context import State
from rubdown.errors import RubdownError


class Lazy(NamedTuple):
    module: str
    attribute: str
    short_help: str


_IMPORT = "rubdown.cli.commands_import"
# ``export`` comes through commands_account: it adds ``export all`` to the group.
_ACCOUNT = "rubdown.cli.commands_account"
_PLAN = "rubdown.cli.commands_plan"
_SEASON = "rubdown.cli.commands_season"
# ``race`` and ``workout`` come through commands_training: it attaches their subcommands.
_TRAINING = "rubdown.cli.commands_training"
_TODAY = "rubdown.cli.commands_today"

COMMANDS: dict[str, Lazy] = {
    "account": Lazy(
        _ACCOUNT, "account", "Your account: delete it, with everything stored of yours."
    ),
    "activities": Lazy(
        _IMPORT,
        "activities",
        "List imported activities: day, sport, duration, distance, heart rate, load, kind.",
    ),
    "admin": Lazy(
        "rubdown.cli.commands_admin",
        "admin",
        "Manage a server's accounts: users, their roles, invitations.",
    ),
    "book": Lazy(
        _TRAINING,
        "book",
        "Record a massage booked for a date after today, once the rules allow it.",
    ),
    "check": Lazy(
        _PLAN,
        "check",
        "Is this massage on this date a good idea? The rules that spoke, and what to do instead.",
    ),
    "checkin": Lazy(
        _SEASON,
        "checkin",
        "Record how you feel today: soreness per region, pain flags, warning signs, fatigue, "
        "sleep.",
    ),
    "clinic": Lazy(
        "rubdown.cli.commands_clinic",
        "clinic",
        "A therapist's workspace: clients, menu, rules, intake, bookings and session notes.",
    ),
    "db": Lazy(
        "rubdown.cli.commands_db",
        "db",
        "The database's schema: upgrade it to this rubdown's.",
    ),
    "demo": Lazy(
        _PLAN,
        "demo",
        "Plan a sample runner's season in a throwaway home: a marathon in 16 weeks, a half, a 10K.",
    ),
    "export": Lazy(_ACCOUNT, "export", "Write the plan out for other tools."),
    "import": Lazy(
        _IMPORT,
        "import_command",
        "Import activity files, folders and exports: FIT, GPX, TCX (plain or .gz), a Strava or "
        "Garmin export, an Apple Health export.zip, or an .ics calendar of races and workouts.",
    ),
    "injury": Lazy(
        _SEASON,
        "injury",
        "Injury episodes: while one is open, its condition steers the plan and routines.",
    ),
    "load": Lazy(
        "rubdown.cli.commands_load",
        "load_command",
        "Fitness (CTL), fatigue (ATL) and form (TSB) per day from the imported activities.",
    ),
    "log": Lazy(
        _SEASON,
        "log",
        "The log: massage sessions, runs logged by hand and routines done, by date.",
    ),
    "plan": Lazy(
        _PLAN,
        "plan",
        "Place professional sessions over the season, around races, hard days and the budget.",
    ),
    "profile": Lazy(
        _SEASON,
        "profile",
        "The runner's profile: policy, frequency, budget, tools, conditions, load values.",
    ),
    "race": Lazy(_TRAINING, "race", "Races: the dates every rule counts from."),
    "reimport": Lazy(
        _IMPORT,
        "reimport_command",
        "Derive every activity again from the original files kept at import (after an upgrade).",
    ),
    "rules": Lazy(
        _PLAN,
        "rules",
        "List the knowledge base, or show one rule with its source: rubdown rules T2.",
    ),
    "serve": Lazy(
        "rubdown.cli.commands_serve",
        "serve",
        "Run the web app: a JSON API (documented at /docs) over the same data home.",
    ),
    "tent": Lazy(
        "rubdown.cli.commands_tent",
        "tent",
        "The race-day massage tent: plan its staffing, run its queue on the day, export the day.",
    ),
    "today": Lazy(
        _TODAY,
        "today",
        "Today's self-massage routines: each step's move, region, tool, time and rules.",
    ),
    "wellness": Lazy(
        _IMPORT,
        "wellness",
        "Sleep, resting heart rate and HRV per day, from Garmin and Apple Health exports.",
    ),
    "why": Lazy(
        _TODAY,
        "why",
        'Explain a day (YYYY-MM-DD): the load behind "hard day", the check-in, the rules that '
        "fired with their sources, and what the plan did because of them.",
    ),
    "worker": Lazy(
        "rubdown.cli.commands_worker",
        "worker",
        "Do a server's import jobs (server mode: RUBDOWN_DATABASE_URL names PostgreSQL).",
    ),
    "workout": Lazy(
        _TRAINING,
        "workout",
        "Planned workouts; long, tempo, intervals, hill and race count as hard days.",
    ),
}


class LazyGroup(click.Group):
    """A group whose commands are imported when resolved; its help lists them from ``lazy``
    (click's documented lazy-loading pattern, plus short help so listing imports nothing)."""

    def __init__(self, *args: object, lazy: dict[str, Lazy], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.lazy = lazy

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy:
            target = self.lazy[cmd_name]
            command = getattr(importlib.import_module(target.module), target.attribute)
            assert isinstance(command, click.Command), target
            self.add_command(command, cmd_name)
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        names = self.list_commands(ctx)
        if not names:
            return
        # As click's own listing: three times the default spacing, the short help cut to fit.
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = [(name, self._short_help(name, limit)) for name in names]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def _short_help(self, name: str, limit: int) -> str:
        if name in self.commands:
            return self.commands[name].get_short_help_str(limit)
        # A stand-in command cuts the text exactly as the real one would, without loading it.
        return click.Command(name, help=self.lazy[name].short_help).get_short_help_str(limit)


@click.group(cls=LazyGroup, lazy=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
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
