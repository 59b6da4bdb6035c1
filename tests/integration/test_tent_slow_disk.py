"""A slow disk slows the action being written, not everything else: while one group of
actions waits for its fsync, the next check-in is applied (its entry read beside the write),
and the board, which the live feed reads on the server's event loop, answers at once."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rubdown.domain.tent.day import Device
from rubdown.services.tent_day import TentDay
from rubdown.tentday.store import SqliteTentDay
from tests.support.tent import StepClock, answers, write_entries

FSYNC_S = 0.4  # a commit on a very busy disk


class SlowDisk(SqliteTentDay):
    """Each write transaction holds the writing connection for ``FSYNC_S`` before it commits,
    as a real commit does while the disk takes its fsync."""

    writing = threading.Event()

    @contextmanager
    def _write(self) -> Iterator[object]:  # type: ignore[override]
        with super()._write() as db:
            yield db
            self.writing.set()
            time.sleep(FSYNC_S)


def test_a_slow_commit_holds_up_neither_the_next_check_in_nor_the_board(tmp_path: Path) -> None:
    store = SlowDisk(tmp_path / "day.sqlite")
    day = TentDay(store, StepClock())
    day.load_entries(write_entries(tmp_path))
    store.writing.clear()
    desk = Device("desk-1", "desk", None, "")
    first = threading.Thread(
        target=day.act, args=(desk, "checkin", {"bib": "101", "answers": answers()}, "slow-key-1")
    )
    first.start()
    assert store.writing.wait(5)  # the first check-in is in its commit now
    began = time.perf_counter()
    second = threading.Thread(
        target=day.act, args=(desk, "checkin", {"bib": "102", "answers": answers()}, "slow-key-2")
    )
    second.start()
    time.sleep(0.05)  # the second check-in reads its entry and joins the next group
    board = day.board()
    board_s = time.perf_counter() - began
    first.join()
    second.join()
    assert board_s < FSYNC_S / 2, f"the board waited {board_s:.2f} s for the disk"
    assert board["waiting"] == 2  # both applied in memory; the second still on its way to disk
    assert day.seq == 2
