"""Run a coroutine to its end from a synchronous test, whatever this thread is running.

The browser tests drive Playwright's synchronous API, which keeps an event loop running in
the test thread for the whole session; ``asyncio.run`` refuses to start another loop there.
A fresh thread has no loop, so the coroutine runs there with a loop of its own.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(coroutine)`` in a thread of its own; its result, or what it raised."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["result"] = asyncio.run(coroutine)
        except BaseException as error:  # handed back to the test's own thread
            outcome["error"] = error

    worker = threading.Thread(target=run, name="run-async")
    worker.start()
    worker.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]  # type: ignore[no-any-return]
