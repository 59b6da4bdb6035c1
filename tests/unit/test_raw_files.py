"""Original files kept under their hash: written whole or not at all, read back byte for byte."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from rubdown.errors import StoreError
from rubdown.keeping.raw import RawFiles, content_hash


def test_a_file_is_kept_under_its_sha256_and_read_back_unchanged(tmp_path: Path) -> None:
    raw = RawFiles(tmp_path / "raw")
    data = b"\x0e\x10FIT" * 1000
    digest = raw.put(data)
    assert digest == content_hash(data)
    assert raw.path_for(digest).parent.name == digest[:2]
    assert raw.get(digest) == data


def test_keeping_the_same_content_twice_writes_it_once(tmp_path: Path) -> None:
    raw = RawFiles(tmp_path / "raw")
    first = raw.put(b"same")
    modified = raw.path_for(first).stat().st_mtime_ns
    assert raw.put(b"same") == first
    assert raw.path_for(first).stat().st_mtime_ns == modified
    assert [p.name for p in (tmp_path / "raw").rglob("*") if p.is_file()] == [first[2:]]


def test_a_streamed_file_gets_the_same_hash_as_the_same_bytes(tmp_path: Path) -> None:
    raw = RawFiles(tmp_path / "raw")
    data = bytes(range(256)) * 9000
    streamed = raw.put_stream(lambda: io.BytesIO(data), chunk_bytes=4096)
    assert streamed == content_hash(data)
    assert raw.get(streamed) == data


def test_a_copy_that_breaks_off_leaves_no_file_behind(tmp_path: Path) -> None:
    raw = RawFiles(tmp_path / "raw")

    class Breaks(io.BytesIO):
        def read(self, size: int | None = -1) -> bytes:
            if self.tell() > 10:
                raise OSError("device went away")
            return super().read(8)

    with pytest.raises(StoreError, match="device went away"):
        raw.put_stream(lambda: Breaks(b"x" * 100))
    assert [p for p in (tmp_path / "raw").rglob("*") if p.is_file()] == []


def test_a_missing_original_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="missing"):
        RawFiles(tmp_path / "raw").get("ab" * 32)
