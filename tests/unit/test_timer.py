"""The guided timer's state machine, driven by a fake clock and fake key presses."""

from __future__ import annotations

import os
import termios
from collections.abc import Iterator

import pytest
from rich.console import Console

from rubdown.cli.timer import (
    GuidedTimer,
    KeyReader,
    Outcome,
    big_clock,
    plain_keys,
    summary_line,
    timer_screen,
    timer_speed,
)
from rubdown.domain.knowledge import Intensity
from rubdown.domain.model import Tool
from rubdown.domain.regions import parse_region
from rubdown.domain.routines import DayAdvice, Routine, RoutineWhen, Step, StepKind
from rubdown.errors import InvalidValue
from rubdown.services.routine_view import clock_text


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0  # not zero: only differences may count

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def step(move: str, seconds: int, kind: StepKind = StepKind.MASSAGE) -> Step:
    return Step(
        kind=kind,
        move=move,
        region=parse_region("calf"),
        tool=Tool.ROLLER,
        seconds=seconds,
        intensity=Intensity.LIGHT,
        cue=f"cue for {move}",
        rules=("S1",),
    )


ROUTINE = Routine(
    RoutineWhen.PRE_RUN,
    (
        step("Leg swings", 60, StepKind.WARM_UP),
        step("Calf roll", 45),
        step("Shin stroke", 30),
    ),
)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def timer(clock: FakeClock) -> GuidedTimer:
    return GuidedTimer(ROUTINE.steps, clock)


def test_a_new_timer_starts_on_the_first_step_with_its_full_time(timer: GuidedTimer) -> None:
    assert timer.current is ROUTINE.steps[0]
    assert timer.next_step is ROUTINE.steps[1]
    assert timer.step_remaining == 60
    assert not timer.paused
    assert not timer.over


def test_time_counts_down_the_current_step(timer: GuidedTimer, clock: FakeClock) -> None:
    clock.advance(25)
    timer.update()
    assert timer.current is ROUTINE.steps[0]
    assert timer.step_remaining == pytest.approx(35)
    assert timer.routine_position_s == pytest.approx(25)


def test_a_step_whose_time_is_up_is_done_and_the_rest_goes_to_the_next(
    timer: GuidedTimer, clock: FakeClock
) -> None:
    clock.advance(70)
    timer.update()
    assert timer.outcomes == [Outcome.DONE]
    assert timer.current is ROUTINE.steps[1]
    assert timer.step_elapsed == pytest.approx(10)


def test_a_clock_jump_past_several_steps_completes_them_all(
    timer: GuidedTimer, clock: FakeClock
) -> None:
    clock.advance(10_000)
    timer.update()
    assert timer.finished
    summary = timer.summary()
    assert (summary.steps_done, summary.steps_skipped, summary.completed) == (3, 0, True)
    assert summary.seconds == pytest.approx(135)  # the routine's time, not the clock's jump


@pytest.mark.parametrize("key", [" ", "p"])
def test_pause_stops_the_countdown_and_resume_continues_it(
    timer: GuidedTimer, clock: FakeClock, key: str
) -> None:
    clock.advance(10)
    timer.press(key)
    assert timer.paused
    clock.advance(500)
    timer.update()
    assert timer.step_remaining == pytest.approx(50)
    timer.press(key)
    assert not timer.paused
    clock.advance(5)
    timer.update()
    assert timer.step_remaining == pytest.approx(45)
    assert timer.active_s == pytest.approx(15)


@pytest.mark.parametrize("key", ["s", "n"])
def test_skip_moves_to_the_next_step_and_counts_it_skipped(
    timer: GuidedTimer, clock: FakeClock, key: str
) -> None:
    clock.advance(20)
    timer.press(key)
    assert timer.current is ROUTINE.steps[1]
    assert timer.step_remaining == 45
    assert timer.outcomes == [Outcome.SKIPPED]
    assert timer.active_s == pytest.approx(20)  # the time before the skip still counts


