"""rubdown's own export (``rubdown export all``): telling one from any other zip, and reading it.

An export is a zip with
- ``manifest.json``: ``{"format": "rubdown-export", "format_version": 1, "schema_version",
  "created_at", "tables": {name: {"rows", "columns": {column: kind}, "restored"}},
  "originals": [sha256, ...], "members": {member: sha256}}``;
- ``tables/<table>.json``: ``{"table", "columns", "rows": [...]}`` written one row a line, so
  a reader holds one row at a time (``ExportArchive.rows``), and ``tables/<table>.csv``;
- ``originals/<sha256>``: each kept original file, byte for byte.

It is told by its content (a manifest naming the format), never by its file name.
``ExportArchive.verify`` checks every member against the manifest's SHA-256 before a restore
reads anything from it, so a damaged or edited export is refused whole.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from rubdown.errors import FileFormatError

FORMAT = "rubdown-export"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
TABLES = "tables/"
ORIGINALS = "originals/"
# A manifest lists a hash per member: even a home of a million originals stays far below.
MANIFEST_MAX_BYTES = 256 * 1024 * 1024
_CHUNK = 1 << 20
_SHA256 = re.compile(r"[0-9a-f]{64}")
_TABLE_NAME = re.compile(r"[a-z_][a-z0-9_]*")


def table_member(table: str, extension: str) -> str:
    return f"{TABLES}{table}.{extension}"


def original_member(sha256: str) -> str:
    return f"{ORIGINALS}{sha256}"


def is_rubdown_export(path: Path) -> bool:
    """Whether ``path`` is a zip whose manifest says it is a rubdown export (whatever its
    name); a missing or unreadable file is not one.

    A zip with a manifest and tables laid out as an export's is one too, even when its
    manifest cannot be read: restoring it then says what is damaged, rather than importing
    its CSV files as activities."""
    try:
        if not path.is_file() or not zipfile.is_zipfile(path):
            return False
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            if MANIFEST not in names:
                return False
            laid_out = any(name.startswith(TABLES) and name.endswith(".json") for name in names)
            info = archive.getinfo(MANIFEST)
            if info.file_size > MANIFEST_MAX_BYTES:
                return laid_out
            try:
                manifest = json.loads(archive.read(info))
            except (ValueError, zipfile.BadZipFile, EOFError):
                return laid_out
    except (OSError, KeyError, ValueError, zipfile.BadZipFile, EOFError):
        return False
    return laid_out or (isinstance(manifest, dict) and manifest.get("format") == FORMAT)


class ExportArchive:
    """An export opened for reading; close it (or use ``with``) when done."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._shown = path.name
        try:
            self._zip = zipfile.ZipFile(path)
        except (OSError, zipfile.BadZipFile, EOFError) as error:
            raise FileFormatError(f"{self._shown}: not a readable zip ({error})") from None
        try:
            self.manifest = self._read_manifest()
        except BaseException:
            self._zip.close()
            raise

    def __enter__(self) -> ExportArchive:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._zip.close()

    # -- the manifest ------------------------------------------------------------------------

    def _damaged(self, what: str) -> FileFormatError:
        return FileFormatError(f"{self._shown}: a damaged rubdown export ({what})")

    def _read_manifest(self) -> dict[str, Any]:
        try:
            info = self._zip.getinfo(MANIFEST)
        except KeyError:
            raise FileFormatError(
                f"{self._shown}: not a rubdown export (it has no {MANIFEST})"
            ) from None
        if info.file_size > MANIFEST_MAX_BYTES:
            raise self._damaged(f"{MANIFEST} is too large")
        try:
            manifest = json.loads(self._zip.read(info))
        except (ValueError, zipfile.BadZipFile, EOFError, OSError) as error:
            raise self._damaged(f"{MANIFEST} cannot be read: {error}") from None
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise FileFormatError(f"{self._shown}: not a rubdown export")
        version = manifest.get("format_version")
        if not isinstance(version, int) or version > FORMAT_VERSION:
            raise FileFormatError(
                f"{self._shown}: export format {version!r} is newer than this rubdown reads"
                f" ({FORMAT_VERSION}); upgrade rubdown to restore it"
            )
        self._check_shape(manifest)
        return manifest

    def _check_shape(self, manifest: dict[str, Any]) -> None:
        members, tables = manifest.get("members"), manifest.get("tables")
        originals, schema = manifest.get("originals"), manifest.get("schema_version")
        if not isinstance(members, dict) or not all(
            isinstance(name, str) and isinstance(digest, str) and _SHA256.fullmatch(digest)
            for name, digest in members.items()
        ):
            raise self._damaged("its member list is not names and SHA-256 hashes")
        if not isinstance(tables, dict) or not all(
            isinstance(name, str)
            and _TABLE_NAME.fullmatch(name)
            and isinstance(entry, dict)
            and isinstance(entry.get("columns"), dict)
            and isinstance(entry.get("rows"), int)
            for name, entry in tables.items()
        ):
            raise self._damaged("its table list is not tables with columns and row counts")
        if not isinstance(originals, list) or not all(
            isinstance(sha, str) and _SHA256.fullmatch(sha) for sha in originals
        ):
            raise self._damaged("its list of originals is not SHA-256 hashes")
        if not isinstance(schema, int):
            raise self._damaged("it names no schema version")
        expected = {table_member(name, ext) for name in tables for ext in ("json", "csv")}
        expected |= {original_member(sha) for sha in originals}
        if set(members) != expected:
            raise self._damaged("its member list does not match its tables and originals")

    @property
    def schema_version(self) -> int:
        return int(self.manifest["schema_version"])

    def tables(self) -> dict[str, dict[str, Any]]:
        """Each table's manifest entry: ``rows``, ``columns`` ({column: kind}), ``restored``."""
        return dict(self.manifest["tables"])

    def originals(self) -> list[str]:
        return list(self.manifest["originals"])

    # -- members ---------------------------------------------------------------------------

    def verify(self) -> None:
        """Every member the manifest lists is there, nothing else is, and each has the
        manifest's SHA-256: read once, a chunk at a time. FileFormatError for the first that
        does not."""
        listed: dict[str, str] = self.manifest["members"]
        present = {info.filename for info in self._zip.infolist() if not info.is_dir()}
        missing = sorted(set(listed) - present)
        if missing:
            raise self._damaged(f"{missing[0]} is missing")
        extra = sorted(present - set(listed) - {MANIFEST})
        if extra:
            raise self._damaged(f"{extra[0]} is not in its manifest")
        for name, expected in listed.items():
            digest = hashlib.sha256()
            try:
                with self._zip.open(name) as member:
                    while chunk := member.read(_CHUNK):
                        digest.update(chunk)
            except (zipfile.BadZipFile, EOFError, OSError, ValueError) as error:
                raise self._damaged(f"{name} cannot be read: {error}") from None
            if digest.hexdigest() != expected:
                raise self._damaged(f"{name} does not match its SHA-256 in the manifest")

    def rows(self, table: str) -> Iterator[dict[str, Any]]:
        """The rows of ``tables/<table>.json`` as written, one at a time (values as JSON
        gives them: ``services.rights.tables.from_json`` makes them column values)."""
        name = table_member(table, "json")
        columns = set(self.tables()[table]["columns"])
        try:
            with self._zip.open(name) as member:
                lines = io.TextIOWrapper(member, encoding="utf-8")
                header = json.loads(lines.readline() + "]}")
                if not isinstance(header, dict) or header.get("table") != table:
                    raise self._damaged(f"{name} does not start with its table's header")
                for number, line in enumerate(lines, start=2):
                    text = line.strip()
                    if text == "]}":
                        return
                    row = json.loads(text.rstrip(","))
                    if not isinstance(row, dict) or not set(row) <= columns:
                        raise self._damaged(f"{name} line {number} is not a row of {table}")
                    yield row
        except (ValueError, zipfile.BadZipFile, EOFError, OSError) as error:
            raise self._damaged(f"{name} cannot be read: {error}") from None
        raise self._damaged(f"{name} ends before its rows do")

    def open_original(self, sha256: str) -> IO[bytes]:
        """An original file's bytes as a stream."""
        return self._zip.open(original_member(sha256))
