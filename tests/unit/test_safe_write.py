"""``files.write_user_file``: a calendar written to a path the runner named replaces a regular
file atomically and leaves every other kind of node what it was."""

from __future__ import annotations

import os
import shutil
import socket
import stat
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from rubdown.errors import InvalidValue
from rubdown.files import write_user_file

CALENDAR = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"
OLD = b"the calendar written last week\n"
as_root = pytest.mark.skipif(os.geteuid() != 0, reason="needs root (mknod, lchown)")


@contextmanager
def fifo_reader(path: Path) -> Iterator[list[bytes]]:
    """A FIFO at ``path`` and a thread reading it whole; what it read is in the list after."""
    os.mkfifo(path)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(path.read_bytes()), daemon=True)
    reader.start()
    yield received
    reader.join(timeout=60)  # a safety net against a hang, not a speed check


def names_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_a_new_file_is_written_with_the_usual_mode(tmp_path: Path) -> None:
    target = tmp_path / "plan.ics"
    old_umask = os.umask(0o022)
    try:
        write_user_file(target, CALENDAR)
    finally:
        os.umask(old_umask)

    assert target.read_bytes() == CALENDAR
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert names_in(tmp_path) == ["plan.ics"]  # no temporary file left beside it


def test_a_regular_file_is_replaced_by_a_new_one_keeping_its_permissions(
    tmp_path: Path,
) -> None:
    target = tmp_path / "plan.ics"
    target.write_bytes(OLD)
    target.chmod(0o640)
    reader = target.open("rb")  # someone reading the old calendar keeps reading it whole
    old_inode = target.stat().st_ino

    write_user_file(target, CALENDAR)

    assert target.read_bytes() == CALENDAR
    assert target.stat().st_ino != old_inode  # renamed into place, not rewritten in place
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert reader.read() == OLD
    reader.close()
    assert names_in(tmp_path) == ["plan.ics"]


def test_a_planted_tmp_symlink_beside_the_path_is_not_written_through(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"precious\n")
    (tmp_path / "plan.ics.tmp").symlink_to(victim)  # the name the old code wrote to

    write_user_file(tmp_path / "plan.ics", CALENDAR)

    assert victim.read_bytes() == b"precious\n"
    assert (tmp_path / "plan.ics.tmp").is_symlink()
    assert (tmp_path / "plan.ics").read_bytes() == CALENDAR


def test_a_fifo_receives_the_calendar_and_stays_a_fifo(tmp_path: Path) -> None:
    target = tmp_path / "plan.ics"
    with fifo_reader(target) as received:
        write_user_file(target, CALENDAR)

    assert received == [CALENDAR]
    assert stat.S_ISFIFO(target.lstat().st_mode)
    assert names_in(tmp_path) == ["plan.ics"]


def test_a_symlink_is_kept_and_the_file_it_points_to_is_replaced(tmp_path: Path) -> None:
    real = tmp_path / "synced" / "calendar.ics"
    real.parent.mkdir()
    real.write_bytes(OLD)
    link = tmp_path / "plan.ics"
    link.symlink_to(real)

    write_user_file(link, CALENDAR)

    assert link.is_symlink()
    assert link.readlink() == real
    assert real.read_bytes() == CALENDAR
    assert names_in(real.parent) == ["calendar.ics"]


def test_a_symlink_to_nothing_yet_creates_the_file_it_names(tmp_path: Path) -> None:
    real = tmp_path / "calendar.ics"
    link = tmp_path / "plan.ics"
    link.symlink_to(real)

    write_user_file(link, CALENDAR)

    assert link.is_symlink()
    assert real.read_bytes() == CALENDAR


def test_a_symlink_to_a_fifo_writes_into_the_fifo(tmp_path: Path) -> None:
    link = tmp_path / "plan.ics"
    link.symlink_to(tmp_path / "pipe")
    with fifo_reader(tmp_path / "pipe") as received:
        write_user_file(link, CALENDAR)

    assert received == [CALENDAR]
    assert link.is_symlink()
    assert stat.S_ISFIFO((tmp_path / "pipe").lstat().st_mode)


@as_root
def test_another_users_symlink_in_a_shared_sticky_folder_is_refused(tmp_path: Path) -> None:
    shared = tmp_path / "tmp"
    shared.mkdir()
    shared.chmod(0o1777)
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"precious\n")
    link = shared / "plan.ics"
    link.symlink_to(victim)
    os.lchown(link, 54321, 54321)  # planted by someone else

    with pytest.raises(InvalidValue, match="another user's symlink") as refused:
        write_user_file(link, CALENDAR)

    assert str(link) in str(refused.value)
    assert victim.read_bytes() == b"precious\n"
    assert link.is_symlink()