def test_skipping_while_paused_keeps_the_next_step_paused(
    timer: GuidedTimer, clock: FakeClock
) -> None:
    timer.press("p")
    timer.press("s")
    clock.advance(30)
    timer.update()
    assert timer.paused
    assert timer.current is ROUTINE.steps[1]
    assert timer.step_remaining == 45


def test_skipping_the_last_step_ends_the_routine_as_completed(timer: GuidedTimer) -> None:
    for _ in ROUTINE.steps:
        timer.press("s")
    assert timer.finished
    assert timer.current is None
    summary = timer.summary()
    assert (summary.steps_done, summary.steps_skipped, summary.completed) == (0, 3, True)


def test_quit_ends_the_routine_not_completed_and_the_step_under_way_counts_neither(
    timer: GuidedTimer, clock: FakeClock
) -> None:
    clock.advance(61)
    timer.update()
    clock.advance(4)
    timer.press("q")
    assert timer.over
    assert not timer.finished
    summary = timer.summary()
    assert (summary.steps_done, summary.steps_skipped, summary.completed) == (1, 0, False)
    assert summary.seconds == pytest.approx(65)


def test_nothing_moves_after_quitting(timer: GuidedTimer, clock: FakeClock) -> None:
    timer.press("q")
    clock.advance(1000)
    timer.update()
    timer.press("s")
    timer.press("p")
    assert timer.summary().seconds == 0
    assert timer.outcomes == []
    assert not timer.paused


def test_unknown_keys_change_nothing(timer: GuidedTimer, clock: FakeClock) -> None:
    clock.advance(5)
    timer.press("x")
    timer.press("\n")
    assert (timer.index, timer.paused, timer.quit) == (0, False, False)
    assert timer.step_remaining == pytest.approx(55)


def test_the_next_step_is_none_on_the_last_step(timer: GuidedTimer) -> None:
    timer.press("s")
    timer.press("s")
    assert timer.current is ROUTINE.steps[2]
    assert timer.next_step is None


def test_zero_second_steps_are_done_at_once(clock: FakeClock) -> None:
    timer = GuidedTimer((step("nothing", 0), step("Calf roll", 30)), clock)
    assert timer.outcomes == [Outcome.DONE]
    assert timer.current is not None
    assert timer.current.move == "Calf roll"


def test_an_empty_routine_is_over_at_once(clock: FakeClock) -> None:
    timer = GuidedTimer((), clock)
    assert timer.finished
    assert timer.summary().completed


def test_a_clock_that_goes_back_does_not_add_time(timer: GuidedTimer, clock: FakeClock) -> None:
    clock.advance(10)
    timer.update()
    clock.advance(-5)
    timer.update()
    assert timer.step_elapsed == pytest.approx(10)


@pytest.mark.parametrize(("value", "speed"), [("", 1.0), ("60", 60.0), (" 2.5 ", 2.5)])
def test_the_speed_knob_reads_a_positive_number(value: str, speed: float) -> None:
    assert timer_speed({"RUBDOWN_TIMER_SPEED": value}) == speed
    assert timer_speed({}) == 1.0


@pytest.mark.parametrize("value", ["0", "-3", "fast", "nan", "inf", "1e9"])
def test_the_speed_knob_refuses_what_is_not_a_sane_speed(value: str) -> None:
    with pytest.raises(InvalidValue, match="RUBDOWN_TIMER_SPEED"):
        timer_speed({"RUBDOWN_TIMER_SPEED": value})


@pytest.mark.parametrize(
    ("seconds", "text"), [(0, "0:00"), (0.2, "0:01"), (59, "0:59"), (60, "1:00"), (605, "10:05")]
)
def test_times_read_as_minutes_and_seconds_rounded_up(seconds: float, text: str) -> None:
    assert clock_text(seconds) == text


def test_the_big_countdown_has_five_rows_of_blocks() -> None:
    rows = big_clock("1:05").split("\n")
    assert len(rows) == 5
    assert all("█" in row for row in rows)


