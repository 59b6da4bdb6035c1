"""The tent's queue on the day, as a state built by applying actions in order.

Every change is an ``Action`` (a check-in, a table calling the next runner, a session done, a
no-show, a runner back in the queue, the lead's settings) applied at a time the caller gives.
The same actions applied in the same order give the same queue, which is how the tent's
store brings it back after a crash: it keeps the actions, not the queue.

Who is called next: the lead's priorities rank the distances (``("marathon", "half")``: a
marathoner before a half-marathoner before anyone else); within a rank, first come first
served by check-in time. A runner put back in the queue keeps their original place.

An action that does not fit the queue as it is (calling to a busy table, finishing a runner
who is not at a table) raises ``TentRefused`` and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import heapq
import math
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from rubdown.domain.tent.triage import Triage
from rubdown.errors import InvalidValue, NotFound, TentRefused

DEFAULT_CAP_S = 10 * 60  # published tents give 5-15 minutes; 10 is the usual middle
DEFAULT_TABLES = 20
MAX_TABLES = 500
RECENT_SESSIONS = 30  # the estimated wait averages this many of the latest sessions
ACTIVE_WINDOW_S = 15 * 60  # a table that finished a session this recently counts as staffed
MAX_TEXT = 200  # names, bibs and distance labels longer than this are refused


class VisitState(StrEnum):
    WAITING = "waiting"
    AT_TABLE = "at_table"
    DONE = "done"
    NO_SHOW = "no_show"
    MEDICAL = "medical"


@dataclass(slots=True)
class Visit:
    """One finisher's visit to the tent, from check-in to done (or medical, or no-show)."""

    id: str
    bib: str  # "" when the runner had no bib the entries knew and gave only a name
    name: str
    distance: str  # a distance label as the entries spell it, lower case ("marathon")
    checked_in_at: dt.datetime
    order: int  # check-in number: the tie-break within a rank, kept when put back
    state: VisitState
    signs: tuple[str, ...] = ()  # triage signs answered yes (state MEDICAL)
    table: int | None = None
    called_at: dt.datetime | None = None
    done_at: dt.datetime | None = None
    calls: int = 0

    @property
    def wait_s(self) -> float | None:
        """From check-in to the call that started the session (or the last call)."""
        if self.called_at is None:
            return None
        return (self.called_at - self.checked_in_at).total_seconds()

    @property
    def session_s(self) -> float | None:
        if self.called_at is None or self.done_at is None or self.state is not VisitState.DONE:
            return None
        return (self.done_at - self.called_at).total_seconds()


# -- actions ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckIn:
    visit_id: str
    bib: str
    name: str
    distance: str
    triage: Triage


@dataclass(frozen=True)
class Call:
    """Table ``table`` is free: the next runner by priority goes to it."""

    table: int


@dataclass(frozen=True)
class Done:
    visit_id: str


@dataclass(frozen=True)
class NoShow:
    """The runner did not come when called, or has left the queue."""

    visit_id: str


@dataclass(frozen=True)
class Requeue:
    """Back in the queue, at the place the first check-in gave."""

    visit_id: str


@dataclass(frozen=True)
class Configure:
    """The lead's settings; ``None`` leaves one as it is."""

    priorities: tuple[str, ...] | None = None
    cap_s: int | None = None
    tables: int | None = None


Action = CheckIn | Call | Done | NoShow | Requeue | Configure


@dataclass(frozen=True)
class Outcome:
    """What an action did: the visit it touched (if any), and for a check-in the runner's
    place in the queue and the estimated wait."""

    visit: Visit | None
    position: int | None = None  # 1 = next to be called
    wait_s: float | None = None


@dataclass(frozen=True)
class TableStatus:
    table: int
    visit_id: str | None
    bib: str
    called_at: dt.datetime | None
    due_at: dt.datetime | None  # called_at plus the time cap


@dataclass(frozen=True)
class BoardView:
    """What the board shows: no names, only bibs (the board faces the whole tent)."""

    waiting: int
    waiting_by_distance: tuple[tuple[str, int], ...]
    wait_s: float  # estimated wait for someone of the lowest priority checking in now
    tables: tuple[TableStatus, ...]
    tables_busy: int
    tables_staffed: int
    served: int
    medical: int
    no_shows: int
    mean_session_s: float
    priorities: tuple[str, ...]
    cap_s: int


def normalise_label(text: str) -> str:
    """Distance labels compare without case or surrounding space: "Marathon " is "marathon"."""
    return " ".join(text.split()).lower()


