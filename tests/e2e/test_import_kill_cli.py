"""An import killed after its last file but before the load refresh (issue 11, fault 1).

The real command runs in a subprocess whose ``Store.save_loads`` ends the process on the
spot (``os._exit``, as a kill would: no clean-up, no rollback handler, no refresh). The
activities are then stored with no load and the default kind; the next command that reads
hard days, or a re-run of the import that finds only duplicates, must put them right.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from tests.e2e.cli import TIMEOUT_SECONDS, Result, Storage, rubdown

CORPUS = Path(__file__).parents[1] / "data" / "activities"
# A long run on Saturday 2019-05-18 (see test_import_cli): a hard day once loads are known.
LONG_RUN = CORPUS / "tormoder-fit/mornindew-broken.fit"
LONG_RUN_DAY = "2019-05-18"
BEFORE_THE_RUN = {"RUBDOWN_TODAY": "2019-05-10"}
KILLED = 9

# The import as the command line runs it, except that the load refresh kills the process
# just before it would write anything.
_KILLED_AT_REFRESH = f"""
import os, sys
from rubdown.store.store import Store
Store.save_loads = lambda *args, **kwargs: os._exit({KILLED})
from rubdown.cli.main import main
main(sys.argv[1:])
"""


def import_killed_at_refresh(storage: Storage, path: Path) -> int:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("RUBDOWN_")}
    environment.update(TZ="UTC", **BEFORE_THE_RUN, **storage.env)
    completed = subprocess.run(
        [
            sys.executable,
            "-c",
            _KILLED_AT_REFRESH,
            "--home",
            str(storage.home),
            "import",
            str(path),
        ],
        capture_output=True,
        timeout=TIMEOUT_SECONDS,
        env=environment,
        check=False,
    )
    return completed.returncode


def run(storage: Storage, *args: str) -> Result:
    env = {**storage.env, **BEFORE_THE_RUN}
    return rubdown(args, home=storage.home, env=env, cwd=storage.home.parent)


def stored_kinds(storage: Storage) -> list[tuple[str, str, float | None]]:
    """(day, kind, load) of every activity, read under the store, without any repair."""
    engine = sa.create_engine(storage.database_url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            rows = connection.exec_driver_sql(
                "SELECT local_day, kind, load FROM activities ORDER BY local_day"
            )
            return [(str(day), kind, load) for day, kind, load in rows]
    finally:
        engine.dispose()


def deep_tissue_on_the_long_run_day(storage: Storage) -> bool:
    result = run(storage, "check", "--date", LONG_RUN_DAY, "--kind", "deep-tissue", "--json")
    allowed = result.document()["allowed"]
    assert isinstance(allowed, bool)
    return allowed


def test_the_kill_leaves_the_activity_without_its_load_so_the_window_is_real(
    storage: Storage,
) -> None:
    assert import_killed_at_refresh(storage, LONG_RUN) == KILLED
    assert stored_kinds(storage) == [(LONG_RUN_DAY, "easy", None)]


def test_a_rerun_of_the_killed_import_finds_only_duplicates_and_still_sets_the_loads(
    storage: Storage,
) -> None:
    assert import_killed_at_refresh(storage, LONG_RUN) == KILLED
    rerun = run(storage, "import", str(LONG_RUN), "--json").document()
    assert rerun["summary"]["duplicate"] == 1
    ((day, kind, load),) = stored_kinds(storage)
    assert (day, kind) == (LONG_RUN_DAY, "long")
    assert load is not None
    assert load > 0
    assert not deep_tissue_on_the_long_run_day(storage)


def test_check_after_the_killed_import_refuses_deep_tissue_on_the_long_run_day(
    storage: Storage,
) -> None:
    assert import_killed_at_refresh(storage, LONG_RUN) == KILLED
    assert not deep_tissue_on_the_long_run_day(storage)
    ((_, kind, load),) = stored_kinds(storage)
    assert kind == "long"
    assert load is not None


def test_the_load_series_after_the_killed_import_counts_the_run(storage: Storage) -> None:
    assert import_killed_at_refresh(storage, LONG_RUN) == KILLED
    document = run(storage, "load", "--from", LONG_RUN_DAY, "--to", LONG_RUN_DAY, "--json")
    (day,) = document.document()["days"]
    assert day["load"] > 0
