"""The guided timer for one self-massage routine, in three parts kept apart on purpose:

- ``GuidedTimer``: a pure state machine. It owns no clock and reads no keys: time comes from
  an injected clock, keys come in through ``press``. Tests drive it with a fake clock.
- ``KeyReader``: reads single keys from a terminal without blocking (cbreak mode, ``select``)
  and always puts the terminal back as it found it.
- ``timer_screen``: what the runner sees (rich), built from the timer's state alone.

``run_guided`` joins the three for ``rubdown today --start``.
"""

from __future__ import annotations

import os
import select
import sys
import termios
import time
import tty
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass
from enum import StrEnum
from typing import IO, Any

from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.panel import Panel
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from rubdown.domain.routines import DayAdvice, Routine, Step
from rubdown.errors import InputError, InvalidValue
from rubdown.services.routine_view import clock_text

SPEED_ENV = "RUBDOWN_TIMER_SPEED"
MAX_SPEED = 100_000.0
POLL_S = 0.1  # how often the screen is redrawn and keys are looked for, in real seconds

PAUSE_KEYS = frozenset({" ", "p", "P"})
SKIP_KEYS = frozenset({"s", "S", "n", "N"})
QUIT_KEYS = frozenset({"q", "Q"})
KEYS_HELP = "space/p pause · s/n skip · q quit"


class Outcome(StrEnum):
    DONE = "done"  # its time ran out
    SKIPPED = "skipped"  # the runner moved on before its time was up


@dataclass(frozen=True)
class TimerSummary:
    steps: int
    steps_done: int
    steps_skipped: int
    seconds: float  # time spent in steps, pauses not counted, in routine time
    completed: bool  # went through to the last step without quitting


class GuidedTimer:
    """Where the runner is in a routine: which step, how long into it, paused or not.

    ``clock`` returns seconds on any monotonic scale; only differences count. Time passes in
    steps only while the timer runs; a step whose time is up hands the rest of the elapsed
    time to the next one, so a clock that jumps (a slow redraw, a fast test clock) never loses
    or invents time.
    """

    def __init__(self, steps: Sequence[Step], clock: Callable[[], float]) -> None:
        self.steps = tuple(steps)
        self._clock = clock
        self._last = clock()
        self.index = 0
        self.step_elapsed = 0.0
        self.active_s = 0.0
        self.paused = False
        self.quit = False
        self.outcomes: list[Outcome] = []
        self._settle()

    # -- reading the state --------------------------------------------------------------------

    @property
    def finished(self) -> bool:
        """Every step was done or skipped."""
        return self.index >= len(self.steps)

    @property
    def over(self) -> bool:
        return self.finished or self.quit

    @property
    def current(self) -> Step | None:
        return None if self.over else self.steps[self.index]

    @property
    def next_step(self) -> Step | None:
        following = self.index + 1
        return self.steps[following] if not self.over and following < len(self.steps) else None

    @property
    def step_remaining(self) -> float:
        step = self.current
        return 0.0 if step is None else max(0.0, step.seconds - self.step_elapsed)

    @property
    def total_s(self) -> int:
        return sum(step.seconds for step in self.steps)

    @property
    def routine_position_s(self) -> float:
        """How far through the routine's planned time: steps behind count in full."""
        behind = sum(step.seconds for step in self.steps[: self.index])
        return behind + (self.step_elapsed if not self.over else 0.0)

    def summary(self) -> TimerSummary:
        return TimerSummary(
            steps=len(self.steps),
            steps_done=self.outcomes.count(Outcome.DONE),
            steps_skipped=self.outcomes.count(Outcome.SKIPPED),
            seconds=self.active_s,
            completed=self.finished and not self.quit,
        )

    # -- changing it --------------------------------------------------------------------------

    def update(self) -> None:
        """Let the time since the last look pass through the steps."""
        now = self._clock()
        passed, self._last = max(0.0, now - self._last), now
        if self.paused or self.over:
            return
        while passed > 0.0 and not self.over:
            room = self.steps[self.index].seconds - self.step_elapsed
            used = min(room, passed)
            self.step_elapsed += used
            self.active_s += used
            passed -= used
            self._settle()

    def press(self, key: str) -> None:
        """One key from the runner; keys the timer does not know are ignored."""
        self.update()  # the time up to the key press belongs to the state before it
        if self.over:
            return
        if key in PAUSE_KEYS:
            self.paused = not self.paused
        elif key in SKIP_KEYS:
            self._leave(Outcome.SKIPPED)
            self._settle()
        elif key in QUIT_KEYS:
            self.stop()

    def stop(self) -> None:
        """Quit where the runner is; the step under way counts as neither done nor skipped."""
        if not self.over:
            self.update()
            self.quit = True

    def _leave(self, outcome: Outcome) -> None:
        self.outcomes.append(outcome)
        self.index += 1
        self.step_elapsed = 0.0

    def _settle(self) -> None:
        # A step whose time is up is done (a zero-second step is done at once).
        while not self.over and self.step_elapsed >= self.steps[self.index].seconds:
            self._leave(Outcome.DONE)