@dataclass
class TentQueue:
    """The whole day's state. Apply actions with ``apply``; read with the views."""

    priorities: tuple[str, ...] = ()
    cap_s: int = DEFAULT_CAP_S
    tables: int = DEFAULT_TABLES
    visits: dict[str, Visit] = field(default_factory=dict)
    at_table: dict[int, str] = field(default_factory=dict)
    open_by_bib: dict[str, str] = field(default_factory=dict)  # bib -> waiting/at-table visit
    _heaps: dict[int, list[tuple[int, str]]] = field(default_factory=dict)
    _waiting_by_rank: dict[int, int] = field(default_factory=dict)
    _recent: deque[float] = field(default_factory=lambda: deque(maxlen=RECENT_SESSIONS))
    _last_done: dict[int, dt.datetime] = field(default_factory=dict)
    _counts: dict[VisitState, int] = field(default_factory=dict)

    # -- applying -------------------------------------------------------------------------

    def apply(self, action: Action, at: dt.datetime) -> Outcome:
        if at.tzinfo is None:
            raise ValueError("the tent's actions carry aware datetimes")
        match action:
            case CheckIn():
                return self._check_in(action, at)
            case Call():
                return self._call(action.table, at)
            case Done():
                return self._done(action.visit_id, at)
            case NoShow():
                return self._no_show(action.visit_id)
            case Requeue():
                return self._requeue(action.visit_id)
            case Configure():
                return self._configure(action)
        raise TypeError(f"not a tent action: {action!r}")  # pragma: no cover

    def _check_in(self, action: CheckIn, at: dt.datetime) -> Outcome:
        if action.visit_id in self.visits:
            raise TentRefused(f"visit {action.visit_id} is already checked in")
        bib = action.bib.strip()
        name = " ".join(action.name.split())
        if not bib and not name:
            raise InvalidValue("a check-in needs a bib number or, without one, a name")
        for label, text in (("bib", bib), ("name", name), ("distance", action.distance)):
            if len(text) > MAX_TEXT:
                raise InvalidValue(f"the {label} is longer than {MAX_TEXT} characters")
        if bib and bib in self.open_by_bib:
            open_visit = self.visits[self.open_by_bib[bib]]
            where = (
                f"at table {open_visit.table}"
                if open_visit.state is VisitState.AT_TABLE
                else f"waiting, number {self.position(open_visit.id)} in the queue"
            )
            raise TentRefused(f"bib {bib} is already checked in ({where})")
        medical = action.triage.to_medical
        visit = Visit(
            id=action.visit_id,
            bib=bib,
            name=name,
            distance=normalise_label(action.distance),
            checked_in_at=at,
            order=len(self.visits),
            state=VisitState.MEDICAL if medical else VisitState.WAITING,
            signs=action.triage.signs,
        )
        self.visits[visit.id] = visit
        self._count(visit.state, +1)
        if medical:
            return Outcome(visit)
        if bib:
            self.open_by_bib[bib] = visit.id
        self._enqueue(visit)
        position = self.position(visit.id)
        return Outcome(visit, position, self.estimated_wait_s(position - 1, at))

    def _call(self, table: int, at: dt.datetime) -> Outcome:
        self._check_table(table)
        if table in self.at_table:
            busy = self.visits[self.at_table[table]]
            raise TentRefused(f"table {table} is busy with bib {busy.bib or busy.name}")
        visit = self._pop_next()
        if visit is None:
            return Outcome(None)
        self._move(visit, VisitState.AT_TABLE)
        visit.table = table
        visit.called_at = at
        visit.calls += 1
        self.at_table[table] = visit.id
        return Outcome(visit)

    def _done(self, visit_id: str, at: dt.datetime) -> Outcome:
        visit = self._visit(visit_id)
        if visit.state is not VisitState.AT_TABLE or visit.table is None:
            raise TentRefused(f"{_who(visit)} is not at a table ({_state_text(visit)})")
        del self.at_table[visit.table]
        self._move(visit, VisitState.DONE)
        visit.done_at = at
        assert visit.called_at is not None
        self._recent.append(max(0.0, (at - visit.called_at).total_seconds()))
        self._last_done[visit.table] = at
        return Outcome(visit)

    def _no_show(self, visit_id: str) -> Outcome:
        visit = self._visit(visit_id)
        if visit.state not in (VisitState.WAITING, VisitState.AT_TABLE):
            raise TentRefused(f"{_who(visit)} is neither waiting nor at a table")
        if visit.state is VisitState.AT_TABLE and visit.table is not None:
            del self.at_table[visit.table]
        self._move(visit, VisitState.NO_SHOW)
        return Outcome(visit)

    def _requeue(self, visit_id: str) -> Outcome:
        visit = self._visit(visit_id)
        if visit.state not in (VisitState.NO_SHOW, VisitState.AT_TABLE):
            raise TentRefused(f"{_who(visit)} cannot go back in the queue ({_state_text(visit)})")
        if visit.bib and self.open_by_bib.get(visit.bib, visit.id) != visit.id:
            raise TentRefused(f"bib {visit.bib} has checked in again since")
        if visit.state is VisitState.AT_TABLE and visit.table is not None:
            del self.at_table[visit.table]
        visit.table = None
        self._move(visit, VisitState.WAITING)
        self._enqueue(visit)
        return Outcome(visit, self.position(visit.id))

    def _configure(self, action: Configure) -> Outcome:
        if action.cap_s is not None and not 60 <= action.cap_s <= 3600:
            raise InvalidValue("the time cap is between 1 and 60 minutes")
        if action.tables is not None:
            if not 1 <= action.tables <= MAX_TABLES:
                raise InvalidValue(f"the tent has between 1 and {MAX_TABLES} tables")
            highest_busy = max(self.at_table, default=0)
            if action.tables < highest_busy:
                raise TentRefused(f"table {highest_busy} is busy: finish it before removing it")
        priorities = None
        if action.priorities is not None:
            priorities = tuple(dict.fromkeys(normalise_label(p) for p in action.priorities if p))
            if any(len(p) > MAX_TEXT for p in priorities):
                raise InvalidValue(f"a distance label is longer than {MAX_TEXT} characters")
        if action.cap_s is not None:
            self.cap_s = action.cap_s
        if action.tables is not None:
            self.tables = action.tables
        if priorities is not None and priorities != self.priorities:
            self.priorities = priorities
            self._rebuild_heaps()
        return Outcome(None)

    # -- the waiting line ----------------------------------------------------------------

    def rank(self, distance: str) -> int:
        try:
            return self.priorities.index(distance)
        except ValueError:
            return len(self.priorities)

    def _enqueue(self, visit: Visit) -> None:
        rank = self.rank(visit.distance)
        heapq.heappush(self._heaps.setdefault(rank, []), (visit.order, visit.id))
        self._waiting_by_rank[rank] = self._waiting_by_rank.get(rank, 0) + 1

    def _pop_next(self) -> Visit | None:
        for rank in sorted(self._heaps):
            heap = self._heaps[rank]
            while heap:
                _, visit_id = heapq.heappop(heap)
                visit = self.visits[visit_id]
                # Entries stay in the heap when a runner leaves it another way (a no-show
                # from the queue): they are dropped here, when they come up.
                if visit.state is VisitState.WAITING and self.rank(visit.distance) == rank:
                    return visit
        return None

    def _rebuild_heaps(self) -> None:
        self._heaps = {}
        self._waiting_by_rank = {}
        for visit in self.visits.values():
            if visit.state is VisitState.WAITING:
                self._enqueue(visit)

    def position(self, visit_id: str) -> int:
        """1 for the next runner to be called. Counts those ahead in better ranks, and in
        the same rank those who checked in earlier: O(waiting) only for a runner put back."""
        visit = self.visits[visit_id]
        if visit.state is not VisitState.WAITING:
            raise TentRefused(f"{_who(visit)} is not waiting")
        rank = self.rank(visit.distance)
        ahead = sum(n for r, n in self._waiting_by_rank.items() if r < rank)
        same = self._waiting_by_rank.get(rank, 0)
        if visit.order == len(self.visits) - 1:
            return ahead + same  # the newest check-in is last in its rank
        earlier = {
            other
            for order, other in self._heaps.get(rank, ())
            if order < visit.order and self.visits[other].state is VisitState.WAITING
        }
        return ahead + len(earlier) + 1

    # -- views ---------------------------------------------------------------------------

    def waiting(self) -> int:
        return self._counts.get(VisitState.WAITING, 0)

    def mean_session_s(self) -> float:
        return sum(self._recent) / len(self._recent) if self._recent else float(self.cap_s)

    def tables_staffed(self, now: dt.datetime) -> int:
        """Tables busy now or that finished a session in the last quarter hour: the tables
        the tent is really running, whatever number the lead set up."""
        recent = {
            table
            for table, at in self._last_done.items()
            if (now - at).total_seconds() <= ACTIVE_WINDOW_S
        }
        return len(recent | set(self.at_table))

    def estimated_wait_s(self, ahead: int, now: dt.datetime) -> float:
        """How long a runner with ``ahead`` runners before them will wait, in seconds.

        With a free table and nobody ahead for it, no wait. Otherwise the staffed tables
        (at least one) each take a runner every mean session (the latest sessions' mean, or
        the cap before any is done), and the runner is called in round ``ceil((ahead + 1 -
        free) / staffed)``; half a session is taken off because the busy tables are, on
        average, half way through theirs.
        """
        free = max(0, self.tables - len(self.at_table))
        if ahead < free:
            return 0.0
        staffed = max(1, self.tables_staffed(now))
        rounds = math.ceil((ahead + 1 - free) / staffed)
        return max(0.0, (rounds - 0.5) * self.mean_session_s())

    def board(self, now: dt.datetime) -> BoardView:
        by_distance: dict[str, int] = {}
        for rank, count in sorted(self._waiting_by_rank.items()):
            if count:
                if rank < len(self.priorities):
                    label = self.priorities[rank]
                else:  # the distances the lead did not rank, or all of them without priorities
                    label = "other distances" if self.priorities else "any distance"
                by_distance[label] = count
        tables = []
        for number in range(1, self.tables + 1):
            visit_id = self.at_table.get(number)
            visit = self.visits[visit_id] if visit_id else None
            called = visit.called_at if visit else None
            due = called + dt.timedelta(seconds=self.cap_s) if called else None
            tables.append(TableStatus(number, visit_id, visit.bib if visit else "", called, due))
        return BoardView(
            waiting=self.waiting(),
            waiting_by_distance=tuple(by_distance.items()),
            wait_s=self.estimated_wait_s(self.waiting(), now),
            tables=tuple(tables),
            tables_busy=len(self.at_table),
            tables_staffed=self.tables_staffed(now),
            served=self._counts.get(VisitState.DONE, 0),
            medical=self._counts.get(VisitState.MEDICAL, 0),
            no_shows=self._counts.get(VisitState.NO_SHOW, 0),
            mean_session_s=self.mean_session_s(),
            priorities=self.priorities,
            cap_s=self.cap_s,
        )

    def waiting_visits(self) -> list[Visit]:
        """The queue in calling order."""
        waiting = [v for v in self.visits.values() if v.state is VisitState.WAITING]
        return sorted(waiting, key=lambda v: (self.rank(v.distance), v.order))

    def visit_at(self, table: int) -> Visit | None:
        visit_id = self.at_table.get(table)
        return self.visits[visit_id] if visit_id else None

    def __iter__(self) -> Iterator[Visit]:
        return iter(self.visits.values())

    # -- bookkeeping ---------------------------------------------------------------------

    def _visit(self, visit_id: str) -> Visit:
        visit = self.visits.get(visit_id)
        if visit is None:
            raise NotFound(f"no visit {visit_id!r} in today's tent")
        return visit

    def _check_table(self, table: int) -> None:
        if not 1 <= table <= self.tables:
            raise InvalidValue(f"the tent has tables 1 to {self.tables}, not {table}")

    def _move(self, visit: Visit, state: VisitState) -> None:
        if visit.state is VisitState.WAITING:
            rank = self.rank(visit.distance)
            self._waiting_by_rank[rank] -= 1
        self._count(visit.state, -1)
        visit.state = state
        self._count(state, +1)
        if visit.bib:
            if state in (VisitState.WAITING, VisitState.AT_TABLE):
                self.open_by_bib[visit.bib] = visit.id
            elif self.open_by_bib.get(visit.bib) == visit.id:
                del self.open_by_bib[visit.bib]

    def _count(self, state: VisitState, delta: int) -> None:
        self._counts[state] = self._counts.get(state, 0) + delta


def _who(visit: Visit) -> str:
    return f"bib {visit.bib}" if visit.bib else visit.name or f"visit {visit.id}"


def _state_text(visit: Visit) -> str:
    return {
        VisitState.WAITING: "waiting",
        VisitState.AT_TABLE: f"at table {visit.table}",
        VisitState.DONE: "done",
        VisitState.NO_SHOW: "marked a no-show",
        VisitState.MEDICAL: "sent to medical",
    }[visit.state]


def replay(actions: Sequence[tuple[Action, dt.datetime]]) -> TentQueue:
    """The queue the actions make, applied in order (as the store replays its log)."""
    queue = TentQueue()
    for action, at in actions:
        queue.apply(action, at)
    return queue


def settings_of(queue: TentQueue) -> Mapping[str, object]:
    return {"priorities": list(queue.priorities), "cap_s": queue.cap_s, "tables": queue.tables}
