"""The Check-in page's day, on SQLite and PostgreSQL: it is read with one query, and saving the
body map reads and writes it in one transaction, so a pain flag from the routine player saved
in between is not lost."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from rubdown.bootstrap import Settings, build_app
from rubdown.domain.model import CheckIn, PainQuality
from rubdown.domain.regions import parse_region
from rubdown.services import daily
from rubdown.web.presenters import body_map, player

TODAY = dt.date(2027, 1, 4)
LEFT_CALF, LEFT_QUAD, LEFT_HEEL = (
    parse_region("left-calf"),
    parse_region("left-quad"),
    parse_region("left-heel"),
)
# How long the map's save waits, between reading the day and writing it, for the flag to land.
FLAG_WINDOW_S = 0.5


@pytest.fixture
def apps(database_url: str, tmp_path: Path) -> Iterator[tuple[Any, Any]]:
    """Two apps on one database, as the page and the player in two browser tabs."""
    built = [build_app(Settings(tmp_path / "home", database_url, today=TODAY)) for _ in range(2)]
    try:
        yield built[0], built[1]
    finally:
        for app in built:
            app.close()


def stored_on(app: Any, day: dt.date) -> list[CheckIn]:
    return [c for c in app.data.list_checkins() if c.day == day]


def test_a_pain_flag_saved_while_the_map_is_saved_is_kept(
    apps: tuple[Any, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    page, tab = apps
    daily.check_in(page, TODAY, {LEFT_CALF: 4}, {}, "stiff")
    errors: list[BaseException] = []

    def flag() -> None:
        try:
            player.flag_pain(tab, LEFT_HEEL, PainQuality.DULL, TODAY)
        except BaseException as error:  # re-raised below
            errors.append(error)

    flagging = threading.Thread(target=flag)
    real_merge = body_map.merge_map

    def merge_while_the_player_flags(*args: Any, **kwargs: Any) -> Any:
        # The map has read the day; the player saves its flag now, or as soon as it may.
        if not flagging.is_alive() and flagging.ident is None:
            flagging.start()
            flagging.join(FLAG_WINDOW_S)
        return real_merge(*args, **kwargs)

    monkeypatch.setattr(body_map, "merge_map", merge_while_the_player_flags)
    saved = body_map.save_map(page, TODAY, {LEFT_QUAD: 2}, {})
    flagging.join()

    if errors:
        raise errors[0]
    assert (saved.replaced, saved.merged) == (True, False)
    assert stored_on(page, TODAY) == [
        CheckIn(
            TODAY,
            soreness={LEFT_CALF: 4, LEFT_QUAD: 2},
            pain={LEFT_HEEL: PainQuality.DULL},
            note="stiff",
        )
    ]


def test_the_map_keeps_the_note_fatigue_and_sleep_it_leaves_out(apps: tuple[Any, Any]) -> None:
    page, _tab = apps
    daily.check_in(page, TODAY, {LEFT_CALF: 4}, {}, "stiff", fatigue=3, sleep=2)

    body_map.save_map(page, TODAY, {LEFT_CALF: None}, {LEFT_QUAD: PainQuality.SHARP})

    assert stored_on(page, TODAY) == [
        CheckIn(TODAY, pain={LEFT_QUAD: PainQuality.SHARP}, note="stiff", fatigue=3, sleep=2)
    ]


def test_the_days_check_in_is_read_alone_and_only_the_runners_own(apps: tuple[Any, Any]) -> None:
    page, _tab = apps
    stored = daily.check_in(page, TODAY, {LEFT_CALF: 4}, {}, "stiff").checkin
    daily.check_in(page, TODAY - dt.timedelta(days=1), {LEFT_QUAD: 1}, {})
    someone_else = page.store.for_owner("someone-else")
    someone_else.add_checkin(CheckIn(TODAY + dt.timedelta(days=1), soreness={LEFT_CALF: 9}))

    assert page.data.checkin_on(TODAY) == stored
    assert page.data.checkin_on(TODAY + dt.timedelta(days=1)) is None
    assert someone_else.checkin_on(TODAY) is None
