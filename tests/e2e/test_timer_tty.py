"""The guided timer (``rubdown today --start``) driven through a real terminal.

Two terminals drive the same checks: tmux (a full terminal emulator: ``send-keys`` types,
``capture-pane`` shows the screen as the runner sees it) when it is installed, and a bare
pseudo-terminal from ``os.openpty`` (the screen is the output with its escape codes removed)
everywhere. Each run ends with a look at what the timer logged.
"""

from __future__ import annotations

import os
import re
import select
import shlex
import shutil
import signal
import subprocess
import sys
import termios
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

import pytest
import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from rubdown.store import sqlite_url_for_home
from tests.e2e.cli import TODAY, rubdown

WIDTH, HEIGHT = 100, 50
WAIT_S = 15.0
EXIT_MARK = "RUBDOWN-EXIT="
ANSI = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07]*\x07|[@-Z\\-_])")


class Terminal(Protocol):
    def send(self, key: str) -> None: ...

    def interrupt(self) -> None: ...

    def screen(self) -> str: ...

    def exit_code(self) -> int | None: ...

    def close(self) -> None: ...


def wait_for(terminal: Terminal, pattern: str, timeout: float = WAIT_S) -> str:
    """The screen once ``pattern`` (a regular expression) shows on it."""
    deadline = time.monotonic() + timeout
    while True:
        screen = terminal.screen()
        if re.search(pattern, screen):
            return screen
        if time.monotonic() > deadline:
            raise AssertionError(f"{pattern!r} never showed; the screen:\n{screen}")
        time.sleep(0.05)


def wait_for_exit(terminal: Terminal, timeout: float = WAIT_S) -> int:
    deadline = time.monotonic() + timeout
    while (code := terminal.exit_code()) is None:
        if time.monotonic() > deadline:
            raise AssertionError(f"the timer did not exit; the screen:\n{terminal.screen()}")
        time.sleep(0.05)
    return code


def environment(extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RUBDOWN_")}
    # A real terminal: no NO_COLOR, so rich draws the live screen as it would for a runner.
    env.pop("NO_COLOR", None)
    env.update(RUBDOWN_TODAY=TODAY, TZ="UTC", PYTHONUTF8="1", TERM="xterm-256color")
    env.update(extra)
    return env


class TmuxTerminal:
    """The command in a detached tmux session on a private server (its own socket)."""

    def __init__(self, command: list[str], env: dict[str, str]) -> None:
        self.socket = f"rubdown-test-{uuid.uuid4().hex[:8]}"
        exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items() if k.isidentifier())
        # After the command: its exit status, and whether the terminal is back in canonical
        # mode (the timer turns that off while it reads single keys).
        script = (
            # The shell traps Ctrl-C (runs ``:``) so it lives on to report; the command gets
            # the default handling back when it starts.
            f"trap : INT; env -i {exports} {shlex.join(command)}; echo {EXIT_MARK}$?; "
            "stty -a | tr ' ' '\\n' | grep -x -e icanon -e -icanon; sleep 60"
        )
        self._tmux("new-session", "-d", "-s", "t", "-x", str(WIDTH), "-y", str(HEIGHT), script)

    def _tmux(self, *args: str) -> str:
        done = subprocess.run(
            ["tmux", "-L", self.socket, "-f", "/dev/null", *args],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        )
        return done.stdout

    def send(self, key: str) -> None:
        self._tmux("send-keys", "-t", "t", "Space" if key == " " else key)

    def interrupt(self) -> None:
        self._tmux("send-keys", "-t", "t", "C-c")

    def screen(self) -> str:
        return self._tmux("capture-pane", "-p", "-t", "t", "-S", "-200")

    def exit_code(self) -> int | None:
        found = re.search(EXIT_MARK + r"(\d+)", self.screen())
        return int(found.group(1)) if found else None

    def canonical_after(self) -> bool:
        screen = wait_for(self, r"(?m)^-?icanon$")
        return re.search(r"(?m)^icanon$", screen) is not None

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True, check=False)