def timer_speed(env: Mapping[str, str]) -> float:
    """``RUBDOWN_TIMER_SPEED=60``: a routine second passes in 1/60 of a real second."""
    text = env.get(SPEED_ENV, "").strip()
    if not text:
        return 1.0
    try:
        speed = float(text)
    except ValueError:
        speed = float("nan")
    if not 0 < speed <= MAX_SPEED:  # also false for NaN
        raise InvalidValue(f"{SPEED_ENV}={text!r} must be a number above 0, at most {MAX_SPEED:g}")
    return speed


def scaled_clock(speed: float, real: Callable[[], float] = time.monotonic) -> Callable[[], float]:
    start = real()
    return lambda: (real() - start) * speed


# -- the terminal ------------------------------------------------------------------------------


def require_terminal(stdin: IO[str], stdout: IO[str]) -> None:
    if not (stdin.isatty() and stdout.isatty()):
        raise InputError(
            "the guided timer needs a terminal to read keys from; "
            "`rubdown today` prints the routines instead"
        )


class KeyReader:
    """Single key presses from a terminal, without waiting for Enter and without blocking.

    cbreak mode (not raw) keeps Ctrl-C working as an interrupt; the terminal's settings are
    saved first and restored on leaving, whatever ends the ``with`` block.
    """

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self._saved: list[Any] | None = None
        self._pending: deque[str] = deque()

    def __enter__(self) -> KeyReader:
        self._saved = termios.tcgetattr(self.fd)
        tty.setcbreak(self.fd, termios.TCSANOW)
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._saved is not None:
            termios.tcsetattr(self.fd, termios.TCSADRAIN, self._saved)
            self._saved = None

    def read(self, timeout: float) -> str | None:
        """The next key, or None when none came within ``timeout`` seconds."""
        if not self._pending:
            ready, _, _ = select.select([self.fd], [], [], timeout)
            if ready:
                # Keys typed quickly arrive in one read: all of them are kept, in order.
                self._pending.extend(plain_keys(os.read(self.fd, 64)))
        return self._pending.popleft() if self._pending else None


def plain_keys(data: bytes) -> list[str]:
    """The single characters in ``data``, without escape sequences (arrow and function keys
    arrive as ESC [ ... or ESC O ..., and name no command of the timer)."""
    text = data.decode("utf-8", errors="ignore")
    keys: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        i += 1
        if char != "\x1b":
            keys.append(char)
            continue
        if i < len(text) and text[i] in "[O":
            i += 1
            # Parameters and intermediates run up to one final byte in @ through ~.
            while i < len(text) and not "@" <= text[i] <= "~":
                i += 1
            i += 1
    return keys


# -- what the runner sees ----------------------------------------------------------------------

# A five-line block font for the countdown: digits and the colon.
_GLYPHS = {
    "0": ("███", "█ █", "█ █", "█ █", "███"),
    "1": ("  █", "  █", "  █", "  █", "  █"),
    "2": ("███", "  █", "███", "█  ", "███"),
    "3": ("███", "  █", "███", "  █", "███"),
    "4": ("█ █", "█ █", "███", "  █", "  █"),
    "5": ("███", "█  ", "███", "  █", "███"),
    "6": ("███", "█  ", "███", "█ █", "███"),
    "7": ("███", "  █", "  █", "  █", "  █"),
    "8": ("███", "█ █", "███", "█ █", "███"),
    "9": ("███", "█ █", "███", "  █", "███"),
    ":": (" ", "█", " ", "█", " "),
}


