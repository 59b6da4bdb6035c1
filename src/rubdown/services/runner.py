"""What every use case works with: one runner's data, the knowledge base, the optimiser, a clock.

A ``Runner`` is made once per command or request with its owner: its ``data`` is bound to
that runner (``domain.ports.RunnerData``), so no use case passes an owner around. It knows
the storage only through the port, so a test can hand it an in-memory one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from pathlib import Path
from zoneinfo import ZoneInfo

from rubdown.domain.booked import kept_bookings
from rubdown.domain.knowledge import KnowledgeBase
from rubdown.domain.model import Profile, Season, Workout, WorkoutKind
from rubdown.domain.placement import Solver
from rubdown.domain.ports import Clock, RunnerData, Storage
from rubdown.errors import StoreError
from rubdown.services.loads import repair_loads
from rubdown.services.read_once import ReadOnce


@dataclass
class Runner:
    store: Storage
    kb: KnowledgeBase
    solver: Solver
    owner_id: str
    clock: Clock
    default_timezone: str = "UTC"
    home: Path | None = None  # where original files are kept (``home/raw``); None: nowhere
    # False when the store is shared (the web app's, one per process): closing this runner
    # then leaves it open for the next request.
    owns_store: bool = True
    data: RunnerData = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # Cheap after the first time: the store remembers the runners it has seen.
        self.data = self.store.for_owner(self.owner_id)

    def snapshot(self) -> Runner:
        """This runner for one answer: the profile, the season, the plan, the hours and the
        rest are read once however many times the answer asks (``ReadOnce``). Not to be kept
        beyond the answer; closing it leaves the store open."""
        one = replace(self, owns_store=False)
        one.data = ReadOnce(self.data)
        return one

    @property
    def raw_root(self) -> Path:
        if self.home is None:
            raise StoreError("this rubdown has no data folder to keep original files in")
        return self.home / "raw"

    @property
    def reads_are_local(self) -> bool:
        """Whether a one-row read never waits on a network (SQLite): the web app may then
        answer from what is kept on its event loop instead of in a worker thread."""
        return self.store.is_local

    def profile(self) -> Profile:
        stored = self.data.get_profile()
        return stored if stored is not None else Profile(timezone=self.default_timezone)

    def today(self) -> dt.date:
        """The runner's local date now: a runner's day ends at their midnight, not UTC's."""
        return self.date_in(self.profile().timezone)

    def date_in(self, timezone: str) -> dt.date:
        """The date now in ``timezone`` (an IANA name), for a caller that has the profile's."""
        return self.clock().astimezone(ZoneInfo(timezone)).date()

    def season(self) -> Season:
        data = self.data
        return Season(
            races=tuple(data.list_races()),
            workouts=(*data.list_workouts(), *self.activity_workouts()),
            # A therapist's bookings are sessions the runner has or will have, kept where
            # they are like the runner's own booked ones (``domain.booked``).
            sessions=(*data.list_sessions(), *kept_bookings(data.list_bookings())),
            checkins=tuple(data.list_checkins()),
            recovery_weeks=data.recovery_weeks(),
        )

    def activity_workouts(self) -> list[Workout]:
        """What the runner did, as the rules engine sees planned workouts: easy or hard."""
        repair_loads(self)  # kinds left stale by an import killed before its refresh
        return [
            Workout(day, WorkoutKind(kind), duration_s / 60, id=activity_id, source="activity")
            for activity_id, day, kind, duration_s in self.data.activity_days()
        ]

    def close(self) -> None:
        if self.owns_store:
            self.store.close()
