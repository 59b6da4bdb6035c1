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
        raise UnknownName(f"body region {part.value} has no sides: use {part.value!r} alone")
    return Region(part, side)


def parse_regions(text: str) -> tuple[Region, ...]:
    """A comma-separated list, e.g. ``"calf,left-heel"``; empty items are ignored."""
    return tuple(parse_region(item) for item in text.split(",") if item.strip())


def regions_overlap(a: tuple[Region, ...], b: tuple[Region, ...]) -> bool:
    return any(x.overlaps(y) for x in a for y in b)


# Parts that share tissue, load or a tendon with each other: pressure or loading on one works
# the others too. A red flag (X1) keeps massage and loading exercises off the whole group.
# Our own map, from the anatomy the sources lean on: the plantar fascia anchors into the heel,
# the heel takes the Achilles, the Achilles is the calf's tendon (003); the knee sits where the
# quad, the IT band and the hamstring cross (003, C3, C4); the glute, hip flexor and adductor
# meet at the hip; the low back carries the glutes' fascia (C5).
NEIGHBOURS: dict[BodyPart, frozenset[BodyPart]] = {
    BodyPart.PLANTAR_FASCIA: frozenset({BodyPart.HEEL, BodyPart.ACHILLES, BodyPart.CALF}),
    BodyPart.HEEL: frozenset({BodyPart.PLANTAR_FASCIA, BodyPart.ACHILLES, BodyPart.CALF}),
    BodyPart.ACHILLES: frozenset({BodyPart.HEEL, BodyPart.PLANTAR_FASCIA, BodyPart.CALF}),
    BodyPart.CALF: frozenset(
        {BodyPart.ACHILLES, BodyPart.HEEL, BodyPart.PLANTAR_FASCIA, BodyPart.SHIN}
    ),
    BodyPart.SHIN: frozenset({BodyPart.CALF, BodyPart.KNEE}),
    BodyPart.KNEE: frozenset({BodyPart.QUAD, BodyPart.IT_BAND, BodyPart.HAMSTRING, BodyPart.SHIN}),
    BodyPart.QUAD: frozenset({BodyPart.KNEE, BodyPart.IT_BAND, BodyPart.HIP_FLEXOR}),
    BodyPart.IT_BAND: frozenset({BodyPart.KNEE, BodyPart.QUAD, BodyPart.GLUTE}),
    BodyPart.HAMSTRING: frozenset({BodyPart.KNEE, BodyPart.GLUTE, BodyPart.ADDUCTOR}),
    BodyPart.ADDUCTOR: frozenset({BodyPart.HAMSTRING, BodyPart.HIP_FLEXOR}),
    BodyPart.HIP_FLEXOR: frozenset({BodyPart.QUAD, BodyPart.ADDUCTOR}),
    BodyPart.GLUTE: frozenset({BodyPart.HAMSTRING, BodyPart.IT_BAND, BodyPart.LOW_BACK}),
    BodyPart.LOW_BACK: frozenset({BodyPart.GLUTE, BodyPart.UPPER_BACK}),
    BodyPart.UPPER_BACK: frozenset({BodyPart.LOW_BACK}),
}

# The parts that make up a leg: a clot sign (R5) anywhere in one keeps massage off all of it.
LEG_PARTS = frozenset(part for part in BodyPart if part.paired)


def neighbourhood(region: Region) -> tuple[Region, ...]:
    """The region and its neighbours on the same side, sorted by name.

    A side-less paired region (``calf``) stands for both sides, so its neighbours do too; a
    single region next to a paired one (the low back next to the glutes) reaches both sides.
    """
    parts = {region.part, *NEIGHBOURS[region.part]}
    found = {Region(part, region.side if part.paired else None) for part in parts}
    return tuple(sorted(found, key=str))


def leg_of(region: Region) -> tuple[Region, ...]:
    """Every region of the leg ``region`` is in (both legs when it has no side); a region
    that is not part of a leg stands alone."""
    if region.part not in LEG_PARTS:
        return (region,)
    return tuple(sorted((Region(part, region.side) for part in LEG_PARTS), key=str))
