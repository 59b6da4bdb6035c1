"""The export's format without a database: each kind of value comes back from the JSON
exactly as it went in, a zip made by ``export_all`` is told from other zips by its content,
every member is hashed in the manifest, and originals are copied a chunk at a time."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import tracemalloc
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rubdown.errors import FileFormatError
from rubdown.importers.rubdown_export import ExportArchive, is_rubdown_export
from rubdown.services.rights.export import export_all
from rubdown.services.rights.tables import from_json, to_csv, to_json

NOW = dt.datetime(2027, 1, 4, 12, tzinfo=dt.UTC)

VALUES = {
    "text": st.text(),
    "integer": st.integers(min_value=-(2**63), max_value=2**63 - 1),
    "float": st.floats(allow_nan=False),
    "boolean": st.booleans(),
    "date": st.dates(),
    "time": st.times(),
    "datetime": st.datetimes(timezones=st.just(dt.UTC)),
    "list": st.lists(st.text(), max_size=5),
    "bytes": st.binary(max_size=64),
}


@pytest.mark.parametrize("kind", sorted(VALUES))
@given(data=st.data())
def test_every_kind_of_value_comes_back_exactly_through_json(kind: str, data: Any) -> None:
    value = data.draw(st.none() | VALUES[kind])

    written = json.loads(json.dumps(to_json(kind, value)))

    assert from_json(kind, written, "t.c") == value


def test_a_value_of_another_kind_is_refused_with_where_it_is() -> None:
    with pytest.raises(FileFormatError, match="races row 3 day: 'soon' is not a date"):
        from_json("date", "soon", "races row 3 day")
    with pytest.raises(FileFormatError, match="is not a integer"):
        from_json("integer", True, "x")
    with pytest.raises(FileFormatError, match="is not a datetime"):
        from_json("datetime", "2027-01-04T12:00:00", "x")  # no offset: not a moment


def test_csv_cells_are_iso_dates_true_false_and_json_lists() -> None:
    assert to_csv("date", dt.date(2027, 1, 4)) == "2027-01-04"
    assert to_csv("datetime", NOW) == "2027-01-04T12:00:00+00:00"
    assert to_csv("boolean", False) == "false"
    assert to_csv("list", ["calf", "left-quad"]) == '["calf", "left-quad"]'
    assert to_csv("float", 0.1) == "0.1"
    assert to_csv("text", None) == ""


@dataclass(frozen=True)
class Shape:
    name: str
    columns: tuple[tuple[str, str], ...]
    restored: bool = True
    originals: tuple[str, ...] = ()


class Tables:
    """``AccountTables`` in memory, with the person's rows per table; only what an export
    reads (a snapshot is the tables themselves)."""

    def __init__(self, rows: dict[str, list[dict[str, Any]]], shapes: list[Shape]) -> None:
        self._rows = rows
        self._shapes = shapes

    def schema_version(self) -> int:
        return 9

    def shapes(self) -> Sequence[Shape]:
        return self._shapes

    @contextmanager
    def snapshot(self, owner_id: str) -> Iterator[Tables]:
        yield self

    def rows(self, table: str) -> Iterator[dict[str, Any]]:
        yield from self._rows[table]


class Originals:
    """Kept files made up on the fly: ``size`` bytes each, never all in memory."""

    def __init__(self, sizes: Mapping[str, int]) -> None:
        self.sizes = dict(sizes)

    def has(self, sha256: str) -> bool:
        return sha256 in self.sizes

    def open(self, sha256: str) -> BinaryIO:
        return _Repeating(self.sizes[sha256])

    def forget(self, sha256: str) -> None:
        del self.sizes[sha256]


class _Repeating(io.RawIOBase):
    def __init__(self, size: int) -> None:
        self.left = size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        count = min(len(buffer), self.left)
        buffer[:count] = b"r" * count
        self.left -= count
        return count


def _export(tmp_path: Path, originals: Originals, rows: int = 3) -> Path:
    shape = Shape(
        "imported_files",
        (("sha256", "text"), ("imported_at", "datetime"), ("records", "integer")),
        originals=("sha256",),
    )
    table_rows = [
        {"sha256": sha, "imported_at": NOW, "records": n}
        for n, sha in enumerate(sorted(originals.sizes) * rows)
    ]
    tables = Tables({"imported_files": table_rows}, [shape])
    target = tmp_path / "export.zip"
    with target.open("wb") as out:
        export_all(tables, "ana", out, originals, now=NOW)  # type: ignore[arg-type]
    return target


def test_the_manifest_hashes_every_member_and_a_reader_verifies_them(tmp_path: Path) -> None:
    sha = "a" * 64
    export = _export(tmp_path, Originals({sha: 1000}))

    assert is_rubdown_export(export)
    with zipfile.ZipFile(export) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        for name, digest in manifest["members"].items():
            assert hashlib.sha256(archive.read(name)).hexdigest() == digest
        header = archive.read("tables/imported_files.csv").decode().splitlines()[0]
    assert header == "sha256,imported_at,records"
    assert manifest["format"] == "rubdown-export"
    assert manifest["tables"]["imported_files"]["rows"] == 3
    assert manifest["originals"] == [sha]
    with ExportArchive(export) as reader:
        reader.verify()
        rows = list(reader.rows("imported_files"))
    assert [row["records"] for row in rows] == [0, 1, 2]
    assert rows[0]["imported_at"] == NOW.isoformat()


def test_other_zips_are_not_exports(tmp_path: Path) -> None:
    other = tmp_path / "strava.zip"
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("activities.csv", "id\n1\n")
        archive.writestr("manifest.json", json.dumps({"format": "something else"}))
    not_a_zip = tmp_path / "notes.zip"
    not_a_zip.write_text("hello")

    assert not is_rubdown_export(other)
    assert not is_rubdown_export(not_a_zip)
    assert not is_rubdown_export(tmp_path / "missing.zip")
    with pytest.raises(FileFormatError, match="not a rubdown export"):
        ExportArchive(other)


def test_originals_are_copied_a_chunk_at_a_time(tmp_path: Path) -> None:
    size = 48 << 20  # far more than the export may hold in memory at once
    tracemalloc.start()
    try:
        export = _export(tmp_path, Originals({"b" * 64: size}), rows=1)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert peak < 12 << 20, peak
    with zipfile.ZipFile(export) as archive:
        assert archive.getinfo(f"originals/{'b' * 64}").file_size == size
