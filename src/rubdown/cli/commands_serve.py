"""``rubdown serve``: the local web app (JSON API and pages) on this machine."""

from __future__ import annotations

import ipaddress
import sys
import threading
import time
import webbrowser
from typing import TYPE_CHECKING

import click

from rubdown.bootstrap import Settings
from rubdown.cli.main import State

if TYPE_CHECKING:
    import uvicorn

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def browser_url(host: str, port: int) -> str:
    shown = DEFAULT_HOST if host in ("0.0.0.0", "::", "") else host
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"  # an IPv6 address in a URL
    return f"http://{shown}:{port}/"


@click.command()
@click.option("--host", default=DEFAULT_HOST, show_default=True, help="Address to listen on.")
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=click.IntRange(0, 65535))
@click.option("--open", "open_browser", is_flag=True, help="Open the app in the browser.")
@click.option(
    "--access-log/--no-access-log",
    default=False,
    show_default=True,
    help="Print a line for every request.",
)
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, open_browser: bool, access_log: bool) -> None:
    """Run the local web app: a JSON API (documented at /docs) over the same data home."""
    # FastAPI and uvicorn load only for this command: the others should not pay for them.
    import uvicorn

    from rubdown.web.app import create_app

    state = ctx.find_object(State)
    settings = Settings.from_env(state.home if state is not None else None)
    app = create_app(settings, host=host)
    if not is_loopback(host):
        sys.stderr.write(
            f"rubdown: warning: serving on {host}, not only this machine: anyone who can "
            "reach it can read and change your data\n"
        )
    # One process: the import jobs and the CSRF token live in it. The access log is off by
    # default: formatting and printing a line took a fifth of a cached plan read's CPU time
    # (bench/web.py), and a local app's terminal is better kept for what goes wrong.
    config = uvicorn.Config(app, host=host, port=port, log_level="info", access_log=access_log)
    server = uvicorn.Server(config)
    if open_browser:
        url = browser_url(host, port)
        threading.Thread(target=_open_when_started, args=(server, url), daemon=True).start()
    server.run()


def _open_when_started(server: uvicorn.Server, url: str) -> None:
    # uvicorn sets ``started`` once it listens; opening earlier would show an error page.
    while not server.started:
        if server.should_exit:
            return
        time.sleep(0.1)
    webbrowser.open(url)


COMMANDS = [serve]
