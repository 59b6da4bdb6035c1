"""The tent's day as stored: the action log, its codec, the store's port, and the summary.

The store keeps every action that changed the queue, in order, each with the idempotency key
the device sent, the time it was applied and what it answered. The queue is those actions
replayed (``queue.replay``); an action's payload holds everything the replay needs (the new
visit's id included), so replaying gives the same queue and the same answers.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from rubdown.domain.tent.queue import (
    Action,
    Call,
    CheckIn,
    Configure,
    Done,
    NoShow,
    Requeue,
    TentQueue,
    Visit,
    VisitState,
)
from rubdown.domain.tent.triage import SIGN_BY_KEY, Triage
from rubdown.errors import InvalidValue

KINDS = ("checkin", "call", "done", "no_show", "requeue", "configure")


@dataclass(frozen=True)
class Entry:
    """A runner on the race's entry list: the desk finds the name and distance by bib."""

    bib: str
    name: str
    distance: str


@dataclass(frozen=True)
class ActionRecord:
    """One stored action. ``seq`` counts from 1 in the order applied; ``result`` is what the
    device was answered, given again to a retry with the same ``key``."""

    seq: int
    key: str
    device: str
    kind: str
    payload: Mapping[str, Any]
    at: dt.datetime
    result: Mapping[str, Any]


@dataclass(frozen=True)
class NewAction:
    """An action on its way to the store: an ``ActionRecord`` before it has its ``seq``."""

    key: str
    device: str
    kind: str
    payload: Mapping[str, Any]
    at: dt.datetime
    result: Mapping[str, Any]


@dataclass(frozen=True)
class Device:
    """A device that joined the tent: its role and, for a table, the table's number."""

    id: str
    role: str  # "desk", "table", "board" or "lead"
    table: int | None
    csrf: str


class TentDayStore(Protocol):
    """The tent's own durable store (one SQLite file per day, ``tentday.store``).

    ``append_many`` stores its actions in order in one transaction and returns only once they
    are on disk, or stores none; a key it already holds gets the stored record back instead
    of a second one.
    """

    def actions(self) -> list[ActionRecord]: ...

    def append_many(self, actions: Sequence[NewAction]) -> list[ActionRecord]: ...

    def entry(self, bib: str) -> Entry | None: ...

    def put_entries(self, entries: Iterable[Entry]) -> int: ...

    def entry_count(self) -> int: ...

    def setting(self, name: str) -> str | None: ...

    def put_setting(self, name: str, value: str) -> None: ...

    def put_settings(self, values: Mapping[str, str | None]) -> None:
        """Set several settings, ``None`` removing one, in one transaction."""

    def add_device(self, token_digest: bytes, device: Device, at: dt.datetime) -> None: ...

    def device(self, token_digest: bytes) -> Device | None: ...

    def use_link(self, code_digest: bytes, at: dt.datetime) -> str | None: ...

    def add_link(self, code_digest: bytes, role: str, at: dt.datetime) -> None: ...

    def close(self) -> None: ...


# -- the codec: actions as stored JSON ----------------------------------------------------


def payload_of(action: Action) -> dict[str, Any]:
    match action:
        case CheckIn():
            return {
                "visit_id": action.visit_id,
                "bib": action.bib,
                "name": action.name,
                "distance": action.distance,
                "signs": list(action.triage.signs),
            }
        case Call():
            return {"table": action.table}
        case Done() | NoShow() | Requeue():
            return {"visit_id": action.visit_id}
        case Configure():
            return {
                key: (list(value) if isinstance(value, tuple) else value)
                for key, value in (
                    ("priorities", action.priorities),
                    ("cap_s", action.cap_s),
                    ("tables", action.tables),
                )
                if value is not None
            }
    raise TypeError(f"not a tent action: {action!r}")  # pragma: no cover


def kind_of(action: Action) -> str:
    return {
        CheckIn: "checkin",
        Call: "call",
        Done: "done",
        NoShow: "no_show",
        Requeue: "requeue",
        Configure: "configure",
    }[type(action)]


