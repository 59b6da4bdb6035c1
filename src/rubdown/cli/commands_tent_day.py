"""``rubdown tent serve`` and ``rubdown tent export``: the race-day tent on the day.

``serve`` runs the tent's own web app on the tent's network for its devices (the check-in
desk, each table, the board, the lead), each joined with its role's PIN or a one-time link;
it needs no internet. The day lives in one SQLite file (``--day``): stop the server, or lose
the laptop's power, and the next ``serve`` of the same file brings the queue back as it was.
``export`` writes the day as CSV, one row per visit, and prints its summary. Both hang under
the ``tent`` group (``commands_tent``).
"""

from __future__ import annotations

import gc
import json
import secrets
import socket
import sys
from pathlib import Path

import click

DEFAULT_HOST = "0.0.0.0"  # the tent's devices are on its local network, not this laptop
DEFAULT_PORT = 8770
LINK_ROLES = ("lead", "desk", "board")


@click.command()
@click.option(
    "--day",
    "day_file",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The day's file (SQLite); made when missing, carried on when it exists.",
)
@click.option(
    "--entries",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The entry or results CSV: bib, name (or first and last name), distance.",
)
@click.option("--host", default=DEFAULT_HOST, show_default=True, help="Address to listen on.")
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=click.IntRange(0, 65535))
@click.option("--tables", type=click.IntRange(1, 500), help="How many massage tables the tent has.")
@click.option(
    "--links/--no-links",
    default=True,
    show_default=True,
    help="Print a one-time join link for the lead, a desk and the board.",
)
@click.option(
    "--new-pins",
    is_flag=True,
    help="Make and show new PINs (the old ones stop working; joined devices stay joined).",
)
def serve(
    day_file: Path,
    entries: Path | None,
    host: str,
    port: int,
    tables: int | None,
    links: bool,
    new_pins: bool,
) -> None:
    """Run the tent on the day: check-in with triage, the queue, the tables, a live board."""
    import uvicorn

    from rubdown.domain.tent.day import Device
    from rubdown.tentday import open_day
    from rubdown.tentday.app import create_tent_app

    day = open_day(day_file)
    if entries is not None:
        count = day.load_entries(entries)
        sys.stderr.write(f"rubdown: {count} entries loaded from {entries}\n")
    if tables is not None and tables != day.queue().tables:
        setup = Device("command-line", "lead", None, "")
        day.act(setup, "configure", {"tables": tables}, f"setup-{secrets.token_hex(8)}")
    pins = day.new_pins() if new_pins else day.first_pins()
    sys.stderr.write(
        f"rubdown: the tent day is {day_file} ({day.seq} actions, "
        f"{day.entry_count()} entries, {day.queue().tables} tables)\n"
    )
    if pins:
        # Shown this once: the day file keeps only their digests.
        sys.stderr.write("rubdown: join at / with these PINs (a table also gives its number);\n")
        sys.stderr.write("rubdown: write them down, they are not shown again:\n")
        for role, pin in pins.items():
            sys.stderr.write(f"rubdown:   PIN {role}: {pin}\n")
    else:
        sys.stderr.write(
            "rubdown: join at / with the PINs shown when this day was made"
            " (--new-pins makes new ones)\n"
        )
    shown = _lan_address() if host in ("0.0.0.0", "::", "") else host
    if links and port:
        for role in LINK_ROLES:
            code = day.new_link(role)
            sys.stderr.write(
                f"rubdown:   one-time link for the {role}: http://{shown}:{port}/join/{code}\n"
            )
    _steady_collector()
    app = create_tent_app(day, host=host)
    # SSE streams stay open: a short graceful timeout keeps Ctrl-C quick. Nothing is lost by
    # it; every acknowledged action is already on disk.
    config = uvicorn.Config(
        app, host=host, port=port, log_level="info", access_log=False, timeout_graceful_shutdown=1
    )
    uvicorn.Server(config).run()


def _lan_address() -> str:
    """This laptop's address on the tent's network, for the links the devices open: the
    address a datagram to a private network would leave from (connecting a UDP socket sends
    nothing). Without any network, loopback."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 1))
            return str(probe.getsockname()[0])
        except OSError:
            return "127.0.0.1"


def _steady_collector() -> None:
    """The server holds the whole day in memory: some 150,000 objects for 20,000 visits,
    almost none in reference cycles. A full collection of them stopped every request for
    about 90 ms, and Python ran one each time the heap grew by a quarter; so the objects
    loaded at start are frozen out of collection and full collections are made rare (young
    objects are still collected as usual)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 50, 1_000)


@click.command()
@click.option(
    "--day",
    "day_file",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The day's file, as rubdown tent serve kept it.",
)
@click.argument("out", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def export(day_file: Path, out: Path, as_json: bool) -> None:
    """Write the day as CSV (one row per visit) and print its summary."""
    from rubdown.files import write_user_file
    from rubdown.services.tent_day import export_csv, summary_view
    from rubdown.tentday import open_day

    text, summary = export_csv(open_day(day_file))
    write_user_file(out, text.encode("utf-8"))
    view = summary_view(summary)
    if as_json:
        click.echo(json.dumps({"out": str(out), "summary": view}, indent=2))
        return
    click.echo(f"Wrote {view['checked_in']} visits to {out}")
    click.echo(
        f"Served {view['served']}, to medical {view['medical']}, no-shows {view['no_shows']},"
        f" still waiting {view['still_waiting']}, at tables {view['at_tables']}"
    )
    if view["wait_p50_s"] is not None:
        click.echo(
            "Wait (served): median {}, 90th percentile {}, 99th percentile {}".format(
                *(_minutes(view[k]) for k in ("wait_p50_s", "wait_p90_s", "wait_p99_s"))
            )
        )
    if view["mean_session_s"] is not None:
        click.echo(f"Mean session: {_minutes(view['mean_session_s'])}")


def _minutes(seconds: int) -> str:
    return f"{seconds / 60:.1f} min"
