"""Red flags and warning signs from the check-ins: what stands on a day, and what it blocks.

Safety always wins over timing and frequency: every answer (a check, the plan, today's
routines, the web pages) reads the same ``standing_flags`` and keeps off what they block.

- X1: sharp pain, numbness or tingling. It stands until a later check-in clears that region
  (names it without a red-flag pain). It never lapses: after ``STALE_AFTER_DAYS`` without such a
  check-in it keeps standing and asks whether it has settled. It blocks its region and its
  neighbours on the same side (``regions.neighbourhood``) for every kind of massage and every
  move or exercise that loads them.
- R5: swelling, warmth or redness in a leg may be a clot. No massage of that leg at all, and
  "see a doctor today" comes first in every answer. It stands until a later check-in names
  the region without a clot sign.
- R3: a strain, bruise or knock stands for ``FRESH_INJURY_DAYS`` (72 hours): no massage of the
  region, light work around it only.
- R4: heel or arch pain reported for more than ``HEEL_PAIN_REFER_DAYS`` of check-ins: see a
  professional. It blocks nothing by itself.

A side-less paired region (``calf``) means both sides, so each side is tracked on its own: a
check-in of ``left-calf`` clears the left side of a ``calf`` flag, and one of ``calf`` clears
both sides of a ``left-calf`` flag.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from rubdown.domain.model import CheckIn, PainQuality, Sign
from rubdown.domain.regions import BodyPart, Region, Side, leg_of, neighbourhood

STALE_AFTER_DAYS = 14  # a red flag this old without a fresh look asks whether it has settled
FRESH_INJURY_DAYS = 3  # R3: the first 2-3 days after a strain (72 hours)
HEEL_PAIN_REFER_DAYS = 14  # R4: not better after two weeks
HEEL_SORE_LEVEL = 3  # soreness from which heel pain counts toward R4
HEEL_PARTS = frozenset({BodyPart.HEEL, BodyPart.PLANTAR_FASCIA})


class FlagKind(StrEnum):
    RED_FLAG = "red-flag"  # X1
    CLOT = "clot"  # R5
    FRESH_INJURY = "fresh-injury"  # R3
    HEEL_PAIN = "heel-pain"  # R4

    @property
    def rules(self) -> tuple[str, ...]:
        return {
            FlagKind.RED_FLAG: ("X1",),
            FlagKind.CLOT: ("R5",),
            FlagKind.FRESH_INJURY: ("R3",),
            FlagKind.HEEL_PAIN: ("R4",),
        }[self]


@dataclass(frozen=True)
class Flag:
    """One standing red flag or warning sign, with what it keeps massage off.

    ``blocks``: no massage and no loading exercise of any kind here. ``light_only``: only
    light work (a flush, light self-massage) here. ``since`` is the first check-in of the
    current run of reports, ``seen`` the latest one that reported it.
    """

    kind: FlagKind
    region: Region
    what: str  # "sharp pain", "numbness", "swelling", "a fresh strain", "heel pain"
    since: dt.date
    seen: dt.date
    blocks: tuple[Region, ...]
    light_only: tuple[Region, ...] = ()
    stale: bool = False

    @property
    def rules(self) -> tuple[str, ...]:
        return self.kind.rules

    @property
    def urgent(self) -> bool:
        return self.kind is FlagKind.CLOT

    def message(self) -> str:
        """One line for the top of any answer."""
        where = self.region.label
        if self.kind is FlagKind.CLOT:
            return (
                f"{self.what.capitalize()} in the {where} (check-in of {_day(self.seen)}) may be "
                "a blood clot: see a doctor today, and have no massage of that leg until one "
                "has looked at it. Call emergency services if you are short of breath or have "
                "chest pain."
            )
        if self.kind is FlagKind.FRESH_INJURY:
            return (
                f"{self.what.capitalize()} in the {where} on {_day(self.since)}: no massage "
                "there for 72 hours, only light work around it; protect, rest, ice, compress "
                "and elevate."
            )
        if self.kind is FlagKind.HEEL_PAIN:
            return (
                f"Heel pain in the {where} since {_day(self.since)}, more than two weeks of "
                "check-ins: see a GP or physiotherapist about it."
            )
        text = (
            f"{self.what.capitalize()} in the {where} (check-in of {_day(self.seen)}): no "
            "massage or loading of it or the parts around it; see a professional about it."
        )
        if self.stale:
            text += (
                f" It has not been checked for {(STALE_AFTER_DAYS)} days or more: has it "
                "settled? A check-in of that region clears it."
            )
        return text


def _day(day: dt.date) -> str:
    return f"{day:%a} {day.day} {day:%b}"


def _sides(region: Region) -> tuple[Region, ...]:
    """A paired region as its one or two sides; a single region as itself."""
    if region.part.paired and region.side is None:
        return (Region(region.part, Side.LEFT), Region(region.part, Side.RIGHT))
    return (region,)


def _merge(regions: Iterable[Region]) -> list[Region]:
    """Both sides of a part become the side-less region again, for shorter messages."""
    found = set(regions)
    merged: set[Region] = set()
    for region in found:
        left, right = Region(region.part, Side.LEFT), Region(region.part, Side.RIGHT)
        if region.side is not None and left in found and right in found:
            merged.add(Region(region.part))
        else:
            merged.add(region)
    return sorted(merged, key=str)


def _expand(regions: Iterable[Region]) -> tuple[Region, ...]:
    seen: dict[Region, None] = {}
    for region in regions:
        seen.update(dict.fromkeys(_with_sides(region)))
    return tuple(sorted(seen, key=str))


def _with_sides(region: Region) -> tuple[Region, ...]:
    return (region,) if region.side is not None or not region.part.paired else _sides(region)


@dataclass
class _Track:
    since: dt.date
    seen: dt.date
    what: str


def standing_flags(checkins: Sequence[CheckIn], day: dt.date) -> tuple[Flag, ...]:
    """Every red flag and warning sign that stands on ``day``, from the check-ins up to it."""
    red: dict[Region, _Track] = {}
    clot: dict[Region, _Track] = {}
    fresh: dict[Region, _Track] = {}
    heel: dict[Region, _Track] = {}
    last_look: dict[Region, dt.date] = {}
    for checkin in sorted(checkins, key=lambda c: c.day):
        if checkin.day > day:
            break
        for side, report in _reports_by_side(checkin).items():
            last_look[side] = checkin.day
            _follow(red, side, checkin.day, report.symptom)
            clot_signs = sorted(s.value for s in report.signs if s.is_clot_sign)
            _follow(clot, side, checkin.day, " and ".join(clot_signs) or None)
            injury = sorted(s.value for s in report.signs if s.is_fresh_injury)
            if injury:
                fresh[side] = _Track(checkin.day, checkin.day, f"a fresh {injury[0]}")
            if side.part in HEEL_PARTS:
                hurts = report.pained or report.soreness >= HEEL_SORE_LEVEL
                _follow(heel, side, checkin.day, "heel pain" if hurts else None)
    flags: list[Flag] = []
    for kind, tracks in (
        (FlagKind.CLOT, clot),
        (FlagKind.RED_FLAG, red),
        (FlagKind.FRESH_INJURY, fresh),
        (FlagKind.HEEL_PAIN, heel),
    ):
        flags += _flags_of(kind, tracks, day, last_look)
    return tuple(flags)


@dataclass
class _SideReport:
    """What one check-in says about one side, from every region name that covers it."""

    symptom: str | None = None
    pained: bool = False
    signs: frozenset[Sign] = frozenset()
    soreness: int = 0


def _reports_by_side(checkin: CheckIn) -> dict[Region, _SideReport]:
    # ``calf`` and ``left-calf`` in one check-in both speak of the left calf: the worst of
    # them counts, so soreness named without a side never clears a red flag named with one
    # (and the answer does not depend on the order the names come in).
    reports: dict[Region, _SideReport] = {}
    for named in sorted(checkin.regions, key=str):
        pain = checkin.pain.get(named)
        symptom = _symptom(pain)
        for side in _sides(named):
            report = reports.setdefault(side, _SideReport())
            if symptom is not None:
                known = report.symptom
                report.symptom = symptom if known is None else _worse(known, symptom)
            report.pained = report.pained or pain is not None
            report.signs |= checkin.signs.get(named, frozenset())
            report.soreness = max(report.soreness, checkin.soreness.get(named, 0))
    return reports


def _follow(tracks: dict[Region, _Track], side: Region, day: dt.date, what: str | None) -> None:
    """A report keeps (or starts) the side's track; a check-in without one clears it."""
    if what is None:
        tracks.pop(side, None)
    elif side in tracks:
        tracks[side].seen = day
        tracks[side].what = _worse(tracks[side].what, what)
    else:
        tracks[side] = _Track(day, day, what)


