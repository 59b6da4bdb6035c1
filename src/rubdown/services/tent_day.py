"""The tent's day as use cases: devices join, act on the queue, and read what their role shows.

One ``TentDay`` per tent, shared by every request. An action is taken in four steps under one
lock: a key seen before answers what it answered then (a retried request changes nothing);
the action is applied to the queue in memory, which refuses it whole if it does not fit; the
action is stored (``TentDayStore.append``: on disk before it returns); only then is it
answered, and the board told. If the store fails, the queue in memory is rebuilt from the
store, so it never holds an action the file does not.

Devices: each joins with its role's PIN (or a one-time link) and gets a token kept as a
digest. The PINs are shown once, when made, and kept only as Argon2id digests. A desk
checks runners in; a table calls, finishes, marks no-shows and puts back only its own
runner; the board only reads; the lead does all of it and sets the priorities, the time cap
and the number of tables.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import secrets
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from rubdown.domain.tent.day import (
    EXPORT_COLUMNS,
    ActionRecord,
    DaySummary,
    Device,
    Entry,
    NewAction,
    TentDayStore,
    action_of,
    export_rows,
    kind_of,
    payload_of,
    replay_records,
    summarise,
)
from rubdown.domain.tent.queue import (
    Action,
    Call,
    CheckIn,
    Done,
    NoShow,
    Outcome,
    Requeue,
    TentQueue,
    Visit,
    VisitState,
    normalise_label,
    settings_of,
)
from rubdown.domain.tent.triage import SIGNS, triage
from rubdown.errors import (
    FileFormatError,
    InvalidValue,
    LoginRefused,
    NotFound,
    RoleRefused,
    StoreError,
    TooManyAttempts,
)
from rubdown.services.tent_pins import PinKdf

ROLES = ("desk", "table", "board", "lead")
PIN_DIGITS = 6
MAX_PIN_FAILURES = 10  # per address, then a pause: 10 of a million PINs is no real guess
PIN_PAUSE_S = 300
# The day file's meta rows for the PINs: only digests (``services.tent_pins``), never a PIN.
PIN_SALT = "pin_salt"
PIN_COST = "pin_cost"
PIN_DIGEST = "pin_digest:"
KEY_PATTERN = re.compile(r"[A-Za-z0-9_-]{8,100}")
ROLE_ACTIONS = {
    "desk": frozenset({"checkin", "no_show", "requeue"}),
    "table": frozenset({"call", "done", "no_show", "requeue"}),
    "board": frozenset(),
    "lead": frozenset({"checkin", "call", "done", "no_show", "requeue", "configure"}),
}
Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def digest(secret: str) -> bytes:
    """Tokens, PINs' sessions and link codes are random and long: SHA-256 is enough, and
    only the digest is stored."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).digest()


@dataclass(frozen=True)
class Acted:
    """An action's answer: ``replayed`` when the key had been seen and nothing changed."""

    seq: int | None
    result: Mapping[str, Any]
    replayed: bool = False


