"""Commands for the runner's rights over their data: ``export all``, ``account delete``, and
``import`` restoring an export.

``export all`` joins the ``export`` group of ``commands_plan`` (the lazy table of ``cli.main``
loads ``export`` through this module, so the group is whole whichever way it is reached), and
``rubdown import`` asks :func:`restored_instead` whether it was given a rubdown export (told
by its manifest, whatever the file's name) to restore instead of importing it as activities.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from rubdown.bootstrap import account_tables
from rubdown.cli import render
from rubdown.cli.commands_plan import export
from rubdown.cli.context import get_app, json_option
from rubdown.domain.names import printable
from rubdown.errors import FileFormatError, InputError
from rubdown.importers.rubdown_export import is_rubdown_export
from rubdown.services.rights import originals_of
from rubdown.services.rights.delete import delete_account
from rubdown.services.rights.export import export_all
from rubdown.services.rights.restore import restore

CONFIRM_WORD = "delete"


@export.command("all")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@json_option
@click.pass_context
def export_all_command(ctx: click.Context, file: Path, as_json: bool) -> None:
    """Write everything stored of yours to FILE (a zip): every table as JSON and CSV, the
    original files you imported, and a manifest with a SHA-256 per file.

    Password hashes and login tokens are left out. `rubdown import FILE` restores the zip
    into an empty home.
    """
    folder = file.absolute().parent
    if not folder.is_dir():
        raise InputError(f"{printable(str(file))}: no such folder {printable(str(folder))}")
    app = get_app(ctx)
    tables = account_tables(app.store)
    with _progress("exporting") as progress, _written_whole(file) as target:
        summary = export_all(
            tables, app.owner_id, target, originals_of(app), now=app.clock(), progress=progress
        )
    if as_json:
        render.emit_json(
            {
                "path": str(file),
                "rows": summary.rows,
                "total_rows": summary.total_rows,
                "originals": summary.originals,
            }
        )
        return
    tables_with_rows = sum(1 for count in summary.rows.values() if count)
    render.console.print(
        f"Exported {summary.total_rows} rows from {tables_with_rows} tables and"
        f" {summary.originals} original files to [bold]{printable(str(file))}[/]"
    )


@click.group()
def account() -> None:
    """Your account: delete it, with everything stored of yours."""


@account.command("delete")
@click.option("--yes", is_flag=True, help="Delete without asking (for scripts).")
@json_option
@click.pass_context
def account_delete(ctx: click.Context, yes: bool, as_json: bool) -> None:
    """Delete everything stored of yours: every row in every table and every original file
    no one else imported. This cannot be undone: `rubdown export all` first keeps a copy.

    Asks you to type your name (or "delete") unless given --yes.
    """
    app = get_app(ctx)
    if not yes:
        profile = app.data.get_profile()
        name = profile.name if profile is not None and profile.name else ""
        if not _can_ask():
            raise InputError("deleting the account needs --yes when no one can answer a question")
        shown = f'your name ("{name}") or "{CONFIRM_WORD}"' if name else f'"{CONFIRM_WORD}"'
        answer = click.prompt(
            f"This deletes everything rubdown keeps of yours. Type {shown} to go on",
            default="",
            show_default=False,
        )
        if answer.strip() not in {CONFIRM_WORD, name} - {""}:
            raise InputError("nothing deleted: the answer did not match")
    summary = delete_account(account_tables(app.store), app.owner_id, originals_of(app))
    if as_json:
        render.emit_json(
            {
                "rows": summary.rows,
                "total_rows": summary.total_rows,
                "originals": summary.originals,
                "originals_left": summary.originals_left,
            }
        )
        return
    render.console.print(
        f"Deleted {summary.total_rows} rows and {summary.originals} original files."
    )
    if summary.originals_left:
        render.console.print(
            f"[yellow]{summary.originals_left} original files could not be removed[/]"
        )


def _can_ask() -> bool:
    return sys.stdin.isatty()


# -- import: a rubdown export is restored ---------------------------------------------------


def restored_instead(ctx: click.Context, paths: tuple[Path, ...], as_json: bool) -> bool:
    """Restore a rubdown export given to ``rubdown import``; False when none was given."""
    exports = [path for path in paths if is_rubdown_export(path)]
    if not exports:
        return False
    if len(paths) > 1:
        raise InputError(
            f"{printable(str(exports[0]))} is a rubdown export: restore it on its own,"
            " without other files"
        )
    _restore(ctx, exports[0], as_json)
    return True


def _restore(ctx: click.Context, path: Path, as_json: bool) -> None:
    app = get_app(ctx)
    originals = originals_of(app)
    if originals is None:
        raise InputError("restoring needs a data folder for the original files (--home)")
    summary = restore(account_tables(app.store), app.owner_id, path, originals)
    if as_json:
        render.emit_json(
            {
                "restored": str(path),
                "rows": summary.rows,
                "total_rows": summary.total_rows,
                "originals": summary.originals,
                "not_restored": list(summary.skipped_tables),
            }
        )
        return
    render.console.print(
        f"Restored {summary.total_rows} rows and {summary.originals} original files"
        f" from [bold]{printable(str(path))}[/]"
    )


@contextmanager
def _written_whole(file: Path) -> Iterator[Any]:
    """A file beside ``file``, renamed to it once written: a failed export leaves nothing
    behind, and never half a zip under the name asked for."""
    folder = file.absolute().parent
    try:
        handle, name = tempfile.mkstemp(dir=folder, prefix=f".{file.name}.", suffix=".part")
    except OSError as error:
        raise InputError(f"cannot write {printable(str(file))}: {error.strerror}") from None
    temporary = Path(name)
    try:
        with os.fdopen(handle, "w+b") as target:
            yield target
        os.replace(temporary, file)
    except OSError as error:
        raise FileFormatError(f"cannot write {printable(str(file))}: {error.strerror}") from None
    finally:
        temporary.unlink(missing_ok=True)


@contextmanager
def _progress(verb: str) -> Iterator[Callable[[str, int, int], None] | None]:
    """A progress bar on stderr when it is a terminal: tables first, then original files."""
    errors = Console(stderr=True, highlight=False)
    if not errors.is_terminal:
        yield None
        return
    columns = (
        TextColumn(f"[bold]{verb}[/] {{task.description}}"),
        BarColumn(),
        MofNCompleteColumn(),
    )
    with Progress(*columns, console=errors, transient=True) as progress:
        tasks: dict[str, Any] = {}

        def advance(phase: str, done: int, total: int) -> None:
            if phase not in tasks:
                tasks[phase] = progress.add_task(phase, total=total)
            progress.update(tasks[phase], completed=done, total=total)

        yield advance


COMMANDS = [export, account]
