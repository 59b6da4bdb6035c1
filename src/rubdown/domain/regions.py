"""The body-region vocabulary: fixed names, a side where the body has two.

``left-calf`` and ``right-calf`` are one side each; ``calf`` means both. The low back and the
upper back are single regions and take no side.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from rubdown.errors import UnknownName


class BodyPart(StrEnum):
    PLANTAR_FASCIA = "plantar-fascia"
    HEEL = "heel"
    ACHILLES = "achilles"
    CALF = "calf"
    SHIN = "shin"
    KNEE = "knee"
    QUAD = "quad"
    HAMSTRING = "hamstring"
    ADDUCTOR = "adductor"
    IT_BAND = "it-band"
    HIP_FLEXOR = "hip-flexor"
    GLUTE = "glute"
    LOW_BACK = "low-back"
    UPPER_BACK = "upper-back"

    @property
    def paired(self) -> bool:
        return self not in (BodyPart.LOW_BACK, BodyPart.UPPER_BACK)

    @property
    def view(self) -> str:
        """Which side of a body map shows it: "front" or "back"."""
        return "front" if self in _FRONT else "back"


_FRONT = frozenset(
    {
        BodyPart.SHIN,
        BodyPart.KNEE,
        BodyPart.QUAD,
        BodyPart.ADDUCTOR,
        BodyPart.HIP_FLEXOR,
        BodyPart.IT_BAND,
    }
)


class Side(StrEnum):
    LEFT = "left"
    RIGHT = "right"


@dataclass(frozen=True)
class Region:
    part: BodyPart
    side: Side | None = None  # None: both sides (or a single, central region)

    def __str__(self) -> str:
        return f"{self.side}-{self.part}" if self.side else str(self.part)

    def overlaps(self, other: Region) -> bool:
        if self.part is not other.part:
            return False
        return self.side is None or other.side is None or self.side is other.side

    @property
    def label(self) -> str:
        name = self.part.value.replace("-", " ")
        return f"{self.side} {name}" if self.side else name


def parse_region(text: str) -> Region:
    """``"left-calf"`` -> Region(CALF, LEFT); an unknown name says which names exist."""
    cleaned = text.strip().lower()
    side: Side | None = None
    for candidate in Side:
        prefix = f"{candidate}-"
        if cleaned.startswith(prefix):
            side, cleaned = candidate, cleaned[len(prefix) :]
            break
    try:
        part = BodyPart(cleaned)
    except ValueError:
        names = ", ".join(p.value for p in BodyPart)
        raise UnknownName(
            f"unknown body region {text.strip()!r}: expected one of {names}"
            " (paired regions may take a left- or right- prefix)"
        ) from None
    if side is not None and not part.paired:
        raise UnknownName(f"body region {part} has no sides: use {part!r} alone")
    return Region(part, side)


def parse_regions(text: str) -> tuple[Region, ...]:
    """A comma-separated list, e.g. ``"calf,left-heel"``; empty items are ignored."""
    return tuple(parse_region(item) for item in text.split(",") if item.strip())


def regions_overlap(a: tuple[Region, ...], b: tuple[Region, ...]) -> bool:
    return any(x.overlaps(y) for x in a for y in b)
