"""Users made as an administrator makes them, ``rubdown admin user add --password-stdin`` run
as a subprocess, for the end-to-end tests of commands that need an account (the clinic's)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PASSWORD = "a therapist's long password"
TIMEOUT_SECONDS = 120  # the whole run: a busy machine starts Python slowly


def add_user_by_command(home: Path, email: str, role: str = "therapist") -> None:
    """``email`` gets an account with ``role`` in the home's database."""
    # The calling shell's RUBDOWN_* settings would point the command elsewhere.
    environment = {k: v for k, v in os.environ.items() if not k.startswith("RUBDOWN_")}
    command = [
        sys.executable, "-m", "rubdown", "--home", str(home), "admin", "user", "add",
        "--email", email, "--role", role, "--password-stdin",
    ]  # fmt: skip
    added = subprocess.run(
        command,
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        env=environment,
        check=False,
    )
    assert added.returncode == 0, added.stderr
