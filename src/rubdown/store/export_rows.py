"""A person's rows in every table at once: the store's side of export, restore and delete.

Everything here walks ``store.ownership``: which tables, in which order (parents before
children to insert, the reverse to delete), which rows are the person's, which columns are
withheld. It implements ``services.rights.tables.AccountTables``; ``bootstrap.account_tables``
builds it over a store.

- ``snapshot`` reads in one transaction (REPEATABLE READ on PostgreSQL; on SQLite a read
  transaction is a snapshot already), streaming rows a batch at a time.
- ``restore`` writes every row in one transaction: all or nothing.
- ``delete_account`` removes every row in one transaction and says which kept originals no
  one names any more, for the caller to remove once it has committed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from rubdown.errors import StoreError
from rubdown.store import schema
from rubdown.store.columns import JsonList, UtcDateTime
from rubdown.store.migrations import read_version
from rubdown.store.ownership import (
    ByEmail,
    Child,
    NotPersonal,
    Owned,
    ownership_of,
    personal_tables,
)
from rubdown.store.transactions import reading, writing

if TYPE_CHECKING:
    from rubdown.store.store import Store

_BATCH = 500
_RUNNERS = "runners"


@dataclass(frozen=True)
class Shape:
    """An exported table (``services.rights.tables.TableShape``)."""

    name: str
    columns: tuple[tuple[str, str], ...]
    restored: bool
    originals: tuple[str, ...]


@dataclass(frozen=True)
class Deleted:
    rows: dict[str, int]
    originals: list[str]


def column_kind(column: sa.Column[Any]) -> str:
    """What a column holds, as an export writes it (``services.rights.tables.KINDS``)."""
    kind = column.type
    if isinstance(kind, UtcDateTime):
        return "datetime"
    if isinstance(kind, JsonList):
        return "list"
    if isinstance(kind, sa.Boolean):
        return "boolean"
    if isinstance(kind, sa.Integer):
        return "integer"
    if isinstance(kind, sa.Float):
        return "float"
    if isinstance(kind, sa.DateTime):
        raise TypeError(f"{column}: a timestamp without UtcDateTime cannot be exported")
    if isinstance(kind, sa.Date):
        return "date"
    if isinstance(kind, sa.Time):
        return "time"
    if isinstance(kind, sa.LargeBinary):
        return "bytes"
    if isinstance(kind, sa.String):
        return "text"
    raise TypeError(f"{column}: no export kind for {kind!r}")


def exported_columns(table: sa.Table) -> list[sa.Column[Any]]:
    withheld = set(ownership_of(table.name).withheld)
    return [column for column in table.columns if column.name not in withheld]


class AccountRows:
    """Every table's rows of one person, over the store's engine."""

    def __init__(self, store: Store) -> None:
        self._store = store
        # The store's own engine: the same pool and SQLite settings (WAL, foreign keys).
        self._engine = store._engine
        self._shown = store.shown_url

    @classmethod
    def over(cls, storage: Any) -> AccountRows:
        """Over the full store behind ``storage`` (a ``Store``, or the sqlite3 reader that
        opens one on first write)."""
        full_store = getattr(storage, "full_store", None)
        return cls(full_store() if full_store is not None else storage)

    # -- what is exported --------------------------------------------------------------------

    def schema_version(self) -> int:
        with self._reading("the schema version") as connection:
            return read_version(connection)

    def shapes(self) -> list[Shape]:
        shapes = []
        for table in personal_tables():
            entry = ownership_of(table.name)
            if not entry.exported:
                continue
            columns = tuple((c.name, column_kind(c)) for c in exported_columns(table))
            shapes.append(Shape(table.name, columns, entry.restored, entry.originals))
        return shapes

    @contextmanager
    def snapshot(self, owner_id: str) -> Iterator[Snapshot]:
        with self._reading("the runner's data") as connection:
            if connection.dialect.name == "postgresql":
                connection.execution_options(isolation_level="REPEATABLE READ")
            with connection.begin():
                yield Snapshot(connection, owner_id, _email_of(connection, owner_id))

    def has_data(self, owner_id: str) -> bool:
        with self._reading("the runner's data") as connection:
            email = _email_of(connection, owner_id)
            for table in personal_tables():
                entry = ownership_of(table.name)
                if not entry.restored or table.name == _RUNNERS:
                    continue
                mine = _rows_of(table, owner_id, email)
                if connection.execute(sa.select(sa.literal(1)).where(mine).limit(1)).first():
                    return True
        return False

    # -- restore ---------------------------------------------------------------------------

    def restore(
        self, owner_id: str, tables: Iterable[tuple[str, Iterable[Mapping[str, Any]]]]
    ) -> dict[str, int]:
        written: dict[str, int] = {}
        with self._writing("the restored data") as connection:
            for name, rows in tables:
                table = schema.metadata.tables[name]
                entry = ownership_of(name)
                if not entry.restored:
                    raise StoreError(f"the table {name} is not restored")
                if name == _RUNNERS:
                    written[name] = _restore_runner(connection, owner_id, rows)
                    continue
                owners = entry.columns if isinstance(entry, Owned) else ()
                count = 0
                batch: list[dict[str, Any]] = []
                for row in rows:
                    batch.append({**row, **dict.fromkeys(owners, owner_id)})
                    if len(batch) >= _BATCH:
                        connection.execute(table.insert(), batch)
                        count += len(batch)
                        batch = []
                if batch:
                    connection.execute(table.insert(), batch)
                    count += len(batch)
                written[name] = count
        return written

    # -- delete ----------------------------------------------------------------------------

    def delete_account(self, owner_id: str) -> Deleted:
        counts: dict[str, int] = {}
        with self._writing("the account's deletion") as connection:
            email = _email_of(connection, owner_id)
            tables = personal_tables()
            named: set[str] = set()
            for table in tables:
                for column in ownership_of(table.name).originals:
                    query = sa.select(table.c[column]).where(_rows_of(table, owner_id, email))
                    named.update(connection.execute(query.distinct()).scalars())
            for table in reversed(tables):
                removed = connection.execute(table.delete().where(_rows_of(table, owner_id, email)))
                counts[table.name] = removed.rowcount
            still = _still_named(connection, tables, named)
        # The store remembers runners it has seen so as not to ask again: this one is gone,
        # and a later request for the same id must create it afresh.
        self._store._known_runners.discard(owner_id)
        return Deleted(counts, sorted(named - still))

    # -- connections -----------------------------------------------------------------------

    def _reading(self, what: str) -> AbstractContextManager[Connection]:
        return reading(self._engine, self._shown, what)

    def _writing(self, what: str) -> AbstractContextManager[Connection]:
        return writing(self._engine, self._shown, what)


class Snapshot:
    """The person's rows as of the moment its transaction began."""

    def __init__(self, connection: Connection, owner_id: str, email: str | None) -> None:
        self._connection = connection
        self._owner_id = owner_id
        self._email = email

    def rows(self, table: str) -> Iterator[dict[str, Any]]:
        described = schema.metadata.tables[table]
        columns = exported_columns(described)
        query = (
            sa.select(*columns)
            .where(_rows_of(described, self._owner_id, self._email))
            .order_by(*described.primary_key.columns)
            .execution_options(yield_per=_BATCH)
        )
        for row in self._connection.execute(query).mappings():
            yield dict(row)


