"""Small originals kept many to a pack: read back byte for byte by any process, never named
before their bytes are whole, and gone from the disk when forgotten."""

from __future__ import annotations

import functools
import gzip
import io
import os
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from rubdown.keeping.folder import FolderOriginals
from rubdown.keeping.packs import PACKS, Packs
from rubdown.keeping.raw import RawFiles, content_hash


def kept_packed(raw: RawFiles, data: bytes) -> str:
    spooled = raw.spool(lambda: io.BytesIO(data))
    assert raw.keep(spooled, packed=True)
    return spooled.sha256


def files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_small_originals_go_to_one_pack_and_come_back_unchanged(tmp_path: Path) -> None:
    raw = RawFiles(tmp_path / "raw")
    plain = b"<gpx>" + b"a run " * 2000 + b"</gpx>"
    zipped = gzip.compress(b"\x0e\x10FIT" * 500)

    shas = [kept_packed(raw, plain), kept_packed(raw, zipped)]

    assert [p.suffix for p in files_under(tmp_path / "raw")] == [".idx", ".pack"]
    assert raw.get(shas[0]) == plain
    assert raw.get(shas[1]) == zipped  # a gzip file is kept as it came
    assert raw.kept() == set(shas)
    pack = next((tmp_path / "raw" / PACKS).glob("*.pack"))
    assert pack.stat().st_size < len(plain) // 5 + len(zipped)  # plain text is gzipped


def test_the_same_content_is_packed_once(tmp_path: Path) -> None:
    raw = RawFiles(tmp_path / "raw")
    sha = kept_packed(raw, b"same run")
    again = raw.spool(lambda: io.BytesIO(b"same run"))
    assert not raw.keep(again, packed=True)
    index = next((tmp_path / "raw" / PACKS).glob("*.idx")).read_text()
    assert index.count(sha) == 1


def test_another_process_reads_what_was_packed_after_it_first_looked(tmp_path: Path) -> None:
    root = tmp_path / "raw"
    other = Packs(root)  # another process's view: it has read the (empty) indexes once
    assert other.find("0" * 64) is None
    sha = kept_packed(RawFiles(root), b"a run packed later")
    entry = other.find(sha)
    assert entry is not None
    assert gzip.decompress(other.read(entry)) == b"a run packed later"


def test_a_line_still_being_written_is_not_trusted(tmp_path: Path) -> None:
    root = tmp_path / "raw"
    sha = kept_packed(RawFiles(root), b"whole")
    index = next((root / PACKS).glob("*.idx"))
    with index.open("ab") as out:
        out.write(b"f" * 64 + b" 0 9999")  # a kill half-way through a line: no newline yet
    packs = Packs(root)
    assert packs.find(sha) is not None
    assert packs.find("f" * 64) is None


def test_a_forgotten_original_is_zeroed_on_disk_and_its_pack_removed_when_empty(
    tmp_path: Path,
) -> None:
    root = tmp_path / "raw"
    raw = RawFiles(root)
    secret = gzip.compress(b"my private morning route " * 100)
    first = kept_packed(raw, secret)
    second = kept_packed(raw, gzip.compress(b"another run"))
    pack = next((root / PACKS).glob("*.pack"))

    raw.forget(first)

    assert secret not in pack.read_bytes()
    assert not raw.has(first)
    assert raw.get(second) == gzip.compress(b"another run")

    raw.forget(second)

    assert files_under(root) == []


def test_a_forget_in_another_process_is_seen_by_this_one(tmp_path: Path) -> None:
    root = tmp_path / "raw"
    raw = RawFiles(root)
    sha = kept_packed(raw, b"one")
    kept_packed(raw, b"two")
    assert raw.has(sha)
    Packs(root).forget(sha)  # as another process would
    assert not raw.has(sha)


def test_bytes_no_line_names_are_ignored(tmp_path: Path) -> None:
    root = tmp_path / "raw"
    sha = kept_packed(RawFiles(root), b"named")
    pack = next((root / PACKS).glob("*.pack"))
    with pack.open("ab") as out:
        out.write(os.urandom(100))  # a kill after the bytes, before their line
    assert Packs(root).hashes() == {sha}


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.booleans(), st.integers(min_value=0, max_value=5)),
        max_size=20,
    )
)
def test_whatever_is_kept_and_forgotten_the_store_holds_exactly_what_is_left(
    tmp_path_factory: object, steps: list[tuple[bool, int]]
) -> None:
    root = Path(str(tmp_path_factory.mktemp("raw")))  # type: ignore[attr-defined]
    raw = RawFiles(root)
    contents = [f"run {n}".encode() * (n + 1) for n in range(6)]
    model: set[str] = set()
    for keep, which in steps:
        data = contents[which]
        sha = content_hash(data)
        if keep:
            new = raw.keep(raw.spool(functools.partial(io.BytesIO, data)), packed=True)
            assert new is (sha not in model)
            model.add(sha)
        else:
            raw.forget(sha)
            model.discard(sha)
    assert raw.kept() == model
    assert Packs(root).hashes() == model  # as a fresh process reads it
    for n, data in enumerate(contents):
        assert raw.has(content_hash(data)) is (content_hash(data) in model), n
        if content_hash(data) in model:
            assert raw.get(content_hash(data)) == data


def test_a_pack_another_running_process_began_is_not_removed_under_it(tmp_path: Path) -> None:
    root = tmp_path / "raw"
    sha = kept_packed(RawFiles(root), b"theirs")
    # The pack as another process would have begun it: that process (this test's parent)
    # is still running and may append to it.
    for path in (root / PACKS).iterdir():
        stamp, _pid, rest = path.name.split("-")
        path.rename(path.with_name(f"{stamp}-{os.getppid()}-{rest}"))
    other = Packs(root)

    assert other.forget(sha)

    assert other.find(sha) is None
    assert len(list((root / PACKS).iterdir())) == 2  # zeroed and struck out, not removed


def test_a_packed_original_reaches_the_shared_place_once_the_folder_is_shared(
    tmp_path: Path,
) -> None:
    here = tmp_path / "raw"
    data = b"<gpx>packed before the home was a server's</gpx>"
    sha = kept_packed(RawFiles(here), data)
    shared = FolderOriginals(tmp_path / "shared")

    # The same file met again once the folder is shared: kept already, so only shared.
    assert not RawFiles(here, shared).keep(RawFiles(here).spool(lambda: io.BytesIO(data)))

    elsewhere = RawFiles(tmp_path / "another-machine", shared)
    assert elsewhere.get(sha) == data
