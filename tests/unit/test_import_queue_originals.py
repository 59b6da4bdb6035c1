"""Kept originals shared by every process of a server (``keeping.raw.share``): a folder
backed by a shared place puts each file there when it is kept, reads from there what it
lacks, and forgets in both; a shared folder (``keeping.folder``) is one such place."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from rubdown.errors import StoreError
from rubdown.keeping import raw
from rubdown.keeping.folder import FolderOriginals
from rubdown.keeping.raw import RawFiles, content_hash

GPX = b"<?xml version='1.0'?><gpx>" + b"<trkpt/>" * 1000 + b"</gpx>"
GZIPPED = b"\x1f\x8b" + os.urandom(300)


def _keep(files: RawFiles, data: bytes) -> str:
    spooled = files.spool(lambda: io.BytesIO(data))
    files.keep(spooled)
    return spooled.sha256


@pytest.mark.parametrize("data", [GPX, GZIPPED], ids=["compressed when kept", "gzip already"])
def test_a_file_kept_on_one_machine_is_read_on_another(tmp_path: Path, data: bytes) -> None:
    shared = FolderOriginals(tmp_path / "shared")
    one = RawFiles(tmp_path / "one", shared)
    other = RawFiles(tmp_path / "other", shared)
    sha = _keep(one, data)
    assert shared.has(sha)
    assert other.has(sha)
    assert other.get(sha) == data
    assert other.get(sha) == data  # from its own folder now


def test_a_file_kept_before_the_folder_was_shared_is_shared_when_kept_again(
    tmp_path: Path,
) -> None:
    alone = RawFiles(tmp_path / "one")
    sha = _keep(alone, GPX)
    shared = FolderOriginals(tmp_path / "shared")
    assert not shared.has(sha)
    _keep(RawFiles(tmp_path / "one", shared), GPX)
    assert shared.has(sha)


def test_forgetting_removes_the_shared_copy_too(tmp_path: Path) -> None:
    shared = FolderOriginals(tmp_path / "shared")
    files = RawFiles(tmp_path / "one", shared)
    sha = _keep(files, GPX)
    files.forget(sha)
    assert not files.has(sha)
    assert not shared.has(sha)


def test_an_original_missing_everywhere_is_one_line(tmp_path: Path) -> None:
    files = RawFiles(tmp_path / "one", FolderOriginals(tmp_path / "shared"))
    with pytest.raises(StoreError, match="is missing from"):
        files.open(content_hash(b"never kept"))
    assert not list((tmp_path / "one").glob(".incoming-*"))  # no temporary copy left


def test_a_folder_is_shared_by_name_in_the_process_that_named_it(tmp_path: Path) -> None:
    shared = FolderOriginals(tmp_path / "shared")
    root = tmp_path / "one"
    raw.share(root, shared)
    try:
        sha = _keep(RawFiles(root), GPX)  # as the import makes it: by its folder only
        assert shared.has(sha)
    finally:
        raw.share(root, None)
    assert RawFiles(root).shared is None
