"""The race-day tent on the day (``rubdown tent serve``): an adapter package of its own.

``store`` keeps the day in one SQLite file; ``app`` is the tent's web app (the desk, the
tables, the board and the lead, each a device on the tent's own network) with its live board
(``board``, server-sent events) and its pages in ``static/``. The use case between them is
``services.tent_day``; the queue itself is ``domain.tent.queue``.
"""

from __future__ import annotations

from pathlib import Path

from rubdown.services.tent_day import Clock, TentDay, utc_now


def open_day(path: Path, clock: Clock = utc_now) -> TentDay:
    """The tent's day kept in ``path`` (made when missing), its queue replayed from the file."""
    from rubdown.tentday.store import SqliteTentDay

    return TentDay(SqliteTentDay(path), clock)
