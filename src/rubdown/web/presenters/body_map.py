"""Soreness, pain and warning signs per body region, as the Check-in page draws them: a body
map for one day and a heat map over the last weeks.

The map has one shape per region and side (``left calf``, ``right calf``, ``low back``), but
a check-in may also name a paired region without a side (``calf`` from ``rubdown checkin
--sore calf=6`` means both calves). So a shape shows the highest soreness and the worst pain
of every entry that overlaps it, and the warning signs (R3, R5) of all of them; the heat map
has one row per shape on the same terms.

Saving from the map keeps what was stored: a body part whose shapes the runner left as they
were pre-filled is written back exactly as it was stored (``calf`` stays ``calf``); a part
that was changed is written side by side. The save goes through ``daily.update_checkin``:
the same checks as the command line and the API, and the stored day is read and written in
one transaction, so a "this hurts" from the routine player saved meanwhile is not lost.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from rubdown.domain.model import CheckIn, PainQuality, Sign
from rubdown.domain.regions import BodyPart, Region, Side, parse_region
from rubdown.errors import InvalidDate, InvalidValue, UnknownName
from rubdown.services import daily
from rubdown.services.alerts import RED_FLAG_RULE, standing_alerts
from rubdown.services.runner import Runner
from rubdown.services.views import checkin_view

CENTER = "center"  # the side of a midline region (low back, upper back) on the map
DEFAULT_WEEKS = 6
WEEKS_RANGE = (1, 26)
# intervals.icu's wellness scales, 1 is best (the check-in stores the number only).
FATIGUE_LABELS = {1: "fresh", 2: "normal", 3: "tired", 4: "exhausted"}
SLEEP_LABELS = {1: "great", 2: "good", 3: "average", 4: "poor"}
PAIN_LABELS = {
    PainQuality.DULL: "dull ache",
    PainQuality.SHARP: "sharp pain",
    PainQuality.NUMBNESS: "numbness",
    PainQuality.TINGLING: "tingling",
}
# When two entries overlap one shape (``calf`` and ``left-calf``), the worse pain is shown:
# any red flag (X1) over a dull ache.
_PAIN_RANK = {
    PainQuality.DULL: 0,
    PainQuality.TINGLING: 1,
    PainQuality.NUMBNESS: 2,
    PainQuality.SHARP: 3,
}


SIGN_LABELS = {
    Sign.SWELLING: "swelling",
    Sign.WARMTH: "warmth",
    Sign.REDNESS: "redness",
    Sign.STRAIN: "a fresh strain",
    Sign.BRUISE: "a bruise",
    Sign.KNOCK: "a knock",
}


@dataclass(frozen=True)
class Level:
    """What one region and side says on one day; nothing at all: nothing recorded."""

    soreness: int | None = None
    pain: PainQuality | None = None
    signs: frozenset[Sign] = frozenset()

    @property
    def empty(self) -> bool:
        return self.soreness is None and self.pain is None and not self.signs

    @property
    def red_flag(self) -> bool:
        return self.pain is not None and self.pain.is_red_flag

    @property
    def clot_sign(self) -> bool:
        """Swelling, warmth or redness: a possible clot in a leg (R5)."""
        return any(sign.is_clot_sign for sign in self.signs)

    @property
    def fresh_injury(self) -> bool:
        """A strain, bruise or knock (R3)."""
        return any(sign.is_fresh_injury for sign in self.signs)

    @property
    def sign_labels(self) -> list[str]:
        return [SIGN_LABELS[sign] for sign in Sign if sign in self.signs]

    @property
    def marked(self) -> bool:
        """Worth a row in the heat map: some soreness, any pain, or a warning sign."""
        return bool(self.soreness) or self.pain is not None or bool(self.signs)


def _worse(a: Level, b: Level) -> Level:
    soreness = max((s for s in (a.soreness, b.soreness) if s is not None), default=None)
    pains = [p for p in (a.pain, b.pain) if p is not None]
    pain = max(pains, key=lambda p: _PAIN_RANK[p]) if pains else None
    return Level(soreness, pain, a.signs | b.signs)


# -- the regions on the map -------------------------------------------------------------------


def side_name(region: Region) -> str:
    return str(region.side) if region.side is not None else CENTER


def map_regions() -> tuple[Region, ...]:
    """One region per shape: each paired part once per side, the midline parts once."""
    regions: list[Region] = []
    for part in BodyPart:
        if part.paired:
            regions += [Region(part, Side.LEFT), Region(part, Side.RIGHT)]
        else:
            regions.append(Region(part))
    return tuple(regions)


def map_region(part: str, side: str) -> Region:
    """A shape's ``data-region`` and ``data-side`` to its region, or an input error."""
    try:
        body_part = BodyPart(part.strip().lower())
    except ValueError:
        names = ", ".join(p.value for p in BodyPart)
        raise UnknownName(f"unknown body region {part!r}: expected one of {names}") from None
    cleaned = side.strip().lower()
    if not body_part.paired:
        if cleaned != CENTER:
            raise InvalidValue(f"{body_part} is a midline region: its side is {CENTER!r}")
        return Region(body_part)
    try:
        return Region(body_part, Side(cleaned))
    except ValueError:
        raise UnknownName(
            f"unknown side {side!r} for {body_part}: expected left or right"
        ) from None


