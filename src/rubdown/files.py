"""Writing a file the runner named (``export ics PATH``, ``plan --ics PATH``) without harming
what is at that path.

- Nothing there, or a regular file: the data goes to a new file of a private name in the same
  folder, created exclusively (so a planted file or symlink of that name is never written
  through), synced, given the old file's permission bits, then renamed over the path: a
  reader sees the old calendar or the new one, never half of one.
  A file the runner may not write (made read-only) is refused, not renamed over.
- A symlink: the same, at the file it points to, so the link stays a link -- except where the
  kernel itself would not follow it (a link in a sticky, world-writable folder such as /tmp
  that is neither the runner's nor the folder owner's, ``fs.protected_symlinks``), which is
  refused, as a rename would otherwise bypass that protection.
- One of the process's own open files (``/dev/stdout``, ``/dev/fd/1``): written through that
  descriptor, after what was printed before, whether it is a pipe, a terminal or a file.
- A FIFO or a character device (a terminal, ``/dev/null``): written in place, opened without
  creating or truncating anything; a rename would replace the node itself.
- A folder, a socket or a block device: refused with one line; so is a path whose folder
  does not exist (it is not created).
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
import sys
from pathlib import Path
from typing import TextIO

from rubdown.errors import InvalidValue

_LINK_HOPS = 40  # as the kernel's limit on symlinks followed in one lookup
_NEW_FILE_MODE = 0o666  # less the umask, as any new file; the kernel applies it at open
_TEMPORARY_ATTEMPTS = 100


def write_user_file(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` as the module docstring says; any failure is one
    ``InvalidValue`` line naming the path."""
    try:
        return _write(path, data)
    except (FileExistsError, NotADirectoryError):
        raise InvalidValue(
            f"cannot write {path}: a part of that path is a file, not a folder"
        ) from None
    except OSError as error:
        raise InvalidValue(f"cannot write {path}: {error.strerror or error}") from None


def _write(path: Path, data: bytes) -> Path:
    descriptor = _own_descriptor(path)
    if descriptor is not None:
        _write_descriptor(descriptor, data)
        return path
    _refuse_missing_folder(path)
    try:
        link = path.lstat()
    except FileNotFoundError:
        _replace_atomically(path, data, None)
        return path
    is_link = stat.S_ISLNK(link.st_mode)
    if is_link:
        _refuse_unprotected_links(path)
    try:
        found = path.stat()  # through the link as the kernel follows it (/dev/stdout too)
    except FileNotFoundError:  # a link to nothing yet: open() would create its target
        _replace_atomically(Path(os.path.realpath(path)), data, None)
        return path
    mode = found.st_mode
    if stat.S_ISDIR(mode):
        raise InvalidValue(f"cannot write {path}: it is a folder; give a file name in it")
    if stat.S_ISFIFO(mode) or stat.S_ISCHR(mode):
        _write_in_place(path, data)
    elif stat.S_ISREG(mode):
        if not os.access(path, os.W_OK):
            # A file made read-only is not replaced behind its back, as a rename could.
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        _replace_atomically(Path(os.path.realpath(path)) if is_link else path, data, found)
    else:
        what = "a socket" if stat.S_ISSOCK(mode) else "a block device"
        raise InvalidValue(f"cannot write {path}: it is {what}, not a file")
    return path


def _refuse_missing_folder(path: Path) -> None:
    """A folder that is not there is not made: a typo in a path would otherwise leave new
    folders anywhere the runner (perhaps root) may write."""
    try:
        folder = path.parent.stat()
    except FileNotFoundError:
        raise InvalidValue(
            f"cannot write {path}: the folder {path.parent} does not exist"
        ) from None
    if not stat.S_ISDIR(folder.st_mode):
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(path.parent))


def _refuse_unprotected_links(path: Path) -> None:
    """The kernel's rule for following a symlink in a sticky, world-writable folder, for each
    link on the way: the target is found with realpath and replaced by a rename, neither of
    which the kernel checks, so a planted link is refused here."""
    hop = path
    for _ in range(_LINK_HOPS):
        try:
            link = hop.lstat()
        except FileNotFoundError:
            return
        if not stat.S_ISLNK(link.st_mode):
            return
        folder = hop.parent.stat()
        sticky_shared = folder.st_mode & stat.S_ISVTX and folder.st_mode & stat.S_IWOTH
        if sticky_shared and link.st_uid not in (os.geteuid(), folder.st_uid):
            raise InvalidValue(
                f"cannot write {path}: {hop} is another user's symlink in a shared folder"
            )
        hop = hop.parent / os.readlink(hop)


def _replace_atomically(target: Path, data: bytes, old: os.stat_result | None) -> None:
    # Not tempfile.mkstemp: it creates the file 0600, and giving a new calendar the usual
    # umask-derived mode back would mean os.umask, which is process-wide and not thread-safe.
    # O_EXCL | O_NOFOLLOW is the same guarantee: the name is new, never someone's link.
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
    for _ in range(_TEMPORARY_ATTEMPTS):
        temporary = target.with_name(f".{target.name}.{secrets.token_hex(6)}.part")
        try:
            handle = os.open(temporary, flags, _NEW_FILE_MODE)
            break
        except FileExistsError:
            continue
    else:
        raise FileExistsError(f"no free temporary name beside {target}")
    try:
        with os.fdopen(handle, "wb") as out:
            if old is not None:
                _keep_owner_and_mode(out.fileno(), old)
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    _sync_folder(target.parent)


def _keep_owner_and_mode(handle: int, old: os.stat_result) -> None:
    """The replaced file's permission bits (not set-id ones) and, where allowed, its owner."""
    # Only root may give a file away; anyone else then owns the new one.
    with contextlib.suppress(PermissionError):
        os.fchown(handle, old.st_uid, old.st_gid)
    os.fchmod(handle, stat.S_IMODE(old.st_mode) & 0o777)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable; a folder that cannot be opened or synced is left."""
    try:
        handle = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)


def _write_in_place(path: Path, data: bytes) -> None:
    # No O_CREAT, no O_TRUNC: the node stays what it is. Opening a FIFO waits for a reader,
    # as any program writing to one does.
    handle = os.open(path, os.O_WRONLY | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(handle, "wb") as out:
        if stat.S_ISREG(os.fstat(out.fileno()).st_mode):
            # Swapped for a regular file since it was looked at: not overwritten in place.
            raise InvalidValue(f"cannot write {path}: it changed while being written; try again")
        out.write(data)


def _own_descriptor(path: Path) -> int | None:
    """N when ``path`` names this process's open file N (/dev/stdout, /dev/fd/N,
    /proc/self/fd/N): that file is the one the shell opened (``> out.ics`` or a pipe),
    written at its descriptor's position, never renamed over nor reopened from the start."""
    own = os.path.realpath(f"/proc/{os.getpid()}/fd")
    hop = path
    for _ in range(_LINK_HOPS):
        if hop.name.isdigit() and os.path.realpath(hop.parent) == own:
            return int(hop.name)
        if not hop.is_symlink():
            return None
        hop = hop.parent / os.readlink(hop)
    return None


def _write_descriptor(descriptor: int, data: bytes) -> None:
    for stream in (sys.stdout, sys.stderr):  # what was printed before comes first
        if stream is not None and _fileno(stream) == descriptor:
            stream.flush()
    view = memoryview(data)
    while view:
        view = view[os.write(descriptor, view) :]


def _fileno(stream: TextIO) -> int | None:
    try:
        return stream.fileno()
    except (OSError, ValueError):  # a stream with no descriptor (captured, closed)
        return None
