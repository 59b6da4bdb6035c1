"""A therapist's menu of services: what kind of massage, how long, at what price, and how long
the room needs afterwards (turnover) before the next client.

Only professional kinds are on a menu: self-massage is what a runner does alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from rubdown.domain.model import SessionKind
from rubdown.errors import InvalidValue

MIN_LENGTH_MIN, MAX_LENGTH_MIN = 10, 240
MAX_BUFFER_MIN = 120
MAX_PRICE = 10_000.0


@dataclass(frozen=True)
class Service:
    """One line of the menu; ``buffer_min`` is kept free after a session of it."""

    kind: SessionKind
    length_min: int
    price: float
    buffer_min: int = 0
    name: str = ""
    id: str = ""

    def __post_init__(self) -> None:
        if not self.kind.is_professional:
            raise InvalidValue(
                f"{self.kind.label} is self-massage: a menu lists a therapist's work"
            )
        if not MIN_LENGTH_MIN <= self.length_min <= MAX_LENGTH_MIN:
            raise InvalidValue(
                f"a service lasts {MIN_LENGTH_MIN} to {MAX_LENGTH_MIN} minutes, "
                f"not {self.length_min}"
            )
        if not 0 <= self.buffer_min <= MAX_BUFFER_MIN:
            raise InvalidValue(f"a buffer is 0 to {MAX_BUFFER_MIN} minutes, not {self.buffer_min}")
        if not (math.isfinite(self.price) and 0 <= self.price <= MAX_PRICE):
            raise InvalidValue(f"a price is 0 to {MAX_PRICE:.0f}, not {self.price}")

    @property
    def label(self) -> str:
        """``"Race prep (deep tissue, 60 min)"`` or ``"deep tissue, 60 min"`` without a name."""
        plain = f"{self.kind.label}, {self.length_min} min"
        return f"{self.name} ({plain})" if self.name else plain
