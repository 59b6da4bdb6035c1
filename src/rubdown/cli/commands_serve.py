"""``rubdown serve``: the web app (JSON API and pages) over the runner's data home.

Local mode (the default): on loopback only this machine reaches it. On any other address it
serves only with an access token that every request must carry (``web.guard``): one read from
``--token-file``, or a new one made with ``--new-token`` and shown once, as a login link, when
the server starts. Without either it refuses to start.

Server mode (``--server`` or ``RUBDOWN_SERVER=1``): many people with accounts on the
PostgreSQL database ``RUBDOWN_DATABASE_URL`` names, any number of processes side by side.
Every request needs a login instead of the token. It refuses to start on SQLite, and on a
database whose schema is behind this rubdown (``rubdown db upgrade`` migrates it) or ahead
of it by more than additive steps, each with one line.
"""

from __future__ import annotations

import ipaddress
import secrets
import sys
import threading
import time
import webbrowser
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit

import click

from rubdown.bootstrap import Settings
from rubdown.cli.context import State

if TYPE_CHECKING:
    import uvicorn

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
# token_urlsafe(32) gives 43 characters; a shorter token in a file is refused as too weak.
MIN_TOKEN_CHARACTERS = 32


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
@click.option(
    "--token-file",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="RUBDOWN_TOKEN_FILE",
    help="A file holding the access token every request must carry (needed beyond loopback).",
)
@click.option(
    "--new-token",
    is_flag=True,
    help="Make a new access token and show it once, as a login link, when the server starts.",
)
@click.option(
    "--server",
    "server_mode",
    is_flag=True,
    envvar="RUBDOWN_SERVER",
    help="Serve many people with accounts on PostgreSQL (RUBDOWN_DATABASE_URL).",
)
@click.option(
    "--public-url",
    envvar="RUBDOWN_PUBLIC_URL",
    help="Where others reach the server (https://runs.example.org): its host is accepted and "
    "calendar feed URLs are built on it.",
)
@click.pass_context
def serve(
    ctx: click.Context,
    host: str,
    port: int,
    open_browser: bool,
    access_log: bool,
    token_file: Path | None,
    new_token: bool,
    server_mode: bool,
    public_url: str | None,
) -> None:
    """Run the web app: a JSON API (documented at /docs) over the same data home."""
    if server_mode:
        _serve_for_many(
            ctx, host, port, access_log, public_url, token_file is not None or new_token
        )
        return
    if token_file is not None and new_token:
        raise click.UsageError("give --token-file or --new-token, not both")
    token = read_token(token_file) if token_file is not None else None
    if new_token:
        token = secrets.token_urlsafe(32)
    public_host = _url_host(public_url) if public_url else None
    if token is None and not is_loopback(host):
        raise click.UsageError(
            f"serving on {host} lets other machines in: give --token-file FILE or --new-token,"
            " so that every request needs an access token"
        )
    if token is None and public_host is not None and not is_loopback(public_host):
        # Behind a reverse proxy the server listens on loopback yet answers the world.
        raise click.UsageError(
            f"a public URL on {public_host} lets other machines in: give --token-file FILE or"
            " --new-token, so that every request needs an access token"
        )
    # FastAPI and uvicorn load only for this command: the others should not pay for them.
    import uvicorn

    from rubdown.web.app import create_app

    state = ctx.find_object(State)
    settings = Settings.from_env(state.home if state is not None else None)
    app = create_app(settings, host=host, access_token=token, public_url=public_url)
    # One process: the import jobs and the CSRF token live in it. The access log is off by
    # default: formatting and printing a line took a fifth of a cached plan read's CPU time
    # (bench/web.py), and a local app's terminal is better kept for what goes wrong.
    config = uvicorn.Config(app, host=host, port=port, log_level="info", access_log=access_log)
    server = uvicorn.Server(config)
    login = f"?token={quote(token, safe='')}" if token else ""
    if new_token and token is not None:
        sys.stderr.write(
            f"rubdown: access token (shown only now): {token}\n"
            f"rubdown: or send the header Authorization: Bearer {token}\n"
        )
        if public_url or port:
            _show_login(public_url or browser_url(host, port), login)
    if (new_token and not public_url and not port) or open_browser:
        # With --port 0 the port is known only once the server listens.
        args = (server, host, login, new_token and not public_url and not port, open_browser)
        threading.Thread(target=_when_started, args=args, daemon=True).start()
    server.run()


def _serve_for_many(
    ctx: click.Context,
    host: str,
    port: int,
    access_log: bool,
    public_url: str | None,
    token_given: bool,
) -> None:
    """Server mode: accounts instead of the access token, the schema checked, not migrated."""
    import dataclasses

    from rubdown.bootstrap import SharedServices, server_mode_refusal

    if token_given:
        raise click.UsageError("server mode logs people in with accounts: give no access token")
    state = ctx.find_object(State)
    settings = dataclasses.replace(
        Settings.from_env(state.home if state is not None else None), server=True
    )
    refusal = server_mode_refusal(settings)
    if refusal is not None:
        raise click.UsageError(refusal)
    # Refuse now, with the line that says why, rather than on the first request.
    SharedServices(settings).close()

    import uvicorn

    from rubdown.web.app import create_app

    app = create_app(settings, host=host, public_url=public_url)
    # Behind a reverse proxy, its X-Forwarded-For (from loopback) names the client: the
    # login limits per address count the person's address, not the proxy's.
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="info",
        access_log=access_log,
        proxy_headers=True,
        forwarded_allow_ips="127.0.0.1,::1",
    )
    sys.stderr.write(
        "rubdown: server mode: log in at /login"
        " (make accounts with rubdown admin user add --email E --role admin)\n"
    )
    uvicorn.Server(config).run()


def _show_login(base: str, login: str) -> None:
    sys.stderr.write(f"rubdown: sign in a browser with {base.rstrip('/')}/{login}\n")


def _url_host(url: str) -> str:
    try:
        return urlsplit(url.strip()).hostname or ""
    except ValueError:
        return ""  # create_app names what is wrong with it


def read_token(path: Path) -> str:
    """The first line of ``path``; refused when missing, unreadable or too short to be safe."""
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise click.UsageError(f"cannot read the token file {path}: {error}") from None
    lines = text.strip().splitlines()
    token = lines[0].strip() if lines else ""
    if len(token) < MIN_TOKEN_CHARACTERS or not token.isprintable() or " " in token:
        raise click.UsageError(
            f"the token file {path} must hold one token of at least {MIN_TOKEN_CHARACTERS}"
            " characters without spaces (e.g. python3 -c 'import secrets;"
            " print(secrets.token_urlsafe(32))')"
        )
    return token


def _when_started(
    server: uvicorn.Server, host: str, login: str, show_login: bool, open_browser: bool
) -> None:
    # uvicorn sets ``started`` once it listens; opening earlier would show an error page.
    while not server.started:
        if server.should_exit:
            return
        time.sleep(0.1)
    port = server.servers[0].sockets[0].getsockname()[1]
    if show_login:
        _show_login(browser_url(host, port), login)
    if open_browser:
        webbrowser.open(browser_url(host, port) + login)


COMMANDS = [serve]
