"""Warning signs (R3, R5) are stored with their check-in, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from rubdown.domain.model import CheckIn, PainQuality, Sign
from rubdown.domain.regions import parse_region
from rubdown.errors import NotFound
from rubdown.store import Store
from rubdown.store import schema as tables

ANA, BEN = "ana", "ben"
DAY = dt.date(2027, 3, 11)
SWOLLEN_CALF = CheckIn(
    DAY,
    soreness={parse_region("left-calf"): 5},
    pain={parse_region("left-calf"): PainQuality.DULL},
    signs={
        parse_region("left-calf"): frozenset({Sign.SWELLING, Sign.WARMTH}),
        parse_region("right-hamstring"): frozenset({Sign.STRAIN}),
        parse_region("low-back"): frozenset({Sign.BRUISE}),
    },
)


@pytest.fixture
def runners(store: Store) -> Store:
    store.ensure_runner(ANA, "Ana")
    store.ensure_runner(BEN, "Ben")
    return store


def _sign_rows(raw: Engine) -> list[tuple[str, str, str]]:
    table = tables.checkin_signs
    with raw.connect() as connection:
        rows = connection.execute(sa.select(table.c.owner_id, table.c.region, table.c.sign))
        return sorted((row[0], row[1], row[2]) for row in rows)


def test_signs_round_trip_with_their_checkin_including_regions_with_signs_only(
    runners: Store,
) -> None:
    runners.add_checkin(ANA, SWOLLEN_CALF)

    assert runners.list_checkins(ANA) == [SWOLLEN_CALF]


def test_a_checkin_replacing_the_days_one_replaces_its_signs_too(
    runners: Store, raw: Engine
) -> None:
    runners.add_checkin(ANA, SWOLLEN_CALF)
    settled = CheckIn(DAY, soreness={parse_region("left-calf"): 2})

    runners.add_checkin(ANA, settled)

    assert runners.list_checkins(ANA) == [settled]
    assert _sign_rows(raw) == []


def test_signs_belong_to_their_runner_only(runners: Store, raw: Engine) -> None:
    runners.add_checkin(ANA, SWOLLEN_CALF)
    bens = CheckIn(DAY, signs={parse_region("right-calf"): frozenset({Sign.REDNESS})})
    runners.add_checkin(BEN, bens)

    assert runners.list_checkins(ANA) == [SWOLLEN_CALF]
    assert runners.list_checkins(BEN) == [bens]
    assert ("ben", "right-calf", "redness") in _sign_rows(raw)
    assert all(owner == ANA for owner, region, _ in _sign_rows(raw) if region != "right-calf")


def test_a_failed_write_stores_neither_the_checkin_nor_its_signs(
    runners: Store, raw: Engine
) -> None:
    # A check-in for a runner who does not exist fails as a whole: no stray sign rows.
    with pytest.raises(NotFound):
        runners.add_checkin("nobody", SWOLLEN_CALF)

    assert runners.list_checkins("nobody") == []
    assert _sign_rows(raw) == []