def episode_region(part: str, side: str) -> Region:
    """An injury episode's region from a part and a side; no side (or ``both``) is both
    sides of a paired part, or the midline part itself."""
    cleaned = side.strip().lower()
    if cleaned in ("", "both", CENTER):
        return parse_region(part)
    if cleaned not in (Side.LEFT, Side.RIGHT):
        raise UnknownName(f"unknown side {side!r}: expected left, right or both")
    return parse_region(f"{cleaned}-{part.strip()}")


def level_at(checkin: CheckIn | None, region: Region) -> Level:
    """The highest soreness and worst pain of the check-in's entries that cover ``region``."""
    level = Level()
    if checkin is None:
        return level
    for entry, soreness in checkin.soreness.items():
        if entry.overlaps(region):
            level = _worse(level, Level(soreness=soreness))
    for entry, pain in checkin.pain.items():
        if entry.overlaps(region):
            level = _worse(level, Level(pain=pain))
    for entry, signs in checkin.signs.items():
        if entry.overlaps(region):
            level = _worse(level, Level(signs=signs))
    return level


@dataclass(frozen=True)
class Spot:
    """One shape of the body map and what the day's check-in says about it."""

    region: Region
    level: Level

    @property
    def part(self) -> str:
        return self.region.part.value

    @property
    def side(self) -> str:
        return side_name(self.region)

    @property
    def view(self) -> str:
        return self.region.part.view

    @property
    def label(self) -> str:
        return self.region.label


def body_map(checkin: CheckIn | None) -> dict[str, Spot]:
    """Every shape of the map, keyed ``part:side`` (``calf:left``, ``low-back:center``)."""
    spots = (Spot(region, level_at(checkin, region)) for region in map_regions())
    return {f"{spot.part}:{spot.side}": spot for spot in spots}


def body_map_view(day: dt.date, checkin: CheckIn | None) -> dict[str, Any]:
    return {
        "date": day.isoformat(),
        "checkin": checkin_view(checkin) if checkin is not None else None,
        "regions": [
            {
                "part": spot.part,
                "side": spot.side,
                "view": spot.view,
                "label": spot.label,
                **_level_view(spot.level),
            }
            for spot in body_map(checkin).values()
        ],
    }


def _level_view(level: Level) -> dict[str, Any]:
    return {
        "soreness": level.soreness,
        "pain": str(level.pain) if level.pain is not None else None,
        "red_flag": level.red_flag,
        "signs": [sign.value for sign in Sign if sign in level.signs],
        "clot_sign": level.clot_sign,
    }