def render(timer: GuidedTimer, warnings: tuple[DayAdvice, ...] = ()) -> str:
    console = Console(width=100, record=True, color_system=None)
    console.print(timer_screen(timer, ROUTINE, warnings))
    return console.export_text()


def test_the_screen_shows_the_step_its_cue_the_next_one_and_the_keys(
    timer: GuidedTimer, clock: FakeClock
) -> None:
    clock.advance(15)
    timer.update()
    screen = render(timer)
    assert "Leg swings" in screen
    assert "cue for Leg swings" in screen
    assert "calf" in screen
    assert "roller" in screen
    assert "0:45 left" in screen
    assert "next up: Calf roll" in screen
    assert "step 1 of 3" in screen
    assert "space/p pause" in screen
    assert "PAUSED" not in screen


def test_the_screen_says_paused_and_shows_warnings_first(timer: GuidedTimer) -> None:
    timer.press("p")
    screen = render(timer, (DayAdvice("Sharp pain in the left heel: stop", ("X1",)),))
    assert "PAUSED" in screen
    assert screen.index("Sharp pain in the left heel") < screen.index("Leg swings")


def test_the_summary_says_what_was_done_and_skipped(timer: GuidedTimer, clock: FakeClock) -> None:
    timer.press("s")
    clock.advance(45)
    timer.update()
    timer.press("q")
    line = summary_line(timer.summary(), ROUTINE)
    assert line == "pre-run routine stopped early: 1 of 3 steps done, 1 skipped, 0:45 timed"


def test_the_end_screen_tells_a_finished_routine_from_a_stopped_one(
    timer: GuidedTimer, clock: FakeClock
) -> None:
    timer.press("q")
    assert "Stopped: the routine was not finished" in render(timer)
    finished = GuidedTimer(ROUTINE.steps, clock)
    clock.advance(1000)
    finished.update()
    assert "Routine done" in render(finished)


@pytest.fixture
def pty_pair() -> Iterator[tuple[int, int]]:
    master, slave = os.openpty()
    yield master, slave
    os.close(master)
    os.close(slave)


def canonical(fd: int) -> bool:
    return bool(termios.tcgetattr(fd)[3] & termios.ICANON)


def test_the_key_reader_reads_single_keys_without_enter(pty_pair: tuple[int, int]) -> None:
    master, slave = pty_pair
    with KeyReader(slave) as keys:
        assert not canonical(slave)
        assert keys.read(0.01) is None  # nothing typed: no wait beyond the timeout
        os.write(master, b"s")
        assert keys.read(1.0) == "s"
        os.write(master, b"\x1b[A")  # an arrow key is no command
        assert keys.read(1.0) is None
    assert canonical(slave)


def test_keys_typed_together_are_all_read_in_order(pty_pair: tuple[int, int]) -> None:
    master, slave = pty_pair
    with KeyReader(slave) as keys:
        os.write(master, b" sq")
        assert [keys.read(1.0), keys.read(0.01), keys.read(0.01)] == [" ", "s", "q"]
        assert keys.read(0.01) is None


@pytest.mark.parametrize(
    ("data", "keys"),
    [
        (b"p", ["p"]),
        (b"\x1b[Ds", ["s"]),  # left arrow, then s
        (b"\x1bOAq", ["q"]),  # up arrow in application mode, then q
        (b"\x1b[15~n", ["n"]),  # F5, then n
        (b"\x1b", []),
    ],
)
def test_escape_sequences_are_dropped_and_plain_keys_kept(data: bytes, keys: list[str]) -> None:
    assert plain_keys(data) == keys


def test_the_key_reader_restores_the_terminal_when_interrupted(pty_pair: tuple[int, int]) -> None:
    _, slave = pty_pair
    before = termios.tcgetattr(slave)
    with pytest.raises(KeyboardInterrupt), KeyReader(slave):
        raise KeyboardInterrupt
    assert termios.tcgetattr(slave) == before