def _symptom(pain: PainQuality | None) -> str | None:
    if pain is None or not pain.is_red_flag:
        return None
    return "sharp pain" if pain is PainQuality.SHARP else str(pain)


_SEVERITY = ["tingling", "numbness", "sharp pain"]


def _worse(a: str, b: str) -> str:
    rank = {name: i for i, name in enumerate(_SEVERITY)}
    return max(a, b, key=lambda name: rank.get(name, -1))


def _flags_of(
    kind: FlagKind, tracks: dict[Region, _Track], day: dt.date, last_look: dict[Region, dt.date]
) -> list[Flag]:
    # Sides reported together with the same words and dates become one flag.
    groups: dict[tuple[BodyPart, dt.date, dt.date, str], list[Region]] = {}
    for side, track in tracks.items():
        if kind is FlagKind.FRESH_INJURY and (day - track.since).days >= FRESH_INJURY_DAYS:
            continue
        # R4 asks for pain that has lasted: reports spanning two weeks, not one old report.
        if kind is FlagKind.HEEL_PAIN and (track.seen - track.since).days < HEEL_PAIN_REFER_DAYS:
            continue
        groups.setdefault((side.part, track.since, track.seen, track.what), []).append(side)
    flags = []
    for (_part, since, seen, what), sides in sorted(groups.items(), key=lambda g: str(g[1][0])):
        for region in _merge(sides):
            stale = (day - last_look.get(_sides(region)[0], seen)).days >= STALE_AFTER_DAYS
            flags.append(_flag(kind, region, what, since, seen, stale))
    return flags


