"""What every command shares: the per-invocation ``State``, ``get_app`` and ``--json``.

It sits below ``main`` and the ``commands_*`` modules, so they import it and not each other.
It loads nothing heavy: the store, the rules and SQLAlchemy open in ``State.app()``, when a
command first asks for them, so ``--help`` and a mistyped flag never pay for them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from rubdown.services.runner import Runner

F = TypeVar("F", bound=Callable[..., Any])


class State:
    """Per-invocation settings; the app (and its database) is opened only when a command asks."""

    def __init__(self, home: Path | None) -> None:
        self.home = home
        self._app: Runner | None = None

    def app(self) -> Runner:
        if self._app is None:
            from rubdown.bootstrap import Settings, build_app

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


def get_app(ctx: click.Context) -> Runner:
    state = ctx.find_object(State)
    assert state is not None
    return state.app()
