"""Zip reading limits and member handles: declared sizes, true sizes, budgets, lifetimes."""

from __future__ import annotations

import functools
import gzip
import io
import random
import stat
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import pytest

from rubdown.importers.archive import (
    Budget,
    Limits,
    ZipPool,
    bounded,
    check_member,
    describe_bytes,
    read_zip,
)
from rubdown.importers.base import HEAD_BYTES, ImportProblem
from rubdown.importers.sniff import GZIP_HEAD_RAW_BYTES, GZIP_MAGIC

CORPUS = Path(__file__).resolve().parents[1] / "data" / "activities"
GARMIN_ORIGINAL = CORPUS / "GoldenCheetah" / "GarminFR955v18.zip"


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def info(size: int, compressed: int) -> zipfile.ZipInfo:
    entry = zipfile.ZipInfo("member.fit")
    entry.file_size, entry.compress_size = size, compressed
    entry.compress_type = zipfile.ZIP_DEFLATED
    return entry


def drain(stream: BinaryIO) -> None:
    while stream.read(64 * 1024):
        pass


def test_sizes_are_described_in_binary_units() -> None:
    assert describe_bytes(4 * 1024**3) == "4 GiB"
    assert describe_bytes(1536) == "1.5 KiB"
    assert describe_bytes(3 * 1024**2) == "3 MiB"
    assert describe_bytes(10) == "10 bytes"


def test_directory_and_symlink_entries_are_passed_over_not_failed() -> None:
    folder = zipfile.ZipInfo("activities/")
    link = zipfile.ZipInfo("latest.fit")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    assert check_member(folder, Limits()) == ("directory entry", False)
    assert check_member(link, Limits()) == ("symbolic link, not followed", False)


def test_encrypted_and_unsupported_members_fail_by_their_directory_entry() -> None:
    encrypted = info(100, 80)
    encrypted.flag_bits |= 0x1
    deflate64 = info(100, 80)
    deflate64.compress_type = 9
    assert check_member(encrypted, Limits()) == (
        "encrypted: cannot be read without its password",
        True,
    )
    assert check_member(deflate64, Limits()) == ("compression method 9 is not supported", True)


def test_declared_sizes_are_checked_before_reading() -> None:
    limits = Limits()
    assert check_member(info(2 * 1024**3, 2 * 1024**2), limits) == (
        "compression ratio over 200:1: refused as a zip bomb",
        True,
    )
    assert check_member(info(5 * 1024**3, 4 * 1024**3), limits) == ("expands beyond 4 GiB", True)
    # Under the ratio floor a tiny, very compressible file is fine.
    assert check_member(info(512 * 1024, 600), limits) is None


def test_a_stream_yielding_more_than_its_declared_size_is_stopped() -> None:
    stream = bounded(io.BytesIO(bytes(100_000)), info(1000, 900), Limits(), Budget(10**9))
    with pytest.raises(ImportProblem, match="more data than its directory entry declares"):
        stream.read()


def test_a_stream_growing_past_the_ratio_is_stopped_while_reading() -> None:
    stream = bounded(
        io.BytesIO(bytes(3 * 1024**2)), info(3 * 1024**2, 1000), Limits(), Budget(10**9)
    )
    with pytest.raises(ImportProblem, match="refused as a zip bomb"):
        drain(stream)


def test_the_budget_is_shared_by_every_member_of_an_archive() -> None:
    budget = Budget(150_000)
    first = bounded(io.BytesIO(bytes(100_000)), info(100_000, 100_000), Limits(), budget)
    second = bounded(io.BytesIO(bytes(100_000)), info(100_000, 100_000), Limits(), budget)
    assert len(first.read()) == 100_000
    with pytest.raises(ImportProblem, match=r"expands beyond 146.5 KiB in total"):
        second.read()
    assert budget.exhausted


def test_a_corrupt_zip_is_not_readable() -> None:
    with pytest.raises(ImportProblem, match=r"^not a readable zip archive: "):
        read_zip(io.BytesIO(b"PK\x03\x04" + bytes(200)), Limits())
    cut = GARMIN_ORIGINAL.read_bytes()[:100_000]
    with pytest.raises(ImportProblem, match=r"^not a readable zip archive: "):
        read_zip(io.BytesIO(cut), Limits())


def test_too_many_members_are_refused_from_the_end_record() -> None:
    data = zip_bytes({f"{n}.fit": b"" for n in range(5)})
    with pytest.raises(ImportProblem, match=r"^archive holds 5 members, more than 3$"):
        read_zip(io.BytesIO(data), Limits(max_members=3))
    assert len(read_zip(io.BytesIO(data), Limits(max_members=5)).infolist()) == 5


def test_too_many_members_are_refused_from_the_zip64_end_record() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for n in range(0x10001):
            archive.writestr(str(n), b"")
    with pytest.raises(ImportProblem, match=r"^archive holds 65537 members, more than 65536$"):
        read_zip(buffer, Limits(max_members=0x10000))