def _email_of(connection: Connection, owner_id: str) -> str | None:
    users = schema.metadata.tables.get("users")
    if users is None:
        return None
    found = connection.execute(sa.select(users.c.email).where(users.c.id == owner_id)).first()
    return None if found is None else str(found[0])


def _rows_of(table: sa.Table, owner_id: str, email: str | None) -> sa.ColumnElement[bool]:
    """The condition that picks the person's rows of ``table``, through the ownership map."""
    entry = ownership_of(table.name)
    if isinstance(entry, Owned):
        return sa.or_(
            *(table.c[column] == owner_id for column in entry.columns),
            *(
                sa.and_(table.c[ref.kind_column] == ref.kind, table.c[ref.id_column] == owner_id)
                for ref in entry.clients
            ),
            *(_under(table, link, owner_id, email) for link in entry.parents),
        )
    if isinstance(entry, ByEmail):
        if email is None:
            return sa.false()
        return sa.or_(*(table.c[column] == email for column in entry.columns))
    if isinstance(entry, Child):
        return _under(table, entry, owner_id, email)
    assert isinstance(entry, NotPersonal)
    return sa.false()


def _under(
    table: sa.Table, link: Child, owner_id: str, email: str | None
) -> sa.ColumnElement[bool]:
    """Rows of ``table`` whose parent row (through ``link``) is the person's."""
    parent = schema.metadata.tables[link.parent]
    keys = sa.select(*(parent.c[column] for column in link.parent_columns)).where(
        _rows_of(parent, owner_id, email)
    )
    if len(link.columns) == 1:
        return table.c[link.columns[0]].in_(keys)
    return sa.tuple_(*(table.c[column] for column in link.columns)).in_(keys)


def _restore_runner(
    connection: Connection, owner_id: str, rows: Iterable[Mapping[str, Any]]
) -> int:
    """The runner's own row takes the export's name, creation time and pending loads. Its
    data version moves past both the export's and this home's, so no answer kept for either
    is taken for the restored data."""
    runners = schema.runners
    count = 0
    for row in rows:
        count += 1
        current = connection.execute(
            sa.select(runners.c.data_version).where(runners.c.id == owner_id)
        ).scalar()
        values = {k: v for k, v in row.items() if k in ("name", "created_at", "loads_pending")}
        version = max(int(current or 0), int(row.get("data_version") or 0)) + 1
        if current is None:
            connection.execute(runners.insert().values(id=owner_id, data_version=version, **values))
        else:
            connection.execute(
                runners.update()
                .where(runners.c.id == owner_id)
                .values(data_version=version, **values)
            )
    return count


def _still_named(connection: Connection, tables: list[sa.Table], shas: set[str]) -> set[str]:
    """Those of ``shas`` some row still names (another runner's import of the same file)."""
    still: set[str] = set()
    ordered = sorted(shas)
    for table in tables:
        for column in ownership_of(table.name).originals:
            for start in range(0, len(ordered), _BATCH):
                chunk = ordered[start : start + _BATCH]
                query = sa.select(table.c[column]).where(table.c[column].in_(chunk)).distinct()
                still.update(connection.execute(query).scalars())
    return still
