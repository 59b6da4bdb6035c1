"""Restoring an export (``rubdown import FILE.zip``) into a home with no data for the runner.

In order, and nothing is written before every check has passed:
1. the manifest is read and every member checked against its SHA-256 (a damaged export is
   refused whole);
2. every table and column of the export must be one this rubdown knows, from a schema no
   newer than its own (columns added since are left to their defaults);
3. the home must have no data for the runner ("restore needs an empty home");
4. the originals are put back in the kept files (each checked against its name), then every
   row is written in one transaction, owner columns set to this home's runner, ids as they
   were. When the rows fail, the originals this restore added are removed again.

Records about an account on a server (its grants, its access log) are in an export for the
runner to read, and are not restored: they name people of that server.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Protocol, cast

from rubdown.domain.names import printable
from rubdown.errors import FileFormatError, HomeNotEmpty
from rubdown.importers.rubdown_export import ExportArchive
from rubdown.keeping.raw import Spooled
from rubdown.services.rights.tables import AccountTables, TableShape, from_json


class KeepsOriginals(Protocol):
    """What a restore needs of the kept files (``keeping.raw.RawFiles``)."""

    def spool(self, opener: Callable[[], BinaryIO]) -> Spooled: ...

    def keep(self, spooled: Spooled) -> bool: ...

    def discard(self, spooled: Spooled) -> None: ...

    def forget(self, sha256: str) -> None: ...


@dataclass(frozen=True)
class RestoreSummary:
    rows: dict[str, int]
    originals: int
    skipped_tables: tuple[str, ...]  # exported for reading, not restored

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def restore(
    tables: AccountTables, owner_id: str, path: Path, originals: KeepsOriginals
) -> RestoreSummary:
    with ExportArchive(path) as archive:
        archive.verify()
        shapes = {shape.name: shape for shape in tables.shapes()}
        restoring = _restorable(archive, shapes, printable(path.name))
        if tables.has_data(owner_id):
            raise HomeNotEmpty(
                "restore needs an empty home: this one already has data for the runner"
                " (restore into a new --home, or delete the account first)"
            )
        added = _put_originals(archive, originals, printable(path.name))
        try:
            written = tables.restore(
                owner_id,
                ((name, _decoded(archive, shapes[name])) for name in restoring),
            )
        except BaseException:
            for sha in added:
                originals.forget(sha)
            raise
    skipped = tuple(sorted(set(archive.tables()) - set(restoring)))
    return RestoreSummary(written, len(archive.originals()), skipped)


def _restorable(archive: ExportArchive, shapes: Mapping[str, TableShape], shown: str) -> list[str]:
    """The export's tables to write, in this rubdown's order (parents first)."""
    exported = archive.tables()
    for name, entry in exported.items():
        shape = shapes.get(name)
        if shape is None:
            if entry.get("restored", True):
                raise FileFormatError(
                    f"{shown}: its table {name} is unknown to this rubdown"
                    f" (the export is from schema version {archive.schema_version});"
                    " upgrade rubdown to restore it"
                )
            continue
        known = dict(shape.columns)
        for column, kind in entry["columns"].items():
            if known.get(column) != kind:
                raise FileFormatError(
                    f"{shown}: its column {name}.{column} ({kind}) is unknown to this rubdown"
                    f" (the export is from schema version {archive.schema_version})"
                )
    return [name for name, shape in shapes.items() if shape.restored and name in exported]


def _decoded(archive: ExportArchive, shape: TableShape) -> Iterator[dict[str, Any]]:
    kinds = dict(shape.columns)
    for number, row in enumerate(archive.rows(shape.name), start=1):
        yield {
            column: from_json(kinds[column], value, f"{shape.name} row {number} {column}")
            for column, value in row.items()
        }


def _put_originals(archive: ExportArchive, originals: KeepsOriginals, shown: str) -> list[str]:
    """Keep every original of the export; the SHA-256 of those not kept before."""
    added: list[str] = []
    try:
        for sha in archive.originals():

            def opener(sha: str = sha) -> BinaryIO:
                return cast("BinaryIO", archive.open_original(sha))

            spooled = originals.spool(opener)
            if spooled.sha256 != sha:
                originals.discard(spooled)
                raise FileFormatError(
                    f"{shown}: a damaged rubdown export (originals/{sha[:12]}… is not the"
                    " file its name says)"
                )
            if originals.keep(spooled):
                added.append(sha)
    except BaseException:
        for sha in added:
            originals.forget(sha)
        raise
    return added