def test_members_are_read_through_the_pool_and_refused_after_it_closes() -> None:
    pool = ZipPool(Limits())
    archive = pool.open_path(GARMIN_ORIGINAL, "original.zip")
    (member,) = archive.members
    with archive.open(member) as stream:
        data = stream.read()
    with zipfile.ZipFile(GARMIN_ORIGINAL) as reference:
        assert data == reference.read(member.filename)
    pool.close()
    with pytest.raises(RuntimeError, match="after its walk was closed"):
        archive.open(member)


def test_evicted_archives_are_reopened_when_a_member_is_asked_for(tmp_path: Path) -> None:
    paths = []
    for n in range(3):
        path = tmp_path / f"{n}.zip"
        path.write_bytes(zip_bytes({"a.gpx": f"<gpx>{n}</gpx>".encode()}))
        paths.append(path)
    pool = ZipPool(Limits(), keep_open=1)
    archives = [pool.open_path(path, path.name) for path in paths]
    for _ in range(2):
        for n, archive in enumerate(archives):
            with archive.open(archive.members[0]) as stream:
                assert stream.read() == f"<gpx>{n}</gpx>".encode()
    pool.close()


def test_an_archive_with_a_stream_open_is_not_evicted(tmp_path: Path) -> None:
    first, second = tmp_path / "1.zip", tmp_path / "2.zip"
    first.write_bytes(zip_bytes({"a.gpx": b"<gpx>" + bytes(100_000)}))
    second.write_bytes(zip_bytes({"b.gpx": b"<gpx/>"}))
    pool = ZipPool(Limits(), keep_open=1)
    one = pool.open_path(first, "1.zip")
    with one.open(one.members[0]) as stream:
        start = stream.read(10)
        two = pool.open_path(second, "2.zip")
        with two.open(two.members[0]) as other:
            assert other.read() == b"<gpx/>"
        assert len(start) + len(stream.read()) == 100_005
    pool.close()


def test_a_nested_zip_is_read_from_its_parent_without_touching_the_disk(tmp_path: Path) -> None:
    inner = zip_bytes({"123.fit": b"fit bytes"})
    outer = tmp_path / "outer.zip"
    outer.write_bytes(zip_bytes({"Part1.zip": inner}))
    pool = ZipPool(Limits())
    parent = pool.open_path(outer, "outer.zip")
    nested = pool.open_nested(parent, parent.members[0], "outer.zip!Part1.zip")
    assert (nested.depth, nested.budget) == (2, parent.budget)
    with nested.open(nested.members[0]) as stream:
        assert stream.read() == b"fit bytes"
    pool.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["outer.zip"]


def test_a_member_whose_declared_size_is_too_small_fails_instead_of_being_trusted() -> None:
    data = bytearray(zip_bytes({"big.gpx": b"<gpx>" + bytes(8 * 1024**2)}))
    # Claim 1000 bytes in the central directory: zipfile stops there and the CRC disagrees.
    central = data.index(b"PK\x01\x02")
    data[central + 24 : central + 28] = (1000).to_bytes(4, "little")
    archive = read_zip(io.BytesIO(bytes(data)), Limits())
    (member,) = archive.infolist()
    assert member.file_size == 1000
    assert check_member(member, Limits()) is None
    stream = bounded(archive.open(member), member, Limits(), Budget(10**9))
    with pytest.raises(ImportProblem, match=r"^member data is damaged: "):
        stream.read()


# --- members inflated whole: what zipfile's own stream would give, refuse and say ----------

_ZIPFILE_OPEN_ERRORS = (
    zipfile.BadZipFile,
    NotImplementedError,
    RuntimeError,
    ValueError,
    OSError,
    EOFError,
)
_SPOOL_FIRST_READ = 8 * 1024**2 + 1  # as RawFiles.spool reads a member


def _zipfile_stream(archive: zipfile.ZipFile, member: zipfile.ZipInfo, budget: Budget) -> BinaryIO:
    """A member as it was always read: zipfile's stream, bounded."""
    try:
        inner = archive.open(member)
    except _ZIPFILE_OPEN_ERRORS as error:
        lines = str(error).strip().splitlines()
        reason = lines[0] if lines else type(error).__name__
        raise ImportProblem(f"cannot read this member: {reason}") from error
    return bounded(inner, member, Limits(max_total_bytes=budget.limit), budget)


def _peek_then_read(opener: Callable[[], BinaryIO]) -> tuple[object, ...]:
    """What the walk and the import see of a member: a peek at its head, then a whole read."""
    try:
        with opener() as stream:
            head = stream.read(HEAD_BYTES)
            if head.startswith(GZIP_MAGIC):
                head += stream.read(GZIP_HEAD_RAW_BYTES - len(head))
    except ImportProblem as problem:
        return ("peek failed", str(problem))
    try:
        with opener() as stream:
            data = stream.read(_SPOOL_FIRST_READ)
            data += stream.read(1024**2)
    except ImportProblem as problem:
        return ("read failed", str(problem))
    return ("read", head, data)


