"""``rubdown demo``: a sample runner in a throwaway home, offline, in any directory."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from icalendar import Calendar

from tests.e2e.cli import Result, network_isolation, rubdown


@dataclass(frozen=True)
class DemoRun:
    result: Result
    cwd: Path
    runner_home: Path


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    """The demo run once, in an empty directory, with no network where the machine can cut
    it off, and ``RUBDOWN_HOME`` pointing at a runner's home it must leave alone."""
    cwd = tmp_path_factory.mktemp("demo-cwd")
    runner_home = tmp_path_factory.mktemp("runner-home")
    result = rubdown(
        ["demo"],
        home=None,
        env={"RUBDOWN_HOME": str(runner_home)},
        cwd=cwd,
        prefix=network_isolation(),
    )
    return DemoRun(result, cwd, runner_home)


def test_demo_exits_zero_and_prints_the_plan_table(demo: DemoRun) -> None:
    assert demo.result.code == 0, demo.result.err
    assert "Traceback" not in demo.result.err
    out = demo.result.out
    assert "Season plan" in out
    assert "┏" in out  # the table's frame
    assert "┃ When" in out  # and its header
    assert "Session, focus and why" in out


def test_demo_writes_rubdown_demo_ics_in_the_current_directory(demo: DemoRun) -> None:
    written = demo.cwd / "rubdown-demo.ics"
    assert written.is_file(), os.listdir(demo.cwd)
    calendar = Calendar.from_ical(written.read_bytes())
    assert calendar.walk("VEVENT")


def test_demo_shows_one_refused_and_one_allowed_check(demo: DemoRun) -> None:
    out = demo.result.out
    assert out.count("✘ not allowed:") == 1, out
    assert out.count("✔ allowed:") == 1, out
    refusal = out[out.index("✘ not allowed:") :].split("\n✔ allowed:")[0]
    assert "T2" in refusal


def test_demo_leaves_the_runners_own_home_untouched(demo: DemoRun) -> None:
    assert demo.result.code == 0, demo.result.err
    assert list(demo.runner_home.iterdir()) == []


def test_demo_ends_with_todays_self_massage_for_the_sample_runner(demo: DemoRun) -> None:
    out = demo.result.out
    assert "Today's self-massage" in out
    today = out[out.index("Today's self-massage") :]
    # The sample runner has a desk job (C7) and tight calves: breaks and calf work today.
    assert "Desk breaks" in today
    assert "C7" in today
    assert out.count("not medical advice") == 1
