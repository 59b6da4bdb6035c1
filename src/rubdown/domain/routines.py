"""Today's self-massage: the routines for one day, each step with its move, region, tool,
time and the rules behind it. (The builder is written in this module; these are its types.)"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from rubdown.domain.knowledge import Intensity
from rubdown.domain.model import Tool
from rubdown.domain.regions import Region


class StepKind(StrEnum):
    WARM_UP = "warm-up"
    MASSAGE = "massage"
    STRETCH = "stretch"
    BREAK = "break"
    DRILL = "drill"


class RoutineWhen(StrEnum):
    PRE_RUN = "pre-run"
    POST_RUN = "post-run"
    REST_DAY = "rest-day"
    DESK = "desk"


@dataclass(frozen=True)
class Step:
    """One step of a routine. ``works`` lists every body region the step massages or loads
    (a side each where it has one): what safety checks hold it to. The warm-up and the desk
    break are general movement and name none."""

    kind: StepKind
    move: str
    region: Region | None
    tool: Tool
    seconds: int
    intensity: Intensity
    cue: str
    rules: tuple[str, ...]
    works: tuple[Region, ...] = ()


@dataclass(frozen=True)
class Routine:
    when: RoutineWhen
    steps: tuple[Step, ...]

    @property
    def total_s(self) -> int:
        return sum(step.seconds for step in self.steps)


@dataclass(frozen=True)
class DayAdvice:
    """Something the runner must read before any step: stop, go lighter, see someone."""

    message: str
    rules: tuple[str, ...]


@dataclass(frozen=True)
class DayRoutines:
    day: dt.date
    routines: tuple[Routine, ...]
    warnings: tuple[DayAdvice, ...] = ()
