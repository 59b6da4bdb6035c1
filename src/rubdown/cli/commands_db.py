"""``rubdown db upgrade``: bring a database's schema to this rubdown's, and say what it did.

A server's processes (``rubdown serve --server``, ``rubdown worker``) never migrate: they
refuse a database behind them with one line naming this command, so an upgrade happens once,
when the operator runs it, and not in whichever process starts first. A local home keeps
being migrated by every command that opens it.
"""

from __future__ import annotations

import click

from rubdown.cli.context import State, json_option


@click.group()
def db() -> None:
    """The database's schema: upgrade it to this rubdown's."""


@db.command()
@click.option(
    "--database-url",
    metavar="URL",
    help="The database (default: RUBDOWN_DATABASE_URL, else the local home).",
)
@json_option
@click.pass_context
def upgrade(ctx: click.Context, database_url: str | None, as_json: bool) -> None:
    """Apply the migrations the database has not had yet, each in its own transaction."""
    import dataclasses

    from rubdown.bootstrap import Settings, upgrade_database

    state = ctx.find_object(State)
    settings = Settings.from_env(state.home if state is not None else None)
    if database_url:
        settings = dataclasses.replace(settings, database_url=database_url)
    done = upgrade_database(settings)
    if as_json:
        from rubdown.cli.render import emit_json

        emit_json(
            {
                "database": done.shown_url,
                "before": done.before,
                "after": done.after,
                "applied": [
                    {"version": version, "description": text} for version, text in done.applied
                ],
            }
        )
        return
    if done.after > done.latest:
        click.echo(
            f"{done.shown_url} is at schema version {done.after}, ahead of this rubdown"
            f" ({done.latest}); the newer steps only added, so this rubdown can run on it"
        )
    elif not done.applied:
        click.echo(f"{done.shown_url} is at schema version {done.after}: nothing to do")
    else:
        click.echo(f"upgraded {done.shown_url} from schema version {done.before} to {done.after}:")
        for version, text in done.applied:
            click.echo(f"  {version}: {text}")


COMMANDS = [db]
