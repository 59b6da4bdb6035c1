"""Looking at an import's processes through Linux's /proc: its children, its decoding
workers (spawned, or forked by a fork server it started), their threads, and whether they
still run."""

from __future__ import annotations

from pathlib import Path

PROC = Path("/proc")


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid``."""
    found = []
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


def command_line(pid: int) -> bytes:
    try:
        return (PROC / str(pid) / "cmdline").read_bytes()
    except OSError:
        return b""


def fork_servers(pid: int) -> list[int]:
    return [child for child in children(pid) if b"forkserver" in command_line(child)]


def pool_workers(pid: int) -> list[int]:
    """The decoding workers of the import ``pid``: its spawned children, or the children of
    the fork server it started (they share the server's command line)."""
    found = []
    for child in children(pid):
        command = command_line(child)
        if b"spawn_main" in command and b"resource_tracker" not in command:
            found.append(child)
        elif b"forkserver" in command:
            found += children(child)
    return found


def threads(pid: int) -> int:
    try:
        return len(list((PROC / str(pid) / "task").iterdir()))
    except OSError:
        return 0


def alive(pid: int) -> bool:
    """Running or sleeping; a zombie has ended, whoever is yet to reap it."""
    try:
        state = (PROC / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"