def big_clock(text: str) -> str:
    rows = []
    for line in range(5):
        rows.append("  ".join(_GLYPHS[ch][line] for ch in text if ch in _GLYPHS))
    return "\n".join(rows)


def _step_facts(step: Step) -> str:
    region = step.region.label if step.region is not None else "whole body"
    return f"{step.kind} · {region} · {step.tool} · {step.intensity}"


def timer_screen(
    timer: GuidedTimer, routine: Routine, warnings: Sequence[DayAdvice] = ()
) -> RenderableType:
    """The whole screen for the timer's current state."""
    parts: list[RenderableType] = []
    for advice in warnings:
        parts.append(Text(f"⚠ {advice.message} ({' '.join(advice.rules)})", style="bold red"))
    step = timer.current
    if step is None:
        end = "Stopped: the routine was not finished." if timer.quit else "Routine done."
        parts.append(Text(end, style="bold"))
        return Panel(Group(*parts), title=f"{routine.when} routine", expand=False)
    number = f"step {timer.index + 1} of {len(timer.steps)}"
    parts.append(Text(step.move, style="bold cyan"))
    parts.append(Text(_step_facts(step)))
    parts.append(Text(f"cue: {step.cue}", style="italic"))
    parts.append(Text(f"rules: {' '.join(step.rules)}", style="dim"))
    parts.append(Text(""))
    countdown = clock_text(timer.step_remaining)
    parts.append(Text(big_clock(countdown), style="yellow" if timer.paused else "bold green"))
    parts.append(Text(f"{countdown} left", style="dim"))
    parts.append(Text(""))
    bars = Table.grid(padding=(0, 1))
    bars.add_column(no_wrap=True)
    bars.add_column(width=32)
    bars.add_column(no_wrap=True, justify="right")
    bars.add_row(
        "step",
        ProgressBar(total=max(step.seconds, 1), completed=timer.step_elapsed, width=32),
        f"{clock_text(timer.step_elapsed)} / {clock_text(step.seconds)}",
    )
    bars.add_row(
        "routine",
        ProgressBar(total=max(timer.total_s, 1), completed=timer.routine_position_s, width=32),
        f"{clock_text(timer.routine_position_s)} / {clock_text(timer.total_s)}",
    )
    parts.append(bars)
    following = timer.next_step
    if following is not None:
        parts.append(Text(f"next up: {following.move} ({clock_text(following.seconds)})"))
    else:
        parts.append(Text("next up: nothing, this is the last step"))
    if timer.paused:
        parts.append(Text("⏸ PAUSED: press space or p to go on", style="bold yellow"))
    parts.append(Text(KEYS_HELP, style="dim"))
    return Panel(Group(*parts), title=f"{routine.when} routine · {number}", expand=False)


def summary_line(summary: TimerSummary, routine: Routine) -> str:
    state = "completed" if summary.completed else "stopped early"
    return (
        f"{routine.when} routine {state}: {summary.steps_done} of {summary.steps} steps done, "
        f"{summary.steps_skipped} skipped, {clock_text(summary.seconds)} timed"
    )


def run_guided(
    routine: Routine,
    console: Console,
    *,
    warnings: Sequence[DayAdvice] = (),
    speed: float = 1.0,
    stdin: IO[str] | None = None,
) -> TimerSummary:
    """Run the timer on this terminal until the routine ends or the runner quits."""
    source = stdin if stdin is not None else sys.stdin
    timer = GuidedTimer(routine.steps, scaled_clock(speed))
    with (
        KeyReader(source.fileno()) as keys,
        Live(
            timer_screen(timer, routine, warnings),
            console=console,
            auto_refresh=False,
            transient=False,
        ) as live,
        # Ctrl-C quits the routine (which is then logged) rather than ending rubdown.
        suppress(KeyboardInterrupt),
    ):
        try:
            while not timer.over:
                key = keys.read(POLL_S)
                if key is not None:
                    timer.press(key)
                else:
                    timer.update()
                live.update(timer_screen(timer, routine, warnings), refresh=True)
        finally:
            # Whatever ended the loop (Ctrl-C included), the time so far is counted.
            timer.stop()
            live.update(timer_screen(timer, routine, warnings), refresh=True)
    return timer.summary()
