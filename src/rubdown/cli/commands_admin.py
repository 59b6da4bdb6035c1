"""``rubdown admin user add|list|disable``: the accounts of a server (server mode).

They work on the database ``--database-url`` names, else ``RUBDOWN_DATABASE_URL``, else the
local home's SQLite file. A PostgreSQL database is never migrated by these commands, as no
server process migrates it (``rubdown db upgrade`` does); a local home is, as every command
migrates it. Argon2 and the store load only when a subcommand runs, never for ``--help``.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import click

from rubdown.cli.context import State, json_option

if TYPE_CHECKING:
    from rubdown.domain.accounts import User
    from rubdown.services.accounts import Accounts

ROLES = ("runner", "therapist", "admin")
DEFAULT_PUBLIC_URL = "http://127.0.0.1:8765"

database_option = click.option(
    "--database-url",
    metavar="URL",
    help="The server's database (default: RUBDOWN_DATABASE_URL, else the local home).",
)


@contextmanager
def opened_accounts(ctx: click.Context, database_url: str | None) -> Iterator[Accounts]:
    from rubdown.bootstrap import Settings, accounts_for, open_store

    state = ctx.find_object(State)
    settings = Settings.from_env(state.home if state is not None else None)
    url = database_url or settings.database_url
    store = open_store(url, server=not url.startswith("sqlite"))
    try:
        yield accounts_for(store)
    finally:
        store.close()


def user_document(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "email": user.email,
        "role": user.role.value,
        "created_at": user.created_at.isoformat(),
        "disabled_at": user.disabled_at.isoformat() if user.disabled_at else None,
    }


@click.group()
def admin() -> None:
    """Manage a server's accounts: users, their roles, invitations."""


@admin.group()
def user() -> None:
    """Add, list and disable users."""


@user.command("add")
@click.option("--email", required=True, help="The person's e-mail address (their login).")
@click.option("--role", type=click.Choice(ROLES), required=True, help="What the account may do.")
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from the first line of stdin."
)
@click.option(
    "--invite",
    is_flag=True,
    help="Set no password: print a single-use link, valid 7 days, to set one.",
)
@click.option(
    "--public-url",
    envvar="RUBDOWN_PUBLIC_URL",
    default=DEFAULT_PUBLIC_URL,
    show_default=True,
    help="Where the server is reached, for the invitation link.",
)
@database_option
@json_option
@click.pass_context
def add(
    ctx: click.Context,
    email: str,
    role: str,
    password_stdin: bool,
    invite: bool,
    public_url: str,
    database_url: str | None,
    as_json: bool,
) -> None:
    """Add a user with a password (asked twice), or with --invite a link to set one."""
    from rubdown.domain.accounts import check_password, parse_role

    if invite and password_stdin:
        raise click.UsageError("give --invite or --password-stdin, not both")
    chosen = parse_role(role)
    password = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif not invite:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True, err=True)
    if password is not None:
        check_password(password)  # before the database is opened
    with opened_accounts(ctx, database_url) as accounts:
        if password is not None:
            made = accounts.add_user(email, chosen, password)
            document: dict[str, Any] = {"user": user_document(made), "invitation_url": None}
            line = f"added {made.role.value} {made.email}"
        else:
            invited = accounts.invite(email, chosen)
            link = f"{public_url.rstrip('/')}/invite/{invited.token}"
            expires = invited.invitation.expires_at
            document = {"user": None, "invitation_url": link, "expires_at": expires.isoformat()}
            line = (
                f"invited {chosen.value} {invited.invitation.email}: send them this link, good once"
                f" until {expires:%Y-%m-%d %H:%M} UTC:\n{link}"
            )
    _emit(document, line, as_json)


@user.command("list")
@database_option
@json_option
@click.pass_context
def list_users(ctx: click.Context, database_url: str | None, as_json: bool) -> None:
    """Every account: e-mail address, role, since when, and whether it is disabled."""
    with opened_accounts(ctx, database_url) as accounts:
        users = accounts.list_users()
    if as_json:
        _emit({"users": [user_document(found) for found in users]}, "", True)
        return
    if not users:
        click.echo("no accounts yet: rubdown admin user add --email E --role admin")
    for found in users:
        state = f"disabled {found.disabled_at:%Y-%m-%d}" if found.disabled_at else "active"
        click.echo(f"{found.email}\t{found.role.value}\t{found.created_at:%Y-%m-%d}\t{state}")


@user.command("disable")
@click.option("--email", required=True, help="The account's e-mail address.")
@database_option
@json_option
@click.pass_context
def disable(ctx: click.Context, email: str, database_url: str | None, as_json: bool) -> None:
    """Disable an account: it can no longer log in, and its sessions end at once."""
    with opened_accounts(ctx, database_url) as accounts:
        done = accounts.disable_user(email)
    _emit({"user": user_document(done)}, f"disabled {done.email}; its sessions have ended", as_json)


def _emit(document: dict[str, Any], line: str, as_json: bool) -> None:
    if as_json:
        from rubdown.cli.render import emit_json

        emit_json(document)
    else:
        click.echo(line)


COMMANDS = [admin]