def _flag(
    kind: FlagKind, region: Region, what: str, since: dt.date, seen: dt.date, stale: bool
) -> Flag:
    if kind is FlagKind.CLOT:
        return Flag(kind, region, what, since, seen, _expand(leg_of(region)))
    if kind is FlagKind.RED_FLAG:
        return Flag(kind, region, what, since, seen, _expand(neighbourhood(region)), (), stale)
    if kind is FlagKind.FRESH_INJURY:
        around = tuple(r for r in _expand(neighbourhood(region)) if not r.overlaps(region))
        return Flag(kind, region, what, since, seen, _expand((region,)), around)
    return Flag(kind, region, what, since, seen, ())


def blocked(flags: Iterable[Flag]) -> tuple[Region, ...]:
    """Every region (one side each) that no massage or loading exercise may touch."""
    return _expand(region for flag in flags for region in flag.blocks)


def light_only(flags: Iterable[Flag]) -> tuple[Region, ...]:
    """Regions that only light work may touch (around a fresh injury), less the blocked."""
    flags = tuple(flags)
    hard = set(blocked(flags))
    return tuple(
        r for r in _expand(region for f in flags for region in f.light_only) if r not in hard
    )


def touches(region: Region, regions: Iterable[Region]) -> bool:
    """Whether work on ``region`` (a side-less one means both sides) reaches any of them."""
    return any(region.overlaps(other) for other in regions)


def flag_blocking(region: Region, flags: Iterable[Flag]) -> Flag | None:
    """The first standing flag that keeps all work off ``region``, if any."""
    for flag in flags:
        if touches(region, flag.blocks):
            return flag
    return None
