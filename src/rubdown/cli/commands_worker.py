"""``rubdown worker``: do a server's import jobs, taken from the queue in its PostgreSQL.

Run as many as the imports need, on any machine that reaches the database: each does one
import at a time, decoding on every core of its machine. It stops on Ctrl-C or SIGTERM
once the job in hand is done; a worker that dies instead (kill -9, a machine gone) leaves
its job to the others, which take it up again once its heartbeat is ``--stalled-after``
seconds old (``queue.worker``).
"""

from __future__ import annotations

import logging
import os
import socket

import click

from rubdown.cli.context import State


@click.command()
@click.option(
    "--name",
    default=None,
    help="How this worker is named in the logs and the queue (default: host and process id).",
)
@click.option(
    "--decoders",
    type=click.IntRange(1, 256),
    default=None,
    help="Decoder processes per import (default: one per core).",
)
@click.option(
    "--heartbeat",
    "heartbeat_s",
    type=click.FloatRange(0.1, 3600),
    default=10.0,
    show_default=True,
    help="Seconds between this worker's signs of life.",
)
@click.option(
    "--stalled-after",
    "stalled_after_s",
    type=click.FloatRange(1, 86400),
    default=60.0,
    show_default=True,
    help="Seconds without a sign of life after which a worker's job is given to another.",
)
@click.option(
    "--check-every",
    "check_every_s",
    type=click.FloatRange(0.1, 3600),
    default=15.0,
    show_default=True,
    help="Seconds between looks for jobs of workers that died.",
)
@click.pass_context
def worker(
    ctx: click.Context,
    name: str | None,
    decoders: int | None,
    heartbeat_s: float,
    stalled_after_s: float,
    check_every_s: float,
) -> None:
    """Do a server's import jobs (server mode: RUBDOWN_DATABASE_URL names PostgreSQL)."""
    from rubdown.bootstrap import Settings, run_import_worker
    from rubdown.errors import InvalidValue

    if stalled_after_s <= 2 * heartbeat_s:
        raise InvalidValue(
            f"--stalled-after ({stalled_after_s:g} s) must be more than twice --heartbeat"
            f" ({heartbeat_s:g} s): a live worker would be taken for dead"
        )
    state = ctx.find_object(State)
    assert state is not None
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    # procrastinate logs a line per job and per heartbeat at INFO; its warnings are enough.
    logging.getLogger("procrastinate").setLevel(logging.WARNING)
    shown = name or f"{socket.gethostname()}-{os.getpid()}"
    run_import_worker(
        Settings.from_env(state.home),
        name=shown,
        heartbeat_s=heartbeat_s,
        stalled_after_s=stalled_after_s,
        check_every_s=check_every_s,
        decoders=decoders,
        on_start=lambda: click.echo(
            f"rubdown worker {shown}: waiting for import jobs (Ctrl-C stops)", err=True
        ),
    )


COMMANDS = [worker]