def _bit_by_bit(opener: Callable[[], BinaryIO]) -> tuple[object, ...]:
    """A reader of small pieces: a line at a time, then a few KiB, then the rest."""
    pieces: list[bytes] = []
    try:
        with opener() as stream:
            pieces += [stream.readline(), stream.read(1), stream.read(5_000)]
            pieces += list(iter(functools.partial(stream.read, 7_000), b""))
    except ImportProblem as problem:
        return ("failed", len(pieces), str(problem))
    return ("read", *pieces)


Reader = Callable[[Callable[[], BinaryIO]], tuple[object, ...]]


def _outcomes(
    data: bytes, tmp_path: Path, budget_bytes: int, reader: Reader = _peek_then_read
) -> tuple[list[object], list[object]]:
    """Every member's outcome and the budget spent after it, through zipfile's stream and
    through the pool; members refused by their directory entry are left out."""
    limits = Limits(max_total_bytes=budget_bytes)
    path = tmp_path / "member.zip"
    path.write_bytes(data)
    expected: list[object] = []
    budget = Budget(budget_bytes)
    with zipfile.ZipFile(io.BytesIO(data)) as reference:
        for member in reference.infolist():
            if check_member(member, limits) is None:
                opener = functools.partial(_zipfile_stream, reference, member, budget)
                expected += [reader(opener), budget.spent]
    found: list[object] = []
    pool = ZipPool(limits)
    archive = pool.open_path(path, "member.zip")
    for member in archive.members:
        if check_member(member, limits) is None:
            found += [
                reader(functools.partial(archive.open, member)),
                archive.budget.spent,
            ]
    pool.close()
    return expected, found


def _mixed_zip() -> bytes:
    fit = (CORPUS / "GoldenCheetah" / "3386684871.fit").read_bytes()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("activities/1.fit.gz", gzip.compress(fit))
        archive.writestr("activities/2.fit", fit[:30_000])
        archive.writestr("activities/3.gpx", b"<gpx>" + b"<trkpt/>\n" * 9_000 + b"</gpx>")
        archive.writestr("activities/4.fit", fit[:5_000], compress_type=zipfile.ZIP_STORED)
        archive.writestr("activities/5.tcx", b"")
    return buffer.getvalue()


def test_members_inflated_whole_read_as_zipfiles_stream_reads_them(tmp_path: Path) -> None:
    expected, found = _outcomes(_mixed_zip(), tmp_path, 10**9)
    assert found == expected
    assert [outcome[0] for outcome in expected[::2]] == ["read"] * 5  # type: ignore[index]


@pytest.mark.parametrize("budget_bytes", [20_000, 120_000, 240_000, 300_000])
@pytest.mark.parametrize("reader", [_peek_then_read, _bit_by_bit])
def test_a_budget_runs_out_at_the_same_read_as_with_zipfiles_stream(
    tmp_path: Path, budget_bytes: int, reader: Reader
) -> None:
    expected, found = _outcomes(_mixed_zip(), tmp_path, budget_bytes, reader)
    assert found == expected


def test_damaged_members_fail_with_zipfiles_and_zlibs_words(tmp_path: Path) -> None:
    # Bits flipped in the members' data, their sizes and CRCs: whatever zipfile and zlib made
    # of each (refused at the peek or at the read, with which words, or read regardless),
    # reading the member inflated whole makes the same.
    original = _mixed_zip()
    central = original.index(b"PK\x01\x02")
    chooser = random.Random(20261208)
    seen: set[str] = set()
    for _ in range(250):
        data = bytearray(original)
        at = chooser.randrange(central) if chooser.random() < 0.8 else central + 10
        if at >= central:
            # A central directory field: the CRC (16), compressed (20) or declared size (24).
            at = data.index(b"PK\x01\x02", at) + chooser.choice((16, 20, 24))
        data[at] ^= 1 << chooser.randrange(8)
        try:
            expected, found = _outcomes(bytes(data), tmp_path, 10**9)
            expected_pieces, found_pieces = _outcomes(bytes(data), tmp_path, 10**9, _bit_by_bit)
        except ImportProblem:
            continue  # the zip itself became unreadable: not a member's concern
        assert found == expected
        assert found_pieces == expected_pieces
        seen.update(str(outcome[1]) for outcome in expected[::2] if "failed" in outcome[0])  # type: ignore[index]
    # The flips met each kind of damage.
    assert any("Bad CRC-32" in reason for reason in seen), seen
    assert any("Error -3 while decompressing" in reason for reason in seen), seen
