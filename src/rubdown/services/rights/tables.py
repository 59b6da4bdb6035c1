"""What the data-rights use cases need from the database, and how a value travels in an export.

``AccountTables`` is the port: every table of a person's, walked through the store's ownership
map (``store.ownership``), read in one snapshot, written back in one transaction, deleted in
one transaction. It is whole-database work, not one use case's slice of a runner's data, so
it sits beside ``domain.ports.RunnerData`` rather than in it; ``bootstrap.account_tables``
builds it over the store.

A value leaves the database as a Python value of its column's *kind* and is written into the
export's JSON as ``to_json`` says (dates and times ISO 8601, bytes base64, lists as lists);
``from_json`` turns it back into exactly what was read, so a restore writes the very values
the export read. CSV (``to_csv``) is for reading in a spreadsheet: restores read the JSON.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any, BinaryIO, Protocol

from rubdown.errors import FileFormatError

# The kinds of column a table can have, as ``TableShape.columns`` names them.
KINDS = ("text", "integer", "float", "boolean", "date", "time", "datetime", "list", "bytes")


class TableShape(Protocol):
    """One exported table: its columns (name, kind) in order and what a restore does."""

    @property
    def name(self) -> str: ...

    @property
    def columns(self) -> Sequence[tuple[str, str]]: ...

    @property
    def restored(self) -> bool: ...

    @property
    def originals(self) -> Sequence[str]: ...


class SnapshotReader(Protocol):
    def rows(self, table: str) -> Iterator[dict[str, Any]]:
        """The person's rows of ``table`` (the exported columns), in key order."""
        ...


class DeletedAccount(Protocol):
    @property
    def rows(self) -> Mapping[str, int]: ...  # rows removed per table

    @property
    def originals(self) -> Sequence[str]: ...  # kept files no one names any more


class AccountTables(Protocol):
    def schema_version(self) -> int: ...

    def shapes(self) -> Sequence[TableShape]:
        """Every exported table, parents before children."""
        ...

    def snapshot(self, owner_id: str) -> AbstractContextManager[SnapshotReader]:
        """The person's rows as of one moment, however long the export takes to read them."""
        ...

    def has_data(self, owner_id: str) -> bool:
        """Whether any restorable table but the runner's own row has a row of theirs."""
        ...

    def restore(
        self, owner_id: str, tables: Iterable[tuple[str, Iterable[Mapping[str, Any]]]]
    ) -> dict[str, int]:
        """Insert the rows of each (table, rows), their owner columns set to ``owner_id``, in
        one transaction; the runner's own row is updated in place. Rows written per table."""
        ...

    def delete_account(self, owner_id: str) -> DeletedAccount:
        """Remove every row of the person in one transaction."""
        ...


class Originals(Protocol):
    """The kept original files (``keeping.raw.RawFiles``)."""

    def has(self, sha256: str) -> bool: ...

    def open(self, sha256: str) -> BinaryIO: ...

    def forget(self, sha256: str) -> None: ...


# -- values ---------------------------------------------------------------------------------


def to_json(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind in ("date", "time", "datetime"):
        return value.isoformat()
    if kind == "bytes":
        return base64.b64encode(value).decode("ascii")
    if kind == "list":
        return list(value)
    if kind == "float":
        number = float(value)
        # JSON has no NaN or infinity; Python's own spelling keeps them readable by Python.
        return number if math.isfinite(number) else repr(number)
    return value


def from_json(kind: str, value: Any, where: str) -> Any:
    """The value ``to_json`` wrote; FileFormatError naming ``where`` when it is not one."""
    if value is None:
        return None
    try:
        return _FROM_JSON[kind](value)
    except (TypeError, ValueError, binascii.Error, KeyError):
        raise FileFormatError(f"{where}: {value!r} is not a {kind}") from None


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError
    return value


def _integer(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError
    return value


def _float(value: Any) -> float:
    if isinstance(value, bool):
        raise TypeError
    if isinstance(value, str):
        if value not in ("nan", "inf", "-inf"):
            raise ValueError
        return float(value)
    if not isinstance(value, int | float):
        raise TypeError
    return float(value)


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError
    return value


def _moment(value: Any) -> dt.datetime:
    moment = dt.datetime.fromisoformat(_text(value))
    if moment.tzinfo is None:
        raise ValueError
    return moment.astimezone(dt.UTC)


def _list(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise TypeError
    return value


def _bytes(value: Any) -> bytes:
    return base64.b64decode(_text(value), validate=True)


_FROM_JSON = {
    "text": _text,
    "integer": _integer,
    "float": _float,
    "boolean": _boolean,
    "date": lambda value: dt.date.fromisoformat(_text(value)),
    "time": lambda value: dt.time.fromisoformat(_text(value)),
    "datetime": _moment,
    "list": _list,
    "bytes": _bytes,
}


def to_csv(kind: str, value: Any) -> str:
    """A cell: empty for NULL, ISO 8601 for dates and times, true/false, JSON for lists."""
    if value is None:
        return ""
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "list":
        return json.dumps(list(value), ensure_ascii=False)
    if kind == "float":
        return repr(float(value))
    encoded = to_json(kind, value)
    return encoded if isinstance(encoded, str) else str(encoded)
