"""The live board: server-sent events, one stream per board, sent when the queue changes.

Each stored action wakes every open stream (``TentDay.subscribe``, called from the acting
thread, hands over to the event loop). A stream then sends the board as it is now, at most
every ``MIN_GAP_S``: a burst of a hundred check-ins is one or two events, not a hundred, and
the board still trails the truth by a fraction of a second. With nothing happening a stream
sends the board every ``REFRESH_S`` (the estimated wait moves with the clock) and the browser's
EventSource reconnects by itself after a restart (``retry``), so nobody polls.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncGenerator
from typing import Any

from rubdown.services.tent_day import TentDay

MIN_GAP_S = 0.1
REFRESH_S = 5.0
RETRY_MS = 1000


class BoardFeed:
    def __init__(self, day: TentDay) -> None:
        self._day = day
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wakers: set[asyncio.Event] = set()
        self._stop = day.subscribe(self._changed)

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    def close(self) -> None:
        self._stop()
        for waker in self._wakers:
            waker.set()

    def _changed(self) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._wake)

    def _wake(self) -> None:
        for waker in self._wakers:
            waker.set()

    async def stream(self) -> AsyncGenerator[str, None]:
        waker = asyncio.Event()
        self._wakers.add(waker)
        try:
            yield f"retry: {RETRY_MS}\n\n"
            sent: dict[str, Any] | None = None
            while True:
                waker.clear()
                board = self._day.board()
                comparable = {k: v for k, v in board.items() if k != "at"}
                if comparable != sent:
                    sent = comparable
                    yield f"id: {board['seq']}\nevent: board\ndata: {json.dumps(board)}\n\n"
                else:
                    yield ": still here\n\n"  # keeps proxies and idle sockets open
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(waker.wait(), timeout=REFRESH_S)
                await asyncio.sleep(MIN_GAP_S)
        finally:
            self._wakers.discard(waker)
