"""What every use case works with: the store, the knowledge base, the optimiser, a clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from rubdown.domain.knowledge import KnowledgeBase
from rubdown.domain.model import Profile, Season
from rubdown.domain.placement import Solver
from rubdown.store import Store


@dataclass
class App:
    store: Store
    kb: KnowledgeBase
    solver: Solver
    owner_id: str
    clock: Callable[[], dt.datetime]
    default_timezone: str = "UTC"

    def __post_init__(self) -> None:
        self.store.ensure_runner(self.owner_id)

    def profile(self) -> Profile:
        stored = self.store.get_profile(self.owner_id)
        return stored if stored is not None else Profile(timezone=self.default_timezone)

    def today(self) -> dt.date:
        """The runner's local date now: a runner's day ends at their midnight, not UTC's."""
        return self.clock().astimezone(ZoneInfo(self.profile().timezone)).date()

    def season(self) -> Season:
        owner = self.owner_id
        return Season(
            races=tuple(self.store.list_races(owner)),
            workouts=tuple(self.store.list_workouts(owner)),
            sessions=tuple(self.store.list_sessions(owner)),
            checkins=tuple(self.store.list_checkins(owner)),
        )

    def close(self) -> None:
        self.store.close()
