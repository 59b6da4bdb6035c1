"""The tent's day in one SQLite file: the action log, the entry list, joined devices.

A tent is one laptop on its own network, so the day lives in a file of its own, not in a
runner's home or a server's database. Nothing acknowledged may be lost to a crash or a pulled
plug: the file is in WAL mode with ``synchronous=FULL`` (each commit is on disk before it
returns), and each action is one ``BEGIN IMMEDIATE`` transaction. The action's idempotency
key is UNIQUE: a retried request finds its first answer instead of a second row.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

from rubdown.domain.tent.day import ActionRecord, Device, Entry, NewAction
from rubdown.errors import FileFormatError, StoreError

FORMAT = "rubdown-tent-day-1"
CHECKPOINT_EVERY = (
    500  # actions between two checkpoints of the WAL  # meta 'format': a file this code wrote
)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS actions (
    seq INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    device TEXT NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    at TEXT NOT NULL,
    result TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS entries (
    bib TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    distance TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS devices (
    token_digest BLOB PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    table_number INTEGER,
    csrf TEXT NOT NULL,
    joined_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS links (
    code_digest BLOB PRIMARY KEY,
    role TEXT NOT NULL,
    made_at TEXT NOT NULL,
    used_at TEXT
);
"""


class SqliteTentDay:
    """``TentDayStore`` on one SQLite file; safe to share between threads (one lock)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()  # the writing connection
        self._read_lock = threading.Lock()  # the reading one
        self._since_checkpoint = 0
        self._checkpointing = False
        if not path.parent.is_dir():
            # Not made: a typo in --day would otherwise start the day somewhere unexpected.
            raise StoreError(f"cannot open {path}: the folder {path.parent} does not exist")
        try:
            self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA busy_timeout=5000")
            # No checkpoint inside an action's commit: copying the WAL back into the file
            # (and its fsync) stalled every action waiting behind it for 100 ms and more on a
            # busy disk. A thread of its own does it, beside the writes (``_checkpoint``).
            self._db.execute("PRAGMA wal_autocheckpoint=0")
            self._check_format()
            self._db.executescript(_SCHEMA)
            self._db.execute(
                "INSERT OR IGNORE INTO meta (name, value) VALUES ('format', ?)", (FORMAT,)
            )
            # Reads during the day (an entry by bib, a device, a setting) go through a
            # connection of their own: in WAL mode a reader never waits for a writer, so a
            # desk's look-up is not held up by a commit's fsync on a busy disk.
            self._reader = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            self._reader.execute("PRAGMA busy_timeout=5000")
        except sqlite3.DatabaseError as error:
            raise FileFormatError(f"{path}: not a tent day file ({error})") from None
        except OSError as error:
            raise StoreError(f"{path}: cannot open the tent day file ({error})") from None

    def _check_format(self) -> None:
        tables = {row[0] for row in self._db.execute("SELECT name FROM sqlite_master")}
        if not tables:
            return
        found = None
        if "meta" in tables:
            row = self._db.execute("SELECT value FROM meta WHERE name = 'format'").fetchone()
            found = row[0] if row else None
        if found != FORMAT:
            raise FileFormatError(
                f"{self.path}: not a tent day file (an SQLite file of something else)"
            )

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    # -- the action log -------------------------------------------------------------------

    def actions(self) -> list[ActionRecord]:
        with self._lock:
            rows = self._db.execute(
                "SELECT seq, key, device, kind, payload, at, result FROM actions ORDER BY seq"
            ).fetchall()
        return [_record(row) for row in rows]

    def append_many(self, actions: Sequence[NewAction]) -> list[ActionRecord]:
        records: list[ActionRecord] = []
        try:
            with self._write() as db:
                for new in actions:
                    cursor = db.execute(
                        "INSERT INTO actions (key, device, kind, payload, at, result)"
                        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING",
                        (
                            new.key,
                            new.device,
                            new.kind,
                            _json(new.payload),
                            _iso(new.at),
                            _json(new.result),
                        ),
                    )
                    if cursor.rowcount == 1 and cursor.lastrowid is not None:
                        records.append(
                            ActionRecord(
                                cursor.lastrowid,
                                new.key,
                                new.device,
                                new.kind,
                                dict(new.payload),
                                new.at,
                                dict(new.result),
                            )
                        )
                        continue
                    found = db.execute(  # the key was stored before: its first record stands
                        "SELECT seq, key, device, kind, payload, at, result FROM actions"
                        " WHERE key = ?",
                        (new.key,),
                    ).fetchone()
                    records.append(_record(found))
        except sqlite3.Error as error:
            raise StoreError(f"{self.path}: the actions were not stored ({error})") from None
        self._since_checkpoint += len(records)
        if self._since_checkpoint >= CHECKPOINT_EVERY and not self._checkpointing:
            self._since_checkpoint = 0
            self._checkpointing = True
            threading.Thread(
                target=self._checkpoint, name="tent-day-checkpoint", daemon=True
            ).start()
        return records

    def _checkpoint(self) -> None:
        """A passive checkpoint on a connection of its own: it copies what it can of the WAL
        into the file while actions go on being written, and never makes them wait."""
        try:
            with closing(sqlite3.connect(self.path, timeout=5)) as db:
                db.execute("PRAGMA wal_checkpoint(PASSIVE)")
        except sqlite3.Error:
            pass  # the next one tries again; until then the WAL is only longer
        finally:
            self._checkpointing = False

    # -- the entry list -------------------------------------------------------------------

    def entry(self, bib: str) -> Entry | None:
        with self._read_lock:
            row = self._reader.execute(
                "SELECT bib, name, distance FROM entries WHERE bib = ?", (bib,)
            ).fetchone()
        return Entry(*row) if row else None

    def put_entries(self, entries: Iterable[Entry]) -> int:
        rows = [(e.bib, e.name, e.distance) for e in entries]
        with self._write() as db:
            db.executemany(
                "INSERT INTO entries (bib, name, distance) VALUES (?, ?, ?)"
                " ON CONFLICT (bib) DO UPDATE SET name = excluded.name,"
                " distance = excluded.distance",
                rows,
            )
        return len(rows)

    def entry_count(self) -> int:
        with self._read_lock:
            return int(self._reader.execute("SELECT count(*) FROM entries").fetchone()[0])

    # -- settings, devices and join links -------------------------------------------------

    def setting(self, name: str) -> str | None:
        with self._read_lock:
            row = self._reader.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return str(row[0]) if row else None

    def put_setting(self, name: str, value: str) -> None:
        with self._write() as db:
            db.execute(
                "INSERT INTO meta (name, value) VALUES (?, ?)"
                " ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                (name, value),
            )

    def put_settings(self, values: Mapping[str, str | None]) -> None:
        """Set (or, for ``None``, remove) several settings in one transaction: the PINs are
        replaced together or not at all."""
        with self._write() as db:
            for name, value in values.items():
                if value is None:
                    db.execute("DELETE FROM meta WHERE name = ?", (name,))
                else:
                    db.execute(
                        "INSERT INTO meta (name, value) VALUES (?, ?)"
                        " ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                        (name, value),
                    )

    def add_device(self, token_digest: bytes, device: Device, at: dt.datetime) -> None:
        with self._write() as db:
            db.execute(
                "INSERT INTO devices (token_digest, id, role, table_number, csrf, joined_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (token_digest, device.id, device.role, device.table, device.csrf, _iso(at)),
            )

    def device(self, token_digest: bytes) -> Device | None:
        with self._read_lock:
            row = self._reader.execute(
                "SELECT id, role, table_number, csrf FROM devices WHERE token_digest = ?",
                (token_digest,),
            ).fetchone()
        return Device(*row) if row else None

    def add_link(self, code_digest: bytes, role: str, at: dt.datetime) -> None:
        with self._write() as db:
            db.execute(
                "INSERT INTO links (code_digest, role, made_at) VALUES (?, ?, ?)",
                (code_digest, role, _iso(at)),
            )

    def use_link(self, code_digest: bytes, at: dt.datetime) -> str | None:
        """The link's role, marking it used; ``None`` for an unknown or used link."""
        with self._write() as db:
            row = db.execute(
                "UPDATE links SET used_at = ? WHERE code_digest = ? AND used_at IS NULL"
                " RETURNING role",
                (_iso(at), code_digest),
            ).fetchone()
        return str(row[0]) if row else None

    def close(self) -> None:
        with self._read_lock:
            self._reader.close()
        with self._lock:
            self._db.close()


def _record(row: tuple[Any, ...]) -> ActionRecord:
    seq, key, device, kind, payload, at, result = row
    return ActionRecord(
        seq,
        key,
        device,
        kind,
        json.loads(payload),
        dt.datetime.fromisoformat(at),
        json.loads(result),
    )


def _json(value: Mapping[str, Any]) -> str:
    return json.dumps(value, separators=(",", ":"), sort_keys=True)


def _iso(at: dt.datetime) -> str:
    if at.tzinfo is None:
        raise ValueError("the tent stores aware datetimes")
    return at.astimezone(dt.UTC).isoformat()
