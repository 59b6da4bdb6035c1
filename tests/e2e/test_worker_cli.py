"""``rubdown worker``'s refusals through the real command: one line and a non-zero exit, no
traceback, before it waits for anything."""

from __future__ import annotations

from collections.abc import Callable

from tests.e2e.cli import Result


def test_a_worker_on_a_local_sqlite_home_refuses_with_one_line(run: Callable[..., Result]) -> None:
    result = run("worker")
    line = result.error_line()
    assert "needs PostgreSQL" in line
    assert "RUBDOWN_DATABASE_URL" in line
    assert result.code == 1


def test_a_stalled_time_a_live_worker_could_reach_is_refused_with_one_line(
    run: Callable[..., Result],
) -> None:
    result = run("worker", "--heartbeat", "10", "--stalled-after", "15")
    assert "--stalled-after" in result.error_line()
    assert result.code == 2