class PtyTerminal:
    """The command on the slave side of a pseudo-terminal; we hold the master."""

    def __init__(self, command: list[str], env: dict[str, str]) -> None:
        self.master, slave = os.openpty()
        termios.tcsetwinsize(self.master, (HEIGHT, WIDTH))
        env = {**env, "COLUMNS": str(WIDTH), "LINES": str(HEIGHT)}
        self.process = subprocess.Popen(
            command, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True
        )
        os.close(slave)
        self._output = bytearray()

    def _drain(self) -> None:
        while select.select([self.master], [], [], 0)[0]:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:  # EIO: the child closed its side
                return
            if not chunk:
                return
            self._output += chunk

    def send(self, key: str) -> None:
        os.write(self.master, key.encode())

    def interrupt(self) -> None:
        # Without a controlling terminal, Ctrl-C cannot reach the child through the pty;
        # send the signal the terminal would have sent.
        self.process.send_signal(signal.SIGINT)

    def screen(self) -> str:
        self._drain()
        return ANSI.sub("", self._output.decode("utf-8", errors="replace"))

    def exit_code(self) -> int | None:
        self._drain()
        return self.process.poll()

    def canonical_after(self) -> bool:
        # The pty's two sides share one set of settings: the master shows the slave's.
        return bool(termios.tcgetattr(self.master)[3] & termios.ICANON)

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=10)
        os.close(self.master)


TERMINALS = [
    pytest.param(
        "tmux",
        marks=pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
    ),
    "pty",
]


@pytest.fixture(scope="module")
def seeded_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A runner with tools, a desk job, and an easy run today: a day with routines."""
    home = tmp_path_factory.mktemp("timer") / "home"
    for args in (
        ["profile", "set", "--owns", "roller,stick", "--desk-job", "--conditions", "tight-calves"],
        ["workout", "add", "--date", TODAY, "--kind", "easy", "--duration-min", "45"],
    ):
        result = rubdown(args, home=home)
        assert result.code == 0, result.err
    return home


@pytest.fixture(scope="module")
def pre_run(seeded_home: Path) -> dict[str, Any]:
    """Today's pre-run routine as ``today --json`` shows it: the steps the timer must show."""
    document = rubdown(["today", "--json"], home=seeded_home).document()
    routines = {r["when"]: r for r in document["routines"]}
    assert "pre-run" in routines, document
    routine: dict[str, Any] = routines["pre-run"]
    assert len(routine["steps"]) >= 3, "the checks below skip two steps and need a third"
    return routine


def open_terminal(kind: str, home: Path, *args: str, speed: str = "1") -> Terminal:
    command = [sys.executable, "-m", "rubdown", "--home", str(home), "today", "--start", *args]
    env = environment({"RUBDOWN_TIMER_SPEED": speed})
    return TmuxTerminal(command, env) if kind == "tmux" else PtyTerminal(command, env)


@pytest.fixture
def terminals() -> Iterator[list[Terminal]]:
    opened: list[Terminal] = []
    yield opened
    for terminal in opened:
        terminal.close()


def routine_logs(home: Path) -> dict[str, dict[str, Any]]:
    """The stored routine logs by ID, read straight from the database (a command start per
    look would double these tests' time; one test checks ``rubdown log --json`` too)."""
    engine = sa.create_engine(sqlite_url_for_home(home), poolclass=NullPool)
    try:
        with engine.connect() as connection:
            rows = connection.execute(sa.text("SELECT * FROM routine_logs")).mappings()
            return {row["id"]: dict(row) for row in rows}
    finally:
        engine.dispose()


