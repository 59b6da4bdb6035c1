"""Check-ins for safety tests: one-line builders for a red flag or a warning sign, the flags
they raise on a day, and Hypothesis strategies for random regions and random check-ins
(soreness, pain and signs on random regions and days)."""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st

from rubdown.domain.model import CheckIn, PainQuality, Sign
from rubdown.domain.regions import BodyPart, Region, Side, parse_region
from rubdown.domain.safety import Flag, standing_flags


def pain(day: dt.date, *names: str, quality: PainQuality = PainQuality.SHARP) -> CheckIn:
    """A check-in of ``day`` reporting ``quality`` (sharp pain by default) in each region."""
    return CheckIn(day, pain={parse_region(name): quality for name in names})


def signs(day: dt.date, name: str, *found: Sign) -> CheckIn:
    """A check-in of ``day`` reporting warning signs (swelling, a strain, ...) in one region."""
    return CheckIn(day, signs={parse_region(name): frozenset(found)})


def clear(day: dt.date, *names: str) -> CheckIn:
    """A check-in that looks at the regions and finds nothing wrong: it clears their flags."""
    return CheckIn(day, soreness={parse_region(name): 0 for name in names})


def flags_on(day: dt.date, *checkins: CheckIn) -> tuple[Flag, ...]:
    return standing_flags(checkins, day)


def red_flags(day: dt.date, *names: str) -> tuple[Flag, ...]:
    """The flags standing on ``day`` after sharp pain was reported in ``names`` that day."""
    return flags_on(day, pain(day, *names))


def regions() -> st.SearchStrategy[Region]:
    """Any region: a paired part with a side or without one (both sides), or a central part."""

    def build(part: BodyPart, side: Side | None) -> Region:
        return Region(part, side if part.paired else None)

    return st.builds(build, st.sampled_from(BodyPart), st.none() | st.sampled_from(Side))


def checkins(first: dt.date, days: int) -> st.SearchStrategy[CheckIn]:
    """A check-in on one of the ``days`` days from ``first``, with random soreness, pain and
    warning signs on random regions."""
    return st.builds(
        CheckIn,
        day=st.integers(0, days - 1).map(lambda n: first + dt.timedelta(days=n)),
        soreness=st.dictionaries(regions(), st.integers(0, 10), max_size=4),
        pain=st.dictionaries(regions(), st.sampled_from(PainQuality), max_size=2),
        signs=st.dictionaries(
            regions(), st.frozensets(st.sampled_from(Sign), min_size=1, max_size=2), max_size=2
        ),
    )