def action_of(kind: str, payload: Mapping[str, Any]) -> Action:
    """The action a stored (or sent) payload describes; a malformed one is ``InvalidValue``."""
    try:
        match kind:
            case "checkin":
                signs = tuple(str(s) for s in payload.get("signs", ()))
                unknown = [s for s in signs if s not in SIGN_BY_KEY]
                if unknown:
                    raise InvalidValue(f"unknown triage sign {unknown[0]!r}")
                return CheckIn(
                    visit_id=_text(payload, "visit_id"),
                    bib=_text(payload, "bib"),
                    name=_text(payload, "name"),
                    distance=_text(payload, "distance"),
                    triage=Triage(signs),
                )
            case "call":
                return Call(_integer(payload, "table"))
            case "done":
                return Done(_text(payload, "visit_id"))
            case "no_show":
                return NoShow(_text(payload, "visit_id"))
            case "requeue":
                return Requeue(_text(payload, "visit_id"))
            case "configure":
                priorities = payload.get("priorities")
                if priorities is not None and (
                    not isinstance(priorities, list)
                    or not all(isinstance(p, str) for p in priorities)
                ):
                    raise InvalidValue("priorities are a list of distance labels")
                return Configure(
                    priorities=tuple(priorities) if priorities is not None else None,
                    cap_s=_integer(payload, "cap_s") if "cap_s" in payload else None,
                    tables=_integer(payload, "tables") if "tables" in payload else None,
                )
    except (KeyError, TypeError) as error:
        raise InvalidValue(f"a {kind} action is missing {error}") from None
    raise InvalidValue(f"unknown tent action {kind!r} (known: {', '.join(KINDS)})")


def _text(payload: Mapping[str, Any], name: str) -> str:
    value = payload.get(name, "")
    if not isinstance(value, str):
        raise InvalidValue(f"{name!r} must be text")
    return value


def _integer(payload: Mapping[str, Any], name: str) -> int:
    value = payload[name]
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidValue(f"{name!r} must be a whole number")
    return value


def replay_records(records: Sequence[ActionRecord]) -> TentQueue:
    queue = TentQueue()
    for record in records:
        queue.apply(action_of(record.kind, record.payload), record.at)
    return queue


# -- the summary ------------------------------------------------------------------------


def percentile(values: Sequence[float], share: float) -> float | None:
    """The nearest-rank percentile (``share`` 0.5 for the median); ``None`` for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True)
class DaySummary:
    checked_in: int
    served: int
    medical: int
    no_shows: int
    still_waiting: int
    at_tables: int
    wait_p50_s: float | None
    wait_p90_s: float | None
    wait_p99_s: float | None
    mean_session_s: float | None


def summarise(visits: Iterable[Visit]) -> DaySummary:
    """Served runners' waits (check-in to the call that started their session), and counts."""
    counts = dict.fromkeys(VisitState, 0)
    waits: list[float] = []
    sessions: list[float] = []
    total = 0
    for visit in visits:
        total += 1
        counts[visit.state] += 1
        if visit.state is VisitState.DONE:
            if visit.wait_s is not None:
                waits.append(visit.wait_s)
            if visit.session_s is not None:
                sessions.append(visit.session_s)
    return DaySummary(
        checked_in=total,
        served=counts[VisitState.DONE],
        medical=counts[VisitState.MEDICAL],
        no_shows=counts[VisitState.NO_SHOW],
        still_waiting=counts[VisitState.WAITING],
        at_tables=counts[VisitState.AT_TABLE],
        wait_p50_s=percentile(waits, 0.5),
        wait_p90_s=percentile(waits, 0.9),
        wait_p99_s=percentile(waits, 0.99),
        mean_session_s=sum(sessions) / len(sessions) if sessions else None,
    )


EXPORT_COLUMNS = (
    "visit_id",
    "bib",
    "name",
    "distance",
    "checked_in_at",
    "outcome",
    "triage_signs",
    "triage_rules",
    "table",
    "called_at",
    "done_at",
    "wait_s",
    "session_s",
    "calls",
)


def export_rows(visits: Iterable[Visit]) -> Iterable[tuple[str, ...]]:
    """One row per visit, in check-in order, times in UTC ISO 8601 and seconds whole."""
    for visit in sorted(visits, key=lambda v: v.order):
        triage = Triage(visit.signs)
        yield (
            visit.id,
            visit.bib,
            visit.name,
            visit.distance,
            _iso(visit.checked_in_at),
            visit.state.value,
            " ".join(visit.signs),
            " ".join(triage.rule_ids),
            str(visit.table or ""),
            _iso(visit.called_at),
            _iso(visit.done_at) if visit.state is VisitState.DONE else "",
            _whole(visit.wait_s),
            _whole(visit.session_s),
            str(visit.calls),
        )


def _iso(at: dt.datetime | None) -> str:
    return at.astimezone(dt.UTC).isoformat(timespec="seconds") if at else ""


def _whole(seconds: float | None) -> str:
    return "" if seconds is None else str(round(seconds))