# -- saving from the map ----------------------------------------------------------------------


@dataclass(frozen=True)
class MapValues:
    """What the map stores: soreness, pain and warning signs per region."""

    soreness: dict[Region, int]
    pain: dict[Region, PainQuality]
    signs: dict[Region, frozenset[Sign]]


def merge_map(
    soreness_given: Mapping[Region, int | None],
    pain_given: Mapping[Region, PainQuality | None],
    previous: CheckIn | None,
    signs_given: Mapping[Region, frozenset[Sign]] | None = None,
) -> MapValues:
    """The soreness, pain and signs to store for the map's shapes; parts left as they were
    pre-filled from ``previous`` keep its entries exactly (see the module's docstring).
    A value not given keeps what ``previous`` says of that shape; None (no sign: an empty
    set) clears it."""
    signs_given = signs_given or {}
    shapes = set(map_regions())
    given_regions = (*soreness_given, *pain_given, *signs_given)
    strays = sorted({str(r) for r in given_regions if r not in shapes})
    if strays:
        raise InvalidValue(f"not a region of the body map: {', '.join(strays)}")
    stored = MapValues({}, {}, {})
    for part in BodyPart:
        regions = [r for r in map_regions() if r.part is part]
        before = {r: level_at(previous, r) for r in regions}
        given = {
            r: Level(
                soreness_given[r] if r in soreness_given else before[r].soreness,
                pain_given[r] if r in pain_given else before[r].pain,
                signs_given[r] if r in signs_given else before[r].signs,
            )
            for r in regions
        }
        if previous is not None and given == before:
            stored.soreness.update({r: v for r, v in previous.soreness.items() if r.part is part})
            stored.pain.update({r: q for r, q in previous.pain.items() if r.part is part})
            stored.signs.update({r: s for r, s in previous.signs.items() if r.part is part})
            continue
        for region, level in given.items():
            if level.soreness is not None:
                stored.soreness[region] = level.soreness
            if level.pain is not None:
                stored.pain[region] = level.pain
            if level.signs:
                stored.signs[region] = level.signs
    return stored


def map_day(app: Runner, day: dt.date | None) -> dt.date:
    """The day the page shows: today unless given, never a day still to come."""
    today = app.today()
    if day is None:
        return today
    if day > today:
        raise InvalidDate(
            f"{day} is in the future (today is {today}): a check-in records how you feel"
        )
    return day


class Keep(Enum):
    """A field the form left out: the stored check-in's value stays."""

    KEEP = "keep"


KEEP = Keep.KEEP


def save_map(
    app: Runner,
    day: dt.date,
    soreness_given: Mapping[Region, int | None],
    pain_given: Mapping[Region, PainQuality | None],
    *,
    note: str | Keep = KEEP,
    fatigue: int | Keep | None = KEEP,
    sleep: int | Keep | None = KEEP,
    signs_given: Mapping[Region, frozenset[Sign]] | None = None,
) -> daily.CheckInResult:
    """Store the day's check-in from the map; it replaces one stored that day, and what
    the form left out (a shape, its signs, the note, fatigue, sleep) is kept from that one.
    The stored day is read inside the write transaction, so nothing saved between reading
    it and writing it (a pain flag from the routine player) is lost."""

    def from_form(previous: CheckIn | None) -> CheckIn:
        values = merge_map(soreness_given, pain_given, previous, signs_given)
        kept = previous or CheckIn(day)
        return CheckIn(
            day,
            values.soreness,
            values.pain,
            (kept.note if isinstance(note, Keep) else note).strip(),
            kept.fatigue if isinstance(fatigue, Keep) else fatigue,
            kept.sleep if isinstance(sleep, Keep) else sleep,
            {region: found for region, found in values.signs.items() if found},
        )

    result = daily.update_checkin(app, day, from_form)
    # The form holds the whole day, so it replaces the stored check-in rather than merging.
    return daily.CheckInResult(result.checkin, result.replaced)


