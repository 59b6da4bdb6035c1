"""What the table-group halves of ``Store`` rely on: its clock and transaction helpers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

from sqlalchemy.engine import Connection

# Set on a write transaction's ``connection.info`` by a block that found nothing to change,
# so ``Store._writing`` leaves the runner's data version (and every kept answer) as it was.
NOTHING_WRITTEN = "rubdown.nothing_written"


class RowsBase:
    """``Store`` provides these; the mixins (activities, daily rows) only declare them."""

    _clock: Callable[[], dt.datetime]

    if TYPE_CHECKING:

        def _reading(self, what: str) -> AbstractContextManager[Connection]: ...

        def _writing(
            self, owner: str, what: str, *, owner_must_exist: bool = True
        ) -> AbstractContextManager[Connection]: ...