def logged_since(home: Path, before: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    return [log for key, log in routine_logs(home).items() if key not in before]


def escape(text: str) -> str:
    return re.escape(text)


@pytest.mark.parametrize("kind", TERMINALS)
def test_the_runner_pauses_skips_and_quits_and_the_stopped_routine_is_logged(
    kind: str, seeded_home: Path, pre_run: dict[str, Any], terminals: list[Terminal]
) -> None:
    first, second, third = pre_run["steps"][:3]
    before = routine_logs(seeded_home)
    terminal = open_terminal(kind, seeded_home, "--routine", "pre-run")
    terminals.append(terminal)

    screen = wait_for(terminal, escape(f"next up: {second['move']}"))
    assert first["move"] in screen
    assert f"step 1 of {len(pre_run['steps'])}" in screen

    # Let the first step run a moment: the log keeps tenths of a second, and a pause pressed
    # within 50 ms of the first screen would log no time at all.
    time.sleep(0.5)
    terminal.send("p")
    wait_for(terminal, "PAUSED")
    if kind == "tmux":  # only a real screen shows that the countdown stands still
        held = re.findall(r"(\d+:\d\d) left", terminal.screen())[-1]
        time.sleep(1.2)
        assert re.findall(r"(\d+:\d\d) left", terminal.screen())[-1] == held
    terminal.send(" ")
    terminal.send("s")
    screen = wait_for(terminal, escape(f"next up: {third['move']}"))
    assert "step 2 of" in screen
    if kind == "tmux":
        assert "PAUSED" not in screen.split("step 2 of")[-1]

    terminal.send("n")
    wait_for(terminal, "step 3 of")
    terminal.send("q")
    screen = wait_for(terminal, "stopped early")
    assert re.search(r"pre-run routine stopped early: 0 of \d+ steps done, 2 skipped", screen)
    assert wait_for_exit(terminal) == 0

    logs = logged_since(seeded_home, before)
    assert len(logs) == 1
    log = logs[0]
    assert (log["when"], log["steps_done"], log["steps_skipped"]) == ("pre-run", 0, 2)
    assert not log["completed"]
    assert str(log["day"]) == TODAY
    assert log["seconds"] > 0


@pytest.mark.parametrize("kind", TERMINALS)
def test_a_routine_left_to_run_completes_every_step_and_is_logged_as_completed(
    kind: str, seeded_home: Path, pre_run: dict[str, Any], terminals: list[Terminal]
) -> None:
    steps = len(pre_run["steps"])
    before = routine_logs(seeded_home)
    # At 20000x a ten-minute routine takes 30 ms: the steps run out on their own.
    terminal = open_terminal(kind, seeded_home, "--routine", "pre-run", speed="20000")
    terminals.append(terminal)
    screen = wait_for(terminal, "Logged")
    assert f"pre-run routine completed: {steps} of {steps} steps done, 0 skipped" in screen
    assert "not medical advice" in screen
    assert wait_for_exit(terminal) == 0
    logs = logged_since(seeded_home, before)
    assert [(r["steps_done"], r["steps_skipped"], bool(r["completed"])) for r in logs] == [
        (steps, 0, True)
    ]
    assert logs[0]["seconds"] == pytest.approx(pre_run["total_s"], abs=0.5)
    # ``rubdown log`` lists what the timer logged.
    listed = rubdown(["log", "--json"], home=seeded_home).document()["routines"]
    [shown] = [r for r in listed if r["id"] == logs[0]["id"]]
    assert (shown["date"], shown["when"], shown["completed"]) == (TODAY, "pre-run", True)


@pytest.mark.parametrize("kind", TERMINALS)
def test_ctrl_c_stops_the_timer_logs_it_and_gives_the_terminal_back(
    kind: str, seeded_home: Path, pre_run: dict[str, Any], terminals: list[Terminal]
) -> None:
    before = routine_logs(seeded_home)
    terminal = open_terminal(kind, seeded_home)
    terminals.append(terminal)
    wait_for(terminal, "next up:")
    terminal.interrupt()
    screen = wait_for(terminal, "stopped early")
    assert "Traceback" not in screen
    assert wait_for_exit(terminal) == 0
    assert isinstance(terminal, TmuxTerminal | PtyTerminal)
    assert terminal.canonical_after(), "the terminal was left in cbreak mode"
    logs = logged_since(seeded_home, before)
    assert len(logs) == 1
    assert not logs[0]["completed"]


def test_the_timer_refuses_to_run_without_a_terminal(seeded_home: Path) -> None:
    before = routine_logs(seeded_home)
    result = rubdown(["today", "--start"], home=seeded_home)
    assert result.code == 2
    assert "needs a terminal" in result.error_line()
    assert routine_logs(seeded_home) == before