def saved_view(app: Runner, result: daily.CheckInResult) -> dict[str, Any]:
    """What a saved check-in means: the stored view, the red flags (X1) it sets, with the
    rule's words and sources, since they stop work on those regions, and every alert that
    now stands (``services.alerts``: a possible clot first), for the page's banner."""
    checkin = result.checkin
    flags = sorted(
        ((region, quality) for region, quality in checkin.pain.items() if quality.is_red_flag),
        key=lambda item: str(item[0]),
    )
    rule = app.kb.rule(RED_FLAG_RULE)
    citation = app.kb.cite(RED_FLAG_RULE)
    return {
        **checkin_view(checkin, replaced=result.replaced),
        "is_today": checkin.day == app.today(),
        "flags": [{"region": r.label, "pain": PAIN_LABELS[q]} for r, q in flags],
        "alerts": standing_alerts(app, checkin.day),
        "rule": {
            "id": rule.id,
            "text": rule.text,
            "sources": list(citation.source_titles),
        },
    }


# -- the heat map -----------------------------------------------------------------------------


@dataclass(frozen=True)
class HeatRow:
    region: Region
    cells: tuple[Level, ...]  # one per day of the window, oldest first

    @property
    def peak(self) -> int | None:
        return max((c.soreness for c in self.cells if c.soreness is not None), default=None)


@dataclass(frozen=True)
class Heatmap:
    days: tuple[dt.date, ...]
    checked_in: frozenset[dt.date]  # the days that have a check-in
    rows: tuple[HeatRow, ...]

    @property
    def first(self) -> dt.date:
        return self.days[0]

    @property
    def last(self) -> dt.date:
        return self.days[-1]


def _row_order(region: Region) -> tuple[int, str]:
    # Head to foot (the vocabulary runs foot to back), left before right.
    return (-list(BodyPart).index(region.part), side_name(region))


def heatmap_grid(checkins: Iterable[CheckIn], last: dt.date, weeks: int = DEFAULT_WEEKS) -> Heatmap:
    """Rows of the regions with any soreness or pain in the ``weeks`` up to ``last``;
    a cell holds the day's highest soreness and worst pain for that region and side."""
    low, high = WEEKS_RANGE
    if not low <= weeks <= high:
        raise InvalidValue(f"the heat map covers {low}-{high} weeks, not {weeks}")
    first = last - dt.timedelta(days=7 * weeks - 1)
    days = tuple(first + dt.timedelta(days=i) for i in range(7 * weeks))
    by_day: dict[dt.date, list[CheckIn]] = {}
    for checkin in checkins:
        if first <= checkin.day <= last:
            by_day.setdefault(checkin.day, []).append(checkin)
    rows = []
    for region in sorted(map_regions(), key=_row_order):
        cells = []
        for day in days:
            level = Level()
            for checkin in by_day.get(day, ()):  # one a day when stored; the max if more
                level = _worse(level, level_at(checkin, region))
            cells.append(level)
        if any(cell.marked for cell in cells):
            rows.append(HeatRow(region, tuple(cells)))
    return Heatmap(days, frozenset(by_day), tuple(rows))


def heatmap(app: Runner, weeks: int = DEFAULT_WEEKS, last: dt.date | None = None) -> Heatmap:
    return heatmap_grid(app.data.list_checkins(), last or app.today(), weeks)


def heatmap_view(grid: Heatmap) -> dict[str, Any]:
    return {
        "first": grid.first.isoformat(),
        "last": grid.last.isoformat(),
        "days": [day.isoformat() for day in grid.days],
        "checked_in": [day in grid.checked_in for day in grid.days],
        "rows": [
            {
                "region": str(row.region),
                "part": row.region.part.value,
                "side": side_name(row.region),
                "label": row.region.label,
                "peak": row.peak,
                "cells": [_level_view(cell) for cell in row.cells],
            }
            for row in grid.rows
        ],
    }
