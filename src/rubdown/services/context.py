"""What every use case works with: the store, the knowledge base, the optimiser, a clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from rubdown.domain.knowledge import KnowledgeBase
from rubdown.domain.model import Profile, Season, Workout, WorkoutKind
from rubdown.domain.placement import Solver
from rubdown.errors import StoreError
from rubdown.services.loads import repair_loads
from rubdown.store import Store


@dataclass
class App:
    store: Store
    kb: KnowledgeBase
    solver: Solver
    owner_id: str
    clock: Callable[[], dt.datetime]
    default_timezone: str = "UTC"
    home: Path | None = None  # where original files are kept (``home/raw``); None: nowhere
    # False when the store is shared (the web app's, one per process): closing this context
    # then leaves it open for the next request.
    owns_store: bool = True

    @property
    def raw_root(self) -> Path:
        if self.home is None:
            raise StoreError("this rubdown has no data folder to keep original files in")
        return self.home / "raw"

    def __post_init__(self) -> None:
        # Cheap after the first time: the store remembers the runners it has seen.
        self.store.ensure_runner(self.owner_id)

    def profile(self) -> Profile:
        stored = self.store.get_profile(self.owner_id)
        return stored if stored is not None else Profile(timezone=self.default_timezone)

    def today(self) -> dt.date:
        """The runner's local date now: a runner's day ends at their midnight, not UTC's."""
        return self.date_in(self.profile().timezone)

    def date_in(self, timezone: str) -> dt.date:
        """The date now in ``timezone`` (an IANA name), for a caller that has the profile's."""
        return self.clock().astimezone(ZoneInfo(timezone)).date()

    def season(self) -> Season:
        owner = self.owner_id
        return Season(
            races=tuple(self.store.list_races(owner)),
            workouts=(*self.store.list_workouts(owner), *self.activity_workouts()),
            sessions=tuple(self.store.list_sessions(owner)),
            checkins=tuple(self.store.list_checkins(owner)),
            recovery_weeks=self.store.recovery_weeks(owner),
        )

    def activity_workouts(self) -> list[Workout]:
        """What the runner did, as the rules engine sees planned workouts: easy or hard."""
        repair_loads(self)  # kinds left stale by an import killed before its refresh
        return [
            Workout(day, WorkoutKind(kind), duration_s / 60, id=activity_id, source="activity")
            for activity_id, day, kind, duration_s in self.store.activity_days(self.owner_id)
        ]

    def close(self) -> None:
        if self.owns_store:
            self.store.close()
