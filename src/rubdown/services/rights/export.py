"""``rubdown export all``: every row of a runner and every original file they kept, in one zip.

The zip's layout is ``importers.rubdown_export``'s. Rows are read in one snapshot of the
database (``AccountTables.snapshot``), so an import running meanwhile is in the export whole
or not at all, and streamed into the zip a batch at a time; originals are copied a chunk at a
time. Memory stays bounded whatever the size of the home. Each member is hashed while it is
written, and the manifest, written last, lists every hash.

What is left out: password hashes and session tokens (credentials: ``store.ownership`` marks
them), nothing else of the runner's.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Any

from rubdown import __version__
from rubdown.importers.rubdown_export import (
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    original_member,
    table_member,
)
from rubdown.services.rights.tables import (
    AccountTables,
    Originals,
    SnapshotReader,
    TableShape,
    to_csv,
    to_json,
)

_CHUNK = 1 << 20
_FLUSH_BYTES = 1 << 20  # CSV and JSON text gathered before it goes into the zip

# (phase, done, total): phase "tables" counts tables, "originals" counts files.
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class ExportSummary:
    rows: dict[str, int]  # per table
    originals: int

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


class _Member:
    """A zip member being written, hashed on the way; text is gathered and written in
    chunks of ``_FLUSH_BYTES``."""

    def __init__(self, archive: zipfile.ZipFile, name: str) -> None:
        self.name = name
        self._out: IO[bytes] = archive.open(name, "w", force_zip64=True)
        self._digest = hashlib.sha256()
        self._text = io.StringIO()

    def write(self, data: bytes) -> None:
        self._digest.update(data)
        self._out.write(data)

    def text(self, text: str) -> None:
        self._text.write(text)
        if self._text.tell() >= _FLUSH_BYTES:
            self._flush()

    def _flush(self) -> None:
        gathered = self._text.getvalue()
        if gathered:
            self.write(gathered.encode("utf-8"))
        self._text = io.StringIO()

    def close(self) -> str:
        self._flush()
        self._out.close()
        return self._digest.hexdigest()

    @contextmanager
    def closed_on_failure(self) -> Iterator[_Member]:
        """The member, closed if the block fails: an open member would make closing the zip
        fail too, hiding the first error behind its own."""
        try:
            yield self
        except BaseException:
            self._out.close()
            raise


def export_all(
    tables: AccountTables,
    owner_id: str,
    target: IO[bytes],
    originals: Originals | None,
    *,
    now: dt.datetime,
    progress: Progress | None = None,
) -> ExportSummary:
    """Write the runner's export into ``target`` (a writable, seekable binary file)."""
    shapes = list(tables.shapes())
    members: dict[str, str] = {}
    counts: dict[str, int] = {}
    kept: set[str] = set()
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with tables.snapshot(owner_id) as reader:
            for done, shape in enumerate(shapes, start=1):
                counts[shape.name] = _write_table(archive, reader, shape, members, kept)
                if progress is not None:
                    progress("tables", done, len(shapes))
        # Originals without a kept copy (a home without a data folder) are listed as absent
        # rather than failing the export: the rows still name them.
        present = sorted(sha for sha in kept if originals is not None and originals.has(sha))
        for done, sha in enumerate(present, start=1):
            assert originals is not None
            with _Member(archive, original_member(sha)).closed_on_failure() as member:
                with originals.open(sha) as source:
                    while chunk := source.read(_CHUNK):
                        member.write(chunk)
                members[member.name] = member.close()
            if progress is not None:
                progress("originals", done, len(present))
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "rubdown_version": __version__,
            "schema_version": tables.schema_version(),
            "created_at": now.astimezone(dt.UTC).isoformat(),
            "tables": {
                shape.name: {
                    "rows": counts[shape.name],
                    "columns": dict(shape.columns),
                    "restored": shape.restored,
                }
                for shape in shapes
            },
            "originals": present,
            "originals_missing": sorted(kept - set(present)),
            "members": members,
        }
        archive.writestr(MANIFEST, json.dumps(manifest, indent=1, ensure_ascii=False) + "\n")
    return ExportSummary(counts, len(present))


def _write_table(
    archive: zipfile.ZipFile,
    reader: SnapshotReader,
    shape: TableShape,
    members: dict[str, str],
    kept: set[str],
) -> int:
    columns = list(shape.columns)
    count = 0
    with _Member(archive, table_member(shape.name, "json")).closed_on_failure() as as_json:
        header = {"table": shape.name, "columns": dict(columns)}
        as_json.text(json.dumps(header, ensure_ascii=False)[:-1] + ', "rows": [')
        for row in reader.rows(shape.name):
            encoded = {name: to_json(kind, row[name]) for name, kind in columns}
            as_json.text(("," if count else "") + "\n" + json.dumps(encoded, ensure_ascii=False))
            kept.update(row[column] for column in shape.originals if row[column])
            count += 1
        as_json.text("\n]}\n")
        members[as_json.name] = as_json.close()

    # A second pass for the CSV, in the same snapshot: one member is written at a time.
    with _Member(archive, table_member(shape.name, "csv")).closed_on_failure() as as_csv:
        for line in _csv_lines(columns, reader.rows(shape.name)):
            as_csv.text(line)
        members[as_csv.name] = as_csv.close()
    return count


def _csv_lines(columns: list[tuple[str, str]], rows: Iterator[dict[str, Any]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([name for name, _kind in columns])
    for row in rows:
        writer.writerow([to_csv(kind, row[name]) for name, kind in columns])
        if buffer.tell() >= _FLUSH_BYTES:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