class TentDay:
    def __init__(
        self,
        store: TentDayStore,
        clock: Clock = utc_now,
        new_id: Callable[[], str] = lambda: secrets.token_urlsafe(12),
    ) -> None:
        self._store = store
        self._clock = clock
        self._new_id = new_id
        self._lock = threading.Lock()  # the queue in memory and the batch waiting for disk
        self._commit_lock = threading.Lock()  # one group commit at a time
        self._listeners: list[Callable[[], None]] = []
        self._failures: dict[str, tuple[int, dt.datetime]] = {}
        self._devices: dict[bytes, Device] = {}
        self._migrated = self._migrate_plain_pins()
        self._reload()

    def _reload(self) -> None:
        records = self._store.actions()
        self._queue = replay_records(records)
        self._answered: dict[str, ActionRecord] = {r.key: r for r in records}
        self._seq = records[-1].seq if records else 0
        self._batch: list[tuple[int, NewAction]] = []  # applied in memory, not yet on disk
        self._pending: dict[str, int] = {}  # key -> ticket, for the batch
        self._next_ticket = getattr(self, "_next_ticket", 0)
        self._durable_ticket = self._next_ticket  # every ticket up to here is on disk
        self._failed: set[int] = getattr(self, "_failed", set())

    @property
    def seq(self) -> int:
        """How many actions the day holds: the board's version."""
        return self._seq

    # -- set-up ---------------------------------------------------------------------------

    def first_pins(self) -> dict[str, str]:
        """The PINs to show now, once: made when the day file has none yet, or the plain
        PINs an older day file kept, shown one last time now that only their digests are
        kept. Empty when the file's PINs were shown before (``new_pins`` replaces them)."""
        if self._migrated:
            shown, self._migrated = self._migrated, {}
            return shown
        if all(self._store.setting(f"{PIN_DIGEST}{role}") for role in ROLES):
            return {}
        return self.new_pins()

    def new_pins(self) -> dict[str, str]:
        """A new PIN for each role, returned to be shown and kept only as digests; the old
        PINs stop working, devices that joined with them stay joined."""
        kdf = self._pin_kdf() or PinKdf.new()
        pins: dict[str, str] = {}
        digests: dict[str, str] = {}
        for role in ROLES:
            while True:
                pin = "".join(secrets.choice("0123456789") for _ in range(PIN_DIGITS))
                digested = kdf.digest(pin)
                if digested not in digests.values():
                    break
            pins[role], digests[role] = pin, digested
        self._keep_pins(kdf, digests)
        return pins

    def _migrate_plain_pins(self) -> dict[str, str]:
        """Day files before the digests kept each role's PIN in plain text: they keep working,
        kept from now on as digests (in one transaction), and the plain ones are removed."""
        plain = {role: self._store.setting(f"pin:{role}") for role in ROLES}
        kept = {role: pin for role, pin in plain.items() if pin is not None}
        if not kept:
            return {}
        if len(kept) < len(ROLES):
            # Cut off while the first PINs were being made, so never shown: made anew.
            self._store.put_settings({f"pin:{role}": None for role in ROLES})
            return {}
        kdf = self._pin_kdf() or PinKdf.new()
        self._keep_pins(kdf, {role: kdf.digest(pin) for role, pin in kept.items()})
        return kept

    def _keep_pins(self, kdf: PinKdf, digests: Mapping[str, str]) -> None:
        values: dict[str, str | None] = {PIN_SALT: kdf.salt.hex(), PIN_COST: kdf.cost}
        values.update({f"{PIN_DIGEST}{role}": d for role, d in digests.items()})
        values.update({f"pin:{role}": None for role in ROLES})
        self._store.put_settings(values)

    def _pin_kdf(self) -> PinKdf | None:
        salt, cost = self._store.setting(PIN_SALT), self._store.setting(PIN_COST)
        return PinKdf.stored(salt, cost) if salt is not None and cost is not None else None

    def new_link(self, role: str) -> str:
        """A one-time join code for ``role`` (``/join/<code>``); only its digest is kept."""
        if role not in ROLES or role == "table":
            raise InvalidValue(
                f"one-time links are for {', '.join(r for r in ROLES if r != 'table')}"
            )
        code = secrets.token_urlsafe(24)
        self._store.add_link(digest(code), role, self._clock())
        return code

    def load_entries(self, path: Path) -> int:
        return self._store.put_entries(read_entries(path))

    def entry_count(self) -> int:
        return self._store.entry_count()

    # -- joining --------------------------------------------------------------------------

    def join_with_pin(self, pin: str, table: int | None, address: str) -> tuple[str, Device]:
        now = self._clock()
        failures, since = self._failures.get(address, (0, now))
        if failures >= MAX_PIN_FAILURES and (now - since).total_seconds() < PIN_PAUSE_S:
            raise TooManyAttempts("too many wrong PINs from this device: wait five minutes")
        role = self._role_of_pin(pin)
        if role is None:
            self._failures[address] = (failures + 1, now if failures == 0 else since)
            raise LoginRefused("that PIN is not one of this tent's")
        self._failures.pop(address, None)
        if role == "table":
            if table is None or not 1 <= table <= self._queue.tables:
                raise InvalidValue(f"a table joins with its number, 1 to {self._queue.tables}")
        else:
            table = None
        return self._add_device(role, table, now)

    def _role_of_pin(self, pin: str) -> str | None:
        kdf = self._pin_kdf()
        if kdf is None or not (len(pin) == PIN_DIGITS and pin.isascii() and pin.isdigit()):
            return None  # not a PIN at all: no need to pay the KDF to refuse it
        given = kdf.digest(pin)
        for role in ROLES:
            kept = self._store.setting(f"{PIN_DIGEST}{role}")
            if kept is not None and secrets.compare_digest(kept, given):
                return role
        return None

    def join_with_link(self, code: str) -> tuple[str, Device]:
        now = self._clock()
        role = self._store.use_link(digest(code), now)
        if role is None:
            raise LoginRefused("that join link is not this tent's, or it was used already")
        return self._add_device(role, None, now)

    def _add_device(self, role: str, table: int | None, now: dt.datetime) -> tuple[str, Device]:
        token = secrets.token_urlsafe(32)
        device = Device(secrets.token_urlsafe(9), role, table, secrets.token_urlsafe(24))
        self._store.add_device(digest(token), device, now)
        return token, device

    def device(self, token: str | None) -> Device | None:
        if not token:
            return None
        key = digest(token)
        device = self._devices.get(key)
        if device is None:
            device = self._store.device(key)
            if device is not None:
                self._devices[key] = device  # devices are never changed or removed
        return device

    # -- acting ---------------------------------------------------------------------------

    def act(self, device: Device, kind: str, body: Mapping[str, Any], key: str) -> Acted:
        """Take one action; returns once it is on disk. Safe to call from many threads.

        Group commit: the action is applied to the queue in memory and joins a batch; one
        caller at a time writes the whole batch in one transaction (one fsync), and every
        caller waits until its own action is on disk before it answers. While a batch is
        being written the next one gathers, so a slow disk slows each answer by one fsync,
        not by one fsync per action queued ahead of it.
        """
        if not KEY_PATTERN.fullmatch(key):
            raise InvalidValue("an action needs an idempotency key: 8-100 letters, digits, - or _")
        if kind not in ROLE_ACTIONS[device.role]:
            raise RoleRefused(f"a {device.role} device does not {kind.replace('_', '-')}")
        replayed = False
        # Read from the file before taking the queue's lock: the queue's lock is never held
        # across the store, so a commit's fsync cannot hold up actions, the board or reads.
        entry = self._entry_for(kind, body)
        with self._lock:
            seen = self._answered.get(key)
            if seen is not None:
                return Acted(seen.seq, seen.result, replayed=True)
            ticket = self._pending.get(key)
            if ticket is not None:
                replayed = True  # the same action is on its way to disk: wait for it
            else:
                action = self._action(device, kind, body, entry)
                at = self._clock()
                outcome = self._queue.apply(action, at)
                result = self._result(outcome)
                if isinstance(action, Call) and outcome.visit is None:
                    return Acted(None, result)  # nobody waiting: nothing changed, nothing kept
                self._next_ticket += 1
                ticket = self._next_ticket
                self._seq += 1
                new = NewAction(key, device.id, kind_of(action), payload_of(action), at, result)
                self._batch.append((ticket, new))
                self._pending[key] = ticket
        self._commit_through(ticket)
        with self._lock:
            record = self._answered[key]
        self._notify()
        return Acted(record.seq, record.result, replayed=replayed)

    def _commit_through(self, ticket: int) -> None:
        with self._commit_lock:
            if ticket in self._failed:
                raise StoreError("the tent's day file did not take the action: try again")
            if self._durable_ticket >= ticket:
                return  # another caller's batch carried it
            with self._lock:
                batch, self._batch = self._batch, []
            try:
                records = self._store.append_many([new for _, new in batch])
            except BaseException:
                with self._lock:
                    # The queue must not hold what the file does not: back to the file, and
                    # every action of the batch and after it fails (each device retries).
                    self._failed.update(t for t, _ in batch)
                    self._failed.update(t for t, _ in self._batch)
                    self._reload()
                raise
            with self._lock:
                for (_, new), record in zip(batch, records, strict=True):
                    self._answered[new.key] = record
                    self._pending.pop(new.key, None)
                self._durable_ticket = max(t for t, _ in batch)

    def _entry_for(self, kind: str, body: Mapping[str, Any]) -> Entry | None:
        bib = body.get("bib") if kind == "checkin" else None
        return self._store.entry(bib.strip()) if isinstance(bib, str) and bib.strip() else None

    def _action(
        self, device: Device, kind: str, body: Mapping[str, Any], entry: Entry | None
    ) -> Action:
        if kind == "checkin":
            return self._check_in(body, entry)
        if kind == "call":
            table = body.get("table", device.table)
            if device.role == "table" and table != device.table:
                raise RoleRefused(f"table {device.table} calls only to itself")
            return action_of("call", {"table": table})
        action = action_of(kind, body)
        if device.role == "table" and isinstance(action, Done | NoShow | Requeue):
            visit = self._queue.visits.get(action.visit_id)
            if visit is None or visit.table != device.table:
                # Another table's runner is none of this table's business: not there.
                raise NotFound(f"no runner {action.visit_id!r} at table {device.table}")
        return action

    def _check_in(self, body: Mapping[str, Any], entry: Entry | None) -> CheckIn:
        answers = body.get("answers")
        if not isinstance(answers, dict):
            raise InvalidValue("a check-in needs the triage answers first")
        found = triage(answers)
        bib = body.get("bib", "")
        name = body.get("name", "")
        distance = body.get("distance", "")
        if not all(isinstance(v, str) for v in (bib, name, distance)):
            raise InvalidValue("bib, name and distance are text")
        if entry is not None:
            name, distance = entry.name, entry.distance
        elif not name.strip():
            raise InvalidValue(
                f"bib {bib.strip()!r} is not on the entry list: type the runner's name"
                if bib.strip()
                else "a check-in needs a bib number or, without one, a name"
            )
        return CheckIn(self._new_id(), bib, name, distance, found)

    def _result(self, outcome: Outcome) -> dict[str, Any]:
        result: dict[str, Any] = {"visit": visit_view(outcome.visit) if outcome.visit else None}
        if outcome.position is not None:
            result["position"] = outcome.position
        if outcome.wait_s is not None:
            result["wait_s"] = round(outcome.wait_s)
        if outcome.visit is not None and outcome.visit.state is VisitState.MEDICAL:
            result["medical"] = [
                {"sign": s.key, "question": s.question, "rule": s.rule_id}
                for s in SIGNS
                if s.key in outcome.visit.signs
            ]
        return result

    # -- notifying the board --------------------------------------------------------------

    def subscribe(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call ``listener`` (from the acting thread) after each stored action; returns the
        function that stops it."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def _notify(self) -> None:
        for listener in list(self._listeners):
            listener()

    # -- reading --------------------------------------------------------------------------

    def board(self) -> dict[str, Any]:
        with self._lock:
            now = self._clock()
            view = self._queue.board(now)
            seq = self._seq
        return {
            "seq": seq,
            "at": now.isoformat(),
            "waiting": view.waiting,
            "waiting_by_distance": [
                {"distance": label, "waiting": n} for label, n in view.waiting_by_distance
            ],
            "wait_s": round(view.wait_s),
            "tables": [
                {
                    "table": t.table,
                    "busy": t.visit_id is not None,
                    "bib": t.bib,
                    "called_at": t.called_at.isoformat() if t.called_at else None,
                    "due_at": t.due_at.isoformat() if t.due_at else None,
                }
                for t in view.tables
            ],
            "tables_busy": view.tables_busy,
            "tables_staffed": view.tables_staffed,
            "served": view.served,
            "medical": view.medical,
            "no_shows": view.no_shows,
            "mean_session_s": round(view.mean_session_s),
            "priorities": list(view.priorities),
            "cap_s": view.cap_s,
        }

    def table(self, device: Device, number: int | None = None) -> dict[str, Any]:
        table = device.table if device.role == "table" else number
        if table is None:
            raise InvalidValue("which table? a lead names one")
        with self._lock:
            visit = self._queue.visit_at(table)
            cap_s = self._queue.cap_s
            waiting = self._queue.waiting()
        due = (
            (visit.called_at + dt.timedelta(seconds=cap_s)).isoformat()
            if visit and visit.called_at
            else None
        )
        return {
            "table": table,
            "visit": visit_view(visit) if visit else None,
            "due_at": due,
            "cap_s": cap_s,
            "waiting": waiting,
        }

    def lookup(self, bib: str) -> dict[str, Any]:
        """The desk's look-up: the entry list's name and distance, and any open visit."""
        bib = bib.strip()
        entry = self._store.entry(bib)
        with self._lock:
            open_id = self._queue.open_by_bib.get(bib)
            visit = self._queue.visits[open_id] if open_id else None
        if entry is None and visit is None:
            raise NotFound(f"bib {bib!r} is not on the entry list: type the runner's name")
        return {
            "bib": bib,
            "name": entry.name if entry else (visit.name if visit else ""),
            "distance": entry.distance if entry else (visit.distance if visit else ""),
            "open_visit": visit_view(visit) if visit else None,
        }

    def queue_list(self, limit: int = 200) -> dict[str, Any]:
        """The lead's view: the queue in calling order (its head), recent no-shows, the
        settings and the day's summary."""
        with self._lock:
            waiting = self._queue.waiting_visits()
            no_shows = [v for v in self._queue if v.state is VisitState.NO_SHOW]
            summary = summarise(self._queue)
            settings = dict(settings_of(self._queue))
        return {
            "waiting": [visit_view(v) for v in waiting[:limit]],
            "waiting_total": len(waiting),
            "no_shows": [visit_view(v) for v in no_shows[-limit:]],
            "settings": settings,
            "summary": summary_view(summary),
        }

    def snapshot(self) -> dict[str, Any]:
        """Every visit and setting: what a restart must bring back exactly."""
        with self._lock:
            return {
                "seq": self._seq,
                "settings": dict(settings_of(self._queue)),
                "visits": [visit_view(v) for v in self._queue],
                "queue": [v.id for v in self._queue.waiting_visits()],
                "tables": {str(t): v for t, v in sorted(self._queue.at_table.items())},
            }

    def queue(self) -> TentQueue:
        """The queue itself, for the export (single-threaded callers only)."""
        return self._queue


def visit_view(visit: Visit) -> dict[str, Any]:
    return {
        "id": visit.id,
        "bib": visit.bib,
        "name": visit.name,
        "distance": visit.distance,
        "state": visit.state.value,
        "checked_in_at": visit.checked_in_at.isoformat(),
        "table": visit.table,
        "called_at": visit.called_at.isoformat() if visit.called_at else None,
        "done_at": visit.done_at.isoformat() if visit.done_at else None,
        "signs": list(visit.signs),
        "calls": visit.calls,
    }


def summary_view(summary: DaySummary) -> dict[str, Any]:
    return {k: (round(v) if isinstance(v, float) else v) for k, v in asdict(summary).items()}


# -- the entry list and the export ----------------------------------------------------------

_BIB = ("bib", "bib number", "number", "no", "startnummer", "dossard")
_NAME = ("name", "runner", "full name", "athlete")
_DISTANCE = ("distance", "race", "event", "course")
_FIRST = ("first name", "first", "given name")
_LAST = ("last name", "last", "surname", "family name")


def read_entries(path: Path) -> list[Entry]:
    """Bibs, names and distances from an entries or results CSV: the header names the
    columns (``bib``, ``name`` or first and last name, ``distance`` or ``race``); any other
    columns (finish times) are ignored."""
    try:
        text = path.read_text("utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise FileFormatError(f"{path}: cannot read the entries ({error})") from None
    reader = csv.reader(io.StringIO(text))
    header = [normalise_label(h).replace("_", " ") for h in next(reader, [])]

    def column(names: Iterable[str]) -> int | None:
        return next((i for i, h in enumerate(header) if h in names), None)

    bib, name, distance = column(_BIB), column(_NAME), column(_DISTANCE)
    first, last = column(_FIRST), column(_LAST)
    if bib is None or (name is None and first is None and last is None):
        raise FileFormatError(
            f"{path}: the header needs a bib column and a name column (or first and last name)"
        )
    entries: dict[str, Entry] = {}
    for number, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue

        def cell(index: int | None, row: list[str] = row) -> str:
            return row[index].strip() if index is not None and index < len(row) else ""

        if not cell(bib):
            raise FileFormatError(f"{path}, line {number}: no bib")
        full = cell(name) or " ".join(p for p in (cell(first), cell(last)) if p)
        entries[cell(bib)] = Entry(cell(bib), full, normalise_label(cell(distance)))
    return list(entries.values())


def export_csv(day: TentDay) -> tuple[str, DaySummary]:
    """The day as CSV text, one row per visit, and its summary."""
    queue = day.queue()
    text = io.StringIO(newline="")
    writer = csv.writer(text)
    writer.writerow(EXPORT_COLUMNS)
    writer.writerows(export_rows(queue))
    return text.getvalue(), summarise(queue)