@as_root
def test_another_users_symlink_further_along_the_way_is_refused(tmp_path: Path) -> None:
    shared = tmp_path / "tmp"
    shared.mkdir()
    shared.chmod(0o1777)
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"precious\n")
    planted = shared / "calendar.ics"
    planted.symlink_to(victim)
    os.lchown(planted, 54321, 54321)
    mine = tmp_path / "plan.ics"
    mine.symlink_to(planted)  # the runner's own link, into the shared folder

    with pytest.raises(InvalidValue, match="another user's symlink"):
        write_user_file(mine, CALENDAR)

    assert victim.read_bytes() == b"precious\n"


NOBODY = 65534  # root may write any file: as root, the write is tried as this user


def test_a_read_only_file_is_refused_not_renamed_over(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        # pytest's folders are private to root: the user the write is tried as gets a
        # folder of its own in the system's temporary folder.
        folder = Path(tempfile.mkdtemp(prefix="rubdown-read-only-"))
        os.chown(folder, NOBODY, NOBODY)
    else:
        folder = tmp_path
    try:
        target = folder / "plan.ics"
        target.write_bytes(OLD)
        target.chmod(0o444)
        if os.geteuid() == 0:
            os.chown(target, NOBODY, NOBODY)
            assert refusal_as(NOBODY, target) == "refused: Permission denied"
        else:
            with pytest.raises(InvalidValue, match="Permission denied"):
                write_user_file(target, CALENDAR)
        assert target.read_bytes() == OLD
    finally:
        if folder != tmp_path:
            shutil.rmtree(folder)


def refusal_as(uid: int, target: Path) -> str:
    """Try the write in a child process running as ``uid``; what it met, as one line."""
    reading, writing = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child reports through the pipe
        os.close(reading)
        try:
            os.setgid(uid)
            os.setuid(uid)
            assert target.read_bytes() == OLD  # the file is within the user's reach
            write_user_file(target, CALENDAR)
            message = "written"
        except InvalidValue as error:
            message = (
                "refused: Permission denied"
                if "Permission denied" in str(error)
                else (f"refused: {error}")
            )
        except BaseException as error:
            message = f"{type(error).__name__}: {error}"
        os.write(writing, message.encode())
        os._exit(0)
    os.close(writing)
    with os.fdopen(reading, "rb") as pipe:
        answer = pipe.read().decode()
    os.waitpid(child, 0)
    return answer


@as_root
def test_a_character_device_is_written_in_place_and_stays_a_device(tmp_path: Path) -> None:
    null = tmp_path / "null"  # a node of its own, as /dev/null is: (1, 3) discards writes
    os.mknod(null, 0o666 | stat.S_IFCHR, os.makedev(1, 3))

    write_user_file(null, CALENDAR)

    assert stat.S_ISCHR(null.lstat().st_mode)
    assert null.lstat().st_rdev == os.makedev(1, 3)
    assert names_in(tmp_path) == ["null"]


def test_a_folder_is_refused_in_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "plan.ics"
    folder.mkdir()

    with pytest.raises(InvalidValue, match="it is a folder") as refused:
        write_user_file(folder, CALENDAR)

    assert str(folder) in str(refused.value)
    assert "\n" not in str(refused.value)
    assert folder.is_dir()
    assert list(folder.iterdir()) == []


def test_a_socket_is_refused_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "s"
    with socket.socket(socket.AF_UNIX) as listener:
        listener.bind(str(path))

        with pytest.raises(InvalidValue, match="it is a socket"):
            write_user_file(path, CALENDAR)

        assert stat.S_ISSOCK(path.lstat().st_mode)


def test_a_file_where_a_folder_should_be_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "not-a-folder").write_bytes(OLD)

    with pytest.raises(InvalidValue, match="not a folder"):
        write_user_file(tmp_path / "not-a-folder" / "plan.ics", CALENDAR)

    assert (tmp_path / "not-a-folder").read_bytes() == OLD


def test_a_missing_folder_is_refused_naming_it_and_nothing_is_created(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-folder" / "deeper"

    with pytest.raises(InvalidValue, match="no-such-folder/deeper does not exist") as refused:
        write_user_file(missing / "plan.ics", CALENDAR)

    assert "\n" not in str(refused.value)
    assert names_in(tmp_path) == []


def test_a_file_in_the_current_folder_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    write_user_file(Path("rubdown-demo.ics"), CALENDAR)

    assert (tmp_path / "rubdown-demo.ics").read_bytes() == CALENDAR


@pytest.mark.skipif(not Path("/dev/fd").is_dir(), reason="no /dev/fd on this system")
def test_an_open_descriptor_named_by_dev_fd_is_written_at_its_position(tmp_path: Path) -> None:
    out = tmp_path / "out.txt"
    with out.open("wb") as already_open:
        already_open.write(b"printed before\n")
        already_open.flush()

        write_user_file(Path(f"/dev/fd/{already_open.fileno()}"), CALENDAR)
        already_open.write(b"printed after\n")

    assert out.read_bytes() == b"printed before\n" + CALENDAR + b"printed after\n"
    assert names_in(tmp_path) == ["out.txt"]
